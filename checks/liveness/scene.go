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
)

// DefaultSceneContinuity is the background correlation between consecutive frames below
// which they are different scenes (ReasonSceneCut); see docs/benchmarks/face.md.
const DefaultSceneContinuity = 0.5

// DefaultMaxChromaShift is the change of the face light's chromaticity between consecutive
// frames above which they are different pictures (ReasonSceneCut): twice the largest change
// between two frames of one photo re-encoded (0.0054), below every cut between two photos
// of the tuning people but one (0.013–0.064; docs/benchmarks/face.md).
const DefaultMaxChromaShift = 0.012

// Scene is a frame's background fingerprint: the frame in grey at sceneW×sceneH with the
// head and body masked out, and the frame's size.
type Scene struct {
	W, H int
	Pix  []float32
	// Mask is true where the person is (excluded from the comparison).
	Mask []bool
	// Chroma is the nose's mean chromaticity (r, g over r+g+b): the colour of the
	// light on the skin, which a turning head under one light keeps.
	Chroma [2]float64
}

// FrameScene fingerprints a frame's background around the face box b, and the light on the
// face from its 68 landmarks (none: no chroma).
func FrameScene(img *imaging.RGB, b face.Box, landmarks []face.Point) *Scene {
	small := imaging.CropResize(img, imaging.Rect{W: float64(img.W), H: float64(img.H)}, sceneW, sceneH, [3]uint8{})
	g := small.Gray()
	s := &Scene{W: img.W, H: img.H, Pix: make([]float32, len(g)), Mask: make([]bool, len(g))}
	for i, v := range g {
		s.Pix[i] = float32(v)
	}
	// The nose (landmarks 27–35): skin that stays in view however the head turns, so its
	// colour follows the light, not the pose.
	if len(landmarks) == 68 {
		x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), landmarks[27].Y, landmarks[33].Y
		for _, p := range landmarks[31:36] {
			x0, x1 = math.Min(x0, p.X), math.Max(x1, p.X)
		}
		var sr, sg, sb float64
		for y := int(y0); y < int(y1); y++ {
			for x := int(x0); x < int(x1); x++ {
				if x < 0 || y < 0 || x >= img.W || y >= img.H {
					continue
				}
				i := 3 * (y*img.W + x)
				sr, sg, sb = sr+float64(img.Pix[i]), sg+float64(img.Pix[i+1]), sb+float64(img.Pix[i+2])
			}
		}
		if t := sr + sg + sb; t > 0 {
			s.Chroma = [2]float64{sr / t, sg / t}
		}
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

// ChromaShift is how far the light on the face changed colour between two frames
// (chromaticity distance; 0 when either is unknown).
func ChromaShift(a, b *Scene) float64 {
	if a == nil || b == nil || a.Chroma == [2]float64{} || b.Chroma == [2]float64{} {
		return 0
	}
	return math.Hypot(a.Chroma[0]-b.Chroma[0], a.Chroma[1]-b.Chroma[1])
}
