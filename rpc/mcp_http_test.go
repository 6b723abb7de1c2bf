package rpc_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/rpc"
)

// mcpHTTP sends one raw Streamable HTTP request and returns the response (body read).
func mcpHTTP(t *testing.T, method, url, key string, headers map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

const (
	mcpInit  = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`
	mcpList  = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	mcpReady = `{"jsonrpc":"2.0","method":"notifications/initialized"}`
)

// A 2025-11-25 session id is answered 404 once it is deleted, and so is one never issued.
func TestMCPSessions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	url, key := e.srv.URL+"/mcp", e.keys["test"]
	with := func(id string) map[string]string {
		return map[string]string{"Mcp-Session-Id": id, "Mcp-Protocol-Version": "2025-11-25"}
	}

	res, body := mcpHTTP(t, "POST", url, key, nil, mcpInit)
	require.Equal(t, 200, res.StatusCode, body)
	id := res.Header.Get("Mcp-Session-Id")
	require.NotEmpty(t, id)
	res, body = mcpHTTP(t, "POST", url, key, with(id), mcpReady)
	require.Equal(t, 202, res.StatusCode, body)
	res, body = mcpHTTP(t, "POST", url, key, with(id), mcpList)
	require.Equal(t, 200, res.StatusCode, body)
	require.Contains(t, body, "create_verification")

	for _, never := range []string{"mcp-session-6f1c1c9e-2f44-4b8e-9d57-7d5bb1b0a2f1", "kycd-AAAAAAAAAAAAAAAAAAAAAAAAAA", id + "x"} {
		res, body = mcpHTTP(t, "POST", url, key, with(never), mcpList)
		require.Equal(t, 404, res.StatusCode, "POST with %s: %s", never, body)
		res, _ = mcpHTTP(t, "GET", url, key, with(never), "")
		require.Equal(t, 404, res.StatusCode, "GET with %s", never)
		res, _ = mcpHTTP(t, "DELETE", url, key, with(never), "")
		require.Equal(t, 404, res.StatusCode, "DELETE with %s", never)
	}
	res, _ = mcpHTTP(t, "DELETE", url, key, map[string]string{"Mcp-Protocol-Version": "2025-11-25"}, "")
	require.Equal(t, 400, res.StatusCode, "DELETE without a session id")

	res, body = mcpHTTP(t, "DELETE", url, key, with(id), "")
	require.Equal(t, 200, res.StatusCode, body)
	res, body = mcpHTTP(t, "POST", url, key, with(id), mcpList)
	require.Equal(t, 404, res.StatusCode, "a deleted session: %s", body)
	res, _ = mcpHTTP(t, "GET", url, key, with(id), "")
	require.Equal(t, 404, res.StatusCode)
	res, _ = mcpHTTP(t, "DELETE", url, key, with(id), "")
	require.Equal(t, 404, res.StatusCode)

	// A new session works; the stateless 2026-07-28 era needs none.
	res, _ = mcpHTTP(t, "POST", url, key, nil, mcpInit)
	require.Equal(t, 200, res.StatusCode)
	require.NotEqual(t, id, res.Header.Get("Mcp-Session-Id"))
}

// A request from a page on a foreign origin gets 403; allowed origins, the server's own
// and requests without Origin get through, with CORS headers for the allowed pages.
func TestMCPOrigin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	srv := httptest.NewServer(rpc.MCPHandler(e.Reg, "test", "/mcp", e.auth, rpc.MCPOptions{
		AllowedOrigins: []string{"https://agent.example.com", "http://127.0.0.1:8080"}}))
	t.Cleanup(srv.Close)
	url, key := srv.URL+"/mcp", e.keys["test"]

	for origin, want := range map[string]int{
		"":                               200,
		"https://agent.example.com":      200,
		"https://AGENT.example.com":      200, // hosts compare case-insensitively
		"http://127.0.0.1:8080":          200,
		"https://evil.example.com":       403,
		"http://agent.example.com":       403, // another scheme is another origin
		"https://agent.example.com:8443": 403,
		"null":                           403,
		"not an origin":                  403,
	} {
		h := map[string]string{}
		if origin != "" {
			h["Origin"] = origin
		}
		res, body := mcpHTTP(t, "POST", url, key, h, mcpInit)
		require.Equal(t, want, res.StatusCode, "Origin %q: %s", origin, body)
		if origin != "" && want == 200 {
			require.NotEmpty(t, res.Header.Get("Access-Control-Allow-Origin"), origin)
		}
		// The check comes before authentication: no key, same refusal.
		if want == 403 {
			res, _ = mcpHTTP(t, "POST", url, "", h, mcpInit)
			require.Equal(t, 403, res.StatusCode)
		}
	}

	// A preflight carries no credentials: answered for an allowed origin, refused otherwise.
	pre := map[string]string{"Origin": "https://agent.example.com", "Access-Control-Request-Method": "POST",
		"Access-Control-Request-Headers": "authorization, content-type, mcp-protocol-version"}
	res, _ := mcpHTTP(t, "OPTIONS", url, "", pre, "")
	require.Equal(t, 204, res.StatusCode)
	require.Equal(t, "https://agent.example.com", res.Header.Get("Access-Control-Allow-Origin"))
	require.Contains(t, res.Header.Get("Access-Control-Allow-Headers"), "Authorization")
	pre["Origin"] = "https://evil.example.com"
	res, _ = mcpHTTP(t, "OPTIONS", url, "", pre, "")
	require.Equal(t, 403, res.StatusCode)
}

// A request without a key gets 401 with WWW-Authenticate: Bearer realm="kycd" — and nothing
// more until kycd is an OAuth resource server: a resource_metadata parameter would send
// Inspector and the SDK clients into an OAuth flow that no authorization server can finish
// (#20). The body says what to send instead.
func TestMCPUnauthenticated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	for _, key := range []string{"", "sk_test_not_a_key"} {
		res, body := mcpHTTP(t, "POST", e.srv.URL+"/mcp", key, nil, mcpInit)
		require.Equal(t, 401, res.StatusCode, body)
		require.Equal(t, []string{`Bearer realm="kycd"`}, res.Header.Values("WWW-Authenticate"))
		require.Contains(t, body, "unauthenticated")
	}
}
