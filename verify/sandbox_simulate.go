package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// SimulatedBy is the forced_by of a check outcome set with simulate_check_outcome.
const SimulatedBy = "simulate_check_outcome"

// Errors of SimulateOutcome.
var (
	// ErrSimulateLive: outcomes are simulated only on test-mode verifications.
	ErrSimulateLive = errors.New("check outcomes are simulated only in test mode")
	// ErrSimulateCheck: the verification does not run the check.
	ErrSimulateCheck = errors.New("the verification does not run this check")
)

// SimulateOutcome records on an open test-mode verification the outcome its check c is to
// have (issue #27: a camera-less run through a flow, a failure on demand for one step). The
// pipeline then decides c so whatever its inputs — the engine still runs when they exist, its
// own outcome kept beside — and marks it forced (SimulatedBy); the other checks run for real.
// A decided, expired or cancelled verification is db.ErrConflict.
func (s *Service) SimulateOutcome(ctx context.Context, sc db.Scope, id string, c models.Check, o models.Outcome) (*models.Verification, error) {
	if sc.Mode != models.ModeTest {
		return nil, ErrSimulateLive
	}
	var out *models.Verification
	err := s.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		v, err := tx.LockVerification(ctx, sc, id)
		if err != nil {
			return err
		}
		if v.Status != models.StatusPending && v.Status != models.StatusInProgress {
			return fmt.Errorf("verification %s is %s: %w", v.ID, v.Status, db.ErrConflict)
		}
		var checks []models.Check
		if err := json.Unmarshal([]byte(v.Checks), &checks); err != nil {
			return err
		}
		if !slices.Contains(checks, c) {
			return fmt.Errorf("%w (it runs %v)", ErrSimulateCheck, checks)
		}
		opts, err := OpenOptions(s.store, v)
		if err != nil {
			return err
		}
		if opts.Simulated == nil {
			opts.Simulated = map[models.Check]models.Outcome{}
		}
		opts.Simulated[c] = o
		if v.Options, err = sealOptions(s.store, v.ID, opts); err != nil {
			return err
		}
		out = v
		return tx.SetVerificationOptions(ctx, sc, v.ID, v.Options)
	})
	return out, err
}

// sealOptions seals a verification's session options with its data key.
func sealOptions(store *db.Store, id string, opts models.SessionOptions) (string, error) {
	raw, err := json.Marshal(opts)
	if err != nil {
		return "", err
	}
	return store.Keyring().SealText(id, string(raw))
}

// dropSimulated forgets the simulated outcomes of the checks a resubmission asks again: the
// applicant's new inputs decide them (a simulated failure would otherwise fail every retry).
// changed is false when none of them was simulated.
func (s *Service) dropSimulated(v *models.Verification, again []models.Check) (sealed string, changed bool, err error) {
	if v.Mode != models.ModeTest || v.Options == "" {
		return v.Options, false, nil
	}
	opts, err := s.Options(v)
	if err != nil {
		return "", false, err
	}
	for _, c := range again {
		if _, ok := opts.Simulated[c]; ok {
			delete(opts.Simulated, c)
			changed = true
		}
	}
	if !changed {
		return v.Options, false, nil
	}
	if len(opts.Simulated) == 0 {
		opts.Simulated = nil
	}
	sealed, err = sealOptions(s.store, v.ID, opts)
	return sealed, err == nil, err
}

// simulated returns the outcomes simulated on v (none in live mode).
func (s *Service) simulated(v *models.Verification) (map[models.Check]models.Outcome, error) {
	if v.Mode != models.ModeTest || v.Options == "" {
		return nil, nil
	}
	o, err := s.Options(v)
	return o.Simulated, err
}

// forceSimulated sets the simulated outcome o on out, keeping what the engine said.
func forceSimulated(c models.Check, o models.Outcome, out *models.CheckOutcome) {
	if out.Details == nil {
		out.Details = map[string]any{}
	}
	if _, synth := out.Details["sandbox_engine_ran"]; !synth {
		out.Details["sandbox_engine_outcome"] = out.Outcome
		if len(out.Reasons) > 0 {
			out.Details["sandbox_engine_reasons"] = out.Reasons
		}
	}
	out.Outcome, out.Forced, out.ForcedBy, out.Reasons = o, true, SimulatedBy, nil
	if o != models.OutcomePass {
		out.Reasons = []models.Reason{{Code: sandboxReason(c, o), Check: string(c),
			Message: fmt.Sprintf("simulated as %s with simulate_check_outcome (test mode)", o)}}
	}
}
