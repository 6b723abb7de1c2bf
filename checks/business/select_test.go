package business_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/kycd/kycd/checks/business"
)

func TestSelect(t *testing.T) {
	t.Parallel()
	recs := multiRecords(t)
	for _, tc := range []struct {
		name    string
		q       business.CompanyQuery
		outcome string
		winner  string
	}{
		{"name and country", business.CompanyQuery{Name: "Puma Societas Europaea", Jurisdiction: "DE"}, business.OutcomeMatched, "529900GRZ2BQY5ZM9N49"},
		{"dotted legal form", business.CompanyQuery{Name: "Shell p.l.c."}, business.OutcomeMatched, "21380068P1DRHMJ8KU70"},
		{"subdivision given, country known", business.CompanyQuery{Name: "Microsoft Corp", Jurisdiction: "US"}, business.OutcomeMatched, "INR2EJN1ERAN0W5ZP974"},
		{"registration number alone", business.CompanyQuery{RegistrationNumber: "HRB32000", Jurisdiction: "DE"}, business.OutcomeMatched, "851WYGNLUQLFZBSYGB56"},
		{"typo", business.CompanyQuery{Name: "Comerzbank AG"}, business.OutcomeMatched, "851WYGNLUQLFZBSYGB56"},
		{"accented and lower case", business.CompanyQuery{Name: "nordic légal entity identifier a.b."}, business.OutcomeMatched, "549300O897ZC5H7CY412"},
		{"other jurisdiction", business.CompanyQuery{Name: "PUMA SE", Jurisdiction: "FR"}, business.OutcomeNotFound, ""},
		{"only a prefix of the name", business.CompanyQuery{Name: "Apple"}, business.OutcomeNotFound, ""},
		{"unknown company", business.CompanyQuery{Name: "Globex Corporation"}, business.OutcomeNotFound, ""},
	} {
		sel := business.Select(tc.q, recs, business.SelectOptions{})
		if sel.Outcome != tc.outcome {
			t.Errorf("%s: outcome %s (%s), want %s", tc.name, sel.Outcome, sel.Reason, tc.outcome)
			continue
		}
		if tc.winner != "" && (sel.Winner == nil || sel.Winner.Record.LEI != tc.winner) {
			t.Errorf("%s: winner %+v", tc.name, sel.Winner)
		}
		if tc.winner == "" && sel.Winner != nil {
			t.Errorf("%s: a winner was picked: %s", tc.name, sel.Winner.Record.LEI)
		}
		if len(sel.Candidates) == 0 || len(sel.Candidates[0].Explanation) == 0 || sel.Reason == "" {
			t.Errorf("%s: unexplained selection %+v", tc.name, sel)
		}
	}
}

// Bloomberg L.P. (parent) and Bloomberg Inc. (ultimate parent) differ only by legal form:
// by name alone the engine must not choose; the register number settles it.
func TestSelectAmbiguousUntilRegisterNumber(t *testing.T) {
	t.Parallel()
	var recs []business.Record
	for _, f := range []string{"lei_records/direct-parent_5493001KJTIIGC8Y1R12.json",
		"lei_records/ultimate-parent_5493001KJTIIGC8Y1R12.json", "lei_records/single_lei_record_5493001KJTIIGC8Y1R12.json"} {
		rs, err := business.DecodeRecords(readAPI(t, f))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rs...)
	}
	sel := business.Select(business.CompanyQuery{Name: "Bloomberg", Jurisdiction: "US-DE"}, recs, business.SelectOptions{})
	if sel.Outcome != business.OutcomeAmbiguous || sel.Winner != nil {
		t.Fatalf("outcome %s (%s)", sel.Outcome, sel.Reason)
	}
	if sel.Candidates[0].Record.LEI != "549300B56MD0ZC402L06" || !sel.Candidates[1].Plausible || sel.Candidates[2].Plausible {
		t.Errorf("ranking: %v", leis(sel.Candidates))
	}
	a := business.Assess(business.AssessInput{Query: business.CompanyQuery{Name: "Bloomberg"}, Selection: sel})
	if !a.Has(business.ReasonAmbiguousCompany) || a.Record != nil {
		t.Errorf("assessment %+v", a)
	}
	cands := a.Reasons[0].Data["candidates"].([]map[string]any)
	if len(cands) != 2 || cands[0]["lei"] != "549300B56MD0ZC402L06" {
		t.Errorf("reason data %+v", cands)
	}
	sel = business.Select(business.CompanyQuery{Name: "Bloomberg", RegistrationNumber: "2110234"}, recs, business.SelectOptions{})
	if sel.Outcome != business.OutcomeMatched || sel.Winner.Record.LEI != "549300B56MD0ZC402L06" {
		t.Errorf("with register number: %s %s", sel.Outcome, sel.Reason)
	}
}

func TestSelectPrefersActiveIssued(t *testing.T) {
	t.Parallel()
	live := recordOf(t, "529900GRZ2BQY5ZM9N49")
	retired := live
	retired.LEI = "529900AAAAAAAAAAAA" + business.CheckDigits("529900AAAAAAAAAAAA")
	retired.Registration.Status = "RETIRED"
	retired.EntityStatus = "INACTIVE"
	sel := business.Select(business.CompanyQuery{Name: "Puma SE"}, []business.Record{retired, live}, business.SelectOptions{})
	if sel.Outcome != business.OutcomeMatched || sel.Winner.Record.LEI != live.LEI {
		t.Fatalf("%s %s", sel.Outcome, sel.Reason)
	}
	if !strings.Contains(strings.Join(sel.Candidates[1].Explanation, ";"), "RETIRED") {
		t.Errorf("explanation %v", sel.Candidates[1].Explanation)
	}
	// Two live records of one name in two countries: ambiguous without a jurisdiction.
	twin := live
	twin.LEI = "529900BBBBBBBBBBBB" + business.CheckDigits("529900BBBBBBBBBBBB")
	twin.Jurisdiction, twin.LegalAddress.Country = "AT", "AT"
	sel = business.Select(business.CompanyQuery{Name: "Puma SE"}, []business.Record{twin, live}, business.SelectOptions{})
	if sel.Outcome != business.OutcomeAmbiguous {
		t.Errorf("twins: %s", sel.Outcome)
	}
	sel = business.Select(business.CompanyQuery{Name: "Puma SE", Jurisdiction: "AT"}, []business.Record{twin, live}, business.SelectOptions{})
	if sel.Outcome != business.OutcomeMatched || sel.Winner.Record.LEI != twin.LEI {
		t.Errorf("twins with jurisdiction: %s", sel.Outcome)
	}
}

func leis(cs []business.Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Record.LEI)
	}
	return out
}

func TestIdentify(t *testing.T) {
	t.Parallel()
	srv, c := replay(t, business.Options{})
	ctx := context.Background()
	sel, err := business.Identify(ctx, c, business.CompanyQuery{Name: "Fraport AG", RegistrationNumber: "HRB 7042", Jurisdiction: "DE"}, business.SelectOptions{})
	if err != nil || sel.Outcome != business.OutcomeMatched || sel.Winner.Record.LEI != "5299001ERX0K10IZUL40" {
		t.Fatalf("%s %s %v", sel.Outcome, sel.Reason, err)
	}
	if sel.Winner.Registration != business.MatchExact || sel.Winner.Jurisdiction != business.MatchExact {
		t.Errorf("components %+v", sel.Winner)
	}
	sel, err = business.Identify(ctx, c, business.CompanyQuery{LEI: "21380068P1DRHMJ8KU70", Name: "Shell"}, business.SelectOptions{})
	if err != nil || sel.Outcome != business.OutcomeMatched || sel.Winner.NameScore != 1 {
		t.Errorf("by LEI: %+v %v", sel, err)
	}
	sel, err = business.Identify(ctx, c, business.CompanyQuery{LEI: "529900T8BM49AURSDO55"}, business.SelectOptions{})
	if err != nil || sel.Outcome != business.OutcomeNotFound {
		t.Errorf("unknown LEI: %+v %v", sel, err)
	}
	if _, err := business.Identify(ctx, c, business.CompanyQuery{LEI: "X"}, business.SelectOptions{}); !errors.Is(err, business.ErrInvalidLEI) {
		t.Errorf("invalid LEI: %v", err)
	}
	// GLEIF down is an error, never "not found".
	srv.Hook = func(w http.ResponseWriter, r *http.Request) bool { w.WriteHeader(503); return true }
	_, err = business.Identify(ctx, c, business.CompanyQuery{Name: "Puma"}, business.SelectOptions{})
	if !errors.Is(err, business.ErrUnavailable) {
		t.Errorf("source down: %v", err)
	}
}

func TestIdentifyRejectsHostileQueries(t *testing.T) {
	t.Parallel()
	srv, c := replay(t, business.Options{})
	_, err := business.Identify(context.Background(), c, business.CompanyQuery{Name: strings.Repeat("Acme ", 2500)}, business.SelectOptions{})
	if !errors.Is(err, business.ErrBadRequest) || srv.Hits.Load() != 0 {
		t.Errorf("10 KB name: %v, %d requests", err, srv.Hits.Load())
	}
	// 10 KB names among the records are scored, bounded, without error.
	recs := multiRecords(t)
	recs[0].LegalName.Name = strings.Repeat("Ünïcödé Holding GmbH ", 500)
	recs[1].OtherNames = append(recs[1].OtherNames, business.Name{Name: strings.Repeat("株式会社", 3000)})
	sel := business.Select(business.CompanyQuery{Name: "Puma SE"}, recs, business.SelectOptions{})
	if sel.Outcome != business.OutcomeMatched {
		t.Errorf("%s", sel.Reason)
	}
}
