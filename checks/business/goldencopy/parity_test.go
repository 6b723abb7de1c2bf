package goldencopy_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/checks/business/gleiftest"
	"github.com/kycd/kycd/checks/business/goldencopy"
	"github.com/kycd/kycd/internal/testfiles"
)

var recordedLEIs = []string{
	"21380068P1DRHMJ8KU70", "254900LNRYNOQ9YPU758", "254900MSZM6DMP853B11", "335800CCCPHKUOXPC332",
	"5299001ERX0K10IZUL40", "529900GRZ2BQY5ZM9N49", "5493001KJTIIGC8Y1R12", "549300O897ZC5H7CY412",
	"549300YX4S1LLSMK2627", "851WYGNLUQLFZBSYGB56", "984500983AD71E4FBC41", "INR2EJN1ERAN0W5ZP974",
}

// sources returns the API client over the replay server and the offline register loaded
// from Golden Copy files generated from the same recordings.
func sources(t *testing.T, zipped bool) (business.Source, business.Source, goldencopy.LoadStats) {
	t.Helper()
	dir := testfiles.Path(t, "lei", "gleif_api_v1")
	srv := gleiftest.New(t, dir)
	c, err := business.NewClient(business.Options{BaseURL: srv.BaseURL()})
	if err != nil {
		t.Fatal(err)
	}
	files, _, err := goldencopy.GenerateFiles(dir, t.TempDir(), zipped)
	if err != nil {
		t.Fatal(err)
	}
	reg := business.NewMemRegister()
	st, err := goldencopy.Load(context.Background(), reg, files, goldencopy.Options{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	return c, business.Offline{Register: reg}, st
}

func TestSameAnswersFromAPIAndGoldenCopy(t *testing.T) {
	t.Parallel()
	for _, zipped := range []bool{false, true} {
		api, off, st := sources(t, zipped)
		if st.LEI.Rows != 94 || st.RR.Rows != 121 || st.Repex.Rows != 17 || st.LEI.Skipped+st.RR.Skipped+st.Repex.Skipped != 0 {
			t.Fatalf("load stats %+v", st)
		}
		ctx := context.Background()
		for _, lei := range recordedLEIs {
			a, err := api.Record(ctx, lei)
			if err != nil {
				t.Fatal(err)
			}
			o, err := off.Record(ctx, lei)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, o) {
				t.Errorf("%s record differs:\napi     %+v\noffline %+v", lei, a, o)
			}
			ga, err := business.BuildGraph(ctx, api, lei, business.GraphOptions{ChildLimit: 15})
			if err != nil {
				t.Fatal(err)
			}
			gof, err := business.BuildGraph(ctx, off, lei, business.GraphOptions{ChildLimit: 15})
			if err != nil {
				t.Fatal(err)
			}
			compareGraphs(t, lei, ga, gof)
			// The same assessment.
			for _, q := range []business.CompanyQuery{{LEI: lei}, {Name: a.LegalName.Name, Jurisdiction: a.Jurisdiction}} {
				sa, err := business.Identify(ctx, api, q, business.SelectOptions{})
				if err != nil {
					t.Fatal(err)
				}
				so, err := business.Identify(ctx, off, q, business.SelectOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if sa.Outcome != so.Outcome || (sa.Winner == nil) != (so.Winner == nil) ||
					(sa.Winner != nil && sa.Winner.Record.LEI != so.Winner.Record.LEI) {
					t.Errorf("%s %+v: api %s, offline %s", lei, q, sa.Reason, so.Reason)
					continue
				}
				in := business.AssessInput{Query: q, HighRiskJurisdictions: []string{"US-CA", "IN"}}
				in.Selection, in.Graph = sa, ga
				aa := business.Assess(in)
				in.Selection, in.Graph = so, gof
				ao := business.Assess(in)
				aa.Candidates, ao.Candidates = nil, nil
				if !reflect.DeepEqual(aa, ao) {
					t.Errorf("%s assessment differs:\napi     %+v\noffline %+v", lei, aa.Reasons, ao.Reasons)
				}
			}
		}
	}
}

// compareGraphs: parents, exceptions, edges and nodes are equal. Children totals differ
// where the API has more than one page (only the first pages were recorded), and the
// offline register may know a child's record that the API's first page of child records
// did not include; every child record the API gave must be equal offline.
func compareGraphs(t *testing.T, lei string, a, o *business.Graph) {
	t.Helper()
	if !reflect.DeepEqual(a.Entity, o.Entity) || !reflect.DeepEqual(a.DirectParent, o.DirectParent) ||
		!reflect.DeepEqual(a.UltimateParent, o.UltimateParent) || !reflect.DeepEqual(a.DirectException, o.DirectException) ||
		!reflect.DeepEqual(a.UltimateException, o.UltimateException) || !reflect.DeepEqual(a.Edges, o.Edges) {
		t.Errorf("%s: graphs differ\napi     %+v\noffline %+v", lei, a, o)
		return
	}
	for _, pair := range [][2]business.Children{{a.DirectChildren, o.DirectChildren}, {a.UltimateChildren, o.UltimateChildren}} {
		ca, co := pair[0], pair[1]
		if !ca.Truncated() && ca.Total != co.Total {
			t.Errorf("%s: children total api %d offline %d", lei, ca.Total, co.Total)
		}
		if len(ca.Items) != len(co.Items) {
			t.Errorf("%s: children api %d offline %d", lei, len(ca.Items), len(co.Items))
			continue
		}
		for i := range ca.Items {
			if !reflect.DeepEqual(ca.Items[i].Relationship, co.Items[i].Relationship) {
				t.Errorf("%s child %d: %+v vs %+v", lei, i, ca.Items[i].Relationship, co.Items[i].Relationship)
			}
			if ca.Items[i].Record != nil && !reflect.DeepEqual(ca.Items[i].Record, co.Items[i].Record) {
				t.Errorf("%s child %s record differs", lei, ca.Items[i].Relationship.StartLEI)
			}
		}
	}
}

func TestOfflineNotFoundAndSearch(t *testing.T) {
	t.Parallel()
	_, off, _ := sources(t, false)
	ctx := context.Background()
	if _, err := off.Record(ctx, "529900ZZZZZZZZZZZZ"+business.CheckDigits("529900ZZZZZZZZZZZZ")); !isNotFound(err) {
		t.Errorf("unknown LEI: %v", err)
	}
	recs, err := off.Search(ctx, business.SearchQuery{LegalName: "commerzbank"})
	if err != nil || len(recs) == 0 || recs[0].LEI != "851WYGNLUQLFZBSYGB56" {
		t.Errorf("search: %v %v", len(recs), err)
	}
	recs, err = off.Search(ctx, business.SearchQuery{RegisteredAs: "HRB 13085"})
	if err != nil || len(recs) != 1 || recs[0].LEI != "529900GRZ2BQY5ZM9N49" {
		t.Errorf("search by number: %v %v", recs, err)
	}
}
