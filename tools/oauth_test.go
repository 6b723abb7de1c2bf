package tools_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/webhook"
)

const oauthPublicURL = "https://kyc.example.test"

// oauthEnv is a registry with the built-in authorization server on.
func oauthEnv(t *testing.T, s *db.Store) (*tooltest.Env, *tools.OAuth) {
	t.Helper()
	o := &tools.OAuth{Mode: tools.OAuthBuiltin, PublicURL: oauthPublicURL, DynamicRegistration: true, ClientMetadataDocuments: true}
	e := tooltest.New(t, s, engines(), func(_ *jobs.Options, d *tools.Deps) { d.OAuth = o })
	require.NoError(t, o.Start(context.Background(), e.Reg.Deps()))
	return e, o
}

// pkce returns a verifier and its S256 challenge.
func pkce() (string, string) {
	v := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(v))
	return v, base64.RawURLEncoding.EncodeToString(sum[:])
}

// grantTokens runs the whole built-in flow in process: registration, authorization request,
// consent of account/mode/scopes, code exchange.
func grantTokens(t *testing.T, e *tooltest.Env, o *tools.OAuth, account string, mode models.Mode, scopes ...tools.Scope) *tools.TokenResponse {
	t.Helper()
	ctx := context.Background()
	d := e.Reg.Deps()
	reg, oerr := o.RegisterClient(ctx, d, []byte(`{"client_name":"Test agent","redirect_uris":["http://127.0.0.1:9/cb"]}`), "")
	require.Nil(t, oerr)
	clientID := reg["client_id"].(string)
	verifier, challenge := pkce()
	ar := tools.AuthorizeRequest{ClientID: clientID, RedirectURI: "http://127.0.0.1:5555/cb", ResponseType: "code",
		CodeChallenge: challenge, CodeChallengeMethod: "S256", Resource: oauthPublicURL + "/mcp"}
	ca, _, oerr := o.CheckAuthorize(ctx, d, ar)
	require.Nil(t, oerr) // a loopback redirect on another port is the same redirect (RFC 8252)
	code, err := o.IssueCode(ctx, d, ar, ca, tools.Consent{UserID: "usr_1", AccountID: account, Mode: mode, Scopes: scopes})
	require.NoError(t, err)
	tr, oerr := o.Token(ctx, d, tools.TokenRequest{GrantType: "authorization_code", Code: code, ClientID: clientID,
		CodeVerifier: verifier, RedirectURI: ar.RedirectURI})
	require.Nil(t, oerr)
	return tr
}

func authErr(t *testing.T, d *tools.Deps, token string) *tools.Error {
	t.Helper()
	_, err := tools.Authenticate(context.Background(), d, token)
	require.Error(t, err)
	te := tools.AsError(err)
	require.NotNil(t, te, "%v", err)
	return te
}

func TestOAuthAccessTokens(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		e, o := oauthEnv(t, s)
		d := e.Reg.Deps()
		tr := grantTokens(t, e, o, "acct_a", models.ModeTest, tools.ScopeVerificationsRead, tools.ScopeVerificationsWrite)
		require.Equal(t, "Bearer", tr.TokenType)
		require.Equal(t, "verifications:read verifications:write", tr.Scope)

		// A valid token is one account, one mode, its scopes.
		c, err := tools.Authenticate(ctx, d, tr.AccessToken)
		require.NoError(t, err)
		require.Equal(t, "acct_a", c.AccountID)
		require.Equal(t, models.ModeTest, c.Mode)
		require.ElementsMatch(t, []tools.Scope{tools.ScopeVerificationsRead, tools.ScopeVerificationsWrite}, c.Scopes)
		require.True(t, c.IsOAuth())
		require.NotEmpty(t, c.GrantID)
		require.Equal(t, c.GrantID, c.KeyID) // rate limits count per grant

		// API keys keep working beside tokens.
		_, err = tools.Authenticate(ctx, d, "sk_test_unknownunknownunknownunknown")
		require.Contains(t, tools.AsError(err).Challenge, `resource_metadata="`+oauthPublicURL+`/.well-known/oauth-protected-resource/mcp"`)

		// Account A's token on account B's verification: not found, as for a key.
		var vb tools.Verification
		require.Nil(t, e.Call(t, e.OtherAccount, "create_verification", map[string]any{"checks": []string{"document"}}, &vb))
		terr := e.Call(t, c, "get_verification", map[string]any{"id": vb.ID}, nil)
		require.NotNil(t, terr)
		require.Equal(t, tools.CodeNotFound, terr.Code)
		var va tools.Verification
		require.Nil(t, e.Call(t, c, "create_verification", map[string]any{"checks": []string{"document"}}, &va))
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": va.ID}, nil)) // account A, test mode
		require.NotNil(t, e.Call(t, e.Live, "get_verification", map[string]any{"id": va.ID}, nil))

		// A tool outside the token's scopes: 403 with the step-up challenge.
		terr = e.Call(t, c, "list_applicants", map[string]any{}, nil)
		require.NotNil(t, terr)
		require.Equal(t, tools.CodePermissionDenied, terr.Code)
		require.Contains(t, terr.Challenge, `error="insufficient_scope"`)
		require.Contains(t, terr.Challenge, `scope="verifications:read verifications:write applicants:read"`)

		now := time.Now()
		good := jwt.MapClaims{"iss": oauthPublicURL, "sub": "usr_1", "aud": oauthPublicURL + "/mcp", "exp": now.Add(time.Minute).Unix(),
			"iat": now.Unix(), "client_id": c.OAuthClientID, "scope": "verifications:read", "kycd_account": "acct_a",
			"kycd_mode": "test", "kycd_grant": c.GrantID}
		with := func(k string, v any) jwt.MapClaims {
			m := jwt.MapClaims{}
			for n, x := range good {
				m[n] = x
			}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		sign := func(claims jwt.MapClaims, header map[string]any) string {
			tok, err := o.SignForTest(ctx, d, claims, header)
			require.NoError(t, err)
			return tok
		}
		// The baseline forged with the real key passes: the cases below fail for their one change.
		_, err = tools.Authenticate(ctx, d, sign(good, nil))
		require.NoError(t, err)

		// Another key of the same curve (a foreign server) — the public key's HMAC — alg none.
		other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		foreign := jwt.NewWithClaims(jwt.SigningMethodES256, good)
		foreign.Header["typ"] = "at+jwt"
		foreignTok, err := foreign.SignedString(other)
		require.NoError(t, err)
		jwks, err := o.JWKS(ctx, d)
		require.NoError(t, err)
		var set struct {
			Keys []struct {
				Kid  string `json:"kid"`
				X, Y string
			} `json:"keys"`
		}
		require.NoError(t, json.Unmarshal(jwks, &set))
		require.NotEmpty(t, set.Keys)
		x, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].X)
		y, _ := base64.RawURLEncoding.DecodeString(set.Keys[0].Y)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		require.NoError(t, err)
		pubDER, err := x509.MarshalPKIXPublicKey(pub)
		require.NoError(t, err)
		hs := jwt.NewWithClaims(jwt.SigningMethodHS256, good)
		hs.Header["kid"], hs.Header["typ"] = set.Keys[0].Kid, "at+jwt"
		hsTok, err := hs.SignedString(pubDER)
		require.NoError(t, err)
		none := jwt.NewWithClaims(jwt.SigningMethodNone, good)
		none.Header["kid"], none.Header["typ"] = set.Keys[0].Kid, "at+jwt"
		noneTok, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
		require.NoError(t, err)

		for name, tc := range map[string]struct{ token, want string }{
			"wrong audience":            {sign(with("aud", "https://other.example/mcp"), nil), "audience"},
			"no audience":               {sign(with("aud", nil), nil), "missing"},
			"expired":                   {sign(with("exp", now.Add(-time.Hour).Unix()), nil), "expired"},
			"no expiry":                 {sign(with("exp", nil), nil), "missing"},
			"other issuer":              {sign(with("iss", "https://evil.example"), nil), "another authorization server"},
			"not an access token":       {sign(good, map[string]any{"typ": "JWT"}), "at+jwt"},
			"unknown kid":               {sign(good, map[string]any{"kid": "osk_nope"}), "signature"},
			"foreign key":               {foreignTok, "signature"},
			"HS256 with the public key": {hsTok, "signature"},
			"alg none":                  {noneTok, "signature"},
			"revoked grant":             {sign(with("kycd_grant", "ogr_unknown"), nil), "revoked"},
			"other account":             {sign(with("kycd_account", "acct_b"), nil), "revoked"},
			"other mode":                {sign(with("kycd_mode", "live"), nil), "revoked"},
			"garbage":                   {"a.b.c", "malformed"},
		} {
			te := authErr(t, d, tc.token)
			require.Equal(t, tools.CodeUnauthenticated, te.Code, name)
			require.Contains(t, te.Message, tc.want, name)
			require.Contains(t, te.Challenge, `error="invalid_token"`, name)
		}

		// What outlives a request (a WebSocket, a stdio session) ends with the token's expiry: a
		// token 10 s past it still authenticates (30 s leeway for clock skew) but is not still valid.
		late, err := tools.Authenticate(ctx, d, sign(with("exp", now.Add(-10*time.Second).Unix()), nil))
		require.NoError(t, err)
		require.Equal(t, tools.CodeUnauthenticated, tools.StillValid(ctx, d, late).Code)
		require.Nil(t, tools.StillValid(ctx, d, c))

		// Revoking the grant (the dashboard's tool) ends the token at once.
		// The grant tools are the dashboard's: an admin operator's caller holds keys:*.
		admin := tools.Caller{KeyID: "usr_admin", AccountID: "acct_a", Mode: models.ModeTest, Scopes: []tools.Scope{tools.ScopeKeysRead, tools.ScopeKeysWrite}}
		otherAdmin := admin
		otherAdmin.AccountID = "acct_b"
		var grants tools.OAuthGrantList
		require.Nil(t, e.Call(t, admin, "list_oauth_grants", map[string]any{}, &grants))
		require.Len(t, grants.Data, 1)
		require.Equal(t, "Test agent", grants.Data[0].ClientName)
		require.Nil(t, e.Call(t, otherAdmin, "list_oauth_grants", map[string]any{}, &grants))
		require.Empty(t, grants.Data)
		require.Equal(t, tools.CodeNotFound, e.Call(t, otherAdmin, "revoke_oauth_grant", map[string]any{"id": c.GrantID}, nil).Code)
		require.Nil(t, e.Call(t, admin, "revoke_oauth_grant", map[string]any{"id": c.GrantID}, nil))
		require.Contains(t, authErr(t, d, tr.AccessToken).Message, "revoked")
		require.Equal(t, tools.CodeUnauthenticated, tools.StillValid(ctx, d, c).Code)
		_, oerr := o.Token(ctx, d, tools.TokenRequest{GrantType: "refresh_token", RefreshToken: tr.RefreshToken, ClientID: c.OAuthClientID})
		require.NotNil(t, oerr)
		require.Equal(t, "invalid_grant", oerr.Code)
	})
}

func TestOAuthRefreshRotationAndReuse(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		e, o := oauthEnv(t, s)
		d := e.Reg.Deps()
		first := grantTokens(t, e, o, "acct_a", models.ModeLive, tools.ScopeVerificationsRead)
		c, err := tools.Authenticate(ctx, d, first.AccessToken)
		require.NoError(t, err)
		require.Equal(t, models.ModeLive, c.Mode)

		// Another client cannot use the refresh token.
		_, oerr := o.Token(ctx, d, tools.TokenRequest{GrantType: "refresh_token", RefreshToken: first.RefreshToken, ClientID: "oac_other"})
		require.Equal(t, "invalid_grant", oerr.Code)
		// Refresh rotates: a new refresh token, a new access token.
		second, oerr := o.Token(ctx, d, tools.TokenRequest{GrantType: "refresh_token", RefreshToken: first.RefreshToken, ClientID: c.OAuthClientID})
		require.Nil(t, oerr)
		require.NotEqual(t, first.RefreshToken, second.RefreshToken)
		_, err = tools.Authenticate(ctx, d, second.AccessToken)
		require.NoError(t, err)
		// A scope that was not granted cannot be had by refreshing.
		_, oerr = o.Token(ctx, d, tools.TokenRequest{GrantType: "refresh_token", RefreshToken: second.RefreshToken, ClientID: c.OAuthClientID, Scope: "review"})
		require.Equal(t, "invalid_scope", oerr.Code)
		// The spent refresh token again: reuse — the grant dies with every token.
		_, oerr = o.Token(ctx, d, tools.TokenRequest{GrantType: "refresh_token", RefreshToken: first.RefreshToken, ClientID: c.OAuthClientID})
		require.Equal(t, "invalid_grant", oerr.Code)
		require.Contains(t, oerr.Description, "already used")
		require.Contains(t, authErr(t, d, second.AccessToken).Message, "revoked")
		_, oerr = o.Token(ctx, d, tools.TokenRequest{GrantType: "refresh_token", RefreshToken: second.RefreshToken, ClientID: c.OAuthClientID})
		require.Equal(t, "invalid_grant", oerr.Code)
	})
}

func TestOAuthCodeRules(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	ctx := context.Background()
	e, o := oauthEnv(t, s)
	d := e.Reg.Deps()
	reg, oerr := o.RegisterClient(ctx, d, []byte(`{"client_name":"x","redirect_uris":["https://app.example/cb"]}`), "")
	require.Nil(t, oerr)
	id := reg["client_id"].(string)
	verifier, challenge := pkce()
	ar := tools.AuthorizeRequest{ClientID: id, RedirectURI: "https://app.example/cb", ResponseType: "code", CodeChallenge: challenge, CodeChallengeMethod: "S256"}

	for name, mut := range map[string]func(a *tools.AuthorizeRequest){
		"plain PKCE":        func(a *tools.AuthorizeRequest) { a.CodeChallengeMethod = "plain" },
		"no PKCE":           func(a *tools.AuthorizeRequest) { a.CodeChallenge, a.CodeChallengeMethod = "", "" },
		"other redirect":    func(a *tools.AuthorizeRequest) { a.RedirectURI = "https://app.example/cb2" },
		"redirect prefix":   func(a *tools.AuthorizeRequest) { a.RedirectURI = "https://app.example/cb/../evil" },
		"token flow":        func(a *tools.AuthorizeRequest) { a.ResponseType = "token" },
		"other resource":    func(a *tools.AuthorizeRequest) { a.Resource = "https://other.example/mcp" },
		"unknown scope":     func(a *tools.AuthorizeRequest) { a.Scope = "users:admin" },
		"unknown client id": func(a *tools.AuthorizeRequest) { a.ClientID = "oac_nope" },
	} {
		a := ar
		mut(&a)
		_, _, oerr := o.CheckAuthorize(ctx, d, a)
		require.NotNil(t, oerr, name)
	}
	// Registration refuses redirect URIs an attacker could use.
	for _, bad := range []string{`"http://app.example/cb"`, `"https://app.example/cb#frag"`, `"javascript:alert(1)"`, `"myapp:/cb"`} {
		_, oerr := o.RegisterClient(ctx, d, []byte(`{"redirect_uris":[`+bad+`]}`), "")
		require.NotNil(t, oerr, bad)
		require.Equal(t, "invalid_redirect_uri", oerr.Code)
	}

	ca, _, oerr := o.CheckAuthorize(ctx, d, ar)
	require.Nil(t, oerr)
	code, err := o.IssueCode(ctx, d, ar, ca, tools.Consent{UserID: "usr_1", AccountID: "acct_a", Mode: models.ModeTest, Scopes: []tools.Scope{tools.ScopeVerificationsRead}})
	require.NoError(t, err)
	tr := tools.TokenRequest{GrantType: "authorization_code", Code: code, ClientID: id, CodeVerifier: verifier, RedirectURI: ar.RedirectURI}
	wrong := tr
	wrong.CodeVerifier = strings.Repeat("a", 43)
	_, oerr = o.Token(ctx, d, wrong)
	require.Equal(t, "invalid_grant", oerr.Code)
	wrong = tr
	wrong.ClientID = "oac_other"
	_, oerr = o.Token(ctx, d, wrong)
	require.Equal(t, "invalid_grant", oerr.Code)
	ok, oerr := o.Token(ctx, d, tr)
	require.Nil(t, oerr)
	// The code a second time: refused, and the grant it made is revoked.
	_, oerr = o.Token(ctx, d, tr)
	require.Equal(t, "invalid_grant", oerr.Code)
	require.Contains(t, authErr(t, d, ok.AccessToken).Message, "revoked")
}

func TestOAuthClientMetadataDocuments(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	ctx := context.Background()
	e, o := oauthEnv(t, s)
	d := e.Reg.Deps()
	// The production policy refuses loopback, private, link-local and metadata addresses,
	// by literal and by name, before anything is fetched.
	for _, id := range []string{"https://127.0.0.1/client.json", "https://localhost/client.json", "https://10.1.2.3/client.json",
		"https://192.168.0.10/c", "https://[::1]/c", "https://169.254.169.254/latest/meta-data", "https://0x7f000001/c",
		"http://client.example.com/client.json", "https://client.example.com/"} {
		_, oerr := o.Client(ctx, d, id)
		require.NotNil(t, oerr, id)
		require.Equal(t, "invalid_client", oerr.Code, id)
	}

	// A metadata document on a server the (relaxed, test) policy allows is fetched and cached.
	var srvURL string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/client.json":
			_ = json.NewEncoder(w).Encode(map[string]any{"client_id": srvURL + "/client.json", "client_name": "Hosted agent",
				"redirect_uris": []string{"https://agent.example/callback"}, "token_endpoint_auth_method": "none"})
		case "/liar.json":
			_ = json.NewEncoder(w).Encode(map[string]any{"client_id": "https://elsewhere.example/client.json", "redirect_uris": []string{"https://agent.example/cb"}})
		}
	}))
	defer srv.Close()
	srvURL = srv.URL
	o2 := &tools.OAuth{Mode: tools.OAuthBuiltin, PublicURL: oauthPublicURL, ClientMetadataDocuments: true,
		FetchPolicy: webhook.Policy{AllowPrivate: true}, FetchClient: srv.Client()}
	c, oerr := o2.Client(ctx, d, srv.URL+"/client.json")
	require.Nil(t, oerr)
	require.Equal(t, "Hosted agent", c.Name)
	require.True(t, c.RedirectAllowed("https://agent.example/callback"))
	require.False(t, c.RedirectAllowed("https://agent.example/callback2"))
	_, oerr = o2.Client(ctx, d, srv.URL+"/liar.json")
	require.Equal(t, "invalid_client_metadata", oerr.Code)
	// Switched off: refused.
	o2.ClientMetadataDocuments = false
	_, oerr = o2.Client(ctx, d, srv.URL+"/client.json")
	require.Equal(t, "invalid_client", oerr.Code)
}

// Rotation without downtime: a new key signs, the old one keeps verifying (and stays in the
// JWKS) until its tokens have expired, then it is retired.
func TestOAuthSigningKeyRotation(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	ctx := context.Background()
	clock := time.Now()
	s.SetClock(func() time.Time { return clock })
	e, o := oauthEnv(t, s)
	d := e.Reg.Deps()
	kid := func(tok string) string {
		h, _, err := jwt.NewParser().ParseUnverified(tok, jwt.MapClaims{})
		require.NoError(t, err)
		return h.Header["kid"].(string)
	}
	keys := func() int {
		b, err := o.JWKS(ctx, d)
		require.NoError(t, err)
		var set struct{ Keys []any }
		require.NoError(t, json.Unmarshal(b, &set))
		return len(set.Keys)
	}
	require.Equal(t, 1, keys())

	// 31 days on, a token is issued with the old key; then the daily check makes a new key.
	clock = clock.Add(31 * 24 * time.Hour)
	s.SetClock(func() time.Time { return clock })
	before := grantTokens(t, e, o, "acct_a", models.ModeTest, tools.ScopeVerificationsRead)
	require.NoError(t, o.Start(ctx, d))
	require.Equal(t, 2, keys()) // both published
	after := grantTokens(t, e, o, "acct_a", models.ModeTest, tools.ScopeVerificationsRead)
	require.NotEqual(t, kid(before.AccessToken), kid(after.AccessToken))
	for _, tok := range []string{before.AccessToken, after.AccessToken} {
		_, err := tools.Authenticate(ctx, d, tok) // the old key's token keeps working: no downtime
		require.NoError(t, err)
	}

	// Past twice the access-token lifetime, the old key is retired from the JWKS.
	clock = clock.Add(time.Hour)
	s.SetClock(func() time.Time { return clock })
	require.NoError(t, o.Start(ctx, d))
	require.Equal(t, 1, keys())
	require.Contains(t, authErr(t, d, before.AccessToken).Message, "signature") // its key is gone
}
