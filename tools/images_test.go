package tools

import (
	"bytes"
	"encoding/base64"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func encodedPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func encodedJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 16, 16))
	img.Set(3, 3, color.Gray{Y: 200})
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, nil))
	return buf.Bytes()
}

// pngHeader is a PNG signature and IHDR chunk claiming w×h pixels, with no image data:
// enough for DecodeConfig, the shape of a decompression bomb.
func pngHeader(w, h uint32) []byte { return pngHeaderOf(w, h, 8, 2) } // 8-bit RGB

func pngHeaderOf(w, h uint32, depth, colour byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := []byte{'I', 'H', 'D', 'R', byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w),
		byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h), depth, colour, 0, 0, 0}
	b.Write([]byte{0, 0, 0, 13})
	b.Write(chunk)
	c := crc32.ChecksumIEEE(chunk)
	b.Write([]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})
	return b.Bytes()
}

func TestDecodeImage(t *testing.T) {
	t.Parallel()
	pngBytes := encodedPNG(t, 20, 10)
	jpgBytes := encodedJPEG(t)
	std := base64.StdEncoding.EncodeToString(pngBytes)
	urlRaw := base64.RawURLEncoding.EncodeToString(pngBytes)
	var wrapped strings.Builder
	for i := 0; i < len(std); i += 60 {
		wrapped.WriteString(std[i:min(i+60, len(std))] + "\r\n")
	}
	ok := []struct {
		name, in string
		want     []byte
	}{
		{"standard base64", std, pngBytes},
		{"url-safe unpadded", urlRaw, pngBytes},
		{"line-wrapped", wrapped.String(), pngBytes},
		{"data url", "data:image/png;base64," + std, pngBytes},
		{"data url with parameters, any case", "data:IMAGE/JPEG;name=selfie.jpg;BASE64," + base64.StdEncoding.EncodeToString(jpgBytes), jpgBytes},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeImage("image", tc.in, 0)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}

	bad := []struct {
		name, in string
		max      int
		code     Code
		msg      string
	}{
		{"empty", "  ", 0, CodeInvalidArgument, "is empty"},
		{"not base64", "@@@@not-base64@@@@", 0, CodeInvalidArgument, "not valid base64"},
		{"text, not an image", base64.StdEncoding.EncodeToString([]byte("hello, I am a text file")), 0, CodeInvalidArgument, "not a JPEG, PNG or WebP"},
		{"gif", base64.StdEncoding.EncodeToString([]byte("GIF89a\x01\x00\x01\x00")), 0, CodeInvalidArgument, "not a JPEG, PNG or WebP"},
		{"data url without base64", "data:image/png," + std, 0, CodeInvalidArgument, "base64-encoded"},
		{"data url without comma", "data:image/png;base64", 0, CodeInvalidArgument, "no comma"},
		{"data url of another type", "data:text/plain;base64," + std, 0, CodeInvalidArgument, `"text/plain" is not accepted`},
		{"declared jpeg, content png", "data:image/jpeg;base64," + std, 0, CodeInvalidArgument, "declared image/jpeg but its content is image/png"},
		{"truncated header", base64.StdEncoding.EncodeToString(pngBytes[:12]), 0, CodeInvalidArgument, "header does not parse"},
		{"over the byte limit", std, 100, CodeTooLarge, "the limit is 100 bytes"},
		{"far over the limit, refused before decoding", strings.Repeat("A", 4<<20), 1 << 20, CodeTooLarge, "limit is 1.0 MB"},
		{"decompression bomb", base64.StdEncoding.EncodeToString(pngHeader(100000, 100000)), 0, CodeTooLarge, "megapixels"},
		// #17: within the pixel limit, but 16-bit RGBA costs 320 MB to decode.
		{"too much memory to decode", base64.StdEncoding.EncodeToString(pngHeaderOf(6324, 6324, 16, 6)), 0, CodeInvalidArgument, "16-bit RGBA PNG"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := decodeImage("frames[3]", tc.in, tc.max)
			te := AsError(err)
			require.NotNil(t, te, "want a tool error, got %v", err)
			require.Equal(t, tc.code, te.Code, te.Message)
			require.Equal(t, "frames[3]", te.Field)
			require.Contains(t, te.Message, tc.msg)
		})
	}
}
