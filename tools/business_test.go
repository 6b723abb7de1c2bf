package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/checks/business/gleiftest"
	"github.com/kycd/kycd/checks/business/goldencopy"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/testfiles"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// A tiny OFAC-format list: one officer-like person and one company.
var (
	rowOfficer = sdnRowT(9101, "VOLKOV, Dmitri Sergeyevich", "individual", "DOB 14 Feb 1968; nationality Russia.")
	rowCompany = sdnRowT(9102, "GLOBEX SHIPPING LLC", "", "Linked To: VOLKOV, Dmitri Sergeyevich.")
)

type bizEnv struct {
	*tooltest.Env
	srv *gleiftest.Server
	biz *verify.Business
}

type bizOpts struct {
	source   business.Source // default: the API client over the replay server
	mode     string
	timeout  time.Duration
	attempts int
}

// newBizEnv serves the business tools over the GLEIF replay server (or o.source) and the tiny list.
func newBizEnv(t *testing.T, s *db.Store, o bizOpts) *bizEnv {
	t.Helper()
	ctx := context.Background()
	srv := gleiftest.New(t, testfiles.Path(t, "lei", "gleif_api_v1"))
	src := o.source
	if o.mode == "" {
		o.mode = "online"
	}
	if o.attempts == 0 {
		o.attempts = 2
	}
	if src == nil {
		c, err := business.NewClient(business.Options{BaseURL: srv.BaseURL(), BackoffBase: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond,
			MaxAttempts: o.attempts, Timeout: 2 * time.Second, Cache: verify.BusinessCache{Store: s}})
		require.NoError(t, err)
		src = c
	}
	scr := verify.NewScreening(s, verify.ScreeningPolicy{}, nil)
	_, err := scr.Import(ctx, "ofac_sdn", writeSDNT(t, rowOfficer, rowCompany))
	require.NoError(t, err)
	require.NoError(t, scr.Sync(ctx))
	if o.timeout == 0 {
		o.timeout = 10 * time.Second
	}
	b := verify.NewBusiness(s, verify.BusinessOptions{Source: src, Mode: o.mode, SourceURL: srv.BaseURL(), Screening: scr, Timeout: o.timeout})
	e := tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckScreening: scr},
		func(_ *jobs.Options, d *tools.Deps) { d.Screening, d.Business = scr, b })
	return &bizEnv{Env: e, srv: srv, biz: b}
}

func (e *bizEnv) verify(t *testing.T, c tools.Caller, args map[string]any) (tools.Business, *tools.Error) {
	t.Helper()
	var out tools.Business
	te := e.Call(t, c, "verify_business", args, &out)
	return out, te
}

func codes(b tools.Business) []string {
	var out []string
	for _, r := range b.Reasons {
		out = append(out, r.Code+":"+r.Effect)
	}
	return out
}

const (
	leiPuma    = "529900GRZ2BQY5ZM9N49" // PUMA SE, DE: no parent (no known person), issued
	leiFraport = "5299001ERX0K10IZUL40" // Fraport AG, DE
	leiLapsed  = "335800CCCPHKUOXPC332" // NFA INTERNATIONAL, IN: LAPSED
	leiAmazon  = "254900LNRYNOQ9YPU758" // Amazon Digital UK Limited: parent NON_PUBLIC
)

func hasCode(b tools.Business, code string) bool {
	for _, r := range b.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

// bloombergSearch answers a legal-name search for "Bloomberg" with the three Bloomberg records
// GLEIF holds (Bloomberg L.P., Bloomberg Inc., Bloomberg Finance L.P.), as GLEIF would.
func bloombergSearch(t *testing.T) func(w http.ResponseWriter, r *http.Request) bool {
	dir := testfiles.Path(t, "lei", "gleif_api_v1")
	var data []json.RawMessage
	for _, f := range []string{"lei_records/direct-parent_5493001KJTIIGC8Y1R12.json", "lei_records/ultimate-parent_5493001KJTIIGC8Y1R12.json",
		"lei_records/single_lei_record_5493001KJTIIGC8Y1R12.json"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		var doc struct {
			Data json.RawMessage `json:"data"`
		}
		require.NoError(t, json.Unmarshal(b, &doc))
		data = append(data, doc.Data)
	}
	body, err := json.Marshal(map[string]any{"meta": map[string]any{"pagination": map[string]any{"currentPage": 1, "perPage": 50,
		"total": len(data), "lastPage": 1}}, "data": data})
	require.NoError(t, err)
	return func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/api/v1/lei-records" || !strings.EqualFold(r.URL.Query().Get("filter[entity.legalName]"), "Bloomberg") {
			return false
		}
		w.Header().Set("Content-Type", "application/vnd.api+json")
		_, _ = w.Write(body)
		return true
	}
}

func TestVerifyBusiness(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newBizEnv(t, s, bizOpts{})
		e.srv.Hook = bloombergSearch(t)

		// A clean company by name and country: identified, no parent withheld, nobody listed.
		clean, te := e.verify(t, e.Test, map[string]any{"legal_name": "Puma Societas Europaea", "jurisdiction": "DE", "external_ref": "cust-1",
			"metadata": map[string]any{"crm": 7}, "officers": []map[string]any{{"name": "Arthur Hoeld", "role": "director", "dob": "1970"}}})
		require.Nil(t, te)
		require.True(t, strings.HasPrefix(clean.ID, "biz_"), clean.ID)
		require.Equal(t, "approved", clean.Status, "%v", codes(clean))
		require.Equal(t, "low", clean.RiskLevel)
		require.Equal(t, leiPuma, clean.LEI)
		require.Equal(t, "PUMA SE", clean.Registry["legal_name"].(map[string]any)["name"])
		require.NotNil(t, clean.Ownership["nodes"])
		require.True(t, hasCode(clean, "reporting_exception"), "the NO_KNOWN_PERSON exceptions are shown, as info")
		roles := map[string]bool{}
		for _, sc := range clean.Screening {
			roles[sc.Role] = true
			require.Empty(t, sc.Hits, sc.Name)
		}
		require.True(t, roles["entity"] && roles["officer"], "%+v", clean.Screening)
		require.Equal(t, "online", clean.Sources.Register)
		require.Len(t, clean.Sources.Lists, 1)
		require.NotNil(t, clean.DecidedAt)
		require.EqualValues(t, 7, clean.Metadata["crm"])

		// By LEI.
		byLEI, te := e.verify(t, e.Test, map[string]any{"lei": "5299 001E RX0K 10IZ UL40"})
		require.Nil(t, te)
		require.Equal(t, "approved", byLEI.Status, "%v", codes(byLEI))
		require.Equal(t, leiFraport, byLEI.LEI)
		// GLEIF's answers are cached in the database: the same company again asks only what
		// GLEIF answered 404 (no parent relationship), which the client does not cache.
		hitsBefore := e.srv.Hits.Load()
		again1, te := e.verify(t, e.Test, map[string]any{"lei": leiFraport})
		require.Nil(t, te)
		require.Equal(t, byLEI.Status, again1.Status)
		for _, p := range e.srv.Paths()[hitsBefore:] {
			require.True(t, strings.HasSuffix(p, "-parent-relationship"), "asked again despite the cache: %s", p)
		}
		n, err := s.PurgeBusinessCache(context.Background())
		require.NoError(t, err)
		require.Zero(t, n, "nothing has expired yet")

		// An ambiguous name: a person must choose; the candidates say between what.
		amb, te := e.verify(t, e.Test, map[string]any{"legal_name": "Bloomberg", "jurisdiction": "US-DE"})
		require.Nil(t, te)
		require.Equal(t, "needs_review", amb.Status)
		require.True(t, hasCode(amb, "ambiguous_company"), "%v", codes(amb))
		require.Empty(t, amb.LEI, "no company is picked")
		require.GreaterOrEqual(t, len(amb.Candidates), 2)
		require.Equal(t, "549300B56MD0ZC402L06", amb.Candidates[0].LEI)
		require.NotEmpty(t, amb.Candidates[0].Explanation)

		// A lapsed LEI.
		lapsed, te := e.verify(t, e.Test, map[string]any{"lei": leiLapsed})
		require.Nil(t, te)
		require.Equal(t, "needs_review", lapsed.Status)
		require.True(t, hasCode(lapsed, "lei_lapsed"), "%v", codes(lapsed))

		// A parent withheld (NON_PUBLIC) needs a person.
		withheld, te := e.verify(t, e.Test, map[string]any{"lei": leiAmazon})
		require.Nil(t, te)
		require.Equal(t, "needs_review", withheld.Status, "%v", codes(withheld))

		// An officer on the loaded list.
		hit, te := e.verify(t, e.Test, map[string]any{"lei": leiPuma, "external_ref": "cust-2",
			"officers": []map[string]any{{"name": "Dmitri Sergeyevich Volkov", "role": "ubo", "ownership_percent": 30}}})
		require.Nil(t, te)
		require.True(t, hasCode(hit, "sanctions_hit_officer"), "%v", codes(hit))
		require.Equal(t, "needs_review", hit.Status, "the server's strong-hit policy is review")
		require.Equal(t, "high", hit.RiskLevel)
		var officerHits int
		for _, sc := range hit.Screening {
			if sc.Role == "officer" {
				officerHits += len(sc.Hits)
			}
		}
		require.Equal(t, 1, officerHits)

		// A company whose given name is on the list, with no LEI record: screened as the entity.
		listed, te := e.verify(t, e.Test, map[string]any{"legal_name": "Globex Shipping LLC"})
		require.Nil(t, te)
		require.True(t, hasCode(listed, "not_found") && hasCode(listed, "sanctions_hit_entity"), "%v", codes(listed))

		// Invalid input: clear errors on the field, before any register call.
		hits := e.srv.Hits.Load()
		_, te = e.verify(t, e.Test, map[string]any{"lei": "5299001ERX0K10IZUL41"})
		requireField(t, te, tools.CodeInvalidArgument, "lei")
		require.Contains(t, te.Message, "check digits")
		require.Equal(t, hits, e.srv.Hits.Load(), "no register call for an invalid LEI")
		_, te = e.verify(t, e.Test, map[string]any{"jurisdiction": "DE"})
		requireField(t, te, tools.CodeInvalidArgument, "legal_name")
		many := make([]map[string]any, 201)
		for i := range many {
			many[i] = map[string]any{"name": fmt.Sprintf("Person %d", i), "role": "shareholder"}
		}
		_, te = e.verify(t, e.Test, map[string]any{"lei": leiPuma, "officers": many})
		require.NotNil(t, te)
		require.Equal(t, tools.CodeInvalidArgument, te.Code)
		require.Equal(t, "officers", te.Field, "%+v", te)
		_, te = e.verify(t, e.Test, map[string]any{"lei": leiPuma, "officers": []map[string]any{{"name": strings.Repeat("a", 201), "role": "director"}}})
		require.NotNil(t, te)
		// The schema check names the field by its schema path (tools/schema.go), without the index.
		require.Equal(t, "officers[].name", te.Field, "%+v", te)
		require.Contains(t, te.Message, "must be at most 200 characters")
		_, te = e.verify(t, e.Test, map[string]any{"lei": leiPuma, "officers": []map[string]any{{"name": "A B", "role": "chairman"}}})
		require.NotNil(t, te)
		require.Equal(t, "officers[].role", te.Field, "%+v", te)
		_, te = e.verify(t, e.Test, map[string]any{"legal_name": "X", "jurisdiction": "ZZ-1"})
		requireField(t, te, tools.CodeInvalidArgument, "jurisdiction")

		// get_business, isolation.
		var got tools.Business
		require.Nil(t, e.Call(t, e.Test, "get_business", map[string]any{"id": hit.ID}, &got))
		require.Equal(t, hit.Status, got.Status)
		require.Equal(t, codes(hit), codes(got))
		require.Equal(t, "Dmitri Sergeyevich Volkov", got.Screening[len(got.Screening)-1].Name)
		for _, c := range []tools.Caller{e.OtherAccount, e.Live} {
			requireField(t, e.Call(t, c, "get_business", map[string]any{"id": hit.ID}, nil), tools.CodeNotFound, "id")
			requireField(t, e.Call(t, c, "rescreen_business", map[string]any{"id": hit.ID}, nil), tools.CodeNotFound, "id")
			var other tools.BusinessList
			require.Nil(t, e.Call(t, c, "list_businesses", map[string]any{}, &other))
			require.Empty(t, other.Data)
		}

		// list_businesses: filters and cursor pagination.
		var page tools.BusinessList
		require.Nil(t, e.Call(t, e.Test, "list_businesses", map[string]any{"limit": 2}, &page))
		require.Len(t, page.Data, 2)
		require.True(t, page.HasMore)
		require.Equal(t, listed.ID, page.Data[0].ID, "newest first")
		seen := map[string]bool{}
		for cursor := ""; ; {
			args := map[string]any{"limit": 3}
			if cursor != "" {
				args["cursor"] = cursor
			}
			var p tools.BusinessList
			require.Nil(t, e.Call(t, e.Test, "list_businesses", args, &p))
			for _, b := range p.Data {
				require.False(t, seen[b.ID])
				seen[b.ID] = true
			}
			if p.NextCursor == nil {
				break
			}
			cursor = *p.NextCursor
		}
		require.Len(t, seen, 8)
		require.Nil(t, e.Call(t, e.Test, "list_businesses", map[string]any{"status": []string{"approved"}}, &page))
		require.Len(t, page.Data, 3)
		require.Nil(t, e.Call(t, e.Test, "list_businesses", map[string]any{"risk_level": []string{"high"}}, &page))
		require.Len(t, page.Data, 2)
		require.Nil(t, e.Call(t, e.Test, "list_businesses", map[string]any{"external_ref": "cust-2"}, &page))
		require.Len(t, page.Data, 1)
		require.Equal(t, hit.ID, page.Data[0].ID)

		// Every decision is a business.completed event, without personal data.
		var evs struct {
			Data []struct {
				ObjectType string         `json:"object_type"`
				ObjectID   string         `json:"object_id"`
				Data       map[string]any `json:"data"`
			} `json:"data"`
		}
		require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"types": []string{"business.completed"}, "object_id": hit.ID}, &evs))
		require.Len(t, evs.Data, 1)
		require.Equal(t, "business", evs.Data[0].ObjectType)
		require.Equal(t, "needs_review", evs.Data[0].Data["status"])
		require.NotContains(t, fmt.Sprint(evs.Data[0].Data), "Volkov")

		// rescreen_business: the same answer again, and another event.
		var again tools.Business
		require.Nil(t, e.Call(t, e.Test, "rescreen_business", map[string]any{"id": hit.ID}, &again))
		require.Equal(t, codes(hit), codes(again))
		require.Equal(t, 2, again.Attempts)
		require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"types": []string{"business.completed"}, "object_id": hit.ID}, &evs))
		require.Len(t, evs.Data, 2)

		// Officers' personal data is sealed at rest.
		row, err := s.GetBusiness(context.Background(), db.Scope{AccountID: "acct_a", Mode: models.ModeTest}, hit.ID)
		require.NoError(t, err)
		require.NotContains(t, string(row.Input), "Volkov")
		require.NotContains(t, string(row.Result), "Volkov")
	})
}

// A register that hangs, fails or answers HTML never makes the call hang or fail with an
// internal error: the business is processing, and a job finishes it once GLEIF is back.
func TestVerifyBusinessRegisterDown(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newBizEnv(t, s, bizOpts{timeout: 1500 * time.Millisecond})
		var mode atomic.Value
		mode.Store("")
		e.srv.Hook = func(w http.ResponseWriter, r *http.Request) bool {
			switch mode.Load().(string) {
			case "hang":
				select {
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
				return true
			case "500":
				http.Error(w, "upstream exploded", http.StatusInternalServerError)
				return true
			case "html":
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte("<html><body>Maintenance</body></html>"))
				return true
			}
			return false
		}
		var ids []string
		for _, m := range []string{"hang", "500", "html"} {
			mode.Store(m)
			start := time.Now()
			b, te := e.verify(t, e.Test, map[string]any{"lei": leiPuma, "external_ref": "down-" + m})
			require.Nil(t, te, m)
			require.Less(t, time.Since(start), 8*time.Second, "%s: the call is bounded", m)
			require.Equal(t, "processing", b.Status, m)
			require.Empty(t, b.RiskLevel)
			require.Nil(t, b.DecidedAt)
			require.Contains(t, b.LastError, "the company register", m)
			require.NotContains(t, b.LastError, "127.0.0.1", "%s: the register URL is not shown", m)
			ids = append(ids, b.ID)
		}
		// GLEIF comes back: the jobs finish every business.
		mode.Store("")
		for _, id := range ids {
			var b tools.Business
			require.Nil(t, e.Call(t, e.Test, "get_business", map[string]any{"id": id, "wait_seconds": 60}, &b))
			require.Equal(t, "approved", b.Status, "%s: %v %s", id, codes(b), b.LastError)
			require.Equal(t, leiPuma, b.LEI)
		}
	})
}

// A list update re-screens the decided businesses: one whose officer is now listed gets a new
// decision and event; the others are left alone.
func TestBusinessMonitoring(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		e := newBizEnv(t, s, bizOpts{})
		officer := []map[string]any{{"name": "Ingrid Marlene Oyelaran-Svensson", "role": "director"}}
		watched, te := e.verify(t, e.Test, map[string]any{"lei": leiPuma, "officers": officer})
		require.Nil(t, te)
		require.Equal(t, "approved", watched.Status)
		other, te := e.verify(t, e.Test, map[string]any{"lei": leiFraport})
		require.Nil(t, te)
		require.Equal(t, "approved", other.Status)

		scr := e.Reg.Deps().Screening
		_, err := scr.Import(ctx, "ofac_sdn", writeSDNT(t, rowOfficer, rowCompany,
			sdnRowT(9103, "OYELARAN-SVENSSON, Ingrid Marlene", "individual", "DOB 1975.")))
		require.NoError(t, err)
		require.NoError(t, scr.Sync(ctx)) // the new version enqueues a screening.monitor run
		deadline := time.Now().Add(45 * time.Second)
		var got tools.Business
		for {
			require.Nil(t, e.Call(t, e.Test, "get_business", map[string]any{"id": watched.ID}, &got))
			if got.Status != "approved" || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		require.Equal(t, "needs_review", got.Status)
		require.True(t, hasCode(got, "sanctions_hit_officer"), "%v", codes(got))
		require.Equal(t, "high", got.RiskLevel)

		// The run is recorded for the account and mode it touched (list_monitoring_runs).
		var runs tools.MonitoringRunList
		waitFor(t, "the monitoring run recorded", func() bool {
			require.Nil(t, e.Call(t, e.Test, "list_monitoring_runs", map[string]any{}, &runs))
			return len(runs.Data) > 0
		})
		run := runs.Data[0]
		require.Equal(t, "lists_changed", run.Cause)
		require.Equal(t, 2, run.BusinessesChecked)
		require.Equal(t, 1, run.BusinessesChanged)
		require.NotEmpty(t, run.Lists["ofac_sdn"])
		require.False(t, run.FinishedAt.Before(run.StartedAt))
		require.Nil(t, e.Call(t, e.OtherAccount, "list_monitoring_runs", map[string]any{}, &runs))
		require.Empty(t, runs.Data, "another account's run is not shown")
		te = e.Call(t, e.Test, "list_monitoring_runs", map[string]any{"cursor": "ver_1"}, nil)
		require.Equal(t, "cursor", te.Field)

		// Another run changes nothing.
		checked, changed, err := e.biz.Monitor(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, checked)
		require.Zero(t, changed)
		count := func(id string) int {
			var evs struct {
				Data []map[string]any `json:"data"`
			}
			require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"types": []string{"business.completed"}, "object_id": id}, &evs))
			return len(evs.Data)
		}
		require.Equal(t, 2, count(watched.ID))
		require.Equal(t, 1, count(other.ID))
	})
}

// The offline register, loaded from Golden Copy files generated from the same recordings,
// gives the same answers as the API.
func TestBusinessOfflineParity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		files, _, err := goldencopy.GenerateFiles(testfiles.Path(t, "lei", "gleif_api_v1"), t.TempDir(), true)
		require.NoError(t, err)
		loader := &verify.RegisterLoader{Store: s, BatchRows: 100}
		_, err = goldencopy.Load(ctx, loader, files, goldencopy.Options{})
		require.NoError(t, err)
		require.NoError(t, loader.Flush(ctx))
		require.Positive(t, loader.Records)

		online := newBizEnv(t, s, bizOpts{})
		offline := newBizEnv(t, s, bizOpts{source: business.Offline{Register: verify.BusinessRegister{Store: s}}, mode: "offline"})
		for _, args := range []map[string]any{
			{"legal_name": "PUMA SE", "jurisdiction": "DE"},
			{"legal_name": "Commerzbank AG", "registration_number": "HRB 32000"},
			{"lei": leiFraport},
			{"lei": leiLapsed},
			{"lei": leiAmazon},
			{"legal_name": "Microsoft Corporation", "jurisdiction": "US-WA"},
		} {
			on, te := online.verify(t, online.Test, args)
			require.Nil(t, te)
			hits := online.srv.Hits.Load()
			off, te := offline.verify(t, offline.Test, args)
			require.Nil(t, te)
			require.Equal(t, hits, online.srv.Hits.Load())
			require.Equal(t, "offline", off.Sources.Register)
			require.Equal(t, on.Status, off.Status, "%v", args)
			require.Equal(t, on.RiskLevel, off.RiskLevel, "%v", args)
			require.Equal(t, on.LEI, off.LEI, "%v", args)
			require.Equal(t, codes(on), codes(off), "%v", args)
			require.Equal(t, on.Registry, off.Registry, "%v", args)
			require.Equal(t, on.Ownership["nodes"], off.Ownership["nodes"], "%v", args)
			require.Equal(t, on.Ownership["edges"], off.Ownership["edges"], "%v", args)
		}
	})
}

// sdnRowT is one line of OFAC's legacy sdn.csv (see verify/monitoring_test.go).
func sdnRowT(id int, name, typ, remarks string) string {
	return fmt.Sprintf(`%d,"%s","%s","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"%s"`, id, name, typ, remarks)
}

// writeSDNT writes an OFAC-format list folder with the given rows.
func writeSDNT(t *testing.T, rows ...string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sdn.csv"), []byte(strings.Join(rows, "\r\n")+"\r\n"), 0o644))
	return dir
}

// A key can set its own high-risk jurisdictions (kycd keys create --high-risk-jurisdictions):
// PUMA (DE) is high risk for a key that lists DE, not for the server's default list, and a key
// with "none" lists nothing (#21).
func TestBusinessKeyHighRiskJurisdictions(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	e := newBizEnv(t, s, bizOpts{})
	ctx := context.Background()
	key := func(list []string) tools.Caller {
		secret, _, err := s.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: "k", Mode: models.ModeTest,
			Scopes: []string{string(tools.ScopeVerificationsWrite), string(tools.ScopeVerificationsRead)}, HighRiskJurisdictions: list})
		require.NoError(t, err)
		c, err := tools.Authenticate(ctx, e.Reg.Deps(), secret)
		require.NoError(t, err)
		return c
	}
	for _, tc := range []struct {
		list []string
		want bool
	}{{nil, false}, {[]string{"DE"}, true}, {[]string{"none"}, false}} {
		b, te := e.verify(t, key(tc.list), map[string]any{"lei": leiPuma})
		require.Nil(t, te)
		require.Equal(t, tc.want, hasCode(b, "high_risk_jurisdiction"), "%v: %v", tc.list, codes(b))
	}
}
