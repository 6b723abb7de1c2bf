package lists

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// TopicPEP marks a politically exposed person (FollowTheMoney's topic name).
const TopicPEP = "role.pep"

// PEP lists in a documented simple format (docs/screening-pep.md), for data an operator may
// legally use: Wikidata-derived extracts (CC0), national registers of office holders, their own
// lists. Either CSV with a header row or JSON lines, with these fields:
//
//	name        required; the person's name as usually written
//	aliases     other names: a JSON array, or in CSV one cell separated by "|"
//	position    the public function ("Minister of Finance")
//	country     ISO 3166-1 alpha-2 code or country name
//	start_date  when the function began (YYYY, YYYY-MM or YYYY-MM-DD)
//	end_date    when it ended; empty while in office
//	dob         date of birth
//	source_url  where the fact can be checked (a Wikidata item, a parliament page)
//	id          optional stable id; default: a hash of name, position and country
//
// Each row is one person in one function; rows with the same id are merged.
type pepRow struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Aliases   []string `json:"aliases"`
	Position  string   `json:"position"`
	Country   string   `json:"country"`
	StartDate string   `json:"start_date"`
	EndDate   string   `json:"end_date"`
	DOB       string   `json:"dob"`
	SourceURL string   `json:"source_url"`
}

var pepColumns = []string{"id", "name", "aliases", "position", "country", "start_date", "end_date", "dob", "source_url"}

func parsePEP(source, file, data string) ([]Entity, error) {
	var rows []pepRow
	var lines []int
	trimmed := strings.TrimSpace(data)
	if strings.HasPrefix(trimmed, "{") {
		for i, l := range strings.Split(data, "\n") {
			if strings.TrimSpace(l) == "" {
				continue
			}
			var r pepRow
			dec := json.NewDecoder(strings.NewReader(l))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&r); err != nil {
				return nil, &ParseError{File: file, Line: i + 1, Msg: "not a PEP JSON object: " + err.Error()}
			}
			rows, lines = append(rows, r), append(lines, i+1)
		}
	} else {
		cr := newCSV(strings.NewReader(data), ',')
		header, err := cr.Read()
		if err != nil {
			return nil, csvError(file, err)
		}
		col := map[string]int{}
		for i, h := range header {
			col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
		}
		if _, ok := col["name"]; !ok {
			return nil, &ParseError{File: file, Line: 1, Field: "name", Msg: fmt.Sprintf("missing column in header (want %s)", strings.Join(pepColumns, ","))}
		}
		for k := range col {
			if !contains(pepColumns, k) {
				return nil, &ParseError{File: file, Line: 1, Field: k, Msg: fmt.Sprintf("unknown column (known: %s)", strings.Join(pepColumns, ","))}
			}
		}
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, csvError(file, err)
			}
			line, _ := cr.FieldPos(0)
			get := func(k string) string {
				if i, ok := col[k]; ok && i < len(rec) {
					return clean(rec[i])
				}
				return ""
			}
			r := pepRow{ID: get("id"), Name: get("name"), Position: get("position"), Country: get("country"),
				StartDate: get("start_date"), EndDate: get("end_date"), DOB: get("dob"), SourceURL: get("source_url")}
			for _, a := range strings.Split(get("aliases"), "|") {
				if a = clean(a); a != "" {
					r.Aliases = append(r.Aliases, a)
				}
			}
			rows, lines = append(rows, r), append(lines, line)
		}
	}
	var ents []Entity
	at := map[string]int{}
	for k, r := range rows {
		r.Name = clean(r.Name)
		if r.Name == "" {
			return nil, &ParseError{File: file, Line: lines[k], Field: "name", Msg: "empty name"}
		}
		for _, f := range []struct{ name, v string }{{"start_date", r.StartDate}, {"end_date", r.EndDate}, {"dob", r.DOB}} {
			if f.v != "" && len(ParseDates(f.v)) == 0 {
				return nil, &ParseError{File: file, Line: lines[k], Field: f.name, Msg: fmt.Sprintf("%q is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", f.v)}
			}
		}
		if r.SourceURL != "" && !strings.HasPrefix(r.SourceURL, "http://") && !strings.HasPrefix(r.SourceURL, "https://") {
			return nil, &ParseError{File: file, Line: lines[k], Field: "source_url", Msg: fmt.Sprintf("%q is not an http(s) URL", r.SourceURL)}
		}
		id := strings.TrimSpace(r.ID)
		if id == "" {
			sum := sha256.Sum256([]byte(strings.ToLower(r.Name) + "\x00" + strings.ToLower(r.Position) + "\x00" + strings.ToLower(r.Country)))
			id = "PEP-" + hex.EncodeToString(sum[:6])
		}
		i, ok := at[id]
		if !ok {
			i = len(ents)
			at[id] = i
			ents = append(ents, Entity{Source: source, SourceID: id, Type: TypePerson, Topics: []string{TopicPEP}, URL: r.SourceURL})
		}
		e := &ents[i]
		e.addName(r.Name, KindPrimary, QualityStrong)
		for _, a := range r.Aliases {
			e.addName(a, KindAKA, QualityStrong)
		}
		if r.Country != "" {
			e.addCountry(r.Country)
		}
		if r.DOB != "" {
			e.addDOB(r.DOB)
		}
		if r.Position != "" {
			role := r.Position
			if r.StartDate != "" || r.EndDate != "" {
				end := r.EndDate
				if end == "" {
					end = "present"
				}
				role += " (" + r.StartDate + " – " + end + ")"
			}
			e.Programs = appendUnique(e.Programs, role)
		}
		if e.URL == "" {
			e.URL = r.SourceURL
		}
	}
	return ents, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
