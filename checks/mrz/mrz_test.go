package mrz

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
)

func TestCheckDigitOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"L898902C3", 6}, // ICAO 9303 part 4 specimen
		{"740812", 2},
		{"120415", 9},
		{"ZE184226B<<<<<", 1},
		{"<<<<<<", 0},
		{"", 0},
		{"D231458907<<<<<<<<<<<<<<<34071279507122<<<<<<<<<<<", 2}, // gmrtd TD1 composite
		{"HA672242<658022549601086<<<<<<<", 8},                    // gmrtd TD2 composite
	} {
		got, err := CheckDigitOf(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
	for _, bad := range []string{"ab", "L89 8902", "É", "12?"} {
		_, err := CheckDigitOf(bad)
		require.Error(t, err, bad)
		require.Contains(t, err.Error(), "invalid character")
	}
}

// sample returns the fields of a document of format f for round trips.
func sample(f Format) *Result {
	r := &Result{
		Format: f, IssuingState: "NLD", Nationality: "NLD", Surname: "de Vries-Bakker",
		GivenNames: "Anna Maria", DocumentNumber: "SPECI2014", DateOfBirth: "1965-03-10",
		Sex: "F", ExpiryDate: "2030-03-09",
	}
	switch f {
	case FormatTD3:
		r.DocumentCode, r.OptionalData = "P", "999999990"
	case FormatMRVA, FormatMRVB:
		r.DocumentCode, r.OptionalData = "V", "AB12"
	case FormatTD1:
		r.DocumentCode, r.OptionalData, r.OptionalData2 = "I", "999999990", "XYZ"
	case FormatTD2:
		r.DocumentCode, r.OptionalData = "ID", "12"
	case FormatFRAID:
		r.DocumentCode, r.IssuingState, r.Nationality = "ID", "FRA", "FRA"
		r.DocumentNumber, r.OptionalData, r.ExpiryDate = "1710GVA12345", "0CHE02", ""
		r.Surname, r.GivenNames = "Bérthier", "Corinne"
	}
	return r
}

func TestParseEachFormat(t *testing.T) {
	t.Parallel()
	for _, f := range []Format{FormatTD1, FormatTD2, FormatTD3, FormatMRVA, FormatMRVB, FormatFRAID} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			in := sample(f)
			lines, err := Compose(in)
			require.NoError(t, err)
			r, err := Parse(lines, WithNow(testToday))
			require.NoError(t, err)
			require.Equal(t, f, r.Format)
			require.True(t, r.Valid, "errors: %v lines %q", r.Errors, lines)
			require.Equal(t, in.DocumentCode, r.DocumentCode)
			require.Equal(t, in.IssuingState, r.IssuingState)
			require.Equal(t, in.Nationality, r.Nationality)
			require.Equal(t, strings.ReplaceAll(Transliterate(in.Surname), "<", " "), r.Surname)
			require.Equal(t, strings.ReplaceAll(Transliterate(in.GivenNames), "<", " "), r.GivenNames)
			require.Equal(t, in.DocumentNumber, r.DocumentNumber)
			require.Equal(t, in.DateOfBirth, r.DateOfBirth)
			require.Equal(t, in.Sex, r.Sex)
			require.Equal(t, in.ExpiryDate, r.ExpiryDate)
			require.Equal(t, in.OptionalData, r.OptionalData)
			require.Equal(t, in.OptionalData2, r.OptionalData2)
			wantChecks := map[Format]int{FormatTD1: 4, FormatTD2: 4, FormatTD3: 5, FormatMRVA: 3, FormatMRVB: 3, FormatFRAID: 3}[f]
			require.Len(t, r.Checks, wantChecks)
		})
	}
}

func TestVisaVersusCardByDocumentCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		f    Format
		code string
		want Format
	}{
		{FormatTD3, "P", FormatTD3}, {FormatTD3, "V", FormatMRVA},
		{FormatTD2, "I", FormatTD2}, {FormatTD2, "V", FormatMRVB},
	} {
		in := sample(tc.f)
		in.DocumentCode = tc.code
		if tc.code == "V" && tc.f == FormatTD2 {
			in.OptionalData = "" // MRV-B has one optional character more, no composite
		}
		lines, err := Compose(in)
		require.NoError(t, err)
		r, err := Parse(lines, WithNow(testToday))
		require.NoError(t, err)
		require.Equal(t, tc.want, r.Format, "code %s", tc.code)
	}
}

func TestDocumentNumberOverflow(t *testing.T) {
	t.Parallel()
	for _, f := range []Format{FormatTD1, FormatTD2} {
		in := sample(f)
		in.DocumentNumber = "D23145890734" // ICAO 9303 part 11 D.2
		in.OptionalData = ""
		lines, err := Compose(in)
		require.NoError(t, err)
		r, err := Parse(lines, WithNow(testToday))
		require.NoError(t, err)
		require.True(t, r.Valid, "%s %q %v", f, lines, r.Errors)
		require.Equal(t, "D23145890734", r.DocumentNumber)
		require.Equal(t, "", r.OptionalData)
		require.Equal(t, "9", r.check("document_number").Expected)
	}

	t.Run("check-digit position < with no continuation is invalid", func(t *testing.T) {
		t.Parallel()
		r, err := Parse([]string{"I<NLDD23145890<<<<<<<<<<<<<<<<", "7408122F1204159NLD<<<<<<<<<<<0", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}, WithNow(testToday))
		require.NoError(t, err)
		require.False(t, r.Valid)
		require.False(t, r.check("document_number").Valid)
		require.Equal(t, "<", r.check("document_number").Expected)
	})

	t.Run("filler-included digit is a Belgian exception only", func(t *testing.T) {
		t.Parallel()
		lines := []string{"IDBEL000590240<6013<<<<<<<<<<<", "8512017F1311048BEL851201002007", "REINARTZ<<ULRIKE<KATIA<E<<<<<<"}
		r, err := Parse(lines, WithNow(testToday))
		require.NoError(t, err)
		require.True(t, r.Valid, r.Errors)
		nld := []string{"IDNLD000590240<6013<<<<<<<<<<<", lines[1][:15] + "NLD" + lines[1][18:], lines[2]}
		r, err = Parse(nld, WithNow(testToday))
		require.NoError(t, err)
		require.False(t, r.check("document_number").Valid)
	})
}

func TestParseShapeErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		lines []string
		msg   string
	}{
		{"none", nil, "no lines"},
		{"one line", []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"}, "1 line(s) of 44"},
		{"short", []string{"P<UTO", "L898902C3"}, "2 line(s) of 5, 9"},
		{"mixed", []string{strings.Repeat("<", 36), strings.Repeat("<", 44)}, "36, 44"},
		{"four", []string{"a", "b", "c", "d"}, "4 line(s)"},
	} {
		_, err := Parse(tc.lines)
		require.Error(t, err, tc.name)
		require.True(t, errors.Is(err, ErrNoFormat), tc.name)
		require.Contains(t, err.Error(), tc.msg, tc.name)
	}
	_, err := ParseText("\n  \n")
	require.ErrorIs(t, err, ErrNoFormat)
}

func TestParseValidationErrors(t *testing.T) {
	t.Parallel()
	good := []string{"P<NLDERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36NLD7408122F1204159ZE184226B<<<<<10"}
	mod := func(line, col int, s string) []string {
		out := append([]string(nil), good...)
		out[line] = out[line][:col] + s + out[line][col+len(s):]
		return out
	}
	r, err := Parse(good, WithNow(testToday))
	require.NoError(t, err)
	require.True(t, r.Valid, r.Errors)
	require.Empty(t, r.Errors)

	for _, tc := range []struct {
		name  string
		lines []string
		err   string
	}{
		{"lower case", mod(0, 5, "e"), "line 1: invalid character 'e' at column 5"},
		{"unknown state", mod(0, 2, "ZZZ"), "issuing_state: unknown ICAO state"},
		{"unknown nationality", mod(1, 10, "ABC"), "nationality: unknown"},
		{"specimen", mod(0, 2, "UTO"), "issuing_state: \"UTO\" is ICAO's specimen"},
		{"sex", mod(1, 20, "Q"), "sex: invalid value \"Q\""},
		{"doc code", mod(0, 0, "I"), "document_code: \"I\" must start with one of \"P\""},
		{"digit in name", mod(0, 6, "3"), "name: digit '3'"},
		{"bad month", mod(1, 15, "13"), "date_of_birth: invalid month 13"},
		{"check digit", mod(1, 9, "7"), "document_number: check digit \"7\" does not match computed \"6\""},
	} {
		r, err := Parse(tc.lines, WithNow(testToday))
		require.NoError(t, err, tc.name)
		require.False(t, r.Valid, tc.name)
		require.True(t, hasPrefix(r.Errors, tc.err), "%s: %v", tc.name, r.Errors)
	}
}

func TestParseText(t *testing.T) {
	t.Parallel()
	r, err := ParseText("\r\n  P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<  \r\n\r\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n", WithNow(testToday), WithSpecimenCodes())
	require.NoError(t, err)
	require.True(t, r.Valid, r.Errors)
	require.Equal(t, "L898902C3", r.DocumentNumber)
}

func TestCenturyInference(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		raw  string
		kind dateKind
		want string
		err  string
	}{
		{"260115", dateBirth, "2026-01-15", ""}, // born today
		{"260116", dateBirth, "1926-01-16", ""}, // tomorrow cannot be a birth date
		{"740812", dateBirth, "1974-08-12", ""},
		{"000229", dateBirth, "2000-02-29", ""},
		{"460115", dateExpiry, "2046-01-15", ""}, // exactly 20 years ahead
		{"460116", dateExpiry, "1946-01-16", ""},
		{"120415", dateExpiry, "2012-04-15", ""},
		{"<<<<<<", dateBirth, "", ""},
		{"74<<<<", dateBirth, "", ""},
		{"7408<<", dateBirth, "", ""},
		{"7408<2", dateBirth, "", "invalid date"},
		{"741312", dateBirth, "", "invalid month 13"},
		{"010229", dateBirth, "", "invalid day 29"},
		{"740800", dateBirth, "", "invalid day 00"},
		{"74A812", dateBirth, "", "invalid date"},
		{"1710", dateIssue, "2017-10", ""},
		{"2702", dateIssue, "1927-02", ""},
	} {
		got, err := parseDate(tc.raw, tc.kind, today)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.raw)
			continue
		}
		require.NoError(t, err, tc.raw)
		require.Equal(t, tc.want, got, tc.raw)
	}
}

func TestClockOption(t *testing.T) {
	t.Parallel()
	lines := []string{"P<NLDERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36NLD7408122F1204159ZE184226B<<<<<10"}
	r, err := Parse(lines, WithNow(time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)))
	require.NoError(t, err)
	require.False(t, r.Expired)
	require.True(t, r.Valid)

	r, err = Parse(lines, WithClock(func() time.Time { return testToday }))
	require.NoError(t, err)
	require.True(t, r.Expired)
	require.True(t, r.Valid, "expiry alone does not invalidate the MRZ")

	r, err = Parse(lines, WithNow(testToday), WithRejectExpired())
	require.NoError(t, err)
	require.False(t, r.Valid)
	require.True(t, hasPrefix(r.Errors, "expiry_date: document expired on 2012-04-15"))
}

func TestResultJSON(t *testing.T) {
	t.Parallel()
	r, err := Parse([]string{"P<NLDERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36NLD7408122F1204159ZE184226B<<<<<10"}, WithNow(testToday))
	require.NoError(t, err)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"format", "valid", "checks", "document_code", "issuing_state", "surname", "given_names",
		"document_number", "nationality", "date_of_birth", "sex", "expiry_date", "optional_data", "optional_data_2",
		"corrections", "errors", "lines"} {
		require.Contains(t, m, k)
	}
	require.Equal(t, []any{}, m["corrections"], "empty lists are [] not null")
	require.Equal(t, "document_number", m["checks"].([]any)[0].(map[string]any)["field"])
}

func TestCountryCodes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code, name string
		ok         bool
	}{
		{"DEU", "Germany", true}, {"D", "Germany", true}, {"D<<", "Germany", true},
		{"GBD", "British Overseas Territories Citizen", true}, {"GBN", "British National (Overseas)", true},
		{"GBO", "British Overseas Citizen", true}, {"GBP", "British Protected Person", true}, {"GBS", "British Subject", true},
		{"UNO", "United Nations Organization", true}, {"UNA", "United Nations specialized agency", true},
		{"UNK", "Resident of Kosovo (UNMIK travel document)", true},
		{"XXA", "Stateless person (1954 Convention)", true}, {"XXB", "Refugee (1951 Convention)", true},
		{"XXC", "Refugee (other)", true}, {"XXX", "Unspecified nationality", true}, {"EUE", "European Union", true},
		{"XPO", "International Criminal Police Organization (INTERPOL)", true},
		{"UTO", "", false}, {"ZZZ", "", false}, {"", "", false}, {"BOS", "", false},
	} {
		name, ok := CountryName(tc.code)
		require.Equal(t, tc.ok, ok, tc.code)
		require.Equal(t, tc.name, name, tc.code)
	}
	require.True(t, IsSpecimenCode("UTO"))
	require.False(t, IsSpecimenCode("UTA"))
}

// TestCodesMatchCLDR checks the hand-kept ISO part of the table against the
// CLDR region data in golang.org/x/text: every ISO entry is a current
// country there, and every current CLDR country is in the table.
func TestCodesMatchCLDR(t *testing.T) {
	t.Parallel()
	iso := 0
	for code, c := range codes {
		if c.kind != kindISO {
			continue
		}
		iso++
		r, err := language.ParseRegion(code)
		require.NoError(t, err, code)
		require.True(t, r.IsCountry(), code)
		require.Equal(t, code, r.ISO3(), code)
		require.Equal(t, r, r.Canonicalize(), "%s is deprecated in CLDR", code)
	}
	require.Equal(t, 249, iso, "ISO 3166-1 has 249 alpha-3 codes")

	// Regions CLDR knows that ISO 3166-1 does not assign (or has withdrawn).
	notISO := map[string]bool{"ASC": true, "CPT": true, "DGA": true, "TAA": true, "XKK": true, "ZZZ": true,
		"ANT": true, "NTZ": true, "PCI": true, "SCG": true, "SUN": true, "YUG": true}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			r, err := language.ParseRegion(string([]rune{a, b}))
			if err != nil || !r.IsCountry() || r != r.Canonicalize() || notISO[r.ISO3()] {
				continue
			}
			_, ok := codes[r.ISO3()]
			require.True(t, ok, "CLDR country %s (%s) missing", r, r.ISO3())
		}
	}
}
