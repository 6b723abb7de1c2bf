package tools_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// idp is a minimal OpenID provider: discovery and a JWKS, like Keycloak's realm endpoints.
type idp struct {
	srv *httptest.Server
	key *rsa.PrivateKey
}

func newIDP(t *testing.T) *idp {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	p := &idp{key: key}
	mux := http.NewServeMux()
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	mux.HandleFunc("/realms/kycd/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		iss := p.srv.URL + "/realms/kycd"
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": iss, "jwks_uri": iss + "/protocol/openid-connect/certs",
			"authorization_endpoint": iss + "/protocol/openid-connect/auth", "token_endpoint": iss + "/protocol/openid-connect/token",
			"id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/realms/kycd/protocol/openid-connect/certs", func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	return p
}

func (p *idp) issuer() string { return p.srv.URL + "/realms/kycd" }

func (p *idp) sign(t *testing.T, claims jwt.MapClaims, key *rsa.PrivateKey) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = "k1"
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

func TestOAuthExternalIdP(t *testing.T) {
	t.Parallel()
	p := newIDP(t)
	mapping := filepath.Join(t.TempDir(), "claims.json")
	require.NoError(t, os.WriteFile(mapping, []byte(`{"claim":"realm_access.roles","rules":[
		{"value":"kycd-test-agent","account":"acct_a","mode":"test","scopes":["verifications:read","verifications:write"]},
		{"value":"kycd-test-reader","account":"acct_a","mode":"test","scopes":["applicants:read"]},
		{"value":"kycd-live","account":"acct_a","mode":"live","scopes":["verifications:read"]}]}`), 0o600))
	x, err := tools.LoadExternalIdP(p.issuer(), mapping)
	require.NoError(t, err)
	o := &tools.OAuth{Mode: tools.OAuthExternal, PublicURL: oauthPublicURL, External: x}
	e := tooltest.New(t, dbtest.SQLite(t), engines(), func(_ *jobs.Options, d *tools.Deps) { d.OAuth = o })
	d := e.Reg.Deps()
	ctx := context.Background()
	require.NoError(t, o.Start(ctx, d))

	// The resource metadata names the external issuer.
	require.Equal(t, []string{p.issuer()}, o.ProtectedResourceMetadata(o.Resource())["authorization_servers"])

	now := time.Now()
	claims := func(roles ...string) jwt.MapClaims {
		r := make([]any, len(roles))
		for i, v := range roles {
			r[i] = v
		}
		return jwt.MapClaims{"iss": p.issuer(), "sub": "kc-user-1", "aud": []string{oauthPublicURL + "/mcp", "account"}, "azp": "claude",
			"exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(), "realm_access": map[string]any{"roles": r}}
	}
	c, err := tools.Authenticate(ctx, d, p.sign(t, claims("kycd-test-agent", "kycd-test-reader", "offline_access"), p.key))
	require.NoError(t, err)
	require.Equal(t, "acct_a", c.AccountID)
	require.Equal(t, models.ModeTest, c.Mode)
	require.ElementsMatch(t, []tools.Scope{tools.ScopeVerificationsRead, tools.ScopeVerificationsWrite, tools.ScopeApplicantsRead}, c.Scopes)
	require.Equal(t, "claude", c.OAuthClientID)
	require.Equal(t, "kc-user-1", c.OAuthSubject)
	require.Nil(t, e.Call(t, c, "list_verifications", map[string]any{}, nil))

	// The token's scope claim narrows what the mapping grants.
	narrowed := claims("kycd-test-agent")
	narrowed["scope"] = "openid verifications:read"
	c, err = tools.Authenticate(ctx, d, p.sign(t, narrowed, p.key))
	require.NoError(t, err)
	require.Equal(t, []tools.Scope{tools.ScopeVerificationsRead}, c.Scopes)

	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	with := func(k string, v any) jwt.MapClaims {
		m := claims("kycd-test-agent")
		m[k] = v
		return m
	}
	for name, tc := range map[string]struct {
		token string
		code  tools.Code
		want  string
	}{
		"wrong audience": {p.sign(t, with("aud", "https://other.example/mcp"), p.key), tools.CodeUnauthenticated, "audience"},
		"expired":        {p.sign(t, with("exp", now.Add(-time.Hour).Unix()), p.key), tools.CodeUnauthenticated, "expired"},
		"other issuer":   {p.sign(t, with("iss", "https://evil.example/realms/kycd"), p.key), tools.CodeUnauthenticated, "another authorization server"},
		"other key":      {p.sign(t, claims("kycd-test-agent"), other), tools.CodeUnauthenticated, "signature"},
		"no mapping":     {p.sign(t, claims("offline_access"), p.key), tools.CodePermissionDenied, "match no account"},
		"two modes":      {p.sign(t, claims("kycd-test-agent", "kycd-live"), p.key), tools.CodePermissionDenied, "exactly one"},
	} {
		te := authErr(t, d, tc.token)
		require.Equal(t, tc.code, te.Code, name)
		require.Contains(t, te.Message, tc.want, name)
	}
	// alg none never passes go-oidc.
	none := jwt.NewWithClaims(jwt.SigningMethodNone, claims("kycd-test-agent"))
	noneTok, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)
	require.Equal(t, tools.CodeUnauthenticated, authErr(t, d, noneTok).Code)

	// A mapping that cannot work is refused at start.
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"rules":[{"value":"x","account":"a","mode":"prod"}]}`), 0o600))
	_, err = tools.LoadExternalIdP(p.issuer(), bad)
	require.ErrorContains(t, err, "mode must be live or test")
}
