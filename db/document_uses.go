package db

import (
	"context"
	"errors"
	"fmt"

	"github.com/kycd/kycd/models"
)

// RecordDocumentUse stores that a document number (hashed by the caller, with the issuing
// country) was presented by an identity (hashed too) in a verification, and returns an
// earlier use of the same number by a different identity in the scope, or nil. Recording
// the same verification twice is a no-op.
func (s *Store) RecordDocumentUse(ctx context.Context, u *models.DocumentUse) (*models.DocumentUse, error) {
	if u.NumberHash == "" || u.IdentityHash == "" || u.VerificationID == "" {
		return nil, errors.New("record document use: number, identity and verification are required")
	}
	var other *models.DocumentUse
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		var rows []models.DocumentUse
		err := tx.NewSelect().Model(&rows).Where("account_id = ?", u.AccountID).Where("mode = ?", u.Mode).
			Where("number_hash = ?", u.NumberHash).Where("identity_hash <> ?", u.IdentityHash).
			Where("verification_id <> ?", u.VerificationID).Order("id ASC").Limit(1).Scan(ctx)
		if err != nil {
			return fmt.Errorf("find document uses: %w", err)
		}
		if len(rows) > 0 {
			other = &rows[0]
		}
		if u.CreatedAt.IsZero() {
			u.CreatedAt = s.Now()
		}
		u.ID = NewID("doc", u.CreatedAt)
		_, err = tx.NewInsert().Model(u).On("CONFLICT (account_id, mode, number_hash, verification_id) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("record document use: %w", err)
		}
		return nil
	})
	return other, err
}
