package tools

import (
	"context"
	"fmt"

	"github.com/kycd/kycd/db"
)

// ListBusinessesInput filters and pages the list.
type ListBusinessesInput struct {
	Status      []string `json:"status,omitempty" jsonschema:"only these statuses" enum:"processing,approved,needs_review,rejected" maxItems:"4"`
	RiskLevel   []string `json:"risk_level,omitempty" jsonschema:"only these risk levels" enum:"low,medium,high" maxItems:"3"`
	ExternalRef string   `json:"external_ref,omitempty" jsonschema:"only businesses with this external_ref" maxLength:"128"`
	Limit       int      `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor      string   `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
}

// BusinessList is one page, newest first.
type BusinessList struct {
	Data       []Business `json:"data" jsonschema:"the businesses, newest first"`
	HasMore    bool       `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string    `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// ListBusinesses pages through business checks.
var ListBusinesses = Tool[ListBusinessesInput, BusinessList]{
	Name:        "list_businesses",
	Examples:    []string{`{"status":["needs_review"],"limit":20}`},
	Title:       "List businesses",
	Brief:       "business checks newest first; filter by status, risk_level, external_ref; cursor pagination (≤ 100)",
	Description: "List business checks (verify_business) newest first, filtered by status, risk level and external_ref, with cursor pagination.",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/businesses"},
	Summary: func(l BusinessList) string {
		return fmt.Sprintf("%d business(es)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle: listBusinesses,
}

func listBusinesses(ctx context.Context, d *Deps, c Caller, in ListBusinessesInput) (BusinessList, error) {
	svc, err := businessEngine(d)
	if err != nil {
		return BusinessList{}, err
	}
	before, err := decodeCursor(in.Cursor, "biz")
	if err != nil {
		return BusinessList{}, err
	}
	rows, more, err := d.Store.ListBusinesses(ctx, db.BusinessFilter{Scope: c.scope(), Statuses: in.Status, RiskLevels: in.RiskLevel,
		ExternalRef: in.ExternalRef, Before: before, Limit: pageLimit(in.Limit)})
	if err != nil {
		return BusinessList{}, err
	}
	out := BusinessList{Data: make([]Business, 0, len(rows)), HasMore: more}
	for i := range rows {
		row := &rows[i]
		res, err := svc.Open(row)
		if err != nil {
			return BusinessList{}, err
		}
		in, err := svc.Input(row)
		if err != nil {
			return BusinessList{}, err
		}
		out.Data = append(out.Data, toBusiness(row, res, in))
	}
	if more {
		out.NextCursor = encodeCursor(rows[len(rows)-1].ID)
	}
	return out, nil
}
