package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// The events of scheduled deletion, recorded on the applicant (object_type "applicant"). The
// erasure itself is EventApplicantDeleted.
const (
	EventApplicantDeletionScheduled = "applicant.deletion_scheduled"
	EventApplicantRestored          = "applicant.restored"
)

// Why the retention job erased an applicant (the reason of its applicant.deleted event).
const (
	ReasonScheduledDeletion = "scheduled deletion"
	ReasonRetentionPolicy   = "retention policy"
)

// MaxRetentionDays bounds a retention period (about 30 years).
const MaxRetentionDays = 11000

// legalHold refuses a deletion in the scope while a legal hold is set.
func legalHold(ctx context.Context, tx *db.Tx, sc db.Scope) error {
	hold, err := tx.LegalHold(ctx, sc)
	if err != nil {
		return err
	}
	if hold {
		return fmt.Errorf("account %s (%s): %w", sc.AccountID, sc.Mode, db.ErrLegalHold)
	}
	return nil
}

// ScheduleApplicantDeletion schedules the erasure of an applicant at at: until then it is
// hidden from reads and frozen (no new verification joins it), and restore_applicant undoes
// it. A legal hold refuses it (db.ErrLegalHold). Records applicant.deletion_scheduled.
func (s *Service) ScheduleApplicantDeletion(ctx context.Context, tx *db.Tx, sc db.Scope, id string, at time.Time, reason, by string) (*models.Applicant, *models.Event, error) {
	if err := legalHold(ctx, tx, sc); err != nil {
		return nil, nil, err
	}
	a, err := tx.ScheduleApplicantDeletion(ctx, sc, id, at)
	if err != nil {
		return a, nil, err
	}
	data := map[string]any{"applicant_id": a.ID, "delete_at": at.UTC().Format(time.RFC3339), "requested_by": by}
	if reason != "" {
		data["reason"] = reason
	}
	ev, err := s.applicantEvent(ctx, tx, sc, a.ID, EventApplicantDeletionScheduled, data)
	return a, ev, err
}

// RestoreApplicant cancels a scheduled deletion (db.ErrConflict when none is scheduled, or the
// applicant is already erased). Records applicant.restored.
func (s *Service) RestoreApplicant(ctx context.Context, tx *db.Tx, sc db.Scope, id, by string) (*models.Applicant, *models.Event, error) {
	a, err := tx.RestoreApplicant(ctx, sc, id)
	if err != nil {
		return a, nil, err
	}
	ev, err := s.applicantEvent(ctx, tx, sc, a.ID, EventApplicantRestored, map[string]any{"applicant_id": a.ID, "requested_by": by})
	return a, ev, err
}

func (s *Service) applicantEvent(ctx context.Context, tx *db.Tx, sc db.Scope, id, typ string, data map[string]any) (*models.Event, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	ev := &models.Event{AccountID: sc.AccountID, Mode: sc.Mode, ObjectType: "applicant", ObjectID: id, Type: typ, Data: string(b)}
	if err := s.Emit(ctx, tx, ev, ""); err != nil {
		return nil, err
	}
	return ev, nil
}

// RetentionPass is one pass of the retention job: due scheduled deletions, then the accounts'
// retention policies. Each applicant is erased in its own transaction, so one failure does
// not hold back the rest; the counts say what was done.
type RetentionPass struct {
	Scheduled, ByPolicy, Held int
}

// RunRetention erases, at now, the applicants whose scheduled deletion is due and those that a
// retention policy says are past their period (at most limit of each kind a pass). A legal
// hold skips an applicant (counted as Held); its schedule stays.
func (s *Service) RunRetention(ctx context.Context, store *db.Store, now time.Time, limit int) (RetentionPass, error) {
	var pass RetentionPass
	erase := func(sc db.Scope, id, reason string) (bool, error) {
		err := store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, err := s.EraseApplicant(ctx, tx, sc, id, "", reason, "retention")
			return err
		})
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, db.ErrLegalHold):
			pass.Held++
			return false, nil
		case errors.Is(err, db.ErrConflict), errors.Is(err, db.ErrNotFound): // erased meanwhile
			return false, nil
		}
		return false, err
	}
	due, err := store.DueDeletions(ctx, now, limit)
	if err != nil {
		return pass, err
	}
	for _, a := range due {
		ok, err := erase(db.Scope{AccountID: a.AccountID, Mode: a.Mode}, a.ID, ReasonScheduledDeletion)
		if err != nil {
			return pass, fmt.Errorf("erase %s: %w", a.ID, err)
		}
		if ok {
			pass.Scheduled++
		}
	}
	policies, err := store.ActiveRetentionPolicies(ctx)
	if err != nil {
		return pass, err
	}
	for _, p := range policies {
		sc := db.Scope{AccountID: p.AccountID, Mode: p.Mode}
		ids, err := store.ExpiredApplicants(ctx, sc, now.AddDate(0, 0, -p.DeleteAfterDays), limit)
		if err != nil {
			return pass, err
		}
		for _, id := range ids {
			ok, err := erase(sc, id, ReasonRetentionPolicy)
			if err != nil {
				return pass, fmt.Errorf("erase %s: %w", id, err)
			}
			if ok {
				pass.ByPolicy++
			}
		}
	}
	return pass, nil
}
