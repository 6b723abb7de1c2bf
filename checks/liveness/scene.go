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
	// noise dominates; from sceneClip up a channel may be saturated, and no gain moves it
	// (JPEG's ringing and chroma subsampling spread a clipped 255 down to the 230s, hence
	// the margin: at 250 a +1 EV step on a re-encoded frame moved the test by 0.05–0.15, at
	// 230 by at most 0.007, on four tuning photos).
	sceneDark, sceneClip = 8, 230
	// sceneMinRef: fewer background cells (of 1728) usable in both frames and the whole
	// frame is the reference light instead.
	sceneMinRef = 96
	// sceneNosePixels caps the nose pixels a Scene keeps (a regular subsample beyond).
	sceneNosePixels = 4096
	// sceneMinNose: fewer nose pixels than this, or than a tenth of them, exposed under
	// both frames' light and the nose's colour is unknown (a saturated nose).
	sceneMinNose = 16
)

// DefaultSceneContinuity is the background correlation between consecutive frames below
// which they are different scenes (ReasonSceneCut); see docs/benchmarks/face.md.
const DefaultSceneContinuity = 0.5

// DefaultMaxChromaShift is the change of the face light's chromaticity, relative to the
// frame's (ChromaShift), between consecutive frames above which they are different pictures
// (ReasonSceneCut). Chosen on the tuning people (docs/benchmarks/face.md): above every
// simulated capture whose camera changes white balance (4000 K ↔ 6500 K) or drops exposure
// 1 EV (at most 0.016) and all but one raised 1 EV (0.020; one whose nose saturates reaches
// 0.038), below the smallest cut between two photos that the background test does not
// already catch (0.025).
const DefaultMaxChromaShift = 0.022

// Scene is a frame's background fingerprint: the frame in grey at sceneW×sceneH with the
// head and body masked out, and the frame's size.
type Scene struct {
	W, H int
	Pix  []float32
	// Mask is true where the person is (excluded from the comparison).
	Mask []bool
	// Light is the frame's mean colour in linear light per thumbnail cell (3 values a
	// cell), the reference the face's light is judged against; Usable is false for a cell
	// with a saturated pixel or too dark to carry a colour.
	Light  []float32
	Usable []bool
	// Nose holds the nose's pixels in linear light (R, G, B; at most sceneNosePixels, those
	// saturated or too dark left out): the colour of the light on the skin, which a turning
	// head under one light keeps. Empty when unknown.
	Nose [][3]float32
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
func exposed(r, g, b uint8) bool {
	return min(r, g, b) >= sceneDark && max(r, g, b) < sceneClip
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
	s.Light, s.Usable = frameLight(img)
	// The nose (landmarks 27–35): skin that stays in view however the head turns, so its
	// colour follows the light, not the pose.
	if len(landmarks) == 68 {
		x0, x1, y0, y1 := math.Inf(1), math.Inf(-1), landmarks[27].Y, landmarks[33].Y
		for _, p := range landmarks[31:36] {
			x0, x1 = math.Min(x0, p.X), math.Max(x1, p.X)
		}
		var sr, sg, sb float64
		X0, X1, Y0, Y1 := max(int(x0), 0), min(int(x1), img.W), max(int(y0), 0), min(int(y1), img.H)
		step := 1
		for (X1-X0+step-1)/step*((Y1-Y0+step-1)/step) > sceneNosePixels {
			step++
		}
		for y := Y0; y < Y1; y++ {
			for x := X0; x < X1; x++ {
				i := 3 * (y*img.W + x)
				r, g, b := img.Pix[i], img.Pix[i+1], img.Pix[i+2]
				sr, sg, sb = sr+float64(r), sg+float64(g), sb+float64(b)
				if (y-Y0)%step == 0 && (x-X0)%step == 0 && exposed(r, g, b) {
					s.Nose = append(s.Nose, [3]float32{float32(srgbLinear[r]), float32(srgbLinear[g]), float32(srgbLinear[b])})
				}
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
	c, _, _, measured = sceneAlign(a, b)
	return c, measured
}

// sceneAlign is SceneContinuity with the shift (in thumbnail cells) at which b's background
// best matches a's.
func sceneAlign(a, b *Scene) (c float64, dx, dy int, measured bool) {
	if a == nil || b == nil {
		return 0, 0, 0, false
	}
	if a.W != b.W || a.H != b.H {
		return 0, 0, 0, true
	}
	best, any := math.Inf(-1), false
	for sy := -sceneShift; sy <= sceneShift; sy++ {
		for sx := -sceneShift; sx <= sceneShift; sx++ {
			var v []float64
			for by := sceneShift; by+sceneBlock <= sceneH-sceneShift; by += sceneBlock {
				for bx := sceneShift; bx+sceneBlock <= sceneW-sceneShift; bx += sceneBlock {
					if r, ok := sceneBlockNCC(a, b, bx, by, sx, sy); ok {
						v = append(v, r)
					}
				}
			}
			if len(v) < sceneMinBlocks {
				continue
			}
			sort.Float64s(v)
			any = true
			if m := v[len(v)/2]; m > best {
				best, dx, dy = m, sx, sy
			}
		}
	}
	if !any {
		return 0, 0, 0, false
	}
	return best, dx, dy, true
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

// frameLight is the frame's mean colour in linear light on the thumbnail grid, from every
// pixel (a thumbnail's averaged 8-bit values would hide a saturated pixel and bend the
// gains), and whether each cell is usable: no pixel saturated, the mean not dark.
func frameLight(img *imaging.RGB) ([]float32, []bool) {
	sum := make([]float64, 3*sceneW*sceneH)
	cnt := make([]int, sceneW*sceneH)
	usable := make([]bool, sceneW*sceneH)
	for i := range usable {
		usable[i] = true
	}
	for y := range img.H {
		row := (y * sceneH / img.H) * sceneW
		for x := range img.W {
			c, i := row+x*sceneW/img.W, 3*(y*img.W+x)
			r, g, b := img.Pix[i], img.Pix[i+1], img.Pix[i+2]
			if max(r, g, b) >= sceneClip {
				usable[c] = false
			}
			sum[3*c], sum[3*c+1], sum[3*c+2] = sum[3*c]+srgbLinear[r], sum[3*c+1]+srgbLinear[g], sum[3*c+2]+srgbLinear[b]
			cnt[c]++
		}
	}
	light := make([]float32, len(sum))
	dark := srgbLinear[sceneDark]
	for c, n := range cnt {
		if n == 0 {
			usable[c] = false
			continue
		}
		for k := range 3 {
			light[3*c+k] = float32(sum[3*c+k] / float64(n))
			if sum[3*c+k]/float64(n) < dark {
				usable[c] = false
			}
		}
	}
	return light, usable
}

// ChromaShift is how far the light on the face changed colour between two frames, relative
// to the light of the frames themselves (0 when either is unknown). A camera's white balance
// and exposure are gains on each channel of linear light, the same for every pixel of a
// frame (von Kries): between two frames of one scene, every part of the room changes by
// exactly those gains. They are measured on the background — per channel, the median ratio
// over the thumbnail cells outside the person in both frames and usable in both (the median,
// so a few cells the hand's shake moved or a passer-by changed do not count) — and taken out
// of the second frame's nose colour. What is left is the face's light against the room's:
// the same in one capture under one light, different between two photos cut together. The
// distance is between the nose's chromaticities (r, g over r+g+b, linear light).
//
// A phone also re-adjusts its tone curve (v ↦ v^γ on every channel alike), which is not a
// gain: in linear light it is a power, so dark and bright surfaces move by different ratios
// and a gain measured on the room misses the nose. When the room's cells show that — their
// light in one frame a power of the other's, over a range of brightness wide enough to tell
// and with a tight fit (sceneLightMaps) — that power with a gain per channel is the other
// reading, and the face's shift is the smaller of the two.
//
// Saturation would break the cancellation (a channel at 255 does not follow the mapping), so
// each frame's nose is averaged over the pixels that stay exposed under the mapping to the
// other frame too — the same selection in both frames — and the colour is unknown when too
// few do. With too little background usable in both (a face filling the frame), the whole
// thumbnail is the reference.
func ChromaShift(a, b *Scene) float64 {
	if a == nil || b == nil || len(a.Nose) < sceneMinNose || len(b.Nose) < sceneMinNose || len(a.Light) != len(b.Light) || len(a.Mask) != len(b.Mask) {
		return 0
	}
	maps, ok := sceneLightMaps(a, b, true)
	if !ok {
		if maps, ok = sceneLightMaps(a, b, false); !ok {
			return 0
		}
	}
	// maps[0] is the gains' reading: unknown there (a saturated nose) is unknown, as it was
	// before the tone reading, which may only lower the shift.
	shift := math.Inf(1)
	for i, m := range maps {
		na, oka := noseUnder(a.Nose, m, false)
		nb, okb := noseUnder(b.Nose, m, true)
		if !oka || !okb {
			if i == 0 {
				return 0
			}
			continue
		}
		ca, cb := chromaticity(na), chromaticity(nb)
		shift = math.Min(shift, math.Hypot(ca[0]-cb[0], ca[1]-cb[1]))
	}
	return shift
}

// The tone-curve fit (sceneLightMaps). Chosen before measuring, not tuned: a power is believed
// only over a brightness range wide enough to measure a slope (a standard deviation of 0.2 in
// ln, a factor of ~1.5 across the room), when it explains most of the cells' variation (R² ≥
// 0.8: cells of one scene under one mapping line up; two different rooms' cells do not, and
// then the gains alone are used, as before), and within the curves phones apply.
const (
	sceneToneMinSpread = 0.2
	sceneToneMinR2     = 0.8
	sceneToneMinGamma  = 0.6
	sceneToneMaxGamma  = 1.6
	// sceneToneTrim: the share of cells with the largest residuals left out of the refit (the
	// hand's shake moves edges; a passer-by changes a few cells).
	sceneToneTrim = 0.2
)

// lightMap maps a frame's linear light to another's, per channel: v ↦ Gain·v^Gamma.
type lightMap struct {
	Gain  [3]float64
	Gamma float64
}

func (m lightMap) forward(c int, v float64) float64 {
	if m.Gamma == 1 {
		return v * m.Gain[c]
	}
	return m.Gain[c] * math.Pow(v, m.Gamma)
}

func (m lightMap) inverse(c int, v float64) float64 {
	if m.Gamma == 1 {
		return v / m.Gain[c]
	}
	return math.Pow(v/m.Gain[c], 1/m.Gamma)
}

// sceneLightMaps are the ways b's light follows from a's: over the cells usable in both frames
// (and, with background, outside the person in both), a gain per channel — the median ratio —
// and, when the cells show a tone-curve change, also a shared power with a gain per channel;
// ok is false when fewer than sceneMinRef cells are usable. ChromaShift takes the map that
// explains the face best: each is a reading of the frames as one capture, and the power is
// only offered where the room's cells line up under it, which two rooms' cells do not (so a
// cut keeps its shift), while a power misread from a shaken pair (a slope of 0.94 was seen
// on a re-encoded, shifted copy of one photo) cannot make a capture look cut.
func sceneLightMaps(a, b *Scene, background bool) (maps []lightMap, ok bool) {
	x, y := sceneCells(a, b, background, 0, 0)
	if len(x[0]) < sceneMinRef {
		return nil, false
	}
	m := lightMap{Gamma: 1}
	for c := range 3 {
		m.Gain[c] = math.Exp(medianOffset(x[c], y[c], 1))
	}
	maps = []lightMap{m}
	// The tone curve's slope is read cell against cell, so the cells must show the same
	// part of the room: b's are taken at the background's shift (the hand's shake moves a
	// brightness gradient across the cells, which would read as a slope); unshifted when
	// the background has too little texture to align.
	if _, dx, dy, _ := sceneAlign(a, b); dx != 0 || dy != 0 {
		x, y = sceneCells(a, b, background, dx, dy)
		if len(x[0]) < sceneMinRef {
			return maps, true
		}
	}
	if g, fits := toneSlope(x, y); fits {
		t := lightMap{Gamma: g}
		for c := range 3 {
			t.Gain[c] = math.Exp(medianOffset(x[c], y[c], g))
		}
		maps = append(maps, t)
	}
	return maps, true
}

// sceneCells are the ln of a's light (x) and of b's (y) per channel over the cells usable in
// both, b's cell taken (dx, dy) cells from a's; with background, only cells outside the
// person in both frames.
func sceneCells(a, b *Scene, background bool, dx, dy int) (x, y [3][]float64) {
	for i := range a.Mask {
		cx, cy := i%sceneW+dx, i/sceneW+dy
		if cx < 0 || cx >= sceneW || cy < 0 || cy >= sceneH {
			continue
		}
		j := cy*sceneW + cx
		if background && (a.Mask[i] || b.Mask[j]) || !a.Usable[i] || !b.Usable[j] {
			continue
		}
		for c := range 3 {
			x[c] = append(x[c], math.Log(float64(a.Light[3*i+c])))
			y[c] = append(y[c], math.Log(float64(b.Light[3*j+c])))
		}
	}
	return x, y
}

// medianOffset is the median of y − slope·x.
func medianOffset(x, y []float64, slope float64) float64 {
	d := make([]float64, len(x))
	for i := range x {
		d[i] = y[i] - slope*x[i]
	}
	sort.Float64s(d)
	return d[len(d)/2]
}

// toneSlope fits y_c = k_c + γ·x_c (one slope, an intercept per channel) by orthogonal
// regression, refitted once without the worst sceneToneTrim of the cells; fits is whether the fit passes
// the spread, R² and range bounds above.
func toneSlope(x, y [3][]float64) (gamma float64, fits bool) {
	n := len(x[0])
	keep := make([]bool, n)
	for i := range keep {
		keep[i] = true
	}
	fit := func() (g, sxx, r2 float64) {
		var sxy, syy float64
		var cnt int
		for c := range 3 {
			var mx, my float64
			var k int
			for i := range n {
				if keep[i] {
					mx, my, k = mx+x[c][i], my+y[c][i], k+1
				}
			}
			mx, my = mx/float64(k), my/float64(k)
			for i := range n {
				if keep[i] {
					dx, dy := x[c][i]-mx, y[c][i]-my
					sxx, sxy, syy = sxx+dx*dx, sxy+dx*dy, syy+dy*dy
				}
			}
			cnt += k
		}
		if sxx == 0 || syy == 0 || sxy <= 0 {
			return 0, 0, 0
		}
		// Both frames' cells carry the same kind of error (the hand's shake moves edges across
		// cells, each frame has its own noise and JPEG), so the slope is the orthogonal
		// (total least squares) one: least squares of y on x would shrink it towards 0 by
		// the error in x, and read a tone curve into every shaken pair.
		d := syy - sxx
		return (d + math.Sqrt(d*d+4*sxy*sxy)) / (2 * sxy), sxx / float64(cnt), sxy * sxy / (sxx * syy)
	}
	g, _, _ := fit()
	res := make([]float64, n)
	for c := range 3 {
		off := medianOffset(x[c], y[c], g)
		for i := range n {
			res[i] = math.Max(res[i], math.Abs(y[c][i]-off-g*x[c][i]))
		}
	}
	cut := append([]float64(nil), res...)
	sort.Float64s(cut)
	limit := cut[int(float64(n-1)*(1-sceneToneTrim))]
	for i := range keep {
		keep[i] = res[i] <= limit
	}
	g, spread, r2 := fit()
	fits = spread >= sceneToneMinSpread*sceneToneMinSpread && r2 >= sceneToneMinR2 &&
		g >= sceneToneMinGamma && g <= sceneToneMaxGamma
	return g, fits
}

// noseUnder sums the nose pixels that stay exposed under the light map (its inverse, with
// inverse — those then summed as mapped back into the first frame's light); ok is false when
// too few do.
func noseUnder(px [][3]float32, m lightMap, inverse bool) (sum [3]float64, ok bool) {
	lo, hi := srgbLinear[sceneDark], srgbLinear[sceneClip]
	n := 0
	for _, p := range px {
		// other: the pixel under the other frame's light, which must stay exposed; own: the
		// pixel in the first frame's light, which is summed.
		keep := true
		var own [3]float64
		for c := range 3 {
			own[c] = float64(p[c])
			other := m.forward(c, own[c])
			if inverse {
				own[c] = m.inverse(c, own[c])
				other = own[c]
			}
			keep = keep && other >= lo && other < hi
		}
		if keep {
			for c := range 3 {
				sum[c] += own[c]
			}
			n++
		}
	}
	return sum, n >= sceneMinNose && 10*n >= len(px)
}

// chromaticity is r, g over r+g+b.
func chromaticity(v [3]float64) [2]float64 {
	t := v[0] + v[1] + v[2]
	return [2]float64{v[0] / t, v[1] / t}
}
