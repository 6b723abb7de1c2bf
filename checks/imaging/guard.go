package imaging

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // the formats uploads arrive in
	_ "image/png"
	"strings"

	_ "golang.org/x/image/webp"
)

// Default limits of one image.
const (
	// DefaultMaxBytes is the largest encoded image accepted (15 MB): a 48-megapixel phone
	// JPEG is 8–12 MB, so no honest photo needs more.
	DefaultMaxBytes = 15 << 20
	// DefaultMaxPixels refuses decompression bombs from the header alone.
	DefaultMaxPixels = 40_000_000
	// MaxSide refuses absurd aspect ratios that stay under the pixel limit but would still
	// make one row or column huge.
	MaxSide = 30000
	// DefaultMaxMemory is the most one decode may cost (see Header.Memory): a 40-megapixel
	// 8-bit RGBA PNG (160 MB) passes, the same pixels at 16 bits (320 MB) do not.
	DefaultMaxMemory = 192 << 20
)

// Codes of *Error, stable for callers that map them (to an HTTP status, a reason).
const (
	CodeEmpty     = "image_empty"
	CodeTooLarge  = "image_too_large"
	CodeTooMany   = "image_too_many_pixels"
	CodeTooSmall  = "image_too_small"
	CodeTooMuch   = "image_too_much_memory"
	CodeBadFormat = "image_unsupported_format"
	CodeCorrupt   = "image_corrupt"
)

// Error is a refusal the caller can fix: a bad, oversized or undersized image. Field names
// the input it came from when the caller gave one (e.g. "images[1].bytes").
type Error struct {
	Code, Field, Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func refuse(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Limits bound what Inspect and Decode accept. Zero fields take the defaults.
type Limits struct {
	MaxBytes  int64 // encoded size; 0 = DefaultMaxBytes
	MaxPixels int64 // width × height; 0 = DefaultMaxPixels
	MaxMemory int64 // estimated decode cost; 0 = DefaultMaxMemory, never above the process budget
	MinSide   int   // smallest width and height an engine can work with; 0 = 1
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxMemory <= 0 {
		l.MaxMemory = DefaultMaxMemory
	}
	l.MaxMemory = min(l.MaxMemory, MemoryBudget())
	l.MinSide = max(l.MinSide, 1)
	return l
}

// Header is what the guards learnt without decoding.
type Header struct {
	Format        string // jpeg, png or webp
	MediaType     string // image/jpeg, image/png or image/webp
	Width, Height int    // as stored, before orientation
	Orientation   Orientation
	// Memory is the estimated peak the decoder allocates for the pixels, from the header:
	// width × height × channels × bytes per sample as the Go decoder stores this format.
	Memory int64
}

var mediaTypes = map[string]string{"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}

// Sniff returns the media type of JPEG, PNG or WebP content by its magic bytes, or "".
func Sniff(b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "image/jpeg"
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return "image/webp"
	}
	return ""
}

// Inspect applies every guard that needs no pixels: size, format by content, a header that
// parses, sides and pixel count, and the estimated decode memory. Nothing proportional to
// the pixels is allocated, so a bomb costs its header. Every refusal is an *Error.
func Inspect(data []byte, field string, lim Limits) (Header, error) {
	lim = lim.withDefaults()
	if len(data) == 0 {
		return Header{}, refuse(CodeEmpty, field, "image is empty")
	}
	if int64(len(data)) > lim.MaxBytes {
		return Header{}, refuse(CodeTooLarge, field, "image is %s; the limit is %s", byteSize(int64(len(data))), byteSize(lim.MaxBytes))
	}
	sniffed := Sniff(data)
	if sniffed == "" {
		return Header{}, refuse(CodeBadFormat, field, "image is not a JPEG, PNG or WebP (%d bytes starting %q)", len(data), printable(data[:min(8, len(data))]))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Header{}, refuse(CodeCorrupt, field, "the %s header does not parse: %v", sniffed, err)
	}
	if mediaTypes[format] != sniffed {
		return Header{}, refuse(CodeBadFormat, field, "image content looks like %s but decodes as %s", sniffed, format)
	}
	h := Header{Format: format, MediaType: sniffed, Width: cfg.Width, Height: cfg.Height, Orientation: 1}
	if h.Width <= 0 || h.Height <= 0 {
		return Header{}, refuse(CodeCorrupt, field, "image header gives size %d×%d", h.Width, h.Height)
	}
	if h.Width > MaxSide || h.Height > MaxSide || int64(h.Width)*int64(h.Height) > lim.MaxPixels {
		return Header{}, refuse(CodeTooMany, field, "image is %d×%d pixels; the limit is %s megapixels and %d per side",
			h.Width, h.Height, megapixels(lim.MaxPixels), MaxSide)
	}
	if h.Width < lim.MinSide || h.Height < lim.MinSide {
		return Header{}, refuse(CodeTooSmall, field, "image is %d×%d pixels; at least %d×%d is needed", h.Width, h.Height, lim.MinSide, lim.MinSide)
	}
	var kind string
	if h.Memory, kind, err = estimate(format, data, h.Width, h.Height); err != nil {
		return Header{}, refuse(CodeCorrupt, field, "the %s header does not parse: %v", sniffed, err)
	}
	if h.Memory > lim.MaxMemory {
		return Header{}, refuse(CodeTooMuch, field, "image would take about %s of memory to decode (%d×%d %s); the limit is %s: send a smaller or 8-bit image",
			byteSize(h.Memory), h.Width, h.Height, kind, byteSize(lim.MaxMemory))
	}
	if format == "jpeg" {
		h.Orientation, _ = JPEGOrientation(data) // a broken EXIF block reads as upright
	}
	return h, nil
}

func megapixels(n int64) string {
	if n%1_000_000 == 0 {
		return fmt.Sprint(n / 1_000_000)
	}
	return fmt.Sprintf("%.2f", float64(n)/1e6)
}

// byteSize renders a size for a person: exact bytes below 1 MB, else megabytes.
func byteSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '.'
		}
		return r
	}, string(b))
}
