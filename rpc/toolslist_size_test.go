package rpc

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/tools"
)

// toolsListBudget bounds the tools/list result a key with every scope (tools.AllScopes) gets —
// not the tools only operators' sessions hold scopes for — in bytes (see
// docs/surfaces.md, "What the tool list costs"); tools/testdata/toolbudget.json bounds each
// tool's share. Raised from 120,000 on purpose (2026-12-07) when flows, questionnaires, the
// dashboard's review and key tools, operators, the audit trail, retention and OAuth grants
// landed: 50 → 86 tools, 158,290 bytes.
const toolsListBudget = 165_000

// issue20Tools are the 32 tools whose list measured 151,842 bytes when #20 asked for ≤ 40 %
// of that with the same information; the goal is checked on the same tools (they have grown
// since: examples, X-or-Y rules, country conventions).
var issue20Tools = []string{"cancel_verification", "compare_faces", "create_verification", "create_webhook_endpoint",
	"delete_applicant", "delete_webhook_endpoint", "get_applicant", "get_liveness_challenge", "get_verification",
	"list_applicants", "list_events", "list_screening_lists", "list_verification_events", "list_verifications",
	"list_webhook_deliveries", "list_webhook_endpoints", "read_mrz", "record_consent", "replay_webhook_delivery",
	"resolve_screening_hit", "reverify", "review_verification", "revoke_identity_token", "rotate_webhook_secret",
	"screen_entity", "screen_person", "screen_transaction", "submit_document", "submit_liveness", "submit_selfie",
	"submit_verification", "update_webhook_endpoint"}

// issue20Goal is 40 % of 151,842 bytes.
const issue20Goal = 151_842 * 40 / 100

// TestToolsListBytes measures the tools/list result as MCP clients receive it
// (go test ./rpc -run TestToolsListBytes -v prints the numbers docs/surfaces.md quotes).
func TestToolsListBytes(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(nil, tools.All()...)
	require.NoError(t, err)
	var list, old []mcp.Tool
	in, out, operatorOnly := 0, 0, 0
	for _, info := range reg.Tools() {
		if !slices.Contains(tools.AllScopes, info.Scope) {
			operatorOnly++ // keys:*, notifications: no key created with every scope lists them
			continue
		}
		list = append(list, mcpTool(info))
		if slices.Contains(issue20Tools, info.Name) {
			old = append(old, mcpTool(info))
		}
		in += len(info.InputSchema)
		out += len(info.OutputShape)
	}
	b, err := json.Marshal(mcp.ListToolsResult{Tools: list})
	require.NoError(t, err)
	o, err := json.Marshal(mcp.ListToolsResult{Tools: old})
	require.NoError(t, err)
	t.Logf("tools/list for a key with every scope (AllScopes): %d tools, %d bytes (input schemas %d, output shapes %d; %d operator-only tools not listed); the %d tools of #20: %d bytes (goal %d)",
		len(list), len(b), in, out, operatorOnly, len(old), len(o), issue20Goal)
	require.Len(t, old, len(issue20Tools), "a tool of #20's list was renamed: update issue20Tools")
	require.LessOrEqual(t, len(o), issue20Goal, "#20's tools outgrew 40 %% of their old list")
	require.LessOrEqual(t, len(b), toolsListBudget, "the tool list outgrew its budget; see docs/surfaces.md")
}
