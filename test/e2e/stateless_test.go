package e2e_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The stateless 2026-07-28 revision: no initialize, no session; every request states its
// protocol version in the header and in _meta, and names its method and tool in headers.
func TestStatelessProtocolRevision(t *testing.T) {
	t.Parallel()
	s := start(t, false)
	call := func(name string, args string) map[string]any {
		body := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"` + name + `","arguments":` + args +
			`,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"e2e","version":"1"}}}}`
		req, _ := http.NewRequest("POST", s.url+"/mcp", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+s.key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
		req.Header.Set("Mcp-Method", "tools/call")
		req.Header.Set("Mcp-Name", name)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		require.Equal(t, 200, resp.StatusCode, string(b))
		require.Empty(t, resp.Header.Get("Mcp-Session-Id"), "the stateless revision mints no session")
		var v struct {
			Result struct {
				IsError           bool           `json:"isError"`
				StructuredContent map[string]any `json:"structuredContent"`
			} `json:"result"`
		}
		require.NoError(t, json.Unmarshal(b, &v), string(b))
		require.False(t, v.Result.IsError, string(b))
		return v.Result.StructuredContent
	}
	created := call("create_verification", `{"checks":["screening"],"applicant":{"name":"Stateless Client"}}`)
	require.Equal(t, "pending", created["status"])
	got := call("get_verification", `{"id":"`+created["id"].(string)+`"}`)
	require.Equal(t, created["id"], got["id"])
}
