package address

import (
	"regexp"
	"strings"
)

// A Parser reads one country's postal addresses. It is the seam where a fuller parser
// (libpostal, a national address file) could stand in; the rule-based one below covers the
// countries kycd supports.
type Parser interface {
	// Country is the ISO 3166-1 alpha-2 code the parser reads.
	Country() string
	// Parse reads an address from its lines, top to bottom, without the addressee's name.
	// ok is false when no line holds a postcode valid in the country (or, where postcodes
	// are optional, no town could be found).
	Parse(lines []string) (a Address, ok bool)
	// Postcode returns the canonical form of a postcode valid in the country.
	Postcode(s string) (string, bool)
}

// rule is what differs between countries.
type rule struct {
	code string
	// postcode finds a candidate postcode in a line; canon turns a match into the
	// canonical form or "" when it is not valid after all.
	postcode *regexp.Regexp
	canon    func(m string) string
	// numberFirst: "12 High Street" (GB, IE, US, CA, FR); otherwise "Hauptstraße 12".
	numberFirst bool
	// postcodeAfterCity: "London SW1A 1AA", "Springfield, IL 62704"; otherwise "10115 Berlin".
	postcodeAfterCity bool
	// optionalPostcode: addresses often have none (IE before Eircodes); the town line then ends the block.
	optionalPostcode bool
	// regions that may stand between the city and the postcode (US states, CA provinces).
	regions map[string]bool
	// prefixes written before a postcode in cross-border mail ("D-10115", "CH-8001").
	prefixes []string
}

func digitsCanon(n int) func(string) string {
	return func(m string) string {
		if len(m) != n {
			return ""
		}
		return m
	}
}

var usStates = setOf("AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
	"KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
	"OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC", "PR", "VI", "GU")

var caProvinces = setOf("AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT")

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

var rules = map[string]*rule{
	// GB: outward code (area letters, district digit, optional letter/digit) + inward code (digit, two letters).
	"GB": {code: "GB", postcode: regexp.MustCompile(`\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})\b`),
		canon: func(m string) string {
			m = strings.ReplaceAll(m, " ", "")
			return m[:len(m)-3] + " " + m[len(m)-3:]
		}, numberFirst: true, postcodeAfterCity: true},
	// IE: Eircode, routing key (letter + two digits, or D6W) + four-character unique identifier.
	"IE": {code: "IE", postcode: regexp.MustCompile(`\b([AC-FHKNPRTV-Y][0-9]{2}|D6W) ?([0-9AC-FHKNPRTV-Y]{4})\b`),
		canon: func(m string) string {
			m = strings.ReplaceAll(m, " ", "")
			return m[:3] + " " + m[3:]
		}, numberFirst: true, postcodeAfterCity: true, optionalPostcode: true},
	"US": {code: "US", postcode: regexp.MustCompile(`\b([0-9]{5})(?:-([0-9]{4}))?\b`), canon: func(m string) string { return m },
		numberFirst: true, postcodeAfterCity: true, regions: usStates},
	"CA": {code: "CA", postcode: regexp.MustCompile(`\b([ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z]) ?([0-9][ABCEGHJ-NPRSTV-Z][0-9])\b`),
		canon: func(m string) string {
			m = strings.ReplaceAll(m, " ", "")
			return m[:3] + " " + m[3:]
		}, numberFirst: true, postcodeAfterCity: true, regions: caProvinces},
	"DE": {code: "DE", postcode: regexp.MustCompile(`\b([0-9]{5})\b`), canon: func(m string) string {
		if m < "01001" {
			return ""
		}
		return m
	}, prefixes: []string{"D-", "DE-"}},
	"AT": {code: "AT", postcode: regexp.MustCompile(`\b([1-9][0-9]{3})\b`), canon: digitsCanon(4), prefixes: []string{"A-", "AT-"}},
	"CH": {code: "CH", postcode: regexp.MustCompile(`\b([1-9][0-9]{3})\b`), canon: digitsCanon(4), prefixes: []string{"CH-"}},
	"FR": {code: "FR", postcode: regexp.MustCompile(`\b((?:0[1-9]|[1-8][0-9]|9[0-8])[0-9]{3})\b`), canon: digitsCanon(5),
		numberFirst: true, prefixes: []string{"F-", "FR-"}},
	"BE": {code: "BE", postcode: regexp.MustCompile(`\b([1-9][0-9]{3})\b`), canon: digitsCanon(4), prefixes: []string{"B-", "BE-"}},
	// NL: four digits (first not 0) and two letters other than SA, SD and SS.
	"NL": {code: "NL", postcode: regexp.MustCompile(`\b([1-9][0-9]{3}) ?([A-Z]{2})\b`), canon: func(m string) string {
		m = strings.ReplaceAll(m, " ", "")
		if l := m[4:]; l == "SA" || l == "SD" || l == "SS" {
			return ""
		}
		return m[:4] + " " + m[4:]
	}, prefixes: []string{"NL-"}},
	// ES: five digits, the first two a province 01–52.
	"ES": {code: "ES", postcode: regexp.MustCompile(`\b((?:0[1-9]|[1-4][0-9]|5[0-2])[0-9]{3})\b`), canon: digitsCanon(5), prefixes: []string{"E-", "ES-"}},
	"IT": {code: "IT", postcode: regexp.MustCompile(`\b([0-9]{5})\b`), canon: digitsCanon(5), prefixes: []string{"I-", "IT-"}},
	"PT": {code: "PT", postcode: regexp.MustCompile(`\b([1-9][0-9]{3})-([0-9]{3})\b`), canon: func(m string) string { return m }, prefixes: []string{"P-", "PT-"}},
	"BR": {code: "BR", postcode: regexp.MustCompile(`\b([0-9]{5})-?([0-9]{3})\b`), canon: func(m string) string {
		m = strings.ReplaceAll(m, "-", "")
		return m[:5] + "-" + m[5:]
	}},
	"PL": {code: "PL", postcode: regexp.MustCompile(`\b([0-9]{2})-([0-9]{3})\b`), canon: func(m string) string { return m }, prefixes: []string{"PL-"}},
}

// Countries lists the countries with a parser, sorted.
func Countries() []string {
	return []string{"AT", "BE", "BR", "CA", "CH", "DE", "ES", "FR", "GB", "IE", "IT", "NL", "PL", "PT", "US"}
}

// ParserFor returns the parser of a country (ISO 3166-1 alpha-2, any case), or nil.
func ParserFor(country string) Parser {
	r := rules[strings.ToUpper(country)]
	if r == nil {
		return nil
	}
	return r
}

func (r *rule) Country() string { return r.code }

func (r *rule) Postcode(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	for _, p := range r.prefixes {
		s = strings.TrimPrefix(s, p)
	}
	loc := r.postcode.FindStringIndex(s)
	if loc == nil || loc[0] != 0 || loc[1] != len(s) {
		return "", false
	}
	c := r.canon(s)
	return c, c != ""
}

// findPostcode returns the canonical postcode in a line and the line without it, or ok false.
// The last valid match wins: "Flat 12, 34 Road" has no postcode, and in "12345 Town" the
// number is one; a house number earlier in the line is not.
func (r *rule) findPostcode(line string) (pc, rest string, ok bool) {
	up := strings.ToUpper(line)
	ms := r.postcode.FindAllStringIndex(up, -1)
	for i := len(ms) - 1; i >= 0; i-- {
		m := ms[i]
		c := r.canon(up[m[0]:m[1]])
		if c == "" {
			continue
		}
		start := m[0]
		for _, p := range r.prefixes {
			if start >= len(p) && up[start-len(p):start] == p {
				start -= len(p)
				break
			}
		}
		rest = strings.TrimSpace(line[:start] + " " + line[m[1]:])
		return c, strings.Trim(rest, " ,;"), true
	}
	return "", "", false
}

// numberRe matches a house number: digits with an optional letter or suffix, a range or a
// flat after a slash ("12", "12a", "12-14", "10/5", "7 bis").
const numberPat = `[0-9]{1,5}(?:\s?[A-Za-z](?:\b|$))?(?:\s?(?:bis|ter|quater)\b)?(?:\s?[-/]\s?[0-9]{1,5}[A-Za-z]?){0,2}(?:-(?:I{1,3}|IV|hs|huis|[A-Za-z]))?`

var (
	numberFirstRe = regexp.MustCompile(`^(?:(.*?),\s*)?(` + numberPat + `)\s*,?\s+([^0-9].*)$`)
	numberLastRe  = regexp.MustCompile(`^(.*?[^\s,])\s*,?\s+(?:(?i:n[º°o.]|nr\.?|no\.?|num\.?|s/n)\s*)?(` + numberPat + `)(?:\s*,\s*(.*)|\s+((?:[0-9]+\s*[º°ªo]|piso|pta|esc|int|scala|app|apt|lok|m\.|/|bus|bte|boite|boîte|top|stiege|whg|etage|et\.).*)|\s*[-–—]\s*((?i:apto|apt|ap|sala|casa|bloco|bl|loja|conj|cj|andar|fundos)\.?\s.*))?$`)
)

// splitStreet separates the house number from the street in one line, by the country's order.
// The part before the number in "Flat 3, 12 High Street" and after it in "Calle Mayor, 5, 3º B"
// is returned as extra.
func (r *rule) splitStreet(line string) (number, street, extra string) {
	line = strings.TrimSpace(line)
	try := func(first bool) bool {
		if first {
			if m := numberFirstRe.FindStringSubmatch(line); m != nil {
				number, street, extra = m[2], strings.Trim(m[3], " ,"), strings.TrimSpace(m[1])
				return true
			}
			return false
		}
		if m := numberLastRe.FindStringSubmatch(line); m != nil {
			number, street, extra = m[2], strings.Trim(m[1], " ,"), strings.TrimSpace(m[3]+m[4]+m[5])
			return true
		}
		return false
	}
	// The country's order first; the other as a fallback (a French-speaking Swiss "12 rue …"
	// is rare, a Belgian "Rue de la Loi 16" common, so BE and CH read both).
	if !try(r.numberFirst) && !try(!r.numberFirst) {
		return "", line, ""
	}
	number = normalizeNumber(number)
	return number, street, extra
}

func normalizeNumber(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), ""))
	return s
}

// buildingNumber is the part of a house number that names the building: "45/3/12" (stair 3,
// door 12 in Vienna) → "45", "10/5" (flat 5 in Warsaw) → "10", "1-iii" (third floor in
// Amsterdam) → "1", "12a" → "12a".
func buildingNumber(s string) string {
	s = normalizeNumber(s)
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i < len(s) && s[i] >= 'a' && s[i] <= 'z' && (i+1 == len(s) || s[i+1] == '/' || s[i+1] == '-') {
		i++
	}
	if strings.HasPrefix(s[i:], "bis") || strings.HasPrefix(s[i:], "ter") {
		i += 3
	}
	return s[:i]
}

// Parse implements Parser.
func (r *rule) Parse(lines []string) (Address, bool) {
	var ls []string
	for _, l := range lines {
		if l = strings.Trim(strings.Join(strings.Fields(l), " "), " ,;"); l != "" {
			ls = append(ls, l)
		}
	}
	a := Address{Country: r.code, Lines: ls}
	// A last line naming a country is the country.
	if n := len(ls); n > 1 {
		if c := CountryFromName(ls[n-1]); c != "" {
			a.Country = c
			ls = ls[:n-1]
		}
	}
	if len(ls) == 0 {
		return a, false
	}
	// The postcode line: the last line with a valid postcode.
	pcLine := -1
	rest := ""
	for i := len(ls) - 1; i >= 0; i-- {
		if pc, rs, ok := r.findPostcode(ls[i]); ok && (i > 0 || len(ls) == 1) {
			a.PostalCode, rest, pcLine = pc, rs, i
			break
		}
	}
	if pcLine < 0 {
		if !r.optionalPostcode || len(ls) < 2 {
			return a, false
		}
		pcLine, rest = len(ls)-1, ls[len(ls)-1]
	}
	// City (and region) on the postcode line, or on the line before when the postcode stands alone.
	rest = strings.Trim(rest, " ,")
	if r.regions != nil {
		f := strings.Fields(strings.ReplaceAll(rest, ",", " , "))
		for i := len(f) - 1; i >= 0; i-- {
			if r.regions[strings.ToUpper(strings.Trim(f[i], "."))] {
				a.Region = strings.ToUpper(f[i])
				rest = strings.Trim(strings.Join(append(append([]string{}, f[:i]...), f[i+1:]...), " "), " ,")
				rest = strings.ReplaceAll(rest, " ,", ",")
				break
			}
		}
	}
	streetEnd := pcLine
	if rest == "" && pcLine > 0 {
		rest = ls[pcLine-1]
		streetEnd = pcLine - 1
	}
	// Irish "Dublin 4", a CEDEX: keep as the city.
	a.City = cleanCity(rest)
	if r.optionalPostcode && a.PostalCode == "" && len(ls) >= 2 {
		streetEnd = pcLine
	}
	// The street line: the last line above the city with a house number, else the first.
	body := ls[:streetEnd]
	if len(body) == 0 {
		return a, a.City != "" && a.PostalCode != ""
	}
	si := -1
	for i := len(body) - 1; i >= 0; i-- {
		if n, _, _ := r.splitStreet(body[i]); n != "" {
			si = i
			break
		}
	}
	if si < 0 {
		si = 0
	}
	a.Line1 = body[si]
	a.HouseNumber, a.Street, _ = r.splitStreet(body[si])
	var other []string
	for i, l := range body {
		if i != si {
			other = append(other, l)
		}
	}
	a.Line2 = strings.Join(other, ", ")
	return a, true
}

func cleanCity(s string) string {
	s = strings.Trim(s, " ,.-")
	// "Paris Cedex 08" and "Dublin 4" are kept whole; a trailing comma-separated region is not.
	return s
}
