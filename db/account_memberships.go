package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// AccountMembership is a further account an operator may act for, with their role there.
type AccountMembership struct {
	bun.BaseModel `bun:"table:user_account_memberships"`
	UserID        string    `bun:"user_id,pk"`
	AccountID     string    `bun:"account_id,pk"`
	Role          string    `bun:"role"`
	CreatedAt     time.Time `bun:"created_at"`
}

// SetAccountMembership gives a user a role in a further account (or changes it).
func (s *Store) SetAccountMembership(ctx context.Context, m *AccountMembership) error {
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.Now().UTC()
	}
	_, err := s.DB.NewInsert().Model(m).On("CONFLICT (user_id, account_id) DO UPDATE").Set("role = EXCLUDED.role").Exec(ctx)
	if err != nil {
		return fmt.Errorf("set account membership: %w", err)
	}
	return nil
}

// DeleteAccountMembership takes a further account away from a user (ErrNotFound if they had
// none) and, in the same transaction, revokes the OAuth grants they gave for that account and
// drops their unexchanged codes: a token must not outlive its consenting operator's access.
func (s *Store) DeleteAccountMembership(ctx context.Context, userID, accountID string) error {
	return s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		res, err := tx.NewDelete().Model((*AccountMembership)(nil)).Where("user_id = ?", userID).Where("account_id = ?", accountID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("delete account membership: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("account membership: %w", ErrNotFound)
		}
		// Codes approved but not yet exchanged die too.
		if _, err := tx.NewDelete().Model((*OAuthCode)(nil)).Where("user_id = ?", userID).Where("account_id = ?", accountID).
			Where("used_at IS NULL").Exec(ctx); err != nil {
			return fmt.Errorf("drop codes of the membership: %w", err)
		}
		var ids []string
		if err := tx.NewSelect().Model((*OAuthGrant)(nil)).Column("id").Where("user_id = ?", userID).Where("account_id = ?", accountID).
			Where("revoked_at IS NULL").Scan(ctx, &ids); err != nil {
			return fmt.Errorf("find grants of the membership: %w", err)
		}
		for _, id := range ids {
			if err := tx.revokeOAuthGrant(ctx, id, "the operator lost access to the account"); err != nil {
				return err
			}
		}
		return nil
	})
}

// AccountMemberships lists a user's further accounts, by account id.
func (s *Store) AccountMemberships(ctx context.Context, userID string) ([]AccountMembership, error) {
	var out []AccountMembership
	if err := s.DB.NewSelect().Model(&out).Where("user_id = ?", userID).Order("account_id ASC").Scan(ctx); err != nil {
		return nil, fmt.Errorf("list account memberships: %w", err)
	}
	return out, nil
}
