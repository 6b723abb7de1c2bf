package tools

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/kycd/kycd/checks/imaging"
)

// Upload limits shared by every image-taking tool: checks/imaging's, which the engines
// apply again when they decode.
const (
	// DefaultMaxImageBytes is the largest image file accepted (15 MB).
	DefaultMaxImageBytes = imaging.DefaultMaxBytes
	// MaxImagePixels refuses decompression bombs from the header alone, before decoding.
	MaxImagePixels = imaging.DefaultMaxPixels
)

// imageTypes are the media types a data URL may declare.
var imageTypes = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true}

// decodeImage turns an upload — plain base64 (standard or URL alphabet, padded or not,
// line breaks allowed) or a data URL ("data:image/jpeg;base64,…") — into image bytes,
// refusing anything over maxBytes (0 = DefaultMaxImageBytes), anything that is not a JPEG,
// PNG or WebP by its content (the declared type must agree), and whatever checks/imaging's
// header guards refuse: headers that do not parse, more than MaxImagePixels, or more memory
// to decode than one image may take. Every refusal is an *Error naming field.
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
		if !imageTypes[declared] {
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
	if sniffed := imaging.Sniff(data); declared != "" && sniffed != "" && declared != sniffed {
		return nil, invalid(field, "is declared %s but its content is %s", declared, sniffed)
	}
	if _, err := imaging.Inspect(data, field, imaging.Limits{MaxBytes: int64(maxBytes)}); err != nil {
		return nil, imageError(field, err)
	}
	return data, nil
}

// imageError turns a checks/imaging refusal into the tool error for field: over a size or
// pixel limit is too_large (413); anything else about the image, including a decode that
// would take more memory than one image may, is invalid_argument (422). Other errors pass.
func imageError(field string, err error) error {
	var ie *imaging.Error
	if !errors.As(err, &ie) {
		return err
	}
	switch ie.Code {
	case imaging.CodeTooLarge, imaging.CodeTooMany:
		return Errorf(CodeTooLarge, field, "%s", ie.Message)
	}
	return invalid(field, "%s", ie.Message)
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

// byteSize renders a size for a person: exact bytes below 1 MB, else megabytes.
func byteSize(n int) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
