//go:build tesseract

package address

import (
	"context"
	"testing"

	"github.com/kycd/kycd/checks/address/synth"
)

// TestTextLayerMismatch: a PDF whose invisible text layer names the applicant over a picture
// of someone else's bill is rejected with text_layer_mismatch; the applicant's own text-layer
// PDF passes the same cross-check.
func TestTextLayerMismatch(t *testing.T) {
	needPoppler(t)
	e, err := NewEngine(Config{})
	if err != nil {
		t.Fatal(err)
	}
	var doctored, genuine *synth.Sample
	for _, s := range synth.Generate(5, 60, synth.Options{Variants: []string{synth.VariantTextPDF}, Hostile: true}) {
		switch {
		case s.Hostile == synth.HostileTextMismatch && doctored == nil:
			doctored = &s
		case s.Hostile == "" && s.Layout != synth.LayoutInsurance && genuine == nil:
			genuine = &s
		}
	}
	if doctored == nil || genuine == nil {
		t.Fatal("the generator made no doctored or genuine sample")
	}
	for _, c := range []struct {
		s        *synth.Sample
		mismatch bool
	}{{doctored, true}, {genuine, false}} {
		res, err := e.Check(context.Background(), Input{Document: c.s.Bytes, DeclaredName: c.s.DeclaredName, DeclaredAddress: declaredOf(t, *c.s),
			MaxAgeDays: synth.MaxAgeDays, Now: synth.Now})
		if err != nil {
			t.Fatal(err)
		}
		got := false
		for _, r := range res.Reasons {
			got = got || r.Code == ReasonTextLayerMismatch
		}
		if got != c.mismatch {
			t.Errorf("%s (hostile %q): text_layer_mismatch = %v, want %v; reasons %+v", c.s.ID, c.s.Hostile, got, c.mismatch, res.Reasons)
		}
		if c.mismatch && res.Status != StatusRejected {
			t.Errorf("%s: doctored PDF %s, want rejected", c.s.ID, res.Status)
		}
		if res.OCR.Engine != "text_layer+tesseract" {
			t.Errorf("%s: engine %q", c.s.ID, res.OCR.Engine)
		}
	}
}
