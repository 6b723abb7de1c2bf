package imaging

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	guard "github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/internal/testfiles"
)

// The Silent-Face samples are stored sideways with orientation 6 (the EXIF parsing itself
// is tested in checks/imaging); Decode turns them upright.
func TestDecodeAppliesOrientation(t *testing.T) {
	t.Parallel()
	for _, n := range []string{"image_T1.jpg", "image_F1.jpg", "image_F2.jpg"} {
		data, err := os.ReadFile(testfiles.Path(t, "faces", "Silent-Face-Anti-Spoofing", "images", "sample", n))
		require.NoError(t, err)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		require.NoError(t, err)
		img, err := Decode(data)
		require.NoError(t, err)
		// Orientation 6 swaps width and height.
		require.Equal(t, cfg.Height, img.W, n)
		require.Equal(t, cfg.Width, img.H, n)
	}
}

// Photos of 1×1 to 7×7 pixels are the caller's mistake, refused as *guard.Error, not an
// engine failure further down (they used to reach the detector and become a 500).
func TestDecodeRefusesTinyImages(t *testing.T) {
	t.Parallel()
	for side := 1; side < MinSide; side++ {
		for _, size := range [][2]int{{side, side}, {side, 200}, {200, side}} {
			var b bytes.Buffer
			require.NoError(t, png.Encode(&b, image.NewGray(image.Rect(0, 0, size[0], size[1]))))
			_, err := Decode(b.Bytes())
			var ge *guard.Error
			require.ErrorAs(t, err, &ge, "%v", size)
			require.Equal(t, guard.CodeTooSmall, ge.Code)
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, image.NewGray(image.Rect(0, 0, MinSide, MinSide))))
	_, err := Decode(b.Bytes())
	require.NoError(t, err)
}

// RGB.Orient moves pixels by checks/imaging's one mapping (tested there, case by case).
func TestOrient(t *testing.T) {
	t.Parallel()
	// A 3×2 image with distinct pixels: red = 10*y + x.
	m := NewRGB(3, 2)
	for y := 0; y < 2; y++ {
		for x := 0; x < 3; x++ {
			m.Pix[3*(y*3+x)] = uint8(10*y + x)
		}
	}
	for o := Orientation(1); o <= 8; o++ {
		got := m.Orient(o)
		w, h := o.Size(3, 2)
		require.Equal(t, [2]int{w, h}, [2]int{got.W, got.H}, "orientation %d", o)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				sx, sy := o.Source(x, y, 3, 2)
				r, _, _ := got.At(x, y)
				require.Equal(t, uint8(10*sy+sx), r, "orientation %d at (%d,%d)", o, x, y)
			}
		}
	}
	require.Same(t, m, m.Orient(0), "unknown orientations leave the image as stored")
}

func TestDecodeRejectsBadInput(t *testing.T) {
	t.Parallel()
	_, err := Decode(nil)
	require.ErrorContains(t, err, "empty")
	_, err = Decode([]byte("definitely not an image"))
	require.ErrorContains(t, err, "not a JPEG, PNG or WebP")
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
