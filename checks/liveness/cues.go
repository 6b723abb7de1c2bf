package liveness

import (
	"math"
	"math/cmplx"
	"sort"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// Model-free spoof cues. The passive model misses masks and some prints (issue #15); these
// look for what a reproduction of a face leaves in the picture whatever a model learnt:
//
//   - periodicity: a printed photo is made of halftone dots on a regular screen, a screen of
//     a pixel grid, and photographing either adds moiré; all of them are sharp, isolated
//     peaks in the spectrum, where a live face's spectrum falls off smoothly.
//
// The cue is measured in two windows at the image's own resolution: on the face's skin, and
// around the face (the box grown ContextScale times, clipped to the frame). A print's halftone
// or a screen's grid covers the whole printed or displayed picture, not only the face, so a
// small face, whose skin holds too few pixels for a clear peak, is still measured in a large
// window. Flatness (no depth across the active-liveness frames) is the warped-still test of
// VerifySequence. What the cues measure, and on what, is in docs/benchmarks/face.md.

// DefaultPeriodicityThreshold: a spectral peak this many times its ring's median marks a
// reproduction. Chosen on the face_recognition photos and their rendered prints and screens.
const DefaultPeriodicityThreshold = 12.0

// MinCueWindow is the smallest window, in pixels, the periodicity cue is measured in; a face
// with no window this large is not measured. It follows from how the cue is built, not from
// any photo: the cue looks at periods of 2–16 px and leaves out the frequencies next to
// multiples of n/8, where JPEG's block grid puts energy. At n = 32 that leaves one frequency
// row and column in four and a few bins per ring for the median, and the longest period fits
// only twice; at 64 most bins remain and a 16-px period fits four times.
const MinCueWindow = 64

// maxCueWindow caps the transform (256×256: a few milliseconds).
const maxCueWindow = 256

// ContextScale is how many times the face box is grown for the window around the face:
// a printed or displayed portrait shows the head with some background, rarely the face alone.
// Chosen on the tuning split (docs/benchmarks/face.md): 2, 2.5 and 3 did alike on its photos,
// 3 caught more prints and screens held up with a 95-px face (a 256-px window, not 128).
const ContextScale = 3.0

// Cue reasons.
const (
	CuePeriodic = "periodic_pattern"
)

// SpoofCues are the model-free cues on one selfie.
type SpoofCues struct {
	// Periodicity is the strongest isolated spectral peak, as a multiple of the median at
	// its frequency, over the measured windows (0 when none was measured).
	Periodicity float64 `json:"periodicity"`
	// Window is the side in pixels of the square measured on the face's skin (0 when the
	// face was too small or too near the frame's edge for one of MinCueWindow).
	Window int `json:"window"`
	// ContextWindow is the side of the square measured around the face (0 when the face
	// box grown ContextScale times, clipped to the frame, holds none of MinCueWindow), and
	// ContextPeriodicity the peak found there.
	ContextWindow      int     `json:"context_window,omitempty"`
	ContextPeriodicity float64 `json:"context_periodicity,omitempty"`
	// Spoof is true when a cue is past its threshold; Reasons names the cues.
	Spoof   bool     `json:"spoof"`
	Reasons []string `json:"reasons,omitempty"`
}

// Measured reports whether the cue was measured in any window. When it was not, the
// selfie holds too few pixels to see a print's or a screen's pattern, and only the model
// speaks: that is not enough to approve (verify's passive decision).
func (c SpoofCues) Measured() bool { return c.Window > 0 || c.ContextWindow > 0 }

// Cues measures the spoof cues of the face in box, at the image's own resolution (a resize
// would blur or alias the very patterns looked for).
func Cues(img *imaging.RGB, box face.Box, periodicityThreshold float64) SpoofCues {
	return cues(img, box, periodicityThreshold, ContextScale)
}

// cues is Cues with the context window's scale as a parameter (the evaluation tunes it).
func cues(img *imaging.RGB, box face.Box, periodicityThreshold, contextScale float64) SpoofCues {
	if periodicityThreshold <= 0 {
		periodicityThreshold = DefaultPeriodicityThreshold
	}
	var c SpoofCues
	// On the skin: a square of 0.6 × the face's smaller side, centred a little below the
	// box's middle (cheeks and nose, not hair or background).
	if n := pow2Window(0.6 * math.Min(box.W(), box.H())); n > 0 {
		cx, cy := int((box.X1+box.X2)/2), int(box.Y1+0.55*box.H())
		x0, y0 := cx-n/2, cy-n/2
		if x0 >= 0 && y0 >= 0 && x0+n <= img.W && y0+n <= img.H {
			c.Window = n
			c.Periodicity = periodicity(img, x0, y0, n)
		}
	}
	// Around the face: the box grown ContextScale times and clipped to the frame; the
	// largest square window that fits, as near the face's centre as the region allows.
	cx, cy := (box.X1+box.X2)/2, (box.Y1+box.Y2)/2
	half := contextScale * box.Side() / 2
	rx0, ry0 := max(0, int(math.Ceil(cx-half))), max(0, int(math.Ceil(cy-half)))
	rx1, ry1 := min(img.W, int(cx+half)), min(img.H, int(cy+half))
	if n := pow2Window(float64(min(rx1-rx0, ry1-ry0))); n > 0 {
		x0 := min(max(int(cx)-n/2, rx0), rx1-n)
		y0 := min(max(int(cy)-n/2, ry0), ry1-n)
		c.ContextWindow = n
		c.ContextPeriodicity = periodicity(img, x0, y0, n)
		c.Periodicity = math.Max(c.Periodicity, c.ContextPeriodicity)
	}
	if c.Periodicity >= periodicityThreshold {
		c.Spoof, c.Reasons = true, append(c.Reasons, CuePeriodic)
	}
	return c
}

// pow2Window is the largest power of two in [MinCueWindow, maxCueWindow] not above side,
// or 0 when side is below MinCueWindow.
func pow2Window(side float64) int {
	if !(side >= MinCueWindow) { // also NaN
		return 0
	}
	n := maxCueWindow
	for float64(n) > side {
		n /= 2
	}
	return n
}

// periodicity is max over mid and high frequencies of |F(u,v)| / median |F| of its ring,
// for the grey n×n window at (x0, y0), Hann-windowed. The lines where JPEG's 8-pixel block
// grid puts energy are left out: every JPEG has them.
func periodicity(img *imaging.RGB, x0, y0, n int) float64 {
	data := make([][]complex128, n)
	var mean float64
	for y := range n {
		data[y] = make([]complex128, n)
		for x := range n {
			i := 3 * ((y0+y)*img.W + x0 + x)
			v := 0.299*float64(img.Pix[i]) + 0.587*float64(img.Pix[i+1]) + 0.114*float64(img.Pix[i+2])
			data[y][x] = complex(v, 0)
			mean += v
		}
	}
	mean /= float64(n * n)
	hann := make([]float64, n)
	for i := range n {
		hann[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
	}
	for y := range n {
		for x := range n {
			data[y][x] = complex((real(data[y][x])-mean)*hann[x]*hann[y], 0)
		}
	}
	fft2(data)
	type bin struct {
		r   int
		mag float64
		u   int
		v   int
	}
	rings := make([][]float64, n/2) // by radius
	bins := make([]bin, 0, n*n/2)
	for v := -n / 2; v < n/2; v++ {
		for u := 0; u < n/2; u++ { // a real signal's spectrum is symmetric: half suffices
			r := int(math.Round(math.Hypot(float64(u), float64(v))))
			if r < n/16 || r >= n/2 || jpegLine(u, n) || jpegLine(v, n) {
				continue
			}
			m := cmplx.Abs(data[(v+n)%n][u])
			rings[r] = append(rings[r], m)
			bins = append(bins, bin{r, m, u, v})
		}
	}
	med := make([]float64, n/2)
	for r, ms := range rings {
		if len(ms) > 0 {
			sort.Float64s(ms)
			med[r] = ms[len(ms)/2]
		}
	}
	var best float64
	for _, b := range bins {
		if m := med[b.r]; m > 1e-9 {
			best = math.Max(best, b.mag/m)
		}
	}
	return best
}

// jpegLine reports whether frequency k of an n-point transform lies on (or next to) a
// multiple of n/8, where JPEG block edges put energy.
func jpegLine(k, n int) bool {
	if k < 0 {
		k = -k
	}
	step := n / 8
	d := k % step
	return d <= 1 || step-d <= 1
}

// fft2 transforms a square power-of-two array in place, rows then columns. The columns are
// transformed as rows of the transpose: walking a 256×256 array down its columns misses the
// cache at every element.
func fft2(a [][]complex128) {
	for _, row := range a {
		fft(row)
	}
	transpose(a)
	for _, row := range a {
		fft(row)
	}
	transpose(a)
}

// transpose swaps a square array across its diagonal in place, by blocks that stay in cache.
func transpose(a [][]complex128) {
	const blk = 16
	n := len(a)
	for bi := 0; bi < n; bi += blk {
		for bj := bi; bj < n; bj += blk {
			for i := bi; i < min(bi+blk, n); i++ {
				for j := max(bj, i+1); j < min(bj+blk, n); j++ {
					a[i][j], a[j][i] = a[j][i], a[i][j]
				}
			}
		}
	}
}

// fft is an in-place iterative radix-2 Cooley–Tukey transform.
func fft(a []complex128) {
	n := len(a)
	for i, j := 1, 0; i < n; i++ {
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j ^= bit
		if i < j {
			a[i], a[j] = a[j], a[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		w := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			wk := complex(1, 0)
			for k := range size / 2 {
				t := wk * a[start+k+size/2]
				a[start+k+size/2] = a[start+k] - t
				a[start+k] += t
				wk *= w
			}
		}
	}
}
