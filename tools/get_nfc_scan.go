package tools

import (
	"context"
	"strings"
)

// GetNFCScanInput names a scan.
type GetNFCScanInput struct {
	ID string `json:"id" jsonschema:"scan id (nfc_…)" minLength:"1" maxLength:"64"`
}

// GetNFCScan reads a stored chip read.
var GetNFCScan = Tool[GetNFCScanInput, NFCScan]{
	Name:        "get_nfc_scan",
	Examples:    []string{`{"id":"nfc_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:       "Get an NFC chip read",
	Description: "Read a verified ePassport chip read (from verify_nfc) with its verdicts, chain, per-data-group results, Active Authentication outcome, reasons and the MRZ read from the chip.",
	Brief:       "one verified chip read: verdicts, chain, data groups, active authentication, reasons, chip MRZ",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/nfc-scans/{id}"},
	Summary:     summarizeNFCScan,
	Handle:      getNFCScan,
}

func getNFCScan(ctx context.Context, d *Deps, c Caller, in GetNFCScanInput) (NFCScan, error) {
	n, err := nfcEngine(d)
	if err != nil {
		return NFCScan{}, err
	}
	if !strings.HasPrefix(in.ID, "nfc_") {
		return NFCScan{}, invalid("id", "scan ids start with nfc_")
	}
	s, err := n.Get(ctx, c.scope(), in.ID)
	if err != nil {
		return NFCScan{}, storeErr(err, "nfc scan", "id")
	}
	return toNFCScan(s), nil
}
