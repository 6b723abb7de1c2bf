package document

import (
	"context"
	"errors"
	"image"

	"github.com/kycd/kycd/checks/imaging"
)

// Default input limits: checks/imaging's, which every image-taking engine shares.
const (
	DefaultMaxBytes  = imaging.DefaultMaxBytes
	DefaultMaxPixels = imaging.DefaultMaxPixels
)

// Bad-input error codes carried by *InputError. The image codes are checks/imaging's.
const (
	ErrCodeEmpty       = imaging.CodeEmpty
	ErrCodeTooLarge    = imaging.CodeTooLarge
	ErrCodeTooManyPix  = imaging.CodeTooMany
	ErrCodeTooMuchMem  = imaging.CodeTooMuch
	ErrCodeBadFormat   = imaging.CodeBadFormat
	ErrCodeCorrupt     = imaging.CodeCorrupt
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

// decodeImage decodes an upright image with checks/imaging's guards and memory budget (a
// 50 KB PNG can claim 100 000 × 100 000 pixels, or cost 600 MB at 16 bits), and turns its
// refusals into *InputError, this engine's error for what the caller can fix. The MRZ
// search tries all four rotations anyway, so a broken EXIF block reads as upright.
func decodeImage(ctx context.Context, data []byte, maxBytes, maxPixels int64, field string) (image.Image, string, error) {
	img, h, err := imaging.Decode(ctx, data, field, imaging.Limits{MaxBytes: maxBytes, MaxPixels: maxPixels})
	var ie *imaging.Error
	if errors.As(err, &ie) {
		return nil, "", &InputError{Code: ie.Code, Field: ie.Field, Message: ie.Message}
	}
	if err != nil {
		return nil, "", err
	}
	return img, h.Format, nil
}
