package tools

import (
	"context"
	"fmt"

	"github.com/kycd/kycd/db"
)

// ListAddressChecksInput filters and pages the list.
type ListAddressChecksInput struct {
	Status         []string `json:"status,omitempty" jsonschema:"only these statuses" enum:"processing,approved,needs_review,rejected" maxItems:"4"`
	ExternalRef    string   `json:"external_ref,omitempty" jsonschema:"only checks with this external_ref" maxLength:"128"`
	VerificationID string   `json:"verification_id,omitempty" jsonschema:"only checks attached to this verification" maxLength:"64"`
	Limit          int      `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor         string   `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
}

// AddressCheckList is one page, newest first.
type AddressCheckList struct {
	Data       []AddressCheck `json:"data" jsonschema:"the checks, newest first"`
	HasMore    bool           `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string        `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// ListAddressChecks pages through proof-of-address checks.
var ListAddressChecks = Tool[ListAddressChecksInput, AddressCheckList]{
	Name:        "list_address_checks",
	Examples:    []string{`{"limit":20}`},
	Title:       "List address checks",
	Brief:       "proof-of-address checks newest first; filter by status, external_ref, verification_id; cursor pagination (≤ 100)",
	Description: "List proof-of-address checks (check_address) newest first, filtered by decision, external_ref and verification, with cursor pagination.",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/address-checks"},
	Summary: func(l AddressCheckList) string {
		return fmt.Sprintf("%d address check(s)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle: listAddressChecks,
}

func listAddressChecks(ctx context.Context, d *Deps, c Caller, in ListAddressChecksInput) (AddressCheckList, error) {
	svc, err := addressEngine(d)
	if err != nil {
		return AddressCheckList{}, err
	}
	before, err := decodeCursor(in.Cursor, "adr")
	if err != nil {
		return AddressCheckList{}, err
	}
	rows, more, err := d.Store.ListAddressChecks(ctx, db.AddressCheckFilter{Scope: c.scope(), Statuses: in.Status, ExternalRef: in.ExternalRef,
		VerificationID: in.VerificationID, Before: before, Limit: pageLimit(in.Limit)})
	if err != nil {
		return AddressCheckList{}, err
	}
	out := AddressCheckList{Data: make([]AddressCheck, 0, len(rows)), HasMore: more}
	for i := range rows {
		a, err := svc.Open(&rows[i])
		if err != nil {
			return AddressCheckList{}, err
		}
		out.Data = append(out.Data, toAddressCheck(a))
	}
	if more {
		out.NextCursor = encodeCursor(rows[len(rows)-1].ID)
	}
	return out, nil
}
