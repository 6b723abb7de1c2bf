package business_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/kycd/kycd/checks/business"
)

func TestBuildGraph(t *testing.T) {
	t.Parallel()
	_, c := replay(t, business.Options{})
	ctx := context.Background()

	// Bloomberg Finance: direct parent Bloomberg L.P., ultimate parent Bloomberg Inc.
	g, err := business.BuildGraph(ctx, c, "5493001KJTIIGC8Y1R12", business.GraphOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.DirectParent == nil || g.DirectParent.Record.LegalName.Name != "Bloomberg L.P." ||
		g.UltimateParent == nil || g.UltimateParent.Record.LegalName.Name != "Bloomberg Inc." ||
		g.DirectException != nil || g.UltimateException != nil {
		t.Fatalf("Bloomberg graph: %+v", g)
	}
	wantEdges := []business.Edge{
		{From: "5493001KJTIIGC8Y1R12", To: "549300B56MD0ZC402L06", Type: business.RelDirectParent, Status: "ACTIVE"},
		{From: "5493001KJTIIGC8Y1R12", To: "549300RMUDWPHCUQNE66", Type: business.RelUltimateParent, Status: "ACTIVE"},
	}
	if len(g.Edges) != 2 || g.Edges[0] != wantEdges[0] || g.Edges[1] != wantEdges[1] {
		t.Errorf("edges %+v", g.Edges)
	}
	if len(g.Nodes) != 3 || g.Nodes[1].Roles[0] != business.RoleDirectParent {
		t.Errorf("nodes %+v", g.Nodes)
	}

	// Nordic LEI AB: the same company is direct and ultimate parent — one node, two roles.
	g, err = business.BuildGraph(ctx, c, "549300O897ZC5H7CY412", business.GraphOptions{ChildLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Nodes) != 2 || strings.Join(g.Nodes[1].Roles, ",") != "direct_parent,ultimate_parent" || g.Nodes[1].Name != "La Gare Holding AB" {
		t.Errorf("nodes %+v", g.Nodes)
	}

	// Shell: no parent of either level (NO_KNOWN_PERSON), 106 direct children of which 15 read.
	g, err = business.BuildGraph(ctx, c, "21380068P1DRHMJ8KU70", business.GraphOptions{ChildLimit: 15})
	if err != nil {
		t.Fatal(err)
	}
	if g.DirectParent != nil || g.DirectException == nil || g.DirectException.Reason != "NO_KNOWN_PERSON" ||
		g.UltimateException == nil || g.UltimateException.Category != "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT" {
		t.Errorf("Shell parents: %+v %+v", g.DirectException, g.UltimateException)
	}
	if len(g.DirectChildren.Items) != 15 || g.DirectChildren.Total != 106 || g.UltimateChildren.Total != 153 {
		t.Errorf("Shell children %d/%d, ultimate %d", len(g.DirectChildren.Items), g.DirectChildren.Total, g.UltimateChildren.Total)
	}
	if len(g.Edges) != 30 {
		t.Errorf("edges %d", len(g.Edges))
	}

	// Amazon Digital UK: no direct parent reported (NON_PUBLIC) but an ultimate parent.
	g, err = business.BuildGraph(ctx, c, "254900LNRYNOQ9YPU758", business.GraphOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.DirectException == nil || g.DirectException.Reason != "NON_PUBLIC" || g.UltimateParent == nil ||
		g.UltimateParent.Record.LegalName.Name != "AMAZON.COM, INC." {
		t.Errorf("Amazon: %+v %+v", g.DirectException, g.UltimateParent)
	}
}

func TestBuildGraphFailsWhole(t *testing.T) {
	t.Parallel()
	srv, c := replay(t, business.Options{MaxAttempts: 2})
	srv.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "-reporting-exception") {
			w.WriteHeader(500)
			return true
		}
		return false
	}
	_, err := business.BuildGraph(context.Background(), c, "21380068P1DRHMJ8KU70", business.GraphOptions{})
	if !errors.Is(err, business.ErrUnavailable) || !strings.Contains(err.Error(), "reporting exception") {
		t.Errorf("err %v", err)
	}
}

func TestAssess(t *testing.T) {
	t.Parallel()
	_, c := replay(t, business.Options{})
	ctx := context.Background()
	assess := func(q business.CompanyQuery, highRisk ...string) business.Assessment {
		t.Helper()
		sel, err := business.Identify(ctx, c, q, business.SelectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var g *business.Graph
		if sel.Winner != nil {
			if g, err = business.BuildGraph(ctx, c, sel.Winner.Record.LEI, business.GraphOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		return business.Assess(business.AssessInput{Query: q, Selection: sel, Graph: g, HighRiskJurisdictions: highRisk})
	}
	codes := func(a business.Assessment) string {
		var s []string
		for _, r := range a.Reasons {
			s = append(s, r.Code)
		}
		return strings.Join(s, ",")
	}

	a := assess(business.CompanyQuery{LEI: "335800CCCPHKUOXPC332", Name: "NFA International", Jurisdiction: "IN"})
	if codes(a) != "lei_lapsed,reporting_exception,reporting_exception" {
		t.Errorf("NFA: %s", codes(a))
	}
	if a.Reasons[0].Data["registration_status"] != "LAPSED" || a.Reasons[1].Data["reason"] != "NATURAL_PERSONS" {
		t.Errorf("NFA data: %+v", a.Reasons)
	}

	a = assess(business.CompanyQuery{LEI: "21380068P1DRHMJ8KU70", Name: "BP p.l.c.", Jurisdiction: "NL"})
	if codes(a) != "name_mismatch,jurisdiction_mismatch,reporting_exception,reporting_exception" {
		t.Errorf("Shell as BP: %s", codes(a))
	}
	if d := a.Reasons[0].Data; d["given"] != "BP p.l.c." || d["legal_name"] != "SHELL PLC" {
		t.Errorf("name mismatch data %+v", d)
	}
	if d := a.Reasons[1].Data; d["given"] != "NL" || d["record"] != "GB" {
		t.Errorf("jurisdiction data %+v", d)
	}
	// A previous legal name is still the company.
	a = assess(business.CompanyQuery{LEI: "21380068P1DRHMJ8KU70", Name: "Royal Dutch Shell plc"})
	if a.Has(business.ReasonNameMismatch) {
		t.Errorf("previous name: %s", codes(a))
	}

	a = assess(business.CompanyQuery{Name: "Apple Energy LLC", Jurisdiction: "US-DE"}, "US-CA", "IR")
	// The entity is incorporated in Delaware but headquartered in California; its direct
	// and ultimate parent (both Apple Inc.) is Californian.
	if a.LEI != "549300YX4S1LLSMK2627" || codes(a) != "high_risk_jurisdiction,high_risk_jurisdiction,high_risk_jurisdiction" {
		t.Fatalf("Apple Energy: %s %s", a.LEI, codes(a))
	}
	if d := a.Reasons[0].Data; d["role"] != business.RoleEntity || d["field"] != "headquarters_address_region" || d["code"] != "US-CA" {
		t.Errorf("high risk data %+v", d)
	}
	if d := a.Reasons[1].Data; d["role"] != business.RoleDirectParent || d["code"] != "US-CA" || d["name"] != "Apple Inc." {
		t.Errorf("high risk data %+v", d)
	}

	a = assess(business.CompanyQuery{Name: "Initech Limited", Jurisdiction: "GB"})
	if a.Outcome != business.OutcomeNotFound || codes(a) != "not_found" || a.Record != nil {
		t.Errorf("unknown: %s %s", a.Outcome, codes(a))
	}

	// Inactive entity (the Puma record as it would read after a dissolution).
	r := recordOf(t, "529900GRZ2BQY5ZM9N49")
	r.EntityStatus, r.ExpirationReason, r.Registration.Status = "INACTIVE", "DISSOLVED", "RETIRED"
	sel := business.Select(business.CompanyQuery{Name: "Puma SE"}, []business.Record{r}, business.SelectOptions{})
	a = business.Assess(business.AssessInput{Query: business.CompanyQuery{Name: "Puma SE"}, Selection: sel})
	if !a.Has(business.ReasonEntityInactive) || a.Reasons[0].Message != "the entity was dissolved" {
		t.Errorf("inactive: %+v", a.Reasons)
	}
}

func TestScreeningNames(t *testing.T) {
	t.Parallel()
	_, c := replay(t, business.Options{})
	g, err := business.BuildGraph(context.Background(), c, "254900LNRYNOQ9YPU758", business.GraphOptions{})
	if err != nil {
		t.Fatal(err)
	}
	names := business.ScreeningNames(g, []string{"  Andrew  Jassy ", "andrew jassy", "", "\t"})
	var got []string
	for _, n := range names {
		got = append(got, n.Role+":"+n.Name)
	}
	want := "entity:Amazon Digital UK Limited|entity:AMAZON VIDEO LIMITED|entity:AMAZON INSTANT VIDEO LIMITED|" +
		"entity:LOVEFILM UK LIMITED|entity:LOVEFILM LIMITED|ultimate_parent:AMAZON.COM, INC.|officer:Andrew Jassy"
	if strings.Join(got, "|") != want {
		t.Errorf("names:\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}

// 10,000 officers with names of 10 KB: bounded, deduplicated, flagged, no blow-up.
func TestScreeningNamesHostile(t *testing.T) {
	t.Parallel()
	officers := make([]string, 10000)
	long := strings.Repeat("Ωmega Ünternehmer ", 600) // ~11 KB
	for i := range officers {
		if i%2 == 0 {
			officers[i] = long
		} else {
			officers[i] = strings.Repeat("x", i%7) + " Officer " + strings.Repeat("y", i%13)
		}
	}
	names := business.ScreeningNames(nil, officers)
	truncated := 0
	for _, n := range names {
		if len(n.Name) > business.MaxScreenNameBytes {
			t.Fatalf("name of %d bytes", len(n.Name))
		}
		if !strings.HasSuffix(n.Name, "") || !utf8Valid(n.Name) {
			t.Fatalf("cut inside a rune: %q", n.Name[len(n.Name)-4:])
		}
		if n.Truncated {
			truncated++
		}
	}
	if truncated != 1 || len(names) > 1+7*13 {
		t.Errorf("%d names, %d truncated", len(names), truncated)
	}
}
