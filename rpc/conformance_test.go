package rpc_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/rpc"
	"github.com/kycd/kycd/tools"
)

// Conformance mode serves the suite's fixtures to a client without a key; a normal server
// never lists them. (The suite itself runs in test/e2e.)
func TestConformanceFixtures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	ctx := context.Background()
	deny := func(*http.Request) (tools.Caller, *tools.Error) {
		return tools.Caller{}, tools.Errorf(tools.CodeUnauthenticated, "", "no key")
	}
	for _, conformance := range []bool{false, true} {
		srv := httptest.NewServer(rpc.MCPHandler(e.Reg, "test", "/mcp", deny, rpc.MCPOptions{Conformance: conformance}))
		c, err := startMCP(t, srv.URL+"/mcp", "")
		if !conformance {
			require.Error(t, err, "a normal server refuses a client without a key")
			srv.Close()
			continue
		}
		require.NoError(t, err)
		list, err := c.ListTools(ctx, mcp.ListToolsRequest{})
		require.NoError(t, err)
		names := map[string]bool{}
		for _, tl := range list.Tools {
			names[tl.Name] = true
		}
		for _, n := range []string{"test_simple_text", "test_image_content", "test_elicitation", "json_schema_2020_12_tool"} {
			require.True(t, names[n], n)
		}
		req := mcp.CallToolRequest{}
		req.Params.Name = "test_simple_text"
		res, err := c.CallTool(ctx, req)
		require.NoError(t, err)
		require.Equal(t, "This is a simple text response for testing.", res.Content[0].(mcp.TextContent).Text)
		req.Params.Name = "list_verifications"
		res, err = c.CallTool(ctx, req)
		require.NoError(t, err)
		require.True(t, res.IsError, "the keyless caller has no scopes")
		prompts, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
		require.NoError(t, err)
		require.NotEmpty(t, prompts.Prompts)
		srv.Close()
	}
}

// The 2026-07-28 fixtures answer the way the revision says: a missing client capability is
// -32021 with HTTP 400 and data.requiredCapabilities, input is asked for with an
// InputRequiredResult, and a request state the client altered is refused.
func TestConformanceStatelessFixtures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	deny := func(*http.Request) (tools.Caller, *tools.Error) {
		return tools.Caller{}, tools.Errorf(tools.CodeUnauthenticated, "", "no key")
	}
	srv := httptest.NewServer(rpc.MCPHandler(e.Reg, "test", "/mcp", deny, rpc.MCPOptions{Conformance: true}))
	t.Cleanup(srv.Close)
	call := func(tool string, caps map[string]any, extra map[string]any) (int, map[string]any) {
		params := map[string]any{"name": tool, "arguments": map[string]any{}, "_meta": map[string]any{
			"io.modelcontextprotocol/protocolVersion":    "2026-07-28",
			"io.modelcontextprotocol/clientCapabilities": caps,
		}}
		for k, v := range extra {
			params[k] = v
		}
		body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": params})
		req, _ := http.NewRequest("POST", srv.URL+"/mcp", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
		req.Header.Set("Mcp-Method", "tools/call")
		req.Header.Set("Mcp-Name", tool)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp.StatusCode, out
	}
	status, out := call("test_missing_capability", map[string]any{}, nil)
	require.Equal(t, http.StatusBadRequest, status, "%v", out)
	errObj := out["error"].(map[string]any)
	require.EqualValues(t, mcp.MISSING_REQUIRED_CLIENT_CAPABILITY, errObj["code"])
	require.Equal(t, map[string]any{"sampling": map[string]any{}}, errObj["data"].(map[string]any)["requiredCapabilities"])

	all := map[string]any{"elicitation": map[string]any{}, "sampling": map[string]any{}}
	status, out = call("test_input_required_result_request_state", all, nil)
	require.Equal(t, http.StatusOK, status)
	res := out["result"].(map[string]any)
	require.Equal(t, "input_required", res["resultType"])
	state := res["requestState"].(string)
	answer := map[string]any{"confirm": map[string]any{"action": "accept", "content": map[string]any{"ok": true}}}
	_, out = call("test_input_required_result_request_state", all, map[string]any{"inputResponses": answer, "requestState": state})
	require.Contains(t, fmt.Sprint(out["result"]), "state-ok")
	status, out = call("test_input_required_result_request_state", all, map[string]any{"inputResponses": answer, "requestState": state + "x"})
	require.Equal(t, http.StatusBadRequest, status, "%v", out)
	require.EqualValues(t, mcp.INVALID_PARAMS, out["error"].(map[string]any)["code"])
}
