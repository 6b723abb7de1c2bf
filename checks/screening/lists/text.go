package lists

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// ParseError names the file, line and field of malformed input, so an operator can find it.
type ParseError struct {
	File  string
	Line  int // 1-based; 0 when unknown
	Field string
	Msg   string
	Err   error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrEmpty is wrapped when a non-empty file yields no entities: a format change must fail
// loudly instead of silently replacing a list with nothing.
var ErrEmpty = errors.New("no entities parsed from a non-empty file")

// decodeText returns b as UTF-8. Official CSVs are UTF-8 today, but older OFSI/OFAC files are
// Windows-1252; decoding them as such keeps "É" from turning into U+FFFD.
func decodeText(b []byte) string {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if utf8.Valid(b) {
		return string(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// clean trims a field and maps OFAC's "-0-" null marker to "".
func clean(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	return strings.Join(strings.Fields(s), " ")
}

// newCSV returns a lenient CSV reader: lists have ragged rows and stray quotes.
func newCSV(r io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	return cr
}

// csvError turns a csv.ParseError into our ParseError.
func csvError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: file, Line: pe.Line, Msg: "malformed CSV", Err: pe.Err}
	}
	return &ParseError{File: file, Msg: "read CSV", Err: err}
}

// appendUnique appends the non-empty values of vs that are not yet in list.
func appendUnique(list []string, vs ...string) []string {
outer:
	for _, v := range vs {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		for _, x := range list {
			if strings.EqualFold(x, v) {
				continue outer
			}
		}
		list = append(list, v)
	}
	return list
}

// addName appends a name unless the entity already has it (case-insensitively); a strong
// duplicate upgrades a weak one.
func (e *Entity) addName(full, kind, quality string) {
	full = strings.Join(strings.Fields(full), " ")
	if full == "" {
		return
	}
	for i := range e.Names {
		if strings.EqualFold(e.Names[i].Full, full) {
			if quality == QualityStrong {
				e.Names[i].Quality = QualityStrong
			}
			return
		}
	}
	e.Names = append(e.Names, Name{Full: full, Kind: kind, Quality: quality})
}

// addID appends an identifier unless an equal one is there.
func (e *Entity) addID(id Identifier) {
	id.Value = strings.TrimSpace(id.Value)
	if id.Value == "" {
		return
	}
	for _, x := range e.Identifiers {
		// One address listed on several chains (OFAC names ETH, ARB, BSC and ETC for one
		// 0x… key) is several listings: each chain must find it as its own.
		if x.Type == id.Type && x.Value == id.Value && (id.Type != IDCrypto || strings.EqualFold(x.Currency, id.Currency)) {
			return
		}
	}
	e.Identifiers = append(e.Identifiers, id)
}

// addNationality and addCountry store ISO codes where the text is a recognisable country.
func (e *Entity) addNationality(s string) {
	if c := countryOrText(s); c != "" {
		e.Nationalities = appendUnique(e.Nationalities, c)
	}
}

func (e *Entity) addCountry(s string) {
	if c := countryOrText(s); c != "" {
		e.Countries = appendUnique(e.Countries, c)
	}
}

func (e *Entity) addDOB(s string) {
	e.DatesOfBirth = appendUnique(e.DatesOfBirth, ParseDates(s)...)
}

// splitList splits "a; b; c" style multi-values.
func splitList(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = clean(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// normalizeType maps the many list spellings of an entity type onto ours.
func normalizeType(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "individual", "person", "p", "individuals", "natural person":
		return TypePerson
	case "entity", "organization", "organisation", "company", "legalentity", "legal entity", "e",
		"enterprise", "entities", "group":
		return TypeOrganization
	case "vessel", "ship", "vessels":
		return TypeVessel
	case "aircraft", "airplane":
		return TypeAircraft
	}
	return TypeUnknown
}
