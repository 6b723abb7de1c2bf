package tools

import (
	"strings"

	"golang.org/x/text/language"

	"github.com/kycd/kycd/checks/mrz"
)

// iso3166Alpha2 holds every officially assigned ISO 3166-1 alpha-2 code.
var iso3166Alpha2 = func() map[string]bool {
	const codes = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET
FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO
IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH
MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM
PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK`
	m := map[string]bool{}
	for _, c := range strings.Fields(codes) {
		m[c] = true
	}
	return m
}()

// Countries come in two families (#20): where a person or company is from (applicant.country,
// nationality, screening and business countries) is ISO 3166-1 alpha-2, as the screening lists
// and registers write it; which state issued a travel document (allowed_countries,
// submit_document.country) is ICAO 9303's code, as the MRZ writes it: alpha-3, but D for
// Germany. Every such input accepts either form — alpha-2, alpha-3 or ICAO's D, any case —
// and is normalised to its family's form, which is also the form outputs use.

// countryAlpha2 is code as ISO 3166-1 alpha-2: DE, DEU, D and de all give DE.
func countryAlpha2(code string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(code))
	switch {
	case iso3166Alpha2[c]:
		return c, true
	case c == "D":
		return "DE", true
	case c == "RKS": // Kosovo's own documents
		return "XK", true
	case len(c) == 3:
		if r, err := language.ParseRegion(c); err == nil && r.IsCountry() && iso3166Alpha2[r.String()] {
			return r.String(), true
		}
	}
	return "", false
}

// countryICAO is code as ICAO 9303 writes an issuing state or organisation: DE, DEU, D and d
// all give D; an alpha-2 code becomes its alpha-3 (NL → NLD); ICAO's own codes (XXA, EUE, …)
// stand as they are.
func countryICAO(code string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if len(c) == 2 {
		if !iso3166Alpha2[c] {
			return "", false
		}
		switch c {
		case "DE":
			return "D", true
		case "XK":
			return "RKS", true
		}
		r, err := language.ParseRegion(c)
		if err != nil {
			return "", false
		}
		c = r.ISO3()
	}
	if c == "DEU" {
		c = "D"
	}
	if _, ok := mrz.CountryName(c); !ok {
		return "", false
	}
	return c, true
}

// countryField normalises an optional person's or company's country input to alpha-2,
// or names the field.
func countryField(field, v string) (string, error) {
	return codeField(field, v, countryAlpha2, "is not a country code; give ISO 3166-1 alpha-2 or alpha-3 (DE, DEU)")
}

// issuingStateField normalises an optional issuing-state input to ICAO's code, or names
// the field.
func issuingStateField(field, v string) (string, error) {
	return codeField(field, v, countryICAO, "is not an issuing state; give its ICAO code (NLD, D for Germany) or ISO 3166-1 alpha-2 (NL, DE)")
}

func codeField(field, v string, norm func(string) (string, bool), refusal string) (string, error) {
	if strings.TrimSpace(v) == "" {
		return "", nil
	}
	c, ok := norm(v)
	if !ok {
		return "", invalid(field, "%q %s", v, refusal)
	}
	return c, nil
}
