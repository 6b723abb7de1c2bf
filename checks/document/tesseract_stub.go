//go:build !tesseract

package document

import (
	"context"

	"github.com/kycd/kycd/checks/document/ocrb"
)

// TesseractAvailable reports whether this build links Tesseract.
const TesseractAvailable = false

type tesseract struct{ version string }

func newTesseract(Config) (*tesseract, error) { return nil, ErrNoTesseract }

func (t *tesseract) read(context.Context, *ocrb.Gray, ocrb.Zone) ([]string, float64, float64, error) {
	return nil, 0, 0, ErrNoTesseract
}

// TesseractThreadsLimited is true in builds without Tesseract: there is no
// OpenMP to limit.
func TesseractThreadsLimited() bool { return true }
