// Package testfiles locates the project's shared real-world test data.
//
// The data lives beside the checkout in ../shared/testdata (read-only, never
// copied into the repository); KYCD_TESTDATA overrides the location.
package testfiles

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared testdata folder, or skips the test with a clear
// message when it is absent. In CI (CI=true) an absent folder fails instead,
// because CI always has ../shared beside the clone.
func Dir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("KYCD_TESTDATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "testdata")
			if _, err := os.Stat(d); err != nil {
				if os.Getenv("CI") == "true" {
					tb.Fatalf("shared testdata not found at %s (CI must have ../shared beside the clone)", d)
				}
				tb.Skipf("shared testdata not found at %s; set KYCD_TESTDATA", d)
			}
			return d
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatalf("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

// Path joins elem onto Dir.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{Dir(tb)}, elem...)...)
}
