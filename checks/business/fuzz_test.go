package business_test

import (
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/kycd/kycd/checks/business"
)

// FuzzDecode: no response body, however broken, panics the decoders.
func FuzzDecode(f *testing.F) {
	dir := filepath.Join("..", "..", "..", "shared", "testdata", "lei", "gleif_api_v1")
	for _, p := range []string{"lei_records/single_lei_record_21380068P1DRHMJ8KU70.json",
		"relationships/direct-parent-relationship_5493001KJTIIGC8Y1R12.json",
		"reporting_exceptions/direct-parent-reporting-exception_254900LNRYNOQ9YPU758.json"} {
		if b, err := os.ReadFile(filepath.Join(dir, p)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"data":{"type":"lei-records","attributes":{"entity":{"legalName":7}}}}`))
	f.Add([]byte(`{"data":[{"attributes":null},{}],"errors":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = business.DecodeRecords(body)
		_, _ = business.DecodeRelationships(body)
		_, _ = business.DecodeReportingExceptions(body)
	})
}

// FuzzNormalizeName: any string normalises to ASCII without panicking, and a name
// compares equal to itself.
func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"PUMA SE", "A/S", "ООО «Газпром»", "株式会社東芝", "S.p.A.", "&&&", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := business.NormalizeName(s)
		for i := 0; i < len(n.Core); i++ {
			if n.Core[i] >= utf8.RuneSelf {
				t.Fatalf("non-ASCII core %q", n.Core)
			}
		}
		if n.Core != "" && business.NameSimilarity(s, s) < 0.999 {
			t.Fatalf("%q not similar to itself", s)
		}
		_ = business.ValidateLEI(s)
	})
}
