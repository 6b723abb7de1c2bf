package oauth_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/oauthtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/webhook"
)

// An operator who holds roles in several accounts picks one on the consent page; the token
// maps to exactly that account (its objects, nobody else's), with at most their role's scopes
// there; losing the role revokes the grants given for it.
func TestOAuthConsentAccounts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		srv := oauthtest.Start(t, s, nil)
		base := srv.URL
		ctx := context.Background()
		// alice is admin of acct_a (her own), viewer of acct_b and admin of acct_c.
		for _, a := range []string{"acct_b", "acct_c"} {
			require.NoError(t, s.EnsureAccount(ctx, a, a))
		}
		require.NoError(t, s.SetAccountMembership(ctx, &db.AccountMembership{UserID: "usr_alice", AccountID: "acct_b", Role: "viewer"}))
		require.NoError(t, s.SetAccountMembership(ctx, &db.AccountMembership{UserID: "usr_alice", AccountID: "acct_c", Role: "admin"}))

		r := do(t, "POST", base+"/oauth/register", "", "", "application/json", `{"client_name":"Agent","redirect_uris":["http://127.0.0.1:44444/callback"]}`)
		require.Equal(t, 201, r.status, r.body)
		var reg struct {
			ClientID string `json:"client_id"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.body), &reg))
		verifier := rand.Text() + rand.Text()
		sum := sha256.Sum256([]byte(verifier))
		q := url.Values{"client_id": {reg.ClientID}, "redirect_uri": {"http://127.0.0.1:44444/callback"}, "response_type": {"code"},
			"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
			"state": {"st"}, "resource": {base + "/mcp"}, "scope": {"verifications:read verifications:write"}}

		r = do(t, "GET", base+"/oauth/authorize?"+q.Encode(), "alice", "", "", "")
		require.Equal(t, 200, r.status, r.body)
		require.Contains(t, r.body, `<option value="acct_a" selected>acct_a (admin)</option>`) // her own account first, preselected
		require.Contains(t, r.body, `<option value="acct_b">acct_b (viewer)</option>`)
		require.Contains(t, r.body, `<option value="acct_c">acct_c (admin)</option>`)
		// viola holds no further account: only her own.
		rv := do(t, "GET", base+"/oauth/authorize?"+q.Encode(), "viola", "", "", "")
		require.Equal(t, 200, rv.status)
		require.NotContains(t, rv.body, "acct_b")

		f := hidden(t, r.body)
		f.Set("mode", "test")
		f["scope_choice"] = []string{"verifications:read", "verifications:write"}
		f.Set("action", "approve")
		post := func(account string) resp {
			f.Set("account", account)
			return do(t, "POST", base+"/oauth/authorize", "alice", "", form, f.Encode())
		}
		// Her role in acct_b does not include writing: the page says so and keeps her choices.
		r = post("acct_b")
		require.Equal(t, 422, r.status)
		require.Contains(t, r.body, "Your role in acct_b (viewer) does not include verifications:write")
		require.Contains(t, r.body, `<option value="acct_b" selected>`)
		// An account she holds no role in.
		r = post("acct_d")
		require.Equal(t, 422, r.status)
		require.Contains(t, r.body, "Choose one of your accounts.")
		// acct_c: approved; the token is acct_c's.
		r = post("acct_c")
		require.Equal(t, 303, r.status, r.body)
		loc, _ := url.Parse(r.header.Get("Location"))
		tok := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "client_id": {reg.ClientID},
			"redirect_uri": {"http://127.0.0.1:44444/callback"}, "code_verifier": {verifier}}
		r = do(t, "POST", base+"/oauth/token", "", "", form, tok.Encode())
		require.Equal(t, 200, r.status, r.body)
		var tr struct {
			AccessToken string `json:"access_token"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.body), &tr))
		payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tr.AccessToken, ".")[1])
		require.NoError(t, err)
		var claims map[string]any
		require.NoError(t, json.Unmarshal(payload, &claims))
		require.Equal(t, "acct_c", claims["kycd_account"])
		require.Equal(t, "test", claims["kycd_mode"])

		// What the token creates belongs to acct_c: acct_c's key sees it, acct_a's does not.
		r = do(t, "POST", base+"/api/v1/verifications", "", tr.AccessToken, "application/json", `{"checks":["document"]}`)
		require.Contains(t, []int{200, 201}, r.status, r.body)
		var v struct {
			ID string `json:"id"`
		}
		require.NoError(t, json.Unmarshal([]byte(r.body), &v))
		require.NotEmpty(t, v.ID)
		inC := srv.Env.Key(t, "acct_c", models.ModeTest, "")
		require.Nil(t, srv.Env.Call(t, inC, "get_verification", map[string]any{"id": v.ID}, nil))
		te := srv.Env.Call(t, srv.Env.Test, "get_verification", map[string]any{"id": v.ID}, nil) // acct_a
		require.NotNil(t, te)
		require.Equal(t, tools.CodeNotFound, te.Code)

		// Her role in acct_c ends: the grant dies with it, and so does a code not yet exchanged.
		r = post("acct_c")
		require.Equal(t, 303, r.status, r.body)
		loc, _ = url.Parse(r.header.Get("Location"))
		require.NoError(t, s.DeleteAccountMembership(ctx, "usr_alice", "acct_c"))
		r = do(t, "GET", base+"/api/v1/verifications", "", tr.AccessToken, "", "")
		require.Equal(t, 401, r.status)
		tok.Set("code", loc.Query().Get("code"))
		r = do(t, "POST", base+"/oauth/token", "", "", form, tok.Encode())
		require.Equal(t, 400, r.status, r.body)
		require.Contains(t, r.body, "invalid_grant")
		r = do(t, "GET", base+"/oauth/authorize?"+q.Encode(), "alice", "", "", "")
		require.NotContains(t, r.body, "acct_c")
	})
}

// Registration over HTTP: 429 with Retry-After and an OAuth error body, per client IP; the same
// for metadata documents fetched for the authorization page.
func TestOAuthRegistrationRateLimit(t *testing.T) {
	t.Parallel()
	var docURL string
	docs := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"client_id": docURL + r.URL.Path, "client_name": "Hosted agent",
			"redirect_uris": []string{"https://agent.example/callback"}})
	}))
	defer docs.Close()
	docURL = docs.URL
	srv := oauthtest.Start(t, dbtest.SQLite(t), func(o *tools.OAuth) {
		o.Limits = tools.RegistrationLimits{PerIP: 3, Global: 100, Window: 10 * time.Minute}
		o.FetchPolicy, o.FetchClient = webhook.Policy{AllowPrivate: true}, docs.Client()
	})
	body := `{"client_name":"Agent","redirect_uris":["http://127.0.0.1:44444/callback"]}`
	for range 3 {
		r := do(t, "POST", srv.URL+"/oauth/register", "", "", "application/json", body)
		require.Equal(t, 201, r.status, r.body)
	}
	r := do(t, "POST", srv.URL+"/oauth/register", "", "", "application/json", body)
	require.Equal(t, 429, r.status, r.body)
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err)
	require.True(t, secs > 0 && secs <= 600, secs)
	require.Equal(t, "application/json", r.header.Get("Content-Type"))
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &e))
	require.Equal(t, "temporarily_unavailable", e.Error)
	require.Contains(t, e.Description, "too many client registrations from your address (at most 3 per 10m0s)")

	// Metadata documents have a budget of their own: three fetches, then the page says 429.
	authorize := func(doc string) resp {
		q := url.Values{"client_id": {docURL + doc}, "response_type": {"code"}, "code_challenge": {strings.Repeat("a", 43)},
			"code_challenge_method": {"S256"}}
		return do(t, "GET", srv.URL+"/oauth/authorize?"+q.Encode(), "alice", "", "", "")
	}
	for _, doc := range []string{"/a.json", "/b.json", "/c.json", "/a.json"} { // the last one is cached
		r := authorize(doc)
		require.Equal(t, 200, r.status, r.body)
		require.Contains(t, r.body, "Hosted agent")
	}
	r = authorize("/d.json")
	require.Equal(t, 429, r.status, r.body)
	require.NotEmpty(t, r.header.Get("Retry-After"))
	require.Contains(t, r.body, "too many client metadata document fetches from your address")
}
