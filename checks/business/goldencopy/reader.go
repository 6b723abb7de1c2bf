package goldencopy

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrMalformed is matched (errors.Is) by every *RowError and header error.
var ErrMalformed = errors.New("malformed golden copy file")

// RowError is a row the reader could not use, with its line number (1-based, counting
// the header; a quoted field with newlines spans lines, the first is reported).
type RowError struct {
	Line  int
	Field string // the column, when one field is at fault
	Err   error
}

// Error names the line (and column) at fault.
func (e *RowError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("line %d: %s: %v", e.Line, e.Field, e.Err)
	}
	return fmt.Sprintf("line %d: %v", e.Line, e.Err)
}

// Unwrap exposes the cause.
func (e *RowError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrMalformed) true.
func (e *RowError) Is(target error) bool { return target == ErrMalformed }

// Options configure a reader.
type Options struct {
	// Strict stops at the first malformed row (Next returns its *RowError). Otherwise the
	// row is skipped and counted in Stats.
	Strict bool
	// MaxErrors is how many skipped rows' errors Stats keeps (default 100).
	MaxErrors int
}

// Stats counts what a reader did.
type Stats struct {
	Rows    int         `json:"rows"`    // data rows read, good and bad
	Skipped int         `json:"skipped"` // malformed rows skipped
	Errors  []*RowError `json:"-"`       // the first MaxErrors of them
}

// table is the shared CSV machinery: header lookup, line numbers, skip-and-count.
type table struct {
	cr     *csv.Reader
	opt    Options
	idx    map[string]int
	width  int
	rec    []string
	line   int
	stats  Stats
	header []string
}

func newTable(r io.Reader, opt Options, required []string, aliases map[string][]string) (*table, error) {
	if opt.MaxErrors <= 0 {
		opt.MaxErrors = 100
	}
	br := bufio.NewReaderSize(r, 1<<20)
	// GLEIF's files start with a UTF-8 byte-order mark; encoding/csv would keep it in
	// the first column's name.
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // we check widths ourselves, to report them as row errors
	h, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%w: empty file, no header", ErrMalformed)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	t := &table{cr: cr, opt: opt, idx: make(map[string]int, len(h)), width: len(h), line: 1}
	t.header = append([]string(nil), h...)
	for i, name := range t.header {
		name = strings.TrimSpace(name)
		if _, dup := t.idx[name]; !dup {
			t.idx[name] = i
		}
	}
	for canon, alts := range aliases {
		if _, ok := t.idx[canon]; ok {
			continue
		}
		for _, a := range alts {
			if i, ok := t.idx[a]; ok {
				t.idx[canon] = i
				break
			}
		}
	}
	var missing []string
	for _, c := range required {
		if _, ok := t.idx[c]; !ok {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: header lacks column(s) %s", ErrMalformed, strings.Join(missing, ", "))
	}
	return t, nil
}

// col returns a column's index or -1.
func (t *table) col(name string) int {
	if i, ok := t.idx[name]; ok {
		return i
	}
	return -1
}

// next reads the next well-formed row into t.rec. It returns io.EOF at the end, or a
// *RowError in strict mode.
func (t *table) next() error {
	for {
		rec, err := t.cr.Read()
		if err == io.EOF {
			return io.EOF
		}
		// FieldPos is only valid after a successful Read (it panics otherwise).
		line := t.line + 1
		var pe *csv.ParseError
		if err == nil {
			line, _ = t.cr.FieldPos(0)
		} else if errors.As(err, &pe) {
			line = pe.StartLine
		}
		t.line = line
		t.stats.Rows++
		if err == nil && len(rec) != t.width {
			err = fmt.Errorf("%d fields, header has %d", len(rec), t.width)
		}
		if err != nil {
			if pe != nil {
				err = pe.Err
			}
			if rerr := t.fail(&RowError{Line: line, Err: err}); rerr != nil {
				return rerr
			}
			continue
		}
		t.rec = rec
		return nil
	}
}

// fail records a bad row: in strict mode it is returned, otherwise counted (nil).
func (t *table) fail(e *RowError) error {
	if t.opt.Strict {
		return e
	}
	t.stats.Skipped++
	if len(t.stats.Errors) < t.opt.MaxErrors {
		t.stats.Errors = append(t.stats.Errors, e)
	}
	return nil
}

func (t *table) get(i int) string {
	if i < 0 {
		return ""
	}
	return t.rec[i]
}

// Open opens a Golden Copy file for reading, plain CSV or zipped (the first .csv entry,
// decompressed as it is read; recognised by content, not name).
func Open(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var magic [4]byte
	n, _ := io.ReadFull(f, magic[:])
	if n == 4 && magic[0] == 'P' && magic[1] == 'K' && (magic[2] == 3 || magic[2] == 5 || magic[2] == 7) {
		f.Close()
		zr, err := zip.OpenReader(path)
		if err != nil {
			return nil, fmt.Errorf("open zip %s: %w", path, err)
		}
		for _, zf := range zr.File {
			if strings.HasSuffix(strings.ToLower(zf.Name), ".csv") {
				rc, err := zf.Open()
				if err != nil {
					zr.Close()
					return nil, fmt.Errorf("open %s in %s: %w", zf.Name, path, err)
				}
				return &zipEntry{ReadCloser: rc, zr: zr}, nil
			}
		}
		zr.Close()
		return nil, fmt.Errorf("%w: %s has no .csv entry", ErrMalformed, path)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

type zipEntry struct {
	io.ReadCloser
	zr *zip.ReadCloser
}

// Close closes the entry and the archive.
func (z *zipEntry) Close() error {
	err := z.ReadCloser.Close()
	if e := z.zr.Close(); err == nil {
		err = e
	}
	return err
}
