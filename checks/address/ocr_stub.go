//go:build !tesseract

package address

import (
	"context"
	"image"
)

// TesseractAvailable reports whether this build links Tesseract.
const TesseractAvailable = false

type noOCR struct{}

func newOCR() (ocrEngine, error) { return noOCR{}, nil }

func (noOCR) Version() string { return "" }

func (noOCR) Read(context.Context, image.Image, string) (page, error) { return page{}, errNoOCR }
