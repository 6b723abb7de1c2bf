package liveness

import (
	"math"
	"sort"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// Scene continuity. A capture is one camera looking at one scene: from one frame to the
// next the head turns, but the room behind it, its light and the frame's size stay (a hand
// shakes the phone a little). A "video" cut together from several photos of the victim —
// each a real 3-D head, so no warp test refuses it — changes the background, the light
// and often the frame size at every cut. SceneContinuity measures how much of the
// background survives between two frames.

// Scene thumbnail size (the whole frame, grey) and its blocks.
const (
	sceneW, sceneH = 48, 36
	sceneBlock     = 6
	// sceneShift is the hand-held shake allowed between frames, in thumbnail pixels
	// (±2 of 48: ±4 % of the frame).
	sceneShift = 2
	// sceneMinStd: a block flatter than this (grey levels) carries no evidence (a white
	// wall, the padding around a pasted photo).
	sceneMinStd = 4
	// sceneMinBlocks: fewer textured background blocks than this and the test abstains.
	sceneMinBlocks = 3
	// sceneDark and sceneClip bound the 8-bit values that carry a colour: below sceneDark
	// noise dominates, at sceneClip a channel is saturated and no gain moves it.
	sceneDark, sceneClip = 8, 250
	// sceneMinRef: fewer background thumbnail pixels (of 1728) exposed in both frames and
	// the whole frame is the reference light instead.
	sceneMinRef = 96
)

// DefaultSceneContinuity is the background correlation between consecutive frames below
// which they are different scenes (ReasonSceneCut); see docs/benchmarks/face.md.
const DefaultSceneContinuity = 0.5

// DefaultMaxChromaShift is the change of the face light's chromaticity, relative to the
// frame's (ChromaShift), between consecutive frames above which they are different pictures
// (ReasonSceneCut); chosen on the tuning people, see docs/benchmarks/face.md.
const DefaultMaxChromaShift = 0.012

// Scene is a frame's background fingerprint: the frame in grey at sceneW×sceneH with the
// head and body masked out, and the frame's size.
type Scene struct {
	W, H int
	Pix  []float32
	// Mask is true where the person is (excluded from the comparison).
	Mask []bool
	// RGB is the thumbnail in colour (3 values a pixel): the frame's own light, the
	// reference the face's light is judged against.
	RGB []float32
	// Nose is the nose's mean colour (R, G, B in linear light, saturated and dark pixels
	// left out): the colour of the light on the skin, which a turning head under one light
	// keeps. Zero when unknown.
	Nose [3]float64
	// Chroma is the nose's raw mean chromaticity (r, g over r+g+b of the 8-bit values),
	// which a camera's white balance moves with the whole frame.
	Chroma [2]float64
}

// srgbLinear maps an 8-bit sRGB value to linear light (IEC 61966-2-1): a camera's white
// balance and exposure are gains on linear light, so there they cancel in a ratio.
var srgbLinear = func() (t [256]float64) {
	for v := range t {
		f := float64(v) / 255
		if f <= 0.04045 {
			t[v] = f / 12.92
		} else {
			t[v] = math.Pow((f+0.055)/1.055, 2.4)
		}
	}
	return t
}()

// exposed is whether an 8-bit colour carries its light's colour: no channel dark or saturated.
func exposed[T uint8 | float32](r, g, b T) bool {
	lo, hi := min(r, g, b), max(r, g, b)
	return lo >= sceneDark && hi < sceneClip
}

// FrameScene fingerprints a frame's background around the face box b, and the light on the
// face from its 68 landmarks (none: no chroma).
func FrameScene(img *imaging.RGB, b face.Box, landmarks []face.Point) *Scene {
	small := imaging.CropResize(img, imaging.Rect{W: float64(img.W), H: float64(img.H)}, sceneW, sceneH, [3]uint8{})
	g := small.Gray()
	s := &Scene{W: img.W, H: img.H, Pix: make([]float32, len(g)), Mask: make([]bool, len(g)), RGB: make([]float32, len(small.Pix))}
	for i, v := range g {
		s.Pix[i] = float32(v)
	}
	for i, v := range small.Pix {
		s.RGB[i] = float32(v)
	}
	// The nose (landmarks 27–35): skin that stays in view however the head turns, so its
	// colour follows the light, not the pose.
	if len(landmarks) == 68 {
		x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), landmarks[27].Y, landmarks[33].Y
		for _, p := range landmarks[31:36] {
			x0, x1 = math.Min(x0, p.X), math.Max(x1, p.X)
		}
		var sr, sg, sb float64
		var lin [3]float64
		for y := int(y0); y < int(y1); y++ {
			for x := int(x0); x < int(x1); x++ {
				if x < 0 || y < 0 || x >= img.W || y >= img.H {
					continue
				}
				i := 3 * (y*img.W + x)
				r, g, b := img.Pix[i], img.Pix[i+1], img.Pix[i+2]
				sr, sg, sb = sr+float64(r), sg+float64(g), sb+float64(b)
				if exposed(r, g, b) {
					lin[0], lin[1], lin[2] = lin[0]+srgbLinear[r], lin[1]+srgbLinear[g], lin[2]+srgbLinear[b]
				}
			}
		}
		if t := sr + sg + sb; t > 0 {
			s.Chroma = [2]float64{sr / t, sg / t}
		}
		s.Nose = lin
	}
	// The head (box grown for hair and a turn) and everything below it (neck, shoulders,
	// body), which move with the person.
	kx, ky := sceneW/float64(img.W), sceneH/float64(img.H)
	w, h := b.W(), b.H()
	x0, x1 := (b.X1-0.6*w)*kx, (b.X2+0.6*w)*kx
	y0 := (b.Y1 - 0.5*h) * ky
	for y := range sceneH {
		for x := range sceneW {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			s.Mask[y*sceneW+x] = fx >= x0 && fx <= x1 && fy >= y0
		}
	}
	return s
}

// SceneContinuity is the median, over the textured background blocks both frames show, of
// their normalised cross-correlation, at the best small shift between the frames: near 1 for
// two frames of one capture, low for two pictures. 0 when the frames differ in size (a
// camera stream does not change resolution); measured is false when too little background
// is visible to tell (a face filling the frame, a plain wall).
func SceneContinuity(a, b *Scene) (c float64, measured bool) {
	if a == nil || b == nil {
		return 0, false
	}
	if a.W != b.W || a.H != b.H {
		return 0, true
	}
	best, any := math.Inf(-1), false
	for dy := -sceneShift; dy <= sceneShift; dy++ {
		for dx := -sceneShift; dx <= sceneShift; dx++ {
			var v []float64
			for by := sceneShift; by+sceneBlock <= sceneH-sceneShift; by += sceneBlock {
				for bx := sceneShift; bx+sceneBlock <= sceneW-sceneShift; bx += sceneBlock {
					if r, ok := sceneBlockNCC(a, b, bx, by, dx, dy); ok {
						v = append(v, r)
					}
				}
			}
			if len(v) < sceneMinBlocks {
				continue
			}
			sort.Float64s(v)
			any = true
			best = math.Max(best, v[len(v)/2])
		}
	}
	if !any {
		return 0, false
	}
	return best, true
}

// sceneBlockNCC correlates a's block at (bx, by) with b's at (bx+dx, by+dy); ok is false when
// either is masked or flat.
func sceneBlockNCC(a, b *Scene, bx, by, dx, dy int) (float64, bool) {
	var c ncc
	for y := by; y < by+sceneBlock; y++ {
		for x := bx; x < bx+sceneBlock; x++ {
			i, j := y*sceneW+x, (y+dy)*sceneW+x+dx
			if a.Mask[i] || b.Mask[j] {
				return 0, false
			}
			c.add(float64(a.Pix[i]), float64(b.Pix[j]))
		}
	}
	n := c.n
	va, vb := c.saa/n-(c.sa/n)*(c.sa/n), c.sbb/n-(c.sb/n)*(c.sb/n)
	if va < sceneMinStd*sceneMinStd || vb < sceneMinStd*sceneMinStd {
		return 0, false
	}
	return c.value(), true
}

// ChromaShift is how far the light on the face changed colour between two frames, relative
// to the light of the frames themselves (0 when either is unknown). Each frame's nose colour
// is divided, channel by channel, by the mean colour of its background — the thumbnail
// pixels outside the person in both frames and exposed in both, so the same part of the
// room — in linear light (von Kries): a camera's white balance or exposure changing between
// the frames multiplies both by the same gains, which cancel. What is left is the face's
// light against the room's: the same in one capture under one light, different between two
// photos cut together. The distance is between the chromaticities (r, g over r+g+b) of those
// ratios. With too little background exposed in both (a face filling the frame), the whole
// thumbnail is the reference.
func ChromaShift(a, b *Scene) float64 {
	if a == nil || b == nil || a.Nose == [3]float64{} || b.Nose == [3]float64{} || len(a.RGB) != len(b.RGB) || len(a.Mask) != len(b.Mask) {
		return 0
	}
	la, lb, ok := sceneLight(a, b, true)
	if !ok {
		if la, lb, ok = sceneLight(a, b, false); !ok {
			return 0
		}
	}
	ca, cb := relativeChroma(a.Nose, la), relativeChroma(b.Nose, lb)
	return math.Hypot(ca[0]-cb[0], ca[1]-cb[1])
}

// sceneLight sums the linear colour of the thumbnail pixels exposed in both frames (and,
// with background, outside the person in both); ok is false when fewer than sceneMinRef are.
func sceneLight(a, b *Scene, background bool) (la, lb [3]float64, ok bool) {
	n := 0
	for i := range a.Mask {
		if background && (a.Mask[i] || b.Mask[i]) {
			continue
		}
		pa, pb := a.RGB[3*i:3*i+3], b.RGB[3*i:3*i+3]
		if !exposed(pa[0], pa[1], pa[2]) || !exposed(pb[0], pb[1], pb[2]) {
			continue
		}
		for c := range 3 {
			la[c] += srgbLinear[int(pa[c]+0.5)]
			lb[c] += srgbLinear[int(pb[c]+0.5)]
		}
		n++
	}
	return la, lb, n >= sceneMinRef
}

// relativeChroma is the chromaticity of the nose's colour divided by the reference light's.
func relativeChroma(nose, light [3]float64) [2]float64 {
	var q [3]float64
	for c := range 3 {
		q[c] = nose[c] / light[c]
	}
	t := q[0] + q[1] + q[2]
	return [2]float64{q[0] / t, q[1] / t}
}
