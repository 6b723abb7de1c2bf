package lists

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
)

// Senzing generic entity JSON (one record per line, or one JSON array). Senzing allows features
// at the top level or inside any list ("NAMES": [{…}], "IDENTIFIERS": [{…}]), so every object
// in the record is read for the attribute names we know.
func parseSenzing(source, file, data string) ([]Entity, error) {
	var records []map[string]any
	trimmed := strings.TrimSpace(data)
	lines := []int{}
	if strings.HasPrefix(trimmed, "[") {
		if err := json.Unmarshal([]byte(trimmed), &records); err != nil {
			return nil, &ParseError{File: file, Msg: "not a JSON array of records", Err: err}
		}
		for i := range records {
			lines = append(lines, i+1)
		}
	} else {
		sc := bufio.NewScanner(strings.NewReader(data))
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		n := 0
		for sc.Scan() {
			n++
			raw := strings.TrimSpace(sc.Text())
			if raw == "" {
				continue
			}
			var r map[string]any
			if err := json.Unmarshal([]byte(raw), &r); err != nil {
				return nil, &ParseError{File: file, Line: n, Msg: "not a JSON object", Err: err}
			}
			records = append(records, r)
			lines = append(lines, n)
		}
		if err := sc.Err(); err != nil {
			return nil, &ParseError{File: file, Line: n + 1, Msg: "read", Err: err}
		}
	}
	ents := make([]Entity, 0, len(records))
	for i, r := range records {
		e, err := senzingEntity(r)
		if err != nil {
			return nil, &ParseError{File: file, Line: lines[i], Field: err.field, Msg: err.msg}
		}
		ents = append(ents, e)
	}
	return ents, nil
}

type fieldErr struct{ field, msg string }

// senzingFeatures flattens a record into its feature objects.
func senzingFeatures(r map[string]any) []map[string]any {
	out := []map[string]any{r}
	for _, v := range r {
		if list, ok := v.([]any); ok {
			for _, x := range list {
				if m, ok := x.(map[string]any); ok {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func sget(m map[string]any, k string) string {
	if v, ok := m[k]; ok {
		switch x := v.(type) {
		case string:
			return strings.TrimSpace(x)
		case float64:
			return strings.TrimSuffix(fmt.Sprintf("%f", x), ".000000")
		}
	}
	return ""
}

func senzingEntity(r map[string]any) (Entity, *fieldErr) {
	id := sget(r, "RECORD_ID")
	if id == "" {
		return Entity{}, &fieldErr{"RECORD_ID", "missing"}
	}
	e := Entity{SourceID: id, Type: normalizeType(sget(r, "RECORD_TYPE")), URL: sget(r, "URL")}
	if ds := sget(r, "DATA_SOURCE"); ds != "" {
		e.Programs = []string{ds}
	}
	for _, f := range senzingFeatures(r) {
		nameType := strings.ToUpper(sget(f, "NAME_TYPE"))
		kind := KindAKA
		if nameType == "" || nameType == "PRIMARY" {
			kind = KindPrimary
		}
		for _, k := range []string{"NAME_FULL", "NAME_ORG", "PRIMARY_NAME_FULL", "PRIMARY_NAME_ORG"} {
			if v := sget(f, k); v != "" {
				e.addName(v, kind, QualityStrong)
				if k == "NAME_ORG" || k == "PRIMARY_NAME_ORG" {
					if e.Type == TypeUnknown {
						e.Type = TypeOrganization
					}
				}
			}
		}
		if first, last := sget(f, "NAME_FIRST"), sget(f, "NAME_LAST"); first != "" || last != "" {
			e.addName(strings.Join(strings.Fields(first+" "+sget(f, "NAME_MIDDLE")+" "+last), " "), kind, QualityStrong)
			if e.Type == TypeUnknown {
				e.Type = TypePerson
			}
		}
		if v := sget(f, "DATE_OF_BIRTH"); v != "" {
			e.addDOB(v)
		}
		if v := sget(f, "PLACE_OF_BIRTH"); v != "" {
			e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, v)
		}
		for _, k := range []string{"NATIONALITY", "CITIZENSHIP"} {
			if v := sget(f, k); v != "" {
				e.addNationality(v)
			}
		}
		for _, k := range []string{"COUNTRY_OF_ASSOCIATION", "REGISTRATION_COUNTRY", "ADDR_COUNTRY"} {
			if v := sget(f, k); v != "" {
				e.addCountry(v)
			}
		}
		if v := sget(f, "ADDR_FULL"); v != "" {
			e.Addresses = appendUnique(e.Addresses, v)
		}
		if v := sget(f, "GENDER"); v != "" {
			e.Gender = strings.ToLower(v)
		}
		for _, p := range []struct{ num, country, typ string }{
			{"PASSPORT_NUMBER", "PASSPORT_COUNTRY", IDPassport},
			{"NATIONAL_ID_NUMBER", "NATIONAL_ID_COUNTRY", IDNationalID},
			{"TAX_ID_NUMBER", "TAX_ID_COUNTRY", IDTaxID},
			{"SSN_NUMBER", "", IDNationalID},
			{"LEI_NUMBER", "", IDLEI},
			{"DUNS_NUMBER", "", IDRegistration},
			{"OTHER_ID_NUMBER", "OTHER_ID_COUNTRY", IDOther},
		} {
			if v := sget(f, p.num); v != "" {
				country := ""
				if p.country != "" {
					country = countryOrText(sget(f, p.country))
				}
				e.addID(Identifier{Type: p.typ, Value: v, Country: country, Label: p.num})
			}
		}
		if v := sget(f, "TOPIC"); v != "" {
			e.Topics = appendUnique(e.Topics, v)
		}
	}
	if len(e.Names) == 0 {
		return Entity{}, &fieldErr{"NAMES", fmt.Sprintf("record %s has no NAME_FULL, NAME_ORG or NAME_FIRST/NAME_LAST", id)}
	}
	return e, nil
}
