package tools

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/jpeg" // the formats uploads arrive in; registered for the header check
	_ "image/png"
	"strings"

	_ "golang.org/x/image/webp"
)

// Upload limits shared by every image-taking tool.
const (
	// DefaultMaxImageBytes is the largest decoded image accepted (15 MB): a 48-megapixel
	// phone JPEG is 8–12 MB, so no honest photo needs more.
	DefaultMaxImageBytes = 15 << 20
	// MaxImagePixels refuses decompression bombs from the header alone, before decoding.
	MaxImagePixels = 40_000_000
)

// imageTypes maps the image/* media types we accept to image.DecodeConfig's format names.
var imageTypes = map[string]string{"image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp"}

// decodeImage turns an upload — plain base64 (standard or URL alphabet, padded or not,
// line breaks allowed) or a data URL ("data:image/jpeg;base64,…") — into image bytes,
// refusing anything over maxBytes (0 = DefaultMaxImageBytes), anything that is not a JPEG,
// PNG or WebP by its content (the declared type must agree), and headers that do not parse
// or promise more than MaxImagePixels. Every refusal is an *Error naming field.
func decodeImage(field, value string, maxBytes int) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxImageBytes
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, invalid(field, "is empty; send the image as base64 or a data URL (data:image/jpeg;base64,…)")
	}
	declared := ""
	if strings.HasPrefix(value, "data:") {
		meta, payload, ok := strings.Cut(value[len("data:"):], ",")
		if !ok {
			return nil, invalid(field, "data URL has no comma before the data")
		}
		parts := strings.Split(meta, ";")
		declared = strings.ToLower(strings.TrimSpace(parts[0]))
		isBase64 := false
		for _, p := range parts[1:] {
			if strings.EqualFold(strings.TrimSpace(p), "base64") {
				isBase64 = true
			}
		}
		if !isBase64 {
			return nil, invalid(field, "data URL must be base64-encoded (data:image/jpeg;base64,…)")
		}
		if _, ok := imageTypes[declared]; !ok {
			return nil, invalid(field, "data URL type %q is not accepted; send image/jpeg, image/png or image/webp", declared)
		}
		value = payload
	}
	// Encoded size bounds the decoded size: refuse before allocating for a huge upload.
	if est := base64.StdEncoding.DecodedLen(len(value)); est > maxBytes+maxBytes/64+16 {
		return nil, Errorf(CodeTooLarge, field, "is about %s; the limit is %s", byteSize(est), byteSize(maxBytes))
	}
	data, err := decodeBase64(value)
	if err != nil {
		return nil, invalid(field, "is not valid base64: %v", err)
	}
	if len(data) > maxBytes {
		return nil, Errorf(CodeTooLarge, field, "is %s; the limit is %s", byteSize(len(data)), byteSize(maxBytes))
	}
	sniffed := sniffImage(data)
	if sniffed == "" {
		return nil, invalid(field, "is not a JPEG, PNG or WebP image (%d bytes starting %q)", len(data), printable(data[:min(8, len(data))]))
	}
	if declared != "" && declared != sniffed {
		return nil, invalid(field, "is declared %s but its content is %s", declared, sniffed)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, invalid(field, "the %s header does not parse: %v", sniffed, err)
	}
	if format != imageTypes[sniffed] {
		return nil, invalid(field, "content looks like %s but decodes as %s", sniffed, format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, invalid(field, "image has no pixels (%d×%d)", cfg.Width, cfg.Height)
	}
	if cfg.Width*cfg.Height > MaxImagePixels {
		return nil, Errorf(CodeTooLarge, field, "is %d×%d pixels; the limit is %d megapixels", cfg.Width, cfg.Height, MaxImagePixels/1_000_000)
	}
	return data, nil
}

// decodeBase64 accepts the standard and URL-safe alphabets, with or without padding, and
// ignores white space (PEM-style line breaks are common in pasted uploads).
func decodeBase64(s string) ([]byte, error) {
	if strings.ContainsAny(s, " \t\r\n") {
		s = strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\t', '\r', '\n':
				return -1
			}
			return r
		}, s)
	}
	if strings.ContainsAny(s, "-_") {
		s = strings.NewReplacer("-", "+", "_", "/").Replace(s)
	}
	s = strings.TrimRight(s, "=")
	return base64.RawStdEncoding.Strict().DecodeString(s)
}

// sniffImage returns the media type of JPEG, PNG or WebP content by its magic bytes.
func sniffImage(b []byte) string {
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

// byteSize renders a size for a person: exact bytes below 1 MB, else megabytes.
func byteSize(n int) string {
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
