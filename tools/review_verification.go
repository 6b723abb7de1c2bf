package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// ReviewVerificationInput is a reviewer's decision on a verification in needs_review.
type ReviewVerificationInput struct {
	ID          string   `json:"id" jsonschema:"verification id (ver_…) of a verification in needs_review" minLength:"1" maxLength:"64"`
	Decision    string   `json:"decision" jsonschema:"approve: the verification becomes approved; reject: it becomes rejected; request_resubmission: it becomes pending again with a fresh hosted link for the checks that did not pass (or those in checks)" enum:"approve,reject,request_resubmission"`
	Reason      string   `json:"reason" jsonschema:"why, for the audit trail (e.g. screening hit is a namesake: date of birth 1990 vs listed 1951)" minLength:"1" maxLength:"2000"`
	ReasonCodes []string `json:"reason_codes,omitempty" jsonschema:"machine-readable reasons, counted by get_analytics" enumof:"verify.ReviewReasonCodes" maxItems:"8"`
	Checks      []string `json:"checks,omitempty" jsonschema:"request_resubmission only: the checks the applicant does again; default: those that did not pass" enumof:"models.AllChecks" maxItems:"16"`
}

// ReviewVerification records the manual decision on a verification the checks sent to review.
var ReviewVerification = Tool[ReviewVerificationInput, Verification]{
	Name: "review_verification",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","decision":"approve","reason":"screening hit is a namesake: date of birth 1990-02-01 vs listed 1951-06-19","reason_codes":["screening_false_positive"]}`,
		`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","decision":"request_resubmission","reason":"the document photo is blurred","reason_codes":["image_quality"]}`},
	Title: "Review verification",
	Description: "Decide a verification that is in needs_review: approve (it becomes approved) or reject (it becomes rejected), with a reason for the audit trail and optional reason_codes. " +
		"Writes a verification.reviewed event (decision, reason, reason_codes, reviewer = this key's id, previous_status) that webhooks deliver, and the verification's review shows the decision; " +
		"request_resubmission sends it back to the applicant instead: it becomes pending with a fresh hosted_url (the old link stops working) and runs only the checks that did not pass (or those in checks), writing verification.resubmission_requested; the replaced result stays in get_review. " +
		"its result keeps the checks' own evidence. An approval makes the applicant's data their verified profile; it issues no reusable identity token (only verifications every check passed without a person do). " +
		"A verification in any other status cannot be reviewed (conflict). " +
		"The queue is list_verifications with status needs_review. Requires the review scope.",
	Brief:       "decide a `needs_review` verification: `approve` → `approved`, `reject` → `rejected`, `request_resubmission` → `pending` with a fresh link for the failed checks only, with a `reason` (≤ 2000 chars) and `reason_codes`; the verification's `review` shows who, when, which way and why, and a `verification.reviewed` event is written (any other status: conflict error); an approval makes the applicant's data their verified profile, but issues no reusable identity token (those need every check passed without a person)",
	Scope:       ScopeReview,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/review"},
	Summary: func(v Verification) string {
		s := fmt.Sprintf("Verification %s (%s) is %s.", v.Reference, v.ID, v.Status)
		if v.Review != nil {
			s += fmt.Sprintf(" Reviewed (%s) by %s.", v.Review.Decision, v.Review.ReviewedBy)
		}
		return s
	},
	Handle: reviewVerification,
}

func reviewVerification(ctx context.Context, d *Deps, c Caller, in ReviewVerificationInput) (Verification, error) {
	if !strings.HasPrefix(in.ID, "ver_") {
		return Verification{}, invalid("id", "verification ids start with ver_")
	}
	if !slices.Contains([]string{verify.DecisionApprove, verify.DecisionReject, verify.DecisionRequestResubmission}, in.Decision) {
		return Verification{}, invalid("decision", "%q is not approve, reject or request_resubmission", in.Decision)
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return Verification{}, invalid("reason", "required: say why, for the audit trail")
	}
	for _, code := range in.ReasonCodes {
		if !slices.Contains(verify.ReviewReasonCodes, code) {
			return Verification{}, invalid("reason_codes", "%q is not one of %s", code, strings.Join(verify.ReviewReasonCodes, ", "))
		}
	}
	if len(in.Checks) > 0 && in.Decision != verify.DecisionRequestResubmission {
		return Verification{}, invalid("checks", "only request_resubmission takes checks")
	}
	req := verify.ReviewRequest{ID: in.ID, Decision: in.Decision, Reason: reason, ReasonCodes: in.ReasonCodes, Reviewer: c.KeyID}
	for _, ch := range in.Checks {
		req.Checks = append(req.Checks, models.Check(ch))
	}
	v, err := d.Verify.DecideReview(ctx, c.scope(), req)
	switch {
	case errors.Is(err, verify.ErrNothingToResubmit):
		return Verification{}, Errorf(CodeConflict, "decision", "%v", err)
	case errors.Is(err, verify.ErrCheckNotRun):
		return Verification{}, invalid("checks", "%v", err)
	case errors.Is(err, db.ErrConflict):
		if v != nil {
			return Verification{}, Errorf(CodeConflict, "id", "only needs_review verifications can be reviewed; %s is %s", in.ID, v.Status)
		}
		return Verification{}, Errorf(CodeConflict, "id", "%s changed while it was being reviewed; read it again and decide on its current status", in.ID)
	case err != nil:
		return Verification{}, storeErr(err, "verification", "id")
	}
	return toVerification(d, v)
}
