package address

import (
	"math"
	"sort"
)

// Phone photos of a page: the page lies on a darker surface, seen at a slant, unevenly lit.
// Deskewing alone leaves each text line at its own slope (a homography keeps straight lines
// straight but not parallel), so Tesseract breaks lines in two and words of a name or a
// street land on different rows. pageQuad finds the page's four edges, warp maps the page
// back to a rectangle, and flatten divides out the shadow.

// shrink averages k×k blocks (noise and text ink average out, the page edge stays).
func (g *gray) shrink(k int) *gray {
	w, h := g.w/k, g.h/k
	out := &gray{w: w, h: h, p: make([]uint8, w*h)}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			s := 0
			for dy := 0; dy < k; dy++ {
				row := g.p[(y*k+dy)*g.w+x*k:]
				for dx := 0; dx < k; dx++ {
					s += int(row[dx])
				}
			}
			out.p[y*w+x] = uint8(s / (k * k))
		}
	}
	return out
}

// edgeScan finds, along one scan line of n samples read by at(i), where the surface (the
// first samples) gives way to paper at least 1.5 times brighter: the position where the
// brightness crosses halfway between the two, to a fraction of a sample, or -1.
func edgeScan(n int, at func(int) float64) float64 {
	if n < 12 {
		return -1
	}
	ref := (at(0) + at(1) + at(2)) / 3
	for i := 3; i < n/2; i++ {
		if at(i) > 1.5*ref+12 && at(i+1) > 1.5*ref+12 && at(i+2) > 1.5*ref+12 {
			// The paper's level a little further in; the crossing between ref and it.
			paper := math.Max(at(min(i+3, n-1)), at(i+2))
			mid := (ref + paper) / 2
			for j := max(i-3, 1); j <= i+2; j++ {
				a, b := at(j-1), at(j)
				if a < mid && b >= mid {
					return float64(j-1) + (mid-a)/(b-a)
				}
			}
			return float64(i)
		}
		ref = 0.9*ref + 0.1*at(i) // follows a slow shading of the surface
	}
	return -1
}

// fitLine fits v = a*u + b to the points by least squares, twice: the second time without
// the points further than 1.5 samples from the first line. It reports the share of points
// kept and the line.
func fitLine(us, vs []float64) (a, b, kept float64, ok bool) {
	fit := func(use []bool) (float64, float64, int) {
		var su, sv, suu, suv, n float64
		for i := range us {
			if !use[i] {
				continue
			}
			su, sv, suu, suv, n = su+us[i], sv+vs[i], suu+us[i]*us[i], suv+us[i]*vs[i], n+1
		}
		d := n*suu - su*su
		if n < 2 || d == 0 {
			return 0, 0, 0
		}
		a := (n*suv - su*sv) / d
		return a, (sv - a*su) / n, int(n)
	}
	use := make([]bool, len(us))
	for i := range use {
		use[i] = true
	}
	a, b, n := fit(use)
	if n < 10 {
		return 0, 0, 0, false
	}
	// Residuals: keep what lies near the median residual line.
	res := make([]float64, len(us))
	for i := range us {
		res[i] = math.Abs(vs[i] - (a*us[i] + b))
	}
	sorted := append([]float64(nil), res...)
	sort.Float64s(sorted)
	lim := math.Max(1.5, 2*sorted[len(sorted)/2])
	for i := range use {
		use[i] = res[i] <= lim
	}
	a, b, n = fit(use)
	if n < 10 {
		return 0, 0, 0, false
	}
	return a, b, float64(n) / float64(len(us)), true
}

// pageQuad returns the page's corners in g's pixels (top-left, top-right, bottom-right,
// bottom-left), or ok=false when the photo does not show a page against a darker surface on
// all four sides (a scan, a screenshot, a page filling the frame): then nothing is warped.
func (g *gray) pageQuad() (q [4][2]float64, ok bool) {
	k := max(1, max(g.w, g.h)/600)
	s := g.shrink(k)
	if s.w < 100 || s.h < 100 {
		return q, false
	}
	at := func(x, y int) float64 { return float64(s.p[y*s.w+x]) }
	// Each side: scan lines across the middle 70 % of it, from the photo's border inwards.
	type side struct {
		us, vs []float64
	}
	var sides [4]side // left, right (x as a function of y), top, bottom (y as a function of x)
	for y := s.h * 15 / 100; y < s.h*85/100; y++ {
		if x := edgeScan(s.w, func(i int) float64 { return at(i, y) }); x >= 0 {
			sides[0].us, sides[0].vs = append(sides[0].us, float64(y)), append(sides[0].vs, x)
		}
		if x := edgeScan(s.w, func(i int) float64 { return at(s.w-1-i, y) }); x >= 0 {
			sides[1].us, sides[1].vs = append(sides[1].us, float64(y)), append(sides[1].vs, float64(s.w-1)-x)
		}
	}
	for x := s.w * 15 / 100; x < s.w*85/100; x++ {
		if y := edgeScan(s.h, func(i int) float64 { return at(x, i) }); y >= 0 {
			sides[2].us, sides[2].vs = append(sides[2].us, float64(x)), append(sides[2].vs, y)
		}
		if y := edgeScan(s.h, func(i int) float64 { return at(x, s.h-1-i) }); y >= 0 {
			sides[3].us, sides[3].vs = append(sides[3].us, float64(x)), append(sides[3].vs, float64(s.h-1)-y)
		}
	}
	var lines [4][2]float64
	for i, sd := range sides {
		span := float64(s.h) * 0.7
		if i >= 2 {
			span = float64(s.w) * 0.7
		}
		if float64(len(sd.us)) < 0.6*span {
			return q, false // no clear edge on this side
		}
		a, b, kept, fok := fitLine(sd.us, sd.vs)
		if !fok || kept < 0.7 || math.Abs(a) > 0.2 {
			return q, false
		}
		lines[i] = [2]float64{a, b}
	}
	// Corners: x = aL*y + bL meets y = aT*x + bT, and so on.
	meet := func(v, hz [2]float64) [2]float64 {
		// x = av*y + bv; y = ah*x + bh → x = av*(ah*x+bh) + bv
		x := (v[0]*hz[1] + v[1]) / (1 - v[0]*hz[0])
		return [2]float64{x, hz[0]*x + hz[1]}
	}
	q = [4][2]float64{meet(lines[0], lines[2]), meet(lines[1], lines[2]), meet(lines[1], lines[3]), meet(lines[0], lines[3])}
	// Plausible: the page covers at least a third of the photo and its opposite sides are
	// about as long as each other.
	area := 0.0
	for i := range q {
		j := (i + 1) % 4
		area += q[i][0]*q[j][1] - q[j][0]*q[i][1]
	}
	area = math.Abs(area) / 2
	if area < float64(s.w*s.h)/3 {
		return q, false
	}
	l := func(i, j int) float64 { return math.Hypot(q[i][0]-q[j][0], q[i][1]-q[j][1]) }
	if r := l(0, 1) / l(3, 2); r < 0.8 || r > 1.25 {
		return q, false
	}
	if r := l(0, 3) / l(1, 2); r < 0.8 || r > 1.25 {
		return q, false
	}
	for i := range q {
		q[i][0], q[i][1] = (q[i][0]+0.5)*float64(k), (q[i][1]+0.5)*float64(k)
	}
	return q, true
}

// homography solves for the 3×3 matrix (h[8] = 1) mapping each from[i] to to[i].
func homography(from, to [4][2]float64) ([9]float64, bool) {
	var m [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := from[i][0], from[i][1], to[i][0], to[i][1]
		m[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		m[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return [9]float64{}, false
		}
		m[c], m[p] = m[p], m[c]
		for r := 0; r < 8; r++ {
			if r == c {
				continue
			}
			f := m[r][c] / m[c][c]
			for k := c; k < 9; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	var h [9]float64
	for i := 0; i < 8; i++ {
		h[i] = m[i][8] / m[i][i]
	}
	h[8] = 1
	return h, true
}

// warp maps the quadrilateral q of g onto an upright rectangle whose long side is long
// pixels, with bilinear sampling.
func (g *gray) warp(q [4][2]float64, long int) (*gray, bool) {
	l := func(i, j int) float64 { return math.Hypot(q[i][0]-q[j][0], q[i][1]-q[j][1]) }
	pw, ph := (l(0, 1)+l(3, 2))/2, (l(0, 3)+l(1, 2))/2
	f := float64(long) / math.Max(pw, ph)
	w, h := int(pw*f), int(ph*f)
	if w < 100 || h < 100 {
		return nil, false
	}
	rect := [4][2]float64{{0, 0}, {float64(w), 0}, {float64(w), float64(h)}, {0, float64(h)}}
	hm, ok := homography(rect, q)
	if !ok {
		return nil, false
	}
	out := &gray{w: w, h: h, p: make([]uint8, w*h)}
	for y := 0; y < h; y++ {
		fy := float64(y) + 0.5
		for x := 0; x < w; x++ {
			fx := float64(x) + 0.5
			d := hm[6]*fx + hm[7]*fy + hm[8]
			sx := (hm[0]*fx+hm[1]*fy+hm[2])/d - 0.5
			sy := (hm[3]*fx+hm[4]*fy+hm[5])/d - 0.5
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			if x0 < 0 || y0 < 0 || x0+1 >= g.w || y0+1 >= g.h {
				out.p[y*w+x] = 255
				continue
			}
			ax, ay := sx-float64(x0), sy-float64(y0)
			i := y0*g.w + x0
			v := (1-ay)*((1-ax)*float64(g.p[i])+ax*float64(g.p[i+1])) + ay*((1-ax)*float64(g.p[i+g.w])+ax*float64(g.p[i+g.w+1]))
			out.p[y*w+x] = uint8(v + 0.5)
		}
	}
	return out, true
}

// flatten divides the image by an estimate of the paper's brightness (the brightest pixels
// of each block, smoothed), so a shadow across the page no longer darkens the text's
// background: the paper becomes white everywhere and Tesseract's global threshold holds.
func (g *gray) flatten() *gray {
	const bs = 48
	bw, bh := (g.w+bs-1)/bs, (g.h+bs-1)/bs
	bg := make([]float64, bw*bh)
	var hist [256]int
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			hist = [256]int{}
			n := 0
			for y := by * bs; y < min((by+1)*bs, g.h); y++ {
				for x := bx * bs; x < min((bx+1)*bs, g.w); x++ {
					hist[g.p[y*g.w+x]]++
					n++
				}
			}
			// The 90th percentile: the paper, even where text covers half the block.
			c, v := 0, 255
			for v = 255; v > 0; v-- {
				c += hist[v]
				if c*10 >= n {
					break
				}
			}
			bg[by*bw+bx] = float64(v)
		}
	}
	// A block that is all ink (a logo, a table band) takes its neighbours' paper level.
	sm := make([]float64, len(bg))
	for by := 0; by < bh; by++ {
		for bx := 0; bx < bw; bx++ {
			best := 0.0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					x, y := bx+dx, by+dy
					if x >= 0 && y >= 0 && x < bw && y < bh {
						best = math.Max(best, bg[y*bw+x])
					}
				}
			}
			sm[by*bw+bx] = math.Max(best, 40)
		}
	}
	out := &gray{w: g.w, h: g.h, p: make([]uint8, len(g.p))}
	for y := 0; y < g.h; y++ {
		fy := (float64(y)+0.5)/bs - 0.5
		y0 := int(math.Floor(fy))
		ay := fy - float64(y0)
		y0c, y1c := clamp(y0, bh), clamp(y0+1, bh)
		for x := 0; x < g.w; x++ {
			fx := (float64(x)+0.5)/bs - 0.5
			x0 := int(math.Floor(fx))
			ax := fx - float64(x0)
			x0c, x1c := clamp(x0, bw), clamp(x0+1, bw)
			b := (1-ay)*((1-ax)*sm[y0c*bw+x0c]+ax*sm[y0c*bw+x1c]) + ay*((1-ax)*sm[y1c*bw+x0c]+ax*sm[y1c*bw+x1c])
			out.p[y*g.w+x] = uint8(math.Min(255, float64(g.p[y*g.w+x])*255/b+0.5))
		}
	}
	return out
}
