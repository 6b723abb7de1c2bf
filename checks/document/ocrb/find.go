package ocrb

import (
	"math"
	"sort"
)

// Params tune one attempt of the MRZ finder; the engine retries with
// several sets because no single binarisation suits every photo.
type Params struct {
	// Window is the side of the Sauvola window in working pixels.
	Window int
	// K is Sauvola's sensitivity; larger keeps less ink.
	K float64
}

// DefaultParams is the first attempt's parameter set.
var DefaultParams = Params{Window: 41, K: 0.35}

// comp is a connected component of ink.
type comp struct {
	x0, y0, x1, y1 int // inclusive-exclusive box
	n              int // ink pixels
}

func (c comp) w() int      { return c.x1 - c.x0 }
func (c comp) h() int      { return c.y1 - c.y0 }
func (c comp) cx() float64 { return float64(c.x0+c.x1) / 2 }
func (c comp) cy() float64 { return float64(c.y0+c.y1) / 2 }
func (c comp) hf() float64 { return float64(c.h()) }
func (c comp) wf() float64 { return float64(c.w()) }

// binarize marks ink with Sauvola's local threshold, computed from integral
// images so the cost does not depend on the window.
func binarize(g *Gray, p Params) []bool {
	W, H := g.W, g.H
	s1 := make([]float64, (W+1)*(H+1))
	s2 := make([]float64, (W+1)*(H+1))
	for y := 0; y < H; y++ {
		var r1, r2 float64
		for x := 0; x < W; x++ {
			v := float64(g.Pix[y*W+x])
			r1 += v
			r2 += v * v
			s1[(y+1)*(W+1)+x+1] = s1[y*(W+1)+x+1] + r1
			s2[(y+1)*(W+1)+x+1] = s2[y*(W+1)+x+1] + r2
		}
	}
	half := max(p.Window/2, 3)
	out := make([]bool, W*H)
	for y := 0; y < H; y++ {
		ya, yb := max(0, y-half), min(H, y+half+1)
		for x := 0; x < W; x++ {
			xa, xb := max(0, x-half), min(W, x+half+1)
			n := float64((yb - ya) * (xb - xa))
			a := s1[yb*(W+1)+xb] - s1[ya*(W+1)+xb] - s1[yb*(W+1)+xa] + s1[ya*(W+1)+xa]
			b := s2[yb*(W+1)+xb] - s2[ya*(W+1)+xb] - s2[yb*(W+1)+xa] + s2[ya*(W+1)+xa]
			m := a / n
			sd := math.Sqrt(math.Max(0, b/n-m*m))
			t := m * (1 + p.K*(sd/128-1))
			v := float64(g.Pix[y*W+x])
			// Flat regions (sd small) are paper, whatever their shade.
			out[y*W+x] = v < t && sd > 6
		}
	}
	return out
}

// components labels 8-connected ink regions.
func components(bin []bool, W, H int) []comp {
	labels := make([]int32, W*H)
	var comps []comp
	stack := make([]int, 0, 1024)
	for i, on := range bin {
		if !on || labels[i] != 0 {
			continue
		}
		id := int32(len(comps) + 1)
		c := comp{x0: i % W, y0: i / W, x1: i%W + 1, y1: i/W + 1}
		labels[i] = id
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := j%W, j/W
			c.n++
			c.x0, c.x1 = min(c.x0, x), max(c.x1, x+1)
			c.y0, c.y1 = min(c.y0, y), max(c.y1, y+1)
			for dy := -1; dy <= 1; dy++ {
				yy := y + dy
				if yy < 0 || yy >= H {
					continue
				}
				for dx := -1; dx <= 1; dx++ {
					xx := x + dx
					if xx < 0 || xx >= W {
						continue
					}
					k := yy*W + xx
					if bin[k] && labels[k] == 0 {
						labels[k] = id
						stack = append(stack, k)
					}
				}
			}
		}
		comps = append(comps, c)
	}
	return comps
}

// Line is one MRZ text line located in the working image: character cell i
// is centred at Origin + i·Pitch·Dir, and the glyphs are CapHeight tall.
type Line struct {
	OriginX, OriginY float64 // centre of cell 0
	DirX, DirY       float64 // unit vector along the line
	Pitch            float64
	// Accel bends the grid for perspective: cell i sits i·Pitch + Accel·i²
	// along the line, so the local pitch is Pitch + 2·Accel·i.
	Accel     float64
	CapHeight float64
	N         int // characters
}

// LocalPitch is the pitch at cell i.
func (l Line) LocalPitch(i int) float64 { return l.Pitch + 2*l.Accel*float64(i) }

// CellCenter returns the centre of cell i.
func (l Line) CellCenter(i int) (float64, float64) {
	d := float64(i)*l.Pitch + l.Accel*float64(i)*float64(i)
	return l.OriginX + d*l.DirX, l.OriginY + d*l.DirY
}

// Reverse returns the same line read from the other end, as it appears when
// the document is upside down.
func (l Line) Reverse() Line {
	x, y := l.CellCenter(l.N - 1)
	return Line{OriginX: x, OriginY: y, DirX: -l.DirX, DirY: -l.DirY,
		Pitch: l.LocalPitch(l.N - 1), Accel: -l.Accel, CapHeight: l.CapHeight, N: l.N}
}

// Zone is a located MRZ: its lines top to bottom, in working-image pixels.
type Zone struct {
	Lines []Line
	// Score ranks zones: grid regularity times coverage.
	Score float64
}

// Reverse returns the zone as read upside down.
func (z Zone) Reverse() Zone {
	out := Zone{Score: z.Score, Lines: make([]Line, len(z.Lines))}
	for i, l := range z.Lines {
		out.Lines[len(z.Lines)-1-i] = l.Reverse()
	}
	return out
}

// Bounds returns the zone's axis-aligned box (x0, y0, x1, y1) with half a
// cell of margin.
func (z Zone) Bounds() (x0, y0, x1, y1 float64) {
	x0, y0 = math.Inf(1), math.Inf(1)
	x1, y1 = math.Inf(-1), math.Inf(-1)
	for _, l := range z.Lines {
		for _, i := range []int{0, l.N - 1} {
			cx, cy := l.CellCenter(i)
			m := l.Pitch * 0.8
			x0, x1 = math.Min(x0, cx-m), math.Max(x1, cx+m)
			y0, y1 = math.Min(y0, cy-l.CapHeight), math.Max(y1, cy+l.CapHeight)
		}
	}
	return
}

// chain is a run of neighbouring components that may be a text line.
type chain struct {
	comps []comp
	// fitted centre line y = a + b·x and grid cx = x0 + p·idx
	a, b     float64
	p, q, x0 float64
	idx      []int
	capH     float64
	resid    float64
	lo, hi   int // index range covered
}

// FindZones locates candidate MRZs in g (already at working scale).
func FindZones(g *Gray, p Params) []Zone {
	bin := binarize(g, p)
	all := components(bin, g.W, g.H)
	maxH := max(12, g.H/6)
	var cs []comp
	for _, c := range all {
		if c.h() < 5 || c.h() > maxH || c.w() > 4*c.h()+4 || c.n < 8 {
			continue
		}
		if c.w() > g.W/3 || float64(c.w()) < 0.15*float64(c.h()) {
			continue // too long, or a sliver of background line
		}
		cs = append(cs, c)
	}
	chains := mergeChains(buildChains(cs))
	var lines []*chain
	for _, ch := range chains {
		if len(ch.comps) < 12 {
			continue
		}
		if fitGrid(ch) {
			lines = append(lines, ch)
		}
	}
	return groupZones(lines, g)
}

func buildChains(cs []comp) []*chain {
	sort.Slice(cs, func(i, j int) bool { return cs[i].x0 < cs[j].x0 })
	next := make([]int, len(cs))
	prevDist := make([]float64, len(cs))
	prev := make([]int, len(cs))
	for i := range cs {
		next[i], prev[i] = -1, -1
		prevDist[i] = math.Inf(1)
	}
	for i, a := range cs {
		best, bestD := -1, math.Inf(1)
		for j := i + 1; j < len(cs); j++ {
			b := cs[j]
			hmax := math.Max(a.hf(), b.hf())
			if float64(b.x0-a.x1) > 1.6*hmax {
				break
			}
			if b.cx() <= a.cx()+0.2*math.Min(a.hf(), b.hf()) {
				continue
			}
			r := a.hf() / b.hf()
			if r < 0.3 || r > 3.3 {
				continue
			}
			if math.Abs(b.cy()-a.cy()) > 0.45*hmax {
				continue
			}
			d := b.cx() - a.cx() + 2*math.Abs(b.cy()-a.cy())
			if d < bestD {
				best, bestD = j, d
			}
		}
		if best >= 0 && bestD < prevDist[best] {
			if prev[best] >= 0 {
				next[prev[best]] = -1
			}
			next[i] = best
			prev[best] = i
			prevDist[best] = bestD
		}
	}
	var out []*chain
	for i := range cs {
		if prev[i] >= 0 {
			continue
		}
		ch := &chain{}
		for j := i; j >= 0; j = next[j] {
			ch.comps = append(ch.comps, cs[j])
		}
		out = append(out, ch)
	}
	return out
}

// mergeChains joins chain fragments of one text line that a dropped-out
// glyph or a stray speck broke apart: a fragment that starts within three
// cap heights after another ends, on its centre line, with glyphs of the
// same height.
func mergeChains(chains []*chain) []*chain {
	type frag struct {
		ch       *chain
		a, b, hh float64
		dead     bool
	}
	var fs []*frag
	var out []*chain
	for _, c := range chains {
		if len(c.comps) < 3 {
			out = append(out, c)
			continue
		}
		var sx, sy, sxx, sxy, n float64
		hs := make([]float64, len(c.comps))
		for i, k := range c.comps {
			sx += k.cx()
			sy += k.cy()
			sxx += k.cx() * k.cx()
			sxy += k.cx() * k.cy()
			n++
			hs[i] = k.hf()
		}
		f := &frag{ch: c, hh: quantile(hs, 0.75)}
		if den := n*sxx - sx*sx; den != 0 {
			f.b = (n*sxy - sx*sy) / den
		}
		f.a = (sy - f.b*sx) / n
		fs = append(fs, f)
	}
	sort.Slice(fs, func(i, j int) bool { return fs[i].ch.comps[0].x0 < fs[j].ch.comps[0].x0 })
	for i, f := range fs {
		if f.dead {
			continue
		}
		for j := i + 1; j < len(fs); j++ {
			g := fs[j]
			if g.dead {
				continue
			}
			last := f.ch.comps[len(f.ch.comps)-1]
			first := g.ch.comps[0]
			gap := float64(first.x0 - last.x1)
			if gap < -0.2*f.hh || gap > 3*f.hh {
				continue
			}
			if r := g.hh / f.hh; r < 0.75 || r > 1.33 {
				continue
			}
			if math.Abs(first.cy()-(f.a+f.b*first.cx())) > 0.3*f.hh || math.Abs(f.b-g.b) > 0.08 {
				continue
			}
			f.ch.comps = append(f.ch.comps, g.ch.comps...)
			g.dead = true
		}
		out = append(out, f.ch)
	}
	return out
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

// fitGrid fits the centre line and a fixed-pitch grid to a chain and reports
// whether it looks monospaced enough to be an MRZ line.
func fitGrid(ch *chain) bool {
	cs := ch.comps
	hs := make([]float64, len(cs))
	for i, c := range cs {
		hs[i] = c.hf()
	}
	ch.capH = quantile(hs, 0.75)
	// Pitch from gaps between consecutive single-glyph components.
	var d []float64
	for i := 1; i < len(cs); i++ {
		if cs[i].wf() < 1.3*ch.capH && cs[i-1].wf() < 1.3*ch.capH {
			d = append(d, cs[i].cx()-cs[i-1].cx())
		}
	}
	if len(d) < 6 {
		return false
	}
	p := median(d)
	if p < 0.45*ch.capH || p > 1.8*ch.capH {
		return false
	}
	// Incremental indexing tolerates merged glyphs and missing ones.
	idx := make([]int, len(cs))
	for i := 1; i < len(cs); i++ {
		step := int(math.Round((cs[i].cx() - cs[i-1].cx()) / p))
		if step < 1 {
			step = 1
		}
		idx[i] = idx[i-1] + step
	}
	// Least squares cx = x0 + p·i + q·i² (q absorbs perspective), re-indexing
	// once against the fitted grid.
	var x0, q float64
	for iter := 0; iter < 2; iter++ {
		var ok bool
		x0, p, q, ok = fitQuad(cs, idx)
		if !ok {
			return false
		}
		for i, c := range cs {
			idx[i] = nearestIndex(c.cx(), x0, p, q, idx[i])
		}
	}
	// Drop outliers (guilloche slivers, glyphs fused with background lines)
	// and refit: an MRZ line has enough glyphs to lose a few.
	keep := cs[:0:0]
	var keepIdx []int
	for i, c := range cs {
		lp := p + 2*q*float64(idx[i])
		if math.Abs(c.cx()-gridX(x0, p, q, idx[i])) < 0.3*lp {
			keep = append(keep, c)
			keepIdx = append(keepIdx, idx[i])
		}
	}
	if len(keep) < len(cs) && len(keep) >= 10 && len(keep) >= len(cs)*3/4 {
		if x0b, pb, qb, ok := fitQuad(keep, keepIdx); ok {
			cs, idx, x0, p, q = keep, keepIdx, x0b, pb, qb
			ch.comps = keep
		}
	}
	ch.x0, ch.p, ch.q = x0, p, q
	ch.idx = idx
	var res float64
	for i, c := range cs {
		lp := p + 2*q*float64(idx[i])
		e := (c.cx() - gridX(x0, p, q, idx[i])) / lp
		res += e * e
	}
	ch.resid = math.Sqrt(res / float64(len(cs)))
	ch.lo, ch.hi = idx[0], idx[0]
	for _, i := range idx {
		ch.lo, ch.hi = min(ch.lo, i), max(ch.hi, i)
	}
	// Centre line: least squares over components, then refit without outliers.
	fitLine := func(use func(c comp) bool) {
		var sx, sy, sxx, sxy, n float64
		for _, c := range cs {
			if !use(c) {
				continue
			}
			sx += c.cx()
			sy += c.cy()
			sxx += c.cx() * c.cx()
			sxy += c.cx() * c.cy()
			n++
		}
		den := n*sxx - sx*sx
		if n < 2 || den == 0 {
			return
		}
		ch.b = (n*sxy - sx*sy) / den
		ch.a = (sy - ch.b*sx) / n
	}
	fitLine(func(comp) bool { return true })
	fitLine(func(c comp) bool { return math.Abs(c.cy()-(ch.a+ch.b*c.cx())) < 0.25*ch.capH })
	return ch.resid < 0.22
}

func gridX(x0, p, q float64, i int) float64 {
	f := float64(i)
	return x0 + p*f + q*f*f
}

// nearestIndex finds the grid index closest to x, starting from a guess.
func nearestIndex(x, x0, p, q float64, guess int) int {
	best := guess
	for d := -3; d <= 3; d++ {
		if math.Abs(gridX(x0, p, q, guess+d)-x) < math.Abs(gridX(x0, p, q, best)-x) {
			best = guess + d
		}
	}
	return best
}

// fitQuad solves the 3×3 normal equations of cx = x0 + p·i + q·i².
func fitQuad(cs []comp, idx []int) (x0, p, q float64, ok bool) {
	var a [3][4]float64
	for k, c := range cs {
		f := float64(idx[k])
		basis := [3]float64{1, f, f * f}
		for r := 0; r < 3; r++ {
			for col := 0; col < 3; col++ {
				a[r][col] += basis[r] * basis[col]
			}
			a[r][3] += basis[r] * c.cx()
		}
	}
	for col := 0; col < 3; col++ {
		piv := col
		for r := col + 1; r < 3; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[piv][col]) {
				piv = r
			}
		}
		a[col], a[piv] = a[piv], a[col]
		if math.Abs(a[col][col]) < 1e-9 {
			return 0, 0, 0, false
		}
		for r := 0; r < 3; r++ {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for k := col; k < 4; k++ {
				a[r][k] -= f * a[col][k]
			}
		}
	}
	x0, p, q = a[0][3]/a[0][0], a[1][3]/a[1][1], a[2][3]/a[2][2]
	return x0, p, q, p > 0
}

// groupZones pairs parallel, equally pitched, left-aligned lines into 2- or
// 3-line zones and sizes them to the nearest ICAO line length.
func groupZones(lines []*chain, g *Gray) []Zone {
	sort.Slice(lines, func(i, j int) bool { return lines[i].a+lines[i].b*lines[i].x0 < lines[j].a+lines[j].b*lines[j].x0 })
	compatible := func(u, v *chain) bool {
		if r := u.p / v.p; r < 0.88 || r > 1.14 {
			return false
		}
		// v below u by 1.2–3.5 cap heights, measured at u's start.
		yu := u.a + u.b*u.x0
		yv := v.a + v.b*u.x0
		dy := yv - yu
		ch := math.Max(u.capH, v.capH)
		if dy < 1.1*ch || dy > 3.6*ch {
			return false
		}
		if math.Abs(u.b-v.b) > 0.05 {
			return false
		}
		// Overlapping horizontal extents.
		us, ue := gridX(u.x0, u.p, u.q, u.lo), gridX(u.x0, u.p, u.q, u.hi)
		vs, ve := gridX(v.x0, v.p, v.q, v.lo), gridX(v.x0, v.p, v.q, v.hi)
		return math.Min(ue, ve)-math.Max(us, vs) > 0.5*math.Min(ue-us, ve-vs)
	}
	var zones []Zone
	for i := range lines {
		group := []*chain{lines[i]}
		for j := i + 1; j < len(lines) && len(group) < 3; j++ {
			if compatible(group[len(group)-1], lines[j]) {
				group = append(group, lines[j])
			}
		}
		for k := len(group); k >= 2; k-- {
			if z, ok := makeZone(group[:k], g); ok {
				zones = append(zones, z)
			}
		}
	}
	sort.SliceStable(zones, func(i, j int) bool { return zones[i].Score > zones[j].Score })
	return zones
}

func makeZone(group []*chain, g *Gray) (Zone, bool) {
	span := 0
	for _, c := range group {
		span = max(span, c.hi-c.lo+1)
	}
	var n int
	switch {
	case len(group) == 3:
		n = 30
	case span <= 39:
		n = 36
	default:
		n = 44
	}
	if span < n*2/3 || span > n+4 {
		return Zone{}, false
	}
	// The reference line gives the grid to all lines: MRZ lines share their
	// left edge and pitch, and one clean line (all glyphs found, regular)
	// is better evidence than the fits of lines that lost glyphs to the
	// background. Prefer a line that spans n cells, then more glyphs.
	ref := group[0]
	refScore := func(c *chain) float64 {
		s := float64(len(c.comps)) - 20*c.resid
		switch d := c.hi - c.lo + 1 - n; {
		case d == 0:
			s += 100
		case d >= -1 && d <= 1:
			s += 50
		}
		return s
	}
	for _, c := range group[1:] {
		if refScore(c) > refScore(ref) {
			ref = c
		}
	}
	lo := windowStart(ref, n)
	p := ref.p + 2*ref.q*float64(lo)
	q := ref.q
	X0 := gridX(ref.x0, ref.p, ref.q, lo)
	Y0 := ref.a + ref.b*X0
	var z Zone
	cover, total := 0, 0
	for _, c := range group {
		// Cell 0 of this line lies across from the reference's cell 0.
		dy := (c.a + c.b*X0) - Y0
		xc := X0 - ref.b*dy
		pos := func(i int) float64 { f := float64(i); return xc + p*f + q*f*f }
		// Sub-cell offset: circular median of the glyphs' offsets from the grid.
		var fr []float64
		for _, k := range c.comps {
			i := nearestIndex(k.cx(), xc, p, q, int(math.Round((k.cx()-xc)/p)))
			if i < 0 || i >= n {
				continue
			}
			lp := p + 2*q*float64(i)
			fr = append(fr, (k.cx()-pos(i))/lp)
		}
		delta := 0.0
		if len(fr) > 0 {
			delta = median(fr)
			if math.Abs(delta) > 0.5 {
				delta = 0
			}
		}
		ox := xc + delta*p
		k := 0
		for _, cc := range c.comps {
			i := nearestIndex(cc.cx(), ox, p, q, int(math.Round((cc.cx()-ox)/p)))
			if i >= 0 && i < n && math.Abs(cc.cx()-gridX(ox, p, q, i)) < 0.3*p {
				k++
			}
		}
		cover += min(k, n)
		total += n
		dx := 1 / math.Sqrt(1+c.b*c.b)
		dirY := c.b * dx
		// The grid was fitted along x; distances along the line are x/dx.
		z.Lines = append(z.Lines, Line{
			OriginX: ox, OriginY: c.a + c.b*ox, DirX: dx, DirY: dirY,
			Pitch: p / dx, Accel: q / dx, CapHeight: c.capH, N: n,
		})
	}
	var res float64
	for _, c := range group {
		res += c.resid
	}
	res /= float64(len(group))
	z.Score = float64(cover) / float64(total) * (1 - res) * float64(len(group))
	_ = g
	return z, float64(cover) > 0.6*float64(total)
}

// windowStart picks the first cell of the n-cell window of a chain: its
// first glyph, or for a chain with extra glyphs (background text touching
// the line) the window that covers the most glyphs.
func windowStart(c *chain, n int) int {
	if c.hi-c.lo+1 <= n {
		return c.lo
	}
	bestLo, best := c.lo, -1
	for s := c.lo; s <= c.hi-n+1; s++ {
		k := 0
		for _, id := range c.idx {
			if id >= s && id < s+n {
				k++
			}
		}
		if k > best {
			best, bestLo = k, s
		}
	}
	return bestLo
}
