package lists

import (
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// UK lists, both CSV and both read by header name (one row per name or address variant):
//   - the UK Sanctions List (FCDO, current): a "Report Date: …" line, then a header with
//     "Unique ID", "Name 1".."Name 6", "Name type", "Alias strength", "Name non-latin script",
//     "Designation Type", "D.O.B", "Nationality(/ies)", "Passport number", "IMO number", …;
//   - the OFSI Consolidated List "ConList" (legacy, closed in 2026): a "Last Updated,…" line,
//     then "Name 6, Name 1..5, …, Group Type, Alias Type, Regime, Listed On, Last Updated, Group ID".
func parseUK(source, file, data string) ([]Entity, error) {
	cr := newCSV(strings.NewReader(data), ',')
	var header []string
	headerLine := 0
	for header == nil {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil, &ParseError{File: file, Msg: "no header row with a \"Unique ID\" or \"Group ID\" column"}
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		line, _ := cr.FieldPos(0)
		for _, h := range rec {
			k := headerKey(h)
			if k == "uniqueid" || k == "groupid" {
				header, headerLine = rec, line
				break
			}
		}
		if line > 5 && header == nil {
			return nil, &ParseError{File: file, Line: line, Msg: "no header row with a \"Unique ID\" or \"Group ID\" column in the first 5 lines"}
		}
	}
	col := map[string]int{}
	for i, h := range header {
		if _, dup := col[headerKey(h)]; !dup {
			col[headerKey(h)] = i
		}
	}
	get := func(rec []string, keys ...string) string {
		for _, k := range keys {
			if i, ok := col[k]; ok && i < len(rec) {
				if v := clean(rec[i]); v != "" {
					return v
				}
			}
		}
		return ""
	}
	idKey := "uniqueid"
	if _, ok := col[idKey]; !ok {
		idKey = "groupid"
	}
	byID := map[string]*Entity{}
	var order []string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(file, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && clean(rec[0]) == "" {
			continue
		}
		if len(rec) < len(header)/2 {
			return nil, &ParseError{File: file, Line: line, Msg: fmt.Sprintf("%d fields, header (line %d) has %d", len(rec), headerLine, len(header))}
		}
		id := get(rec, idKey)
		if id == "" {
			return nil, &ParseError{File: file, Line: line, Field: header[col[idKey]], Msg: "empty id"}
		}
		e := byID[id]
		if e == nil {
			e = &Entity{SourceID: id, Type: normalizeType(get(rec, "designationtype", "individualentityship", "grouptype"))}
			byID[id] = e
			order = append(order, id)
		}
		var parts []string
		for _, k := range []string{"name1", "name2", "name3", "name4", "name5", "name6"} {
			if v := get(rec, k); v != "" {
				parts = append(parts, v)
			}
		}
		nameType := strings.ToLower(get(rec, "nametype", "aliastype"))
		kind := KindAKA
		if strings.HasPrefix(nameType, "prim") {
			kind = KindPrimary
		}
		q := QualityStrong
		if strings.Contains(strings.ToLower(get(rec, "aliasstrength", "aliasquality")), "low") {
			q = QualityWeak
		}
		if len(parts) > 0 {
			e.addName(strings.Join(parts, " "), kind, q)
		}
		if nl := get(rec, "namenonlatinscript"); nl != "" {
			e.addName(nl, KindOriginalScript, QualityStrong)
		}
		e.Programs = appendUnique(e.Programs, get(rec, "regimename", "regime"))
		for _, d := range splitUKMulti(get(rec, "dob", "dateofbirth")) {
			e.addDOB(d)
		}
		for _, n := range splitUKMulti(get(rec, "nationalityies", "nationality", "nationalities")) {
			e.addNationality(n)
		}
		town, country := get(rec, "townofbirth"), get(rec, "countryofbirth")
		if pob := strings.Trim(strings.Join([]string{town, country}, ", "), ", "); pob != "" {
			e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, pob)
		}
		for _, p := range ukIDs(get(rec, "passportnumber", "passportdetails")) {
			e.addID(Identifier{Type: IDPassport, Value: p, Label: "Passport"})
		}
		for _, p := range ukIDs(get(rec, "nationalidentifiernumber", "ninumber")) {
			e.addID(Identifier{Type: IDNationalID, Value: p, Label: "National identifier"})
		}
		for _, p := range reIMO.FindAllStringSubmatch(get(rec, "imonumber"), -1) {
			e.addID(Identifier{Type: IDIMO, Value: p[1], Label: "IMO number"})
		}
		for _, p := range ukIDs(get(rec, "businessregistrationnumbers", "businessregistrationnumber")) {
			e.addID(Identifier{Type: IDRegistration, Value: p, Label: "Business registration number"})
		}
		var addr []string
		for _, k := range []string{"addressline1", "addressline2", "addressline3", "addressline4", "addressline5",
			"addressline6", "address1", "address2", "address3", "address4", "address5", "address6",
			"addresspostalcode", "postzipcode", "addresscountry", "country"} {
			if v := get(rec, k); v != "" {
				addr = append(addr, v)
			}
		}
		if len(addr) > 0 {
			e.Addresses = appendUnique(e.Addresses, strings.Join(addr, ", "))
		}
		e.addCountry(get(rec, "addresscountry", "country"))
		if g := strings.ToLower(get(rec, "gender")); g != "" {
			e.Gender = g
		}
		if e.ListedOn == "" {
			if d := ParseDates(get(rec, "datedesignated", "listedon")); len(d) > 0 {
				e.ListedOn = d[0]
			}
		}
		if e.Remarks == "" {
			e.Remarks = get(rec, "otherinformation")
		}
		if un := get(rec, "unreferencenumber"); un != "" {
			e.addID(Identifier{Type: IDOther, Value: un, Label: "UN reference number"})
		}
	}
	ents := make([]Entity, 0, len(order))
	for _, id := range order {
		e := byID[id]
		if len(e.Names) == 0 {
			return nil, &ParseError{File: file, Field: "Name 1..Name 6", Msg: fmt.Sprintf("entity %s has no name", id)}
		}
		if !hasPrimary(e) {
			e.Names[0].Kind = KindPrimary
		}
		e.URL = "https://www.gov.uk/government/publications/the-uk-sanctions-list"
		ents = append(ents, *e)
	}
	return ents, nil
}

func hasPrimary(e *Entity) bool {
	for _, n := range e.Names {
		if n.Kind == KindPrimary {
			return true
		}
	}
	return false
}

func headerKey(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var reUKEnum = regexp.MustCompile(`\(\d+\)\s*`)

// splitUKMulti splits "(1) Tripoli (2) Tunis" and "a | b" style multi-values.
func splitUKMulti(s string) []string {
	var out []string
	for _, p := range reUKEnum.Split(s, -1) {
		for _, q := range strings.Split(p, "|") {
			if q = clean(strings.Trim(q, " ,;")); q != "" && q != "-" {
				out = append(out, q)
			}
		}
	}
	return out
}

var reDocNumber = regexp.MustCompile(`\b[A-Z]{0,3}\d[0-9A-Z/-]{3,}\b`)

// ukIDs pulls document numbers out of the free-text passport and ID columns.
func ukIDs(s string) []string {
	var out []string
	for _, m := range reDocNumber.FindAllString(strings.ToUpper(s), -1) {
		if len(m) >= 5 && !reYearOnly.MatchString(m) && !reDateLike.MatchString(m) {
			out = appendUnique(out, m)
		}
	}
	return out
}

var (
	reYearOnly = regexp.MustCompile(`^(19|20)\d\d$`)
	reDateLike = regexp.MustCompile(`^\d{1,2}[/-]\d{1,2}[/-]\d{2,4}$`)
)
