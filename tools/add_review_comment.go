package tools

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// AddReviewCommentInput is a note on a case.
type AddReviewCommentInput struct {
	ID   string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	Body string `json:"body" jsonschema:"the comment, for the other reviewers and the audit trail" minLength:"1" maxLength:"4000"`
}

// ReviewComment is a reviewer's note on a case.
type ReviewComment struct {
	ID        string    `json:"id" jsonschema:"comment id (rvc_…)"`
	Author    string    `json:"author" jsonschema:"who wrote it (key or operator id)"`
	Body      string    `json:"body" jsonschema:"the comment; empty once the applicant was erased"`
	CreatedAt time.Time `json:"created_at" jsonschema:"when"`
}

// AddReviewComment adds a note to a case.
var AddReviewComment = Tool[AddReviewCommentInput, ReviewComment]{
	Name:     "add_review_comment",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","body":"Asked the account manager whether the customer moved recently."}`},
	Title:    "Comment on a review",
	Description: "Add a comment to a verification's case for the other reviewers. Comments are kept in order, sealed with the verification's data " +
		"(erasing the applicant erases them), and listed by get_review. Requires the review scope.",
	Brief:       "add a note to a case; get_review lists them",
	Scope:       ScopeReview,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/comments", Status: 201},
	Summary: func(c ReviewComment) string {
		return fmt.Sprintf("Comment %s added by %s.", c.ID, c.Author)
	},
	Handle: addReviewComment,
}

func addReviewComment(ctx context.Context, d *Deps, c Caller, in AddReviewCommentInput) (ReviewComment, error) {
	if !strings.HasPrefix(in.ID, "ver_") {
		return ReviewComment{}, invalid("id", "verification ids start with ver_")
	}
	body := strings.TrimSpace(in.Body)
	if body == "" {
		return ReviewComment{}, invalid("body", "required: the comment is empty")
	}
	rc, err := d.Store.AddReviewComment(ctx, c.scope(), in.ID, c.Actor(), body)
	if err != nil {
		return ReviewComment{}, storeErr(err, "verification", "id")
	}
	return ReviewComment{ID: rc.ID, Author: rc.Author, Body: body, CreatedAt: rc.CreatedAt.UTC()}, nil
}
