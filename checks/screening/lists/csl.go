package lists

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// US Consolidated Screening List CSV (https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv).
// Columns are read by header; the newer file adds an "_id" column. Multi-values are "; "-separated,
// ids are "COUNTRY, NUMBER, TYPE" or "NUMBER, TYPE".
func parseCSL(source, file, data string) ([]Entity, error) {
	cr := newCSV(strings.NewReader(data), ',')
	header, err := cr.Read()
	if err != nil {
		return nil, csvError(file, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.ToLower(h))] = i
	}
	for _, need := range []string{"source", "name"} {
		if _, ok := col[need]; !ok {
			return nil, &ParseError{File: file, Line: 1, Field: need, Msg: "missing column in header"}
		}
	}
	get := func(rec []string, k string) string {
		if i, ok := col[k]; ok && i < len(rec) {
			return clean(rec[i])
		}
		return ""
	}
	var ents []Entity
	seen := map[string]int{}
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
		name := get(rec, "name")
		if name == "" {
			return nil, &ParseError{File: file, Line: line, Field: "name", Msg: "empty name"}
		}
		list := get(rec, "source")
		e := Entity{Type: normalizeType(get(rec, "type")), Remarks: get(rec, "remarks"), URL: get(rec, "source_information_url")}
		if e.URL == "" {
			e.URL = get(rec, "source_list_url")
		}
		// The trade.gov _id is stable; older files have none, so derive one from content.
		id := get(rec, "_id")
		if id == "" {
			if n := get(rec, "entity_number"); n != "" {
				id = cslListCode(list) + "-" + n
			} else {
				sum := sha256.Sum256([]byte(list + "\x00" + name + "\x00" + get(rec, "addresses") + "\x00" + get(rec, "start_date")))
				id = cslListCode(list) + "-" + hex.EncodeToString(sum[:6])
			}
		}
		if k := seen[id]; k > 0 {
			seen[id] = k + 1
			id = fmt.Sprintf("%s#%d", id, k+1)
		} else {
			seen[id] = 1
		}
		e.SourceID = id
		e.addName(name, KindPrimary, QualityStrong)
		for _, a := range splitList(get(rec, "alt_names"), ";") {
			e.addName(a, KindAKA, QualityStrong)
		}
		e.Programs = appendUnique(e.Programs, list)
		for _, p := range splitList(get(rec, "programs"), ";") {
			e.Programs = appendUnique(e.Programs, p)
		}
		for _, d := range splitList(get(rec, "dates_of_birth"), ";") {
			e.addDOB(d)
		}
		for _, n := range splitList(get(rec, "nationalities"), ";") {
			e.addNationality(n)
		}
		for _, n := range splitList(get(rec, "citizenships"), ";") {
			e.addNationality(n)
		}
		e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, splitList(get(rec, "places_of_birth"), ";")...)
		for _, a := range splitList(get(rec, "addresses"), ";") {
			e.Addresses = appendUnique(e.Addresses, a)
			if i := strings.LastIndex(a, ","); i >= 0 {
				e.addCountry(a[i+1:])
			} else if len(a) == 2 {
				e.addCountry(a)
			}
		}
		if f := get(rec, "vessel_flag"); f != "" {
			e.addCountry(f)
		}
		for _, raw := range splitList(get(rec, "ids"), ";") {
			if id, ok := cslID(raw); ok {
				e.addID(id)
			}
		}
		if d := ParseDates(get(rec, "start_date")); len(d) > 0 {
			e.ListedOn = d[0]
		}
		ents = append(ents, e)
	}
	return ents, nil
}

// cslListCode abbreviates "Entity List (EL) - Bureau of Industry and Security" to "EL".
func cslListCode(list string) string {
	if i := strings.Index(list, "("); i >= 0 {
		if j := strings.Index(list[i:], ")"); j > 0 {
			return list[i+1 : i+j]
		}
	}
	return strings.ToUpper(strings.ReplaceAll(list, " ", "_"))
}

// cslID reads "US, 80-0890696, Tax ID No." / "IMO 8898831, Vessel Registration Identification".
func cslID(raw string) (Identifier, bool) {
	parts := strings.Split(raw, ", ")
	var country, value, label string
	switch {
	case len(parts) >= 3 && len(strings.TrimSpace(parts[0])) == 2:
		country, value, label = parts[0], parts[1], strings.Join(parts[2:], ", ")
	case len(parts) >= 2:
		value, label = parts[0], strings.Join(parts[1:], ", ")
	default:
		return Identifier{}, false
	}
	value, label = clean(value), clean(label)
	low := strings.ToLower(label)
	if value == "" || strings.HasSuffix(low, "-") || strings.HasPrefix(value, "http") || strings.Contains(low, "sanctions information") {
		return Identifier{}, false
	}
	id := Identifier{Type: IDOther, Value: value, Label: label, Country: countryOrText(country)}
	if strings.HasPrefix(label, "Digital Currency Address - ") {
		id.Type, id.Currency = IDCrypto, strings.TrimPrefix(label, "Digital Currency Address - ")
		return id, true
	}
	e := Entity{}
	applyOFACIdentifier(&e, label+" "+value, strings.ToLower(label+" "+value))
	if len(e.Identifiers) == 1 {
		id.Type = e.Identifiers[0].Type
		if id.Type == IDIMO {
			id.Value = e.Identifiers[0].Value
		}
	}
	if m := reIMO.FindStringSubmatch(value); m != nil && strings.HasPrefix(strings.ToUpper(value), "IMO") {
		id.Type, id.Value = IDIMO, m[1]
	}
	return id, true
}
