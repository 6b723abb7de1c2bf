package tools

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ListScreeningListsInput takes nothing: every stored list is listed.
type ListScreeningListsInput struct{}

// ScreeningLists is every stored sanctions / PEP list version and what this server screens against.
type ScreeningLists struct {
	Lists []StoredScreeningList `json:"lists" jsonschema:"one entry per list source, sorted by source"`
}

// StoredScreeningList is the current version of one list.
type StoredScreeningList struct {
	Source    string     `json:"source" jsonschema:"the list: ofac_sdn, ofac_cons, un, eu, uk, us_csl, bis_dpl, ftm or senzing"`
	SHA256    string     `json:"sha256" jsonschema:"hash of the list files as loaded; screening results name it"`
	Entities  int        `json:"entities" jsonschema:"how many entities the list holds"`
	LoadedAt  time.Time  `json:"loaded_at" jsonschema:"when the list was parsed and stored (kycd lists import or update)"`
	FetchedAt *time.Time `json:"fetched_at,omitempty" jsonschema:"when it was downloaded from its publisher (absent for a local import)"`
	Origin    string     `json:"origin" jsonschema:"the file path or URL it was loaded from"`
	// InService is false for a version stored by another process that this server has not
	// picked up yet (it syncs every KYCD_LISTS_SYNC).
	InService       bool `json:"in_service" jsonschema:"true when this server screens against exactly this version; false for a just-imported version not picked up yet"`
	CryptoAddresses int  `json:"crypto_addresses" jsonschema:"how many cryptocurrency addresses from this list screen_transaction matches against"`
}

// ListScreeningLists reports the loaded list versions.
var ListScreeningLists = Tool[ListScreeningListsInput, ScreeningLists]{
	Name:        "list_screening_lists",
	Examples:    []string{`{}`},
	Title:       "List screening lists",
	Description: "List the sanctions and PEP lists this server screens against: source, SHA-256 of the data, entity count, when loaded and fetched. Every screening result names the same versions.",
	Brief:       "the stored list versions (source, sha256, entities, loaded_at), whether this server serves them, crypto addresses per list",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/screening-lists"},
	Summary: func(r ScreeningLists) string {
		if len(r.Lists) == 0 {
			return "No list is loaded: run `kycd lists import` or `kycd lists update`."
		}
		parts := make([]string, len(r.Lists))
		for i, l := range r.Lists {
			parts[i] = fmt.Sprintf("%s (%d entities, %s)", l.Source, l.Entities, l.SHA256[:min(12, len(l.SHA256))])
		}
		return fmt.Sprintf("%d list(s): %s.", len(r.Lists), strings.Join(parts, ", "))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, _ ListScreeningListsInput) (ScreeningLists, error) {
		if d.Screening == nil {
			return ScreeningLists{}, Errorf(CodeUnavailable, "", "screening is not configured on this server")
		}
		rows, err := d.Store.ScreeningListVersions(ctx)
		if err != nil {
			return ScreeningLists{}, err
		}
		serving := map[string]string{}
		for _, v := range d.Screening.Screener().Versions() {
			serving[v.Source] = v.SHA256
		}
		_, cl := d.Screening.Crypto()
		addresses := map[string]int{}
		for _, v := range cl.Versions {
			addresses[v.Source] = v.Count
		}
		out := ScreeningLists{Lists: make([]StoredScreeningList, 0, len(rows))}
		for _, r := range rows {
			l := StoredScreeningList{Source: r.Source, SHA256: r.SHA256, Entities: r.Entities, LoadedAt: r.LoadedAt.UTC(),
				Origin: r.Origin, InService: serving[r.Source] == r.SHA256}
			if l.InService {
				l.CryptoAddresses = addresses[r.Source]
			}
			if r.FetchedAt != nil {
				t := r.FetchedAt.UTC()
				l.FetchedAt = &t
			}
			out.Lists = append(out.Lists, l)
		}
		return out, nil
	},
}
