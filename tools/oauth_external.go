package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/kycd/kycd/models"
)

// ExternalIdP is an OpenID provider (Keycloak, Entra ID, Okta, Auth0, Zitadel) whose access
// tokens kycd accepts: found by OIDC discovery, its JWTs checked against its JWKS by go-oidc,
// and a claim of the token mapped to one account, mode and scopes by Rules.
type ExternalIdP struct {
	// Issuer is the provider's issuer URL (--oauth-issuer).
	Issuer string `json:"issuer"`
	// Audience is what the token's aud must contain ("" = the MCP endpoint's canonical URL).
	Audience string `json:"audience,omitempty"`
	// Claim is the claim whose values the rules match, a dotted path into nested objects
	// ("groups", "realm_access.roles", "resource_access.kycd.roles"); default "groups".
	Claim string `json:"claim,omitempty"`
	// Rules map claim values to an account, a mode and scopes. A token must match rules of
	// exactly one account and mode; the scopes of every matching rule add up.
	Rules []ClaimRule `json:"rules"`

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
}

// ClaimRule is one line of the claim mapping.
type ClaimRule struct {
	Value   string      `json:"value"`
	Account string      `json:"account"`
	Mode    models.Mode `json:"mode"`
	Scopes  []Scope     `json:"scopes"`
}

// LoadExternalIdP reads the claim mapping file (JSON: claim, audience, rules) for issuer.
func LoadExternalIdP(issuer, mappingFile string) (*ExternalIdP, error) {
	x := &ExternalIdP{}
	if mappingFile != "" {
		b, err := os.ReadFile(mappingFile)
		if err != nil {
			return nil, fmt.Errorf("oauth-claim-map: %w", err)
		}
		if err := json.Unmarshal(b, x); err != nil {
			return nil, fmt.Errorf("oauth-claim-map %s: %w", mappingFile, err)
		}
	}
	if issuer != "" {
		x.Issuer = issuer
	}
	if x.Issuer == "" {
		return nil, fmt.Errorf("oauth-issuer: required with --oauth=external")
	}
	return x, x.check()
}

func (x *ExternalIdP) check() error {
	if len(x.Rules) == 0 {
		return fmt.Errorf("oauth-claim-map: no rules; without them no token maps to an account")
	}
	for i, r := range x.Rules {
		if r.Value == "" || r.Account == "" {
			return fmt.Errorf("oauth-claim-map: rule %d needs value and account", i+1)
		}
		if r.Mode != models.ModeLive && r.Mode != models.ModeTest {
			return fmt.Errorf("oauth-claim-map: rule %d: mode must be live or test", i+1)
		}
		for _, s := range r.Scopes {
			if !slices.Contains(OAuthScopes(), s) {
				return fmt.Errorf("oauth-claim-map: rule %d: unknown scope %q", i+1, s)
			}
		}
	}
	return nil
}

// verifierFor discovers the provider once (retrying on failure at the next token).
func (x *ExternalIdP) verifierFor(ctx context.Context, audience string) (*oidc.IDTokenVerifier, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.verifier != nil {
		return x.verifier, nil
	}
	// Discovery and key fetches outlive this request: the key set is cached for later ones.
	p, err := oidc.NewProvider(context.WithoutCancel(ctx), x.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc discovery of %s: %w", x.Issuer, err)
	}
	x.verifier = p.Verifier(&oidc.Config{ClientID: audience,
		SupportedSigningAlgs: []string{oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512, oidc.PS256, oidc.EdDSA}})
	return x.verifier, nil
}

// verify checks an external access token (issuer, audience, expiry, signature by the
// provider's JWKS) and maps its claim to a caller.
func (x *ExternalIdP) verify(ctx context.Context, d *Deps, o *OAuth, token string) (Caller, error) {
	aud := x.Audience
	if aud == "" {
		aud = o.Resource()
	}
	v, err := x.verifierFor(ctx, aud)
	if err != nil {
		d.logger().ErrorContext(ctx, "oauth external", "err", err)
		return Caller{}, Errorf(CodeUnavailable, "", "cannot reach the identity provider to check the token; retry")
	}
	t, err := v.Verify(ctx, token)
	if err != nil {
		return Caller{}, Errorf(CodeUnauthenticated, "", "invalid access token: %s", oidcReason(err))
	}
	var claims map[string]any
	if err := t.Claims(&claims); err != nil {
		return Caller{}, Errorf(CodeUnauthenticated, "", "invalid access token: unreadable claims")
	}
	c, terr := x.mapClaims(claims)
	if terr != nil {
		return Caller{}, terr
	}
	c.OAuthSubject = t.Subject
	c.OAuthClientID, _ = claims["azp"].(string)
	if c.OAuthClientID == "" {
		c.OAuthClientID, _ = claims["client_id"].(string)
	}
	c.KeyID = "oidc:" + t.Subject
	c.tokenExpiry = t.Expiry
	return c, nil
}

func oidcReason(err error) string {
	var exp *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &exp):
		return "expired"
	case strings.Contains(msg, "audience"):
		return "issued for another resource (audience)"
	case strings.Contains(msg, "issued by a different provider"), strings.Contains(msg, "issuer"):
		return "issued by another authorization server"
	case strings.Contains(msg, "signature"), strings.Contains(msg, "signing algorithm"), strings.Contains(msg, "malformed"):
		return "signature not valid for the identity provider's keys"
	}
	return "rejected"
}

// mapClaims applies the rules to the token's claim values: one account and mode, the union of
// the scopes, narrowed to the token's scope claim when it names kycd scopes.
func (x *ExternalIdP) mapClaims(claims map[string]any) (Caller, *Error) {
	path := x.Claim
	if path == "" {
		path = "groups"
	}
	values := claimValues(claims, path)
	var c Caller
	for _, r := range x.Rules {
		if !slices.Contains(values, r.Value) && !slices.Contains(values, "/"+r.Value) {
			continue
		}
		if c.AccountID != "" && (c.AccountID != r.Account || c.Mode != r.Mode) {
			return Caller{}, Errorf(CodePermissionDenied, "", "the token's %s map to more than one account or mode; an access token must map to exactly one", path)
		}
		c.AccountID, c.Mode = r.Account, r.Mode
		for _, s := range r.Scopes {
			if !slices.Contains(c.Scopes, s) {
				c.Scopes = append(c.Scopes, s)
			}
		}
	}
	if c.AccountID == "" {
		return Caller{}, Errorf(CodePermissionDenied, "", "the token's %s match no account in kycd's claim mapping", path)
	}
	if sc, _ := claims["scope"].(string); sc != "" {
		var asked []Scope
		for _, f := range strings.Fields(sc) {
			if slices.Contains(OAuthScopes(), Scope(f)) {
				asked = append(asked, Scope(f))
			}
		}
		if len(asked) > 0 {
			c.Scopes = slices.DeleteFunc(c.Scopes, func(s Scope) bool { return !slices.Contains(asked, s) })
		}
	}
	return c, nil
}

// claimValues reads a dotted claim path as a list of strings (a string claim is one value).
func claimValues(claims map[string]any, path string) []string {
	var cur any = claims
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	switch v := cur.(type) {
	case string:
		return strings.Fields(v)
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
