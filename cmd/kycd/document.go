package main

import (
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/verify"
)

// DocumentSettings configure the document check.
type DocumentSettings struct {
	// OCR is the back-end: auto, ocrb or tesseract.
	OCR string
	// Countries and Types restrict the documents accepted (comma-separated; empty = any).
	Countries string
	Types     string
}

func (s *DocumentSettings) check(only []string) error {
	if len(only) > 0 && !contains(only, "document-ocr") {
		return nil
	}
	if !slices.Contains([]string{document.OCRAuto, document.OCRClassifier, document.OCRTesseract}, s.OCR) {
		return fmt.Errorf("document-ocr: %q is not auto, ocrb or tesseract", s.OCR)
	}
	if s.OCR == document.OCRTesseract && !document.TesseractAvailable {
		return fmt.Errorf("document-ocr: tesseract needs a build with -tags tesseract (scripts/setup/document.sh installs it)")
	}
	for _, c := range splitList(s.Countries) {
		if _, ok := mrz.CountryName(c); !ok {
			return fmt.Errorf("document-countries: %q is not an ICAO state code (alpha-3, D for Germany)", c)
		}
	}
	if _, err := verify.MRZDocTypes(s.types()); err != nil {
		return fmt.Errorf("document-types: %w", err)
	}
	return nil
}

// types are the --document-types, lower-cased (splitList upper-cases, for state codes).
func (s *DocumentSettings) types() []string {
	types := splitList(s.Types)
	for i := range types {
		types[i] = strings.ToLower(types[i])
	}
	return types
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.ToUpper(f))
	}
	return out
}

// startDocuments loads the document engine (pure Go, so it is always available).
func startDocuments(s DocumentSettings, store *db.Store, logger *slog.Logger) (*verify.Documents, error) {
	d, err := verify.NewDocuments(store, verify.DocumentsConfig{Engine: document.Config{OCR: s.OCR},
		AllowedCountries: splitList(s.Countries), AllowedDocTypes: s.types()}, logger)
	if err != nil {
		return nil, fmt.Errorf("document engine: %w", err)
	}
	if !document.TesseractThreadsLimited() {
		logger.Warn("OMP_THREAD_LIMIT is not 1: Tesseract's threads will compete with the workers for the cores")
	}
	return d, nil
}

// limitOpenMP re-executes kycd with OMP_THREAD_LIMIT=1 when Tesseract is linked and the
// variable is unset: libgomp reads it when the library loads, before any Go code runs, so
// setting it from Go is too late (measured 317 ms → 128 ms per MRZ with the limit).
func limitOpenMP() {
	if !document.TesseractAvailable || os.Getenv("OMP_THREAD_LIMIT") != "" {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	env := append(os.Environ(), "OMP_THREAD_LIMIT=1")
	_ = syscall.Exec(exe, os.Args, env) // returns only on failure: then run as we are
}
