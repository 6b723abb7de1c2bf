package main

import (
	"context"
	"fmt"

	"github.com/kycd/kycd/tools"
)

// seedAddress is one proof-of-address check the seed makes: a sample bill made out to bill
// (or to someone else), checked against what the applicant declared.
type seedAddress struct {
	want     string // the status the real check gives (TestSandboxSeed holds it to that)
	name     string
	bill     tools.SampleAddress
	declared tools.SampleAddress
	other    bool // the bill is someone else's
}

var seedAddresses = []seedAddress{
	{want: "approved", name: "Hanna Müller",
		bill:     tools.SampleAddress{Line1: "Heidestraße 17", City: "Köln", PostalCode: "51147", Country: "DE"},
		declared: tools.SampleAddress{Line1: "Heidestraße 17", City: "Köln", PostalCode: "51147", Country: "DE"}},
	{want: "approved", name: "Amelia Byrne",
		bill:     tools.SampleAddress{Line1: "221B Baker Street", City: "London", PostalCode: "NW1 6XE", Country: "GB"},
		declared: tools.SampleAddress{Line1: "221B Baker Street", City: "London", PostalCode: "NW1 6XE", Country: "GB"}},
	// The postcode and house number agree, the street does not (the applicant typed the
	// street they live off): the real check sends it to a person.
	{want: "needs_review", name: "Chloé Dubois",
		bill:     tools.SampleAddress{Line1: "12 rue de la Paix", City: "Paris", PostalCode: "75002", Country: "FR"},
		declared: tools.SampleAddress{Line1: "12 boulevard des Capucines", City: "Paris", PostalCode: "75002", Country: "FR"}},
	{want: "needs_review", name: "Kwame Mensah",
		bill:     tools.SampleAddress{Line1: "10 Downing Street", City: "London", PostalCode: "SW1A 2AA", Country: "GB"},
		declared: tools.SampleAddress{Line1: "10 Whitehall", City: "London", PostalCode: "SW1A 2AA", Country: "GB"}},
	{want: "rejected", name: "Jonas Schmidt", other: true,
		bill:     tools.SampleAddress{Line1: "Karl-Marx-Allee 90", City: "Berlin", PostalCode: "10243", Country: "DE"},
		declared: tools.SampleAddress{Line1: "Karl-Marx-Allee 90", City: "Berlin", PostalCode: "10243", Country: "DE"}},
	{want: "rejected", name: "Noah Jansen",
		bill:     tools.SampleAddress{Line1: "Prinsengracht 263", City: "Amsterdam", PostalCode: "1016 GV", Country: "NL"},
		declared: tools.SampleAddress{Line1: "Damrak 1", City: "Amsterdam", PostalCode: "1012 LG", Country: "NL"}},
}

// addresses runs the real proof-of-address check on sample bills: approved, for review and
// rejected. It counts the checks by the status the engine gave (what it decided, not what
// was hoped for).
func (s *seeder) addresses(ctx context.Context) (map[string]int, error) {
	out := map[string]int{}
	for i, a := range seedAddresses {
		bill, err := tools.SampleBill(ctx, s.reg.Deps(), s.caller, a.name, a.bill, a.other)
		if err != nil {
			return nil, err
		}
		var res tools.AddressCheck
		err = s.call(ctx, tools.CheckAddress.Name, map[string]any{"document": bill, "declared_name": a.name,
			"declared_address": map[string]any{"line1": a.declared.Line1, "city": a.declared.City, "postal_code": a.declared.PostalCode, "country": a.declared.Country},
			"external_ref":     fmt.Sprintf("seed_address_%d", i+1), "wait_seconds": tools.MaxWaitSeconds}, &res)
		if te := tools.AsError(err); te != nil && te.Code == tools.CodeUnavailable {
			return map[string]int{"none: no proof-of-address engine on this server": 0}, nil
		}
		if err != nil {
			return nil, err
		}
		out[res.Status]++
	}
	return out, nil
}
