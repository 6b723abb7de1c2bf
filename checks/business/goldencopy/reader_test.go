package goldencopy_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/checks/business/goldencopy"
)

// sample is a small LEI-CDF file with a subset of columns (readers go by header name).
const sampleHeader = "\uFEFF\"LEI\",\"Entity.LegalName\",\"Entity.LegalJurisdiction\",\"Entity.EntityStatus\",\"Registration.RegistrationStatus\",\"Registration.NextRenewalDate\"\n"

func readAll(t *testing.T, in string, opt goldencopy.Options) ([]business.Record, goldencopy.Stats, error) {
	t.Helper()
	lr, err := goldencopy.NewLEIReader(strings.NewReader(in), opt)
	if err != nil {
		return nil, goldencopy.Stats{}, err
	}
	var out []business.Record
	for {
		r, err := lr.Next()
		if err == io.EOF {
			return out, lr.Stats(), nil
		}
		if err != nil {
			return out, lr.Stats(), err
		}
		out = append(out, r)
	}
}

func TestLEIReaderMalformedRows(t *testing.T) {
	t.Parallel()
	in := sampleHeader +
		`"5493001KJTIIGC8Y1R12","Bloomberg Finance L.P.","US-DE","ACTIVE","ISSUED","2026-01-25T16:50:02.000Z"` + "\n" + // line 2
		`"529900GRZ2BQY5ZM9N49","PUMA SE","DE","ACTIVE"` + "\n" + // 3: too few fields
		`"21380068P1DRHMJ8KU71","SHELL PLC","GB","ACTIVE","ISSUED",""` + "\n" + // 4: check digits
		`"851WYGNLUQLFZBSYGB56","COMMERZBANK "AG","DE","ACTIVE","ISSUED",""` + "\n" + // 5: bare quote
		`"INR2EJN1ERAN0W5ZP974","MICROSOFT CORPORATION","US-WA","ACTIVE","ISSUED","next year"` + "\n" + // 6: date
		`"549300O897ZC5H7CY412","","SE","ACTIVE","ISSUED",""` + "\n" + // 7: empty name
		`"549300YX4S1LLSMK2627","APPLE ENERGY
LLC","US-DE","ACTIVE","ISSUED","2026-05-01T00:00:00+02:00"` + "\n" + // 8-9: newline inside a quoted field is legal
		`"984500983AD71E4FBC41","PROVENANT INC.","US-DE","ACTIVE","LAPSED",""` + "\n" // 10
	recs, st, err := readAll(t, in, goldencopy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || st.Rows != 8 || st.Skipped != 5 || len(st.Errors) != 5 {
		t.Fatalf("%d records, stats %+v", len(recs), st)
	}
	want := []string{
		"line 3: 4 fields, header has 6",
		"line 4: LEI: invalid LEI \"21380068P1DRHMJ8KU71\": check digits 71 do not match",
		"line 5: extraneous or missing \" in quoted-field",
		"line 6: Registration.NextRenewalDate: unreadable timestamp \"next year\"",
		"line 7: Entity.LegalName: empty legal name",
	}
	for i, w := range want {
		if !strings.HasPrefix(st.Errors[i].Error(), w) && !strings.Contains(st.Errors[i].Error(), w) {
			t.Errorf("error %d = %q, want %q", i, st.Errors[i], w)
		}
		if !errors.Is(st.Errors[i], goldencopy.ErrMalformed) {
			t.Errorf("error %d does not match ErrMalformed", i)
		}
	}
	if recs[1].LegalName.Name != "APPLE ENERGY\nLLC" || recs[1].Registration.NextRenewalDate.Hour() != 22 {
		t.Errorf("multi-line record %+v", recs[1])
	}
	if recs[0].Registration.NextRenewalDate.IsZero() || recs[2].Registration.Status != "LAPSED" {
		t.Errorf("records %+v", recs)
	}

	// Strict: the first bad row stops the reader with its line.
	_, _, err = readAll(t, in, goldencopy.Options{Strict: true})
	var re *goldencopy.RowError
	if !errors.As(err, &re) || re.Line != 3 {
		t.Errorf("strict: %v", err)
	}
	// MaxErrors bounds what is kept, not what is counted.
	_, st, _ = readAll(t, in, goldencopy.Options{MaxErrors: 2})
	if st.Skipped != 5 || len(st.Errors) != 2 {
		t.Errorf("MaxErrors: %+v", st)
	}
}

func TestLEIReaderUnterminatedQuote(t *testing.T) {
	t.Parallel()
	in := sampleHeader +
		`"5493001KJTIIGC8Y1R12","Bloomberg Finance L.P.","US-DE","ACTIVE","ISSUED",""` + "\n" +
		`"529900GRZ2BQY5ZM9N49","PUMA SE,"DE","ACTIVE","ISSUED",""` + "\n" +
		`"21380068P1DRHMJ8KU70","SHELL PLC","GB","ACTIVE","ISSUED",""` + "\n"
	// encoding/csv resynchronises at the next line: only the broken row is lost.
	recs, st, err := readAll(t, in, goldencopy.Options{})
	if err != nil || len(recs) != 2 || recs[1].LegalName.Name != "SHELL PLC" || st.Skipped != 1 || st.Errors[0].Line != 3 {
		t.Errorf("%d records, %+v, %v", len(recs), st, err)
	}
}

func TestReaderHeaders(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "empty file"},
		{"no LEI column", "\"Entity.LegalName\"\n\"x\"\n", "lacks column(s) LEI"},
		{"broken header", "\"LEI,Entity.LegalName\n", "header"},
	} {
		_, err := goldencopy.NewLEIReader(strings.NewReader(tc.in), goldencopy.Options{})
		if !errors.Is(err, goldencopy.ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := goldencopy.NewRRReader(strings.NewReader("LEI\n"), goldencopy.Options{}); err == nil ||
		!strings.Contains(err.Error(), "Relationship.StartNode.NodeID") {
		t.Errorf("RR header: %v", err)
	}
	// The older spelling of the reporting-exception columns.
	xr, err := goldencopy.NewRepexReader(strings.NewReader("LEI,ExceptionCategory,ExceptionReason.1,ExceptionReason.2\n"+
		"21380068P1DRHMJ8KU70,DIRECT_ACCOUNTING_CONSOLIDATION_PARENT,NON_PUBLIC,BINDING_LEGAL_COMMITMENTS\n"), goldencopy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	x, err := xr.Next()
	if err != nil || x.Reason != "NON_PUBLIC,BINDING_LEGAL_COMMITMENTS" || x.Category != "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT" {
		t.Errorf("repex: %+v %v", x, err)
	}
}

func TestRRReaderMalformed(t *testing.T) {
	t.Parallel()
	in := strings.Join(goldencopy.RRHeader[:8], ",") + "\n" +
		"5493001KJTIIGC8Y1R12,LEI,549300B56MD0ZC402L06,LEI,IS_DIRECTLY_CONSOLIDATED_BY,ACTIVE,2007-06-05T00:00:00Z,\n" +
		",LEI,549300B56MD0ZC402L06,LEI,IS_DIRECTLY_CONSOLIDATED_BY,ACTIVE,,\n" +
		"5493001KJTIIGC8Y1R12,LEI,549300B56MD0ZC402L06,LEI,IS_DIRECTLY_CONSOLIDATED_BY,ACTIVE,yesterday,\n"
	rr, err := goldencopy.NewRRReader(strings.NewReader(in), goldencopy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		_, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	st := rr.Stats()
	if n != 1 || st.Skipped != 2 || st.Errors[0].Line != 3 || !strings.Contains(st.Errors[1].Error(), "line 4: Relationship.Period.1.*") {
		t.Errorf("%d rows, %+v %v", n, st, st.Errors)
	}
}

func TestOpenZipAndPlain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	body := sampleHeader + `"5493001KJTIIGC8Y1R12","Bloomberg Finance L.P.","US-DE","ACTIVE","ISSUED",""` + "\n"
	plain := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(plain, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, _ := zw.Create("README.txt")
	w.Write([]byte("not the data"))
	w, _ = zw.Create("20250515-gleif-goldencopy-lei2-golden-copy.csv")
	w.Write([]byte(body))
	zw.Close()
	zipped := filepath.Join(dir, "x.zip.download") // recognised by content, not name
	if err := os.WriteFile(zipped, zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{plain, zipped} {
		rc, err := goldencopy.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if string(b) != body {
			t.Errorf("%s: %q", p, b)
		}
	}
	empty := filepath.Join(dir, "empty.zip")
	zb.Reset()
	zw = zip.NewWriter(&zb)
	zw.Close()
	os.WriteFile(empty, zb.Bytes(), 0o644)
	if _, err := goldencopy.Open(empty); err == nil {
		t.Error("zip without csv opened")
	}
}
