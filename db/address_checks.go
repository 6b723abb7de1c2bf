package db

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// InsertAddressCheck writes a new proof-of-address check in tx; ID and CreatedAt are filled
// when empty.
func (tx *Tx) InsertAddressCheck(ctx context.Context, a *models.AddressCheck) error {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = tx.store.Now()
	}
	if a.ID == "" {
		a.ID = NewID("adr", a.CreatedAt)
	}
	if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
		return fmt.Errorf("insert address check: %w", err)
	}
	return nil
}

// GetAddressCheck reads a check of the scope; another account's or mode's is ErrNotFound.
func (s *Store) GetAddressCheck(ctx context.Context, sc Scope, id string) (*models.AddressCheck, error) {
	a := new(models.AddressCheck)
	err := s.DB.NewSelect().Model(a).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "address check "+id)
	}
	return a, nil
}

// LatestAddressCheck returns the newest check attached to a verification.
func (s *Store) LatestAddressCheck(ctx context.Context, sc Scope, verificationID string) (*models.AddressCheck, error) {
	a := new(models.AddressCheck)
	err := s.DB.NewSelect().Model(a).Where("verification_id = ?", verificationID).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Order("id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "address check of "+verificationID)
	}
	return a, nil
}

// AddressCheckFilter selects checks for ListAddressChecks.
type AddressCheckFilter struct {
	Scope
	Statuses       []string
	ExternalRef    string
	VerificationID string
	// Before is the cursor: only ids strictly less (older) than it.
	Before string
	Limit  int
}

// ListAddressChecks lists newest first: up to Limit rows and whether more exist.
func (s *Store) ListAddressChecks(ctx context.Context, f AddressCheckFilter) ([]models.AddressCheck, bool, error) {
	var rows []models.AddressCheck
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", f.AccountID).Where("mode = ?", f.Mode)
	if len(f.Statuses) > 0 {
		q = q.Where("status IN (?)", bun.List(f.Statuses))
	}
	if f.ExternalRef != "" {
		q = q.Where("external_ref = ?", f.ExternalRef)
	}
	if f.VerificationID != "" {
		q = q.Where("verification_id = ?", f.VerificationID)
	}
	if f.Before != "" {
		q = q.Where("id < ?", f.Before)
	}
	if err := q.Order("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list address checks: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	return rows, more, nil
}

// EraseAddressChecks clears the sealed input (declared name and address) and result (what
// was read from the document) of the checks attached to the verifications; the status and
// document kind stay. It returns how many were erased.
func (tx *Tx) EraseAddressChecks(ctx context.Context, sc Scope, verificationIDs []string) (int, error) {
	if len(verificationIDs) == 0 {
		return 0, nil
	}
	return count(tx.NewUpdate().Model((*models.AddressCheck)(nil)).Set("input_sealed = ?", []byte{}).Set("result_sealed = ?", []byte{}).
		Set("external_ref = NULL").
		Where("verification_id IN (?)", bun.List(verificationIDs)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Exec(ctx))
}
