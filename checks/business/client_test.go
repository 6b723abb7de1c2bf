package business_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/checks/business/gleiftest"
)

func TestClientRecord(t *testing.T) {
	t.Parallel()
	_, c := replay(t, business.Options{})
	ctx := context.Background()
	for _, lei := range recordedLEIs {
		r, err := c.Record(ctx, lei)
		if err != nil {
			t.Fatalf("%s: %v", lei, err)
		}
		if r.LEI != lei || r.LegalName.Name == "" || r.Registration.Status == "" {
			t.Errorf("%s: incomplete record %+v", lei, r)
		}
	}
	r, err := c.Record(ctx, "5493001kjtiigc8y1r12") // lower case is normalised
	if err != nil {
		t.Fatal(err)
	}
	want := business.Record{LegalName: business.Name{Name: "Bloomberg Finance L.P.", Language: "en"},
		Jurisdiction: "US-DE", RegisteredAs: "4348344", RegisteredAt: "RA000602", LegalFormCode: "T91T",
		EntityStatus: "ACTIVE", Category: "GENERAL"}
	if r.LegalName != want.LegalName || r.Jurisdiction != want.Jurisdiction || r.RegisteredAs != want.RegisteredAs ||
		r.RegisteredAt != want.RegisteredAt || r.LegalFormCode != want.LegalFormCode || r.EntityStatus != want.EntityStatus ||
		r.Category != want.Category {
		t.Errorf("Bloomberg Finance: %+v", r)
	}
	if got := strings.Join(r.LegalAddress.Lines, "|"); got != "c/o Corporation Service Company|251 Little Falls Drive" ||
		r.LegalAddress.Region != "US-DE" || r.HeadquartersAddress.City != "New York" {
		t.Errorf("addresses: %+v / %+v", r.LegalAddress, r.HeadquartersAddress)
	}
	if !r.ExpirationDate.IsZero() || r.ExpirationReason != "" || r.SuccessorLEI != "" {
		t.Errorf("null expiration/successor not empty: %+v", r)
	}
	if r.CreationDate.Format(time.DateOnly) != "2007-06-05" || r.Registration.NextRenewalDate.IsZero() {
		t.Errorf("dates: %v %v", r.CreationDate, r.Registration.NextRenewalDate)
	}
	// A record GLEIF does not know: typed not-found, not an empty record.
	_, err = c.Record(ctx, "529900T8BM49AURSDO55")
	if !errors.Is(err, business.ErrNotFound) || errors.Is(err, business.ErrUnavailable) {
		t.Errorf("unknown LEI: %v", err)
	}
}

func TestClientInvalidLEINeverCalls(t *testing.T) {
	t.Parallel()
	srv, c := replay(t, business.Options{})
	_, err := c.Record(context.Background(), "21380068P1DRHMJ8KU71")
	if !errors.Is(err, business.ErrInvalidLEI) || srv.Hits.Load() != 0 {
		t.Errorf("err %v, hits %d", err, srv.Hits.Load())
	}
}

func TestClientRelationships(t *testing.T) {
	t.Parallel()
	_, c := replay(t, business.Options{})
	ctx := context.Background()
	p, err := c.Parent(ctx, "5493001KJTIIGC8Y1R12", business.Direct)
	if err != nil || p == nil || p.Record == nil {
		t.Fatalf("direct parent: %+v %v", p, err)
	}
	if p.Relationship.EndLEI != "549300B56MD0ZC402L06" || p.Relationship.Type != business.RelDirectParent ||
		p.Relationship.Status != "ACTIVE" || len(p.Relationship.Periods) != 2 || p.Record.LegalName.Name != "Bloomberg L.P." {
		t.Errorf("direct parent: %+v", p)
	}
	// No direct parent (404) → (nil, nil); GLEIF gives a reporting exception instead.
	p, err = c.Parent(ctx, "21380068P1DRHMJ8KU70", business.Direct)
	if err != nil || p != nil {
		t.Errorf("Shell direct parent: %+v %v", p, err)
	}
	x, err := c.ReportingException(ctx, "21380068P1DRHMJ8KU70", business.Ultimate)
	if err != nil || x == nil || x.Reason != "NO_KNOWN_PERSON" || x.Category != "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT" {
		t.Errorf("Shell ultimate exception: %+v %v", x, err)
	}
	x, err = c.ReportingException(ctx, "5493001KJTIIGC8Y1R12", business.Direct)
	if err != nil || x != nil {
		t.Errorf("Bloomberg has a parent, no exception: %+v %v", x, err)
	}
	ch, err := c.Children(ctx, "21380068P1DRHMJ8KU70", business.Direct, 15)
	if err != nil || len(ch.Items) != 15 || ch.Total != 106 || !ch.Truncated() {
		t.Fatalf("Shell children: %d/%d %v", len(ch.Items), ch.Total, err)
	}
	named := 0
	for _, it := range ch.Items {
		if it.Relationship.EndLEI != "21380068P1DRHMJ8KU70" || it.Relationship.Type != business.RelDirectParent {
			t.Errorf("child edge %+v", it.Relationship)
		}
		if it.Record != nil {
			named++
		}
	}
	if named != 2 { // the recorded first pages of records and relationships share two LEIs
		t.Errorf("children with records: %d", named)
	}
	ch, err = c.Children(ctx, "529900GRZ2BQY5ZM9N49", business.Ultimate, 50)
	if err != nil || len(ch.Items) != 12 || ch.Truncated() {
		t.Errorf("Puma ultimate children: %d/%d %v", len(ch.Items), ch.Total, err)
	}
	ch, err = c.Children(ctx, "254900LNRYNOQ9YPU758", business.Direct, 15)
	if err != nil || len(ch.Items) != 0 || ch.Total != 0 {
		t.Errorf("no children: %+v %v", ch, err)
	}
}

func TestClientSearchAndCompletions(t *testing.T) {
	t.Parallel()
	srv, c := replay(t, business.Options{})
	ctx := context.Background()
	recs, err := c.Search(ctx, business.SearchQuery{LegalName: "Puma SE", Jurisdiction: "de", RegisteredAs: "HRB 13085", Limit: 15})
	if err != nil || len(recs) != 12 {
		t.Fatalf("search: %d %v", len(recs), err)
	}
	u, _ := url.Parse(srv.Paths()[0])
	q := u.Query()
	if q.Get("filter[entity.legalName]") != "Puma SE" || q.Get("filter[entity.jurisdiction]") != "DE" ||
		q.Get("filter[entity.registeredAs]") != "HRB 13085" || q.Get("page[size]") != "15" {
		t.Errorf("query sent: %s", srv.Paths()[0])
	}
	if _, err := c.Search(ctx, business.SearchQuery{}); !errors.Is(err, business.ErrBadRequest) {
		t.Errorf("empty search: %v", err)
	}
	fz, err := c.FuzzyCompletions(ctx, "", "facebok")
	if err != nil || len(fz) == 0 || fz[0].Value != "FACEBOOK OPERATIONS, LLC" || fz[0].LEI != "549300BACZP326UOBH06" {
		t.Errorf("fuzzy: %+v %v", fz, err)
	}
	ac, err := c.AutoCompletions(ctx, "", "global")
	if err != nil || len(ac) < 3 || ac[0].LEI != "" || ac[2].LEI != "984500B447P639364M33" {
		t.Errorf("auto (first suggestions have no record): %+v %v", ac, err)
	}
}

// failing returns a client whose server answers with h.
func failing(t *testing.T, h http.HandlerFunc, opt business.Options) (*gleiftest.Server, *business.Client) {
	srv, c := replay(t, opt)
	srv.Hook = func(w http.ResponseWriter, r *http.Request) bool { h(w, r); return true }
	return srv, c
}

func TestClientFailures(t *testing.T) {
	t.Parallel()
	const lei = "21380068P1DRHMJ8KU70"
	real := readAPI(t, "lei_records/single_lei_record_"+lei+".json")
	for _, tc := range []struct {
		name     string
		h        http.HandlerFunc
		kind     error
		attempts int64
		detail   string
	}{
		{"html 200", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<!DOCTYPE html><html><body>Maintenance</body></html>")
		}, business.ErrUnavailable, 1, "HTML"},
		{"html 502", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			fmt.Fprint(w, "<html>Bad Gateway</html>")
		}, business.ErrUnavailable, 3, "HTML error page"},
		{"500 json", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			fmt.Fprint(w, `{"errors":[{"status":"500","title":"Internal Server Error"}]}`)
		}, business.ErrUnavailable, 3, "Internal Server Error"},
		{"malformed json", func(w http.ResponseWriter, r *http.Request) {
			w.Write(real[:len(real)/2])
		}, business.ErrUnavailable, 1, "not a JSON:API document"},
		{"json but not json:api", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"hello":"world"}`)
		}, business.ErrUnavailable, 1, "neither data nor errors"},
		{"empty body", func(w http.ResponseWriter, r *http.Request) {}, business.ErrUnavailable, 1, "empty body"},
		{"data of wrong shape", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"data":[1,2,3]}`)
		}, business.ErrUnavailable, 1, ""},
		{"null data", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"data":null}`)
		}, business.ErrNotFound, 1, ""},
		{"400", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"errors":[{"status":"400","title":"Bad Request","detail":"invalid filter"}]}`)
		}, business.ErrBadRequest, 1, "invalid filter"},
		{"404", func(w http.ResponseWriter, r *http.Request) { gleiftest.NotFound(w) }, business.ErrNotFound, 1, "Not Found"},
		{"huge body", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"data":"`))
			w.Write([]byte(strings.Repeat("x", 2<<20)))
		}, business.ErrUnavailable, 3, "larger than"},
		{"retry-after too long", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(429)
		}, business.ErrUnavailable, 1, "exceeds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, c := failing(t, tc.h, business.Options{MaxAttempts: 3, MaxBodyBytes: 1 << 20})
			_, err := c.Record(context.Background(), lei)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("err = %v, want %v", err, tc.kind)
			}
			for _, other := range []error{business.ErrNotFound, business.ErrUnavailable, business.ErrBadRequest} {
				if other != tc.kind && errors.Is(err, other) {
					t.Errorf("err %v also matches %v", err, other)
				}
			}
			if got := srv.Hits.Load(); got != tc.attempts {
				t.Errorf("attempts = %d, want %d", got, tc.attempts)
			}
			if !strings.Contains(err.Error(), tc.detail) {
				t.Errorf("error %q lacks %q", err, tc.detail)
			}
		})
	}
}

func TestClientHangingServer(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	srv, c := failing(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}, business.Options{MaxAttempts: 5})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err := c.Record(ctx, "21380068P1DRHMJ8KU70")
	if !errors.Is(err, business.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if srv.Hits.Load() != 1 {
		t.Errorf("hits %d", srv.Hits.Load())
	}

	// A per-attempt timeout: the first attempt hangs, the retry is answered.
	var n atomic.Int64
	body := readAPI(t, "lei_records/single_lei_record_21380068P1DRHMJ8KU70.json")
	_, c = failing(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done()
			return
		}
		w.Write(body)
	}, business.Options{Timeout: 100 * time.Millisecond})
	r, err := c.Record(context.Background(), "21380068P1DRHMJ8KU70")
	if err != nil || r.LegalName.Name != "SHELL PLC" || n.Load() != 2 {
		t.Errorf("retry after attempt timeout: %v %v (%d attempts)", r, err, n.Load())
	}
}

func TestClientRetryAfter(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	var first, second time.Time
	body := readAPI(t, "lei_records/single_lei_record_529900GRZ2BQY5ZM9N49.json")
	_, c := failing(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
		case 2:
			second = time.Now()
			w.WriteHeader(503)
		default:
			w.Write(body)
		}
	}, business.Options{})
	r, err := c.Record(context.Background(), "529900GRZ2BQY5ZM9N49")
	if err != nil || r.LegalName.Name != "PUMA SE" || n.Load() != 3 {
		t.Fatalf("%v %v after %d", r, err, n.Load())
	}
	if second.Sub(first) < 900*time.Millisecond {
		t.Errorf("Retry-After: 1 not honoured: retried after %s", second.Sub(first))
	}
	// A deadline shorter than Retry-After ends the call at once, as unavailable.
	_, c = failing(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(429)
	}, business.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = c.Record(ctx, "529900GRZ2BQY5ZM9N49")
	var ae *business.APIError
	if !errors.As(err, &ae) || !errors.Is(err, business.ErrUnavailable) || ae.Status != 429 || ae.RetryAfter != 30*time.Second {
		t.Errorf("err = %#v", err)
	}
}

func TestClientCache(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cache := &business.MemoryCache{Now: func() time.Time { return now }}
	srv, c := replay(t, business.Options{Cache: cache, CacheTTL: time.Hour})
	ctx := context.Background()
	for range 3 {
		if _, err := c.Record(ctx, "5493001KJTIIGC8Y1R12"); err != nil {
			t.Fatal(err)
		}
	}
	if srv.Hits.Load() != 1 {
		t.Errorf("cached: %d hits", srv.Hits.Load())
	}
	// Errors are not cached.
	for range 2 {
		_, _ = c.Record(ctx, "529900T8BM49AURSDO55")
	}
	if srv.Hits.Load() != 3 {
		t.Errorf("404s cached: %d hits", srv.Hits.Load())
	}
	now = now.Add(61 * time.Minute)
	if _, err := c.Record(ctx, "5493001KJTIIGC8Y1R12"); err != nil || srv.Hits.Load() != 4 {
		t.Errorf("expired entry served: %d hits, %v", srv.Hits.Load(), err)
	}
	// A corrupt cache entry is ignored, not returned.
	u := srv.BaseURL() + "/lei-records/5493001KJTIIGC8Y1R12"
	cache.Set(ctx, u, []byte("<html>"), time.Hour)
	if r, err := c.Record(ctx, "5493001KJTIIGC8Y1R12"); err != nil || r.LegalName.Name != "Bloomberg Finance L.P." {
		t.Errorf("corrupt cache entry: %v %v", r, err)
	}
}

func TestClientPagination(t *testing.T) {
	t.Parallel()
	// The twelve real records served five per page, with GLEIF's envelope.
	recs := readAPI(t, "lei_records/multi_lei_records.json")
	items := splitData(t, recs)
	srv, c := replay(t, business.Options{PageSize: 5})
	srv.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		var page int
		fmt.Sscan(r.URL.Query().Get("page[number]"), &page)
		lo, hi := (page-1)*5, min(page*5, len(items))
		if lo >= len(items) {
			lo = hi
		}
		fmt.Fprintf(w, `{"meta":{"pagination":{"currentPage":%d,"perPage":5,"total":%d,"lastPage":3}},"links":{"next":"https://api.gleif.org/api/v1/lei-records?page%%5Bnumber%%5D=%d"},"data":[%s]}`,
			page, len(items), page+1, strings.Join(items[lo:hi], ","))
		return true
	}
	got, total, err := c.Records(context.Background(), url.Values{"filter[entity.legalName]": {"x"}}, 100)
	if err != nil || len(got) != 12 || total != 12 || srv.Hits.Load() != 3 {
		t.Fatalf("all pages: %d of %d, %d requests, %v", len(got), total, srv.Hits.Load(), err)
	}
	for _, p := range srv.Paths() {
		if strings.Contains(p, "api.gleif.org") || !strings.Contains(p, "filter%5Bentity.legalName%5D=x") {
			t.Errorf("request %s", p)
		}
	}
	got, _, err = c.Records(context.Background(), nil, 7)
	if err != nil || len(got) != 7 || srv.Hits.Load() != 5 {
		t.Errorf("limit 7: %d, %d requests, %v", len(got), srv.Hits.Load(), err)
	}
}

// splitData returns the raw JSON of each resource in a list document.
func splitData(t *testing.T, body []byte) []string {
	t.Helper()
	var doc struct {
		Data []jsonRaw `json:"data"`
	}
	if err := jsonUnmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(doc.Data))
	for i, d := range doc.Data {
		out[i] = string(d)
	}
	return out
}

func TestClientNeverPanicsOnTruncatedBodies(t *testing.T) {
	t.Parallel()
	real := readAPI(t, "lei_records/direct-children_529900GRZ2BQY5ZM9N49.json")
	var cut atomic.Int64
	_, c := failing(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write(real[:cut.Load()])
	}, business.Options{MaxAttempts: 1})
	ctx := context.Background()
	for i := 0; i < len(real); i += 211 {
		cut.Store(int64(i))
		_, err := c.Children(ctx, "529900GRZ2BQY5ZM9N49", business.Direct, 15)
		if err != nil && !errors.Is(err, business.ErrUnavailable) && !errors.Is(err, business.ErrNotFound) {
			t.Fatalf("cut at %d: untyped error %v", i, err)
		}
	}
	// Nulls everywhere and no relationships: parsed, not panicked.
	_, c = failing(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"data":{"type":"lei-records","id":"529900GRZ2BQY5ZM9N49","attributes":{"lei":null,"entity":{"legalName":null,"otherNames":null,"legalAddress":{"addressLines":null},"expiration":null,"successorEntity":null},"registration":null,"bic":null}}}`)
	}, business.Options{})
	r, err := c.Record(ctx, "529900GRZ2BQY5ZM9N49")
	if err != nil || r.LEI != "529900GRZ2BQY5ZM9N49" || r.LegalName.Name != "" {
		t.Errorf("nulls: %+v %v", r, err)
	}
}

func TestNewClientRejectsBadBaseURL(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"ftp://x", "not a url", "/relative"} {
		if _, err := business.NewClient(business.Options{BaseURL: u}); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
	if _, err := business.NewClient(business.Options{}); err != nil {
		t.Errorf("default: %v", err)
	}
}

func TestClientSearchFuzzyFallback(t *testing.T) {
	t.Parallel()
	srv, c := replay(t, business.Options{})
	srv.Hook = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/api/v1/lei-records" && r.URL.Query().Get("filter[entity.legalName]") != "" {
			fmt.Fprint(w, `{"meta":{"pagination":{"currentPage":1,"perPage":15,"from":null,"to":null,"total":0,"lastPage":1}},"data":[]}`)
			return true
		}
		return false
	}
	recs, err := c.Search(context.Background(), business.SearchQuery{LegalName: "Facebok Operations"})
	if err != nil || len(recs) == 0 {
		t.Fatalf("%d %v", len(recs), err)
	}
	paths := srv.Paths()
	if len(paths) != 3 || !strings.HasPrefix(paths[1], "/api/v1/fuzzycompletions?field=entity.legalName&q=Facebok") ||
		!strings.Contains(paths[2], "filter%5Blei%5D=549300BACZP326UOBH06%2C335800CZZQAMN5PMNQ89%2C635400XSFNRXSVRFGR47") {
		t.Errorf("requests %q", paths)
	}
}
