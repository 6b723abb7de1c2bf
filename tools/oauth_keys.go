package tools

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// signingKeys is the built-in server's key set, loaded from the store: the newest key signs,
// every unretired key verifies. A token naming a kid this process has not seen reloads the
// set (at most every few seconds), so a key another node created is picked up without restart.
type signingKeys struct {
	mu       sync.RWMutex
	current  *signingKey
	byID     map[string]*ecdsa.PublicKey
	jwks     []byte
	loadedAt time.Time
}

type signingKey struct {
	id        string
	priv      *ecdsa.PrivateKey
	createdAt time.Time
}

// accessClaims are the claims of a built-in access token (RFC 9068 plus kycd's own).
type accessClaims struct {
	jwt.RegisteredClaims
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
	// Account, Mode and Grant bind the token to one account and mode through one grant.
	Account string `json:"kycd_account"`
	Mode    string `json:"kycd_mode"`
	Grant   string `json:"kycd_grant"`
}

// loadKeys reads the key set, creating the first key, or a fresh one when the newest is older
// than SigningKeyMaxAge (rotation: the previous key stays published until the tokens it
// signed have expired, then it is retired).
func (o *OAuth) loadKeys(ctx context.Context, d *Deps, rotate bool) error {
	ks, err := d.Store.OAuthSigningKeys(ctx)
	if err != nil {
		return err
	}
	maxAge := o.SigningKeyMaxAge
	if maxAge <= 0 {
		maxAge = defaultSigningKeyMaxAge
	}
	now := d.Store.Now()
	if rotate && (len(ks) == 0 || now.Sub(ks[0].CreatedAt) > maxAge) {
		if _, err := o.RotateSigningKey(ctx, d); err != nil {
			return err
		}
		return o.loadKeys(ctx, d, false)
	}
	if len(ks) == 0 {
		return errors.New("oauth: no signing key")
	}
	// Keys older than the current one retire once every token they signed has expired.
	if rotate && len(ks) > 1 && now.Sub(ks[0].CreatedAt) > 2*o.accessTTL() {
		if err := d.Store.RetireOAuthSigningKeys(ctx, ks[0].CreatedAt, ks[0].ID); err != nil {
			return err
		}
		return o.loadKeys(ctx, d, false)
	}
	set := &signingKeys{byID: map[string]*ecdsa.PublicKey{}, loadedAt: now}
	var pub jose.JSONWebKeySet
	for i := range ks {
		der, err := d.Store.OpenOAuthSigningKey(&ks[i])
		if err != nil {
			return err
		}
		k, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return fmt.Errorf("parse signing key %s: %w", ks[i].ID, err)
		}
		ec, ok := k.(*ecdsa.PrivateKey)
		if !ok {
			return fmt.Errorf("signing key %s is not an EC key", ks[i].ID)
		}
		set.byID[ks[i].ID] = &ec.PublicKey
		if i == 0 {
			set.current = &signingKey{id: ks[i].ID, priv: ec, createdAt: ks[i].CreatedAt}
		}
		pub.Keys = append(pub.Keys, jose.JSONWebKey{Key: &ec.PublicKey, KeyID: ks[i].ID, Algorithm: accessTokenSigningMethod, Use: "sig"})
	}
	if set.jwks, err = json.Marshal(pub); err != nil {
		return fmt.Errorf("encode jwks: %w", err)
	}
	o.keys.mu.Lock()
	o.keys.current, o.keys.byID, o.keys.jwks, o.keys.loadedAt = set.current, set.byID, set.jwks, set.loadedAt
	o.keys.mu.Unlock()
	return nil
}

// RotateSigningKey creates a new signing key; it signs from the next load on, while the older
// keys stay published (the JWKS lists them) until the tokens they signed have expired.
func (o *OAuth) RotateSigningKey(ctx context.Context, d *Deps) (string, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("generate signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", err
	}
	id := db.NewID("osk", d.Store.Now())
	jwk, err := json.Marshal(jose.JSONWebKey{Key: &priv.PublicKey, KeyID: id, Algorithm: accessTokenSigningMethod, Use: "sig"})
	if err != nil {
		return "", err
	}
	if _, err := d.Store.CreateOAuthSigningKey(ctx, id, accessTokenSigningMethod, der, string(jwk)); err != nil {
		return "", err
	}
	return id, nil
}

// StartOAuth prepares the built-in server (loads or creates its signing key, rotating it when
// due) and checks an external provider's settings; cmd calls it once at start and then daily.
func (o *OAuth) Start(ctx context.Context, d *Deps) error {
	switch o.Mode {
	case OAuthBuiltin:
		return o.loadKeys(ctx, d, true)
	case OAuthExternal:
		if o.External == nil || o.External.Issuer == "" {
			return errors.New("oauth: external mode needs --oauth-issuer")
		}
	}
	return nil
}

// currentKey is the key that signs now, loading the set on first use.
func (o *OAuth) currentKey(ctx context.Context, d *Deps) (*signingKey, error) {
	o.keys.mu.RLock()
	k := o.keys.current
	o.keys.mu.RUnlock()
	if k != nil {
		return k, nil
	}
	if err := o.loadKeys(ctx, d, true); err != nil {
		return nil, err
	}
	o.keys.mu.RLock()
	defer o.keys.mu.RUnlock()
	return o.keys.current, nil
}

// publicKey finds a verification key by kid, reloading the set once for an unknown kid.
func (o *OAuth) publicKey(ctx context.Context, d *Deps, kid string) (*ecdsa.PublicKey, error) {
	o.keys.mu.RLock()
	k, ok := o.keys.byID[kid]
	fresh := time.Since(o.keys.loadedAt) < 5*time.Second
	o.keys.mu.RUnlock()
	if ok {
		return k, nil
	}
	if !fresh {
		if err := o.loadKeys(ctx, d, false); err != nil {
			return nil, err
		}
		o.keys.mu.RLock()
		k, ok = o.keys.byID[kid]
		o.keys.mu.RUnlock()
		if ok {
			return k, nil
		}
	}
	return nil, fmt.Errorf("%w %q", errUnknownKey, kid)
}

// JWKS is the published key set (application/jwk-set+json).
func (o *OAuth) JWKS(ctx context.Context, d *Deps) ([]byte, error) {
	if _, err := o.currentKey(ctx, d); err != nil {
		return nil, err
	}
	o.keys.mu.RLock()
	defer o.keys.mu.RUnlock()
	return o.keys.jwks, nil
}

// issueAccessToken signs an RFC 9068 access token for a grant.
func (o *OAuth) issueAccessToken(ctx context.Context, d *Deps, g *db.OAuthGrant, scopes []Scope) (string, error) {
	k, err := o.currentKey(ctx, d)
	if err != nil {
		return "", err
	}
	now := d.Store.Now()
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: o.Issuer(), Subject: g.UserID, Audience: jwt.ClaimStrings{g.Resource},
			ExpiresAt: jwt.NewNumericDate(now.Add(o.accessTTL())), IssuedAt: jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now), ID: db.RandomBase62(22),
		},
		ClientID: g.ClientID, Scope: strings.Join(scopeStrings(scopes), " "),
		Account: g.AccountID, Mode: string(g.Mode), Grant: g.ID,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodES256, claims)
	t.Header["kid"] = k.id
	t.Header["typ"] = accessTokenType
	return t.SignedString(k.priv)
}

// verifyBuiltin validates a built-in access token — signature (ES256 only, by kid), type,
// issuer, audience, expiry — and that its grant is live; the caller is the grant's account,
// mode and the token's scopes.
func (o *OAuth) verifyBuiltin(ctx context.Context, d *Deps, token string) (Caller, error) {
	var claims accessClaims
	var keyErr error
	parser := jwt.NewParser(jwt.WithValidMethods([]string{accessTokenSigningMethod}), jwt.WithIssuer(o.Issuer()),
		jwt.WithAudience(o.audiences()...), jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithLeeway(30*time.Second),
		jwt.WithTimeFunc(d.Store.Now))
	_, err := parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		if typ, _ := t.Header["typ"].(string); !strings.EqualFold(typ, accessTokenType) && !strings.EqualFold(typ, "application/"+accessTokenType) {
			return nil, errNotAccessToken
		}
		kid, _ := t.Header["kid"].(string)
		k, err := o.publicKey(ctx, d, kid)
		keyErr = err
		return k, err
	})
	if err != nil {
		if keyErr != nil && !errors.Is(keyErr, errUnknownKey) {
			d.logger().ErrorContext(ctx, "oauth keys", "err", keyErr)
			return Caller{}, Errorf(CodeUnavailable, "", "cannot check the access token right now; retry")
		}
		return Caller{}, Errorf(CodeUnauthenticated, "", "invalid access token: %s", jwtReason(err))
	}
	if claims.Grant == "" || claims.Account == "" || (claims.Mode != string(models.ModeLive) && claims.Mode != string(models.ModeTest)) {
		return Caller{}, Errorf(CodeUnauthenticated, "", "invalid access token: it names no grant, account or mode")
	}
	g, err := d.Store.OAuthGrantByID(ctx, claims.Grant)
	if errors.Is(err, db.ErrNotFound) || (err == nil && (g.RevokedAt != nil || g.AccountID != claims.Account || string(g.Mode) != claims.Mode)) {
		return Caller{}, Errorf(CodeUnauthenticated, "", "the access token's grant was revoked")
	}
	if err != nil {
		d.logger().ErrorContext(ctx, "oauth grant", "err", err)
		return Caller{}, Errorf(CodeUnavailable, "", "cannot check the access token right now; retry")
	}
	if err := d.Store.TouchOAuthGrant(ctx, g.ID); err != nil {
		d.logger().WarnContext(ctx, "touch oauth grant", "err", err)
	}
	return Caller{KeyID: g.ID, AccountID: g.AccountID, Mode: g.Mode, Scopes: grantedScopes(claims.Scope, g.Scopes),
		OAuthClientID: claims.ClientID, GrantID: g.ID, OAuthSubject: claims.Subject, tokenExpiry: claims.ExpiresAt.Time}, nil
}

// grantedScopes are the token's scopes that its grant still allows.
func grantedScopes(tokenScope, grantJSON string) []Scope {
	var granted []string
	_ = json.Unmarshal([]byte(grantJSON), &granted)
	var out []Scope
	for _, s := range strings.Fields(tokenScope) {
		for _, g := range granted {
			if s == g {
				out = append(out, Scope(s))
			}
		}
	}
	return out
}

var (
	errNotAccessToken = errors.New("not an access token (typ " + accessTokenType + ")")
	errUnknownKey     = errors.New("unknown signing key")
)

// jwtReason says in a few words why a token failed, without echoing it.
func jwtReason(err error) string {
	switch {
	case errors.Is(err, errNotAccessToken):
		return errNotAccessToken.Error()
	case errors.Is(err, jwt.ErrTokenExpired):
		return "expired"
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return "issued for another resource (audience)"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "issued by another authorization server"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "signature not valid for this server's keys"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "a required claim (aud, exp) is missing"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "malformed"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "not valid yet"
	}
	return "rejected"
}
