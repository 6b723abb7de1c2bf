package tools

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ListCSCAInput filters and pages the trust store.
type ListCSCAInput struct {
	Country string `json:"country,omitempty" jsonschema:"only this country's CSCAs" country:"alpha2"`
	Limit   int    `json:"limit,omitempty" jsonschema:"page size, 1 to 1000; default 100" minimum:"1" maximum:"1000"`
	Cursor  string `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
}

// CSCAList is the trust store chip reads of this key's mode are judged against.
type CSCAList struct {
	TrustStore   string           `json:"trust_store" jsonschema:"which trust store: database (kycd csca import), or test: <master list> for test keys while the database holds no CSCA"`
	Total        int              `json:"total" jsonschema:"how many CSCAs match the filter"`
	Certificates []NFCCertificate `json:"certificates" jsonschema:"the trusted CSCAs by country and subject, each with its validity and the master list or file it came from"`
	CRLs         []CSCACRL        `json:"crls" jsonschema:"the loaded certificate revocation lists (first page only)"`
	HasMore      bool             `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor   *string          `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// CSCACRL describes a loaded CRL.
type CSCACRL struct {
	Issuer     string    `json:"issuer" jsonschema:"the CSCA that issued it"`
	ThisUpdate time.Time `json:"this_update" jsonschema:"when it was issued"`
	NextUpdate time.Time `json:"next_update,omitzero" jsonschema:"when the next one is due"`
	Revoked    int       `json:"revoked" jsonschema:"how many certificates it revokes"`
}

// ListCSCA shows the trust store.
var ListCSCA = Tool[ListCSCAInput, CSCAList]{
	Name:     "list_csca",
	Examples: []string{`{"country":"DE"}`},
	Title:    "List trusted CSCAs",
	Description: "List the Country Signing CA certificates verify_nfc trusts — country, subject, validity, and the master list (or file) each came from — " +
		"and the loaded CRLs. The operator fills the store with `kycd csca import`; a master list is trusted only when its signer chains to a root given to the import.",
	Brief:       "the CSCA trust store: country, subject, validity and source master list of each certificate; CRLs",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/csca"},
	Summary: func(l CSCAList) string {
		return fmt.Sprintf("%d CSCA(s) in the %s trust store%s.", l.Total, l.TrustStore, moreNote(l.HasMore))
	},
	Handle: listCSCA,
}

func listCSCA(ctx context.Context, d *Deps, c Caller, in ListCSCAInput) (CSCAList, error) {
	n, err := nfcEngine(d)
	if err != nil {
		return CSCAList{}, err
	}
	offset := 0
	if in.Cursor != "" {
		raw, err := decodeCursor(in.Cursor, "csca")
		if err != nil {
			return CSCAList{}, err
		}
		if offset, err = strconv.Atoi(strings.TrimPrefix(raw, "csca_")); err != nil || offset < 0 {
			return CSCAList{}, invalid("cursor", "not a cursor returned by this list; pass next_cursor back unchanged")
		}
	}
	limit := in.Limit
	if limit == 0 {
		limit = 100
	}
	l, err := n.ListCSCA(ctx, c.Mode)
	if err != nil {
		return CSCAList{}, err
	}
	out := CSCAList{TrustStore: l.TrustStore, Certificates: []NFCCertificate{}, CRLs: []CSCACRL{}}
	country, err := countryField("country", in.Country)
	if err != nil {
		return CSCAList{}, err
	}
	var match []NFCCertificate
	for _, ci := range l.Certificates {
		if country == "" || strings.EqualFold(ci.Country, country) {
			match = append(match, toNFCCertificate(ci))
		}
	}
	out.Total = len(match)
	if offset < len(match) {
		end := min(offset+limit, len(match))
		out.Certificates = append(out.Certificates, match[offset:end]...)
		if end < len(match) {
			out.HasMore, out.NextCursor = true, encodeCursor("csca_"+strconv.Itoa(end))
		}
	}
	if offset == 0 {
		for _, r := range l.CRLs {
			out.CRLs = append(out.CRLs, CSCACRL{Issuer: r.Issuer, ThisUpdate: r.ThisUpdate, NextUpdate: r.NextUpdate, Revoked: r.Revoked})
		}
	}
	return out, nil
}
