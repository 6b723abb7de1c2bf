package rpc

import (
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kycd/kycd/tools"
)

// MCPOptions are the settings of the MCP Streamable HTTP endpoint.
type MCPOptions struct {
	// AllowedOrigins are the web origins (https://app.example.com) whose pages may call the
	// endpoint; a request with any other Origin header is refused with 403, as the transport
	// specification requires (DNS rebinding). Requests without Origin (programs, not
	// browsers) are not affected. Give the server's own public origin here too.
	AllowedOrigins []string
	// Conformance serves the official conformance suite's fixtures too and lets requests
	// without a bearer token in as a caller with no scopes (tests only, never production).
	Conformance bool
}

// SessionIdleTTL is how long a 2025-11-25 session (Mcp-Session-Id) lives without a request;
// after it, or after DELETE, the id is answered 404 and the client starts a new session.
const SessionIdleTTL = time.Hour

// originGuard refuses, with 403, a request whose Origin header is present and not allowed.
// It runs before authentication: a page on a foreign origin gets nothing, whatever it sends.
func originGuard(allowed []string, h http.Handler) http.Handler {
	set := make(map[string]bool, len(allowed))
	for _, o := range allowed {
		if n, err := tools.NormalizeOrigin(o); err == nil {
			set[n] = true
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if vals, ok := r.Header["Origin"]; ok {
			n, err := tools.NormalizeOrigin(strings.Join(vals, ","))
			if err != nil || !set[n] {
				tools.WriteHTTPError(w, tools.Errorf(tools.CodePermissionDenied, "Origin",
					"requests from the origin %q are not allowed; the server's operator may allow it with --mcp-allowed-origins", strings.Join(vals, ",")), http.StatusForbidden)
				return
			}
			r.Header.Set("Origin", n) // the form CORS echoes back
		}
		h.ServeHTTP(w, r)
	})
}

// corsOptions let the pages of the allowed origins read the answers (CORS), when any are set.
func corsOptions(allowed []string) []server.StreamableHTTPOption {
	if len(allowed) == 0 {
		return nil
	}
	return []server.StreamableHTTPOption{server.WithStreamableHTTPCORS(
		server.WithCORSAllowedOrigins(allowed...),
		server.WithCORSAllowedHeaders("Content-Type", "Authorization", mcp.HeaderSessionID, mcp.HeaderProtocolVersion,
			mcp.HeaderLastEventID, mcp.HeaderMethod, mcp.HeaderName, "*"),
		server.WithCORSMaxAge(600),
	)}
}

// sessionIDs issues the Mcp-Session-Id of 2025-11-25 sessions and knows which are live, so
// that an id after DELETE, after its idle time (the transport's sweeper terminates it) or
// never issued gets 404, as the transport specification requires. mcp-go's default manager
// checks only the id's shape. The ids are this process's: behind a load balancer, route
// 2025-11-25 clients by Mcp-Session-Id (sticky sessions); 2026-07-28 clients have no
// sessions and need nothing.
type sessionIDs struct {
	live sync.Map // id → struct{}
}

var errUnknownSession = errors.New("unknown or terminated session")

// Generate issues a new id: 128 random bits, in the visible ASCII the specification asks for.
func (m *sessionIDs) Generate() string {
	id := "kycd-" + rand.Text()
	m.live.Store(id, struct{}{})
	return id
}

// Validate accepts only live ids.
func (m *sessionIDs) Validate(id string) (bool, error) {
	if _, ok := m.live.Load(id); !ok {
		return false, errUnknownSession
	}
	return false, nil
}

// Terminate ends a session; the id is unknown from then on.
func (m *sessionIDs) Terminate(id string) (bool, error) {
	m.live.Delete(id)
	return false, nil
}

// sessionGuard answers, for the 2025-11-25 era, the session checks mcp-go leaves out: a GET
// or DELETE naming an id that is not live gets 404 (mcp-go would open a stream for it, or
// answer the DELETE 200), and a DELETE without an id 400. POSTs are checked by mcp-go itself
// through sessionIDs.Validate. 2026-07-28 requests (Mcp-Protocol-Version) have no sessions.
func sessionGuard(m *sessionIDs, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method == http.MethodGet || r.Method == http.MethodDelete) && !mcp.IsModernProtocol(r.Header.Get(mcp.HeaderProtocolVersion)) {
			id := r.Header.Get(mcp.HeaderSessionID)
			switch {
			case id == "" && r.Method == http.MethodDelete:
				http.Error(w, "Bad Request: DELETE needs the Mcp-Session-Id header of the session to end", http.StatusBadRequest)
				return
			case id != "":
				if _, err := m.Validate(id); err != nil {
					http.Error(w, "Not Found: no live session with this Mcp-Session-Id; initialize a new one", http.StatusNotFound)
					return
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}
