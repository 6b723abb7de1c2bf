package document

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // register JPEG
	_ "image/png"  // register PNG

	_ "golang.org/x/image/webp" // register WebP
)

// Default input limits.
const (
	DefaultMaxBytes  = 15 << 20
	DefaultMaxPixels = 40_000_000
	// maxSide refuses absurd aspect ratios that stay under the pixel budget
	// but would still make a single row or column huge.
	maxSide = 30000
)

// Bad-input error codes carried by *InputError.
const (
	ErrCodeEmpty       = "image_empty"
	ErrCodeTooLarge    = "image_too_large"
	ErrCodeTooManyPix  = "image_too_many_pixels"
	ErrCodeBadFormat   = "image_unsupported_format"
	ErrCodeCorrupt     = "image_corrupt"
	ErrCodeNoImages    = "no_images"
	ErrCodeBadSide     = "image_bad_side"
	ErrCodeTooManyImgs = "too_many_images"
	ErrCodeBadPolicy   = "policy_invalid"
)

// InputError is an error the caller can fix: a bad or oversized image.
// Field names the offending input (e.g. "images[1].bytes").
type InputError struct {
	Code, Field, Message string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Message }

var allowedFormats = map[string]bool{"jpeg": true, "png": true, "webp": true}

// decodeImage checks size, format and pixel count from the header before
// decoding (a 50 KB PNG can claim 100 000 × 100 000 pixels), then decodes and
// applies the JPEG EXIF orientation.
func decodeImage(data []byte, maxBytes int64, maxPixels int64, field string) (image.Image, string, error) {
	if len(data) == 0 {
		return nil, "", &InputError{ErrCodeEmpty, field, "image is empty"}
	}
	if int64(len(data)) > maxBytes {
		return nil, "", &InputError{ErrCodeTooLarge, field, fmt.Sprintf("image is %d bytes, the limit is %d", len(data), maxBytes)}
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if err == image.ErrFormat {
			return nil, "", &InputError{ErrCodeBadFormat, field, "image is not JPEG, PNG or WebP"}
		}
		return nil, "", &InputError{ErrCodeCorrupt, field, fmt.Sprintf("cannot read image header: %v", err)}
	}
	if !allowedFormats[format] {
		return nil, "", &InputError{ErrCodeBadFormat, field, fmt.Sprintf("image format %q is not accepted (JPEG, PNG or WebP)", format)}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, "", &InputError{ErrCodeCorrupt, field, fmt.Sprintf("image header gives size %d×%d", cfg.Width, cfg.Height)}
	}
	if cfg.Width > maxSide || cfg.Height > maxSide || int64(cfg.Width)*int64(cfg.Height) > maxPixels {
		return nil, "", &InputError{ErrCodeTooManyPix, field, fmt.Sprintf("image is %d×%d pixels, the limit is %d pixels (and %d per side)", cfg.Width, cfg.Height, maxPixels, maxSide)}
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, "", &InputError{ErrCodeCorrupt, field, fmt.Sprintf("cannot decode %s image: %v", format, err)}
	}
	if format == "jpeg" {
		// A broken EXIF block must not fail an otherwise readable photo:
		// the image is then read as stored, and the MRZ search tries all
		// four rotations anyway.
		if o, err := JPEGOrientation(data); err == nil {
			img = orient(img, o)
		}
	}
	return img, format, nil
}
