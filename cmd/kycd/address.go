package main

import (
	"fmt"
	"log/slog"

	"github.com/kycd/kycd/checks/address"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/verify"
)

// startAddress wires the proof-of-address engine. A machine without poppler-utils still
// reads photos (with -tags tesseract), and one without Tesseract still reads text-layer
// PDFs; the engine says which it could not do when a document needs it.
func startAddress(store *db.Store, logger *slog.Logger) (*verify.Address, error) {
	eng, err := address.NewEngine(address.Config{})
	if err != nil {
		return nil, fmt.Errorf("address engine: %w", err)
	}
	if !eng.PDFAvailable() {
		logger.Warn("poppler-utils (pdftotext, pdftoppm) not found: check_address refuses PDFs; run scripts/setup/address.sh")
	}
	if !eng.OCRAvailable() {
		logger.Info("this build has no Tesseract: check_address reads text-layer PDFs only (build with -tags tesseract)")
	}
	return verify.NewAddress(store, eng, verify.AddressOptions{}), nil
}
