package rpc_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/rest"
	"github.com/kycd/kycd/rpc"
	"github.com/kycd/kycd/tools"
)

// The rate limit is counted in the registry's call path, so a tool call costs the caller
// exactly one request whatever the surface: none counts it twice, none forgets it.
func TestEachSurfaceCountsACallOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	ctx := context.Background()
	frozen := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	lim := tools.NewRateLimiter(1000, 1)
	lim.SetClock(func() time.Time { return frozen }) // no refill while the test counts
	e.Reg.SetRateLimiter(lim)
	secret := e.keys["test"]
	caller, err := tools.Authenticate(ctx, e.Reg.Deps(), secret)
	require.NoError(t, err)

	restHandler, err := rest.New(e.Reg, rest.Options{})
	require.NoError(t, err)
	jr, err := rpc.NewJSONRPC(e.Reg, "test")
	require.NoError(t, err)

	// remaining is the budget left, read with a direct call (which itself costs one).
	remaining := func() int {
		_, meta, err := e.Reg.CallWith(ctx, caller, "list_verifications", nil, tools.CallOptions{})
		require.NoError(t, err)
		return meta.Rate.Remaining
	}
	surfaces := map[string]func(t *testing.T){
		"rest": func(t *testing.T) {
			req, _ := http.NewRequest("GET", rest.BasePath+"/verifications", nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			w := httptest.NewRecorder()
			restHandler.ServeHTTP(w, req)
			require.Equal(t, 200, w.Code, w.Body.String())
			require.Equal(t, "1000", w.Header().Get("X-RateLimit-Limit"))
		},
		"rest, arguments refused by the surface": func(t *testing.T) {
			req, _ := http.NewRequest("GET", rest.BasePath+"/verifications?no_such_parameter=1", nil)
			req.Header.Set("Authorization", "Bearer "+secret)
			w := httptest.NewRecorder()
			restHandler.ServeHTTP(w, req)
			require.Equal(t, 422, w.Code, w.Body.String())
			require.NotEmpty(t, w.Header().Get("X-RateLimit-Remaining"))
		},
		"json-rpc over http": func(t *testing.T) {
			st, b := e.post(t, "test", `{"jsonrpc":"2.0","id":1,"method":"list_verifications"}`)
			require.Equal(t, 200, st, string(b))
		},
		"json-rpc over websocket": func(t *testing.T) {
			c, res := dialWS(t, e.srv.URL, secret)
			require.Equal(t, 101, res.StatusCode)
			c.send(t, 0x1, []byte(`{"jsonrpc":"2.0","id":1,"method":"list_verifications"}`), true)
			_, p := c.read(t)
			var r rpcResp
			require.NoError(t, json.Unmarshal(p, &r), string(p))
			require.Nil(t, r.Error)
		},
		"json-rpc over stdio": func(t *testing.T) {
			inR, inW := io.Pipe()
			outR, outW := io.Pipe()
			done := make(chan error, 1)
			go func() { done <- jr.ServeStdio(ctx, caller, inR, outW, nil) }()
			conn := jsonrpc2.NewConn(ctx, jsonrpc2.NewPlainObjectStream(pipeRW{outR, inW}), nil)
			require.NoError(t, conn.Call(ctx, "list_verifications", map[string]any{}, nil))
			inW.Close()
			require.NoError(t, <-done)
			conn.Close()
		},
		"mcp": func(t *testing.T) {
			c, err := startMCP(t, e.srv.URL+"/mcp", secret)
			require.NoError(t, err)
			req := mcp.CallToolRequest{}
			req.Params.Name = "list_verifications"
			res, err := c.CallTool(ctx, req)
			require.NoError(t, err)
			require.False(t, res.IsError)
		},
	}
	for name, call := range surfaces {
		before := remaining()
		call(t)
		require.Equal(t, before-2, remaining(), "%s: one call through the surface and one probe", name)
	}
}
