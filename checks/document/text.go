package document

import (
	"context"
	"strings"
)

// ReadText reads the printed text of a whole image (an additional document of a flow: a bank
// card, a certificate) for the evidence, with the general-text Tesseract pool the printed
// dates use. ErrNoTesseract in a build without Tesseract; a bad image is an *InputError.
func (e *Engine) ReadText(ctx context.Context, imageBytes []byte) (string, error) {
	if e.viz == nil {
		return "", ErrNoTesseract
	}
	img, _, err := decodeImage(ctx, imageBytes, e.cfg.MaxBytes, e.cfg.MaxPixels, "image")
	if err != nil {
		return "", err
	}
	b := img.Bounds()
	// Tesseract reads body text best at roughly 2000 px across a page: small photos are
	// enlarged (at most twice), large ones reduced, so the time spent stays bounded.
	long := float64(max(b.Dx(), b.Dy()))
	scale := 1.0
	switch {
	case long > 2400:
		scale = 2400 / long
	case long > 0 && long < 1200:
		scale = min(2, 1200/long)
	}
	text, err := e.viz.text(ctx, img, b, scale)
	if err != nil {
		return "", err
	}
	lines := strings.Split(text, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n"), nil
}
