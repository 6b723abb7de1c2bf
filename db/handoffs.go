package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kycd/kycd/models"
)

// RecordHandoff stores an issued desktop-to-phone hand-off token of a verification (only its
// hash), so that UseHandoff can let it open the session once. It also deletes the
// verification's hand-offs that have expired: a desktop page issues a fresh one every few
// minutes, so this keeps the table to the live ones of verifications still being worked on.
func (s *Store) RecordHandoff(ctx context.Context, token, verificationID string, expiresAt time.Time) error {
	if token == "" || verificationID == "" || expiresAt.IsZero() {
		return errors.New("record hand-off: token, verification and expiry are required")
	}
	now := s.Now().UTC()
	return s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		_, err := tx.NewDelete().Model((*models.Handoff)(nil)).Where("verification_id = ?", verificationID).
			Where("expires_at <= ?", now).Exec(ctx)
		if err != nil {
			return fmt.Errorf("record hand-off: delete expired: %w", err)
		}
		h := &models.Handoff{TokenHash: HashSecret(token), VerificationID: verificationID, ExpiresAt: expiresAt.UTC(), CreatedAt: now}
		if _, err := tx.NewInsert().Model(h).Exec(ctx); err != nil {
			return fmt.Errorf("record hand-off: %w", err)
		}
		return nil
	})
}

// UseHandoff consumes a hand-off token: it reports true exactly once, for the first use
// before the expiry that RecordHandoff stored, and false for a token used before, expired
// or never recorded. The check and the mark are one conditional UPDATE, so of two
// concurrent uses only one wins.
func (s *Store) UseHandoff(ctx context.Context, token string) (bool, error) {
	now := s.Now().UTC()
	res, err := s.DB.NewUpdate().Model((*models.Handoff)(nil)).Set("redeemed_at = ?", now).
		Where("token_hash = ?", HashSecret(token)).Where("redeemed_at IS NULL").Where("expires_at > ?", now).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("use hand-off: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("use hand-off: %w", err)
	}
	return n == 1, nil
}

// HandoffUsable reports whether a hand-off token is recorded, unused and unexpired, without
// using it (the page a link opens asks before it spends the link).
func (s *Store) HandoffUsable(ctx context.Context, token string) (bool, error) {
	n, err := s.DB.NewSelect().Model((*models.Handoff)(nil)).Where("token_hash = ?", HashSecret(token)).
		Where("redeemed_at IS NULL").Where("expires_at > ?", s.Now().UTC()).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("check hand-off: %w", err)
	}
	return n == 1, nil
}

// PurgeHandoffs deletes every hand-off that expired before now (used or not), including those
// of verifications nobody returned to, and returns how many went.
func (s *Store) PurgeHandoffs(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.DB.NewDelete().Model((*models.Handoff)(nil)).Where("expires_at <= ?", now.UTC()).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("purge hand-offs: %w", err)
	}
	return res.RowsAffected()
}
