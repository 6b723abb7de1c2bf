package tools

import (
	"context"
	"errors"
	"fmt"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// SimulateCheckOutcomeInput names a test-mode verification, one of its checks and the outcome it is to have.
type SimulateCheckOutcomeInput struct {
	ID      string `json:"id" jsonschema:"the test-mode verification (ver_…), pending or in_progress" minLength:"1" maxLength:"64"`
	Check   string `json:"check" jsonschema:"one of the verification's checks" enumof:"models.AllChecks"`
	Outcome string `json:"outcome" jsonschema:"what the check is to give" enumof:"models.AllOutcomes"`
}

// SimulateCheckOutcome forces one check's outcome on a test-mode verification (#27).
var SimulateCheckOutcome = Tool[SimulateCheckOutcomeInput, Verification]{
	Name:     "simulate_check_outcome",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","check":"liveness","outcome":"pass"}`},
	Title:    "Simulate a check outcome (test mode)",
	Brief:    "test keys only: decide one check of an open verification as `pass`, `review` or `fail` whatever its inputs (a flow clicked through without a camera, a failure on demand); marked `forced` in the result",
	Description: "Test-mode keys only: decide one check of an open verification as pass, review or fail, whatever its inputs — to click a flow through without a camera " +
		"(active liveness) or to make one step fail on demand. Its inputs are then not required to submit; when they exist the engine still runs and its own outcome " +
		"is kept in the check's details. The check and the result are marked forced (forced_by simulate_check_outcome); the other checks run for real. A live key is refused.",
	Scope:          ScopeVerificationsWrite,
	Annotations:    Annotations{ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:           REST{Method: "POST", Path: "/verifications/{id}/simulate"},
	SessionAllowed: true,
	Summary: func(v Verification) string {
		return fmt.Sprintf("Verification %s (%s): a check outcome is simulated (test mode).", v.ID, v.Status)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in SimulateCheckOutcomeInput) (Verification, error) {
		if c.Mode != models.ModeTest {
			return Verification{}, Errorf(CodePermissionDenied, "", "simulate_check_outcome works with test-mode keys only; live verifications are always decided by their checks")
		}
		v, err := d.Verify.SimulateOutcome(ctx, c.scope(), in.ID, models.Check(in.Check), models.Outcome(in.Outcome))
		switch {
		case errors.Is(err, verify.ErrSimulateCheck):
			return Verification{}, invalid("check", "%v", err)
		case errors.Is(err, db.ErrConflict):
			return Verification{}, Errorf(CodeConflict, "id", "only a pending or in_progress verification can take a simulated outcome: %v", err)
		case err != nil:
			return Verification{}, storeErr(err, "verification", "id")
		}
		return toVerification(d, v)
	},
}
