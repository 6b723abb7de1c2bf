package document

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"time"

	"github.com/kycd/kycd/checks/document/ocrb"
	"github.com/kycd/kycd/checks/mrz"
)

// Version is the document engine's version, reported with every result.
const Version = "0.1.0"

// OCR back-ends selectable in Config.OCR.
const (
	// OCRAuto uses the OCR-B classifier and, in builds with the tesseract
	// tag, falls back to Tesseract for zones the classifier cannot validate.
	OCRAuto = "auto"
	// OCRClassifier uses only the pure-Go OCR-B classifier.
	OCRClassifier = "ocrb"
	// OCRTesseract uses only Tesseract (needs the tesseract build tag).
	OCRTesseract = "tesseract"
)

// ErrNoTesseract is returned when Tesseract is asked for in a build without
// the tesseract tag.
var ErrNoTesseract = errors.New("OCR not available in this build: Tesseract needs the 'tesseract' build tag (go build -tags tesseract) and libtesseract")

// Config sets the engine's limits and back-ends. The zero value is usable.
type Config struct {
	// MaxBytes is the largest accepted image file (default 15 MB).
	MaxBytes int64
	// MaxPixels is the largest accepted width×height, checked from the
	// header before decoding (default 40 MP).
	MaxPixels int64
	// MaxImages caps images per Analyze call (default 4).
	MaxImages int
	// OCR selects the back-end: OCRAuto (default), OCRClassifier or OCRTesseract.
	OCR string
	// TessdataPrefix overrides Tesseract's data directory (tesseract builds only).
	TessdataPrefix string
	// TesseractLanguage is the traineddata to load (default "eng").
	TesseractLanguage string
	// MinConfidence is the lowest classifier confidence accepted for a
	// character that no check digit protects (names, state codes, sex);
	// below it a check-digit-valid reading is sent to review (default 0.5).
	MinConfidence float64
	// AllowSpecimen accepts ICAO's fictional state UTO (specimens, tests).
	AllowSpecimen bool
	// Now is the clock for expiry and age (default time.Now).
	Now func() time.Time
}

// Engine reads identity documents. It is safe for concurrent use: the
// classifier is read-only and Tesseract clients are pooled.
type Engine struct {
	cfg     Config
	model   *ocrb.Model
	modelID string
	tess    *tesseract // nil when Tesseract is not used
	viz     *vizOCR    // nil without Tesseract: the printed dates are not read
	mrzOpts []mrz.Option
}

// NewEngine validates cfg and loads the OCR back-ends.
func NewEngine(cfg Config) (*Engine, error) {
	if cfg.MaxBytes == 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxPixels == 0 {
		cfg.MaxPixels = DefaultMaxPixels
	}
	if cfg.MaxImages == 0 {
		cfg.MaxImages = 4
	}
	if cfg.MaxBytes < 0 || cfg.MaxPixels < 0 || cfg.MaxImages < 0 {
		return nil, errors.New("document config: limits must not be negative")
	}
	if cfg.OCR == "" {
		cfg.OCR = OCRAuto
	}
	if cfg.MinConfidence == 0 {
		cfg.MinConfidence = 0.5
	}
	if cfg.MinConfidence < 0 || cfg.MinConfidence > 1 {
		return nil, fmt.Errorf("document config: min confidence %v outside 0–1", cfg.MinConfidence)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	e := &Engine{cfg: cfg}
	switch cfg.OCR {
	case OCRAuto, OCRClassifier:
		m, err := ocrb.DefaultModel()
		if err != nil {
			return nil, fmt.Errorf("load ocr-b model: %w", err)
		}
		e.model = m
		sum := sha256.Sum256(ocrbModelBytes())
		e.modelID = "ocrb-mlp-" + hex.EncodeToString(sum[:4])
	case OCRTesseract:
	default:
		return nil, fmt.Errorf("document config: unknown OCR back-end %q (want auto, ocrb or tesseract)", cfg.OCR)
	}
	if cfg.OCR == OCRTesseract || cfg.OCR == OCRAuto {
		t, err := newTesseract(cfg)
		switch {
		case err == nil:
			e.tess = t
		case cfg.OCR == OCRTesseract:
			return nil, err
		}
	}
	if v, err := newVizOCR(cfg); err == nil {
		e.viz = v // the printed dates are compared with the MRZ only where Tesseract is linked
	}
	e.mrzOpts = []mrz.Option{mrz.WithClock(cfg.Now)}
	if cfg.AllowSpecimen {
		e.mrzOpts = append(e.mrzOpts, mrz.WithSpecimenCodes())
	}
	return e, nil
}

// Available reports whether the engine can read documents; it fails only
// when the configured back-end is missing.
func (e *Engine) Available() error {
	if e.model == nil && e.tess == nil {
		return errors.New("document engine: no OCR back-end available")
	}
	return nil
}

// Info names the engine and model versions used, so every result can be
// reproduced.
type Info struct {
	Engine    string `json:"engine"`
	Version   string `json:"version"`
	OCR       string `json:"ocr"`
	Model     string `json:"model,omitempty"`
	Tesseract string `json:"tesseract,omitempty"`
}

func (e *Engine) info(ocr string) Info {
	in := Info{Engine: "kycd-document", Version: Version, OCR: ocr}
	if e.model != nil {
		in.Model = e.modelID
	}
	if e.tess != nil {
		in.Tesseract = e.tess.version
	}
	return in
}

// ReadMRZ decodes one image and returns its MRZ. The result is nil (with a
// nil error) when no MRZ was found; a result whose checks disagree is the
// best reading found. Bad images return an *InputError.
func (e *Engine) ReadMRZ(ctx context.Context, imageBytes []byte) (*mrz.Result, error) {
	img, _, err := decodeImage(ctx, imageBytes, e.cfg.MaxBytes, e.cfg.MaxPixels, "image")
	if err != nil {
		return nil, err
	}
	rd, err := e.readMRZ(ctx, img)
	if err != nil || rd == nil {
		return nil, err
	}
	return rd.res, nil
}

// MRZReading is the detailed outcome of reading one image, for benches and
// audits: what the OCR saw before repair and how hard the search was.
type MRZReading struct {
	Result *mrz.Result `json:"result"`
	// Raw are the OCR's lines before check-digit-guided repair.
	Raw []string `json:"raw"`
	// ChecksOK is true when every check digit agrees.
	ChecksOK   bool    `json:"checks_ok"`
	Confidence float64 `json:"confidence"`
	// MinUnprotectedConfidence is the lowest confidence of a character no
	// check digit covers; Trusted is ChecksOK with it at or above
	// Config.MinConfidence: the reading Analyze would pass.
	MinUnprotectedConfidence float64 `json:"min_unprotected_confidence"`
	Trusted                  bool    `json:"trusted"`
	OCR                      string  `json:"ocr"`
	// Box is the MRZ's box in the (EXIF-oriented) image.
	Box image.Rectangle `json:"box"`
	// Attempts counts the readings tried (zones × orientations × back-ends).
	Attempts int `json:"attempts"`
}

// ReadMRZDetail is ReadMRZ with the reading's details; nil when no MRZ was found.
func (e *Engine) ReadMRZDetail(ctx context.Context, imageBytes []byte) (*MRZReading, error) {
	img, _, err := decodeImage(ctx, imageBytes, e.cfg.MaxBytes, e.cfg.MaxPixels, "image")
	if err != nil {
		return nil, err
	}
	rd, err := e.readMRZ(ctx, img)
	if err != nil || rd == nil {
		return nil, err
	}
	ok := checksOK(rd.res)
	return &MRZReading{Result: rd.res, Raw: rd.raw, ChecksOK: ok, Confidence: rd.conf,
		MinUnprotectedConfidence: rd.minConf, Trusted: e.trusted(rd),
		OCR: rd.ocr, Box: rd.box, Attempts: rd.tries}, nil
}

func ocrbModelBytes() []byte { return ocrb.ModelBytes() }
