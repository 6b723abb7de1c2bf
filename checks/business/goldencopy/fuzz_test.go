package goldencopy_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/kycd/kycd/checks/business/goldencopy"
)

// FuzzLEIReader: any input ends in io.EOF, a header error or row errors — never a panic
// or an endless loop — in both modes.
func FuzzLEIReader(f *testing.F) {
	f.Add([]byte(sampleHeader + `"5493001KJTIIGC8Y1R12","Bloomberg Finance L.P.","US-DE","ACTIVE","ISSUED",""` + "\n"))
	f.Add([]byte("LEI,Entity.LegalName\n\"x\n"))
	f.Add([]byte("LEI,Entity.LegalName\r\n5493001KJTIIGC8Y1R12,\"a\"\"b\"\r\n,,,\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, strict := range []bool{false, true} {
			lr, err := goldencopy.NewLEIReader(bytes.NewReader(in), goldencopy.Options{Strict: strict})
			if err != nil {
				if !errors.Is(err, goldencopy.ErrMalformed) {
					t.Fatalf("header error not ErrMalformed: %v", err)
				}
				continue
			}
			for i := 0; ; i++ {
				_, err := lr.Next()
				if err == io.EOF || (err != nil && strict) {
					break
				}
				if err != nil || i > len(in)+1 {
					t.Fatalf("row %d: %v", i, err)
				}
			}
		}
	})
}
