package imaging

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// cropResizeReference is CropResize's area path as first written (every sample's source
// row and column computed per sample): the faster CropResize must give the same bytes, so
// no model input, and no score, moves.
func cropResizeReference(src *RGB, r Rect, dw, dh int, fill [3]uint8) *RGB {
	out := NewRGB(dw, dh)
	sxScale, syScale := r.W/float64(dw), r.H/float64(dh)
	nx, ny := int(math.Ceil(sxScale)), int(math.Ceil(syScale))
	nx, ny = min(max(nx, 1), 8), min(max(ny, 1), 8)
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			o := 3 * (y*dw + x)
			if nx == 1 && ny == 1 {
				sx := r.X + (float64(x)+0.5)*sxScale - 0.5
				sy := r.Y + (float64(y)+0.5)*syScale - 0.5
				if sx < -0.5 || sy < -0.5 || sx > float64(src.W)-0.5 || sy > float64(src.H)-0.5 {
					out.Pix[o], out.Pix[o+1], out.Pix[o+2] = fill[0], fill[1], fill[2]
					continue
				}
				sx = math.Min(math.Max(sx, 0), float64(src.W-1))
				sy = math.Min(math.Max(sy, 0), float64(src.H-1))
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = src.bilinear(sx, sy)
				continue
			}
			var acc [3]int
			cnt := 0
			for j := 0; j < ny; j++ {
				sy := int(math.Floor(r.Y + (float64(y)+(float64(j)+0.5)/float64(ny))*syScale))
				for i := 0; i < nx; i++ {
					sx := int(math.Floor(r.X + (float64(x)+(float64(i)+0.5)/float64(nx))*sxScale))
					if sx < 0 || sy < 0 || sx >= src.W || sy >= src.H {
						acc[0], acc[1], acc[2] = acc[0]+int(fill[0]), acc[1]+int(fill[1]), acc[2]+int(fill[2])
					} else {
						si := 3 * (sy*src.W + sx)
						acc[0], acc[1], acc[2] = acc[0]+int(src.Pix[si]), acc[1]+int(src.Pix[si+1]), acc[2]+int(src.Pix[si+2])
					}
					cnt++
				}
			}
			out.Pix[o] = uint8((acc[0] + cnt/2) / cnt)
			out.Pix[o+1] = uint8((acc[1] + cnt/2) / cnt)
			out.Pix[o+2] = uint8((acc[2] + cnt/2) / cnt)
		}
	}
	return out
}

func TestCropResizeMatchesReference(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 16))
	for n := 0; n < 300; n++ {
		src := NewRGB(8+rng.IntN(400), 8+rng.IntN(300))
		for i := range src.Pix {
			src.Pix[i] = uint8(rng.IntN(256))
		}
		// Rects inside, overlapping an edge and outside; outputs smaller and larger.
		r := Rect{X: (rng.Float64() - 0.3) * float64(src.W), Y: (rng.Float64() - 0.3) * float64(src.H),
			W: (0.05 + rng.Float64()*1.5) * float64(src.W), H: (0.05 + rng.Float64()*1.5) * float64(src.H)}
		dw, dh := 1+rng.IntN(200), 1+rng.IntN(200)
		fill := [3]uint8{uint8(rng.IntN(256)), 127, 3}
		want := cropResizeReference(src, r, dw, dh, fill)
		got := CropResize(src, r, dw, dh, fill)
		require.Equal(t, want.Pix, got.Pix, "case %d: %dx%d %+v → %dx%d", n, src.W, src.H, r, dw, dh)
	}
}

// BenchmarkCropResize is the detector's downscale of a 1 MP photo to 320×240.
func BenchmarkCropResize(b *testing.B) {
	src := NewRGB(1333, 750)
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7)
	}
	r := Rect{W: 1333, H: 1000}
	for _, impl := range []struct {
		name string
		fn   func(*RGB, Rect, int, int, [3]uint8) *RGB
	}{{"reference", cropResizeReference}, {"current", CropResize}} {
		b.Run(impl.name, func(b *testing.B) {
			for range b.N {
				impl.fn(src, r, 320, 240, [3]uint8{127, 127, 127})
			}
		})
	}
}
