package tools

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kycd/kycd/webhook"
)

// OAuth modes (--oauth).
const (
	OAuthOff      = "off"
	OAuthBuiltin  = "builtin"
	OAuthExternal = "external"
)

// Paths of the OAuth endpoints (served by rest/oauth). The protected resource metadata of the
// MCP endpoint is the path-suffixed form (RFC 9728 §3.1).
const (
	ProtectedResourcePath    = "/.well-known/oauth-protected-resource"
	AuthorizationServerPath  = "/.well-known/oauth-authorization-server"
	OAuthAuthorizePath       = "/oauth/authorize"
	OAuthTokenPath           = "/oauth/token"
	OAuthRegisterPath        = "/oauth/register"
	OAuthRevokePath          = "/oauth/revoke"
	OAuthJWKSPath            = "/oauth/jwks.json"
	mcpPath                  = "/mcp"
	defaultAccessTokenTTL    = 10 * time.Minute
	defaultRefreshTokenTTL   = 30 * 24 * time.Hour
	defaultSigningKeyMaxAge  = 30 * 24 * time.Hour
	authorizationCodeTTL     = time.Minute
	clientMetadataMaxAge     = time.Hour
	clientMetadataMaxBytes   = 64 << 10
	accessTokenType          = "at+jwt"
	accessTokenSigningMethod = "ES256"
)

// OAuth is the authorization configuration every surface shares: kycd as an OAuth protected
// resource, with its own authorization server (builtin) or an external identity provider's.
// Deps.OAuth nil means API keys only.
type OAuth struct {
	// Mode is OAuthBuiltin or OAuthExternal.
	Mode string
	// PublicURL is the server's public base URL (https://kyc.example.com): the issuer of the
	// built-in server and the base of the resource identifiers.
	PublicURL string
	// AccessTokenTTL and RefreshTokenTTL bound the built-in server's tokens (0 = 10 minutes, 30 days).
	AccessTokenTTL, RefreshTokenTTL time.Duration
	// SigningKeyMaxAge is when the built-in server starts signing with a fresh key (0 = 30 days).
	SigningKeyMaxAge time.Duration
	// DynamicRegistration enables RFC 7591 registration; ClientMetadataDocuments enables https
	// client ids whose metadata kycd fetches. Either may be switched off.
	DynamicRegistration, ClientMetadataDocuments bool
	// Limits bound dynamic registrations and metadata-document fetches per client IP and in
	// total (zero: 20 per IP and 500 in all per hour, each).
	Limits RegistrationLimits
	// FetchPolicy is what a client metadata URL must meet (the webhook SSRF rules; the zero
	// value is production's: https, public addresses only).
	FetchPolicy webhook.Policy
	// FetchClient replaces the policy-enforcing client for metadata documents (tests only;
	// the URL is still checked against FetchPolicy first).
	FetchClient *http.Client
	// External is the external identity provider (Mode OAuthExternal).
	External *ExternalIdP

	keys     signingKeys
	initOnce sync.Once
	fetch    *http.Client
}

// Resource is the canonical URL of the MCP endpoint: the audience (RFC 8707) tokens must name.
func (o *OAuth) Resource() string { return strings.TrimRight(o.PublicURL, "/") + mcpPath }

// audiences are the resource identifiers tokens may be issued for: the MCP endpoint and the
// whole server (REST and JSON-RPC serve the same tools; RFC 9728's root metadata names it).
func (o *OAuth) audiences() []string {
	return []string{o.Resource(), strings.TrimRight(o.PublicURL, "/")}
}

// Issuer is the authorization server tokens come from.
func (o *OAuth) Issuer() string {
	if o.Mode == OAuthExternal && o.External != nil {
		return o.External.Issuer
	}
	return strings.TrimRight(o.PublicURL, "/")
}

// ResourceMetadataURL is the protected resource metadata of the MCP endpoint, named in 401s.
func (o *OAuth) ResourceMetadataURL() string {
	return strings.TrimRight(o.PublicURL, "/") + ProtectedResourcePath + mcpPath
}

func (o *OAuth) accessTTL() time.Duration {
	if o.AccessTokenTTL > 0 {
		return o.AccessTokenTTL
	}
	return defaultAccessTokenTTL
}

func (o *OAuth) refreshTTL() time.Duration {
	if o.RefreshTokenTTL > 0 {
		return o.RefreshTokenTTL
	}
	return defaultRefreshTokenTTL
}

// OAuthScopes are the scopes a token may carry: every tool scope but the administration of
// keys and operators — an agent must not mint API keys that outlive its grant.
func OAuthScopes() []Scope {
	out := slices.DeleteFunc(slices.Clone(AllScopes), func(s Scope) bool {
		return s == ScopeUsersAdmin || s == ScopeKeysRead || s == ScopeKeysWrite
	})
	for _, s := range []Scope{ScopeFlowsRead, ScopeFlowsWrite, ScopeAuditRead} {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// defaultChallengeScopes are what a 401 suggests a client ask for: the scopes of an API key
// created without --scopes. The consent page may narrow them.
func defaultChallengeScopes() []Scope { return OAuthScopes() }

// ProtectedResourceMetadata is the RFC 9728 document for resource (the MCP endpoint or the
// whole server).
func (o *OAuth) ProtectedResourceMetadata(resource string) map[string]any {
	return map[string]any{
		"resource":                 resource,
		"authorization_servers":    []string{o.Issuer()},
		"scopes_supported":         scopeStrings(OAuthScopes()),
		"bearer_methods_supported": []string{"header"},
		"resource_name":            "kycd",
		"resource_documentation":   "https://github.com/kycd/kycd/blob/main/docs/oauth.md",
	}
}

// AuthorizationServerMetadata is the RFC 8414 document of the built-in server.
func (o *OAuth) AuthorizationServerMetadata() map[string]any {
	base := strings.TrimRight(o.PublicURL, "/")
	m := map[string]any{
		"issuer":                                         base,
		"authorization_endpoint":                         base + OAuthAuthorizePath,
		"token_endpoint":                                 base + OAuthTokenPath,
		"revocation_endpoint":                            base + OAuthRevokePath,
		"jwks_uri":                                       base + OAuthJWKSPath,
		"response_types_supported":                       []string{"code"},
		"response_modes_supported":                       []string{"query"},
		"grant_types_supported":                          []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          []string{"none"},
		"revocation_endpoint_auth_methods_supported":     []string{"none"},
		"scopes_supported":                               scopeStrings(OAuthScopes()),
		"authorization_response_iss_parameter_supported": true,
		"client_id_metadata_document_supported":          o.ClientMetadataDocuments,
	}
	if o.DynamicRegistration {
		m["registration_endpoint"] = base + OAuthRegisterPath
	}
	return m
}

func scopeStrings(s []Scope) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}

// challenge is the WWW-Authenticate value of an OAuth-enabled server: where the resource
// metadata is, the scopes to ask for, and with a presented token the RFC 6750 error.
func (o *OAuth) challenge(errCode, desc string, scopes []Scope) string {
	var b strings.Builder
	fmt.Fprintf(&b, `Bearer resource_metadata=%q`, o.ResourceMetadataURL())
	if len(scopes) > 0 {
		fmt.Fprintf(&b, `, scope=%q`, strings.Join(scopeStrings(scopes), " "))
	}
	if errCode != "" {
		fmt.Fprintf(&b, `, error=%q`, errCode)
	}
	if desc != "" {
		fmt.Fprintf(&b, `, error_description="%s"`, headerSafe(desc))
	}
	return b.String()
}

// headerSafe keeps what RFC 6750 allows in error_description: printable ASCII without " and \.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"' || r == '\\':
			return '\''
		case r < 0x20 || r > 0x7e:
			return -1
		}
		return r
	}, strings.ReplaceAll(s, "…", "..."))
}

// withChallenge adds the OAuth challenge to an unauthenticated error (token says whether one
// was presented: then the error is invalid_token).
func (o *OAuth) withChallenge(err error, token string) error {
	e := AsError(err)
	if e == nil || e.Code != CodeUnauthenticated {
		return err
	}
	code, desc := "", ""
	if token != "" { // RFC 6750 §3.1: no error code when the request had no credentials
		code, desc = "invalid_token", e.Message
	}
	e.Challenge = o.challenge(code, desc, defaultChallengeScopes())
	return e
}

// InsufficientScope is the 403 for an OAuth caller whose token lacks the scope of the tool it
// called: the challenge asks for the token's scopes plus the missing one (step-up).
func InsufficientScope(d *Deps, c Caller, info Info) *Error {
	e := Errorf(CodePermissionDenied, "", "the access token lacks the scope %s that %s needs; authorize again with it", info.Scope, info.Name)
	if d.OAuth != nil {
		want := slices.Clone(c.Scopes)
		if !slices.Contains(want, info.Scope) {
			want = append(want, info.Scope)
		}
		e.Challenge = d.OAuth.challenge("insufficient_scope", e.Message, want)
	}
	return e
}

// IsOAuth reports whether the caller came with an OAuth access token rather than an API key.
func (c Caller) IsOAuth() bool { return c.OAuthClientID != "" || c.OAuthSubject != "" }

// looksLikeJWT tells a JWT (three base64url parts) from other bearer strings.
func looksLikeJWT(s string) bool { return strings.Count(s, ".") == 2 && !strings.ContainsAny(s, " \t") }

// authenticateToken resolves an access token to its caller, through the built-in server's
// keys or the external identity provider.
func (o *OAuth) authenticateToken(ctx context.Context, d *Deps, token string) (Caller, error) {
	if !looksLikeJWT(token) {
		return Caller{}, Errorf(CodeUnauthenticated, "", "malformed bearer token: send an API key (sk_live_…, sk_test_…) or an OAuth access token (a JWT)")
	}
	switch o.Mode {
	case OAuthBuiltin:
		return o.verifyBuiltin(ctx, d, token)
	case OAuthExternal:
		if o.External == nil {
			return Caller{}, errors.New("oauth: external mode without an identity provider")
		}
		return o.External.verify(ctx, d, o, token)
	}
	return Caller{}, Errorf(CodeUnauthenticated, "", "OAuth access tokens are not accepted by this server; use an API key")
}

// stillValidToken is StillValid for OAuth callers: the token must not have expired, and a
// built-in token's grant must not be revoked.
func stillValidToken(ctx context.Context, d *Deps, c Caller) *Error {
	if !c.tokenExpiry.IsZero() && d.Store.Now().After(c.tokenExpiry) {
		return Errorf(CodeUnauthenticated, "", "the access token expired; refresh it and reconnect")
	}
	if c.GrantID == "" {
		return nil
	}
	g, err := d.Store.OAuthGrantByID(ctx, c.GrantID)
	if err != nil {
		d.logger().WarnContext(ctx, "re-check oauth grant", "grant", c.GrantID, "err", err)
		return Errorf(CodeUnavailable, "", "cannot check the access token right now; retry")
	}
	if g.RevokedAt != nil {
		return Errorf(CodeUnauthenticated, "", "the access token's grant was revoked")
	}
	return nil
}
