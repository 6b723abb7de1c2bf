package lists

import (
	"regexp"
	"strings"
)

// idLabels maps (lower-cased) OFAC identifier labels onto identifier types. Longest match wins,
// so "Vessel Registration Identification" is tried before "Identification Number".
var idLabels = []struct {
	label, typ string
}{
	{"vessel registration identification", IDIMO},
	{"identification number imo", IDIMO},
	{"company number imo", IDIMO},
	{"legal entity number", IDLEI},
	{"diplomatic passport", IDPassport},
	{"stateless person passport", IDPassport},
	{"passport", IDPassport},
	{"national id no.", IDNationalID},
	{"national id", IDNationalID},
	{"personal id card", IDNationalID},
	{"identification number", IDNationalID},
	{"citizen's card number", IDNationalID},
	{"cedula no.", IDNationalID},
	{"c.u.r.p.", IDNationalID},
	{"d.n.i.", IDNationalID},
	{"ssn", IDNationalID},
	{"birth certificate number", IDOther},
	{"driver's license no.", IDOther},
	{"tax id no.", IDTaxID},
	{"r.f.c.", IDTaxID},
	{"v.a.t. number", IDTaxID},
	{"nit #", IDTaxID},
	{"ruc #", IDTaxID},
	{"us fein", IDTaxID},
	{"unified social credit code", IDRegistration},
	{"business registration number", IDRegistration},
	{"business registration document #", IDRegistration},
	{"commercial registry number", IDRegistration},
	{"registration number", IDRegistration},
	{"registration id", IDRegistration},
	{"company number", IDRegistration},
	{"folio mercantil no.", IDRegistration},
	{"matricula mercantil no", IDRegistration},
	{"economic register number", IDRegistration},
	{"government gazette number", IDRegistration},
	{"trade license no.", IDRegistration},
	{"chamber of commerce number", IDRegistration},
	{"chamber of comm. no.", IDRegistration},
	{"chamber of commerce membership no.", IDRegistration},
	{"c.r. no.", IDRegistration},
	{"c.r.", IDRegistration},
	{"rif #", IDTaxID},
	{"public registration number", IDRegistration},
	{"central registration system number", IDRegistration},
	{"certificate of incorporation number", IDRegistration},
	{"enterprise number", IDRegistration},
	{"business number", IDRegistration},
	{"branch unit number", IDRegistration},
	{"registered charity no.", IDRegistration},
	{"d-u-n-s number", IDRegistration},
	{"le number", IDRegistration},
	{"organization code", IDRegistration},
	{"united social credit code certificate", IDRegistration},
	{"license", IDRegistration},
	{"permit number", IDRegistration},
	{"c.i.f.", IDTaxID},
	{"c.u.i.t.", IDTaxID},
	{"c.u.i.", IDNationalID},
	{"rfc", IDTaxID},
	{"rtn", IDTaxID},
	{"italian fiscal code", IDTaxID},
	{"fiscal code", IDTaxID},
	{"numero unico de identificacao tributaria", IDTaxID},
	{"electoral registry no.", IDNationalID},
	{"credencial electoral", IDNationalID},
	{"i.f.e.", IDNationalID},
	{"national foreign id number", IDNationalID},
	{"turkish identification number", IDNationalID},
	{"turkish identificiation number", IDNationalID},
	{"kenyan id no.", IDNationalID},
	{"personal id no.", IDNationalID},
	{"tazkira national id card", IDNationalID},
	{"refugee id card", IDNationalID},
	{"residency number", IDNationalID},
	{"numero de identidad", IDNationalID},
	{"uae identification", IDNationalID},
	{"travel document number", IDPassport},
	{"passport booklet", IDPassport},
	{"bik (ru)", IDSwiftBIC},
	{"isin", IDOther},
	{"swift/bic", IDSwiftBIC},
	{"mmsi", IDOther},
	{"aircraft manufacturer's serial number", IDOther},
	{"aircraft tail number", IDOther},
	{"email address", IDEmail},
}

var (
	reWeakAKA   = regexp.MustCompile(`^([afn])\.k\.a\.,?\s*['‘’"](.+?)['‘’"]\.?$`)
	reCrypto    = regexp.MustCompile(`^Digital Currency Address - ([A-Za-z0-9]+)\s+(\S+)`)
	reIDCountry = regexp.MustCompile(`^(.*?)\s*\(([^()]+)\)\s*(?:(?:issued|expires|Issue Date|Expiration Date)\b.*)?$`)
	reIMO       = regexp.MustCompile(`\b(?:IMO\s*)?(\d{7})\b`)
)

// splitRemarks splits an OFAC remarks field on ';' outside quotes.
func splitRemarks(s string) []string {
	var out []string
	inQuote := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			// An apostrophe inside a word ("O'Brien") is not a quote.
			prevLetter := i > 0 && isLetter(s[i-1])
			nextLetter := i+1 < len(s) && isLetter(s[i+1])
			if !(prevLetter && nextLetter) {
				inQuote = !inQuote
			}
		case ';':
			if !inQuote {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	out = append(out, strings.TrimSpace(s[start:]))
	return out
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// applyOFACRemarks reads the structured parts of an OFAC remarks field (DOB, POB, nationality,
// documents, digital currency addresses, gender, weak aliases) into e.
func applyOFACRemarks(e *Entity, remarks string) {
	for _, item := range splitRemarks(remarks) {
		item = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(item), "."))
		if item == "" {
			continue
		}
		if m := reWeakAKA.FindStringSubmatch(item); m != nil {
			kind := map[string]string{"a": KindAKA, "f": KindFKA, "n": KindNKA}[m[1]]
			e.addName(m[2], kind, QualityWeak)
			continue
		}
		item = strings.TrimPrefix(item, "alt. ")
		low := strings.ToLower(item)
		switch {
		case strings.HasPrefix(low, "dob "):
			e.addDOB(item[4:])
		case strings.HasPrefix(low, "pob "):
			e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, item[4:])
		case strings.HasPrefix(low, "nationality "):
			e.addNationality(item[len("nationality "):])
		case strings.HasPrefix(low, "citizen "):
			e.addNationality(item[len("citizen "):])
		case strings.HasPrefix(low, "gender "):
			e.Gender = strings.ToLower(strings.TrimSpace(item[len("gender "):]))
		case strings.HasPrefix(item, "Digital Currency Address - "):
			if m := reCrypto.FindStringSubmatch(item); m != nil {
				e.addID(Identifier{Type: IDCrypto, Value: m[2], Currency: strings.ToUpper(m[1]), Label: "Digital Currency Address"})
			}
		default:
			applyOFACIdentifier(e, item, low)
		}
	}
}

// applyOFACIdentifier reads one remarks item that is not a date, place, nationality, alias or
// address as an identifier, by the grammar OFAC writes them in:
//
//	[qualifier words] LABEL [CODE] VALUE [more value] [(place)]… [, more] [issued …] [expires …]
//
// "UK Company Number 01126618 (United Kingdom)", "C.R. No. CH-217.0.135.719-4 (Switzerland)",
// "Folio Mercantil No. 293481 Distrito Federal", "Registration Number HRA 738077 (Stuttgart)
// (Germany)". The value starts at the first word holding a digit (with any short upper-case code
// before it, "HRB", "RL"), and runs while words hold digits; a place name, a parenthesis, a comma
// or a qualifier ends it. The label is what comes before; its type is the longest known label it
// contains (idLabels), else a keyword (labelKind).
func applyOFACIdentifier(e *Entity, item, _ string) {
	if id, ok := parseIDItem(item); ok {
		e.addID(id)
	}
}

func parseIDItem(item string) (Identifier, bool) {
	low := strings.ToLower(item)
	if strings.HasPrefix(low, "linked to") {
		return Identifier{}, false // a related entity's name, which may hold digits
	}
	toks := strings.Fields(item)
	vs := -1
	for i, t := range toks {
		if hasDigit(t) {
			vs = i
			break
		}
	}
	if vs < 0 {
		return prefixID(item, low) // e-mail addresses and BICs may hold no digit
	}
	if vs == 0 {
		return Identifier{}, false
	}
	// The label is everything before the value, unless it ends in short codes that belong to
	// the value ("Registration Number HRB 26136"); a label that itself ends in a known label
	// keeps its last word ("Registration ID 0179427").
	ls := vs
	for ls > 1 && isCodePrefix(toks[ls-1]) {
		if _, ok := labelSuffix(strings.Join(toks[:ls], " ")); ok {
			break
		}
		ls--
	}
	label := strings.Join(toks[:ls], " ")
	typ, ok := labelType(label)
	if !ok && ls < vs {
		// The short code is the label itself ("SSN", "RTN").
		ls = vs
		label = strings.Join(toks[:ls], " ")
		typ, ok = labelType(label)
	}
	if !ok {
		return Identifier{}, false
	}
	end := vs + 1
	for end < len(toks) {
		prev, t := toks[end-1], toks[end]
		if strings.HasSuffix(prev, ",") || strings.HasPrefix(t, "(") {
			break
		}
		next := end+1 < len(toks) && hasDigit(toks[end+1]) && !strings.HasPrefix(toks[end+1], "(")
		if hasDigit(t) || (t == "-" || t == "/" || isCodePrefix(t)) && next {
			end++
			continue
		}
		break
	}
	value := strings.Join(toks[ls:end], " ")
	value = strings.TrimRight(value, ",;:")
	value = strings.TrimSuffix(value, ".")
	id := Identifier{Type: typ, Label: strings.TrimRight(label, ":"), Value: strings.TrimSpace(value)}
	// The country is the last parenthesised group after the value that names one.
	rest := strings.Join(toks[end:], " ")
	for _, m := range reParen.FindAllStringSubmatch(rest, -1) {
		if c, ok := CountryCode(m[1]); ok {
			id.Country = c
		} else if id.Country == "" && !strings.ContainsAny(m[1], "0123456789") {
			id.Country = countryOrText(m[1])
		}
	}
	if typ == IDIMO || strings.HasPrefix(strings.ToUpper(id.Value), "IMO ") {
		if m := reIMO.FindStringSubmatch(id.Value); m != nil {
			id.Type, id.Value = IDIMO, m[1]
		}
	}
	if id.Value == "" {
		return Identifier{}, false
	}
	return id, true
}

var reParen = regexp.MustCompile(`\(([^()]+)\)`)

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return true
		}
	}
	return false
}

// isCodePrefix: a short upper-case code written before a number and part of it ("HRB 26136",
// "RL 1794375", "BG 121024920").
func isCodePrefix(t string) bool {
	if len(t) < 1 || len(t) > 4 {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < 'A' || t[i] > 'Z' {
			return false
		}
	}
	return true
}

// labelType finds the identifier type of a label: the longest known label it contains as whole
// words ("UK Company Number" → company number, "Romanian C.R." → c.r.), else a keyword.
func labelType(label string) (string, bool) {
	low := strings.ToLower(strings.TrimRight(strings.TrimSpace(label), ":"))
	if low == "" || len(low) > 80 {
		return "", false
	}
	best, typ := 0, ""
	for _, l := range idLabels {
		if len(l.label) <= best {
			continue
		}
		if i := strings.Index(low, l.label); i >= 0 && wordEdge(low, i-1) && wordEdge(low, i+len(l.label)) {
			best, typ = len(l.label), l.typ
		}
	}
	if best > 0 {
		return typ, true
	}
	return labelKind(low)
}

// labelSuffix reports the type of the known label that label ends with, if any.
func labelSuffix(label string) (string, bool) {
	low := strings.ToLower(strings.TrimRight(strings.TrimSpace(label), ":"))
	for _, l := range idLabels {
		if strings.HasSuffix(low, l.label) && wordEdge(low, len(low)-len(l.label)-1) {
			return l.typ, true
		}
	}
	return "", false
}

// prefixID reads an item whose value holds no digit: a known label at its start, then the value
// up to a parenthesised country.
func prefixID(item, low string) (Identifier, bool) {
	for _, l := range idLabels {
		if !strings.HasPrefix(low, l.label+" ") {
			continue
		}
		rest := strings.TrimSpace(item[len(l.label):])
		id := Identifier{Type: l.typ, Label: item[:len(l.label)]}
		if m := reIDCountry.FindStringSubmatch(rest); m != nil {
			rest = m[1]
			id.Country = countryOrText(m[2])
		}
		id.Value = strings.TrimSpace(rest)
		if id.Value == "" || len(strings.Fields(id.Value)) > 2 {
			return Identifier{}, false
		}
		return id, true
	}
	return Identifier{}, false
}

func wordEdge(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	c := s[i]
	return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9')
}

// labelKind types a label no table entry names by its words. Labels that are sentences ("named
// in UNSCR", "President since") name nothing.
func labelKind(low string) (string, bool) {
	if len(strings.Fields(low)) > 6 {
		return "", false
	}
	switch {
	case strings.Contains(low, "passport"):
		return IDPassport, true
	case strings.Contains(low, "regist") || strings.Contains(low, "company") || strings.Contains(low, "commerc") ||
		strings.Contains(low, "incorporat") || strings.Contains(low, "licen"):
		return IDRegistration, true
	case strings.Contains(low, "tax") || strings.Contains(low, "fiscal") || strings.Contains(low, "v.a.t"):
		return IDTaxID, true
	case strings.Contains(low, "identi") || strings.HasSuffix(low, " id") || strings.Contains(low, " id ") || strings.Contains(low, "id no"):
		return IDNationalID, true
	}
	return "", false
}
