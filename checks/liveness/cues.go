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
//     peaks in the spectrum of the skin, where a live face's spectrum falls off smoothly.
//
// Flatness (no depth across the active-liveness frames) is the warped-still test of
// VerifySequence. What the cues measure, and on what, is in docs/benchmarks/face.md.

// DefaultPeriodicityThreshold: a spectral peak this many times its ring's median marks a
// reproduction. Chosen on the face_recognition photos and their rendered prints and screens.
const DefaultPeriodicityThreshold = 12.0

// Cue reasons.
const (
	CuePeriodic = "periodic_pattern"
)

// SpoofCues are the model-free cues on one selfie.
type SpoofCues struct {
	// Periodicity is the strongest isolated spectral peak of the face's skin, as a multiple
	// of the median at its frequency (0 when the face was too small to measure).
	Periodicity float64 `json:"periodicity"`
	// Window is the side in pixels of the measured square.
	Window int `json:"window"`
	// Spoof is true when a cue is past its threshold; Reasons names the cues.
	Spoof   bool     `json:"spoof"`
	Reasons []string `json:"reasons,omitempty"`
}

// Cues measures the spoof cues of the face in box, at the image's own resolution (a resize
// would blur or alias the very patterns looked for).
func Cues(img *imaging.RGB, box face.Box, periodicityThreshold float64) SpoofCues {
	if periodicityThreshold <= 0 {
		periodicityThreshold = DefaultPeriodicityThreshold
	}
	var c SpoofCues
	side := 0.6 * math.Min(box.W(), box.H())
	n := 256
	for n > 32 && float64(n) > side {
		n /= 2
	}
	if float64(n) > side {
		return c // too small a face to say
	}
	c.Window = n
	cx, cy := int((box.X1+box.X2)/2), int(box.Y1+0.55*box.H())
	x0, y0 := cx-n/2, cy-n/2
	if x0 < 0 || y0 < 0 || x0+n > img.W || y0+n > img.H {
		return c
	}
	c.Periodicity = periodicity(img, x0, y0, n)
	if c.Periodicity >= periodicityThreshold {
		c.Spoof, c.Reasons = true, append(c.Reasons, CuePeriodic)
	}
	return c
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
	for y := range n {
		wy := 0.5 - 0.5*math.Cos(2*math.Pi*float64(y)/float64(n-1))
		for x := range n {
			wx := 0.5 - 0.5*math.Cos(2*math.Pi*float64(x)/float64(n-1))
			data[y][x] = complex((real(data[y][x])-mean)*wx*wy, 0)
		}
	}
	fft2(data)
	type bin struct {
		r   int
		mag float64
		u   int
		v   int
	}
	rings := map[int][]float64{}
	var bins []bin
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
	med := map[int]float64{}
	for r, ms := range rings {
		sort.Float64s(ms)
		med[r] = ms[len(ms)/2]
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

// fft2 transforms a square power-of-two array in place, rows then columns.
func fft2(a [][]complex128) {
	n := len(a)
	for y := range n {
		fft(a[y])
	}
	col := make([]complex128, n)
	for x := range n {
		for y := range n {
			col[y] = a[y][x]
		}
		fft(col)
		for y := range n {
			a[y][x] = col[y]
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
