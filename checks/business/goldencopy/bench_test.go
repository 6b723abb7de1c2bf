package goldencopy_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/kycd/kycd/checks/business/goldencopy"
)

// BenchmarkLEIReader parses synthetic LEI-CDF rows; s/Mrec is seconds per million records
// (GLEIF's full file has about 2.9 million).
func BenchmarkLEIReader(b *testing.B) {
	const rows = 100_000
	src, bytesPerRow := goldencopy.SyntheticLEIFile(rows)
	data, err := io.ReadAll(src)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if n := countRows(b, bytes.NewReader(data)); n != rows {
			b.Fatalf("%d rows", n)
		}
	}
	perRec := b.Elapsed().Seconds() / float64(b.N*rows)
	b.ReportMetric(perRec*1e6, "s/Mrec")
	b.ReportMetric(float64(bytesPerRow), "B/row")
}

func TestSyntheticFileParses(t *testing.T) {
	t.Parallel()
	r, _ := goldencopy.SyntheticLEIFile(60_001)
	if n := countRows(t, r); n != 60_001 {
		t.Errorf("%d rows", n)
	}
}

// countRows reads an LEI-CDF file strictly and counts its records.
func countRows(tb testing.TB, r io.Reader) int {
	tb.Helper()
	lr, err := goldencopy.NewLEIReader(r, goldencopy.Options{Strict: true})
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for {
		_, err := lr.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		n++
	}
}
