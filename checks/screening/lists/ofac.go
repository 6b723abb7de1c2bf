package lists

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// OFAC legacy CSV layouts (https://ofac.treasury.gov/specially-designated-nationals-list-data-formats-data-schemas):
//
//	sdn.csv / cons_prim.csv: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
//	                         Tonnage, GRT, Vess_flag, Vess_owner, Remarks
//	add.csv / cons_add.csv:  ent_num, Add_num, Address, City/State/Province/Postal Code, Country, Add_remarks
//	alt.csv / cons_alt.csv:  ent_num, alt_num, alt_type, alt_name, alt_remarks
//	sdn_comments.csv:        ent_num, remarks continuation
//
// ofacFiles names the four files of one OFAC list family.
type ofacFiles struct{ prim, add, alt, comments string }

var (
	sdnFiles  = ofacFiles{"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"}
	consFiles = ofacFiles{"cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"}
)

// findFile finds name in dir case-insensitively (OFAC serves SDN.CSV, mirrors keep sdn.csv).
func findFile(dir, name string) (string, bool) {
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return p, true
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", false
	}
	for _, e := range entries {
		if strings.EqualFold(e.Name(), name) {
			return filepath.Join(dir, e.Name()), true
		}
	}
	return "", false
}

// loadOFAC reads an OFAC folder. The primary file is required; addresses, aliases and remark
// continuations are optional (some mirrors publish only the primary file) and listed in files.
func loadOFAC(source, dir string, f ofacFiles, h *hasher) ([]Entity, []string, error) {
	primPath, ok := findFile(dir, f.prim)
	if !ok {
		if m, _ := filepath.Glob(filepath.Join(dir, "sanctioned_addresses_*")); len(m) > 0 {
			return nil, nil, fmt.Errorf("%s: %s not found in %s; it holds OFAC's digital currency address files: load it as source %q", source, f.prim, dir, SourceOFACCrypto)
		}
		return nil, nil, fmt.Errorf("%s: %s not found in %s", source, f.prim, dir)
	}
	prim, err := h.read(primPath)
	if err != nil {
		return nil, nil, err
	}
	files := []string{filepath.Base(primPath)}
	ents, byNum, err := parseOFACPrimary(source, filepath.Base(primPath), prim)
	if err != nil {
		return nil, nil, err
	}
	for _, extra := range []struct {
		name  string
		parse func(string, string, map[int]*Entity) error
	}{{f.alt, parseOFACAlt}, {f.add, parseOFACAdd}, {f.comments, parseOFACComments}} {
		p, ok := findFile(dir, extra.name)
		if !ok {
			continue
		}
		data, err := h.read(p)
		if err != nil {
			return nil, nil, err
		}
		if err := extra.parse(filepath.Base(p), data, byNum); err != nil {
			return nil, nil, err
		}
		files = append(files, filepath.Base(p))
	}
	for i := range ents {
		applyOFACRemarks(&ents[i], ents[i].Remarks)
	}
	return ents, files, nil
}

// ofacRows iterates the records of an OFAC CSV, skipping blank lines and the DOS EOF byte.
func ofacRows(file, data string, minFields int, fn func(line int, rec []string) error) error {
	cr := newCSV(strings.NewReader(data), ',')
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return csvError(file, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.Trim(rec[0], " \t\r\n\x1a") == "" {
			continue
		}
		if len(rec) < minFields {
			return &ParseError{File: file, Line: line, Msg: fmt.Sprintf("%d fields, want at least %d", len(rec), minFields)}
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
}

func entNum(file string, line int, s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 {
		return 0, &ParseError{File: file, Line: line, Field: "ent_num", Msg: fmt.Sprintf("not a positive integer: %q", s)}
	}
	return n, nil
}

func parseOFACPrimary(source, file, data string) ([]Entity, map[int]*Entity, error) {
	var ents []Entity
	err := ofacRows(file, data, 12, func(line int, r []string) error {
		n, err := entNum(file, line, r[0])
		if err != nil {
			return err
		}
		name := clean(r[1])
		if name == "" {
			return &ParseError{File: file, Line: line, Field: "SDN_Name", Msg: "empty name"}
		}
		e := Entity{Source: source, SourceID: strconv.Itoa(n), Remarks: clean(r[11])}
		switch t := strings.ToLower(clean(r[2])); t {
		case "individual":
			e.Type = TypePerson
		case "vessel":
			e.Type = TypeVessel
		case "aircraft":
			e.Type = TypeAircraft
		case "":
			e.Type = TypeOrganization // OFAC leaves the type empty for entities
		default:
			e.Type = normalizeType(t)
		}
		e.addName(name, KindPrimary, QualityStrong)
		for _, p := range strings.Split(clean(r[3]), "] [") {
			e.Programs = appendUnique(e.Programs, strings.Trim(p, "[] "))
		}
		if flag := clean(r[9]); flag != "" {
			e.addCountry(flag)
		}
		e.URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=" + strconv.Itoa(n)
		ents = append(ents, e)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(ents) == 0 {
		return nil, nil, &ParseError{File: file, Msg: "no records", Err: ErrEmpty}
	}
	byNum := make(map[int]*Entity, len(ents))
	for i := range ents {
		n, _ := strconv.Atoi(ents[i].SourceID)
		if _, dup := byNum[n]; dup {
			return nil, nil, &ParseError{File: file, Field: "ent_num", Msg: fmt.Sprintf("duplicate ent_num %d", n)}
		}
		byNum[n] = &ents[i]
	}
	return ents, byNum, nil
}

func parseOFACAlt(file, data string, byNum map[int]*Entity) error {
	return ofacRows(file, data, 4, func(line int, r []string) error {
		n, err := entNum(file, line, r[0])
		if err != nil {
			return err
		}
		e := byNum[n]
		if e == nil {
			return nil // the alias of an entity not in this primary file (mismatched snapshot)
		}
		kind := KindAKA
		switch strings.ToLower(clean(r[2])) {
		case "fka":
			kind = KindFKA
		case "nka":
			kind = KindNKA
		}
		e.addName(clean(r[3]), kind, QualityStrong)
		return nil
	})
}

func parseOFACAdd(file, data string, byNum map[int]*Entity) error {
	return ofacRows(file, data, 5, func(line int, r []string) error {
		n, err := entNum(file, line, r[0])
		if err != nil {
			return err
		}
		e := byNum[n]
		if e == nil {
			return nil
		}
		var parts []string
		for _, p := range r[2:5] {
			if p = clean(p); p != "" {
				parts = append(parts, p)
			}
		}
		if len(parts) > 0 {
			e.Addresses = appendUnique(e.Addresses, strings.Join(parts, ", "))
		}
		e.addCountry(r[4])
		return nil
	})
}

func parseOFACComments(file, data string, byNum map[int]*Entity) error {
	return ofacRows(file, data, 2, func(line int, r []string) error {
		n, err := entNum(file, line, r[0])
		if err != nil {
			return err
		}
		if e := byNum[n]; e != nil {
			// The continuation starts exactly where sdn.csv cut the remarks, often mid-word.
			if c := strings.TrimRight(r[1], " \r\n"); strings.TrimSpace(c) != "" {
				e.Remarks += c
			}
		}
		return nil
	})
}
