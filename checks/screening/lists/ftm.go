package lists

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
)

// FollowTheMoney entities as JSON lines, the format OpenSanctions publishes
// ({"id":…, "schema":"Person", "properties":{"name":[…], …}}). Matchable schemas become entities;
// Identification/Passport and CryptoWallet records attach their numbers to their holder; other
// schemas (Sanction, Address, Occupancy, …) are skipped.
type ftmRecord struct {
	ID         string           `json:"id"`
	Schema     string           `json:"schema"`
	Caption    string           `json:"caption"`
	Properties map[string][]any `json:"properties"`
	Datasets   []string         `json:"datasets"`
}

var ftmTypes = map[string]string{
	"Person": TypePerson, "Organization": TypeOrganization, "Company": TypeOrganization,
	"LegalEntity": TypeUnknown, "PublicBody": TypeOrganization, "Vessel": TypeVessel,
	"Airplane": TypeAircraft,
}

func (r *ftmRecord) strs(prop string) []string {
	var out []string
	for _, v := range r.Properties[prop] {
		switch x := v.(type) {
		case string:
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		case map[string]any: // nested entity (OpenSanctions "nested" exports)
			if id, ok := x["id"].(string); ok {
				out = append(out, id)
			}
		}
	}
	return out
}

func parseFTM(source, file, data string) ([]Entity, error) {
	var ents []Entity
	byID := map[string]int{}
	var deferred []ftmRecord
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	line := 0
	for sc.Scan() {
		line++
		raw := strings.TrimSpace(sc.Text())
		if raw == "" {
			continue
		}
		var r ftmRecord
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return nil, &ParseError{File: file, Line: line, Msg: "not a JSON object", Err: err}
		}
		if r.Schema == "" {
			return nil, &ParseError{File: file, Line: line, Field: "schema", Msg: "missing"}
		}
		if r.ID == "" {
			return nil, &ParseError{File: file, Line: line, Field: "id", Msg: "missing"}
		}
		typ, matchable := ftmTypes[r.Schema]
		if !matchable {
			switch r.Schema {
			case "Identification", "Passport", "CryptoWallet":
				deferred = append(deferred, r)
			}
			continue
		}
		e := Entity{SourceID: r.ID, Type: typ}
		for _, n := range r.strs("name") {
			e.addName(n, KindPrimary, QualityStrong)
		}
		if len(e.Names) == 0 {
			if full := strings.TrimSpace(strings.Join(append(append(r.strs("firstName"), r.strs("middleName")...), r.strs("lastName")...), " ")); full != "" {
				e.addName(full, KindPrimary, QualityStrong)
			} else if r.Caption != "" {
				e.addName(r.Caption, KindPrimary, QualityStrong)
			}
		}
		if len(e.Names) == 0 {
			return nil, &ParseError{File: file, Line: line, Field: "properties.name", Msg: fmt.Sprintf("entity %s has no name", r.ID)}
		}
		for _, n := range r.strs("alias") {
			e.addName(n, KindAKA, QualityStrong)
		}
		for _, n := range r.strs("previousName") {
			e.addName(n, KindFKA, QualityStrong)
		}
		for _, n := range r.strs("weakAlias") {
			e.addName(n, KindAKA, QualityWeak)
		}
		for _, d := range r.strs("birthDate") {
			e.addDOB(d)
		}
		e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, r.strs("birthPlace")...)
		for _, c := range append(r.strs("nationality"), r.strs("citizenship")...) {
			e.addNationality(c)
		}
		for _, c := range append(append(r.strs("country"), r.strs("jurisdiction")...), r.strs("flag")...) {
			e.addCountry(c)
		}
		for _, p := range []struct{ prop, typ string }{
			{"passportNumber", IDPassport}, {"idNumber", IDNationalID}, {"taxNumber", IDTaxID},
			{"innCode", IDTaxID}, {"vatCode", IDTaxID}, {"registrationNumber", IDRegistration},
			{"ogrnCode", IDRegistration}, {"leiCode", IDLEI}, {"imoNumber", IDIMO}, {"swiftBic", IDSwiftBIC},
			{"email", IDEmail},
		} {
			for _, v := range r.strs(p.prop) {
				e.addID(Identifier{Type: p.typ, Value: v, Label: p.prop})
			}
		}
		e.Topics = appendUnique(e.Topics, r.strs("topics")...)
		e.Programs = appendUnique(e.Programs, r.strs("program")...)
		e.Programs = appendUnique(e.Programs, r.Datasets...)
		e.Addresses = appendUnique(e.Addresses, r.strs("address")...)
		if g := r.strs("gender"); len(g) > 0 {
			e.Gender = strings.ToLower(g[0])
		}
		notes := append(r.strs("notes"), r.strs("position")...)
		e.Remarks = strings.Join(notes, "; ")
		if u := r.strs("sourceUrl"); len(u) > 0 {
			e.URL = u[0]
		}
		if _, dup := byID[r.ID]; dup {
			return nil, &ParseError{File: file, Line: line, Field: "id", Msg: fmt.Sprintf("duplicate id %s", r.ID)}
		}
		byID[r.ID] = len(ents)
		ents = append(ents, e)
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{File: file, Line: line + 1, Msg: "read", Err: err}
	}
	for _, r := range deferred {
		for _, h := range append(r.strs("holder"), r.strs("entity")...) {
			i, ok := byID[h]
			if !ok {
				continue
			}
			e := &ents[i]
			if r.Schema == "CryptoWallet" {
				cur := ""
				if c := r.strs("currency"); len(c) > 0 {
					cur = strings.ToUpper(c[0])
				}
				for _, k := range r.strs("publicKey") {
					e.addID(Identifier{Type: IDCrypto, Value: k, Currency: cur, Label: "CryptoWallet"})
				}
				continue
			}
			typ := IDNationalID
			if r.Schema == "Passport" || strings.Contains(strings.ToLower(strings.Join(r.strs("type"), " ")), "passport") {
				typ = IDPassport
			}
			country := ""
			if c := r.strs("country"); len(c) > 0 {
				country = countryOrText(c[0])
			}
			for _, n := range r.strs("number") {
				e.addID(Identifier{Type: typ, Value: n, Country: country, Label: r.Schema})
			}
		}
	}
	return ents, nil
}
