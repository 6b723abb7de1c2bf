package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/models"
)

// NewKey describes an API key to create.
type NewKey struct {
	AccountID string
	Name      string
	Mode      models.Mode
	Scopes    []string
	Checks    []string
	RateLimit int
	// ScreeningStrongHit overrides the server's strong-hit policy for this key: review, fail or "".
	ScreeningStrongHit string
	// FaceMatchThreshold and LivenessThreshold override the server's (0 = its default).
	FaceMatchThreshold, LivenessThreshold float64
	// FaceMatchRejectThreshold and ReverifyMatchThreshold override the derived face-match
	// review band and re-verification threshold (0 = derived).
	FaceMatchRejectThreshold, ReverifyMatchThreshold float64
	// LivenessRequireActive: this key's liveness checks need a passed active challenge.
	LivenessRequireActive bool
	// EmbedOrigins may frame this key's hosted flow (https://shop.example.com), besides the
	// server's allow-list.
	EmbedOrigins []string
	// DocumentCountries (ICAO codes, validated by the caller: tools.ParseKeyDocumentPolicy)
	// and DocumentTypes bound what this key's verifications accept; empty = the server's.
	DocumentCountries []string
	DocumentTypes     []string
	// HighRiskJurisdictions replace the server's list for this key's business checks (ISO 3166
	// codes, validated by the caller; ["none"] = none; empty = the server's).
	HighRiskJurisdictions []string
	// DefaultFlow is the flow (by name) the key's verifications run when they name none.
	DefaultFlow string
	// ExpiresAt is when the key stops working (nil = never); it must be in the future.
	ExpiresAt *time.Time
}

// CreateAPIKey stores a new key and returns its secret, which is not stored and cannot be shown again.
func (s *Store) CreateAPIKey(ctx context.Context, nk NewKey) (string, *models.APIKey, error) {
	if nk.Mode != models.ModeLive && nk.Mode != models.ModeTest {
		return "", nil, fmt.Errorf("mode: must be live or test, got %q", nk.Mode)
	}
	if strings.TrimSpace(nk.Name) == "" {
		return "", nil, errors.New("name: required")
	}
	if nk.ScreeningStrongHit != "" && nk.ScreeningStrongHit != "review" && nk.ScreeningStrongHit != "fail" {
		return "", nil, fmt.Errorf("screening strong hit: must be review or fail, got %q", nk.ScreeningStrongHit)
	}
	for name, t := range map[string]float64{"face match threshold": nk.FaceMatchThreshold, "liveness threshold": nk.LivenessThreshold,
		"face match reject threshold": nk.FaceMatchRejectThreshold, "reverify match threshold": nk.ReverifyMatchThreshold} {
		if t < 0 || t >= 1 || t != t {
			return "", nil, fmt.Errorf("%s: must be above 0 and below 1 (0 = the server's default), got %v", name, t)
		}
	}
	origins := make([]string, 0, len(nk.EmbedOrigins))
	for _, o := range nk.EmbedOrigins {
		n, err := NormalizeOrigin(o)
		if err != nil {
			return "", nil, fmt.Errorf("embed origins: %w", err)
		}
		origins = append(origins, n)
	}
	for _, t := range nk.DocumentTypes {
		if !slices.Contains(models.AllDocumentTypes, models.DocumentType(t)) {
			return "", nil, fmt.Errorf("document types: %q is not one of %v", t, models.AllDocumentTypes)
		}
	}
	if nk.ExpiresAt != nil && !nk.ExpiresAt.After(s.Now()) {
		return "", nil, fmt.Errorf("expires at: %s is not in the future", nk.ExpiresAt.UTC().Format(time.RFC3339))
	}
	if err := s.EnsureAccount(ctx, nk.AccountID, nk.AccountID); err != nil {
		return "", nil, err
	}
	secret := "sk_" + string(nk.Mode) + "_" + RandomBase62(32)
	scopes, _ := json.Marshal(nonNil(nk.Scopes))
	checks, _ := json.Marshal(nonNil(nk.Checks))
	k := &models.APIKey{
		ID:        NewID("key", s.Now()),
		AccountID: nk.AccountID,
		Name:      nk.Name,
		Mode:      nk.Mode,
		Prefix:    secret[:12],
		Hash:      HashSecret(secret),
		Scopes:    string(scopes),
		Checks:    string(checks),
		RateLimit: nk.RateLimit,
		CreatedAt: s.Now(),
	}
	k.ScreeningStrongHit = nk.ScreeningStrongHit // "" = the server default
	k.FaceMatchThreshold, k.LivenessThreshold = nk.FaceMatchThreshold, nk.LivenessThreshold
	k.FaceMatchRejectThreshold, k.ReverifyMatchThreshold = nk.FaceMatchRejectThreshold, nk.ReverifyMatchThreshold
	k.LivenessRequireActive = nk.LivenessRequireActive
	k.EmbedOrigins = strings.Join(origins, ",")
	k.DocumentCountries, k.DocumentTypes = strings.Join(nk.DocumentCountries, ","), strings.Join(nk.DocumentTypes, ",")
	k.HighRiskJurisdictions = strings.Join(nk.HighRiskJurisdictions, ",")
	k.DefaultFlow = nk.DefaultFlow
	if nk.ExpiresAt != nil {
		at := nk.ExpiresAt.UTC()
		k.ExpiresAt = &at
	}
	if _, err := s.DB.NewInsert().Model(k).Exec(ctx); err != nil {
		return "", nil, fmt.Errorf("insert api key: %w", err)
	}
	return secret, k, nil
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// ListAPIKeys lists keys, newest first; accountID "" lists every account's.
func (s *Store) ListAPIKeys(ctx context.Context, accountID string) ([]models.APIKey, error) {
	var keys []models.APIKey
	q := s.DB.NewSelect().Model(&keys).Order("id DESC")
	if accountID != "" {
		q = q.Where("account_id = ?", accountID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	return keys, nil
}

// RevokeAPIKey revokes a key by id or by its display prefix. Revoking twice is not an error.
// On PostgreSQL the revocation is announced (NOTIFY) to every process caching keys.
func (s *Store) RevokeAPIKey(ctx context.Context, idOrPrefix string) (*models.APIKey, error) {
	k := new(models.APIKey)
	err := s.DB.NewSelect().Model(k).Where("id = ? OR prefix = ?", idOrPrefix, idOrPrefix).Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "api key")
	}
	if k.RevokedAt == nil {
		now := s.Now()
		k.RevokedAt = &now
		err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
			if _, err := tx.NewUpdate().Model(k).Column("revoked_at").WherePK().Exec(ctx); err != nil {
				return fmt.Errorf("revoke api key: %w", err)
			}
			if s.Dialect == Postgres {
				if _, err := tx.ExecContext(ctx, "SELECT pg_notify(?, ?)", keyCacheChannel, k.Hash); err != nil {
					return fmt.Errorf("announce revocation: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if s.keyCache != nil {
		s.keyCache.drop(k.Hash)
	}
	return k, nil
}

// LookupAPIKey finds the live (not revoked) key with this secret.
func (s *Store) LookupAPIKey(ctx context.Context, secret string) (*models.APIKey, error) {
	return s.LookupAPIKeyHash(ctx, HashSecret(secret))
}

// LookupAPIKeyHash is LookupAPIKey by the secret's hash (HashSecret), for re-checking a key a
// long-lived connection or wait was opened with: a revoked key is ErrNotFound, through the
// same cache and revocation notices.
func (s *Store) LookupAPIKeyHash(ctx context.Context, hash string) (*models.APIKey, error) {
	var gen uint64
	if s.keyCache != nil {
		var k *models.APIKey
		if k, gen = s.keyCache.get(hash, s.Now()); k != nil {
			return unexpired(k, s.Now())
		}
	}
	k := new(models.APIKey)
	err := s.DB.NewSelect().Model(k).Where("hash = ?", hash).Where("revoked_at IS NULL").Scan(ctx)
	if err != nil {
		return nil, notFound(err, "api key")
	}
	if s.keyCache != nil {
		s.keyCache.put(hash, k, gen, s.Now())
	}
	return unexpired(k, s.Now())
}

// unexpired answers ErrNotFound for a key past its expiry, as for a revoked one.
func unexpired(k *models.APIKey, now time.Time) (*models.APIKey, error) {
	if k.ExpiresAt != nil && !now.Before(*k.ExpiresAt) {
		return nil, fmt.Errorf("api key expired at %s: %w", k.ExpiresAt.UTC().Format(time.RFC3339), ErrNotFound)
	}
	return k, nil
}

// ExpiringAPIKeys lists the unrevoked keys, of every account, that expire after now and no
// later than until.
func (s *Store) ExpiringAPIKeys(ctx context.Context, now, until time.Time) ([]models.APIKey, error) {
	var out []models.APIKey
	err := s.DB.NewSelect().Model(&out).Where("expires_at IS NOT NULL").Where("revoked_at IS NULL").
		Where("expires_at > ?", now).Where("expires_at <= ?", until).Order("expires_at ASC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("expiring api keys: %w", err)
	}
	return out, nil
}
