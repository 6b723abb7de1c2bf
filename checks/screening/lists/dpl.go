package lists

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
)

// BIS Denied Persons List, tab-separated with quotes:
// Name, Street_Address, City, State, Country, Postal_Code, Effective_Date, Expiration_Date,
// Standard_Order, Last_Update, Action, FR_Citation. It has no ids, so the id is a hash of the
// name, address and effective date (stable across re-downloads of the same listing).
func parseDPL(source, file, data string) ([]Entity, error) {
	cr := newCSV(strings.NewReader(data), '\t')
	header, err := cr.Read()
	if err != nil {
		return nil, csvError(file, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, &ParseError{File: file, Line: 1, Field: "Name", Msg: "missing column in header (is this the tab-separated dpl.txt?)"}
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
			return nil, &ParseError{File: file, Line: line, Field: "Name", Msg: "empty name"}
		}
		var addr []string
		for _, k := range []string{"street_address", "city", "state", "postal_code", "country"} {
			if v := get(rec, k); v != "" {
				addr = append(addr, v)
			}
		}
		sum := sha256.Sum256([]byte(name + "\x00" + strings.Join(addr, ",") + "\x00" + get(rec, "effective_date")))
		id := "DPL-" + hex.EncodeToString(sum[:6])
		if k := seen[id]; k > 0 {
			seen[id] = k + 1
			id = fmt.Sprintf("%s#%d", id, k+1)
		} else {
			seen[id] = 1
		}
		e := Entity{SourceID: id, Type: TypeUnknown, URL: "https://www.bis.gov/dpl",
			Remarks: strings.TrimSpace(get(rec, "action") + " " + get(rec, "fr_citation"))}
		e.addName(name, KindPrimary, QualityStrong)
		if len(addr) > 0 {
			e.Addresses = []string{strings.Join(addr, ", ")}
		}
		e.addCountry(get(rec, "country"))
		e.Programs = []string{"BIS-DPL"}
		e.ListedOn = usDate(get(rec, "effective_date"))
		ents = append(ents, e)
	}
	return ents, nil
}

// usDate reads the DPL's MM/DD/YYYY dates.
func usDate(s string) string {
	var m, d, y int
	if _, err := fmt.Sscanf(s, "%d/%d/%d", &m, &d, &y); err != nil || m < 1 || m > 12 || d < 1 || d > 31 {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}
