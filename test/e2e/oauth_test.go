package e2e_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/oauthtest"
)

// The official MCP TypeScript SDK's OAuth client provider against kycd's built-in
// authorization server (in process, behind the test operator sign-in): discovery from the 401,
// dynamic registration, PKCE, consent, tool calls, the SDK's own refresh, reuse of a rotated
// refresh token and revocation. oauth_client.mjs says what it saw; the assertions are here.
func TestOAuthWithTheTypeScriptSDK(t *testing.T) {
	t.Parallel()
	modules := nodeModules(t)
	srv := oauthtest.Start(t, dbtest.SQLite(t), nil)
	out := node(t, modules, nil, "oauth_client.mjs", srv.URL, oauthtest.SessionCookie+"=alice")
	var seen struct {
		Authorize struct {
			Path                string `json:"path"`
			CodeChallengeMethod string `json:"code_challenge_method"`
			HasChallenge        bool   `json:"has_challenge"`
			Resource            string `json:"resource"`
			Scope               string `json:"scope"`
		} `json:"authorize"`
		AuthorizeURLs []string `json:"authorizeURLs"`
		TokenRequests []string `json:"tokenRequests"`
		ClientID      string   `json:"clientID"`
		Tools         int      `json:"tools"`
		ListsCreate   bool     `json:"listsCreate"`
		Verification  string   `json:"verification"`
		GotMode       string   `json:"gotMode"`
		AfterRefresh  bool     `json:"afterRefresh"`
		Rotated       bool     `json:"rotated"`
		Reuse         struct {
			Status int
			Error  string
		} `json:"reuse"`
		AfterReuse struct {
			Status    int
			Challenge string
		} `json:"afterReuse"`
		CurrentRefreshAfterReuse string `json:"currentRefreshAfterReuse"`
		Reauthorized             bool   `json:"reauthorized"`
		Revoke                   int    `json:"revoke"`
		AfterRevoke              string `json:"afterRevoke"`
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &seen), out)

	require.Equal(t, "/oauth/authorize", seen.Authorize.Path)
	require.Equal(t, "S256", seen.Authorize.CodeChallengeMethod)
	require.True(t, seen.Authorize.HasChallenge)
	require.Equal(t, srv.URL+"/mcp", seen.Authorize.Resource)                // RFC 8707, from the resource metadata
	require.Contains(t, seen.Authorize.Scope, "verifications:write")         // the 401's scope
	require.True(t, strings.HasPrefix(seen.ClientID, "oac_"), seen.ClientID) // registered dynamically
	require.True(t, seen.ListsCreate)
	require.Positive(t, seen.Tools)
	require.NotEmpty(t, seen.Verification)
	require.Equal(t, "test", seen.GotMode) // the consent's mode
	require.True(t, seen.AfterRefresh)
	require.True(t, seen.Rotated)
	require.Contains(t, seen.TokenRequests, "refresh_token") // the SDK refreshed by itself
	require.Equal(t, 400, seen.Reuse.Status)
	require.Equal(t, "invalid_grant", seen.Reuse.Error)
	require.Equal(t, 401, seen.AfterReuse.Status) // reuse killed the newest access token too
	require.Contains(t, seen.AfterReuse.Challenge, `error="invalid_token"`)
	require.Equal(t, "invalid_grant", seen.CurrentRefreshAfterReuse)
	require.True(t, seen.Reauthorized)
	require.Equal(t, 200, seen.Revoke)
	require.Contains(t, seen.AfterRevoke, "reauthorization requested") // the revoked grant sends the SDK back to consent
	require.Len(t, seen.AuthorizeURLs, 3)

	// The grant list shows the SDK's client, with the last use; the revoked grants are gone.
	var grants struct {
		Data []struct {
			ClientName string `json:"client_name"`
		} `json:"data"`
	}
	admin := srv.Operators["alice"].Caller
	require.Nil(t, srv.Env.Call(t, admin, "list_oauth_grants", map[string]any{}, &grants))
	require.Empty(t, grants.Data)
}
