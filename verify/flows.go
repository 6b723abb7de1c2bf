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

// EventRestarted: a new attempt replaced this verification (restart_verification):
// data.new_verification_id, data.reason. An open verification is cancelled by it.
const EventRestarted = "verification.restarted"

// Reason codes the flow policy adds to a result.
const (
	ReasonBelowFlowThreshold = "below_flow_threshold"
	ReasonFlowReviewOnSucc   = "flow_review_on_success"
	ReasonFlowReviewOnFail   = "flow_review_on_failure"
	ReasonFlowNoAutoApprove  = "flow_auto_approve_off"
	ReasonDataMismatch       = "data_mismatch"
	ReasonSessionTimeout     = "session_timeout"
)

func init() { EventTypes = append(EventTypes, EventRestarted) }

// Options opens a verification's session options (SessionOptions, sealed with its data key);
// zero options for a verification without any.
func (s *Service) Options(v *models.Verification) (models.SessionOptions, error) {
	return OpenOptions(s.store, v)
}

// OpenOptions is Service.Options for callers holding only the store.
func OpenOptions(store *db.Store, v *models.Verification) (models.SessionOptions, error) {
	var o models.SessionOptions
	if v.Options == "" || v.DeletedAt != nil {
		return o, nil
	}
	raw, err := store.Keyring().OpenText(v.Options)
	if err != nil {
		return o, fmt.Errorf("open session options: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return o, fmt.Errorf("decode session options: %w", err)
	}
	return o, nil
}

// applyFlow applies the verification's flow policy and compare data to a result whose
// checks have run (a no-op without options); a selfie_with_document step adds its outcome,
// additional_document steps theirs.
func (s *Service) applyFlow(ctx context.Context, v *models.Verification, in *CheckInput, result *models.VerificationResult) error {
	if v.Options == "" {
		return nil
	}
	o, err := s.Options(v)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(o.Steps, func(st models.FlowStep) bool { return st.Type == models.StepSelfieWithDocument }) {
		out, err := s.selfieWithDocumentOutcome(ctx, v, in.Document)
		if err != nil {
			return err
		}
		result.Checks = append(result.Checks, out)
		result.Reasons = append(result.Reasons, out.Reasons...)
	}
	add, err := s.additionalOutcome(ctx, v, o, len(result.Checks))
	if err != nil {
		return err
	}
	if add != nil {
		result.Checks = append(result.Checks, *add)
		result.Reasons = append(result.Reasons, add.Reasons...)
	}
	ApplyPolicy(result, o, in.Document)
	return nil
}

// ApplyPolicy turns check outcomes into a decision under a flow's policy: per-check
// thresholds re-judge scored checks, on_failure turns a check's failure into review, compare
// data the document must match adds data_mismatch, then review_on_success /
// review_on_failure / auto_approve hold the decision for a person. Every change leaves a
// reason, so the result still says why.
func ApplyPolicy(result *models.VerificationResult, o models.SessionOptions, facts *DocumentFacts) {
	pol := models.FlowPolicy{}
	if o.Policy != nil {
		pol = *o.Policy
	}
	add := func(r models.Reason) { result.Reasons = append(result.Reasons, r) }
	for i := range result.Checks {
		c := &result.Checks[i]
		if t, ok := pol.Thresholds[c.Check]; ok && c.Score != nil {
			judgeThreshold(result, c, t, add)
		}
		if pol.OnFailure[c.Check] == "review" && c.Outcome == models.OutcomeFail {
			c.Outcome = models.OutcomeReview
			add(models.Reason{Code: "flow_failure_to_review", Check: c.Check,
				Message: fmt.Sprintf("the flow sends a failed %s check to review instead of rejecting", c.Check)})
		}
	}
	if len(o.Compare) > 0 {
		result.Checks = append(result.Checks, compareOutcome(o, facts))
		for _, r := range result.Checks[len(result.Checks)-1].Reasons {
			add(r)
		}
	}
	result.Decision = Decide(result.Checks)
	switch {
	case result.Decision == models.StatusApproved && pol.ReviewOnSuccess:
		result.Decision = models.StatusNeedsReview
		add(models.Reason{Code: ReasonFlowReviewOnSucc, Message: "the flow has a person look at every verification that would be approved"})
	case result.Decision == models.StatusApproved && pol.AutoApprove != nil && !*pol.AutoApprove:
		result.Decision = models.StatusNeedsReview
		add(models.Reason{Code: ReasonFlowNoAutoApprove, Message: "the flow approves nothing without a person"})
	case result.Decision == models.StatusRejected && pol.ReviewOnFailure:
		result.Decision = models.StatusNeedsReview
		add(models.Reason{Code: ReasonFlowReviewOnFail, Message: "the flow has a person look at every verification that would be rejected"})
	}
}

// judgeThreshold re-judges a scored check against the flow's threshold. face_match and
// liveness fail below it; face_match passes at or above it when nothing but its score held
// it back;
// a screening check in review whose best hit scores below it passes (the hits stay in its
// details as evidence; a confirmed match fails whatever its score).
func judgeThreshold(result *models.VerificationResult, c *models.CheckOutcome, t float64, add func(models.Reason)) {
	score := *c.Score
	clear := func(r models.Reason) {
		old := c.Reasons
		c.Outcome, c.Reasons = models.OutcomePass, nil
		result.Reasons = slices.DeleteFunc(result.Reasons, func(x models.Reason) bool {
			return x.Check == c.Check && slices.ContainsFunc(old, func(o models.Reason) bool { return o.Code == x.Code })
		})
		add(r)
	}
	switch c.Check {
	case string(models.CheckScreening):
		if score < t && c.Outcome == models.OutcomeReview {
			clear(models.Reason{Code: "below_flow_screening_threshold", Check: c.Check,
				Message: fmt.Sprintf("the best hit scores %.2f, below the flow's screening threshold %.2f", score, t)})
		}
	default:
		switch {
		case score >= t && c.Outcome != models.OutcomePass && onlyScoreReasons(c):
			clear(models.Reason{Code: "passed_flow_threshold", Check: c.Check,
				Message: fmt.Sprintf("%s score %.3f meets the flow's threshold %.3f", c.Check, score, t)})
		case score < t && c.Outcome == models.OutcomePass:
			c.Outcome = models.OutcomeFail
			r := models.Reason{Code: ReasonBelowFlowThreshold, Check: c.Check,
				Message: fmt.Sprintf("%s score %.3f is below the flow's threshold %.3f", c.Check, score, t)}
			c.Reasons = append(c.Reasons, r)
			add(r)
		}
	}
}

// onlyScoreReasons reports whether a check was held back by its score alone (a lower flow
// threshold may then pass it); a failure for any other cause (no face, a duplicate, a spoof
// signal) stands.
func onlyScoreReasons(c *models.CheckOutcome) bool {
	for _, r := range c.Reasons {
		// Liveness is never passed by a lower threshold: its failures mix the score with
		// model-free spoof cues that a number cannot outweigh.
		if !slices.Contains([]string{"face_match_uncertain", "face_mismatch"}, r.Code) {
			return false
		}
	}
	return true
}

// CompareFields are the keys compare data may name, and the document fact each is checked against.
var CompareFields = []string{"name", "dob", "document_number", "issuing_country", "nationality"}

// compareOutcome checks the document's data against the compare values: a "compare" check
// that passes, or goes to review (reject with compare_reason "reject") on a mismatch.
func compareOutcome(o models.SessionOptions, f *DocumentFacts) models.CheckOutcome {
	out := models.CheckOutcome{Check: "compare", Outcome: models.OutcomePass, Details: map[string]any{}}
	bad := models.OutcomeReview
	if o.CompareReason == "reject" {
		bad = models.OutcomeFail
	}
	if f == nil {
		out.Outcome = bad
		out.Reasons = []models.Reason{{Code: ReasonDataMismatch, Check: "compare", Message: "no document data was read to compare with"}}
		return out
	}
	got := map[string]string{"name": f.FullName, "dob": f.DateOfBirth, "document_number": f.Number,
		"issuing_country": f.IssuingCountry, "nationality": f.Nationality}
	var mismatched []string
	for _, k := range CompareFields {
		want, ok := o.Compare[k]
		if !ok {
			continue
		}
		match := normalizeCompare(k, want) == normalizeCompare(k, got[k])
		out.Details[k] = match
		if !match {
			mismatched = append(mismatched, k)
		}
	}
	if len(mismatched) > 0 {
		out.Outcome = bad
		out.Reasons = []models.Reason{{Code: ReasonDataMismatch, Check: "compare",
			Message: "the document's " + strings.Join(mismatched, ", ") + " differ(s) from the data given to compare"}}
	}
	return out
}

// normalizeCompare makes values comparable: names by their letters in order, case-folded
// (MRZ names have no accents or punctuation), others upper-cased without separators.
func normalizeCompare(field, v string) string {
	v = strings.ToUpper(strings.TrimSpace(v))
	keep := func(r rune) rune {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		if field == "name" && r > 127 {
			return r
		}
		return -1
	}
	if field == "name" {
		return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
			if keep(r) == -1 {
				return ' '
			}
			return r
		}, v)), " ")
	}
	if field == "dob" {
		return v
	}
	return strings.Map(keep, v)
}

// startSession starts the applicant's session clock when the verification has a session
// length: the deadline is set, and the verification now expires at whichever comes first.
func startSession(v *models.Verification, now time.Time) []string {
	if v.SessionLength <= 0 || v.SessionDeadline != nil {
		return nil
	}
	deadline := now.Add(time.Duration(v.SessionLength) * time.Second).Truncate(time.Microsecond)
	v.SessionDeadline = &deadline
	cols := []string{"session_deadline"}
	if deadline.Before(v.ExpiresAt) {
		v.ExpiresAt = deadline
		cols = append(cols, "expires_at")
	}
	return cols
}

// startClock starts the session clock of an open verification in tx (see startSession);
// a verification without a session length, whose clock runs already, or that changed
// status meanwhile is left as it is.
func (s *Service) startClock(ctx context.Context, tx *db.Tx, v *models.Verification) error {
	if v.SessionLength <= 0 || v.SessionDeadline != nil || !slices.Contains(openStatuses, v.Status) {
		return nil
	}
	_, err := tx.Transition(ctx, db.Scope{AccountID: v.AccountID, Mode: v.Mode}, v.ID, []models.Status{v.Status}, v.Status,
		func(cur *models.Verification) []string { return startSession(cur, s.store.Now()) })
	if errors.Is(err, db.ErrConflict) {
		return nil
	}
	return err
}

// expiryReason is why an open verification expired.
func expiryReason(v *models.Verification) map[string]any {
	if v.SessionDeadline != nil && !v.SessionDeadline.After(v.ExpiresAt) {
		return map[string]any{"reason": ReasonSessionTimeout}
	}
	return nil
}

// Restart starts a new attempt for the verification's applicant: a new verification with
// the same configuration (flow version, checks, options, URLs, metadata, applicant data) and
// RestartedFrom set, written with verification.restarted on the old one (which is cancelled
// when still open). newV is filled like a Creation's V. When opts.HasCode, the new attempt
// gets a session code of its own, returned.
func (s *Service) Restart(ctx context.Context, old *models.Verification, newV *models.Verification, opts *models.SessionOptions, reason string) (string, error) {
	var code string
	var applicant models.ApplicantData
	if err := s.store.Keyring().OpenJSON(old.ApplicantPII, &applicant); err != nil {
		return "", fmt.Errorf("open applicant data: %w", err)
	}
	var pii any
	if applicant != (models.ApplicantData{}) {
		pii = &applicant
	}
	sc := db.Scope{AccountID: old.AccountID, Mode: old.Mode}
	_, err := s.Create(ctx, Creation{V: newV, Applicant: pii, Options: opts,
		Data: map[string]any{"restarted_from": old.ID},
		Then: func(ctx context.Context, tx *db.Tx, v *models.Verification) error {
			data := map[string]any{"new_verification_id": v.ID}
			if reason != "" {
				data["reason"] = reason
			}
			cur, err := tx.GetVerificationTx(ctx, sc, old.ID)
			if err != nil {
				return err
			}
			if opts != nil && opts.HasCode {
				if code, err = s.ClaimSessionCode(ctx, tx, v); err != nil {
					return err
				}
			}
			if slices.Contains(openStatuses, cur.Status) {
				_, err := s.Transition(ctx, tx, sc, old.ID, openStatuses, models.StatusCancelled, EventRestarted, data, nil)
				if err != nil {
					return err
				}
				return tx.EndSessionCodes(ctx, old.ID)
			}
			return s.RecordEvent(ctx, tx, cur, EventRestarted, "", data)
		}})
	return code, err
}
