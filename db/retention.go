package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// ErrScheduledForDeletion means the applicant is frozen by a scheduled deletion.
var ErrScheduledForDeletion = errors.New("applicant scheduled for deletion")

// ErrLegalHold means a legal hold on the account and mode blocks deletions.
var ErrLegalHold = errors.New("legal hold")

// lockApplicant reads and locks (PostgreSQL) an applicant of the scope, erased or not.
func (tx *Tx) lockApplicant(ctx context.Context, sc Scope, id string) (*models.Applicant, error) {
	a := new(models.Applicant)
	q := tx.NewSelect().Model(a).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if tx.store.Dialect == Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "applicant")
	}
	return a, nil
}

// ScheduleApplicantDeletion marks an applicant for erasure at at (moving an earlier schedule).
// An erased applicant is ErrConflict.
func (tx *Tx) ScheduleApplicantDeletion(ctx context.Context, sc Scope, id string, at time.Time) (*models.Applicant, error) {
	a, err := tx.lockApplicant(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	if a.DeletedAt != nil {
		return a, fmt.Errorf("applicant %s was erased: %w", id, ErrConflict)
	}
	at = at.UTC()
	a.DeletionScheduledAt, a.UpdatedAt = &at, tx.store.Now()
	if _, err := tx.NewUpdate().Model(a).Column("deletion_scheduled_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("schedule deletion: %w", err)
	}
	return a, nil
}

// RestoreApplicant cancels a scheduled deletion. An applicant without one is ErrConflict.
func (tx *Tx) RestoreApplicant(ctx context.Context, sc Scope, id string) (*models.Applicant, error) {
	a, err := tx.lockApplicant(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	if a.DeletedAt != nil || a.DeletionScheduledAt == nil {
		return a, fmt.Errorf("applicant %s has no scheduled deletion: %w", id, ErrConflict)
	}
	a.DeletionScheduledAt, a.UpdatedAt = nil, tx.store.Now()
	if _, err := tx.NewUpdate().Model(a).Column("deletion_scheduled_at", "updated_at").WherePK().Exec(ctx); err != nil {
		return nil, fmt.Errorf("restore applicant: %w", err)
	}
	return a, nil
}

// DueDeletions lists applicants, of every account, whose scheduled deletion is due at now.
func (s *Store) DueDeletions(ctx context.Context, now time.Time, limit int) ([]models.Applicant, error) {
	var out []models.Applicant
	err := s.DB.NewSelect().Model(&out).Where("deletion_scheduled_at IS NOT NULL").Where("deletion_scheduled_at <= ?", now).
		Where("deleted_at IS NULL").Order("deletion_scheduled_at ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("due deletions: %w", err)
	}
	return out, nil
}

// RetentionPolicy reads the scope's policy (the zero policy — keep for ever, no hold — when none was set).
func (s *Store) RetentionPolicy(ctx context.Context, sc Scope) (*models.RetentionPolicy, error) {
	p := &models.RetentionPolicy{AccountID: sc.AccountID, Mode: sc.Mode}
	if err := s.DB.NewSelect().Model(p).WherePK().Scan(ctx); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("retention policy: %w", err)
	}
	return p, nil
}

// SetRetentionPolicy stores a scope's policy.
func (s *Store) SetRetentionPolicy(ctx context.Context, p *models.RetentionPolicy) error {
	p.UpdatedAt = s.Now()
	_, err := s.DB.NewInsert().Model(p).On("CONFLICT (account_id, mode) DO UPDATE").
		Set("delete_after_days = EXCLUDED.delete_after_days").Set("legal_hold = EXCLUDED.legal_hold").
		Set("updated_at = EXCLUDED.updated_at").Set("updated_by = EXCLUDED.updated_by").Exec(ctx)
	if err != nil {
		return fmt.Errorf("set retention policy: %w", err)
	}
	return nil
}

// LegalHold reports whether a legal hold blocks deletions in the scope (read in tx, so a
// deletion and a hold being set do not cross).
func (tx *Tx) LegalHold(ctx context.Context, sc Scope) (bool, error) {
	p := &models.RetentionPolicy{AccountID: sc.AccountID, Mode: sc.Mode}
	if err := tx.NewSelect().Model(p).WherePK().Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, fmt.Errorf("legal hold: %w", err)
	}
	return p.LegalHold, nil
}

// ActiveRetentionPolicies lists the policies that erase (a period set and no legal hold).
func (s *Store) ActiveRetentionPolicies(ctx context.Context) ([]models.RetentionPolicy, error) {
	var out []models.RetentionPolicy
	err := s.DB.NewSelect().Model(&out).Where("delete_after_days > 0").Where("legal_hold = ?", false).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("retention policies: %w", err)
	}
	return out, nil
}

// ExpiredApplicants lists applicants of the scope, not erased, that have verifications, all
// of them ended (approved, rejected, needs_review excluded — a case still waits), the last
// before cutoff.
func (s *Store) ExpiredApplicants(ctx context.Context, sc Scope, cutoff time.Time, limit int) ([]string, error) {
	var ids []string
	ended := []models.Status{models.StatusApproved, models.StatusRejected, models.StatusExpired, models.StatusCancelled}
	err := s.DB.NewSelect().Model((*models.Applicant)(nil)).Column("a.id").ModelTableExpr("applicants AS a").
		Where("a.account_id = ?", sc.AccountID).Where("a.mode = ?", sc.Mode).Where("a.deleted_at IS NULL").
		Where("EXISTS (SELECT 1 FROM verifications v WHERE v.applicant_id = a.id)").
		Where("NOT EXISTS (SELECT 1 FROM verifications v WHERE v.applicant_id = a.id AND (v.status NOT IN (?) OR v.updated_at >= ?))",
			bun.List(ended), cutoff).
		Order("a.id ASC").Limit(int64(limit)).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("expired applicants: %w", err)
	}
	return ids, nil
}

// ClearDeletionSchedule drops an applicant's scheduled deletion (once it is erased, so the
// erased applicant is shown like any other: with deleted_at and no data).
func (tx *Tx) ClearDeletionSchedule(ctx context.Context, applicantID string) error {
	_, err := tx.NewUpdate().Model((*models.Applicant)(nil)).Set("deletion_scheduled_at = NULL").Where("id = ?", applicantID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("clear deletion schedule: %w", err)
	}
	return nil
}
