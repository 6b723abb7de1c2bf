package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// ListVerificationsInput filters and pages the list.
type ListVerificationsInput struct {
	Status        []string   `json:"status,omitempty" jsonschema:"only these statuses" enumof:"models.AllStatuses" maxItems:"8"`
	ExternalRef   string     `json:"external_ref,omitempty" jsonschema:"only verifications with this external_ref" maxLength:"128"`
	CreatedAfter  *time.Time `json:"created_after,omitempty" jsonschema:"only those created after this time (RFC 3339)"`
	CreatedBefore *time.Time `json:"created_before,omitempty" jsonschema:"only those created before this time (RFC 3339)"`
	Limit         int        `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor        string     `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
}

// VerificationList is one page, newest first.
type VerificationList struct {
	Data       []Verification `json:"data" jsonschema:"the verifications, newest first"`
	HasMore    bool           `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string        `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// ListVerifications pages through verifications.
var ListVerifications = Tool[ListVerificationsInput, VerificationList]{
	Name:        "list_verifications",
	Examples:    []string{`{"status":["needs_review"],"created_after":"2026-12-01T00:00:00Z","limit":20}`},
	Title:       "List verifications",
	Description: "List verifications newest first, filtered by status, external_ref and creation time, with cursor pagination.",
	Brief:       "newest first; filter by status, external_ref, created_after/before; cursor pagination (≤ 100); `status=needs_review` is the review queue",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	Summary: func(l VerificationList) string {
		return fmt.Sprintf("%d verification(s)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle: listVerifications,
	REST:   REST{Method: "GET", Path: "/verifications"},
}

func listVerifications(ctx context.Context, d *Deps, c Caller, in ListVerificationsInput) (VerificationList, error) {
	before, err := decodeCursor(in.Cursor, "ver")
	if err != nil {
		return VerificationList{}, err
	}
	if in.CreatedAfter != nil && in.CreatedBefore != nil && !in.CreatedAfter.Before(*in.CreatedBefore) {
		return VerificationList{}, invalid("created_before", "must be later than created_after")
	}
	f := db.VerificationFilter{Scope: c.scope(), ExternalRef: in.ExternalRef, CreatedAfter: in.CreatedAfter,
		CreatedBefore: in.CreatedBefore, Before: before, Limit: pageLimit(in.Limit)}
	for _, s := range in.Status {
		f.Statuses = append(f.Statuses, models.Status(s))
	}
	rows, more, err := d.Store.ListVerifications(ctx, f)
	if err != nil {
		return VerificationList{}, err
	}
	out := VerificationList{Data: make([]Verification, 0, len(rows)), HasMore: more}
	for i := range rows {
		v, err := toVerification(d, &rows[i])
		if err != nil {
			return VerificationList{}, err
		}
		out.Data = append(out.Data, v)
	}
	if more {
		out.NextCursor = encodeCursor(rows[len(rows)-1].ID)
	}
	return out, nil
}
