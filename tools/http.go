package tools

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// The HTTP edge helpers every HTTP surface shares (REST, MCP Streamable HTTP, JSON-RPC over
// WebSocket, the server's own wrappers), kept once so that the surfaces cannot drift apart.

// BearerToken extracts the token of an "Authorization: Bearer …" header.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// WriteHTTPError writes {"error": {...}} with the error's status, or status when non-zero. A
// nil error is an internal error; an unauthenticated one gets WWW-Authenticate, a rate-limited
// one (or an unavailable one, when the database is down) Retry-After.
func WriteHTTPError(w http.ResponseWriter, e *Error, status int) {
	if e == nil {
		e = Errorf(CodeInternal, "", "internal error")
	}
	if status == 0 {
		status = e.Code.HTTPStatus()
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	if e.Code == CodeUnauthenticated {
		hd.Set("WWW-Authenticate", `Bearer realm="kycd"`)
	}
	if e.RetryAfterSeconds > 0 {
		hd.Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}
