package liveness

import (
	"fmt"
	"math"
	"math/bits"
	"sort"
	"strconv"

	"github.com/kycd/kycd/checks/face/imaging"
)

// Replay detection. Comparing frames by SHA-256 is defeated by a JPEG comment; a replay is
// the same picture, not the same bytes. PHash is the classic DCT perceptual hash: the frame
// in grey at 32×32, its 2-D DCT, and one bit per low frequency (the 8×8 corner without the
// mean) saying whether it is above the median. Re-encoding, metadata, a resize or a crop of a
// few per cent move few bits; a different moment of a moving face moves many.

// phashSide is the grey square the DCT is taken of.
const phashSide = 32

// PHash is the 64-bit DCT perceptual hash of a whole image.
func PHash(img *imaging.RGB) uint64 {
	const n = phashSide
	small := imaging.CropResize(img, imaging.Rect{X: 0, Y: 0, W: float64(img.W), H: float64(img.H)}, n, n, [3]uint8{})
	g := small.Gray()
	var in [n][n]float64
	for y := range n {
		for x := range n {
			in[y][x] = float64(g[y*n+x])
		}
	}
	return dctHash(&in)
}

// FrameHash is the perceptual hash a liveness frame is compared by: of its face patch when it
// has one, because the face is what a replay must reproduce and a small part of the frame (a
// whole-frame hash barely changes when the head turns 10°); of the whole frame otherwise.
func FrameHash(img *imaging.RGB, o Observation) uint64 {
	if o.Patch == nil {
		return PHash(img)
	}
	const n, k = phashSide, PatchSize / phashSide
	var in [n][n]float64
	for y := range n {
		for x := range n {
			var s float32
			for dy := range k {
				for dx := range k {
					s += o.Patch.Pix[(y*k+dy)*PatchSize+x*k+dx]
				}
			}
			in[y][x] = float64(s) / (k * k)
		}
	}
	return dctHash(&in)
}

func dctHash(in *[phashSide][phashSide]float64) uint64 {
	const n = phashSide
	// Separable DCT-II, only the 8 lowest frequencies of each axis are needed.
	var cos [8][n]float64
	for u := range 8 {
		for x := range n {
			cos[u][x] = math.Cos(float64(2*x+1) * float64(u) * math.Pi / (2 * n))
		}
	}
	var rows [n][8]float64
	for y := range n {
		for u := range 8 {
			var s float64
			for x := range n {
				s += in[y][x] * cos[u][x]
			}
			rows[y][u] = s
		}
	}
	var coef [64]float64
	for v := range 8 {
		for u := range 8 {
			var s float64
			for y := range n {
				s += rows[y][u] * cos[v][y]
			}
			coef[v*8+u] = s
		}
	}
	med := append([]float64(nil), coef[1:]...) // the DC term says only how bright
	sort.Float64s(med)
	m := med[len(med)/2]
	var h uint64
	for i := 1; i < 64; i++ {
		if coef[i] > m {
			h |= 1 << i
		}
	}
	return h
}

// Hamming is the number of bits in which two hashes differ.
func Hamming(a, b uint64) int { return bits.OnesCount64(a ^ b) }

// FormatPHash writes a hash as 16 hex digits, as stored.
func FormatPHash(h uint64) string { return fmt.Sprintf("%016x", h) }

// ParsePHash reads a stored hash.
func ParsePHash(s string) (uint64, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("perceptual hash %q: want 16 hex digits", s)
	}
	return strconv.ParseUint(s, 16, 64)
}

// Replay thresholds: a frame matches an earlier one within ReplayDistance bits, and a
// capture replays an earlier one when at least ReplayShare of its frames match frames of that
// one capture in the same order, each earlier frame used once. A real retry in the same room
// repeats some poses (looking straight), not the whole sequence in order.
const (
	ReplayDistance = 8
	ReplayShare    = 0.8
)

// ReplayOf returns the earlier capture (a key of earlier) that the new frames replay, and the
// index of the first new frame matched in it; "", −1 when none.
func ReplayOf(frames []uint64, earlier map[string][]uint64) (string, int) {
	best, bestLen, first := "", 0, -1
	for key, old := range earlier {
		n, at := orderedMatches(frames, old)
		if float64(n) >= ReplayShare*float64(len(frames)) && n > 0 && (n > bestLen || n == bestLen && key < best) {
			best, bestLen, first = key, n, at
		}
	}
	return best, first
}

// orderedMatches is the longest run of new frames matching old frames in the same order (a
// longest common subsequence under ReplayDistance), and the first new frame of one such run.
func orderedMatches(frames, old []uint64) (int, int) {
	// l[i][j]: the longest match of frames[i:] with old[j:].
	l := make([][]int, len(frames)+1)
	for i := range l {
		l[i] = make([]int, len(old)+1)
	}
	for i := len(frames) - 1; i >= 0; i-- {
		for j := len(old) - 1; j >= 0; j-- {
			l[i][j] = max(l[i+1][j], l[i][j+1])
			if Hamming(frames[i], old[j]) <= ReplayDistance {
				l[i][j] = max(l[i][j], 1+l[i+1][j+1])
			}
		}
	}
	first := -1
	for i, j := 0, 0; i < len(frames) && j < len(old); {
		switch {
		case Hamming(frames[i], old[j]) <= ReplayDistance && l[i][j] == 1+l[i+1][j+1]:
			first = i
			i = len(frames) // the first matched frame is all we report
		case l[i+1][j] >= l[i][j+1]:
			i++
		default:
			j++
		}
	}
	return l[0][0], first
}
