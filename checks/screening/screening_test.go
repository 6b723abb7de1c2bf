package screening

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/screening/lists"
	"github.com/kycd/kycd/internal/testfiles"
)

var (
	ixOnce sync.Once
	ixAll  *Index
	ixErr  error
)

// realIndex builds one index over every official test list, shared by the tests.
func realIndex(t *testing.T) *Index {
	t.Helper()
	dir := testfiles.Path(t, "sanctions")
	ixOnce.Do(func() {
		var ls []LoadedList
		for _, l := range [][2]string{
			{"ofac_sdn", "ofac_sdn"}, {"ofac_sdn", "ofac_sdn_2024-05-03"}, {"ofac_cons", "ofac_consolidated_nonsdn"},
			{"un", "un/UN_consolidated.xml"}, {"eu", "eu/eu_consolidated_legacy_2016-02-11.xml"},
			{"uk", "uk/hmt_conlist_2016-02-12.csv"}, {"us_csl", "us_csl/csl.csv"}, {"bis_dpl", "us_bis_dpl/dpl.txt"},
		} {
			ll, err := LoadList(l[0], filepath.Join(dir, l[1]))
			if err != nil {
				ixErr = err
				return
			}
			ls = append(ls, ll)
		}
		ixAll = NewIndex(ls...)
	})
	require.NoError(t, ixErr)
	return ixAll
}

func scoreOf(hits []Hit, source, id string) float64 {
	for _, h := range hits {
		if h.Source == source && h.SourceID == id {
			return h.Score
		}
	}
	return 0
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"CRUZ, Juan M. de la":    "cruz juan m de la",
		"O'Brien-Smith":          "obrien smith",
		"S.A. de C.V.":           "sa de cv",
		"Sheikh Usama Bin Ladin": "usama bin ladin",
		"Владимир Путин":         "vladimir putin",
		"Γιώργος Παπαδόπουλος":   "giorgos papadopoulos",
		"صدام حسين التكريتي":     "sdam hsin al tkriti",
		"习近平":                    "xi jin ping",
		"Müller ＧＭＢＨ":            "muller gmbh",
		"“1-P”":                  "1p",
		"ﻋﻠﻲ":                    "ali",
		"JSCARGUMENT":            "jscargument",
		"  ":                     "",
		"Mr":                     "mr",
	} {
		var got []string
		for _, tk := range tokenize(in) {
			got = append(got, tk.s)
		}
		require.Equal(t, want, strings.Join(got, " "), in)
	}
}

func TestJaroWinkler(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611}, {"dwayne", "duane", 0.84}, {"dixon", "dicksonx", 0.8133},
		{"same", "same", 1}, {"abc", "xyz", 0}, {"", "a", 0},
	} {
		require.InDelta(t, tc.want, jaroWinkler(tc.a, tc.b), 0.0005, tc.a+"/"+tc.b)
		require.InDelta(t, tc.want, jaroWinkler(tc.b, tc.a), 0.0005, "symmetric")
	}
	require.Less(t, tokenSim("bush", "bash", false), minSim, "short tokens need more than one letter in common")
	require.Equal(t, "mhmd", skeleton("mohammed"))
	require.Equal(t, skeleton("muhammad"), skeleton("mhmd"))
	require.Equal(t, phonKey("osama"), phonKey("usama"))
}

func TestNamedCases(t *testing.T) {
	t.Parallel()
	ix := realIndex(t)
	tests := []struct {
		name, query string
		source, id  string // expected top hit; empty = expect no hit at the default threshold
		kind        string // a token kind the explanation must show
	}{
		{"exact", "George Habbash", "ofac_sdn", "2680", "exact"},
		{"order and case", "habbash george", "ofac_sdn", "2680", "exact"},
		{"joined legal form", "JSCARGUMENT", "", "", ""}, // not in the 2019 SDN file; see TestJoinedWords
		{"missing middle name", "Robert Mugabe", "eu", "1", "unmatched_candidate"},
		{"transliteration typo", "Saddam Husein", "ofac_sdn", "7843", "variant"}, // HUSEIN is HUSSEIN (romanisation), which the lists spell HUSSAIN too
		{"cyrillic", "Путин Владимир Владимирович", "", "", ""},
		{"arabic original script", "صدام حسين التكريتي", "un", "IQi.001", "exact"},
		{"split word in list", "ANSAR ALLAH", "ofac_sdn", "4697", "exact"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hits := ix.Screen(Query{Name: tc.query})
			if tc.source == "" {
				return
			}
			require.NotEmpty(t, hits, tc.query)
			require.Equal(t, hits[0].Score, scoreOf(hits, tc.source, tc.id), "%q: own entity is not the top hit: %+v", tc.query, hits[0])
			var kinds []string
			for _, h := range hits {
				if h.Source == tc.source && h.SourceID == tc.id {
					for _, tm := range h.Explanation.Tokens {
						kinds = append(kinds, tm.Kind)
					}
					require.GreaterOrEqual(t, h.Score, h.Threshold)
					require.Equal(t, DefaultThreshold, h.Explanation.Threshold)
					require.NotEmpty(t, h.Fingerprint)
				}
			}
			require.Contains(t, kinds, tc.kind)
		})
	}
}

func TestFalsePositiveCases(t *testing.T) {
	t.Parallel()
	ix := realIndex(t)
	// "George Bush" must not reach George HABBASH (a competitor reported 89 %).
	hits := ix.Screen(Query{Name: "George Bush", Threshold: 0.01, Limit: 100})
	require.Less(t, scoreOf(hits, "ofac_sdn", "2680"), 0.7, "only the given name may match")
	for _, h := range hits {
		for _, tm := range h.Explanation.Tokens {
			require.False(t, tm.QueryToken == "bush" && tm.MatchedToken == "habbash", "bush aligned with habbash")
		}
	}
	require.Empty(t, ix.Screen(Query{Name: "George Bush"}))
	// Legal forms alone never carry a match.
	for _, q := range []string{"CORP", "Acme Corp", "LLC", "Zyxw Company Ltd", "JSC", "OOO Romashka", "CORP LLC GmbH"} {
		for _, h := range ix.Screen(Query{Name: q, Threshold: 0.5}) {
			for _, tm := range h.Explanation.Tokens {
				if tm.Similarity > 0 {
					require.False(t, legalForms[tm.MatchedToken], "%q hit %q on the legal form %q alone", q, h.MatchedName, tm.MatchedToken)
				}
			}
			require.Less(t, h.Score, DefaultThreshold, "%q → %q", q, h.MatchedName)
		}
	}
	// Common given names on their own and unrelated people stay below the threshold.
	for _, q := range []string{"Mohammed", "John Smith", "Maria Garcia", "Ivan Petrov", "Ali", "Zhang", "Smith"} {
		require.Empty(t, ix.Screen(Query{Name: q, Type: "person"}), q)
	}
}

func TestJoinedWords(t *testing.T) {
	t.Parallel()
	l, err := lists.Load(lists.SourceOFACSDN, testfiles.Path(t, "sanctions", "ofac_sdn_2024-05-03"))
	require.NoError(t, err)
	ix := NewIndex(l)
	for _, q := range []string{"JSCARGUMENT", "JSC ARGUMENT", "ARGUMENT JSC", "Argument"} {
		hits := ix.Screen(Query{Name: q})
		require.NotEmpty(t, hits, q)
		require.Equal(t, "37447", hits[0].SourceID, q)
	}
	h := ix.Screen(Query{Name: "JSCARGUMENT"})[0]
	require.Equal(t, "split", h.Explanation.Tokens[0].Kind)
	require.Equal(t, 1.0, h.Score)
}

// TestRecallSample queries 2,000 OFAC alt.csv aliases (every ~5th, read straight from the file)
// and requires ≥ 99 % to return their own SDN entity as the top hit above the threshold.
func TestRecallSample(t *testing.T) {
	t.Parallel()
	ix := realIndex(t)
	f, err := os.Open(testfiles.Path(t, "sanctions", "ofac_sdn", "alt.csv"))
	require.NoError(t, err)
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord, cr.LazyQuotes = -1, true
	recs, err := cr.ReadAll()
	require.NoError(t, err)
	step := len(recs) / 2000
	n, ok := 0, 0
	var misses []string
	for i := 0; i < len(recs) && n < 2000; i += step {
		r := recs[i]
		n++
		hits := ix.Screen(Query{Name: r[3], Limit: 50})
		if len(hits) > 0 && scoreOf(hits, "ofac_sdn", strings.TrimSpace(r[0])) == hits[0].Score {
			ok++
		} else {
			misses = append(misses, r[3])
		}
	}
	rate := float64(ok) / float64(n)
	t.Logf("recall %d/%d = %.2f%%; misses %v", ok, n, 100*rate, misses)
	require.GreaterOrEqual(t, rate, 0.99)
}

func TestIdentifierMatch(t *testing.T) {
	t.Parallel()
	ix := realIndex(t)
	hits := ix.Screen(Query{Identifiers: []Identifier{{Type: lists.IDCrypto, Value: "149w62rY42aZBox8fGcmqNsXUzSStKeq8C"}}})
	require.Len(t, hits, 1)
	require.Equal(t, "26137", hits[0].SourceID)
	require.Equal(t, 1.0, hits[0].Score)
	require.Equal(t, "identifier", hits[0].MatchKind)
	require.Equal(t, "XBT", hits[0].Explanation.IdentifierMatch.Currency)
	// Case matters for base58 addresses; passport numbers ignore spacing and case.
	require.Empty(t, ix.Screen(Query{Identifiers: []Identifier{{Type: lists.IDCrypto, Value: "149W62RY42AZBOX8FGCMQNSXUZSSTKEQ8C"}}}))
	hits = ix.Screen(Query{Name: "Nobody Special", Identifiers: []Identifier{{Type: lists.IDPassport, Value: "t 1455 3558"}}})
	require.Len(t, hits, 1)
	require.Equal(t, "26137", hits[0].SourceID)
	// A crypto address never matches a document number and vice versa.
	require.Empty(t, ix.Screen(Query{Identifiers: []Identifier{{Type: lists.IDCrypto, Value: "T14553558"}}}))
}

func TestModifiers(t *testing.T) {
	t.Parallel()
	ix := realIndex(t)
	base := ix.Screen(Query{Name: "Ali Khorashadizadeh", Threshold: 0.3})
	require.NotEmpty(t, base)
	require.Equal(t, "26137", base[0].SourceID)
	tests := []struct {
		name string
		q    Query
		mod  string
		sign float64
	}{
		{"dob exact", Query{DOB: "1979-09-21"}, "dob", 1},
		{"birth year", Query{BirthYear: 1979}, "dob", 1},
		{"birth year far off", Query{BirthYear: 1995}, "dob", -1},
		{"nationality", Query{Nationality: "Iranian"}, "nationality", 1},
		{"other nationality", Query{Nationality: "FR"}, "nationality", -1},
		{"type", Query{Type: "organization"}, "type", -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			q := tc.q
			q.Name, q.Threshold = "Ali Khorashadizadeh", 0.3
			hits := ix.Screen(q)
			require.NotEmpty(t, hits)
			var found bool
			for _, m := range hits[0].Explanation.Modifiers {
				if m.Name == tc.mod {
					found = true
					require.Equal(t, tc.sign > 0, m.Delta > 0, m.Detail)
				}
			}
			require.True(t, found, "%+v", hits[0].Explanation.Modifiers)
			if tc.sign < 0 {
				require.Less(t, hits[0].Score, base[0].Score)
			}
		})
	}
}

func TestExplanationAndJSON(t *testing.T) {
	t.Parallel()
	ix := realIndex(t)
	hits := ix.Screen(Query{Name: "Robert Mugabe", Limit: 1})
	require.Len(t, hits, 1)
	ex := hits[0].Explanation
	require.Equal(t, "robert mugabe", ex.Query)
	require.NotEmpty(t, ex.Candidate)
	require.Equal(t, hits[0].Score, ex.Score)
	var unmatched bool
	for _, tm := range ex.Tokens {
		if tm.Kind == "unmatched_candidate" {
			unmatched = true
			require.Equal(t, "gabriel", tm.MatchedToken)
		}
	}
	require.True(t, unmatched)
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		q    Query
		want string
	}{
		{Query{}, "name:"},
		{Query{Name: "x", Threshold: 2}, "threshold:"},
		{Query{Name: "x", Limit: -1}, "limit:"},
		{Query{Name: "x", DOB: "yesterday"}, "dob:"},
		{Query{Name: "x", BirthYear: 12}, "birth_year:"},
		{Query{Name: "x", Type: "robot"}, "type:"},
		{Query{Identifiers: []Identifier{{Type: "passport"}}}, "identifiers[0].value"},
		{Query{Name: "x", Type: "any"}, ""},
	} {
		err := Validate(tc.q)
		if tc.want == "" {
			require.NoError(t, err)
			continue
		}
		require.ErrorContains(t, err, tc.want)
	}
	var nilIx *Index
	require.Empty(t, nilIx.Screen(Query{Name: "x"}))
	require.Empty(t, NewIndex().Screen(Query{Name: "x"}), "an empty index matches nothing")
}

func TestSourcesFilter(t *testing.T) {
	t.Parallel()
	ix := realIndex(t)
	all := ix.Screen(Query{Name: "Saddam Hussein Al-Tikriti", Limit: 20})
	srcs := map[string]bool{}
	for _, h := range all {
		srcs[h.Source] = true
	}
	require.True(t, srcs["un"] && srcs["eu"] && srcs["ofac_sdn"], "%v", srcs)
	for _, h := range ix.Screen(Query{Name: "Saddam Hussein Al-Tikriti", Sources: []string{"un"}}) {
		require.Equal(t, "un", h.Source)
	}
}

func TestScreenerRefreshKeepsIndexOnFailure(t *testing.T) {
	t.Parallel()
	eu, err := os.ReadFile("lists/testdata/eu_export_sample.xml")
	require.NoError(t, err)
	fail := true
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			w.Write([]byte("<export><sanctionEntity logicalId=")) // truncated download
			return
		}
		w.Write(eu)
	}))
	t.Cleanup(srv.Close)
	uk, err := lists.Load(lists.SourceUK, "lists/testdata/uk_sanctions_list_sample.csv")
	require.NoError(t, err)
	s := NewScreener(uk)
	before := s.Index()

	// Screen continuously while the index is swapped, to let -race see any sharing.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					s.Screen(Query{Name: "Anna Testova"})
				}
			}
		}()
	}
	_, err = s.Refresh(context.Background(), "eu", srv.URL+"/eu.xml", srv.Client(), FetchOptions{Timeout: 5 * time.Second})
	require.ErrorContains(t, err, "previous index kept")
	require.Same(t, before, s.Index())
	mu.Lock()
	fail = false
	mu.Unlock()
	v, err := s.Refresh(context.Background(), "eu", srv.URL+"/eu.xml", srv.Client(), FetchOptions{Timeout: 5 * time.Second})
	require.NoError(t, err)
	require.Equal(t, 2, v.Entities)
	close(stop)
	wg.Wait()
	require.Len(t, s.Versions(), 2)
	hits := s.Screen(Query{Name: "Testov Ivan Petrovich"})
	require.NotEmpty(t, hits)
	require.Equal(t, "900001", hits[0].SourceID)
	hits = s.Screen(Query{Name: "Иван Петрович Тестов"})
	require.NotEmpty(t, hits)
	require.Equal(t, "900001", hits[0].SourceID)
	// Replacing the same source again swaps it rather than adding a duplicate.
	l2, err := lists.Load(lists.SourceEU, "lists/testdata/eu_export_sample.xml")
	require.NoError(t, err)
	s.Replace(l2)
	require.Len(t, s.Versions(), 2)
}

func TestDecisions(t *testing.T) {
	t.Parallel()
	ix := realIndex(t)
	hits := ix.Screen(Query{Name: "George Habbash", Limit: 1})
	require.Len(t, hits, 1)
	d := Decision{SubjectRef: "cust-1", Source: hits[0].Source, SourceID: hits[0].SourceID, Fingerprint: hits[0].Fingerprint,
		Verdict: VerdictFalsePositive, DecidedBy: "analyst@example.org", DecidedAt: time.Now()}
	require.NoError(t, ValidateDecision(d))
	got := ApplyDecisions(append([]Hit(nil), hits...), []Decision{d})
	require.NotNil(t, got[0].Decision)
	require.False(t, got[0].DecisionStale)
	d.Fingerprint = "an older version of the entity"
	got = ApplyDecisions(append([]Hit(nil), hits...), []Decision{d})
	require.True(t, got[0].DecisionStale)
	bad := d
	bad.Verdict = "maybe"
	require.ErrorContains(t, ValidateDecision(bad), "verdict:")
	bad = d
	bad.Fingerprint = ""
	require.ErrorContains(t, ValidateDecision(bad), "fingerprint:")
}
