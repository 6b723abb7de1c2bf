package phone_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/phone"
)

type row struct {
	in, region, expected string // input, default region, expected country
	valid                bool
	e164                 string
	typ                  phone.Type
	numRegion            string
	mismatch             bool
	reason               string
	risk                 phone.RiskLevel
}

// nationalMobiles are mobile numbers written the way people in each country write them.
var nationalMobiles = []struct{ region, in, e164 string }{
	{"DE", "0151 23456789", "+4915123456789"},
	{"AT", "0664 1234567", "+436641234567"},
	{"CH", "078 123 45 67", "+41781234567"},
	{"FR", "06 12 34 56 78", "+33612345678"},
	{"IT", "312 345 6789", "+393123456789"},
	{"ES", "612 34 56 78", "+34612345678"},
	{"PT", "912 345 678", "+351912345678"},
	{"NL", "06 12345678", "+31612345678"},
	{"BE", "0470 12 34 56", "+32470123456"},
	{"PL", "512 345 678", "+48512345678"},
	{"CZ", "601 123 456", "+420601123456"},
	{"SE", "070-123 45 67", "+46701234567"},
	{"NO", "412 34 567", "+4741234567"},
	{"FI", "041 2345678", "+358412345678"},
	{"IE", "085 012 3456", "+353850123456"},
	{"GB", "07400 123456", "+447400123456"},
	{"BR", "(11) 96123-4567", "+5511961234567"},
	{"AR", "011 15-2345-6789", "+5491123456789"},
	{"IN", "098765 43210", "+919876543210"},
	{"JP", "090-1234-5678", "+819012345678"},
	{"KR", "010-1234-5678", "+821012345678"},
	{"CN", "138 0013 8000", "+8613800138000"},
	{"AU", "0412 345 678", "+61412345678"},
	{"NZ", "021 123 4567", "+64211234567"},
	{"ZA", "082 123 4567", "+27821234567"},
	{"NG", "0803 123 4567", "+2348031234567"},
	{"KE", "0712 345678", "+254712345678"},
	{"RU", "8 (912) 345-67-89", "+79123456789"},
	{"TR", "0532 123 45 67", "+905321234567"},
	{"AE", "050 123 4567", "+971501234567"},
	{"SG", "8123 4567", "+6581234567"},
	{"IL", "050-234-5678", "+972502345678"},
	{"UA", "050 123 4567", "+380501234567"},
}

var alpha3 = map[string]string{"DE": "DEU", "AT": "AUT", "CH": "CHE", "FR": "FRA", "IT": "ITA", "ES": "ESP", "PT": "PRT",
	"NL": "NLD", "BE": "BEL", "PL": "POL", "CZ": "CZE", "SE": "SWE", "NO": "NOR", "FI": "FIN", "IE": "IRL", "GB": "GBR",
	"BR": "BRA", "AR": "ARG", "IN": "IND", "JP": "JPN", "KR": "KOR", "CN": "CHN", "AU": "AUS", "NZ": "NZL", "ZA": "ZAF",
	"NG": "NGA", "KE": "KEN", "RU": "RUS", "TR": "TUR", "AE": "ARE", "SG": "SGP", "IL": "ISR", "UA": "UKR"}

func buildRows() []row {
	var rows []row
	for i, m := range nationalMobiles {
		// National format with the default region, alpha-2 and alpha-3.
		rows = append(rows,
			row{in: m.in, region: m.region, valid: true, e164: m.e164, typ: phone.TypeMobile, numRegion: m.region, risk: phone.RiskLow},
			row{in: m.in, region: alpha3[m.region], expected: m.region, valid: true, e164: m.e164, typ: phone.TypeMobile, numRegion: m.region, risk: phone.RiskLow},
			// International format needs no region; a matching expected country in alpha-3.
			row{in: m.e164, expected: alpha3[m.region], valid: true, e164: m.e164, typ: phone.TypeMobile, numRegion: m.region, risk: phone.RiskLow},
			// "00" international prefix dialled from a neighbour.
			row{in: "00" + m.e164[1:], region: "DE", valid: true, e164: m.e164, numRegion: m.region},
		)
		// Country mismatch: the next country's applicant.
		other := nationalMobiles[(i+1)%len(nationalMobiles)].region
		rows = append(rows, row{in: m.e164, expected: alpha3[other], valid: true, e164: m.e164, numRegion: m.region,
			mismatch: true, reason: phone.ReasonCountryMismatch, risk: phone.RiskMedium})
		// Too short: the country code and three digits (unparseable or invalid, both high).
		cc := len(fmt.Sprint(phonenumbers.GetCountryCodeForRegion(m.region)))
		rows = append(rows, row{in: m.e164[:1+cc+3], risk: phone.RiskHigh})
	}
	// Every type libphonenumber has an example for, in 30 countries: the mapping of types
	// and their reasons.
	types := map[phonenumbers.PhoneNumberType]struct {
		t      phone.Type
		reason string
		risk   phone.RiskLevel
	}{
		phonenumbers.FIXED_LINE:      {phone.TypeFixedLine, phone.ReasonFixedLine, phone.RiskLow},
		phonenumbers.TOLL_FREE:       {phone.TypeTollFree, phone.ReasonNotPersonal, phone.RiskMedium},
		phonenumbers.PREMIUM_RATE:    {phone.TypePremiumRate, phone.ReasonPremiumRate, phone.RiskHigh},
		phonenumbers.SHARED_COST:     {phone.TypeSharedCost, phone.ReasonNotPersonal, phone.RiskMedium},
		phonenumbers.VOIP:            {phone.TypeVoIP, phone.ReasonVoIP, phone.RiskMedium},
		phonenumbers.PERSONAL_NUMBER: {phone.TypePersonalNumber, phone.ReasonNotPersonal, phone.RiskMedium},
		phonenumbers.PAGER:           {phone.TypePager, phone.ReasonNotPersonal, phone.RiskMedium},
		phonenumbers.UAN:             {phone.TypeUAN, phone.ReasonNotPersonal, phone.RiskMedium},
	}
	for _, m := range nationalMobiles {
		for pt, w := range types {
			ex := phonenumbers.GetExampleNumberForType(m.region, pt)
			if ex == nil || phonenumbers.GetNumberType(ex) != pt {
				continue
			}
			e164 := phonenumbers.Format(ex, phonenumbers.E164)
			national := phonenumbers.Format(ex, phonenumbers.NATIONAL)
			r := row{in: national, region: m.region, valid: true, e164: e164, typ: w.t, numRegion: m.region, reason: w.reason, risk: w.risk}
			if _, fict := phone.Fictional(e164); fict {
				r.reason, r.risk = phone.ReasonFictional, phone.RiskHigh
			}
			rows = append(rows, r)
		}
	}
	// Fictional ranges.
	for _, f := range []struct {
		in  string
		reg string
	}{
		{"+44 7700 900123", "GB"}, {"07700 900999", "GB"}, {"+44 20 7946 0321", "GB"}, {"0161 496 0000", "GB"},
		{"+44 1632 960001", "GB"}, {"+1 201 555 0123", "US"}, {"(416) 555-0199", "CA"}, {"+1 212 555 0100", "US"},
		{"+61 491 570 156", "AU"}, {"0491 579 455", "AU"}, {"+61 2 5550 1234", "AU"}, {"+33 6 39 98 12 34", "FR"},
		{"01 99 00 12 34", "FR"},
	} {
		rows = append(rows, row{in: f.in, region: f.reg, numRegion: f.reg, reason: phone.ReasonFictional, risk: phone.RiskHigh, valid: validOf(f.in, f.reg)})
	}
	// Near the fictional ranges but outside them: not flagged.
	for _, in := range []string{"+44 7700 901123", "+1 201 555 0200", "+61 491 570 155"} {
		rows = append(rows, row{in: in, valid: validOf(in, ""), risk: riskOfValid(in)})
	}
	// Crown Dependencies share +44: a Jersey number for a GBR applicant is no mismatch.
	rows = append(rows, row{in: "+44 7797 712345", expected: "GBR", valid: true, numRegion: "JE", risk: phone.RiskLow})
	rows = append(rows, row{in: "+1 613 555 0123", expected: "USA", numRegion: "CA", valid: validOf("+16135550123", ""), mismatch: true, reason: phone.ReasonCountryMismatch})
	// Unparseable and hostile input.
	for _, in := range []string{"", "   ", "abc", "+", "+33 1", "12345", "0151 23456789", "+999 1234567",
		"+4915123456789\r\nX-Injected: 1", "+49151\n23456789", "+49151\x0023456789", "+49\u200b15123456789",
		strings.Repeat("1", 10*1024), "+" + strings.Repeat("9", 251), "\xff\xfe", "tel:", "+49 (0) 151 2345 6789 ext. " + strings.Repeat("9", 300)} {
		rows = append(rows, row{in: in, reason: phone.ReasonUnparseable, risk: phone.RiskHigh})
	}
	// Parses but invalid.
	for _, in := range []string{"+1 123 456 7890", "+49 123", "+44 1234", "+7 000 000 00 00"} {
		rows = append(rows, row{in: in, reason: phone.ReasonInvalid, risk: phone.RiskHigh})
	}
	// Accepted spellings of a valid number.
	for _, in := range []string{"+49-151-2345-6789", "+49 (151) 23456789", "tel:+49-151-23456789", "＋４９ １５１ ２３４５６７８９", "+49.151.234.567.89", "++4915123456789"} {
		rows = append(rows, row{in: in, valid: true, e164: "+4915123456789", typ: phone.TypeMobile, numRegion: "DE", risk: phone.RiskLow})
	}
	return rows
}

func validOf(in, reg string) bool {
	n, err := phonenumbers.Parse(in, reg)
	return err == nil && phonenumbers.IsValidNumber(n)
}

func riskOfValid(in string) phone.RiskLevel {
	if validOf(in, "") {
		return "" // depends on the type; not asserted
	}
	return phone.RiskHigh
}

func TestTable(t *testing.T) {
	t.Parallel()
	rows := buildRows()
	require.GreaterOrEqual(t, len(rows), 300)
	countries := map[string]bool{}
	ctx := context.Background()
	for i, w := range rows {
		if w.numRegion != "" {
			countries[w.numRegion] = true
		}
		name := fmt.Sprintf("%03d_%.40s", i, w.in)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := phone.Check(ctx, w.in, phone.Options{DefaultRegion: w.region, ExpectedCountry: w.expected})
			require.NoError(t, err)
			require.Equal(t, w.valid, r.Valid, "valid: %+v", r)
			if w.e164 != "" {
				require.Equal(t, w.e164, r.E164)
			}
			if w.typ != "" {
				require.Equal(t, w.typ, r.Type)
			}
			if w.numRegion != "" {
				require.Equal(t, w.numRegion, r.Region)
			}
			require.Equal(t, w.mismatch, r.CountryMismatch, "%+v", r.Reasons)
			if w.reason != "" {
				require.True(t, r.HasReason(w.reason), "want %s in %+v", w.reason, r.Reasons)
			}
			if w.risk != "" {
				require.Equal(t, w.risk, r.RiskLevel, "%+v", r.Reasons)
			}
			for _, x := range r.Reasons {
				require.LessOrEqual(t, len(x.Message), 200)
				require.NotContains(t, x.Message, "\n")
			}
			require.NotEmpty(t, r.Metadata)
		})
	}
	require.GreaterOrEqual(t, len(countries), 20)
}

func TestBadOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []string{"XX", "Germany", "276", "D", "ZZ", "EU", "D3", "DEUT"} {
		_, err := phone.Check(ctx, "+4915123456789", phone.Options{ExpectedCountry: c})
		require.ErrorIs(t, err, phone.ErrCountry, c)
		_, err = phone.Check(ctx, "015123456789", phone.Options{DefaultRegion: c})
		require.ErrorIs(t, err, phone.ErrCountry, c)
	}
	for in, want := range map[string]string{"de": "DE", "deu": "DE", "GBR": "GB", "UK": "GB", "XK": "XK", " fra ": "FR"} {
		got, err := phone.NormalizeCountry(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := phone.Check(cctx, "+4915123456789", phone.Options{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestJSONShape(t *testing.T) {
	t.Parallel()
	r, err := phone.Check(context.Background(), "+44 7700 900123", phone.Options{ExpectedCountry: "GBR"})
	require.NoError(t, err)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"valid", "e164", "type", "region", "country_mismatch", "risk_level", "reasons"} {
		require.Contains(t, m, k)
	}
	require.Equal(t, "GB", m["region"])
	require.Equal(t, false, m["country_mismatch"])
	require.Equal(t, "high", m["risk_level"])
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"+4915123456789", "0151 23456789", "+44 7700 900123", "tel:+1-201-555-0123;ext=1", "00491512345"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := phone.Check(context.Background(), s, phone.Options{DefaultRegion: "DE"})
		if err != nil {
			t.Fatal(err)
		}
		if r.Valid && !strings.HasPrefix(r.E164, "+") {
			t.Fatalf("valid without E.164: %+v", r)
		}
	})
}

func ExampleCheck() {
	r, _ := phone.Check(context.Background(), "0151 23456789", phone.Options{DefaultRegion: "DE", ExpectedCountry: "AUT"})
	fmt.Println(r.E164, r.Type, r.Region, r.CountryMismatch, r.RiskLevel)
	// Output: +4915123456789 mobile DE true medium
}
