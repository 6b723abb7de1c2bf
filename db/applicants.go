package db

import (
	"context"
	"fmt"

	"github.com/kycd/kycd/models"
)

// FindOrCreateApplicant returns the applicant with this external reference in the scope,
// creating it when absent (or always, when ref is nil). pii is the integrator's data, sealed.
func (tx *Tx) FindOrCreateApplicant(ctx context.Context, sc Scope, ref *string, pii any) (*models.Applicant, error) {
	a, key, err := tx.store.newApplicant(sc, ref, pii)
	if err != nil {
		return nil, err
	}
	// ON CONFLICT makes concurrent creations with one reference converge on one applicant.
	res, err := tx.NewInsert().Model(a).On("CONFLICT (account_id, mode, external_ref) WHERE external_ref IS NOT NULL DO NOTHING").Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("insert applicant: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return a, tx.InsertDataKeys(ctx, key)
	}
	existing := new(models.Applicant)
	err = tx.NewSelect().Model(existing).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("external_ref = ?", *ref).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("find applicant: %w", err)
	}
	if existing.DeletionScheduledAt != nil { // frozen until restored or erased
		return nil, fmt.Errorf("applicant %s: %w", existing.ID, ErrScheduledForDeletion)
	}
	return existing, nil
}

// newApplicant is a new applicant row of the scope with its data key (to insert with it) and
// the integrator's data pii, sealed with that key.
func (s *Store) newApplicant(sc Scope, ref *string, pii any) (*models.Applicant, *models.DataKey, error) {
	now := s.Now()
	id := NewID("app", now)
	key, err := s.keys.NewDataKey(id, now)
	if err != nil {
		return nil, nil, err
	}
	sealed, err := s.keys.SealJSONFor(id, pii)
	if err != nil {
		return nil, nil, fmt.Errorf("seal applicant data: %w", err)
	}
	return &models.Applicant{ID: id, AccountID: sc.AccountID, Mode: sc.Mode, ExternalRef: ref, PII: sealed, CreatedAt: now, UpdatedAt: now}, key, nil
}

// GetApplicant reads an applicant by id in the scope.
func (s *Store) GetApplicant(ctx context.Context, sc Scope, id string) (*models.Applicant, error) {
	a := new(models.Applicant)
	err := s.DB.NewSelect().Model(a).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("deletion_scheduled_at IS NULL").Scan(ctx) // a scheduled deletion hides it
	if err != nil {
		return nil, notFound(err, "applicant")
	}
	return a, nil
}

// GetApplicantByRef reads an applicant by the integrator's external reference in the scope.
func (s *Store) GetApplicantByRef(ctx context.Context, sc Scope, ref string) (*models.Applicant, error) {
	a := new(models.Applicant)
	err := s.DB.NewSelect().Model(a).Where("external_ref = ?", ref).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("deletion_scheduled_at IS NULL").Scan(ctx)
	if err != nil {
		return nil, notFound(err, "applicant")
	}
	return a, nil
}

// ListApplicants lists newest first with a cursor (Before = the last id seen).
func (s *Store) ListApplicants(ctx context.Context, sc Scope, before string, limit int) ([]models.Applicant, bool, error) {
	var rows []models.Applicant
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("deletion_scheduled_at IS NULL")
	if before != "" {
		q = q.Where("id < ?", before)
	}
	if err := q.Order("id DESC").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list applicants: %w", err)
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	return rows, more, nil
}

// UpdateApplicantProfile stores the profile as last verified (sealed).
func (tx *Tx) UpdateApplicantProfile(ctx context.Context, applicantID string, profile any) error {
	sealed, err := tx.store.keys.SealJSONFor(applicantID, profile)
	if err != nil {
		return fmt.Errorf("seal profile: %w", err)
	}
	_, err = tx.NewUpdate().Model((*models.Applicant)(nil)).Set("profile = ?", sealed).Set("updated_at = ?", tx.store.Now()).
		Where("id = ?", applicantID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("update applicant profile: %w", err)
	}
	return nil
}
