package tools

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AssignReviewInput names a case and who works it.
type AssignReviewInput struct {
	ID       string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	Assignee string `json:"assignee" jsonschema:"who works the case: an operator's e-mail or id, me for the caller, or empty to unassign" maxLength:"254"`
}

// ReviewAssignment says who works a case in the review queue.
type ReviewAssignment struct {
	VerificationID string     `json:"verification_id" jsonschema:"the case (ver_…)"`
	Assignee       *string    `json:"assignee" jsonschema:"who works it; null when unassigned"`
	AssignedBy     *string    `json:"assigned_by" jsonschema:"who assigned it (key or operator id); null when unassigned"`
	AssignedAt     *time.Time `json:"assigned_at" jsonschema:"when; null when unassigned"`
}

// AssignReview sets who works a case.
var AssignReview = Tool[AssignReviewInput, ReviewAssignment]{
	Name:     "assign_review",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","assignee":"me"}`},
	Title:    "Assign a review",
	Description: "Say who works a verification's review (any status, usually needs_review): an operator's e-mail or id, me for the caller, or an empty assignee to unassign. " +
		"A later assignment replaces the earlier one; list_review_queue filters by assignee. Requires the review scope.",
	Brief:       "set (or clear) who works a case; `me` is the caller",
	Scope:       ScopeReview,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "PUT", Path: "/verifications/{id}/assignment"},
	Summary: func(a ReviewAssignment) string {
		if a.Assignee == nil {
			return fmt.Sprintf("%s is unassigned.", a.VerificationID)
		}
		return fmt.Sprintf("%s is assigned to %s.", a.VerificationID, *a.Assignee)
	},
	Handle: assignReview,
}

func assignReview(ctx context.Context, d *Deps, c Caller, in AssignReviewInput) (ReviewAssignment, error) {
	if !strings.HasPrefix(in.ID, "ver_") {
		return ReviewAssignment{}, invalid("id", "verification ids start with ver_")
	}
	who := strings.TrimSpace(in.Assignee)
	if who == "me" {
		who = c.Actor()
	}
	a, err := d.Store.AssignReview(ctx, c.scope(), in.ID, who, c.Actor())
	if err != nil {
		return ReviewAssignment{}, storeErr(err, "verification", "id")
	}
	out := ReviewAssignment{VerificationID: in.ID}
	if a != nil {
		t := a.AssignedAt.UTC()
		out.Assignee, out.AssignedBy, out.AssignedAt = &a.Assignee, &a.AssignedBy, &t
	}
	return out, nil
}
