package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
	// ActiveLiveness makes the liveness check need a passed active challenge, not only the
	// passive score: the hosted flow shows the active step as required (see Service.Missing).
	ActiveLiveness bool
	// Document is what a check-digit-valid reading of the uploaded document says; nil when
	// the verification has no document check or no valid reading yet.
	Document *DocumentFacts
	// Contacts are the email and phone checks attached to the verification and confirmed
	// with a code, oldest first; loaded only when the email or phone check is asked for.
	Contacts []models.ContactCheck
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
	contacts, err := confirmedContacts(ctx, store, v, in.Checks)
	if err != nil {
		return nil, err
	}
	in.Contacts = contacts
	return in, nil
}

// Submit moves a pending or in-progress verification to processing (recording when, and the
// event) and enqueues its pipeline run, in tx. A verification in another status is
// db.ErrConflict, with the verification as it is now.
func (s *Service) Submit(ctx context.Context, tx *db.Tx, sc db.Scope, id string) (*models.Verification, error) {
	q, err := s.queue()
	if err != nil {
		return nil, err
	}
	v, err := s.Transition(ctx, tx, sc, id, []models.Status{models.StatusPending, models.StatusInProgress}, models.StatusProcessing,
		EventProcessing, nil, func(v *models.Verification) []string {
			now := s.store.Now()
			v.SubmittedAt = &now
			return []string{"submitted_at"}
		})
	if err != nil {
		return v, err
	}
	return v, q.EnqueueProcess(ctx, tx, v)
}

// Missing lists what the verification's checks still need before it can be submitted, as
// "check: what" messages; an error when a requested check has no engine here any more
// (UnavailableError). activeLiveness is set when the applicant submits through the hosted
// flow, which shows the active liveness step as required: then it is (see CheckInput).
func (s *Service) Missing(ctx context.Context, v *models.Verification, activeLiveness bool) ([]string, error) {
	input, err := LoadCheckInput(ctx, s.store, v)
	if err != nil {
		return nil, err
	}
	input.ActiveLiveness = activeLiveness
	if activeLiveness && v.Options != "" {
		// A flow whose liveness step is passive shows no active step: the selfie alone decides.
		o, err := s.Options(v)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(o.Steps, func(st models.FlowStep) bool {
			return st.Type == models.StepLiveness && st.LivenessMode == "passive"
		}) {
			input.ActiveLiveness = false
		}
	}
	simulated, err := s.simulated(v)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, ch := range input.Checks {
		runner, ok := s.opts.Checks[ch]
		if !ok {
			return nil, &UnavailableError{Check: ch}
		}
		if _, sim := simulated[ch]; sim {
			continue // decided as simulated (sandbox_simulate.go): nothing is needed for it
		}
		for _, m := range runner.Missing(input) {
			missing = append(missing, string(ch)+": "+m)
		}
	}
	q, err := s.questionnaireMissing(ctx, v)
	return append(missing, q...), err
}

// MissingAfterReading is Missing, except that when all that is missing is the document
// portrait and the latest document upload is still being read (the document.analyze job
// extracts the portrait), it waits for that reading, up to wait, and asks again: a submit
// right after a document upload is not refused for a portrait that is on its way.
func (s *Service) MissingAfterReading(ctx context.Context, v *models.Verification, activeLiveness bool, wait time.Duration) ([]string, error) {
	deadline := time.Now().Add(wait)
	for {
		missing, err := s.Missing(ctx, v, activeLiveness)
		if err != nil || len(missing) == 0 || time.Now().After(deadline) ||
			slices.ContainsFunc(missing, func(m string) bool { return !strings.HasSuffix(m, ": "+needPortrait) }) {
			return missing, err
		}
		if pending, err := s.documentReadingPending(ctx, v); err != nil || !pending {
			return missing, err
		}
		select {
		case <-ctx.Done():
			return missing, nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// documentReadingPending: the newest document upload has no reading yet.
func (s *Service) documentReadingPending(ctx context.Context, v *models.Verification) (bool, error) {
	var newest *models.Artifact
	for _, kind := range []models.ArtifactKind{models.ArtifactDocumentFront, models.ArtifactDocumentBack} {
		a, err := s.store.LatestArtifact(ctx, scopeOf(v), v.ID, kind)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		if newest == nil || a.ID > newest.ID {
			newest = a
		}
	}
	return newest != nil && newest.Analysis == nil, nil
}

// UnavailableError is a requested check with no engine in this process.
type UnavailableError struct{ Check models.Check }

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("the %s check is not available on this server", e.Check)
}

// ErrGone marks work whose object no longer exists: nothing to do, ever (the worker drops
// the job instead of retrying it).
var ErrGone = errors.New("gone")

// Process runs a submitted verification's checks and records the decision. attempt and
// maxAttempts are the job's: a check whose engine fails is retried (an error is returned)
// until the last attempt, where it becomes a review reason instead of leaving the
// verification stuck in processing. A verification no longer processing is a no-op.
func (s *Service) Process(ctx context.Context, sc db.Scope, id string, attempt, maxAttempts int) error {
	store := s.store
	v, err := store.GetVerification(ctx, sc, id)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("verification %s: %w: %w", id, ErrGone, err)
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
	// A test-mode magic value forces outcomes after the engines ran (sandbox.go); nil in live mode.
	rule := SandboxRuleFor(v, in.Applicant)
	if !rule.fires(in.Checks) {
		rule = nil
	}
	simulated, err := s.simulated(v) // simulate_check_outcome's, test mode only
	if err != nil {
		return err
	}
	for _, c := range in.Checks {
		runner, ok := s.opts.Checks[c]
		sim, isSim := simulated[c]
		var out *models.CheckOutcome
		switch {
		case (rule != nil || isSim) && (!ok || len(runner.Missing(in)) > 0):
			out = synthesise(c) // nothing to run the engine on: the outcome is the rule's (or the simulated one) alone
		case !ok:
			out = &models.CheckOutcome{Check: string(c), Outcome: models.OutcomeReview, Reasons: []models.Reason{{
				Code: "check_unavailable", Message: fmt.Sprintf("no %s engine is available in this worker", c)}}}
		default:
			out, err = runner.Run(ctx, in)
			if err != nil {
				if attempt < maxAttempts {
					return fmt.Errorf("check %s: %w", c, err)
				}
				// Out of retries: a person decides rather than the verification hanging in processing.
				out = &models.CheckOutcome{Check: string(c), Outcome: models.OutcomeReview, Reasons: []models.Reason{{
					Code: "check_error", Message: fmt.Sprintf("the %s check failed after %d attempts", c, attempt)}}}
			}
		}
		out.Check = string(c)
		switch {
		case rule != nil:
			rule.force(c, out)
		case isSim:
			forceSimulated(c, sim, out)
		}
		for i := range out.Reasons {
			out.Reasons[i].Check = string(c)
		}
		result.Checks = append(result.Checks, *out)
		result.Reasons = append(result.Reasons, out.Reasons...)
	}
	// The questionnaire's answer rules (questionnaires.go) decide alongside the checks.
	if q, err := s.questionnaireOutcome(ctx, v, rule != nil); err != nil {
		return err
	} else if q != nil {
		result.Checks = append(result.Checks, *q)
		result.Reasons = append(result.Reasons, q.Reasons...)
	}
	result.Decision = Decide(result.Checks)
	if rule == nil { // a sandbox value's outcome is not re-judged by the flow
		if err := s.applyFlow(ctx, v, in, result); err != nil {
			return err
		}
	}
	s.signalDecision(v, result)
	if rule != nil { // the value's outcome stands; signal reasons stay in the result as evidence
		result.Decision, result.Forced, result.ForcedBy = Decide(result.Checks), true, rule.Value
	} else if len(simulated) > 0 { // the decision rests on simulated outcomes: say so
		result.Forced, result.ForcedBy = true, SimulatedBy
	}
	result.DecidedAt = store.Now()
	raw, err := json.Marshal(result)
	if err != nil {
		return err
	}
	// The result names the applicant (screening queries and matches, reason texts): it is
	// stored sealed with the verification's data key, and shredded with it.
	sealed, err := store.Keyring().SealText(v.ID, string(raw))
	if err != nil {
		return fmt.Errorf("seal result: %w", err)
	}
	return store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		v, err := s.Transition(ctx, tx, sc, v.ID, []models.Status{models.StatusProcessing}, result.Decision, EventCompleted,
			map[string]any{"decision": result.Decision, "reasons": result.Reasons},
			func(v *models.Verification) []string {
				s := sealed
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
		if err := s.runCompletionHooks(ctx, tx, v, in, result); err != nil {
			return err
		}
		if err := s.sandboxCompleted(ctx, tx, v, rule); err != nil {
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
