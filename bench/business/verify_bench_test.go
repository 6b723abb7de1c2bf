package main

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/checks/business/gleiftest"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/testfiles"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// BenchmarkVerifyBusiness is one verify_business call through the registry (validation, the
// register read, ownership graph, screening of the company, its parents and officers against
// the real OFAC SDN list, the decision, storage and the event), with the register answered
// from the database cache after the first call — GLEIF's responses replayed by a local server.
// It reports the median and p99 wall time of the calls.
//
//	nice -n 10 go test -run '^$' -bench VerifyBusiness -benchtime 200x ./bench/business
func BenchmarkVerifyBusiness(b *testing.B) {
	ctx := context.Background()
	s := dbtest.SQLite(b)
	srv := gleiftest.New(b, testfiles.Path(b, "lei", "gleif_api_v1"))
	client, err := business.NewClient(business.Options{BaseURL: srv.BaseURL(), Cache: verify.BusinessCache{Store: s}, CacheTTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	scr := verify.NewScreening(s, verify.ScreeningPolicy{}, nil)
	if _, err := scr.Import(ctx, "ofac_sdn", testfiles.Path(b, "sanctions", "ofac_sdn")); err != nil {
		b.Fatal(err)
	}
	if err := scr.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	biz := verify.NewBusiness(s, verify.BusinessOptions{Source: client, Mode: "online", SourceURL: srv.BaseURL(), Screening: scr, Timeout: 10 * time.Second})
	e := tooltest.New(b, s, map[models.Check]verify.CheckRunner{models.CheckScreening: scr},
		func(_ *jobs.Options, d *tools.Deps) { d.Screening, d.Business = scr, biz })
	args, _ := json.Marshal(map[string]any{"lei": "529900GRZ2BQY5ZM9N49", "officers": []map[string]any{
		{"name": "Arne Freundt", "role": "director"}, {"name": "Hubert Hinterseher", "role": "officer"}}})
	call := func() time.Duration {
		start := time.Now()
		if _, err := e.Reg.Call(ctx, e.Test, "verify_business", args); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	call() // fills the cache
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		lat = append(lat, call())
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}
