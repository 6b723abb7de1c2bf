package document

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/stretchr/testify/require"
)

// exifSegment builds an APP1 Exif segment whose IFD0 holds one orientation entry.
func exifSegment(order binary.ByteOrder, orientation uint16) []byte {
	var t bytes.Buffer
	if order == binary.LittleEndian {
		t.WriteString("II")
	} else {
		t.WriteString("MM")
	}
	_ = binary.Write(&t, order, uint16(42))
	_ = binary.Write(&t, order, uint32(8))
	_ = binary.Write(&t, order, uint16(2)) // two entries: an unrelated tag first
	for _, e := range [][3]uint32{{0x010F, 2, 0}, {0x0112, 3, uint32(orientation)}} {
		_ = binary.Write(&t, order, uint16(e[0]))
		_ = binary.Write(&t, order, uint16(e[1]))
		_ = binary.Write(&t, order, uint32(1))
		if e[0] == 0x0112 {
			_ = binary.Write(&t, order, uint16(e[2]))
			_ = binary.Write(&t, order, uint16(0))
		} else {
			_ = binary.Write(&t, order, uint32(0))
		}
	}
	_ = binary.Write(&t, order, uint32(0))
	payload := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// jpegWith encodes a 40×20 image with a black left half and inserts seg after SOI.
func jpegWith(t *testing.T, seg []byte) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 40, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 40; x++ {
			v := uint8(255)
			if x < 20 {
				v = 0
			}
			img.SetGray(x, y, color.Gray{v})
		}
	}
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, img, &jpeg.Options{Quality: 95}))
	data := b.Bytes()
	out := append([]byte{}, data[:2]...)
	out = append(out, seg...)
	return append(out, data[2:]...)
}

func TestJPEGOrientation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		seg     []byte
		want    int
		wantErr bool
	}{
		{"none", nil, 1, false},
		{"little-endian 6", exifSegment(binary.LittleEndian, 6), 6, false},
		{"big-endian 3", exifSegment(binary.BigEndian, 3), 3, false},
		{"big-endian 8", exifSegment(binary.BigEndian, 8), 8, false},
		{"out of range", exifSegment(binary.LittleEndian, 9), 1, true},
		{"truncated tiff", func() []byte {
			s := exifSegment(binary.LittleEndian, 6)[:14]
			binary.BigEndian.PutUint16(s[2:], uint16(len(s)-2))
			return s
		}(), 1, true},
		{"other app1", []byte{0xFF, 0xE1, 0, 6, 'h', 't', 't', 'p'}, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := JPEGOrientation(jpegWith(t, tc.seg))
			if tc.wantErr {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestJPEGOrientationNotJPEG(t *testing.T) {
	t.Parallel()
	_, err := JPEGOrientation([]byte("\x89PNG\r\n"))
	require.ErrorContains(t, err, "not a JPEG")
	_, err = JPEGOrientation([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF})
	require.ErrorContains(t, err, "bad length")
}

// TestDecodeAppliesOrientation checks where the black half ends up.
func TestDecodeAppliesOrientation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		o      uint16
		w, h   int
		darkX  int // a column expected dark
		darkY  int
		lightX int
		lightY int
	}{
		{1, 40, 20, 5, 10, 35, 10},
		{3, 40, 20, 35, 10, 5, 10}, // 180°: black half moves right
		{6, 20, 40, 10, 5, 10, 35}, // 90° clockwise: left half moves to the top
		{8, 20, 40, 10, 35, 10, 5}, // 90° counter-clockwise: to the bottom
		{2, 40, 20, 35, 10, 5, 10}, // mirrored
	} {
		data := jpegWith(t, exifSegment(binary.LittleEndian, tc.o))
		img, format, err := decodeImage(data, DefaultMaxBytes, DefaultMaxPixels, "image")
		require.NoError(t, err)
		require.Equal(t, "jpeg", format)
		require.Equal(t, tc.w, img.Bounds().Dx(), "orientation %d", tc.o)
		require.Equal(t, tc.h, img.Bounds().Dy(), "orientation %d", tc.o)
		dark, _, _, _ := img.At(tc.darkX, tc.darkY).RGBA()
		light, _, _, _ := img.At(tc.lightX, tc.lightY).RGBA()
		require.Less(t, dark, uint32(0x4000), "orientation %d: (%d,%d) should be dark", tc.o, tc.darkX, tc.darkY)
		require.Greater(t, light, uint32(0xC000), "orientation %d: (%d,%d) should be light", tc.o, tc.lightX, tc.lightY)
	}
}
