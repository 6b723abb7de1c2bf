package tools

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// SearchVerificationsInput is what an operator typed in the search box.
type SearchVerificationsInput struct {
	Query string `json:"query" jsonschema:"a reference (VER-…), a verification id (ver_…), an external_ref, or the applicant's name or one word of it (matched exactly, ignoring case and accents)" minLength:"1" maxLength:"200"`
	Limit int    `json:"limit,omitempty" jsonschema:"most results, 1 to 100; default 20" minimum:"1" maximum:"100"`
}

// VerificationMatch is one verification a search found.
type VerificationMatch struct {
	ID            string    `json:"id" jsonschema:"verification id (ver_…); get_verification reads it"`
	Reference     string    `json:"reference" jsonschema:"its reference"`
	Status        string    `json:"status" jsonschema:"its status" enumof:"models.AllStatuses"`
	ApplicantName *string   `json:"applicant_name" jsonschema:"the applicant's name as given, null when none"`
	ExternalRef   *string   `json:"external_ref" jsonschema:"your reference, null when none"`
	CreatedAt     time.Time `json:"created_at" jsonschema:"creation time"`
}

// SearchResult is what a search found, newest first.
type SearchResult struct {
	Data []VerificationMatch `json:"data" jsonschema:"the verifications found"`
}

// SearchVerifications finds verifications by reference, id, external_ref or name.
var SearchVerifications = Tool[SearchVerificationsInput, SearchResult]{
	Name:     "search_verifications",
	Examples: []string{`{"query":"VER-7K3M9Q2X"}`, `{"query":"Müller"}`},
	Title:    "Search verifications",
	Description: "Find verifications by reference (VER-…), id (ver_…), external_ref, or the applicant's name — the whole name or one word of it, ignoring case and accents. " +
		"Names are matched by a blind index (a keyed hash), so the search never decrypts the stored names; newest first.",
	Brief:       "find by reference, id, external_ref or applicant name (blind index: exact word or whole name, case- and accent-insensitive)",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/verifications/search"},
	Summary: func(l SearchResult) string {
		return fmt.Sprintf("%d verification(s) found.", len(l.Data))
	},
	Handle: searchVerifications,
}

func searchVerifications(ctx context.Context, d *Deps, c Caller, in SearchVerificationsInput) (SearchResult, error) {
	q := strings.TrimSpace(in.Query)
	if q == "" {
		return SearchResult{}, invalid("query", "required: type a reference, an external_ref or a name")
	}
	limit := pageLimit(in.Limit)
	sc := c.scope()
	var ids []string
	add := func(id string) {
		if !slices.Contains(ids, id) && len(ids) < limit {
			ids = append(ids, id)
		}
	}
	switch {
	case strings.HasPrefix(q, "ver_"):
		add(q)
	case strings.HasPrefix(strings.ToUpper(q), "VER-"):
		v, err := d.Store.GetVerificationByReference(ctx, sc, strings.ToUpper(q))
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return SearchResult{}, err
		}
		if v != nil {
			add(v.ID)
		}
	}
	rows, _, err := d.Store.ListVerifications(ctx, db.VerificationFilter{Scope: sc, ExternalRef: q, Limit: limit})
	if err != nil {
		return SearchResult{}, err
	}
	for _, r := range rows {
		add(r.ID)
	}
	if _, err := d.Store.IndexVerifications(ctx, sc); err != nil {
		return SearchResult{}, err
	}
	byName, err := d.Store.FindByName(ctx, sc, q, limit)
	if err != nil {
		return SearchResult{}, err
	}
	for _, id := range byName {
		add(id)
	}
	out := SearchResult{Data: []VerificationMatch{}}
	for _, id := range ids {
		row, err := d.Store.GetVerification(ctx, sc, id)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return SearchResult{}, err
		}
		m := VerificationMatch{ID: row.ID, Reference: row.Reference, Status: string(row.Status), ExternalRef: row.ExternalRef, CreatedAt: row.CreatedAt.UTC()}
		var a models.ApplicantData
		if len(row.ApplicantPII) > 0 && d.Store.Keyring().OpenJSON(row.ApplicantPII, &a) == nil {
			m.ApplicantName = nullable(a.Name)
		}
		out.Data = append(out.Data, m)
	}
	return out, nil
}
