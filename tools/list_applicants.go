package tools

import (
	"context"
	"fmt"
)

// ListApplicantsInput pages the applicant list.
type ListApplicantsInput struct {
	Limit  int    `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor string `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
}

// ApplicantList is one page, newest first.
type ApplicantList struct {
	Data       []Applicant `json:"data" jsonschema:"the applicants, newest first (without history; use get_applicant)"`
	HasMore    bool        `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string     `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// ListApplicants pages through applicants.
var ListApplicants = Tool[ListApplicantsInput, ApplicantList]{
	Name:        "list_applicants",
	Examples:    []string{`{"limit":20}`},
	Title:       "List applicants",
	Description: "List applicants newest first with cursor pagination.",
	Brief:       "applicants, newest first",
	Scope:       ScopeApplicantsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/applicants"},
	Summary: func(l ApplicantList) string {
		return fmt.Sprintf("%d applicant(s)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ListApplicantsInput) (ApplicantList, error) {
		before, err := decodeCursor(in.Cursor, "app")
		if err != nil {
			return ApplicantList{}, err
		}
		rows, more, err := d.Store.ListApplicants(ctx, c.scope(), before, pageLimit(in.Limit))
		if err != nil {
			return ApplicantList{}, err
		}
		out := ApplicantList{Data: make([]Applicant, 0, len(rows)), HasMore: more}
		for i := range rows {
			a, err := toApplicant(ctx, d, c, &rows[i], false)
			if err != nil {
				return ApplicantList{}, err
			}
			out.Data = append(out.Data, a)
		}
		if more {
			out.NextCursor = encodeCursor(rows[len(rows)-1].ID)
		}
		return out, nil
	},
}
