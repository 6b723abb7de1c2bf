package imaging

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/internal/testfiles"
)

// exifJPEG builds a minimal JPEG header with an APP1 Exif block whose IFD0
// holds the orientation tag, in the given byte order.
func exifJPEG(t *testing.T, bo binary.ByteOrder, orientation uint16) []byte {
	t.Helper()
	var tiff bytes.Buffer
	if bo == binary.LittleEndian {
		tiff.WriteString("II")
	} else {
		tiff.WriteString("MM")
	}
	w := func(v any) { require.NoError(t, binary.Write(&tiff, bo, v)) }
	w(uint16(42))
	w(uint32(8))
	w(uint16(1))      // one entry
	w(uint16(0x0112)) // orientation
	w(uint16(3))      // SHORT
	w(uint32(1))
	w(orientation)
	w(uint16(0))
	w(uint32(0)) // next IFD
	app1 := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1}
	out = binary.BigEndian.AppendUint16(out, uint16(len(app1)+2))
	out = append(out, app1...)
	return append(out, 0xFF, 0xD9)
}

func TestJPEGOrientation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		data []byte
		want Orientation
		err  string
	}{
		{"little endian 6", exifJPEG(t, binary.LittleEndian, 6), 6, ""},
		{"big endian 8", exifJPEG(t, binary.BigEndian, 8), 8, ""},
		{"upright", exifJPEG(t, binary.BigEndian, 1), 1, ""},
		{"out of range", exifJPEG(t, binary.BigEndian, 9), 0, "out of range"},
		{"not jpeg", []byte("GIF89a"), 0, "not a JPEG"},
		{"no exif", []byte{0xFF, 0xD8, 0xFF, 0xD9}, 0, "no EXIF"},
		{"truncated segment", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0x00, 'E'}, 0, "overruns"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := JPEGOrientation(tc.data)
			if tc.err != "" {
				require.ErrorContains(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestJPEGOrientationNeverPanicsOnTruncation(t *testing.T) {
	t.Parallel()
	full := exifJPEG(t, binary.LittleEndian, 6)
	for n := 0; n < len(full); n++ {
		_, _ = JPEGOrientation(full[:n])
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
		img, err := Decode(data)
		require.NoError(t, err)
		// Orientation 6 swaps width and height.
		require.Equal(t, cfg.Height, img.W, n)
		require.Equal(t, cfg.Width, img.H, n)
	}
}

// A 2×3 image with distinct pixels: value = 10*y + x.
func tiny() *RGB {
	m := NewRGB(3, 2)
	for y := 0; y < 2; y++ {
		for x := 0; x < 3; x++ {
			m.Pix[3*(y*3+x)] = uint8(10*y + x)
		}
	}
	return m
}

func TestOrient(t *testing.T) {
	t.Parallel()
	// Rows of the displayed image, red channel, for each orientation of
	// the stored image [[0 1 2] [10 11 12]].
	want := map[Orientation][][]uint8{
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
		got := tiny().Orient(o)
		require.Equal(t, len(rows), got.H, "orientation %d", o)
		require.Equal(t, len(rows[0]), got.W, "orientation %d", o)
		for y, row := range rows {
			for x, v := range row {
				r, _, _ := got.At(x, y)
				require.Equal(t, v, r, "orientation %d at (%d,%d)", o, x, y)
			}
		}
	}
}

func TestDecodeRejectsBadInput(t *testing.T) {
	t.Parallel()
	_, err := Decode(nil)
	require.ErrorContains(t, err, "empty")
	_, err = Decode([]byte("definitely not an image"))
	require.ErrorContains(t, err, "decode image header")
}

func TestSimilarityFitRecoversTransform(t *testing.T) {
	t.Parallel()
	// A known similarity: scale 1.7, rotate 20°, translate (5, -3).
	s, th := 1.7, 20*math.Pi/180
	m := Affine{s * math.Cos(th), -s * math.Sin(th), 5, s * math.Sin(th), s * math.Cos(th), -3}
	src := []Point{{0, 0}, {10, 0}, {5, 7}, {1, 12}, {9, 12}}
	var dst []Point
	for _, p := range src {
		x, y := m.Apply(p.X, p.Y)
		dst = append(dst, Point{x, y})
	}
	got, err := SimilarityFit(src, dst)
	require.NoError(t, err)
	for i := range got {
		require.InDelta(t, m[i], got[i], 1e-9)
	}
	inv, err := got.Invert()
	require.NoError(t, err)
	x, y := inv.Apply(dst[2].X, dst[2].Y)
	require.InDelta(t, src[2].X, x, 1e-9)
	require.InDelta(t, src[2].Y, y, 1e-9)

	_, err = SimilarityFit([]Point{{1, 1}, {1, 1}}, []Point{{0, 0}, {1, 1}})
	require.ErrorContains(t, err, "coincide")
	_, err = SimilarityFit(src[:1], dst[:1])
	require.Error(t, err)
	_, err = Affine{}.Invert()
	require.ErrorContains(t, err, "singular")
}

func TestCropResizeAveragesAndPads(t *testing.T) {
	t.Parallel()
	// A 4×4 checkerboard of 0/200 downsampled to 1×1 averages to 100.
	m := NewRGB(4, 4)
	for i := 0; i < 16; i++ {
		if (i/4+i%4)%2 == 0 {
			m.Pix[3*i], m.Pix[3*i+1], m.Pix[3*i+2] = 200, 200, 200
		}
	}
	out := CropResize(m, Rect{W: 4, H: 4}, 1, 1, [3]uint8{})
	r, _, _ := out.At(0, 0)
	require.InDelta(t, 100, int(r), 1)
	// A region entirely outside takes the fill colour.
	out = CropResize(m, Rect{X: 100, Y: 100, W: 4, H: 4}, 2, 2, [3]uint8{7, 8, 9})
	r, g, b := out.At(1, 1)
	require.Equal(t, [3]uint8{7, 8, 9}, [3]uint8{r, g, b})
}

func TestLaplacianVarianceSeesBlur(t *testing.T) {
	t.Parallel()
	sharp := NewRGB(64, 64)
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			if (x/4+y/4)%2 == 0 {
				i := 3 * (y*64 + x)
				sharp.Pix[i], sharp.Pix[i+1], sharp.Pix[i+2] = 255, 255, 255
			}
		}
	}
	// Downscale then upscale = blur.
	blurred := CropResize(CropResize(sharp, Rect{W: 64, H: 64}, 8, 8, [3]uint8{}), Rect{W: 8, H: 8}, 64, 64, [3]uint8{})
	require.Greater(t, sharp.LaplacianVariance(), 10*blurred.LaplacianVariance())
	require.Zero(t, NewRGB(2, 2).LaplacianVariance())
}

func TestFromImageAndMeanLuma(t *testing.T) {
	t.Parallel()
	g := image.NewGray(image.Rect(0, 0, 3, 3))
	for i := range g.Pix {
		g.Pix[i] = 90
	}
	m := FromImage(g)
	require.InDelta(t, 90, m.MeanLuma(), 0.01)
	n := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	n.Set(0, 0, color.NRGBA{R: 255, A: 0})
	r, _, _ := FromImage(n).At(0, 0)
	require.Zero(t, r, "transparent pixels composite over black")
}
