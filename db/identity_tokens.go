package db

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// IdentityTokenPrefix starts every reusable identity token.
const IdentityTokenPrefix = "rid_"

// IdentityFace is the face a reusable identity must match: the embedding model's hash and
// vector, and the cross-check model's (both empty when it is off).
type IdentityFace struct {
	Model, CrossCheckModel string
	Embedding, CrossCheck  []byte
}

// IssueIdentityToken creates a reusable identity for an approved verification: a fresh
// rid_… token whose hash is stored with the sealed reference face; the token itself is
// sealed onto the verification so get_verification can show it to the integrator. A second
// call for the same verification returns ErrConflict.
func (tx *Tx) IssueIdentityToken(ctx context.Context, v *models.Verification, f IdentityFace) (string, *models.IdentityToken, error) {
	s := tx.store
	token := IdentityTokenPrefix + RandomBase62(40)
	sealedEmb, err := s.keys.SealFor(v.ID, f.Embedding)
	if err != nil {
		return "", nil, fmt.Errorf("seal embedding: %w", err)
	}
	var sealedCross []byte
	if len(f.CrossCheck) > 0 {
		if sealedCross, err = s.keys.SealFor(v.ID, f.CrossCheck); err != nil {
			return "", nil, fmt.Errorf("seal cross-check embedding: %w", err)
		}
	}
	sealedToken, err := s.keys.SealFor(v.ID, []byte(token))
	if err != nil {
		return "", nil, fmt.Errorf("seal identity token: %w", err)
	}
	now := s.Now()
	t := &models.IdentityToken{ID: NewID("idt", now), AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID,
		ApplicantID: v.ApplicantID, TokenHash: HashSecret(token), Model: f.Model, Embedding: sealedEmb,
		CrossCheckModel: f.CrossCheckModel, CrossCheck: sealedCross, CreatedAt: now}
	res, err := tx.NewInsert().Model(t).On("CONFLICT (verification_id) DO NOTHING").Exec(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("insert identity token: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return "", nil, fmt.Errorf("verification %s already has an identity token: %w", v.ID, ErrConflict)
	}
	_, err = tx.NewUpdate().Model((*models.Verification)(nil)).Set("identity_token = ?", sealedToken).Where("id = ?", v.ID).Exec(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("store identity token on verification: %w", err)
	}
	v.IdentityToken = sealedToken
	return token, t, nil
}

// LookupIdentityToken finds a live (not revoked) token in the scope and returns it with
// its decrypted reference embedding.
func (s *Store) LookupIdentityToken(ctx context.Context, sc Scope, token string) (*models.IdentityToken, []byte, error) {
	return s.liveIdentityToken(ctx, sc, "token_hash", HashSecret(token))
}

// IdentityTokenFor returns the live token issued for a verification, with its embedding.
func (s *Store) IdentityTokenFor(ctx context.Context, sc Scope, verificationID string) (*models.IdentityToken, []byte, error) {
	return s.liveIdentityToken(ctx, sc, "verification_id", verificationID)
}

// liveIdentityToken reads the token whose column equals value in the scope: not found,
// revoked (ErrConflict), or the token with its decrypted embedding.
func (s *Store) liveIdentityToken(ctx context.Context, sc Scope, column, value string) (*models.IdentityToken, []byte, error) {
	t := new(models.IdentityToken)
	err := s.DB.NewSelect().Model(t).Where("? = ?", bun.Ident(column), value).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, nil, notFound(err, "identity token")
	}
	if t.RevokedAt != nil {
		return t, nil, fmt.Errorf("identity token %s was revoked: %w", t.ID, ErrConflict)
	}
	emb, err := s.keys.Open(t.Embedding)
	if err != nil {
		return nil, nil, fmt.Errorf("open identity token embedding: %w", err)
	}
	if len(t.CrossCheck) > 0 {
		if t.CrossCheckOpen, err = s.keys.Open(t.CrossCheck); err != nil {
			return nil, nil, fmt.Errorf("open identity token cross-check embedding: %w", err)
		}
	}
	return t, emb, nil
}

// TouchIdentityToken records a use of a token.
func (tx *Tx) TouchIdentityToken(ctx context.Context, id string) error {
	_, err := tx.NewUpdate().Model((*models.IdentityToken)(nil)).Set("last_used_at = ?", tx.store.Now()).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("touch identity token: %w", err)
	}
	return nil
}

// RevokeIdentityToken revokes a token (by its secret) in the scope and removes the sealed
// copy from its verification. Revoking twice is not an error; the first revocation time stays.
func (s *Store) RevokeIdentityToken(ctx context.Context, sc Scope, token string) (*models.IdentityToken, error) {
	t := new(models.IdentityToken)
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		err := tx.NewSelect().Model(t).Where("token_hash = ?", HashSecret(token)).Where("account_id = ?", sc.AccountID).
			Where("mode = ?", sc.Mode).Scan(ctx)
		if err != nil {
			return notFound(err, "identity token")
		}
		if t.RevokedAt != nil {
			return nil
		}
		now := s.Now()
		t.RevokedAt = &now
		if _, err := tx.NewUpdate().Model(t).Column("revoked_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("revoke identity token: %w", err)
		}
		_, err = tx.NewUpdate().Model((*models.Verification)(nil)).Set("identity_token = NULL").Where("id = ?", t.VerificationID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("clear identity token of verification: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}
