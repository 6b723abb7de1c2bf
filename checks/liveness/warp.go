package liveness

import (
	"math"
	"sort"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// Warped-still detection. An attacker with one photo of the victim makes "head turns" by
// warping it: shifts, rotations, perspective and cylinder warps. Each such frame is a smooth
// 2-D remap of one picture, so every patch of it is found again, intact, in the frontal
// frame, displaced and at most stretched sideways. A real head turning in 3-D is not: the
// nose hides part of the far cheek and shows its own side, the ear and the side of the face
// come into view, the light falls differently on the turned skin. warpResidual registers each
// turned frame with the frontal one by a dense, smooth block warp (the best 2-D fit, searched
// over shifts and horizontal stretches, then smoothed) and measures what it cannot explain.

// PatchSize is the side of the grey face patch a frame keeps for the warp test.
const PatchSize = 96

// patchScale is the patch's side relative to the larger side of the face box: the whole head
// and some background, where occlusion at the contour shows.
const patchScale = 1.6

// DefaultWarpResidual is the residual below which a turn frame counts as a warp of the
// frontal one, for whoever enables the test (ActiveConfig.WarpResidual; off by default).
// It was chosen on photo pairs; on recorded videos real head turns of 20–30° left 0.09–0.29,
// as low as the warp attacks' 0.11–0.25, so no threshold separates them at this patch size.
// See docs/benchmarks/face.md, "Real recordings".
const DefaultWarpResidual = 0.27

// Patch is a frame's face region in grey, PatchSize × PatchSize, centred on the face box,
// with the face's landmarks in patch pixels.
type Patch struct {
	Pix       []float32
	Landmarks []face.Point
}

// FacePatch cuts the grey patch around a face box.
func FacePatch(img *imaging.RGB, b face.Box, landmarks []face.Point) *Patch {
	side := patchScale * math.Max(b.W(), b.H())
	x0, y0 := (b.X1+b.X2)/2-side/2, (b.Y1+b.Y2)/2-side/2
	rgb := imaging.CropResize(img, imaging.Rect{X: x0, Y: y0, W: side, H: side}, PatchSize, PatchSize, [3]uint8{})
	g := rgb.Gray()
	p := &Patch{Pix: make([]float32, len(g)), Landmarks: make([]face.Point, len(landmarks))}
	for i, v := range g {
		p.Pix[i] = float32(v)
	}
	k := PatchSize / side
	for i, l := range landmarks {
		p.Landmarks[i] = face.Point{X: (l.X - x0) * k, Y: (l.Y - y0) * k}
	}
	return p
}

// affineFit is the least-squares affine map taking the points from onto to: the global part
// of the warp (shift, rotation, scale, shear, foreshortening), which the blocks then refine.
// The identity when the points are missing or degenerate.
func affineFit(from, to []face.Point) imaging.Affine {
	id := imaging.Affine{1, 0, 0, 0, 1, 0}
	if len(from) < 3 || len(from) != len(to) {
		return id
	}
	// Normal equations of [x y 1]·[a b c]ᵀ = x', the same matrix for y'.
	var m [3][3]float64
	var bx, by [3]float64
	for i, p := range from {
		v := [3]float64{p.X, p.Y, 1}
		for r := range 3 {
			for c := range 3 {
				m[r][c] += v[r] * v[c]
			}
			bx[r] += v[r] * to[i].X
			by[r] += v[r] * to[i].Y
		}
	}
	sx, okx := solve3(m, bx)
	sy, oky := solve3(m, by)
	if !okx || !oky {
		return id
	}
	return imaging.Affine{sx[0], sx[1], sx[2], sy[0], sy[1], sy[2]}
}

// solve3 solves a 3×3 system by Cramer's rule.
func solve3(m [3][3]float64, b [3]float64) ([3]float64, bool) {
	det := func(a [3][3]float64) float64 {
		return a[0][0]*(a[1][1]*a[2][2]-a[1][2]*a[2][1]) - a[0][1]*(a[1][0]*a[2][2]-a[1][2]*a[2][0]) + a[0][2]*(a[1][0]*a[2][1]-a[1][1]*a[2][0])
	}
	d := det(m)
	if math.Abs(d) < 1e-9 {
		return [3]float64{}, false
	}
	var out [3]float64
	for c := range 3 {
		mc := m
		for r := range 3 {
			mc[r][c] = b[r]
		}
		out[c] = det(mc) / d
	}
	return out, true
}

// Block-matching parameters (patch pixels).
const (
	warpBlock  = 12
	warpStride = 6
	warpSearch = 8
	// blocks with less contrast than this (grey-level standard deviation) say nothing.
	warpMinStd = 5.0
)

// maxWarpFrames bounds the turned frames registered per capture.
const maxWarpFrames = 6

// warpScales are the horizontal stretches tried: a turn squeezes one side of the face and
// widens the other.
var warpScales = []float64{0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1, 1.12, 1.3, 1.6, 2}

// warpResidual registers every frame turned a full turn (TurnDegrees) away from the frontal
// anchor, the frames that can complete a turn step, with it, and returns the largest residual and its frame: a still photo warped into
// a turn is explained at every frame; a real head, turned, is not at its turned frames.
// measured is false when nothing could be measured (no patches, no turned frame).
func warpResidual(obs []Observation, anchor int, cfg ActiveConfig) (res float64, at int, measured bool) {
	a := obs[anchor]
	if a.Patch == nil {
		return 0, -1, false
	}
	at = -1
	var turned []int
	for i, o := range obs {
		if i != anchor && o.Patch != nil && math.Abs(o.Pose.Yaw-a.Pose.Yaw) >= cfg.TurnDegrees {
			turned = append(turned, i)
		}
	}
	// The most turned frames show the most occlusion, and registering is a core's work: a
	// long capture is judged on its maxWarpFrames most turned frames.
	sort.SliceStable(turned, func(x, y int) bool {
		return math.Abs(obs[turned[x]].Pose.Yaw-a.Pose.Yaw) > math.Abs(obs[turned[y]].Pose.Yaw-a.Pose.Yaw)
	})
	if len(turned) > maxWarpFrames {
		turned = turned[:maxWarpFrames]
	}
	for _, i := range turned {
		r := PatchResidual(a.Patch, obs[i].Patch)
		if r < 0 {
			continue
		}
		if !measured || r > res {
			res, at, measured = r, i, true
		}
	}
	return res, at, measured
}

// PatchResidual is what the best 2-D warp of src leaves unexplained in dst: the mean, over
// dst's textured blocks in the face, of 1 − the normalised correlation with the warped src,
// for the better of two warp models (a smooth block warp, a column remap). A warp of src
// scores low whatever the warp; a different view of a 3-D head leaves more. −1 when dst has
// too few textured blocks to say.
func PatchResidual(src, dst *Patch) float64 {
	b, c := blockResidual(src, dst), columnResidual(src, dst)
	switch {
	case b < 0:
		return c
	case c < 0:
		return b
	}
	return math.Min(b, c)
}

// blockResidual fits a global affine map (from the landmarks: shifts, rotations, scale,
// foreshortening) refined per block by shifts and sideways stretches, smoothed.
func blockResidual(src, dst *Patch) float64 {
	g := affineFit(dst.Landmarks, src.Landmarks) // dst pixel → src pixel
	n := (PatchSize-warpBlock)/warpStride + 1
	type match struct {
		dx, dy, s int
		ok        bool
	}
	grid := make([]match, n*n)
	// Pass 1: the best displacement and stretch of every textured block.
	for by := 0; by < n; by++ {
		for bx := 0; bx < n; bx++ {
			x0, y0 := bx*warpStride, by*warpStride
			if !faceBlock(x0, y0) || blockStd(dst, x0, y0) < warpMinStd {
				continue
			}
			// A coarse search on every other pixel, then the neighbours of the best.
			best, m := math.Inf(-1), match{}
			for si := range warpScales {
				for dy := -warpSearch; dy <= warpSearch; dy += 2 {
					for dx := -warpSearch; dx <= warpSearch; dx += 2 {
						if c := blockNCC(src, dst, g, x0, y0, dx, dy, warpScales[si]); c > best {
							best, m = c, match{dx, dy, si, true}
						}
					}
				}
			}
			c0 := m
			for dy := c0.dy - 1; dy <= c0.dy+1; dy++ {
				for dx := c0.dx - 1; dx <= c0.dx+1; dx++ {
					if c := blockNCC(src, dst, g, x0, y0, dx, dy, warpScales[c0.s]); c > best {
						best, m = c, match{dx, dy, c0.s, true}
					}
				}
			}
			grid[by*n+bx] = m
		}
	}
	// Pass 2: a warp is smooth, so each block takes the median motion of its neighbourhood,
	// refined by a pixel, and the residual is measured there.
	var sum float64
	var count int
	for by := 0; by < n; by++ {
		for bx := 0; bx < n; bx++ {
			if !grid[by*n+bx].ok {
				continue
			}
			var dxs, dys, ss []int
			for yy := max(0, by-1); yy <= min(n-1, by+1); yy++ {
				for xx := max(0, bx-1); xx <= min(n-1, bx+1); xx++ {
					if g := grid[yy*n+xx]; g.ok {
						dxs, dys, ss = append(dxs, g.dx), append(dys, g.dy), append(ss, g.s)
					}
				}
			}
			mdx, mdy, ms := medianInt(dxs), medianInt(dys), medianInt(ss)
			x0, y0 := bx*warpStride, by*warpStride
			best := math.Inf(-1)
			for si := max(0, ms-1); si <= min(len(warpScales)-1, ms+1); si++ {
				for dy := mdy - 1; dy <= mdy+1; dy++ {
					for dx := mdx - 1; dx <= mdx+1; dx++ {
						best = math.Max(best, blockNCC(src, dst, g, x0, y0, dx, dy, warpScales[si]))
					}
				}
			}
			sum += 1 - math.Max(best, 0)
			count++
		}
	}
	if count < 8 {
		return -1
	}
	return sum / float64(count)
}

// faceBlock keeps the blocks over the face: the middle of the patch, where the face box
// (1/patchScale of the side) lies, plus a margin for the contour.
func faceBlock(x0, y0 int) bool {
	c := float64(PatchSize) / 2
	half := c/patchScale + warpBlock/2
	bx, by := float64(x0)+warpBlock/2, float64(y0)+warpBlock/2
	return math.Abs(bx-c) <= half && math.Abs(by-c) <= half
}

func blockStd(p *Patch, x0, y0 int) float64 {
	var s, s2 float64
	for y := y0; y < y0+warpBlock; y++ {
		for x := x0; x < x0+warpBlock; x++ {
			v := float64(p.Pix[y*PatchSize+x])
			s += v
			s2 += v * v
		}
	}
	k := float64(warpBlock * warpBlock)
	return math.Sqrt(math.Max(0, s2/k-(s/k)*(s/k)))
}

// blockNCC is the normalised correlation of dst's block at (x0, y0) with src sampled through
// the global map g, stretched sideways by scale about the block's centre and displaced by
// (dx, dy).
func blockNCC(src, dst *Patch, g imaging.Affine, x0, y0, dx, dy int, scale float64) float64 {
	var n ncc
	cx, cy := float64(x0)+warpBlock/2, float64(y0)+warpBlock/2
	gcx, _ := g.Apply(cx, cy)
	for y := y0; y < y0+warpBlock; y++ {
		for x := x0; x < x0+warpBlock; x++ {
			// dst pixel (x, y) shows src at g(x, y), stretched about g(centre), shifted.
			gx, gy := g.Apply(float64(x), float64(y))
			fx := gcx + (gx-gcx)*scale + float64(dx)
			fy := gy + float64(dy)
			if fx < 0 || fx > PatchSize-1 || fy < 0 || fy > PatchSize-1 {
				return -1
			}
			ix, iy := int(fx), int(fy)
			rx, ry := fx-float64(ix), fy-float64(iy)
			ix1, iy1 := min(ix+1, PatchSize-1), min(iy+1, PatchSize-1)
			a := float64(src.Pix[iy*PatchSize+ix])*(1-rx)*(1-ry) + float64(src.Pix[iy*PatchSize+ix1])*rx*(1-ry) +
				float64(src.Pix[iy1*PatchSize+ix])*(1-rx)*ry + float64(src.Pix[iy1*PatchSize+ix1])*rx*ry
			n.add(a, float64(dst.Pix[y*PatchSize+x]))
		}
	}
	return n.value()
}

func medianInt(v []int) int {
	for i := 1; i < len(v); i++ {
		for j := i; j > 0 && v[j] < v[j-1]; j-- {
			v[j], v[j-1] = v[j-1], v[j]
		}
	}
	return v[len(v)/2]
}

// columnResidual fits the other 2-D model a turned still photo follows: a cylinder (or any
// sideways) warp moves whole columns of the picture, x_src = f(x) with f monotone, the same
// for every row of the face. Dynamic programming finds the best such f over the face's
// columns (each step of x moves 0 to 3 source columns: stretches and squeezes alike), and the
// residual is measured over textured blocks with f applied. A real head is no column remap:
// the nose tip moves further than the cheeks and the contour beside it (parallax), so rows
// disagree about f. −1 when dst has too few textured blocks.
func columnResidual(src, dst *Patch) float64 {
	const maxStep = 3
	// Rows: the face band; the vertical part of the landmark fit aligns them.
	g := affineFit(dst.Landmarks, src.Landmarks)
	lo, hi := faceRange()
	rows := hi - lo
	srcY := func(y int) float64 { return g[4]*float64(y) + g[5] + g[3]*float64(PatchSize)/2 }
	// cost[x][xs]: 1 − correlation of dst column x with src column xs over the face rows.
	col := func(p *Patch, x int, ys func(int) float64) []float64 {
		v := make([]float64, rows)
		for i := range rows {
			y := ys(lo + i)
			yi := int(math.Floor(y))
			if yi < 0 || yi >= PatchSize-1 {
				v[i] = 0
				continue
			}
			r := y - float64(yi)
			v[i] = float64(p.Pix[yi*PatchSize+x])*(1-r) + float64(p.Pix[(yi+1)*PatchSize+x])*r
		}
		return normalise(v)
	}
	dcols := make([][]float64, PatchSize)
	scols := make([][]float64, PatchSize)
	for x := range PatchSize {
		dcols[x] = col(dst, x, func(y int) float64 { return float64(y) })
		scols[x] = col(src, x, srcY)
	}
	cost := func(x, xs int) float64 {
		var s float64
		for i := range rows {
			s += dcols[x][i] * scols[xs][i]
		}
		return 1 - s
	}
	// D[x][xs]: the best path cost ending with dst column x on src column xs.
	inf := math.Inf(1)
	d := make([][]float64, hi-lo)
	from := make([][]int8, hi-lo)
	for i := range d {
		d[i] = make([]float64, PatchSize)
		from[i] = make([]int8, PatchSize)
		for xs := range PatchSize {
			c := cost(lo+i, xs)
			if i == 0 {
				d[i][xs] = c
				continue
			}
			best, bk := inf, int8(0)
			for k := 0; k <= maxStep && xs-k >= 0; k++ {
				if v := d[i-1][xs-k]; v < best {
					best, bk = v, int8(k)
				}
			}
			d[i][xs], from[i][xs] = c+best, bk
		}
	}
	f := make([]int, PatchSize)
	end := 0
	for xs := range PatchSize {
		if d[len(d)-1][xs] < d[len(d)-1][end] {
			end = xs
		}
	}
	for i := len(d) - 1; i >= 0; i-- {
		f[lo+i] = end
		end -= int(from[i][end])
	}
	// Residual over textured blocks, the columns remapped by f, refined by a pixel.
	var sum float64
	var count int
	for y0 := lo; y0+warpBlock <= hi; y0 += warpStride {
		for x0 := lo; x0+warpBlock <= hi; x0 += warpStride {
			if blockStd(dst, x0, y0) < warpMinStd {
				continue
			}
			best := math.Inf(-1)
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					best = math.Max(best, remapNCC(src, dst, f, srcY, x0, y0, dx, float64(dy)))
				}
			}
			sum += 1 - math.Max(best, 0)
			count++
		}
	}
	if count < 8 {
		return -1
	}
	return sum / float64(count)
}

// faceRange is the span of rows and columns over the face (the face box and a margin).
func faceRange() (lo, hi int) {
	c := float64(PatchSize) / 2
	half := c/patchScale + warpBlock/2
	return max(0, int(c-half)), min(PatchSize, int(c+half))
}

func normalise(v []float64) []float64 {
	var m float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	var n float64
	for i := range v {
		v[i] -= m
		n += v[i] * v[i]
	}
	if n < 1e-9 {
		return v
	}
	n = math.Sqrt(n)
	for i := range v {
		v[i] /= n
	}
	return v
}

// remapNCC correlates dst's block with src through the column map f and the row map srcY.
func remapNCC(src, dst *Patch, f []int, srcY func(int) float64, x0, y0, dx int, dy float64) float64 {
	var n ncc
	for y := y0; y < y0+warpBlock; y++ {
		fy := srcY(y) + dy
		iy := int(math.Floor(fy))
		if iy < 0 || iy >= PatchSize-1 {
			return -1
		}
		ry := fy - float64(iy)
		for x := x0; x < x0+warpBlock; x++ {
			xs := f[x] + dx
			if xs < 0 || xs >= PatchSize {
				return -1
			}
			a := float64(src.Pix[iy*PatchSize+xs])*(1-ry) + float64(src.Pix[(iy+1)*PatchSize+xs])*ry
			n.add(a, float64(dst.Pix[y*PatchSize+x]))
		}
	}
	return n.value()
}

// ncc accumulates the normalised cross-correlation of two equally long samples.
type ncc struct{ n, sa, sb, saa, sbb, sab float64 }

func (c *ncc) add(a, b float64) {
	c.n++
	c.sa += a
	c.sb += b
	c.saa += a * a
	c.sbb += b * b
	c.sab += a * b
}

// value is the correlation, 0 when either sample is flat.
func (c *ncc) value() float64 {
	va, vb := c.saa-c.sa*c.sa/c.n, c.sbb-c.sb*c.sb/c.n
	if va < 1e-6 || vb < 1e-6 {
		return 0
	}
	return (c.sab - c.sa*c.sb/c.n) / math.Sqrt(va*vb)
}
