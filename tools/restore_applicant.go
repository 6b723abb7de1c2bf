package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// RestoreApplicantInput names the applicant.
type RestoreApplicantInput struct {
	ID string `json:"id" jsonschema:"applicant id (app_…)" maxLength:"64"`
}

// RestoreApplicant cancels a scheduled deletion.
var RestoreApplicant = Tool[RestoreApplicantInput, ScheduledDeletion]{
	Name:     "restore_applicant",
	Examples: []string{`{"id":"app_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:    "Restore applicant",
	Description: "Cancel an applicant's scheduled deletion (schedule_applicant_deletion) before it happens: the applicant is shown and usable again. " +
		"An applicant without a scheduled deletion, or already erased, is a conflict. Records applicant.restored.",
	Brief:       "cancel a scheduled deletion before it happens; `applicant.restored`",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/applicants/{id}/restore"},
	Summary:     func(s ScheduledDeletion) string { return fmt.Sprintf("Applicant %s restored.", s.ID) },
	Handle: func(ctx context.Context, d *Deps, c Caller, in RestoreApplicantInput) (ScheduledDeletion, error) {
		if !strings.HasPrefix(in.ID, "app_") {
			return ScheduledDeletion{}, invalid("id", "applicant ids start with app_")
		}
		var (
			a  *models.Applicant
			ev *models.Event
		)
		err := d.Store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			var err error
			a, ev, err = d.Verify.RestoreApplicant(ctx, tx, c.scope(), in.ID, c.Actor())
			return err
		})
		if err != nil {
			return ScheduledDeletion{}, storeErr(err, "applicant", "id")
		}
		return ScheduledDeletion{ID: a.ID, EventID: ev.ID}, nil
	},
}
