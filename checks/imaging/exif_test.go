package imaging

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/internal/testfiles"
)

// exifSegment builds an APP1 Exif segment whose IFD0 holds an unrelated tag, then the
// orientation.
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
		name string
		seg  []byte
		want Orientation
		err  string
	}{
		{"none", nil, 1, ""},
		{"little-endian 6", exifSegment(binary.LittleEndian, 6), 6, ""},
		{"big-endian 3", exifSegment(binary.BigEndian, 3), 3, ""},
		{"big-endian 8", exifSegment(binary.BigEndian, 8), 8, ""},
		{"upright", exifSegment(binary.BigEndian, 1), 1, ""},
		{"out of range", exifSegment(binary.LittleEndian, 9), 1, "out of range"},
		{"truncated tiff", func() []byte {
			s := exifSegment(binary.LittleEndian, 6)[:14]
			binary.BigEndian.PutUint16(s[2:], uint16(len(s)-2))
			return s
		}(), 1, "truncated"},
		{"other app1", []byte{0xFF, 0xE1, 0, 6, 'h', 't', 't', 'p'}, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := JPEGOrientation(jpegWith(t, tc.seg))
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestJPEGOrientationBadInput(t *testing.T) {
	t.Parallel()
	_, err := JPEGOrientation([]byte("\x89PNG\r\n"))
	require.ErrorContains(t, err, "not a JPEG")
	_, err = JPEGOrientation([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF})
	require.ErrorContains(t, err, "bad length")
	_, err = JPEGOrientation([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0x00, 'E'})
	require.ErrorContains(t, err, "overruns")
	o, err := JPEGOrientation([]byte{0xFF, 0xD8, 0xFF, 0xD9})
	require.NoError(t, err, "no EXIF is upright, not an error")
	require.Equal(t, Orientation(1), o)
}

func TestJPEGOrientationNeverPanicsOnTruncation(t *testing.T) {
	t.Parallel()
	full := jpegWith(t, exifSegment(binary.LittleEndian, 6))
	for n := 0; n < len(full); n++ {
		_, _ = JPEGOrientation(full[:n])
		_, _ = Inspect(full[:n], "image", Limits{})
	}
}

// The Silent-Face samples are stored sideways with orientation 6.
func TestSilentFaceSamplesCarryOrientation6(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"image_T1.jpg", "image_F1.jpg", "image_F2.jpg"} {
		data, err := os.ReadFile(testfiles.Path(t, "faces", "Silent-Face-Anti-Spoofing", "images", "sample", n))
		require.NoError(t, err)
		o, err := JPEGOrientation(data)
		require.NoError(t, err, n)
		require.Equal(t, Orientation(6), o, n)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		require.NoError(t, err)
		img, h, err := Decode(context.Background(), data, "image", Limits{})
		require.NoError(t, err)
		require.Equal(t, Orientation(6), h.Orientation)
		// Orientation 6 swaps width and height.
		require.Equal(t, cfg.Height, img.Bounds().Dx(), n)
		require.Equal(t, cfg.Width, img.Bounds().Dy(), n)
	}
}

func TestOrientSource(t *testing.T) {
	t.Parallel()
	// The displayed rows of the stored 3×2 image [[0 1 2] [10 11 12]] (value 10y+x).
	want := map[Orientation][][]int{
		1: {{0, 1, 2}, {10, 11, 12}},
		2: {{2, 1, 0}, {12, 11, 10}},
		3: {{12, 11, 10}, {2, 1, 0}},
		4: {{10, 11, 12}, {0, 1, 2}},
		5: {{0, 10}, {1, 11}, {2, 12}},
		6: {{10, 0}, {11, 1}, {12, 2}},
		7: {{12, 2}, {11, 1}, {10, 0}},
		8: {{2, 12}, {1, 11}, {0, 10}},
	}
	for o, rows := range want {
		w, h := o.Size(3, 2)
		require.Equal(t, len(rows), h, "orientation %d", o)
		require.Equal(t, len(rows[0]), w, "orientation %d", o)
		for y, row := range rows {
			for x, v := range row {
				sx, sy := o.Source(x, y, 3, 2)
				require.Equal(t, v, 10*sy+sx, "orientation %d at (%d,%d)", o, x, y)
			}
		}
	}
}

// TestDecodeAppliesOrientation checks where the black half ends up.
func TestDecodeAppliesOrientation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		o            uint16
		w, h         int
		darkX, darkY int
		lightX       int
		lightY       int
	}{
		{1, 40, 20, 5, 10, 35, 10},
		{3, 40, 20, 35, 10, 5, 10}, // 180°: black half moves right
		{6, 20, 40, 10, 5, 10, 35}, // 90° clockwise: left half moves to the top
		{8, 20, 40, 10, 35, 10, 5}, // 90° counter-clockwise: to the bottom
		{2, 40, 20, 35, 10, 5, 10}, // mirrored
	} {
		data := jpegWith(t, exifSegment(binary.LittleEndian, tc.o))
		img, h, err := Decode(context.Background(), data, "image", Limits{})
		require.NoError(t, err)
		require.Equal(t, "jpeg", h.Format)
		require.Equal(t, tc.w, img.Bounds().Dx(), "orientation %d", tc.o)
		require.Equal(t, tc.h, img.Bounds().Dy(), "orientation %d", tc.o)
		dark, _, _, _ := img.At(tc.darkX, tc.darkY).RGBA()
		light, _, _, _ := img.At(tc.lightX, tc.lightY).RGBA()
		require.Less(t, dark, uint32(0x4000), "orientation %d: (%d,%d) should be dark", tc.o, tc.darkX, tc.darkY)
		require.Greater(t, light, uint32(0xC000), "orientation %d: (%d,%d) should be light", tc.o, tc.lightX, tc.lightY)
	}
}

// Stray bytes between segments are skipped, as image/jpeg does, so a photo the decoder reads
// is not refused by the header walk.
func TestJPEGSegmentsSkipStrayBytes(t *testing.T) {
	t.Parallel()
	data := jpegWith(t, append(exifSegment(binary.BigEndian, 6), 0x00, 0x00))
	o, err := JPEGOrientation(data)
	require.NoError(t, err)
	require.Equal(t, Orientation(6), o)
	h, err := Inspect(data, "image", Limits{})
	require.NoError(t, err)
	require.Equal(t, Orientation(6), h.Orientation)
	require.Positive(t, h.Memory)
}
