package lists

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/internal/testfiles"
)

func find(t *testing.T, l LoadedList, id string) *Entity {
	t.Helper()
	for i := range l.Entities {
		if l.Entities[i].SourceID == id {
			return &l.Entities[i]
		}
	}
	t.Fatalf("%s: entity %s not found", l.Version.Source, id)
	return nil
}

func hasID(e *Entity, typ, value string) bool {
	for _, id := range e.Identifiers {
		if id.Type == typ && id.Value == value {
			return true
		}
	}
	return false
}

func hasName(e *Entity, full, quality string) bool {
	for _, n := range e.Names {
		if n.Full == full && (quality == "" || n.Quality == quality) {
			return true
		}
	}
	return false
}

var (
	realOnce  sync.Once
	realLists map[string]LoadedList
	realErr   error
)

// loadReal parses every official test list once for all tests.
func loadReal(t *testing.T) map[string]LoadedList {
	t.Helper()
	dir := testfiles.Path(t, "sanctions")
	realOnce.Do(func() {
		realLists = map[string]LoadedList{}
		for key, src := range map[string][2]string{
			"ofac_sdn":      {SourceOFACSDN, "ofac_sdn"},
			"ofac_sdn_2024": {SourceOFACSDN, "ofac_sdn_2024-05-03"},
			"ofac_cons":     {SourceOFACCons, "ofac_consolidated_nonsdn"},
			"un":            {SourceUN, "un/UN_consolidated.xml"},
			"eu_legacy":     {SourceEU, "eu/eu_consolidated_legacy_2016-02-11.xml"},
			"uk_hmt":        {SourceUK, "uk/hmt_conlist_2016-02-12.csv"},
			"us_csl":        {SourceUSCSL, "us_csl/csl.csv"},
			"us_csl_2024":   {SourceUSCSL, "us_csl/consolidated_2024_sample.csv"},
			"bis_dpl":       {SourceBISDPL, "us_bis_dpl/dpl.txt"},
		} {
			l, err := Load(src[0], filepath.Join(dir, src[1]))
			if err != nil {
				realErr = err
				return
			}
			realLists[key] = l
		}
	})
	require.NoError(t, realErr)
	return realLists
}

func TestLoadRealListsCounts(t *testing.T) {
	t.Parallel()
	ls := loadReal(t)
	for key, want := range map[string]int{
		"ofac_sdn": 7379, "ofac_sdn_2024": 14965, "ofac_cons": 442, "un": 1003, "eu_legacy": 595,
		"uk_hmt": 463, "us_csl": 115, "us_csl_2024": 13, "bis_dpl": 546,
	} {
		l := ls[key]
		require.Equal(t, want, len(l.Entities), key)
		require.Equal(t, want, l.Version.Entities, key)
		require.Len(t, l.Version.SHA256, 64, key)
		require.False(t, l.Version.LoadedAt.IsZero(), key)
	}
	require.Equal(t, []string{"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"}, ls["ofac_sdn"].Version.Files)
	require.Equal(t, []string{"sdn.csv"}, ls["ofac_sdn_2024"].Version.Files)
}

func TestOFACRemarksAndAliases(t *testing.T) {
	t.Parallel()
	ls := loadReal(t)
	e := find(t, ls["ofac_sdn_2024"], "25308")
	require.Equal(t, TypePerson, e.Type)
	require.Equal(t, []string{"1977-03-25"}, e.DatesOfBirth)
	require.Equal(t, []string{"CN"}, e.Nationalities)
	require.Equal(t, "male", e.Gender)
	require.True(t, hasID(e, IDCrypto, "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"))
	require.True(t, hasID(e, IDNationalID, "421002197703250019"), "%+v", e.Identifiers)
	require.True(t, hasName(e, "ZHOU, William", QualityWeak), "quoted a.k.a. in remarks is a weak alias")
	for _, id := range e.Identifiers {
		if id.Type == IDCrypto {
			require.Equal(t, "XBT", id.Currency)
		}
	}

	e = find(t, ls["ofac_sdn"], "26137") // 2019 file
	require.True(t, hasID(e, IDCrypto, "149w62rY42aZBox8fGcmqNsXUzSStKeq8C"))
	require.True(t, hasID(e, IDPassport, "T14553558"))
	require.Equal(t, []string{"IR"}, e.Nationalities)
	require.Contains(t, e.PlacesOfBirth, "Tehran, Iran")

	e = find(t, ls["ofac_sdn"], "306") // BANCO NACIONAL DE CUBA, strong alias from alt.csv
	require.Equal(t, TypeOrganization, e.Type)
	require.True(t, hasName(e, "NATIONAL BANK OF CUBA", QualityStrong))
	require.True(t, hasName(e, "BNC", QualityWeak))
	require.Contains(t, e.Countries, "CH", "address country from add.csv")
	require.Equal(t, []string{"CUBA"}, e.Programs)

	e = find(t, ls["ofac_sdn"], "4234") // vessel HERMANN
	require.Equal(t, TypeVessel, e.Type)

	e = find(t, ls["ofac_sdn_2024"], "37447") // JSC ARGUMENT
	require.True(t, hasID(e, IDIMO, "6297782"), "%+v", e.Identifiers)
	require.True(t, hasID(e, IDTaxID, "7720649916"))
	require.True(t, hasID(e, IDRegistration, "1207700471110"))
}

func TestUNEUUKCSLDPL(t *testing.T) {
	t.Parallel()
	ls := loadReal(t)
	e := find(t, ls["un"], "CDi.001")
	require.Equal(t, TypePerson, e.Type)
	require.Equal(t, "ERIC BADEGE", e.PrimaryName())
	require.Equal(t, []string{"1971"}, e.DatesOfBirth)
	require.Equal(t, []string{"CD"}, e.Nationalities)
	require.Equal(t, []string{"UN-DRC"}, e.Programs)

	e = find(t, ls["un"], "IQi.001")
	require.True(t, hasName(e, "صدام حسين التكريتي", QualityStrong))
	var low int
	for _, l := range ls["un"].Entities {
		for _, n := range l.Names {
			if n.Quality == QualityWeak {
				low++
			}
		}
	}
	require.Greater(t, low, 100, "UN 'Low' quality aliases are weak")

	e = find(t, ls["eu_legacy"], "13")
	require.Equal(t, "Saddam Hussein Al-Tikriti", e.PrimaryName())
	require.Equal(t, []string{"1937-04-28"}, e.DatesOfBirth)
	require.Equal(t, []string{"IQ"}, e.Nationalities)
	e = find(t, ls["eu_legacy"], "1")
	require.True(t, hasID(e, IDPassport, "AD001095"), "%+v", e.Identifiers)

	e = find(t, ls["uk_hmt"], "7087")
	require.Equal(t, "Mohamed ABU ABDA", e.PrimaryName())
	require.Equal(t, []string{"1969-02-05"}, e.DatesOfBirth)
	require.Equal(t, []string{"TN"}, e.Nationalities, "demonym 'Tunisian' maps to TN")
	require.True(t, hasID(e, IDPassport, "W374031"))
	e = find(t, ls["uk_hmt"], "12149")
	require.Equal(t, []string{"1943"}, e.DatesOfBirth, "00/00/1943 is year-only")

	var csl *Entity
	for i := range ls["us_csl"].Entities {
		if ls["us_csl"].Entities[i].PrimaryName() == "200G PSA HOLDINGS LLC" {
			csl = &ls["us_csl"].Entities[i]
		}
	}
	require.NotNil(t, csl)
	require.Equal(t, "SDN-20264", csl.SourceID)
	require.True(t, hasID(csl, IDTaxID, "80-0890696"), "%+v", csl.Identifiers)
	require.Equal(t, TypeOrganization, csl.Type)

	var dpl *Entity
	for i := range ls["bis_dpl"].Entities {
		if ls["bis_dpl"].Entities[i].PrimaryName() == "AARON ROBERT HENDERSON" {
			dpl = &ls["bis_dpl"].Entities[i]
		}
	}
	require.NotNil(t, dpl)
	require.Equal(t, "2010-05-28", dpl.ListedOn)
	require.Contains(t, dpl.Countries, "US")
}

func TestSelfWrittenSamples(t *testing.T) {
	t.Parallel()
	eu, err := Load(SourceEU, "testdata/eu_export_sample.xml")
	require.NoError(t, err)
	require.Len(t, eu.Entities, 2)
	p := eu.Entities[0]
	require.Equal(t, "900001", p.SourceID)
	require.Equal(t, TypePerson, p.Type)
	require.True(t, hasName(&p, "Иван Петрович Тестов", QualityStrong))
	require.True(t, hasName(&p, "Vanya", QualityWeak))
	require.Equal(t, []string{"1965-07-04"}, p.DatesOfBirth)
	require.Equal(t, []string{"RU"}, p.Nationalities)
	require.True(t, hasID(&p, IDPassport, "754321987"))
	require.Equal(t, []string{"RUS"}, p.Programs)
	require.Equal(t, TypeOrganization, eu.Entities[1].Type)
	require.True(t, hasID(&eu.Entities[1], IDRegistration, "1027700000001"))

	uk, err := Load(SourceUK, "testdata/uk_sanctions_list_sample.csv")
	require.NoError(t, err)
	require.Len(t, uk.Entities, 2)
	a := uk.Entities[0]
	require.Equal(t, "RUS9001", a.SourceID)
	require.Equal(t, "Anna Sergeevna TESTOVA", a.PrimaryName())
	require.True(t, hasName(&a, "Анна Сергеевна Тестова", QualityStrong))
	require.True(t, hasName(&a, "Anja TESTOVA", QualityWeak))
	require.Equal(t, []string{"1971-03-12"}, a.DatesOfBirth)
	require.True(t, hasID(&a, IDPassport, "AB1234567"))
	require.Equal(t, "female", a.Gender)
	require.Equal(t, TypeVessel, uk.Entities[1].Type)
	require.True(t, hasID(&uk.Entities[1], IDIMO, "9123456"))

	ftm, err := Load(SourceFTM, "testdata/ftm_sample.jsonl")
	require.NoError(t, err)
	require.Len(t, ftm.Entities, 2, "Position/Passport/CryptoWallet records are not entities")
	pep := ftm.Entities[1] // sorted by id: kycd-test-co-1, kycd-test-pep-1
	require.Equal(t, "kycd-test-pep-1", pep.SourceID)
	require.Equal(t, []string{"role.pep"}, pep.Topics)
	require.True(t, hasID(&pep, IDPassport, "C01X00T47"))
	require.Equal(t, []string{"DE"}, pep.Nationalities)
	co := ftm.Entities[0]
	require.True(t, hasID(&co, IDLEI, "5299000TESTLEI00001"))
	require.True(t, hasID(&co, IDCrypto, "0x00000000000000000000000000000000000000aa"))

	sz, err := Load(SourceSenzing, "testdata/senzing_sample.jsonl")
	require.NoError(t, err)
	require.Len(t, sz.Entities, 2)
	require.Equal(t, "Jonas Testman", sz.Entities[0].PrimaryName())
	require.True(t, hasName(&sz.Entities[0], "Jonas T. Testmann", ""))
	require.Equal(t, TypePerson, sz.Entities[0].Type)
	require.True(t, hasID(&sz.Entities[0], IDPassport, "SE9988776"))
	require.Equal(t, TypeOrganization, sz.Entities[1].Type)
	require.True(t, hasID(&sz.Entities[1], IDLEI, "549300TESTLEI000002"))
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func TestMalformedInputFailsClearly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, source, file, content string
		want                        []string
		empty                       bool
	}{
		{"sdn bad ent_num", SourceOFACSDN, "sdn.csv", "36,\"AEROCARIBBEAN\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \nX1,\"BAD\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n", []string{"sdn.csv:2", "ent_num", "X1"}, false},
		{"sdn too few fields", SourceOFACSDN, "sdn.csv", "36,\"AEROCARIBBEAN\",-0-\n", []string{"sdn.csv:1", "3 fields"}, false},
		{"sdn empty name", SourceOFACSDN, "sdn.csv", "36,\"\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n", []string{"sdn.csv:1", "SDN_Name"}, false},
		{"sdn blank lines only", SourceOFACSDN, "sdn.csv", "\n\n\x1a\n", []string{"no records"}, true},
		{"empty file", SourceUN, "un.xml", "", []string{"file is empty"}, false},
		{"un truncated", SourceUN, "un.xml", "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>", []string{"un.xml", "UN CONSOLIDATED_LIST"}, false},
		{"un without entries", SourceUN, "un.xml", "<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>", []string{"no entities"}, true},
		{"un entity without name", SourceUN, "un.xml", "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>", []string{"INDIVIDUAL[1]/FIRST_NAME", "X.1"}, false},
		{"eu wrong root", SourceEU, "eu.xml", "<html><body>maintenance</body></html>", []string{"eu.xml", "<html>"}, false},
		{"eu missing logicalId", SourceEU, "eu.xml", `<export><sanctionEntity><nameAlias wholeName="X"/></sanctionEntity></export>`, []string{"sanctionEntity[1]/@logicalId"}, false},
		{"uk no header", SourceUK, "uk.csv", "a,b,c\n1,2,3\n", []string{"uk.csv", "Unique ID"}, false},
		{"uk empty id", SourceUK, "uk.csv", "Report Date: x\nUnique ID,Name 1,Name type\n,Bob,Primary Name\n", []string{"uk.csv:3", "Unique ID", "empty id"}, false},
		{"csl missing column", SourceUSCSL, "csl.csv", "foo,bar\n1,2\n", []string{"csl.csv:1", "source"}, false},
		{"dpl wrong format", SourceBISDPL, "dpl.txt", "just some text\n", []string{"dpl.txt:1", "Name"}, false},
		{"ftm bad json", SourceFTM, "x.jsonl", "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A\"]}}\n{not json\n", []string{"x.jsonl:2", "JSON"}, false},
		{"ftm missing schema", SourceFTM, "x.jsonl", "{\"id\":\"a\",\"properties\":{}}\n", []string{"x.jsonl:1", "schema"}, false},
		{"ftm only non-matchable", SourceFTM, "x.jsonl", "{\"id\":\"a\",\"schema\":\"Address\",\"properties\":{}}\n", []string{"no entities"}, true},
		{"senzing no names", SourceSenzing, "s.jsonl", "{\"RECORD_ID\":\"1\"}\n", []string{"s.jsonl:1", "NAMES"}, false},
		{"senzing missing id", SourceSenzing, "s.json", "[{\"NAME_FULL\":\"A\"}]", []string{"s.json:1", "RECORD_ID"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := write(t, dir, tc.file, tc.content)
			if tc.source == SourceOFACSDN {
				p = dir
			}
			l, err := Load(tc.source, p)
			require.Error(t, err)
			require.Empty(t, l.Entities)
			for _, w := range tc.want {
				require.Contains(t, err.Error(), w)
			}
			require.Equal(t, tc.empty, errors.Is(err, ErrEmpty), err.Error())
		})
	}
	_, err := Load("nope", ".")
	require.ErrorContains(t, err, `unknown list source "nope"`)
	_, err = Load(SourceOFACSDN, t.TempDir())
	require.ErrorContains(t, err, "sdn.csv not found")
}

func TestParseDates(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"10 Dec 1948": {"1948-12-10"}, "Dec 1948": {"1948-12"}, "1948": {"1948"}, "circa 1958": {"1958"},
		"1960 to 1962": {"1960", "1961", "1962"}, "21/02/1924": {"1924-02-21"}, "00/00/1943": {"1943"},
		"00/05/1943": {"1943-05"}, "1924-02-21": {"1924-02-21"}, "1965-07": {"1965-07"},
		"approximately 1955": {"1955"}, "": nil, "unknown": nil, "32/13/1990": nil, "1700": nil,
		"01 Jan 1960; 02 Feb 1961": {"1960-01-01", "1961-02-02"},
	} {
		require.Equal(t, want, ParseDates(in), in)
	}
}

func TestCountryCode(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Iran": "IR", "IRN": "IR", "ir": "IR", "Iranian": "IR", "Democratic Republic of the Congo": "CD",
		"Korea, North": "KP", "Russian Federation": "RU", "United Kingdom": "GB", "Syrian Arab Republic": "SY",
		"Libyan Arab Jamahiriya": "LY", "Tunisian": "TN", "Burma": "MM", "Türkiye": "TR", "Côte d'Ivoire": "CI",
	} {
		got, ok := CountryCode(in)
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	_, ok := CountryCode("Atlantis")
	require.False(t, ok)
}

func TestFetch(t *testing.T) {
	t.Parallel()
	un, err := os.ReadFile("testdata/eu_export_sample.xml")
	require.NoError(t, err)
	sdn := "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n"
	alt := "36,12,\"aka\",\"AERO-CARIBBEAN\",-0- \n"
	mux := http.NewServeMux()
	mux.HandleFunc("/eu.xml", func(w http.ResponseWriter, r *http.Request) { w.Write(un) })
	mux.HandleFunc("/ofac/SDN.CSV", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(sdn)) })
	mux.HandleFunc("/ofac/ALT.CSV", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(alt)) })
	// The remarks continuation file is where OFAC puts most digital currency addresses.
	mux.HandleFunc("/ofac2/SDN.CSV", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Website www.example.org; \"\n"))
	})
	mux.HandleFunc("/ofac2/SDN_COMMENTS.CSV", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("36,\"Digital Currency Address - XBT 1BoatSLRHtKNngkdXEeobR76b53LETtpyT; alt. Digital Currency Address - ETH 0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c.\"\n"))
	})
	mux.HandleFunc("/broken.xml", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<export><sanctionEntity")) })
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	mux.HandleFunc("/big.xml", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(strings.Repeat("x", 4096))) })
	mux.HandleFunc("/slow.xml", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close) // the parallel subtests run after this function returns
	ctx := context.Background()

	l, err := Fetch(ctx, SourceEU, srv.URL+"/eu.xml", srv.Client())
	require.NoError(t, err)
	require.Len(t, l.Entities, 2)
	require.Equal(t, srv.URL+"/eu.xml", l.Version.URL)
	require.False(t, l.Version.FetchedAt.IsZero())
	require.Len(t, l.Version.SHA256, 64)

	l, err = Fetch(ctx, SourceOFACSDN, srv.URL+"/ofac", srv.Client())
	require.NoError(t, err, "ADD.CSV and SDN_COMMENTS.CSV are optional (404)")
	require.Len(t, l.Entities, 1)
	require.Len(t, l.Entities[0].Names, 2)

	l, err = Fetch(ctx, SourceOFACSDN, srv.URL+"/ofac2", srv.Client())
	require.NoError(t, err)
	require.Contains(t, l.Version.Files, "sdn_comments.csv", "lists update keeps the remarks continuation")
	require.True(t, hasID(&l.Entities[0], IDCrypto, "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"))
	require.True(t, hasID(&l.Entities[0], IDCrypto, "0x4f47bc496083c727c5fbe3ce9cdf2b0f6496270c"))

	for name, tc := range map[string]struct {
		source, path string
		opt          FetchOptions
		want         string
	}{
		"http error":    {SourceEU, "/fail", FetchOptions{}, "HTTP 503"},
		"missing":       {SourceEU, "/nothing.xml", FetchOptions{}, "HTTP 404"},
		"ofac required": {SourceOFACCons, "/ofac", FetchOptions{}, "CONS_PRIM.CSV"},
		"malformed":     {SourceEU, "/broken.xml", FetchOptions{}, "malformed EU export XML"},
		"too big":       {SourceEU, "/big.xml", FetchOptions{MaxBytes: 1024}, "limit"},
		"timeout":       {SourceEU, "/slow.xml", FetchOptions{Timeout: 100 * time.Millisecond}, "deadline"},
		"unknown":       {"nope", "/eu.xml", FetchOptions{}, "unknown list source"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l, err := FetchWithOptions(ctx, tc.source, srv.URL+tc.path, srv.Client(), tc.opt)
			require.ErrorContains(t, err, tc.want)
			require.Empty(t, l.Entities)
		})
	}
}
