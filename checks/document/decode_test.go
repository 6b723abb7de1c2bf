package document

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// pngHeaderOnly forges an 8-bit greyscale PNG whose IHDR claims w×h pixels: a
// decompression bomb as far as any header-trusting decoder is concerned.
func pngHeaderOnly(w, h uint32) []byte { return pngHeaderDepth(w, h, 8, 0) }

func pngHeaderDepth(w, h uint32, depth, colour byte) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = depth, colour
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestDecodeImageRejects(t *testing.T) {
	t.Parallel()
	var gifBuf bytes.Buffer
	require.NoError(t, gif.Encode(&gifBuf, image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black}), nil))
	var pngBuf bytes.Buffer
	require.NoError(t, png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 100, 100))))
	for _, tc := range []struct {
		name     string
		data     []byte
		maxBytes int64
		maxPix   int64
		code     string
	}{
		{"empty", nil, DefaultMaxBytes, DefaultMaxPixels, ErrCodeEmpty},
		{"too many bytes", pngBuf.Bytes(), 100, DefaultMaxPixels, ErrCodeTooLarge},
		{"bomb", pngHeaderOnly(100000, 100000), DefaultMaxBytes, DefaultMaxPixels, ErrCodeTooManyPix},
		{"too many pixels for config", pngBuf.Bytes(), DefaultMaxBytes, 9999, ErrCodeTooManyPix},
		{"gif not accepted", gifBuf.Bytes(), DefaultMaxBytes, DefaultMaxPixels, ErrCodeBadFormat},
		{"not an image", []byte("hello, world"), DefaultMaxBytes, DefaultMaxPixels, ErrCodeBadFormat},
		{"truncated png", pngBuf.Bytes()[:60], DefaultMaxBytes, DefaultMaxPixels, ErrCodeCorrupt},
		{"zero size", pngHeaderOnly(0, 10), DefaultMaxBytes, DefaultMaxPixels, ErrCodeCorrupt},
		{"16-bit RGBA within the pixel limit", pngHeaderDepth(6324, 6324, 16, 6), DefaultMaxBytes, DefaultMaxPixels, ErrCodeTooMuchMem},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := decodeImage(context.Background(), tc.data, tc.maxBytes, tc.maxPix, "images[0].bytes")
			var ie *InputError
			require.True(t, errors.As(err, &ie), "want *InputError, got %v", err)
			require.Equal(t, tc.code, ie.Code, ie.Message)
			require.Equal(t, "images[0].bytes", ie.Field)
		})
	}
}

func TestDecodeImageAcceptsPNG(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, image.NewGray(image.Rect(0, 0, 30, 20))))
	img, format, err := decodeImage(context.Background(), b.Bytes(), DefaultMaxBytes, DefaultMaxPixels, "image")
	require.NoError(t, err)
	require.Equal(t, "png", format)
	require.Equal(t, image.Rect(0, 0, 30, 20), img.Bounds())
}

func TestDecodeImageAcceptsWebP(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/gopher-doc.1bpp.lossless.webp")
	require.NoError(t, err)
	img, format, err := decodeImage(context.Background(), data, DefaultMaxBytes, DefaultMaxPixels, "image")
	require.NoError(t, err)
	require.Equal(t, "webp", format)
	require.False(t, img.Bounds().Empty())
}
