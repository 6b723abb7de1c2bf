//go:build !tesseract

package document

import (
	"context"
	"image"
)

// vizOCR is unavailable without Tesseract: the printed dates are not read.
type vizOCR struct{}

func newVizOCR(Config) (*vizOCR, error) { return nil, ErrNoTesseract }

func (v *vizOCR) text(context.Context, image.Image, image.Rectangle, float64) (string, error) {
	return "", ErrNoTesseract
}
