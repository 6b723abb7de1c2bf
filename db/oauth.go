package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// The storage of kycd's built-in OAuth authorization server (issue #26). Secrets — codes and
// refresh tokens — are stored as hashes only; signing keys are sealed with the keyring.

// OAuthSigningKey is one key that signs (or signed) access tokens.
type OAuthSigningKey struct {
	bun.BaseModel `bun:"table:oauth_signing_keys"`
	ID            string `bun:"id,pk"`
	Alg           string `bun:"alg"`
	// PrivateKey is the PKCS #8 DER of the private key, sealed.
	PrivateKey []byte `bun:"private_key"`
	// PublicJWK is the public key as a JWK (JSON), published at the JWKS URI.
	PublicJWK string     `bun:"public_jwk"`
	CreatedAt time.Time  `bun:"created_at"`
	RetiredAt *time.Time `bun:"retired_at"`
}

// OAuthClient is a client known to the authorization server.
type OAuthClient struct {
	bun.BaseModel `bun:"table:oauth_clients"`
	ID            string `bun:"id,pk"`
	// Kind is "dcr" (registered through RFC 7591) or "metadata" (a Client ID Metadata Document).
	Kind string `bun:"kind"`
	Name string `bun:"name"`
	// RedirectURIs is a JSON array.
	RedirectURIs string `bun:"redirect_uris"`
	// Metadata is the client's metadata as registered or fetched (JSON).
	Metadata  string    `bun:"metadata"`
	CreatedAt time.Time `bun:"created_at"`
	FetchedAt time.Time `bun:"fetched_at"`
}

// OAuthConsent is what an operator approved: for one client, one account, one mode, its scopes
// and the resource the tokens are for. A code carries it until it becomes a grant.
type OAuthConsent struct {
	ClientID   string      `bun:"client_id"`
	ClientName string      `bun:"client_name"`
	UserID     string      `bun:"user_id"`
	AccountID  string      `bun:"account_id"`
	Mode       models.Mode `bun:"mode"`
	// Scopes is a JSON array of tool scopes.
	Scopes   string `bun:"scopes"`
	Resource string `bun:"resource"`
}

// OAuthGrant is one operator's consent for one client, bound to one account and mode.
type OAuthGrant struct {
	bun.BaseModel `bun:"table:oauth_grants"`
	ID            string `bun:"id,pk"`
	OAuthConsent
	CreatedAt    time.Time  `bun:"created_at"`
	LastUsedAt   *time.Time `bun:"last_used_at"`
	RevokedAt    *time.Time `bun:"revoked_at"`
	RevokeReason string     `bun:"revoke_reason"`
}

// OAuthCode is an authorization code waiting to be exchanged, with the consent it carries.
type OAuthCode struct {
	bun.BaseModel `bun:"table:oauth_codes"`
	CodeHash      string `bun:"code_hash,pk"`
	OAuthConsent
	RedirectURI   string `bun:"redirect_uri"`
	CodeChallenge string `bun:"code_challenge"`
	// GrantID is the grant the code was exchanged for ("" until then).
	GrantID   string     `bun:"grant_id"`
	ExpiresAt time.Time  `bun:"expires_at"`
	UsedAt    *time.Time `bun:"used_at"`
}

// OAuthRefreshToken is one refresh token of a grant (hash only).
type OAuthRefreshToken struct {
	bun.BaseModel `bun:"table:oauth_refresh_tokens"`
	TokenHash     string     `bun:"token_hash,pk"`
	GrantID       string     `bun:"grant_id"`
	CreatedAt     time.Time  `bun:"created_at"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	UsedAt        *time.Time `bun:"used_at"`
}

// ErrTokenReused means a spent authorization code or refresh token was presented again; the
// grant it belonged to has been revoked.
var ErrTokenReused = errors.New("token reused")

// CreateOAuthSigningKey stores a new signing key; privateDER is sealed here.
func (s *Store) CreateOAuthSigningKey(ctx context.Context, id, alg string, privateDER []byte, publicJWK string) (*OAuthSigningKey, error) {
	sealed, err := s.keys.Seal(privateDER)
	if err != nil {
		return nil, fmt.Errorf("seal signing key: %w", err)
	}
	k := &OAuthSigningKey{ID: id, Alg: alg, PrivateKey: sealed, PublicJWK: publicJWK, CreatedAt: s.Now()}
	if _, err := s.DB.NewInsert().Model(k).Exec(ctx); err != nil {
		return nil, fmt.Errorf("insert signing key: %w", err)
	}
	return k, nil
}

// OAuthSigningKeys returns the keys not retired, newest first.
func (s *Store) OAuthSigningKeys(ctx context.Context) ([]OAuthSigningKey, error) {
	var ks []OAuthSigningKey
	err := s.DB.NewSelect().Model(&ks).Where("retired_at IS NULL").Order("created_at DESC", "id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return ks, nil
}

// OpenOAuthSigningKey unseals a key's private part (PKCS #8 DER).
func (s *Store) OpenOAuthSigningKey(k *OAuthSigningKey) ([]byte, error) {
	der, err := s.keys.Open(k.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("open signing key %s: %w", k.ID, err)
	}
	return der, nil
}

// RetireOAuthSigningKeys retires every key created before cutoff except keep: they are no
// longer published, so tokens they signed stop validating.
func (s *Store) RetireOAuthSigningKeys(ctx context.Context, cutoff time.Time, keep string) error {
	_, err := s.DB.NewUpdate().Model((*OAuthSigningKey)(nil)).Set("retired_at = ?", s.Now()).
		Where("retired_at IS NULL").Where("created_at < ?", cutoff).Where("id <> ?", keep).Exec(ctx)
	if err != nil {
		return fmt.Errorf("retire signing keys: %w", err)
	}
	return nil
}

// SaveOAuthClient inserts or replaces a client (a metadata document is refetched into the same row).
func (s *Store) SaveOAuthClient(ctx context.Context, c *OAuthClient) error {
	_, err := s.DB.NewInsert().Model(c).On("CONFLICT (id) DO UPDATE").
		Set("name = EXCLUDED.name").Set("redirect_uris = EXCLUDED.redirect_uris").
		Set("metadata = EXCLUDED.metadata").Set("fetched_at = EXCLUDED.fetched_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("save oauth client: %w", err)
	}
	return nil
}

// OAuthClientByID reads a client.
func (s *Store) OAuthClientByID(ctx context.Context, id string) (*OAuthClient, error) {
	c := new(OAuthClient)
	if err := s.DB.NewSelect().Model(c).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "oauth client")
	}
	return c, nil
}

// CreateOAuthCode stores an authorization code (its hash) with the consent it carries.
func (s *Store) CreateOAuthCode(ctx context.Context, code string, c *OAuthCode) error {
	c.CodeHash = HashSecret(code)
	if _, err := s.DB.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("insert oauth code: %w", err)
	}
	return nil
}

// RedeemOAuthCode spends a code and creates its grant with a first refresh token, in one
// transaction. check runs on the code before it is spent (client, redirect URI, PKCE); its
// error is returned as is. A code presented a second time revokes the grant it was exchanged
// for and answers ErrTokenReused; an unknown or expired code ErrNotFound.
func (s *Store) RedeemOAuthCode(ctx context.Context, code, grantID, refresh string, refreshTTL time.Duration, check func(*OAuthCode) error) (*OAuthGrant, error) {
	var g *OAuthGrant
	var reused bool
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		c := new(OAuthCode)
		if err := tx.NewSelect().Model(c).Where("code_hash = ?", HashSecret(code)).Scan(ctx); err != nil {
			return notFound(err, "oauth code")
		}
		now := s.Now()
		if c.UsedAt != nil {
			reused = true
			return tx.revokeOAuthGrant(ctx, c.GrantID, "authorization code reused")
		}
		if now.After(c.ExpiresAt) {
			return fmt.Errorf("oauth code expired: %w", ErrNotFound)
		}
		if err := check(c); err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model(c).Set("used_at = ?", now).Set("grant_id = ?", grantID).
			Where("code_hash = ?", c.CodeHash).Where("used_at IS NULL").Exec(ctx)
		if err != nil {
			return fmt.Errorf("spend oauth code: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("oauth code spent concurrently: %w", ErrNotFound)
		}
		g = &OAuthGrant{ID: grantID, OAuthConsent: c.OAuthConsent, CreatedAt: now, LastUsedAt: &now}
		if _, err := tx.NewInsert().Model(g).Exec(ctx); err != nil {
			return fmt.Errorf("insert oauth grant: %w", err)
		}
		return tx.insertRefresh(ctx, grantID, refresh, refreshTTL)
	})
	if reused && err == nil {
		return nil, fmt.Errorf("authorization code: %w", ErrTokenReused)
	}
	if err != nil {
		return nil, err
	}
	return g, nil
}

func (tx *Tx) insertRefresh(ctx context.Context, grantID, refresh string, ttl time.Duration) error {
	now := tx.store.Now()
	rt := &OAuthRefreshToken{TokenHash: HashSecret(refresh), GrantID: grantID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if _, err := tx.NewInsert().Model(rt).Exec(ctx); err != nil {
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// RotateOAuthRefreshToken spends a refresh token and issues next in its place, returning the
// live grant. A spent token presented again revokes the whole grant (ErrTokenReused); an
// unknown or expired token, or one of a revoked grant, is ErrNotFound. check runs on the grant
// before anything is spent (the client must be the grant's).
func (s *Store) RotateOAuthRefreshToken(ctx context.Context, refresh, next string, ttl time.Duration, check func(*OAuthGrant) error) (*OAuthGrant, error) {
	g := new(OAuthGrant)
	var reused bool
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		rt := new(OAuthRefreshToken)
		if err := tx.NewSelect().Model(rt).Where("token_hash = ?", HashSecret(refresh)).Scan(ctx); err != nil {
			return notFound(err, "refresh token")
		}
		if err := tx.NewSelect().Model(g).Where("id = ?", rt.GrantID).Scan(ctx); err != nil {
			return notFound(err, "oauth grant")
		}
		if err := check(g); err != nil {
			return err
		}
		now := s.Now()
		if rt.UsedAt != nil {
			reused = true
			return tx.revokeOAuthGrant(ctx, g.ID, "refresh token reused")
		}
		if g.RevokedAt != nil || now.After(rt.ExpiresAt) {
			return fmt.Errorf("refresh token revoked or expired: %w", ErrNotFound)
		}
		res, err := tx.NewUpdate().Model(rt).Set("used_at = ?", now).Where("token_hash = ?", rt.TokenHash).Where("used_at IS NULL").Exec(ctx)
		if err != nil {
			return fmt.Errorf("spend refresh token: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("refresh token spent concurrently: %w", ErrNotFound)
		}
		if _, err := tx.NewUpdate().Model(g).Set("last_used_at = ?", now).Where("id = ?", g.ID).Exec(ctx); err != nil {
			return fmt.Errorf("touch grant: %w", err)
		}
		return tx.insertRefresh(ctx, g.ID, next, ttl)
	})
	if reused && err == nil {
		return nil, fmt.Errorf("refresh token: %w", ErrTokenReused)
	}
	if err != nil {
		return nil, err
	}
	return g, nil
}

// OAuthGrantOfRefreshToken names the grant a refresh token belongs to (spent or not).
func (s *Store) OAuthGrantOfRefreshToken(ctx context.Context, refresh string) (string, error) {
	rt := new(OAuthRefreshToken)
	if err := s.DB.NewSelect().Model(rt).Where("token_hash = ?", HashSecret(refresh)).Scan(ctx); err != nil {
		return "", notFound(err, "refresh token")
	}
	return rt.GrantID, nil
}

// OAuthGrantByID reads a grant, revoked or not.
func (s *Store) OAuthGrantByID(ctx context.Context, id string) (*OAuthGrant, error) {
	g := new(OAuthGrant)
	if err := s.DB.NewSelect().Model(g).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "oauth grant")
	}
	return g, nil
}

// TouchOAuthGrant records a use of a grant's access token, at most once a minute.
func (s *Store) TouchOAuthGrant(ctx context.Context, id string) error {
	now := s.Now()
	_, err := s.DB.NewUpdate().Model((*OAuthGrant)(nil)).Set("last_used_at = ?", now).Where("id = ?", id).
		Where("last_used_at IS NULL OR last_used_at < ?", now.Add(-time.Minute)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("touch oauth grant: %w", err)
	}
	return nil
}

// ListOAuthGrants lists the live grants of an account and mode, newest first.
func (s *Store) ListOAuthGrants(ctx context.Context, sc Scope, limit int) ([]OAuthGrant, error) {
	var gs []OAuthGrant
	err := s.DB.NewSelect().Model(&gs).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("revoked_at IS NULL").Order("created_at DESC", "id DESC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list oauth grants: %w", err)
	}
	return gs, nil
}

// RevokeOAuthGrant revokes a grant of the scope (an empty scope: any account, for the token
// endpoint's revocation, which proves possession of a token instead). Revoking twice keeps the
// first time.
func (s *Store) RevokeOAuthGrant(ctx context.Context, sc Scope, id, reason string) (*OAuthGrant, error) {
	g := new(OAuthGrant)
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		q := tx.NewSelect().Model(g).Where("id = ?", id)
		if sc.AccountID != "" {
			q = q.Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
		}
		if err := q.Scan(ctx); err != nil {
			return notFound(err, "oauth grant")
		}
		if g.RevokedAt != nil {
			return nil
		}
		now := s.Now()
		g.RevokedAt, g.RevokeReason = &now, reason
		return tx.revokeOAuthGrant(ctx, id, reason)
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// revokeOAuthGrant marks the grant revoked and spends its refresh tokens.
func (tx *Tx) revokeOAuthGrant(ctx context.Context, id, reason string) error {
	if id == "" {
		return nil
	}
	now := tx.store.Now()
	_, err := tx.NewUpdate().Model((*OAuthGrant)(nil)).Set("revoked_at = ?", now).Set("revoke_reason = ?", reason).
		Where("id = ?", id).Where("revoked_at IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke oauth grant: %w", err)
	}
	_, err = tx.NewUpdate().Model((*OAuthRefreshToken)(nil)).Set("used_at = ?", now).Where("grant_id = ?", id).Where("used_at IS NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke refresh tokens: %w", err)
	}
	return nil
}
