package tools

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/imaging"
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
	if c := e.WWWAuthenticate(); c != "" {
		hd.Set("WWW-Authenticate", c)
	}
	if e.RetryAfterSeconds > 0 {
		hd.Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds))
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}

// WWWAuthenticate is the WWW-Authenticate header an HTTP answer with e carries ("" = none).
func (e *Error) WWWAuthenticate() string {
	switch {
	case e.Challenge != "":
		return e.Challenge
	case e.Code == CodeUnauthenticated:
		return `Bearer realm="kycd"`
	}
	return ""
}

// LargeBody is the request body size from which LimitUploads makes a request wait for the
// upload budget: ordinary calls are far smaller and never wait.
const LargeBody = 256 << 10

// ReserveUpload waits up to wait for n body bytes of the process's upload memory
// (imaging.ReserveUpload) and returns the function that gives them back; a *Error
// (CodeUnavailable, retry in 5 s) when the wait ran out. For surfaces whose messages are not
// HTTP request bodies (a WebSocket message), which LimitUploads cannot see.
func ReserveUpload(ctx context.Context, n int64, wait time.Duration) (func(), *Error) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	release, err := imaging.ReserveUpload(ctx, n)
	if err != nil {
		e := Errorf(CodeUnavailable, "", "the server is busy with other uploads; retry shortly")
		e.RetryAfterSeconds = 5
		return nil, e
	}
	return release, nil
}

// LimitUploads makes requests with a large body wait for their share of the process's upload
// memory (imaging.ReserveUpload) before the handler reads it, so a burst of image uploads on
// any surface or the hosted flow queues instead of holding every body in memory at once. A
// body of unknown length is charged maxBody. A request that cannot get it within wait is
// answered 503 with Retry-After.
func LimitUploads(h http.Handler, maxBody int64, wait time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := r.ContentLength
		if n < 0 {
			n = maxBody
		}
		if r.Body == nil || r.Body == http.NoBody || n < LargeBody {
			h.ServeHTTP(w, r)
			return
		}
		release, e := ReserveUpload(r.Context(), min(n, maxBody), wait)
		if e != nil {
			WriteHTTPError(w, e, http.StatusServiceUnavailable)
			return
		}
		defer release()
		h.ServeHTTP(w, r)
	})
}
