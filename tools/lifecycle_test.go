package tools_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

func engines() map[models.Check]verify.CheckRunner {
	return map[models.Check]verify.CheckRunner{
		models.CheckDocument:  tooltest.Check{Outcome: models.OutcomePass, Needs: "the applicant's name"},
		models.CheckScreening: tooltest.Check{Outcome: models.OutcomeReview},
		models.CheckAge:       tooltest.Check{Outcome: models.OutcomeFail},
	}
}

func waitStatus(t *testing.T, e *tooltest.Env, c tools.Caller, id string, want ...string) tools.Verification {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var v tools.Verification
		require.Nil(t, e.Call(t, c, "get_verification", map[string]any{"id": id}, &v))
		for _, w := range want {
			if v.Status == w {
				return v
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("verification %s stayed %s, want %v", id, v.Status, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestVerificationLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())

		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{
			"document_type": "passport",
			"checks":        []string{"document"},
			"applicant":     map[string]any{"name": " Erika  Mustermann ", "email": "erika@example.com", "dob": "1964-08-12", "country": "de"},
			"external_ref":  "cust-1",
			"metadata":      map[string]any{"plan": "gold", "n": 3},
			"min_age":       18,
			"locale":        "de",
		}, &v))
		require.Regexp(t, `^ver_`, v.ID)
		require.Regexp(t, `^VER-[2-9A-HJ-NP-Z]{8}$`, v.Reference)
		require.Equal(t, "pending", v.Status)
		require.Equal(t, "test", v.Mode)
		require.Equal(t, "passport", *v.DocumentType)
		require.Equal(t, "Erika Mustermann", v.Applicant.Name)
		require.Equal(t, "DE", v.Applicant.Country)
		require.Equal(t, "gold", v.Metadata["plan"])
		require.Nil(t, v.Result)
		require.True(t, strings.HasPrefix(v.HostedURL, "https://kyc.example.test/verify/vst_"))
		require.WithinDuration(t, v.CreatedAt.Add(30*time.Minute), v.ExpiresAt, time.Second)

		// Same external_ref → same applicant.
		var v2 tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "external_ref": "cust-1"}, &v2))
		require.Equal(t, v.ApplicantID, v2.ApplicantID)

		// Another mode or account: not found, never forbidden.
		for _, c := range []tools.Caller{e.Live, e.OtherAccount} {
			te := e.Call(t, c, "get_verification", map[string]any{"id": v.ID}, nil)
			require.NotNil(t, te)
			require.Equal(t, tools.CodeNotFound, te.Code)
			te = e.Call(t, c, "cancel_verification", map[string]any{"id": v.ID}, nil)
			require.Equal(t, tools.CodeNotFound, te.Code)
		}
		te := e.Call(t, e.ReadOnly, "create_verification", map[string]any{}, nil)
		require.Equal(t, tools.CodePermissionDenied, te.Code)

		// Submit → processing → the pipeline decides.
		var sub tools.Verification
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, &sub))
		require.Equal(t, "processing", sub.Status)
		require.NotNil(t, sub.SubmittedAt)
		done := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "approved", done.Status)
		require.Equal(t, models.StatusApproved, done.Result.Decision)
		require.Len(t, done.Result.Checks, 1)
		require.Equal(t, "test", done.Result.Checks[0].Versions["engine"])

		var events tools.EventList
		require.Nil(t, e.Call(t, e.Test, "list_verification_events", map[string]any{"id": v.ID}, &events))
		var types []string
		for i, ev := range events.Data {
			types = append(types, ev.Type)
			require.EqualValues(t, i+1, ev.Seq)
		}
		require.Equal(t, []string{"verification.created", "verification.processing", "verification.completed"}, types)

		// The applicant keeps the verified profile and the history.
		var app tools.Applicant
		require.Nil(t, e.Call(t, e.Test, "get_applicant", map[string]any{"external_ref": "cust-1"}, &app))
		require.Equal(t, v.ApplicantID, app.ID)
		require.NotNil(t, app.Profile)
		require.Equal(t, "Erika Mustermann", app.Profile.Name)
		require.Len(t, app.Verifications, 2)
		te = e.Call(t, e.OtherAccount, "get_applicant", map[string]any{"id": app.ID}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)

		// Review and fail outcomes.
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v2.ID}, nil))
		rv := waitStatus(t, e, e.Test, v2.ID, "approved", "needs_review", "rejected")
		require.Equal(t, "needs_review", rv.Status)
		require.Equal(t, "test_review", rv.Result.Reasons[0].Code)
		require.Equal(t, "screening", rv.Result.Reasons[0].Check)

		var v3 tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"age", "screening"}}, &v3))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v3.ID}, nil))
		require.Equal(t, "rejected", waitStatus(t, e, e.Test, v3.ID, "approved", "needs_review", "rejected").Status)

		// A decided verification cannot be cancelled or resubmitted.
		te = e.Call(t, e.Test, "cancel_verification", map[string]any{"id": v.ID}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "approved")
		te = e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
	})
}

func TestSubmitListsMissingInputs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}}, &v))
		te := e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "document: the applicant's name")
		var got tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Equal(t, "pending", got.Status)
	})
}

func TestCancelAndList(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())
		var ids []string
		for i := range 5 {
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "external_ref": []string{"a", "b"}[i%2]}, &v))
			ids = append(ids, v.ID)
			time.Sleep(2 * time.Millisecond)
		}
		var c tools.Verification
		require.Nil(t, e.Call(t, e.Test, "cancel_verification", map[string]any{"id": ids[0], "reason": "duplicate"}, &c))
		require.Equal(t, "cancelled", c.Status)
		te := e.Call(t, e.Test, "cancel_verification", map[string]any{"id": ids[0]}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)

		var page tools.VerificationList
		require.Nil(t, e.Call(t, e.Test, "list_verifications", map[string]any{"limit": 2}, &page))
		require.Len(t, page.Data, 2)
		require.True(t, page.HasMore)
		require.Equal(t, ids[4], page.Data[0].ID)
		var all []string
		cursor := ""
		for {
			args := map[string]any{"limit": 2}
			if cursor != "" {
				args["cursor"] = cursor
			}
			var p tools.VerificationList
			require.Nil(t, e.Call(t, e.Test, "list_verifications", args, &p))
			for _, v := range p.Data {
				all = append(all, v.ID)
			}
			if p.NextCursor == nil {
				break
			}
			cursor = *p.NextCursor
		}
		require.Equal(t, []string{ids[4], ids[3], ids[2], ids[1], ids[0]}, all)

		var filtered tools.VerificationList
		require.Nil(t, e.Call(t, e.Test, "list_verifications", map[string]any{"status": []string{"cancelled"}}, &filtered))
		require.Len(t, filtered.Data, 1)
		require.Nil(t, e.Call(t, e.Test, "list_verifications", map[string]any{"external_ref": "b"}, &filtered))
		require.Len(t, filtered.Data, 2)
		require.Nil(t, e.Call(t, e.Live, "list_verifications", map[string]any{}, &filtered))
		require.Empty(t, filtered.Data)

		te = e.Call(t, e.Test, "list_verifications", map[string]any{"cursor": "garbage"}, nil)
		require.Equal(t, "cursor", te.Field)

		var apps tools.ApplicantList
		require.Nil(t, e.Call(t, e.Test, "list_applicants", map[string]any{}, &apps))
		require.Len(t, apps.Data, 2)
	})
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "expires_in": 60}, &v))
		n, err := e.Verify.ExpireDue(context.Background())
		require.NoError(t, err)
		require.Zero(t, n)
		s.SetClock(func() time.Time { return time.Now().Add(2 * time.Minute) })
		n, err = e.Verify.ExpireDue(context.Background())
		require.NoError(t, err)
		require.GreaterOrEqual(t, n, 1)
		var got tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Equal(t, "expired", got.Status)
		te := e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
	})
}

// A crash between the state change and its job leaves neither: the job is written in the same transaction.
func TestStateAndJobCommitTogether(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, &v))
		sc := db.Scope{AccountID: e.Test.AccountID, Mode: e.Test.Mode}
		crash := errors.New("process killed")
		countJobs := func() int {
			var n int
			require.NoError(t, s.DB.NewRaw(`SELECT count(*) FROM river_job WHERE kind = 'verification.process'`).Scan(context.Background(), &n))
			return n
		}
		before := countJobs()
		err := s.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
			if _, err := e.Verify.Submit(ctx, tx, sc, v.ID); err != nil {
				return err
			}
			return crash
		})
		require.ErrorIs(t, err, crash)
		require.Equal(t, before, countJobs())
		var got tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Equal(t, "pending", got.Status)
		var events tools.EventList
		require.Nil(t, e.Call(t, e.Test, "list_verification_events", map[string]any{"id": v.ID}, &events))
		require.Len(t, events.Data, 1)
	})
}
