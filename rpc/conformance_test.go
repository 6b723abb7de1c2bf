package rpc_test

import (
	"context"
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
