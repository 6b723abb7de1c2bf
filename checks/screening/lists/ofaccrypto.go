package lists

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// OFAC's digital currency addresses, one file per currency, as extracted from OFAC's
// sdn_advanced.xml and published at github.com/0xB10C/ofac-sanctioned-digital-currency-addresses:
//
//	sanctioned_addresses_ETH.txt    one address a line
//	sanctioned_addresses_ETH.json   the same as a JSON array of strings
//
// The files name no owner, so each address becomes an entity of its own (type unknown, named by
// the address) carrying one identifier per currency it is listed under. Load the SDN list too to
// name the owner; the address source keeps the newest addresses findable between SDN imports.
var reCryptoFile = regexp.MustCompile(`(?i)^sanctioned_addresses_([A-Z0-9]+)\.(txt|json)$`)

func loadOFACCrypto(source, path string, h *hasher) ([]Entity, []string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", source, err)
	}
	var paths []string
	if st.IsDir() {
		des, err := os.ReadDir(path)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", source, err)
		}
		for _, de := range des {
			if reCryptoFile.MatchString(de.Name()) {
				paths = append(paths, filepath.Join(path, de.Name()))
			}
		}
	} else {
		paths = []string{path}
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		return nil, nil, fmt.Errorf("%s: no sanctioned_addresses_<CURRENCY>.txt or .json file in %s", source, path)
	}
	byAddr := map[string]*Entity{}
	var order []string
	var files []string
	for _, p := range paths {
		m := reCryptoFile.FindStringSubmatch(filepath.Base(p))
		if m == nil {
			return nil, nil, &ParseError{File: filepath.Base(p), Msg: "file name is not sanctioned_addresses_<CURRENCY>.txt or .json"}
		}
		cur := strings.ToUpper(m[1])
		data, err := h.read(p)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, filepath.Base(p))
		var addrs []string
		if strings.EqualFold(m[2], "json") {
			if err := json.Unmarshal([]byte(data), &addrs); err != nil {
				return nil, nil, &ParseError{File: filepath.Base(p), Msg: "not a JSON array of strings: " + err.Error()}
			}
		} else {
			addrs = strings.Split(data, "\n")
		}
		for i, a := range addrs {
			a = strings.TrimSpace(a)
			if a == "" || strings.HasPrefix(a, "#") {
				continue
			}
			if strings.ContainsAny(a, " \t,;") || len(a) < 20 {
				return nil, nil, &ParseError{File: filepath.Base(p), Line: i + 1, Field: "address", Msg: fmt.Sprintf("%q is not an address", a)}
			}
			key := a
			if strings.HasPrefix(strings.ToLower(a), "0x") {
				key = strings.ToLower(a)
			}
			e := byAddr[key]
			if e == nil {
				e = &Entity{Source: source, SourceID: key, Type: TypeUnknown, Topics: []string{"sanction"},
					Remarks: "Digital currency address listed by OFAC; the owner is named in the SDN list."}
				e.addName(a, KindPrimary, QualityStrong)
				byAddr[key] = e
				order = append(order, key)
			}
			e.addID(Identifier{Type: IDCrypto, Value: a, Currency: cur, Label: "Digital Currency Address - " + cur})
		}
	}
	ents := make([]Entity, 0, len(order))
	for _, k := range order {
		ents = append(ents, *byAddr[k])
	}
	return ents, files, nil
}
