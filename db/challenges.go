package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kycd/kycd/models"
)

// InsertChallenge stores a new liveness challenge; the caller keeps the nonce, only its
// hash is stored.
func (s *Store) InsertChallenge(ctx context.Context, c *models.LivenessChallenge, nonce string) error {
	if nonce == "" || c.VerificationID == "" || c.Steps == "" {
		return errors.New("insert liveness challenge: nonce, verification and steps are required")
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.Now()
	}
	c.ID = NewID("lch", c.CreatedAt)
	c.NonceHash = HashSecret(nonce)
	if _, err := s.DB.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("insert liveness challenge: %w", err)
	}
	return nil
}

// GetChallengeByNonce finds the challenge a nonce answers, in the scope.
func (s *Store) GetChallengeByNonce(ctx context.Context, sc Scope, nonce string) (*models.LivenessChallenge, error) {
	c := new(models.LivenessChallenge)
	err := s.DB.NewSelect().Model(c).Where("nonce_hash = ?", HashSecret(nonce)).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "liveness challenge")
	}
	return c, nil
}

// GetChallenge reads a challenge by id in the scope.
func (s *Store) GetChallenge(ctx context.Context, sc Scope, id string) (*models.LivenessChallenge, error) {
	c := new(models.LivenessChallenge)
	err := s.DB.NewSelect().Model(c).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "liveness challenge")
	}
	return c, nil
}

// Challenge use errors: a nonce answers once, before its deadline.
var (
	ErrChallengeUsed    = errors.New("liveness challenge already used")
	ErrChallengeExpired = errors.New("liveness challenge expired")
)

// UseChallenge marks a challenge used at now. It succeeds once: a second use returns
// ErrChallengeUsed and a use at or after the deadline ErrChallengeExpired (the row is then
// left unused, so the error stays the same on repeat). The check and the mark are one
// conditional UPDATE, so two concurrent submissions cannot both pass.
func (tx *Tx) UseChallenge(ctx context.Context, sc Scope, id string, now time.Time) error {
	res, err := tx.NewUpdate().Model((*models.LivenessChallenge)(nil)).Set("used_at = ?", now.UTC()).
		Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("used_at IS NULL").Where("expires_at > ?", now.UTC()).Exec(ctx)
	if err != nil {
		return fmt.Errorf("use liveness challenge: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	c := new(models.LivenessChallenge)
	err = tx.NewSelect().Model(c).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	switch {
	case err != nil:
		return notFound(err, "liveness challenge")
	case c.UsedAt != nil:
		return ErrChallengeUsed
	default:
		return ErrChallengeExpired
	}
}

// SetChallengeResult stores the verdict on a used challenge's capture.
func (s *Store) SetChallengeResult(ctx context.Context, sc Scope, id string, passed bool, result any) error {
	b, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("encode liveness result: %w", err)
	}
	r := string(b)
	res, err := s.DB.NewUpdate().Model((*models.LivenessChallenge)(nil)).Set("passed = ?", passed).Set("result = ?", r).
		Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Where("used_at IS NOT NULL").Exec(ctx)
	if err != nil {
		return fmt.Errorf("store liveness result: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("liveness challenge %s (not found or not used): %w", id, ErrNotFound)
	}
	return nil
}

// LatestChallengeResult returns the verification's most recent challenge with a verdict.
func (s *Store) LatestChallengeResult(ctx context.Context, sc Scope, verificationID string) (*models.LivenessChallenge, error) {
	c := new(models.LivenessChallenge)
	err := s.DB.NewSelect().Model(c).Where("verification_id = ?", verificationID).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Where("result IS NOT NULL").Order("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "liveness result")
	}
	return c, nil
}

// ChallengeIssued reports whether any liveness challenge was issued for the verification: its
// active step was started, so it may not be decided on the passive score alone.
func (s *Store) ChallengeIssued(ctx context.Context, sc Scope, verificationID string) (bool, error) {
	return s.DB.NewSelect().Model((*models.LivenessChallenge)(nil)).Where("verification_id = ?", verificationID).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Exists(ctx)
}

// ErrChallengeLimit: the verification has been issued all the liveness challenges it may have.
var ErrChallengeLimit = errors.New("liveness challenge limit reached")

// IssueChallenge stores a new challenge unless the verification already has max of them
// (ErrChallengeLimit). The verification is locked while counting, so concurrent requests
// cannot draw more than max between them.
func (s *Store) IssueChallenge(ctx context.Context, sc Scope, c *models.LivenessChallenge, nonce string, max int) error {
	if nonce == "" || c.VerificationID == "" || c.Steps == "" {
		return errors.New("issue liveness challenge: nonce, verification and steps are required")
	}
	return s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		if _, err := tx.LockVerification(ctx, sc, c.VerificationID); err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*models.LivenessChallenge)(nil)).Where("verification_id = ?", c.VerificationID).
			Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Count(ctx)
		if err != nil {
			return fmt.Errorf("count liveness challenges: %w", err)
		}
		if n >= int64(max) {
			return ErrChallengeLimit
		}
		if c.CreatedAt.IsZero() {
			c.CreatedAt = s.Now()
		}
		c.ID = NewID("lch", c.CreatedAt)
		c.NonceHash = HashSecret(nonce)
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return fmt.Errorf("insert liveness challenge: %w", err)
		}
		return nil
	})
}

// CountChallenges is how many liveness challenges the verification was issued, and whether
// one of them passed.
func (s *Store) CountChallenges(ctx context.Context, sc Scope, verificationID string) (n int, passed bool, err error) {
	var rows []models.LivenessChallenge
	err = s.DB.NewSelect().Model(&rows).Column("id", "passed").Where("verification_id = ?", verificationID).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("count liveness challenges: %w", err)
	}
	for _, r := range rows {
		passed = passed || r.Passed != nil && *r.Passed
	}
	return len(rows), passed, nil
}
