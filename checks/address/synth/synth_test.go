package synth

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestGenerateDeterministic: the same seed gives the same documents, and every variant is
// what it claims to be.
func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	a := Generate(7, 6, Options{Variants: []string{VariantTextPDF}, Hostile: true})
	b := Generate(7, 6, Options{Variants: []string{VariantTextPDF}, Hostile: true})
	for i := range a {
		if !bytes.Equal(a[i].Bytes, b[i].Bytes) {
			t.Fatalf("sample %d differs between runs", i)
		}
		if !bytes.HasPrefix(a[i].Bytes, []byte("%PDF-1.4")) || !bytes.HasSuffix(a[i].Bytes, []byte("%%EOF\n")) {
			t.Fatalf("sample %d is not a PDF", i)
		}
	}
	if dir := os.Getenv("SYNTH_OUT"); dir != "" {
		for _, v := range []string{VariantTextPDF, VariantImagePDF, VariantPhoto} {
			for _, s := range Generate(11, 6, Options{Variants: []string{v}}) {
				ext := ".pdf"
				if v == VariantPhoto {
					ext = ".jpg"
				}
				_ = os.WriteFile(filepath.Join(dir, s.ID+"-"+v+"-"+s.Layout+"-"+s.Lang+ext), s.Bytes, 0o644)
			}
		}
	}
}
