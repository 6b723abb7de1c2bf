package goldencopy

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kycd/kycd/checks/business"
)

// GenStats counts what GenerateFromAPI wrote.
type GenStats struct {
	Records, Relationships, Exceptions int
}

// GenerateFromAPI builds Golden Copy files from recorded GLEIF API responses laid out as
// in shared/testdata/lei/gleif_api_v1: every lei-records document under lei_records/
// (single records, lists, parents, children), relationship-records under relationships/
// and reporting-exceptions under reporting_exceptions/. Duplicates (the same LEI, the
// same start/end/type) are written once. Files are read in name order, so the output is
// deterministic.
func GenerateFromAPI(apiDir string, lei, rr, repex io.Writer) (GenStats, error) {
	var st GenStats
	lw, err := NewLEIWriter(lei)
	if err != nil {
		return st, err
	}
	rw, err := NewRRWriter(rr)
	if err != nil {
		return st, err
	}
	xw, err := NewRepexWriter(repex)
	if err != nil {
		return st, err
	}
	seen := map[string]bool{}
	err = eachJSON(filepath.Join(apiDir, "lei_records"), func(body []byte) error {
		recs, err := business.DecodeRecords(body)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if seen[r.LEI] {
				continue
			}
			seen[r.LEI] = true
			st.Records++
			if err := lw.Write(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	err = eachJSON(filepath.Join(apiDir, "relationships"), func(body []byte) error {
		rels, err := business.DecodeRelationships(body)
		if err != nil {
			return err
		}
		for _, r := range rels {
			k := r.StartLEI + "|" + r.EndLEI + "|" + r.Type
			if seen[k] {
				continue
			}
			seen[k] = true
			st.Relationships++
			if err := rw.Write(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	err = eachJSON(filepath.Join(apiDir, "reporting_exceptions"), func(body []byte) error {
		xs, err := business.DecodeReportingExceptions(body)
		if err != nil {
			return err
		}
		for _, x := range xs {
			k := x.LEI + "|" + x.Category
			if seen[k] {
				continue
			}
			seen[k] = true
			st.Exceptions++
			if err := xw.Write(x); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	for _, f := range []interface{ Flush() error }{lw, rw, xw} {
		if err := f.Flush(); err != nil {
			return st, err
		}
	}
	return st, nil
}

func eachJSON(dir string, fn func([]byte) error) error {
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, n := range names {
		body, err := os.ReadFile(n)
		if err != nil {
			return err
		}
		if err := fn(body); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
	}
	return nil
}

// GenerateFiles writes the three Golden Copy files built from apiDir into outDir, named
// as GLEIF names them (…-lei2-golden-copy.csv, …-rr-golden-copy.csv,
// …-repex-golden-copy.csv), each zipped when zipped is set.
func GenerateFiles(apiDir, outDir string, zipped bool) (Files, GenStats, error) {
	const stamp = "20250515-0000-gleif-goldencopy-"
	names := [3]string{stamp + "lei2-golden-copy.csv", stamp + "rr-golden-copy.csv", stamp + "repex-golden-copy.csv"}
	var ws [3]*os.File
	var paths [3]string
	for i, n := range names {
		p := filepath.Join(outDir, n)
		if zipped {
			p += ".zip"
		}
		f, err := os.Create(p)
		if err != nil {
			return Files{}, GenStats{}, err
		}
		defer f.Close()
		ws[i], paths[i] = f, p
	}
	var outs [3]io.Writer
	var zws [3]*zip.Writer
	for i := range ws {
		outs[i] = ws[i]
		if zipped {
			zws[i] = zip.NewWriter(ws[i])
			w, err := zws[i].Create(strings.TrimSuffix(filepath.Base(paths[i]), ".zip"))
			if err != nil {
				return Files{}, GenStats{}, err
			}
			outs[i] = w
		}
	}
	st, err := GenerateFromAPI(apiDir, outs[0], outs[1], outs[2])
	if err != nil {
		return Files{}, st, err
	}
	for i := range ws {
		if zws[i] != nil {
			if err := zws[i].Close(); err != nil {
				return Files{}, st, err
			}
		}
		if err := ws[i].Close(); err != nil {
			return Files{}, st, err
		}
	}
	return Files{LEI: paths[0], RR: paths[1], Repex: paths[2]}, st, nil
}
