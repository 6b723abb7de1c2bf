package tools_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// simulate_check_outcome decides one check of a test verification whatever its inputs (a flow
// clicked through without a camera); the other checks run for real; live keys cannot.
func TestSimulateCheckOutcome(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, map[models.Check]verify.CheckRunner{
			models.CheckLiveness:  tooltest.Check{Outcome: models.OutcomeFail, Needs: "a live capture"},
			models.CheckScreening: tooltest.Check{Outcome: models.OutcomePass, Needs: "the applicant's name"},
		})
		simulate := func(c tools.Caller, id, check, outcome string) *tools.Error {
			return e.Call(t, c, "simulate_check_outcome", map[string]any{"id": id, "check": check, "outcome": outcome}, nil)
		}
		outcome := func(v tools.Verification, check string) models.CheckOutcome {
			for _, c := range v.Result.Checks {
				if c.Check == check {
					return c
				}
			}
			t.Fatalf("no %s check in %+v", check, v.Result.Checks)
			return models.CheckOutcome{}
		}

		// Inputs missing for both: simulating liveness waives only liveness's.
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"liveness", "screening"}}, &v))
		require.Nil(t, simulate(e.Test, v.ID, "liveness", "pass"))
		te := e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil)
		require.NotNil(t, te)
		require.Contains(t, te.Message, "screening: the applicant's name")
		require.NotContains(t, te.Message, "liveness")
		require.Nil(t, simulate(e.Test, v.ID, "screening", "review"))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		done := waitStatus(t, e, e.Test, v.ID, "needs_review")
		require.True(t, done.Result.Forced)
		require.Equal(t, verify.SimulatedBy, done.Result.ForcedBy)
		live := outcome(done, "liveness")
		require.Equal(t, models.OutcomePass, live.Outcome)
		require.True(t, live.Forced)
		scr := outcome(done, "screening")
		require.Equal(t, models.OutcomeReview, scr.Outcome)
		require.Equal(t, "sanctions_hit", scr.Reasons[0].Code)

		// Inputs present: the engine still runs and what it said is kept; the other check is real.
		var w tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"liveness", "screening"},
			"applicant": map[string]any{"name": "Erika Mustermann"}}, &w))
		require.Nil(t, simulate(e.Test, w.ID, "liveness", "pass"))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": w.ID}, nil))
		done = waitStatus(t, e, e.Test, w.ID, "approved")
		require.Equal(t, "fail", outcome(done, "liveness").Details["sandbox_engine_outcome"])
		require.False(t, outcome(done, "screening").Forced)

		// A resubmission asks its checks anew: their simulated outcomes are forgotten (a simulated
		// failure would fail every retry), the others' are kept.
		var z tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"liveness", "screening"},
			"applicant": map[string]any{"name": "Erika Mustermann"}}, &z))
		require.Nil(t, simulate(e.Test, z.ID, "liveness", "pass"))
		require.Nil(t, simulate(e.Test, z.ID, "screening", "review"))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": z.ID}, nil))
		waitStatus(t, e, e.Test, z.ID, "needs_review")
		require.Nil(t, e.Call(t, e.Test, "review_verification", map[string]any{"id": z.ID, "decision": "request_resubmission", "reason": "retry"}, nil))
		stored, err := s.GetVerification(t.Context(), db.Scope{AccountID: e.Test.AccountID, Mode: models.ModeTest}, z.ID)
		require.NoError(t, err)
		opts, err := verify.OpenOptions(s, stored)
		require.NoError(t, err)
		require.Equal(t, map[models.Check]models.Outcome{models.CheckLiveness: models.OutcomePass}, opts.Simulated)
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": z.ID}, nil))
		done = waitStatus(t, e, e.Test, z.ID, "approved")
		require.False(t, outcome(done, "screening").Forced)

		// Refusals, each naming its field: a live key, a check the verification does not run,
		// an outcome that is not one, a decided verification.
		var lv tools.Verification
		require.Nil(t, e.Call(t, e.Live, "create_verification", map[string]any{"checks": []string{"liveness"}}, &lv))
		te = simulate(e.Live, lv.ID, "liveness", "pass")
		require.Equal(t, tools.CodePermissionDenied, te.Code)
		var x tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"liveness"}}, &x))
		te = simulate(e.Test, x.ID, "screening", "pass")
		require.Equal(t, "check", te.Field)
		te = simulate(e.Test, x.ID, "liveness", "maybe")
		require.Equal(t, "outcome", te.Field)
		te = simulate(e.Test, w.ID, "liveness", "fail")
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Equal(t, "id", te.Field)
		te = simulate(e.OtherAccount, x.ID, "liveness", "pass")
		require.Equal(t, tools.CodeNotFound, te.Code)
	})
}
