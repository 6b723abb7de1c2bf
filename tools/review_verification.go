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
	ID          string   `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	Decision    string   `json:"decision" jsonschema:"approve, reject or request_resubmission (fresh link, failed checks only)" enum:"approve,reject,request_resubmission"`
	Reason      string   `json:"reason" jsonschema:"why, for the audit trail" minLength:"1" maxLength:"2000"`
	ReasonCodes []string `json:"reason_codes,omitempty" jsonschema:"why, as codes" enumof:"verify.ReviewReasonCodes" maxItems:"8"`
	Checks      []string `json:"checks,omitempty" jsonschema:"request_resubmission: checks to redo (default: the failed ones)" maxItems:"9"`
}

// ReviewVerification records the manual decision on a verification the checks sent to review.
var ReviewVerification = Tool[ReviewVerificationInput, Verification]{
	Name:        "review_verification",
	Examples:    []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","decision":"approve","reason":"namesake: born 1990, listed 1951"}`},
	Title:       "Review verification",
	Description: "Decide a needs_review verification with a reason: approve → approved, reject → rejected (verification.reviewed; approval makes the applicant's data their verified profile), or request_resubmission → pending with a fresh hosted_url for the failed checks only. Other statuses: conflict.",
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
	req := verify.ReviewRequest{ID: in.ID, Decision: in.Decision, Reason: reason, ReasonCodes: in.ReasonCodes, Reviewer: c.Actor()}
	for _, ch := range in.Checks {
		if !slices.Contains(models.AllChecks, models.Check(ch)) {
			return Verification{}, invalid("checks", "%q is not a check", ch)
		}
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
