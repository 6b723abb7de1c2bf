package tools_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// A scheduled deletion hides and freezes the applicant, restore_applicant undoes it, a legal
// hold blocks it, and the periodic River job erases the applicant when the time comes, with
// the applicant.deletion_scheduled, applicant.restored and applicant.deleted events.
func TestScheduledDeletion(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		e := tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckFaceMatch: tooltest.Check{Outcome: models.OutcomePass}},
			func(o *jobs.Options, _ *tools.Deps) { o.RetentionInterval = 200 * time.Millisecond })
		create := func(ref string) tools.Verification {
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"applicant": map[string]any{"name": "Erika Mustermann"}, "external_ref": ref}, &v))
			return v
		}
		v := create("r-1")
		app := v.ApplicantID
		later := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)

		require.Equal(t, "at", e.Call(t, e.Test, "schedule_applicant_deletion", map[string]any{"id": app, "at": "2020-01-01T00:00:00Z"}, nil).Field)
		require.Equal(t, tools.CodeNotFound, e.Call(t, e.Live, "schedule_applicant_deletion", map[string]any{"id": app, "at": later}, nil).Code, "another mode")
		var sd tools.ScheduledDeletion
		require.Nil(t, e.Call(t, e.Test, "schedule_applicant_deletion", map[string]any{"id": app, "at": later, "reason": "account closed"}, &sd))
		require.NotNil(t, sd.ScheduledAt)
		require.Equal(t, tools.CodeNotFound, e.Call(t, e.Test, "get_applicant", map[string]any{"id": app}, nil).Code, "hidden")
		require.Equal(t, tools.CodeNotFound, e.Call(t, e.Test, "get_applicant", map[string]any{"external_ref": "r-1"}, nil).Code, "hidden")
		var list tools.ApplicantList
		require.Nil(t, e.Call(t, e.Test, "list_applicants", map[string]any{}, &list))
		require.Empty(t, list.Data)
		te := e.Call(t, e.Test, "create_verification", map[string]any{"external_ref": "r-1"}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeConflict, te.Code, "frozen: %s", te.Message)

		require.Nil(t, e.Call(t, e.Test, "restore_applicant", map[string]any{"id": app}, &sd))
		require.Nil(t, sd.ScheduledAt)
		require.Nil(t, e.Call(t, e.Test, "get_applicant", map[string]any{"id": app}, nil))
		require.Equal(t, tools.CodeConflict, e.Call(t, e.Test, "restore_applicant", map[string]any{"id": app}, nil).Code, "nothing to restore")

		// A legal hold blocks every deletion.
		var pol tools.RetentionPolicy
		require.Nil(t, e.Call(t, e.Test, "set_retention_policy", map[string]any{"delete_after_days": 0, "legal_hold": true}, &pol))
		require.True(t, pol.LegalHold)
		require.Equal(t, tools.CodeConflict, e.Call(t, e.Test, "schedule_applicant_deletion", map[string]any{"id": app, "at": later}, nil).Code)
		require.Equal(t, tools.CodeConflict, e.Call(t, e.Test, "delete_applicant", map[string]any{"id": app}, nil).Code)
		require.Nil(t, e.Call(t, e.Live, "get_retention_policy", map[string]any{}, &pol))
		require.False(t, pol.LegalHold, "the hold is per mode")
		require.Nil(t, e.Call(t, e.Test, "set_retention_policy", map[string]any{"delete_after_days": 0}, nil))

		// Due in a second: the periodic job erases it.
		soon := time.Now().Add(time.Second).UTC().Format(time.RFC3339Nano)
		require.Nil(t, e.Call(t, e.Test, "schedule_applicant_deletion", map[string]any{"id": app, "at": soon}, nil))
		var got tools.Applicant
		require.Eventually(t, func() bool {
			return e.Call(t, e.Test, "get_applicant", map[string]any{"id": app}, &got) == nil && got.DeletedAt != nil
		}, 30*time.Second, 100*time.Millisecond)
		require.Nil(t, got.ExternalRef)
		var gv tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &gv))
		require.Equal(t, "cancelled", gv.Status, "its open verification was cancelled by the erasure")
		require.Equal(t, tools.CodeConflict, e.Call(t, e.Test, "restore_applicant", map[string]any{"id": app}, nil).Code, "too late")

		evs, _, err := s.ListEvents(ctx, db.EventFilter{Scope: db.Scope{AccountID: "acct_a", Mode: models.ModeTest}, ObjectID: app, Ascending: true, Limit: 20})
		require.NoError(t, err)
		var types []string
		for _, ev := range evs {
			types = append(types, ev.Type)
		}
		require.Equal(t, []string{verify.EventApplicantDeletionScheduled, verify.EventApplicantRestored, verify.EventApplicantDeletionScheduled, verify.EventApplicantDeleted}, types)
		require.Contains(t, evs[3].Data, verify.ReasonScheduledDeletion)
	})
}

// A retention policy erases applicants whose verifications all ended longer ago than its
// period; open cases, recent ones and a legal hold are kept.
func TestRetentionPolicy(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		e := tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckFaceMatch: tooltest.Check{Outcome: models.OutcomePass}})
		mk := func(ref string, cancel bool, ago time.Duration) string {
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"applicant": map[string]any{"name": "Max " + ref}, "external_ref": ref}, &v))
			if cancel {
				require.Nil(t, e.Call(t, e.Test, "cancel_verification", map[string]any{"id": v.ID}, nil))
			}
			_, err := s.DB.NewUpdate().Model((*models.Verification)(nil)).Set("updated_at = ?", time.Now().Add(-ago)).Where("id = ?", v.ID).Exec(ctx)
			require.NoError(t, err)
			return v.ApplicantID
		}
		old := mk("old", true, 72*time.Hour)
		recent := mk("recent", true, time.Hour)
		open := mk("open", false, 72*time.Hour)
		live := e.Key(t, "acct_a", models.ModeLive, "")
		_ = live
		require.Nil(t, e.Call(t, e.Test, "set_retention_policy", map[string]any{"delete_after_days": 2, "legal_hold": true}, nil))
		pass, err := e.Verify.RunRetention(ctx, s, time.Now(), 100)
		require.NoError(t, err)
		require.Equal(t, verify.RetentionPass{}, pass, "a policy under legal hold erases nothing")

		require.Nil(t, e.Call(t, e.Test, "set_retention_policy", map[string]any{"delete_after_days": 2}, nil))
		pass, err = e.Verify.RunRetention(ctx, s, time.Now(), 100)
		require.NoError(t, err)
		require.Equal(t, 1, pass.ByPolicy)
		for id, erased := range map[string]bool{old: true, recent: false, open: false} {
			var a tools.Applicant
			require.Nil(t, e.Call(t, e.Test, "get_applicant", map[string]any{"id": id}, &a))
			require.Equal(t, erased, a.DeletedAt != nil, id)
		}
		require.Equal(t, "bad", func() string {
			te := e.Call(t, e.Test, "set_retention_policy", map[string]any{"delete_after_days": -1}, nil)
			if te != nil && te.Field == "delete_after_days" {
				return "bad"
			}
			return "accepted"
		}())
	})
}
