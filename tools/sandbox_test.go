package tools_test

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// sandboxEngines give every check but nfc a real (test) engine whose own outcomes differ from
// what the rules force: document needs the applicant's name, face_match fails, screening asks
// for review. Without a magic value the same verification is rejected (face_match).
func sandboxEngines() map[models.Check]verify.CheckRunner {
	return map[models.Check]verify.CheckRunner{
		models.CheckDocument:       tooltest.Check{Outcome: models.OutcomePass, Needs: "the applicant's name"},
		models.CheckFaceMatch:      tooltest.Check{Outcome: models.OutcomeFail},
		models.CheckLiveness:       tooltest.Check{Outcome: models.OutcomePass},
		models.CheckAge:            tooltest.Check{Outcome: models.OutcomePass},
		models.CheckScreening:      tooltest.Check{Outcome: models.OutcomeReview},
		models.CheckEmail:          tooltest.Check{Outcome: models.OutcomePass},
		models.CheckPhone:          tooltest.Check{Outcome: models.OutcomePass},
		models.CheckProofOfAddress: tooltest.Check{Outcome: models.OutcomePass},
	}
}

var sandboxChecks = []string{"document", "face_match", "liveness", "age", "screening", "email", "phone", "proof_of_address"}

// forcingRules are the verification rules that force check outcomes and that the engines
// above can take part in (nfc has none here: its rules cannot fire).
func forcingRules(t *testing.T) []verify.SandboxRule {
	var out []verify.SandboxRule
	for _, r := range verify.SandboxRules() {
		if r.Applies != verify.SandboxOnVerification || r.Outcome == "" || r.Check == models.CheckNFC {
			continue
		}
		out = append(out, r)
	}
	require.Greater(t, len(out), 25)
	return out
}

// Every verification-level magic value, carried by external_ref, forces its documented
// outcome through the pipeline with a test key, marked forced; the engine's own outcome is
// kept. The same values with a live key act not at all.
func TestSandboxForcedOutcomes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, sandboxEngines())
		rules := forcingRules(t)
		ids := make([]string, len(rules))
		for i, r := range rules {
			var v tools.Verification
			// No applicant name: the document check misses its input, which the value waives.
			require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{
				"checks": sandboxChecks, "external_ref": r.Value + "-" + "cust"}, &v), r.Value)
			require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil), r.Value)
			ids[i] = v.ID
		}
		for i, r := range rules {
			v := waitStatus(t, e, e.Test, ids[i], "approved", "needs_review", "rejected")
			require.Equal(t, r.Result, v.Status, r.Value)
			require.True(t, v.Result.Forced, r.Value)
			require.Equal(t, r.Value, v.Result.ForcedBy)
			require.Len(t, v.Result.Checks, len(sandboxChecks))
			for _, c := range v.Result.Checks {
				require.True(t, c.Forced, "%s: %s", r.Value, c.Check)
				require.Equal(t, r.Value, c.ForcedBy)
				want := models.OutcomePass
				if r.Check == "" || string(r.Check) == c.Check {
					want = r.Outcome
				}
				require.Equal(t, want, c.Outcome, "%s: %s", r.Value, c.Check)
				if want == models.OutcomePass {
					require.Empty(t, c.Reasons, "%s: %s", r.Value, c.Check)
				} else {
					require.Len(t, c.Reasons, 1)
					require.Equal(t, r.Reason, c.Reasons[0].Code, r.Value)
					require.Equal(t, c.Check, c.Reasons[0].Check)
				}
				switch c.Check {
				case "document": // its input was missing: the engine did not run
					require.Equal(t, false, c.Details["sandbox_engine_ran"], r.Value)
					require.Equal(t, "sandbox", c.Versions["engine"])
				case "face_match": // the engine ran and failed; its outcome is kept
					require.EqualValues(t, "fail", c.Details["sandbox_engine_outcome"], r.Value)
					require.Equal(t, "test", c.Versions["engine"])
				}
			}
			var types []string
			for _, ev := range e.Events(t, e.Test, v.ID) {
				types = append(types, ev.Type)
			}
			want := []string{"verification.created", "verification.processing", "verification.completed"}
			if r.Reason == "duplicate_face" {
				want = append(want, "fraud.duplicate")
			}
			require.Equal(t, want, types, r.Value)
		}

		// A live key: the value waives nothing and forces nothing.
		for _, r := range rules {
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Live, "create_verification", map[string]any{
				"checks": sandboxChecks, "external_ref": r.Value + "-cust"}, &v), r.Value)
			te := e.Call(t, e.Live, "submit_verification", map[string]any{"id": v.ID}, nil)
			require.NotNil(t, te, "%s: a live key submitted with the document's input missing", r.Value)
			require.Equal(t, tools.CodeConflict, te.Code)
			require.Contains(t, te.Message, "the applicant's name")
		}
		liveIDs := make([]string, len(rules))
		for i, r := range rules {
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Live, "create_verification", map[string]any{
				"checks": sandboxChecks, "external_ref": r.Value + "-named", "applicant": map[string]any{"name": r.Value + " Erika"}}, &v), r.Value)
			require.Nil(t, e.Call(t, e.Live, "submit_verification", map[string]any{"id": v.ID}, nil), r.Value)
			liveIDs[i] = v.ID
		}
		for i, r := range rules {
			v := waitStatus(t, e, e.Live, liveIDs[i], "approved", "needs_review", "rejected")
			require.Equal(t, "rejected", v.Status, "%s: the engines' own outcome (face_match fails)", r.Value)
			require.False(t, v.Result.Forced, r.Value)
			require.Empty(t, v.Result.ForcedBy)
			for _, c := range v.Result.Checks {
				require.False(t, c.Forced, "%s: %s", r.Value, c.Check)
				require.NotContains(t, c.Details, "sandbox_engine_outcome")
			}
		}
	})
}

// A magic value in the applicant's name acts too (any case), and a word that only starts
// like one does not; a rule for a check the verification lacks does not fire.
func TestSandboxApplicantNameAndBoundaries(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, sandboxEngines())
		cases := []struct {
			name, ref string
			checks    []string
			status    string
			forcedBy  string
		}{
			{name: "TEST_APPROVE Erika", checks: []string{"face_match"}, status: "approved", forcedBy: "test_approve"},
			{name: "Erika", ref: "test_screening_hit_7", checks: []string{"screening", "face_match"}, status: "needs_review", forcedBy: "test_screening_hit"},
			// external_ref wins over the name.
			{name: "test_approve", ref: "test_reject_document", checks: []string{"document"}, status: "rejected", forcedBy: "test_reject_document"},
			{name: "test_approved Erika", checks: []string{"face_match"}, status: "rejected"},
			{name: "Erika", ref: "test_age_under", checks: []string{"face_match"}, status: "rejected"},
			{name: "Erika", ref: "xtest_approve", checks: []string{"face_match"}, status: "rejected"},
		}
		for _, c := range cases {
			args := map[string]any{"checks": c.checks, "applicant": map[string]any{"name": c.name}}
			if c.ref != "" {
				args["external_ref"] = c.ref
			}
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Test, "create_verification", args, &v))
			require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
			got := waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
			require.Equal(t, c.status, got.Status, c.name+"/"+c.ref)
			require.Equal(t, c.forcedBy != "", got.Result.Forced, c.name+"/"+c.ref)
			require.Equal(t, c.forcedBy, got.Result.ForcedBy)
		}
	})
}

// test_expire creates a verification already due: it cannot be submitted and the expiry run
// expires it, with its event. With a live key it gets the usual expiry.
func TestSandboxExpire(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, sandboxEngines())
		var test, live tools.Verification
		args := map[string]any{"checks": []string{"face_match"}, "external_ref": "test_expire_1"}
		require.Nil(t, e.Call(t, e.Test, "create_verification", args, &test))
		require.Nil(t, e.Call(t, e.Live, "create_verification", args, &live))
		require.False(t, test.ExpiresAt.After(test.CreatedAt))
		require.True(t, live.ExpiresAt.After(live.CreatedAt))
		te := e.Call(t, e.Test, "submit_verification", map[string]any{"id": test.ID}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeConflict, te.Code)
		_, err := e.Verify.ExpireDue(context.Background())
		require.NoError(t, err)
		var got tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": test.ID}, &got))
		require.Equal(t, "expired", got.Status)
		var types []string
		for _, ev := range e.Events(t, e.Test, test.ID) {
			types = append(types, ev.Type)
		}
		require.True(t, slices.Contains(types, "verification.expired"), "%v", types)
		require.Nil(t, e.Call(t, e.Live, "get_verification", map[string]any{"id": live.ID}, &got))
		require.Equal(t, "pending", got.Status)
	})
}

// list_sandbox_values serves the rules, and says whether they act for the caller's key.
func TestListSandboxValues(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, nil)
		var test, live tools.SandboxValues
		require.Nil(t, e.Call(t, e.Test, "list_sandbox_values", map[string]any{}, &test))
		require.Nil(t, e.Call(t, e.Live, "list_sandbox_values", map[string]any{}, &live))
		require.True(t, test.Active)
		require.False(t, live.Active)
		require.Equal(t, len(verify.SandboxRules()), len(test.Values))
		seen := map[string]bool{}
		for _, r := range test.Values {
			require.False(t, seen[r.Value], "%s listed twice", r.Value)
			seen[r.Value] = true
			require.NotEmpty(t, r.Description)
			require.NotEmpty(t, r.Result)
		}
		for _, c := range models.AllChecks {
			for _, o := range models.AllOutcomes {
				require.True(t, seen["test_"+string(c)+"_"+string(o)], "no rule for %s %s", c, o)
			}
		}
		for _, v := range []string{"test_approve", "test_reject_document", "test_review_face", "test_screening_hit", "test_expire", "test_duplicate", "test_age_under", "test_liveness_spoof"} {
			require.True(t, seen[v], v)
		}
	})
}
