package tools

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// ScheduleApplicantDeletionInput names the applicant and when to erase it.
type ScheduleApplicantDeletionInput struct {
	ID     string    `json:"id" jsonschema:"applicant id (app_…)" maxLength:"64"`
	At     time.Time `json:"at" jsonschema:"when to erase it (RFC 3339); now or later, at most 10 years ahead"`
	Reason string    `json:"reason,omitempty" jsonschema:"why, for the audit trail (kept in the event; write no personal data here)" maxLength:"500"`
}

// ScheduledDeletion is an applicant's deletion state.
type ScheduledDeletion struct {
	ID          string     `json:"id" jsonschema:"the applicant (app_…)"`
	ScheduledAt *time.Time `json:"deletion_scheduled_at" jsonschema:"when it will be erased; null when no deletion is scheduled (restored)"`
	EventID     string     `json:"event_id" jsonschema:"the applicant.deletion_scheduled or applicant.restored event (evt_…)"`
}

// ScheduleApplicantDeletion schedules an applicant's erasure.
var ScheduleApplicantDeletion = Tool[ScheduleApplicantDeletionInput, ScheduledDeletion]{
	Name:     "schedule_applicant_deletion",
	Examples: []string{`{"id":"app_01kbx4r7c8d9e0f1g2h3j4k5m6","at":"2027-01-31T00:00:00Z","reason":"customer closed their account"}`},
	Title:    "Schedule applicant deletion",
	Description: "Schedule the erasure of an applicant's personal data (as delete_applicant does) at a time: until then the applicant is hidden " +
		"(get_applicant and list_applicants do not show it) and frozen (a new verification with its external_ref is refused), and restore_applicant " +
		"undoes it. A background job erases it at `at`. Scheduling again moves the time. A legal hold (set_retention_policy) refuses it. " +
		"Records applicant.deletion_scheduled; the erasure records applicant.deleted.",
	Brief:       "erase an applicant at a later time (hidden and frozen meanwhile; `restore_applicant` undoes it); `applicant.deletion_scheduled`",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/applicants/{id}/deletion"},
	Summary: func(s ScheduledDeletion) string {
		return fmt.Sprintf("Applicant %s will be erased at %s.", s.ID, s.ScheduledAt.Format(time.RFC3339))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ScheduleApplicantDeletionInput) (ScheduledDeletion, error) {
		if !strings.HasPrefix(in.ID, "app_") {
			return ScheduledDeletion{}, invalid("id", "applicant ids start with app_")
		}
		now := d.Store.Now()
		at := in.At.UTC()
		switch {
		case at.Before(now.Add(-time.Minute)):
			return ScheduledDeletion{}, invalid("at", "is in the past; to erase now, call delete_applicant")
		case at.After(now.AddDate(10, 0, 0)):
			return ScheduledDeletion{}, invalid("at", "is more than 10 years ahead")
		}
		var (
			a  *models.Applicant
			ev *models.Event
		)
		err := d.Store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			var err error
			a, ev, err = d.Verify.ScheduleApplicantDeletion(ctx, tx, c.scope(), in.ID, at, in.Reason, c.Actor())
			return err
		})
		if err != nil {
			return ScheduledDeletion{}, storeErr(err, "applicant", "id")
		}
		return ScheduledDeletion{ID: a.ID, ScheduledAt: a.DeletionScheduledAt, EventID: ev.ID}, nil
	},
}
