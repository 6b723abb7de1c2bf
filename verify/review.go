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

// EventResubmissionRequested: a reviewer sent a needs_review verification back to the
// applicant for the checks that did not pass (data: checks, reason, reason_codes, reviewer).
// The verification is pending again, under a fresh session token.
const EventResubmissionRequested = "verification.resubmission_requested"

// The review decisions.
const (
	DecisionApprove             = "approve"
	DecisionReject              = "reject"
	DecisionRequestResubmission = "request_resubmission"
)

// ReviewReasonCodes are the machine-readable reasons a reviewer may give with a decision, so
// analytics and audits can count why cases were decided the way they were.
var ReviewReasonCodes = []string{
	"document_unreadable", "document_expired", "document_tampered", "document_not_accepted",
	"face_mismatch", "liveness_doubt", "image_quality",
	"screening_true_match", "screening_false_positive",
	"data_mismatch", "age_requirement", "high_risk_jurisdiction", "duplicate_applicant",
	"verified_manually", "other",
}

// ErrNothingToResubmit is a resubmission asked for a verification whose checks all passed.
var ErrNothingToResubmit = errors.New("every check of this verification passed: there is nothing to submit again; approve or reject it")

// ErrCheckNotRun is a resubmission naming a check the verification did not run.
var ErrCheckNotRun = errors.New("the verification did not run this check")

// ReviewRequest is a reviewer's decision on a needs_review verification.
type ReviewRequest struct {
	ID       string
	Decision string
	Reason   string
	// ReasonCodes are among ReviewReasonCodes (the caller validates them).
	ReasonCodes []string
	// Reviewer is the caller's key (or operator) id.
	Reviewer string
	// Checks are the checks a resubmission asks again; empty = those that did not pass.
	Checks []models.Check
}

// DecideReview records a reviewer's decision on a needs_review verification, with its reason
// codes, in one transaction: the status change and its event (verification.reviewed, or
// verification.resubmission_requested), and a review_decisions row. approve and reject end the
// verification as Review does. request_resubmission moves it back to pending with a fresh
// session token and an expiry as long as its first one, running only the checks that did not
// pass (or those named): the hosted flow then shows only their steps; the replaced result and
// check list are kept with the decision. Another status is db.ErrConflict with the verification.
func (s *Service) DecideReview(ctx context.Context, sc db.Scope, req ReviewRequest) (*models.Verification, error) {
	sealed, err := s.store.Keyring().SealFor(req.ID, []byte(req.Reason))
	if err != nil {
		return nil, fmt.Errorf("seal review reason: %w", err)
	}
	codes := req.ReasonCodes
	if codes == nil {
		codes = []string{}
	}
	var v *models.Verification
	err = s.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		rec := &db.ReviewDecision{AccountID: sc.AccountID, Mode: sc.Mode, VerificationID: req.ID, Decision: req.Decision,
			ReasonCodes: strings.Join(codes, ","), Reviewer: req.Reviewer}
		data := map[string]any{"decision": req.Decision, "reason": req.Reason, "reviewer": req.Reviewer, "reason_codes": codes}
		stamp := func(v *models.Verification) []string {
			now := s.store.Now().Truncate(time.Microsecond)
			v.ReviewedAt, v.ReviewedBy, v.ReviewDecision, v.ReviewReason = &now, req.Reviewer, req.Decision, sealed
			return []string{"reviewed_at", "reviewed_by", "review_decision", "review_reason_sealed"}
		}
		previous := ""
		var err error
		switch req.Decision {
		case DecisionApprove, DecisionReject:
			to := models.StatusRejected
			if req.Decision == DecisionApprove {
				to = models.StatusApproved
			}
			v, err = s.Transition(ctx, tx, sc, req.ID, []models.Status{models.StatusNeedsReview}, to, EventReviewed, data, stamp)
			if err == nil && to == models.StatusApproved {
				err = ReviewApproved(ctx, tx, v)
			}
		case DecisionRequestResubmission:
			var cur *models.Verification
			if cur, err = tx.LockVerification(ctx, sc, req.ID); err != nil {
				return err
			}
			if cur.Status != models.StatusNeedsReview {
				v = cur
				return fmt.Errorf("verification is %s: %w", cur.Status, db.ErrConflict)
			}
			var again []models.Check
			if again, previous, err = s.resubmissionChecks(cur, req.Checks); err != nil {
				return err
			}
			token := "vst_" + db.RandomBase62(40)
			var tokenSealed []byte
			if tokenSealed, err = s.store.Keyring().Seal([]byte(token)); err != nil {
				return err
			}
			var options string
			var dropped bool
			if options, dropped, err = s.dropSimulated(cur, again); err != nil {
				return err
			}
			checksJSON, _ := json.Marshal(again)
			rec.Checks, rec.PreviousChecks = string(checksJSON), cur.Checks
			data["checks"] = again
			lifetime := max(cur.ExpiresAt.Sub(cur.CreatedAt), time.Hour)
			v, err = s.Transition(ctx, tx, sc, req.ID, []models.Status{models.StatusNeedsReview}, models.StatusPending,
				EventResubmissionRequested, data, func(v *models.Verification) []string {
					cols := stamp(v)
					v.Checks, v.TokenHash, v.TokenSealed = string(checksJSON), db.HashSecret(token), tokenSealed
					v.ExpiresAt = s.store.Now().Add(lifetime)
					v.Result, v.CompletedAt, v.SubmittedAt = nil, nil, nil
					cols = append(cols, "checks", "token_hash", "token_sealed", "expires_at", "result", "completed_at", "submitted_at")
					if dropped {
						v.Options = options
						cols = append(cols, "options")
					}
					return cols
				})
		default:
			return fmt.Errorf("decision %q: not approve, reject or request_resubmission", req.Decision)
		}
		if err != nil {
			return err
		}
		return tx.InsertReviewDecision(ctx, rec, previous)
	})
	return v, err
}

// resubmissionChecks are the checks a resubmission runs (asked, or else the ones that did not
// pass), with the result they replace as JSON.
func (s *Service) resubmissionChecks(v *models.Verification, asked []models.Check) ([]models.Check, string, error) {
	var ran []models.Check
	if err := json.Unmarshal([]byte(v.Checks), &ran); err != nil {
		return nil, "", fmt.Errorf("decode checks: %w", err)
	}
	previous := ""
	var result models.VerificationResult
	if v.Result != nil {
		raw, err := s.store.Keyring().OpenText(*v.Result)
		if err != nil {
			return nil, "", fmt.Errorf("open result: %w", err)
		}
		previous = raw
		if err := json.Unmarshal([]byte(raw), &result); err != nil {
			return nil, "", fmt.Errorf("decode result: %w", err)
		}
	}
	var again []models.Check
	for _, c := range asked {
		if !slices.Contains(ran, c) {
			return nil, "", fmt.Errorf("%s: %w", c, ErrCheckNotRun)
		}
		if !slices.Contains(again, c) {
			again = append(again, c)
		}
	}
	if len(again) == 0 {
		for _, c := range result.Checks {
			if c.Outcome != models.OutcomePass && slices.Contains(ran, models.Check(c.Check)) && !slices.Contains(again, models.Check(c.Check)) {
				again = append(again, models.Check(c.Check))
			}
		}
	}
	if len(again) == 0 {
		return nil, "", ErrNothingToResubmit
	}
	return again, previous, nil
}
