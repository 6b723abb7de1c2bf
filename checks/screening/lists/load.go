package lists

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Source names accepted by Load.
const (
	SourceOFACSDN  = "ofac_sdn"  // folder with sdn.csv (required), add.csv, alt.csv, sdn_comments.csv
	SourceOFACCons = "ofac_cons" // folder with cons_prim.csv (required), cons_add.csv, cons_alt.csv, cons_comments.csv
	SourceUN       = "un"        // UN Security Council consolidated XML
	SourceEU       = "eu"        // EU FSF XML: current export format or the legacy 2016 WHOLE format
	SourceUK       = "uk"        // UK Sanctions List CSV (FCDO) or the legacy OFSI ConList CSV
	SourceUSCSL    = "us_csl"    // US Consolidated Screening List CSV (trade.gov)
	SourceBISDPL   = "bis_dpl"   // BIS Denied Persons List, tab-separated
	SourceFTM      = "ftm"       // FollowTheMoney JSON lines (OpenSanctions)
	SourceSenzing  = "senzing"   // Senzing JSON (lines or array)
	// SourceOFACCrypto is a folder (or one file) of OFAC's per-currency digital currency address
	// files, sanctioned_addresses_<CURRENCY>.txt or .json.
	SourceOFACCrypto = "ofac_crypto"
	// SourcePEP is a list of politically exposed persons in kycd's simple CSV / JSON-lines
	// format (pep.go, docs/screening-pep.md); its hits carry category "pep".
	SourcePEP = "pep"
)

// Sources lists every source name Load accepts.
var Sources = []string{SourceOFACSDN, SourceOFACCons, SourceUN, SourceEU, SourceUK, SourceUSCSL, SourceBISDPL, SourceFTM, SourceSenzing, SourceOFACCrypto, SourcePEP}

// hasher reads files and hashes their names and contents in read order, so a version's SHA-256
// changes exactly when the data does.
type hasher struct {
	h     hash.Hash
	bytes int64
}

func newHasher() *hasher { return &hasher{h: sha256.New()} }

func (h *hasher) read(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if len(b) == 0 {
		return "", &ParseError{File: filepath.Base(path), Msg: "file is empty"}
	}
	fmt.Fprintf(h.h, "%s\x00%d\x00", filepath.Base(path), len(b))
	h.h.Write(b)
	h.bytes += int64(len(b))
	return decodeText(b), nil
}

func (h *hasher) sum() string { return hex.EncodeToString(h.h.Sum(nil)) }

// Load parses the list at path as the named source. It fails with an error naming the file,
// line and field on malformed input, and with ErrEmpty when a non-empty file yields nothing.
func Load(source, path string) (LoadedList, error) {
	h := newHasher()
	var (
		ents  []Entity
		files []string
		err   error
	)
	switch source {
	case SourceOFACSDN:
		ents, files, err = loadOFAC(source, path, sdnFiles, h)
	case SourceOFACCons:
		ents, files, err = loadOFAC(source, path, consFiles, h)
	case SourceOFACCrypto:
		ents, files, err = loadOFACCrypto(source, path, h)
	default:
		parse, ok := fileParsers[source]
		if !ok {
			return LoadedList{}, fmt.Errorf("unknown list source %q (known: %v)", source, Sources)
		}
		var data string
		data, err = h.read(path)
		if err == nil {
			ents, err = parse(source, filepath.Base(path), data)
		}
		files = []string{filepath.Base(path)}
	}
	if err != nil {
		return LoadedList{}, fmt.Errorf("load %s: %w", source, err)
	}
	if len(ents) == 0 {
		return LoadedList{}, fmt.Errorf("load %s from %s: %w", source, path, ErrEmpty)
	}
	if err := validate(source, ents); err != nil {
		return LoadedList{}, fmt.Errorf("load %s from %s: %w", source, path, err)
	}
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].SourceID < ents[j].SourceID })
	return LoadedList{
		Version: ListVersion{
			Source:   source,
			Label:    source,
			Path:     path,
			Files:    files,
			LoadedAt: time.Now().UTC(),
			SHA256:   h.sum(),
			Entities: len(ents),
		},
		Entities: ents,
	}, nil
}

// fileParsers are the single-file formats.
var fileParsers = map[string]func(source, file, data string) ([]Entity, error){
	SourceUN:      parseUN,
	SourceEU:      parseEU,
	SourceUK:      parseUK,
	SourceUSCSL:   parseCSL,
	SourceBISDPL:  parseDPL,
	SourceFTM:     parseFTM,
	SourceSenzing: parseSenzing,
	SourcePEP:     parsePEP,
}

// validate enforces what the index relies on: every entity has an id and a name, ids are unique.
func validate(source string, ents []Entity) error {
	seen := make(map[string]bool, len(ents))
	for i := range ents {
		e := &ents[i]
		if e.SourceID == "" {
			return fmt.Errorf("entity %d (%q) has no source id", i, e.PrimaryName())
		}
		if len(e.Names) == 0 {
			return fmt.Errorf("entity %s has no name", e.SourceID)
		}
		if seen[e.SourceID] {
			return fmt.Errorf("duplicate source id %s", e.SourceID)
		}
		seen[e.SourceID] = true
		if e.Type == "" {
			e.Type = TypeUnknown
		}
		e.Source = source
	}
	return nil
}
