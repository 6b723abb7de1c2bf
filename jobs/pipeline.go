package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// CheckInput is what a check engine sees of a verification.
type CheckInput struct {
	Verification *models.Verification
	// Applicant is the data the integrator gave at creation (decrypted).
	Applicant models.ApplicantData
	Checks    []models.Check
	Now       time.Time
	// Document is what a check-digit-valid reading of the uploaded document says; nil when
	// the verification has no document check or no valid reading yet.
	Document *DocumentFacts
}

// CheckRunner adapts one check engine to the pipeline.
type CheckRunner interface {
	// Missing lists what the check still needs before the verification can be submitted,
	// as messages for the caller ("a document front image"); empty when ready.
	Missing(in *CheckInput) []string
	// Run performs the check. An error means the engine failed (retried), not that the
	// applicant failed: that is an outcome.
	Run(ctx context.Context, in *CheckInput) (*models.CheckOutcome, error)
}

// ProcessArgs is the `verification.process` job: run the requested checks and decide.
type ProcessArgs struct {
	VerificationID string      `json:"verification_id"`
	AccountID      string      `json:"account_id"`
	Mode           models.Mode `json:"mode"`
}

// Kind is River's job kind.
func (ProcessArgs) Kind() string { return "verification.process" }

// InsertOpts: a verification is processed once at a time.
func (ProcessArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type processWorker struct {
	river.WorkerDefaults[ProcessArgs]
	q *Queue
}

// LoadCheckInput reads and decrypts what the checks need.
func LoadCheckInput(ctx context.Context, store *db.Store, v *models.Verification) (*CheckInput, error) {
	in := &CheckInput{Verification: v, Now: store.Now()}
	if err := store.Keyring().OpenJSON(v.ApplicantPII, &in.Applicant); err != nil {
		return nil, fmt.Errorf("open applicant data: %w", err)
	}
	if err := json.Unmarshal([]byte(v.Checks), &in.Checks); err != nil {
		return nil, fmt.Errorf("decode checks: %w", err)
	}
	if slices.Contains(in.Checks, models.CheckDocument) {
		f, err := documentFacts(ctx, store, v)
		if err != nil {
			return nil, fmt.Errorf("document facts: %w", err)
		}
		in.Document = f
	}
	return in, nil
}

func (w *processWorker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	store := w.q.store
	sc := db.Scope{AccountID: job.Args.AccountID, Mode: job.Args.Mode}
	v, err := store.GetVerification(ctx, sc, job.Args.VerificationID)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(err) // deleted: nothing to do, ever
	}
	if err != nil {
		return err
	}
	if v.Status != models.StatusProcessing {
		return nil // already decided, cancelled or expired: a duplicate delivery is a no-op
	}
	in, err := LoadCheckInput(ctx, store, v)
	if err != nil {
		return err
	}
	result := &models.VerificationResult{Reasons: []models.Reason{}, Checks: []models.CheckOutcome{}}
	for _, c := range in.Checks {
		runner, ok := w.q.opts.Checks[c]
		var out *models.CheckOutcome
		switch {
		case !ok:
			out = &models.CheckOutcome{Check: string(c), Outcome: models.OutcomeReview, Reasons: []models.Reason{{
				Code: "check_unavailable", Message: fmt.Sprintf("no %s engine is available in this worker", c)}}}
		default:
			out, err = runner.Run(ctx, in)
			if err != nil {
				if job.Attempt < job.MaxAttempts {
					return fmt.Errorf("check %s: %w", c, err)
				}
				// Out of retries: a person decides rather than the verification hanging in processing.
				out = &models.CheckOutcome{Check: string(c), Outcome: models.OutcomeReview, Reasons: []models.Reason{{
					Code: "check_error", Message: fmt.Sprintf("the %s check failed after %d attempts", c, job.Attempt)}}}
			}
		}
		out.Check = string(c)
		for i := range out.Reasons {
			out.Reasons[i].Check = string(c)
		}
		result.Checks = append(result.Checks, *out)
		result.Reasons = append(result.Reasons, out.Reasons...)
	}
	result.Decision = Decide(result.Checks)
	result.DecidedAt = store.Now()
	raw, err := json.Marshal(result)
	if err != nil {
		return err
	}
	return store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		v, err := Transition(ctx, w.q, tx, sc, v.ID, []models.Status{models.StatusProcessing}, result.Decision, EventCompleted,
			map[string]any{"decision": result.Decision, "reasons": result.Reasons},
			func(v *models.Verification) []string {
				s := string(raw)
				now := result.DecidedAt
				v.Result, v.CompletedAt = &s, &now
				return []string{"result", "completed_at"}
			})
		if errors.Is(err, db.ErrConflict) {
			return nil // cancelled meanwhile; its status stands
		}
		if err != nil {
			return err
		}
		// Engines that act on the decision (biometrics: duplicate events, enrolment, reusable identity).
		if err := runCompletionHooks(ctx, w.q, tx, v, in, result); err != nil {
			return err
		}
		if result.Decision == models.StatusApproved {
			return tx.UpdateApplicantProfile(ctx, v.ApplicantID, in.Applicant)
		}
		return nil
	})
}

// ReviewApproved does for a verification a person approved after review (review_verification)
// what the pipeline does when it approves one itself: the applicant's profile becomes the data
// now verified. A reusable identity token is not issued: that stays reserved for
// verifications every check passed without a person (a human override should not mint a
// credential other verifications can reuse). An erased applicant gets no profile back.
func ReviewApproved(ctx context.Context, tx *db.Tx, v *models.Verification) error {
	if v.DeletedAt != nil {
		return nil
	}
	var applicant models.ApplicantData
	if err := tx.Store().Keyring().OpenJSON(v.ApplicantPII, &applicant); err != nil {
		return fmt.Errorf("open applicant data: %w", err)
	}
	return tx.UpdateApplicantProfile(ctx, v.ApplicantID, applicant)
}

// Decide turns check outcomes into a decision: any fail rejects, any review needs a person,
// otherwise approved. No checks at all is never an approval.
func Decide(checks []models.CheckOutcome) models.Status {
	if len(checks) == 0 {
		return models.StatusNeedsReview
	}
	decision := models.StatusApproved
	for _, c := range checks {
		switch c.Outcome {
		case models.OutcomeFail:
			return models.StatusRejected
		case models.OutcomeReview:
			decision = models.StatusNeedsReview
		case models.OutcomePass:
		default:
			decision = models.StatusNeedsReview
		}
	}
	return decision
}
