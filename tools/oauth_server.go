package tools

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/webhook"
)

// OAuthError is an OAuth protocol error (RFC 6749 §5.2): a code such as invalid_grant, a
// description for people, and the HTTP status of the token endpoint's answer.
type OAuthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
	Status      int    `json:"-"`
	// RetryAfter is, on a 429, the seconds until a retry can succeed (the Retry-After header).
	RetryAfter int `json:"-"`
}

// Error implements error.
func (e *OAuthError) Error() string { return e.Code + ": " + e.Description }

func oauthErr(code string, status int, format string, args ...any) *OAuthError {
	return &OAuthError{Code: code, Description: fmt.Sprintf(format, args...), Status: status}
}

// OAuthClient is a client as the authorization and consent pages see it.
type OAuthClient struct {
	ID           string
	Name         string
	RedirectURIs []string
	// Kind is "dcr" or "metadata".
	Kind string
}

// clientMetadata is the part of RFC 7591 / Client ID Metadata Document fields kycd reads.
type clientMetadata struct {
	ClientID                string   `json:"client_id,omitempty"`
	ClientName              string   `json:"client_name,omitempty"`
	ClientURI               string   `json:"client_uri,omitempty"`
	RedirectURIs            []string `json:"redirect_uris"`
	GrantTypes              []string `json:"grant_types,omitempty"`
	ResponseTypes           []string `json:"response_types,omitempty"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty"`
	Scope                   string   `json:"scope,omitempty"`
	SoftwareID              string   `json:"software_id,omitempty"`
	SoftwareVersion         string   `json:"software_version,omitempty"`
}

// checkRedirectURI accepts what RFC 8252 and OAuth 2.1 allow: https, http on a loopback
// address, or a private-use scheme (com.example.app:/cb); never a fragment.
func checkRedirectURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return fmt.Errorf("redirect URI %q is not an absolute URL", raw)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("redirect URI %q must not have a fragment", raw)
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return fmt.Errorf("redirect URI %q has no host", raw)
		}
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return fmt.Errorf("redirect URI %q: plain http is allowed only on a loopback address (127.0.0.1, [::1], localhost)", raw)
		}
	case "javascript", "data", "file", "vbscript":
		return fmt.Errorf("redirect URI %q uses a forbidden scheme", raw)
	default:
		if !strings.Contains(u.Scheme, ".") {
			return fmt.Errorf("redirect URI %q: a private-use scheme must be a reversed domain name (com.example.app)", raw)
		}
	}
	return nil
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// RedirectAllowed reports whether uri is one of the client's registered redirect URIs:
// exact match, except that a loopback http URI may use any port (RFC 8252 §7.3).
func (c *OAuthClient) RedirectAllowed(uri string) bool {
	if slices.Contains(c.RedirectURIs, uri) {
		return true
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" || !isLoopbackHost(u.Hostname()) {
		return false
	}
	for _, r := range c.RedirectURIs {
		ru, err := url.Parse(r)
		if err != nil || ru.Scheme != "http" || ru.Hostname() != u.Hostname() {
			continue
		}
		if ru.Path == u.Path && ru.RawQuery == u.RawQuery {
			return true
		}
	}
	return false
}

// RegisterClient is RFC 7591 dynamic registration of a public client: it answers the stored
// metadata with the new client_id. Clients authenticate with PKCE, not a secret, so the auth
// method is always "none". ip is the caller's address: valid registrations are rate-limited
// per address and in total (Limits).
func (o *OAuth) RegisterClient(ctx context.Context, d *Deps, body []byte, ip string) (map[string]any, *OAuthError) {
	if !o.DynamicRegistration {
		return nil, oauthErr("access_denied", http.StatusForbidden, "dynamic client registration is switched off on this server")
	}
	var m clientMetadata
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, oauthErr("invalid_client_metadata", http.StatusBadRequest, "the body is not a JSON client metadata object: %v", err)
	}
	if err := validateClientMetadata(&m); err != nil {
		return nil, err
	}
	if err := o.allowRegistration(ctx, d, registrationKindDCR, ip); err != nil {
		return nil, err
	}
	id := db.NewID("oac", d.Store.Now())
	m.ClientID, m.TokenEndpointAuthMethod = id, "none"
	if err := o.saveClient(ctx, d, id, "dcr", &m); err != nil {
		d.logger().ErrorContext(ctx, "register oauth client", "err", err)
		return nil, oauthErr("server_error", http.StatusInternalServerError, "cannot store the client now; retry")
	}
	out := map[string]any{"client_id": id, "client_id_issued_at": d.Store.Now().Unix(), "client_name": m.ClientName,
		"redirect_uris": m.RedirectURIs, "grant_types": m.GrantTypes, "response_types": []string{"code"},
		"token_endpoint_auth_method": "none"}
	if m.Scope != "" {
		out["scope"] = m.Scope
	}
	if m.ClientURI != "" {
		out["client_uri"] = m.ClientURI
	}
	return out, nil
}

func validateClientMetadata(m *clientMetadata) *OAuthError {
	if len(m.RedirectURIs) == 0 || len(m.RedirectURIs) > 20 {
		return oauthErr("invalid_redirect_uri", http.StatusBadRequest, "redirect_uris: give 1 to 20 redirect URIs")
	}
	for _, r := range m.RedirectURIs {
		if err := checkRedirectURI(r); err != nil {
			return oauthErr("invalid_redirect_uri", http.StatusBadRequest, "redirect_uris: %v", err)
		}
	}
	for _, g := range m.GrantTypes {
		if g != "authorization_code" && g != "refresh_token" {
			return oauthErr("invalid_client_metadata", http.StatusBadRequest, "grant_types: %q is not supported; use authorization_code and refresh_token", g)
		}
	}
	if len(m.GrantTypes) == 0 {
		m.GrantTypes = []string{"authorization_code", "refresh_token"}
	}
	m.ClientName = strings.TrimSpace(m.ClientName)
	if len(m.ClientName) > 200 {
		return oauthErr("invalid_client_metadata", http.StatusBadRequest, "client_name: at most 200 characters")
	}
	return nil
}

func (o *OAuth) saveClient(ctx context.Context, d *Deps, id, kind string, m *clientMetadata) error {
	uris, _ := json.Marshal(m.RedirectURIs)
	meta, _ := json.Marshal(m)
	now := d.Store.Now()
	return d.Store.SaveOAuthClient(ctx, &db.OAuthClient{ID: id, Kind: kind, Name: m.ClientName, RedirectURIs: string(uris),
		Metadata: string(meta), CreatedAt: now, FetchedAt: now})
}

// isMetadataClientID tells a Client ID Metadata Document URL from a registered id.
func isMetadataClientID(id string) bool {
	return strings.HasPrefix(id, "https://") || strings.HasPrefix(id, "http://")
}

// Client finds a client: a registered one from the store, or — for an https client_id — its
// metadata document, fetched under the webhook SSRF rules and cached for an hour. A fetch
// counts against the global metadata-fetch budget (ClientFrom also against the caller's IP).
func (o *OAuth) Client(ctx context.Context, d *Deps, id string) (*OAuthClient, *OAuthError) {
	return o.ClientFrom(ctx, d, id, "")
}

// ClientFrom is Client for a request from ip, whose metadata-document fetches are budgeted.
func (o *OAuth) ClientFrom(ctx context.Context, d *Deps, id, ip string) (*OAuthClient, *OAuthError) {
	if id == "" {
		return nil, oauthErr("invalid_request", http.StatusBadRequest, "client_id is required")
	}
	if isMetadataClientID(id) && !o.ClientMetadataDocuments {
		return nil, oauthErr("invalid_client", http.StatusBadRequest, "client ID metadata documents are switched off on this server; register the client")
	}
	c, err := d.Store.OAuthClientByID(ctx, id)
	switch {
	case err == nil && (c.Kind != "metadata" || d.Store.Now().Sub(c.FetchedAt) < clientMetadataMaxAge):
		return toOAuthClient(c), nil
	case err != nil && !errors.Is(err, db.ErrNotFound):
		d.logger().ErrorContext(ctx, "oauth client", "err", err)
		return nil, oauthErr("server_error", http.StatusInternalServerError, "cannot read the client now; retry")
	case !isMetadataClientID(id):
		return nil, oauthErr("invalid_client", http.StatusBadRequest, "unknown client_id %q", id)
	}
	if oerr := checkMetadataURL(id); oerr != nil {
		return nil, oerr
	}
	if oerr := o.allowRegistration(ctx, d, registrationKindMetadataDoc, ip); oerr != nil {
		return nil, oerr
	}
	m, oerr := o.fetchClientMetadata(ctx, id)
	if oerr != nil {
		return nil, oerr
	}
	if err := o.saveClient(ctx, d, id, "metadata", m); err != nil {
		d.logger().ErrorContext(ctx, "save oauth client", "err", err)
	}
	uris, _ := json.Marshal(m.RedirectURIs)
	return toOAuthClient(&db.OAuthClient{ID: id, Kind: "metadata", Name: m.ClientName, RedirectURIs: string(uris)}), nil
}

func toOAuthClient(c *db.OAuthClient) *OAuthClient {
	out := &OAuthClient{ID: c.ID, Name: c.Name, Kind: c.Kind}
	_ = json.Unmarshal([]byte(c.RedirectURIs), &out.RedirectURIs)
	return out
}

// fetchClientMetadata fetches and checks a Client ID Metadata Document: an https URL with a
// path, allowed by the SSRF policy (no loopback, private or metadata addresses), answering
// JSON whose client_id is the URL itself.
func (o *OAuth) fetchClientMetadata(ctx context.Context, id string) (*clientMetadata, *OAuthError) {
	if oerr := checkMetadataURL(id); oerr != nil {
		return nil, oerr
	}
	if _, err := o.FetchPolicy.CheckURL(ctx, id); err != nil {
		return nil, oauthErr("invalid_client", http.StatusBadRequest, "client_id %q is not fetched: %v", id, err)
	}
	o.initOnce.Do(func() {
		o.fetch = o.FetchClient
		if o.fetch == nil {
			o.fetch = webhook.NewClient(o.FetchPolicy, "kycd-oauth").HTTPClient()
		}
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
	if err != nil {
		return nil, oauthErr("invalid_client", http.StatusBadRequest, "client_id %q: %v", id, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := o.fetch.Do(req)
	if err != nil {
		return nil, oauthErr("invalid_client", http.StatusBadRequest, "client_id %q: the metadata document cannot be fetched: %v", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, oauthErr("invalid_client", http.StatusBadRequest, "client_id %q: the metadata document answered HTTP %d", id, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, clientMetadataMaxBytes+1))
	if err != nil || len(body) > clientMetadataMaxBytes {
		return nil, oauthErr("invalid_client", http.StatusBadRequest, "client_id %q: the metadata document is unreadable or over 64 KiB", id)
	}
	var m clientMetadata
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, oauthErr("invalid_client_metadata", http.StatusBadRequest, "client_id %q: the metadata document is not JSON: %v", id, err)
	}
	if m.ClientID != id {
		return nil, oauthErr("invalid_client_metadata", http.StatusBadRequest, "client_id %q: the document names client_id %q; they must be equal", id, m.ClientID)
	}
	if m.TokenEndpointAuthMethod != "" && m.TokenEndpointAuthMethod != "none" {
		return nil, oauthErr("invalid_client_metadata", http.StatusBadRequest, "client_id %q: token_endpoint_auth_method %q is not supported; use none (PKCE)", id, m.TokenEndpointAuthMethod)
	}
	if oerr := validateClientMetadata(&m); oerr != nil {
		oerr.Code = "invalid_client_metadata"
		return nil, oerr
	}
	return &m, nil
}

// checkMetadataURL is the shape a Client ID Metadata Document URL must have.
func checkMetadataURL(id string) *OAuthError {
	u, err := url.Parse(id)
	if err != nil || u.Scheme != "https" || u.Path == "" || u.Path == "/" || u.Fragment != "" || u.User != nil {
		return oauthErr("invalid_client", http.StatusBadRequest, "client_id %q: a metadata document URL must be https with a path, no fragment or credentials", id)
	}
	return nil
}

// AuthorizeRequest is an authorization request (the query of /oauth/authorize).
type AuthorizeRequest struct {
	ClientID, RedirectURI, ResponseType, Scope, State, CodeChallenge, CodeChallengeMethod, Resource string
	// IP is the requester's address (not a parameter): metadata-document fetches are budgeted by it.
	IP string
}

// CheckedAuthorize is a valid authorization request with what the consent page shows.
type CheckedAuthorize struct {
	Client *OAuthClient
	// Scopes are the scopes asked for (all OAuth scopes when the request names none).
	Scopes   []Scope
	Resource string
}

// CheckAuthorize validates an authorization request. redirectOK says whether the error may be
// sent to the redirect URI (the client and URI are known good); otherwise the page shows it.
func (o *OAuth) CheckAuthorize(ctx context.Context, d *Deps, r AuthorizeRequest) (ca *CheckedAuthorize, redirectOK bool, oerr *OAuthError) {
	if o.Mode != OAuthBuiltin {
		return nil, false, oauthErr("access_denied", http.StatusNotFound, "this server has no built-in authorization server")
	}
	c, oerr := o.ClientFrom(ctx, d, r.ClientID, r.IP)
	if oerr != nil {
		return nil, false, oerr
	}
	if r.RedirectURI == "" && len(c.RedirectURIs) == 1 {
		r.RedirectURI = c.RedirectURIs[0]
	}
	if !c.RedirectAllowed(r.RedirectURI) {
		return nil, false, oauthErr("invalid_request", http.StatusBadRequest, "redirect_uri %q is not registered for this client", r.RedirectURI)
	}
	if r.ResponseType != "code" {
		return nil, true, oauthErr("unsupported_response_type", http.StatusBadRequest, "response_type must be code")
	}
	if r.CodeChallengeMethod != "S256" || len(r.CodeChallenge) < 43 || len(r.CodeChallenge) > 128 {
		return nil, true, oauthErr("invalid_request", http.StatusBadRequest, "PKCE is required: send code_challenge (43 to 128 characters) with code_challenge_method=S256")
	}
	res, ok := o.checkResource(r.Resource)
	if !ok {
		return nil, true, oauthErr("invalid_target", http.StatusBadRequest, "resource %q is not this server; use %s", r.Resource, o.Resource())
	}
	scopes, oerr := parseOAuthScopes(r.Scope)
	if oerr != nil {
		return nil, true, oerr
	}
	return &CheckedAuthorize{Client: c, Scopes: scopes, Resource: res}, true, nil
}

// checkResource maps an RFC 8707 resource parameter to the token's audience ("" = the MCP endpoint).
func (o *OAuth) checkResource(r string) (string, bool) {
	if r == "" {
		return o.Resource(), true
	}
	r = strings.TrimRight(r, "/")
	if slices.Contains(o.audiences(), r) {
		return r, true
	}
	return "", false
}

func parseOAuthScopes(s string) ([]Scope, *OAuthError) {
	if strings.TrimSpace(s) == "" {
		return OAuthScopes(), nil
	}
	var out []Scope
	for _, f := range strings.Fields(s) {
		if !slices.Contains(OAuthScopes(), Scope(f)) {
			return nil, oauthErr("invalid_scope", http.StatusBadRequest, "unknown scope %q; known: %s", f, joinScopes(OAuthScopes()))
		}
		if !slices.Contains(out, Scope(f)) {
			out = append(out, Scope(f))
		}
	}
	return out, nil
}

// Consent is what the signed-in operator approved on the consent page.
type Consent struct {
	UserID    string
	AccountID string
	Mode      models.Mode
	Scopes    []Scope
}

// IssueCode records an approved consent and returns the authorization code for the redirect.
func (o *OAuth) IssueCode(ctx context.Context, d *Deps, r AuthorizeRequest, ca *CheckedAuthorize, c Consent) (string, error) {
	if c.Mode != models.ModeLive && c.Mode != models.ModeTest {
		return "", invalid("mode", "must be live or test")
	}
	if len(c.Scopes) == 0 {
		return "", invalid("scope", "choose at least one scope")
	}
	scopes, _ := json.Marshal(scopeStrings(c.Scopes))
	code := "kac_" + db.RandomBase62(43)
	redirect := r.RedirectURI
	if redirect == "" {
		redirect = ca.Client.RedirectURIs[0]
	}
	err := d.Store.CreateOAuthCode(ctx, code, &db.OAuthCode{OAuthConsent: db.OAuthConsent{ClientID: ca.Client.ID, ClientName: ca.Client.Name,
		UserID: c.UserID, AccountID: c.AccountID, Mode: c.Mode, Scopes: string(scopes), Resource: ca.Resource}, RedirectURI: redirect,
		CodeChallenge: r.CodeChallenge, ExpiresAt: d.Store.Now().Add(authorizationCodeTTL)})
	if err != nil {
		return "", err
	}
	return code, nil
}

// TokenRequest is a token endpoint request (form fields).
type TokenRequest struct {
	GrantType, Code, RedirectURI, ClientID, CodeVerifier, RefreshToken, Resource, Scope string
}

// TokenResponse is a successful token endpoint answer (RFC 6749 §5.1).
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
}

// Token serves the token endpoint: an authorization code (with its PKCE verifier) or a
// refresh token (rotated: the old one is spent, its reuse revokes the grant) for an access token.
func (o *OAuth) Token(ctx context.Context, d *Deps, r TokenRequest) (*TokenResponse, *OAuthError) {
	if o.Mode != OAuthBuiltin {
		return nil, oauthErr("unsupported_grant_type", http.StatusBadRequest, "this server has no built-in authorization server")
	}
	if r.ClientID == "" {
		return nil, oauthErr("invalid_client", http.StatusUnauthorized, "client_id is required (public clients identify themselves with it)")
	}
	if r.Resource != "" {
		if _, ok := o.checkResource(r.Resource); !ok {
			return nil, oauthErr("invalid_target", http.StatusBadRequest, "resource %q is not this server; use %s", r.Resource, o.Resource())
		}
	}
	next := "kyr_" + db.RandomBase62(43)
	var g *db.OAuthGrant
	var err error
	switch r.GrantType {
	case "authorization_code":
		if r.Code == "" || r.CodeVerifier == "" {
			return nil, oauthErr("invalid_request", http.StatusBadRequest, "code and code_verifier are required")
		}
		var checkErr *OAuthError
		g, err = d.Store.RedeemOAuthCode(ctx, r.Code, db.NewID("ogr", d.Store.Now()), next, o.refreshTTL(), func(c *db.OAuthCode) error {
			switch {
			case c.ClientID != r.ClientID:
				checkErr = oauthErr("invalid_grant", http.StatusBadRequest, "the code was issued to another client")
			case r.RedirectURI != "" && c.RedirectURI != r.RedirectURI:
				checkErr = oauthErr("invalid_grant", http.StatusBadRequest, "redirect_uri differs from the authorization request's")
			case !pkceMatches(r.CodeVerifier, c.CodeChallenge):
				checkErr = oauthErr("invalid_grant", http.StatusBadRequest, "code_verifier does not match the code_challenge")
			case r.Resource != "" && strings.TrimRight(r.Resource, "/") != c.Resource:
				checkErr = oauthErr("invalid_target", http.StatusBadRequest, "resource differs from the authorization request's")
			default:
				return nil
			}
			return checkErr
		})
		if checkErr != nil {
			return nil, checkErr
		}
	case "refresh_token":
		if r.RefreshToken == "" {
			return nil, oauthErr("invalid_request", http.StatusBadRequest, "refresh_token is required")
		}
		var checkErr *OAuthError
		g, err = d.Store.RotateOAuthRefreshToken(ctx, r.RefreshToken, next, o.refreshTTL(), func(g *db.OAuthGrant) error {
			if g.ClientID != r.ClientID {
				checkErr = oauthErr("invalid_grant", http.StatusBadRequest, "the refresh token was issued to another client")
				return checkErr
			}
			return nil
		})
		if checkErr != nil {
			return nil, checkErr
		}
	default:
		return nil, oauthErr("unsupported_grant_type", http.StatusBadRequest, "grant_type must be authorization_code or refresh_token")
	}
	switch {
	case errors.Is(err, db.ErrTokenReused):
		return nil, oauthErr("invalid_grant", http.StatusBadRequest, "this %s was already used; every token of its grant is revoked", strings.ReplaceAll(r.GrantType, "_", " "))
	case errors.Is(err, db.ErrNotFound):
		return nil, oauthErr("invalid_grant", http.StatusBadRequest, "the %s is unknown, expired or revoked", strings.ReplaceAll(r.GrantType, "_", " "))
	case err != nil:
		d.logger().ErrorContext(ctx, "oauth token", "err", err)
		return nil, oauthErr("server_error", http.StatusInternalServerError, "cannot issue a token now; retry")
	}
	var granted []string
	_ = json.Unmarshal([]byte(g.Scopes), &granted)
	scopes := make([]Scope, 0, len(granted))
	for _, s := range granted {
		scopes = append(scopes, Scope(s))
	}
	if r.GrantType == "refresh_token" && r.Scope != "" { // narrowing on refresh (RFC 6749 §6)
		asked, oerr := parseOAuthScopes(r.Scope)
		if oerr != nil {
			return nil, oerr
		}
		for _, s := range asked {
			if !slices.Contains(scopes, s) {
				return nil, oauthErr("invalid_scope", http.StatusBadRequest, "scope %s was not granted", s)
			}
		}
		scopes = asked
	}
	at, err := o.issueAccessToken(ctx, d, g, scopes)
	if err != nil {
		d.logger().ErrorContext(ctx, "sign access token", "err", err)
		return nil, oauthErr("server_error", http.StatusInternalServerError, "cannot issue a token now; retry")
	}
	return &TokenResponse{AccessToken: at, TokenType: "Bearer", ExpiresIn: int(o.accessTTL().Seconds()), RefreshToken: next,
		Scope: strings.Join(scopeStrings(scopes), " ")}, nil
}

// pkceMatches checks an S256 code verifier against its challenge (RFC 7636 §4.6).
func pkceMatches(verifier, challenge string) bool {
	if len(verifier) < 43 || len(verifier) > 128 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

// Revoke is RFC 7009 revocation: a refresh token or an access token of the built-in server
// ends its whole grant. Unknown tokens are not an error (the answer is 200 either way).
func (o *OAuth) Revoke(ctx context.Context, d *Deps, token, clientID string) *OAuthError {
	if o.Mode != OAuthBuiltin {
		return oauthErr("unsupported_token_type", http.StatusBadRequest, "this server has no built-in authorization server")
	}
	var grant string
	if looksLikeJWT(token) {
		c, err := o.verifyBuiltin(ctx, d, token)
		if err != nil {
			if e := AsError(err); e != nil && e.Code == CodeUnavailable {
				return oauthErr("temporarily_unavailable", http.StatusServiceUnavailable, "retry")
			}
			return nil
		}
		if clientID != "" && c.OAuthClientID != clientID {
			return oauthErr("invalid_client", http.StatusUnauthorized, "the token was issued to another client")
		}
		grant = c.GrantID
	} else {
		id, err := d.Store.OAuthGrantOfRefreshToken(ctx, token)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return oauthErr("temporarily_unavailable", http.StatusServiceUnavailable, "retry")
		}
		g, err := d.Store.OAuthGrantByID(ctx, id)
		if err != nil {
			return oauthErr("temporarily_unavailable", http.StatusServiceUnavailable, "retry")
		}
		if clientID != "" && g.ClientID != clientID {
			return oauthErr("invalid_client", http.StatusUnauthorized, "the token was issued to another client")
		}
		grant = id
	}
	if _, err := d.Store.RevokeOAuthGrant(ctx, db.Scope{}, grant, "revoked by the client"); err != nil && !errors.Is(err, db.ErrNotFound) {
		return oauthErr("temporarily_unavailable", http.StatusServiceUnavailable, "retry")
	}
	return nil
}
