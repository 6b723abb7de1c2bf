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
	err := s.DB.NewSelect().Model(a).ExcludeColumn("document_sealed").Where("id = ?", id).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "address check "+id)
	}
	return a, nil
}

// AddressCheckDocument reads a processing check's sealed document (nil once it was read).
func (s *Store) AddressCheckDocument(ctx context.Context, sc Scope, id string) ([]byte, error) {
	a := new(models.AddressCheck)
	err := s.DB.NewSelect().Model(a).Column("document_sealed").Where("id = ?", id).Where("account_id = ?", sc.AccountID).
		Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "address check "+id)
	}
	return a.Document, nil
}

// FinishAddressCheck stores the decision of a processing check — status, kind, the sealed
// result — clears its document and sets decided_at. It reports false when the check was no
// longer processing (another worker, or the pipeline, decided it first; or it was erased).
func (tx *Tx) FinishAddressCheck(ctx context.Context, sc Scope, a *models.AddressCheck) (bool, error) {
	now := tx.store.Now()
	n, err := count(tx.NewUpdate().Model((*models.AddressCheck)(nil)).Set("status = ?", a.Status).Set("document_kind = ?", a.DocumentKind).
		Set("result_sealed = ?", a.Result).Set("document_sealed = NULL").Set("decided_at = ?", now).
		Where("id = ?", a.ID).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("status = ?", models.AddressProcessing).Exec(ctx))
	if err != nil {
		return false, fmt.Errorf("finish address check %s: %w", a.ID, err)
	}
	if n > 0 {
		a.DecidedAt, a.Document = &now, nil
	}
	return n > 0, nil
}

// LatestAddressCheck returns the newest check attached to a verification.
func (s *Store) LatestAddressCheck(ctx context.Context, sc Scope, verificationID string) (*models.AddressCheck, error) {
	a := new(models.AddressCheck)
	err := s.DB.NewSelect().Model(a).ExcludeColumn("document_sealed").Where("verification_id = ?", verificationID).Where("account_id = ?", sc.AccountID).
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
	q := s.DB.NewSelect().Model(&rows).ExcludeColumn("document_sealed").Where("account_id = ?", f.AccountID).Where("mode = ?", f.Mode)
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

// EraseAddressChecks clears the sealed input (declared name and address), result (what
// was read from the document) and document (while unread) of the checks attached to the verifications; the status and
// document kind stay. It returns how many were erased.
func (tx *Tx) EraseAddressChecks(ctx context.Context, sc Scope, verificationIDs []string) (int, error) {
	if len(verificationIDs) == 0 {
		return 0, nil
	}
	return count(tx.NewUpdate().Model((*models.AddressCheck)(nil)).Set("input_sealed = ?", []byte{}).Set("result_sealed = ?", []byte{}).
		Set("document_sealed = NULL").Set("external_ref = NULL").
		Where("verification_id IN (?)", bun.List(verificationIDs)).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Exec(ctx))
}
