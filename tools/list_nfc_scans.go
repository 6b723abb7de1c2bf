package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/kycd/kycd/db"
)

// ListNFCScansInput filters and pages the list.
type ListNFCScansInput struct {
	VerificationID string `json:"verification_id,omitempty" jsonschema:"only the scans attached to this verification (ver_…)" maxLength:"64"`
	Limit          int    `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor         string `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
}

// NFCScanList is one page, newest first.
type NFCScanList struct {
	Data       []NFCScan `json:"data" jsonschema:"the scans, newest first"`
	HasMore    bool      `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string   `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// ListNFCScans pages through chip reads.
var ListNFCScans = Tool[ListNFCScansInput, NFCScanList]{
	Name:        "list_nfc_scans",
	Examples:    []string{`{"verification_id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:       "List NFC chip reads",
	Description: "List verified ePassport chip reads newest first, optionally only those of one verification, with cursor pagination.",
	Brief:       "chip reads newest first, optionally of one verification; cursor pagination (≤ 100)",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/nfc-scans"},
	Summary: func(l NFCScanList) string {
		return fmt.Sprintf("%d chip read(s)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle:         listNFCScans, // The hosted flow's chip step waits for a read attached to its verification.
	SessionAllowed: true,
}

func listNFCScans(ctx context.Context, d *Deps, c Caller, in ListNFCScansInput) (NFCScanList, error) {
	n, err := nfcEngine(d)
	if err != nil {
		return NFCScanList{}, err
	}
	before, err := decodeCursor(in.Cursor, "nfc")
	if err != nil {
		return NFCScanList{}, err
	}
	if in.VerificationID != "" && !strings.HasPrefix(in.VerificationID, "ver_") {
		return NFCScanList{}, invalid("verification_id", "verification ids start with ver_")
	}
	rows, more, err := d.Store.ListNFCScans(ctx, db.NFCScanFilter{Scope: c.scope(), VerificationID: in.VerificationID,
		Before: before, Limit: pageLimit(in.Limit)})
	if err != nil {
		return NFCScanList{}, err
	}
	out := NFCScanList{Data: make([]NFCScan, 0, len(rows)), HasMore: more}
	for i := range rows {
		s, err := n.Open(&rows[i])
		if err != nil {
			return NFCScanList{}, err
		}
		out.Data = append(out.Data, toNFCScan(s))
	}
	if more {
		out.NextCursor = encodeCursor(rows[len(rows)-1].ID)
	}
	return out, nil
}
