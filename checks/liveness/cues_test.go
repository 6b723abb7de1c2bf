package liveness

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// scene is a w×h picture without any periodic pattern: random texture smoothed by the
// camera (binomial blurs: near-Gaussian, isotropic), with a lighter oval where a face would be.
func scene(w, h int, box face.Box, seed uint64) *imaging.RGB {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := imaging.NewRGB(w, h)
	cx, cy := (box.X1+box.X2)/2, (box.Y1+box.Y2)/2
	for y := range h {
		for x := range w {
			v := 70 + 120*rng.Float64()
			if math.Hypot((float64(x)-cx)/(box.W()/2), (float64(y)-cy)/(box.H()/2)) < 1 {
				v += 30
			}
			for ch := range 3 {
				out.Pix[3*(y*w+x)+ch] = clampByte(v)
			}
		}
	}
	return blur(blur(out))
}

// The cue is measured around a small face as well as on it: the skin of a 90-px face is
// too small a window (it was once measured in 32 px, where the JPEG-line exclusion leaves
// almost no bins), the face box grown ContextScale times is not. A print's halftone and a
// screen's stripes are seen there; a scene without a pattern is not flagged.
func TestCuesMeasureAroundSmallFaces(t *testing.T) {
	t.Parallel()
	box := face.Box{X1: 275, Y1: 195, X2: 345, Y2: 285} // 70×90: 0.6 × 70 = 42 px of skin
	img := scene(640, 480, box, 1)
	real := Cues(img, box, 0)
	require.Zero(t, real.Window, "the skin window is below MinCueWindow")
	require.Equal(t, 256, real.ContextWindow, "3 × 90 = 270 px around the face")
	require.True(t, real.Measured())
	require.False(t, real.Spoof, "periodicity %.1f", real.Periodicity)
	t.Logf("no pattern: periodicity %.1f", real.Periodicity)

	for kind, att := range map[string]*imaging.RGB{"print": renderPrint(img, 5, 30, 1), "screen": renderScreen(img, 7, 20, 1)} {
		c := Cues(att, box, 0)
		require.True(t, c.Spoof, "%s: periodicity %.1f", kind, c.Periodicity)
		t.Logf("%s: periodicity %.1f", kind, c.Periodicity)
		require.Equal(t, []string{CuePeriodic}, c.Reasons, kind)
		require.Equal(t, c.ContextPeriodicity, c.Periodicity, kind)
		// The face window alone would not have been measured at all.
		require.Zero(t, cues(att, box, 0, 0).Periodicity, kind)
	}
}

// A large face is measured on its skin and around it; the larger peak counts.
func TestCuesLargeFaceBothWindows(t *testing.T) {
	t.Parallel()
	box := face.Box{X1: 200, Y1: 100, X2: 440, Y2: 400} // 0.6 × 240 = 144 → 128 on the skin
	img := scene(640, 480, box, 2)
	c := Cues(img, box, 0)
	require.Equal(t, 128, c.Window)
	require.Equal(t, 256, c.ContextWindow, "clipped to the 480-px frame height, capped at 256")
	require.GreaterOrEqual(t, c.Periodicity, c.ContextPeriodicity)
	require.False(t, c.Spoof, "periodicity %.1f", c.Periodicity)
	p := Cues(renderPrint(img, 6, 45, 2), box, 0)
	require.True(t, p.Spoof, "periodicity %.1f", p.Periodicity)
}

// The limit follows from the window, not from the photo: a face whose grown box, clipped to
// the frame, holds no MinCueWindow square is not measured, and Measured says so; a face at the
// frame's edge is still measured around it, the window shifted inside the frame.
func TestCuesLimit(t *testing.T) {
	t.Parallel()
	tiny := face.Box{X1: 40, Y1: 40, X2: 64, Y2: 70} // 30 px: 3 × 30 = 90 → 64
	img := scene(160, 120, tiny, 3)
	c := Cues(img, tiny, 0)
	require.Equal(t, 64, c.ContextWindow)
	require.True(t, c.Measured())

	tinier := face.Box{X1: 40, Y1: 40, X2: 56, Y2: 60} // 20 px: 3 × 20 = 60 < 64
	c = Cues(img, tinier, 0)
	require.False(t, c.Measured(), "%+v", c)
	require.Zero(t, c.Periodicity)
	require.False(t, c.Spoof)

	// A frame lower than MinCueWindow: nothing to measure whatever the face.
	strip := scene(400, 60, face.Box{X1: 150, Y1: 0, X2: 230, Y2: 60}, 4)
	require.False(t, Cues(strip, face.Box{X1: 150, Y1: 0, X2: 230, Y2: 60}, 0).Measured())

	// A face cut by the frame's corner: the skin window falls outside, the context window
	// is shifted inside the frame.
	edge := face.Box{X1: -60, Y1: -10, X2: 60, Y2: 130}
	img = scene(320, 240, edge, 5)
	c = Cues(renderPrint(img, 5, 30, 5), edge, 0)
	require.Zero(t, c.Window)
	require.Equal(t, 128, c.ContextWindow)
	require.True(t, c.Spoof, "periodicity %.1f", c.Periodicity)
}

func TestPow2Window(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		side float64
		want int
	}{{0, 0}, {63.9, 0}, {64, 64}, {127, 64}, {128, 128}, {255, 128}, {256, 256}, {5000, 256}, {math.NaN(), 0}} {
		require.Equal(t, c.want, pow2Window(c.side), "side %v", c.side)
	}
}

// BenchmarkCues is the cost of the cues on a 1280×720 selfie with a 220-px face: a 64-px
// window on the skin and a 256-px one around the face.
func BenchmarkCues(b *testing.B) {
	box := face.Box{X1: 540, Y1: 250, X2: 720, Y2: 470}
	img := scene(1280, 720, box, 6)
	for b.Loop() {
		Cues(img, box, 0)
	}
}

// BenchmarkCuesSkinOnly is the same face measured on the skin alone, as before issue #15's
// small-face change.
func BenchmarkCuesSkinOnly(b *testing.B) {
	box := face.Box{X1: 540, Y1: 250, X2: 720, Y2: 470}
	img := scene(1280, 720, box, 6)
	for b.Loop() {
		cues(img, box, 0, 0)
	}
}

// fft2 against the textbook sum on a small array.
func TestFFT2(t *testing.T) {
	t.Parallel()
	const n = 16
	rng := rand.New(rand.NewPCG(7, 7))
	a := make([][]complex128, n)
	in := make([][]complex128, n)
	for y := range n {
		a[y], in[y] = make([]complex128, n), make([]complex128, n)
		for x := range n {
			a[y][x] = complex(rng.Float64(), 0)
			in[y][x] = a[y][x]
		}
	}
	fft2(a)
	for v := range n {
		for u := range n {
			var want complex128
			for y := range n {
				for x := range n {
					ph := -2 * math.Pi * float64(u*x+v*y) / n
					want += in[y][x] * complex(math.Cos(ph), math.Sin(ph))
				}
			}
			require.InDelta(t, real(want), real(a[v][u]), 1e-9, "(%d, %d)", u, v)
			require.InDelta(t, imag(want), imag(a[v][u]), 1e-9, "(%d, %d)", u, v)
		}
	}
}
