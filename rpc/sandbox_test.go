package rpc_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// sandboxCall runs a tool on one surface as one key and decodes its result into out; it
// fails the test on any error.
type sandboxCall func(t *testing.T, key, tool string, args map[string]any, out any)

// Every verification-level magic value over MCP and JSON-RPC: with a test key it forces its
// documented outcome when its check is on the verification (here: screening, whose engine
// passes) and does nothing otherwise; with a live key it never acts. Each value's event
// sequence is the pipeline's, and kycd://sandbox lists the values.
func TestSandboxAcrossSurfaces(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	e := newEnv(t, s)
	secret, _, err := s.CreateAPIKey(context.Background(), db.NewKey{AccountID: "acct_a", Name: "l", Mode: models.ModeLive, Scopes: scopes(t, "")})
	require.NoError(t, err)
	e.keys["live"] = secret

	mcpClients := map[string]*mcpClient{"test": legacyClient(t, e, "test"), "live": legacyClient(t, e, "live")}
	surfaces := map[string]sandboxCall{
		"mcp": func(t *testing.T, key, tool string, args map[string]any, out any) {
			a := mcpClients[key].call(t, mcp.MethodToolsCall, map[string]any{"name": tool, "arguments": args})
			require.Nil(t, a.Error, "%s", a.Result)
			var res struct {
				IsError           bool            `json:"isError"`
				StructuredContent json.RawMessage `json:"structuredContent"`
			}
			require.NoError(t, json.Unmarshal(a.Result, &res))
			require.False(t, res.IsError, "%s: %s", tool, a.Result)
			require.NoError(t, json.Unmarshal(res.StructuredContent, out))
		},
		"jsonrpc": func(t *testing.T, key, tool string, args map[string]any, out any) {
			body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": tool, "params": args})
			st, b := e.post(t, key, string(body))
			require.Equal(t, 200, st, string(b))
			var r rpcResp
			require.NoError(t, json.Unmarshal(b, &r))
			require.Nil(t, r.Error, "%s: %s", tool, b)
			require.NoError(t, json.Unmarshal(r.Result, out))
		},
	}

	var rules []verify.SandboxRule
	for _, r := range verify.SandboxRules() {
		if r.Applies == verify.SandboxOnVerification && r.Value != verify.SandboxExpire {
			rules = append(rules, r)
		}
	}
	for surface, call := range surfaces {
		for _, key := range []string{"test", "live"} {
			ids := make([]string, len(rules))
			for i, r := range rules {
				var v tools.Verification
				call(t, key, "create_verification", map[string]any{"checks": []string{"screening"},
					"external_ref": fmt.Sprintf("%s-%s-%s", r.Value, surface, key)}, &v)
				call(t, key, "submit_verification", map[string]any{"id": v.ID}, &v)
				ids[i] = v.ID
			}
			for i, r := range rules {
				var v tools.Verification
				for v.Result == nil {
					call(t, key, "get_verification", map[string]any{"id": ids[i], "wait_seconds": 20}, &v)
				}
				fires := key == "test" && r.Outcome != "" && (r.Check == "" || r.Check == models.CheckScreening)
				what := fmt.Sprintf("%s over %s with the %s key", r.Value, surface, key)
				if fires {
					require.Equal(t, r.Result, v.Status, what)
					require.True(t, v.Result.Forced, what)
					require.Equal(t, r.Value, v.Result.ForcedBy, what)
					require.Equal(t, r.Outcome, v.Result.Checks[0].Outcome, what)
					require.True(t, v.Result.Checks[0].Forced, what)
				} else {
					require.Equal(t, "approved", v.Status, what)
					require.False(t, v.Result.Forced, what)
					require.False(t, v.Result.Checks[0].Forced, what)
				}
				var events tools.EventList
				call(t, key, "list_verification_events", map[string]any{"id": ids[i]}, &events)
				var types []string
				for _, ev := range events.Data {
					types = append(types, ev.Type)
				}
				require.Equal(t, []string{"verification.created", "verification.processing", "verification.completed"}, types, what)
			}
		}
	}

	// The resource is the tool's table.
	a := mcpClients["test"].call(t, mcp.MethodResourcesRead, map[string]any{"uri": "kycd://sandbox"})
	require.Nil(t, a.Error)
	var rr struct {
		Contents []struct {
			URI  string `json:"uri"`
			Text string `json:"text"`
		} `json:"contents"`
	}
	require.NoError(t, json.Unmarshal(a.Result, &rr))
	require.Len(t, rr.Contents, 1)
	require.Equal(t, "kycd://sandbox", rr.Contents[0].URI)
	var table tools.SandboxValues
	require.NoError(t, json.Unmarshal([]byte(rr.Contents[0].Text), &table))
	require.True(t, table.Active)
	require.Len(t, table.Values, len(verify.SandboxRules()))
	require.True(t, slices.ContainsFunc(table.Values, func(r verify.SandboxRule) bool { return r.Value == "test_screening_hit" }))
}
