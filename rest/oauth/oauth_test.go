package oauth_test

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/oauthtest"
)

// client is an HTTP client that does not follow redirects: the test reads each Location.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type resp struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, u, cookie, bearer, contentType, body string) resp {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	require.NoError(t, err)
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: oauthtest.SessionCookie, Value: cookie})
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if strings.HasSuffix(u, "/mcp") {
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", "2026-07-28")
		if m := regexp.MustCompile(`"method":"([^"]+)","params":\{"name":"([^"]+)"`).FindStringSubmatch(body); m != nil {
			req.Header.Set("Mcp-Method", m[1])
			req.Header.Set("Mcp-Name", m[2])
		}
	}
	res, err := client.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return resp{res.StatusCode, res.Header, string(b)}
}

const form = "application/x-www-form-urlencoded"

// hidden reads the consent form's fields.
func hidden(t *testing.T, page string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	return v
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">", "&#x2F;", "/").Replace(s)
}

func TestOAuthEndpoints(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		srv := oauthtest.Start(t, s, nil)
		base := srv.URL

		// Discovery: the 401 of every surface names the resource metadata.
		for _, path := range []string{"/mcp", "/rpc", "/api/v1/verifications"} {
			method := http.MethodPost
			if strings.HasPrefix(path, "/api") {
				method = http.MethodGet
			}
			r := do(t, method, base+path, "", "", "application/json", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
			require.Equal(t, 401, r.status, path)
			require.Contains(t, r.header.Get("WWW-Authenticate"), `Bearer resource_metadata="`+base+`/.well-known/oauth-protected-resource/mcp"`, path)
			require.Contains(t, r.header.Get("WWW-Authenticate"), `scope="verifications:read`, path)
		}
		r := do(t, "GET", base+"/.well-known/oauth-protected-resource/mcp", "", "", "", "")
		require.Equal(t, 200, r.status)
		var prm map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.body), &prm))
		require.Equal(t, base+"/mcp", prm["resource"])
		require.Equal(t, []any{base}, prm["authorization_servers"])
		r = do(t, "GET", base+"/.well-known/oauth-protected-resource", "", "", "", "")
		require.NoError(t, json.Unmarshal([]byte(r.body), &prm))
		require.Equal(t, base, prm["resource"])
		r = do(t, "GET", base+"/.well-known/oauth-authorization-server", "", "", "", "")
		var asm map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.body), &asm))
		require.Equal(t, base, asm["issuer"])
		require.Equal(t, []any{"S256"}, asm["code_challenge_methods_supported"])
		require.Equal(t, true, asm["client_id_metadata_document_supported"])
		r = do(t, "GET", asm["jwks_uri"].(string), "", "", "", "")
		require.Equal(t, 200, r.status)
		require.Contains(t, r.body, `"kty":"EC"`)
		require.NotContains(t, r.body, `"d":`) // never the private part

		// Registration (RFC 7591).
		r = do(t, "POST", asm["registration_endpoint"].(string), "", "", "application/json",
			`{"client_name":"Agent <b>X</b>","redirect_uris":["http://127.0.0.1:33333/callback"],"token_endpoint_auth_method":"client_secret_basic"}`)
		require.Equal(t, 201, r.status, r.body)
		var reg map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.body), &reg))
		clientID := reg["client_id"].(string)
		require.Equal(t, "none", reg["token_endpoint_auth_method"])

		verifier := rand.Text() + rand.Text()
		sum := sha256.Sum256([]byte(verifier))
		q := url.Values{"client_id": {clientID}, "redirect_uri": {"http://127.0.0.1:44444/callback"}, "response_type": {"code"},
			"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
			"state": {"st-1"}, "resource": {base + "/mcp"}, "scope": {"verifications:read verifications:write review"}}
		authURL := base + "/oauth/authorize?" + q.Encode()

		// Not signed in: to the sign-in page, which brings the operator back.
		r = do(t, "GET", authURL, "", "", "", "")
		require.Equal(t, 303, r.status)
		loc, _ := url.Parse(r.header.Get("Location"))
		require.Equal(t, "/dashboard/login", loc.Path)
		require.Equal(t, "/oauth/authorize?"+q.Encode(), loc.Query().Get("next"))

		// A redirect URI the client did not register is never redirected to.
		bad := strings.Replace(authURL, "127.0.0.1%3A44444", "evil.example", 1)
		r = do(t, "GET", bad, "alice", "", "", "")
		require.Equal(t, 400, r.status)
		require.Empty(t, r.header.Get("Location"))

		// The consent page: client name (escaped), redirect host, test preselected, not frameable.
		r = do(t, "GET", authURL, "alice", "", "", "")
		require.Equal(t, 200, r.status, r.body)
		require.Contains(t, r.body, "Agent &lt;b&gt;X&lt;/b&gt;")
		require.Contains(t, r.body, "http://127.0.0.1:44444")
		require.Contains(t, r.body, `value="test" checked`)
		require.Equal(t, "DENY", r.header.Get("X-Frame-Options"))
		fields := hidden(t, r.body)
		require.Equal(t, "csrf-alice", fields.Get("csrf"))

		// Without the session's CSRF token: refused.
		post := func(cookie string, f url.Values) resp {
			return do(t, "POST", base+"/oauth/authorize", cookie, "", form, f.Encode())
		}
		f := url.Values{}
		for k, v := range fields {
			f[k] = v
		}
		f.Set("account", "acct_a")
		f.Set("mode", "test")
		f["scope_choice"] = []string{"verifications:read", "verifications:write"}
		f.Set("action", "approve")
		forged := url.Values{}
		for k, v := range f {
			forged[k] = v
		}
		forged.Set("csrf", "guess")
		require.Equal(t, 403, post("alice", forged).status)
		// Another operator's session with alice's form: refused too.
		require.Equal(t, 403, post("viola", f).status)
		// Not one of the operator's accounts, or a scope not offered.
		other := url.Values{}
		for k, v := range f {
			other[k] = v
		}
		other.Set("account", "acct_b")
		require.Equal(t, 422, post("alice", other).status)
		other.Set("account", "acct_a")
		other["scope_choice"] = []string{"webhooks:write"}
		require.Equal(t, 400, post("alice", other).status)

		// Deny: back to the client with access_denied and the state.
		deny := url.Values{}
		for k, v := range f {
			deny[k] = v
		}
		deny.Set("action", "deny")
		r = post("alice", deny)
		require.Equal(t, 303, r.status)
		loc, _ = url.Parse(r.header.Get("Location"))
		require.Equal(t, "access_denied", loc.Query().Get("error"))
		require.Equal(t, "st-1", loc.Query().Get("state"))

		// Approve: back with a code, the state and the issuer (RFC 9207).
		r = post("alice", f)
		require.Equal(t, 303, r.status, r.body)
		loc, _ = url.Parse(r.header.Get("Location"))
		require.Equal(t, "127.0.0.1:44444", loc.Host)
		require.Equal(t, "st-1", loc.Query().Get("state"))
		require.Equal(t, base, loc.Query().Get("iss"))
		code := loc.Query().Get("code")
		require.NotEmpty(t, code)

		tok := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {clientID},
			"redirect_uri": {"http://127.0.0.1:44444/callback"}, "code_verifier": {verifier}, "resource": {base + "/mcp"}}
		r = do(t, "POST", base+"/oauth/token", "", "", form, tok.Encode())
		require.Equal(t, 200, r.status, r.body)
		require.Equal(t, "no-store", r.header.Get("Cache-Control"))
		var tr struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
			Scope        string `json:"scope"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.body), &tr))
		require.Equal(t, "verifications:read verifications:write", tr.Scope)

		// The token works on MCP, REST and JSON-RPC.
		call := func(name string) resp {
			return do(t, "POST", base+"/mcp", "", tr.AccessToken, "application/json",
				`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"`+name+`","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}`)
		}
		r = call("list_verifications")
		require.Equal(t, 200, r.status, r.body)
		require.NotContains(t, r.body, `"isError":true`)
		require.Equal(t, 200, do(t, "GET", base+"/api/v1/verifications", "", tr.AccessToken, "", "").status)
		r = do(t, "POST", base+"/rpc", "", tr.AccessToken, "application/json", `{"jsonrpc":"2.0","id":1,"method":"list_verifications","params":{}}`)
		require.Equal(t, 200, r.status)
		require.NotContains(t, r.body, `"error"`)
		// A tool beyond the granted scopes: 403 insufficient_scope with the scope to ask for.
		r = call("list_applicants")
		require.Equal(t, 403, r.status, r.body)
		require.Contains(t, r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`)
		require.Contains(t, r.header.Get("WWW-Authenticate"), `applicants:read`)
		r = do(t, "GET", base+"/api/v1/applicants", "", tr.AccessToken, "", "")
		require.Equal(t, 403, r.status)
		require.Contains(t, r.header.Get("WWW-Authenticate"), `error="insufficient_scope"`)

		// A viewer can grant only what their role holds.
		r = do(t, "GET", authURL, "viola", "", "", "")
		require.Equal(t, 200, r.status)
		require.Contains(t, r.body, `value="verifications:read"`)
		require.NotContains(t, r.body, `value="verifications:write"`)

		// Revocation (RFC 7009) of the refresh token ends the access token too.
		r = do(t, "POST", base+"/oauth/revoke", "", "", form, url.Values{"token": {tr.RefreshToken}, "client_id": {clientID}}.Encode())
		require.Equal(t, 200, r.status, r.body)
		r = call("list_verifications")
		require.Equal(t, 401, r.status)
		require.Contains(t, r.header.Get("WWW-Authenticate"), `error="invalid_token"`)
		r = do(t, "POST", base+"/oauth/revoke", "", "", form, url.Values{"token": {"kyr_unknown"}}.Encode())
		require.Equal(t, 200, r.status) // unknown tokens: 200, nothing learned
	})
}
