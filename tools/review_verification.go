package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// The review decisions and the status each one leads to.
const (
	reviewApprove = "approve"
	reviewReject  = "reject"
)

var reviewOutcome = map[string]models.Status{reviewApprove: models.StatusApproved, reviewReject: models.StatusRejected}

// ReviewVerificationInput is a reviewer's decision on a verification in needs_review.
type ReviewVerificationInput struct {
	ID       string `json:"id" jsonschema:"verification id (ver_…) of a verification in needs_review" minLength:"1" maxLength:"64"`
	Decision string `json:"decision" jsonschema:"approve: the verification becomes approved; reject: it becomes rejected" enum:"approve,reject"`
	Reason   string `json:"reason" jsonschema:"why, for the audit trail (e.g. screening hit is a namesake: date of birth 1990 vs listed 1951)" minLength:"1" maxLength:"2000"`
}

// ReviewVerification records the manual decision on a verification the checks sent to review.
var ReviewVerification = Tool[ReviewVerificationInput, Verification]{
	Name:     "review_verification",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","decision":"approve","reason":"screening hit is a namesake: date of birth 1990-02-01 vs listed 1951-06-19"}`},
	Title:    "Review verification",
	Description: "Decide a verification that is in needs_review: approve (it becomes approved) or reject (it becomes rejected), with a reason for the audit trail. " +
		"Writes a verification.reviewed event (decision, reason, reviewer = this key's id, previous_status) that webhooks deliver, and the verification's review shows the decision; " +
		"its result keeps the checks' own evidence. An approval makes the applicant's data their verified profile; it issues no reusable identity token (only verifications every check passed without a person do). " +
		"A verification in any other status cannot be reviewed (conflict). " +
		"The queue is list_verifications with status needs_review. Requires the review scope.",
	Brief:       "decide a `needs_review` verification: `approve` → `approved`, `reject` → `rejected`, with a `reason` (≤ 2000 chars); the verification's `review` shows who, when, which way and why, and a `verification.reviewed` event is written (any other status: conflict error); an approval makes the applicant's data their verified profile, but issues no reusable identity token (those need every check passed without a person)",
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
	to, ok := reviewOutcome[in.Decision]
	if !ok {
		return Verification{}, invalid("decision", "%q is not approve or reject", in.Decision)
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return Verification{}, invalid("reason", "required: say why, for the audit trail")
	}
	v, err := d.Verify.Review(ctx, c.scope(), in.ID, to == models.StatusApproved, reason, c.Actor())
	if errors.Is(err, db.ErrConflict) {
		if v != nil {
			return Verification{}, Errorf(CodeConflict, "id", "only needs_review verifications can be reviewed; %s is %s", in.ID, v.Status)
		}
		return Verification{}, Errorf(CodeConflict, "id", "%s changed while it was being reviewed; read it again and decide on its current status", in.ID)
	}
	if err != nil {
		return Verification{}, storeErr(err, "verification", "id")
	}
	return toVerification(d, v)
}
