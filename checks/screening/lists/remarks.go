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

func applyOFACIdentifier(e *Entity, item, low string) {
	for _, l := range idLabels {
		if !strings.HasPrefix(low, l.label+" ") {
			continue
		}
		rest := strings.TrimSpace(item[len(l.label):])
		id := Identifier{Type: l.typ, Label: item[:len(l.label)]}
		if m := reIDCountry.FindStringSubmatch(rest); m != nil {
			rest = m[1]
			id.Country = countryOrText(m[2])
		} else if i := strings.Index(rest, " issued "); i > 0 {
			rest = rest[:i]
		} else if i := strings.Index(rest, " expires "); i > 0 {
			rest = rest[:i]
		}
		if l.typ == IDIMO || strings.HasPrefix(strings.ToUpper(rest), "IMO ") {
			if m := reIMO.FindStringSubmatch(rest); m != nil {
				id.Type = IDIMO
				rest = m[1]
			}
		}
		id.Value = strings.TrimSpace(rest)
		e.addID(id)
		return
	}
}
