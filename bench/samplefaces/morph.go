package main

import (
	"math"

	"github.com/kycd/kycd/checks/face/imaging"
)

// Canvas of every sample: a 4:5 head-and-shoulders selfie.
const W, H = 480, 600

// border are fixed points on the canvas edge (pixel centres lie inside [0,W]×[0,H]) so the
// triangulation covers every pixel.
func border() []imaging.Point {
	var p []imaging.Point
	for _, f := range []float64{0, 0.25, 0.5, 0.75, 1} {
		p = append(p, imaging.Point{X: f * W, Y: 0}, imaging.Point{X: f * W, Y: H})
	}
	for _, f := range []float64{0.25, 0.5, 0.75} {
		p = append(p, imaging.Point{X: 0, Y: f * H}, imaging.Point{X: W, Y: f * H})
	}
	return p
}

// triangle is three indices into a point set.
type triangle [3]int

// delaunay triangulates pts (Bowyer–Watson). The point count here is ~80, so the
// quadratic algorithm is plenty.
func delaunay(pts []imaging.Point) []triangle {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, minY, maxX, maxY = math.Min(minX, p.X), math.Min(minY, p.Y), math.Max(maxX, p.X), math.Max(maxY, p.Y)
	}
	d := math.Max(maxX-minX, maxY-minY) * 20
	mx, my := (minX+maxX)/2, (minY+maxY)/2
	all := append(append([]imaging.Point(nil), pts...),
		imaging.Point{X: mx - d, Y: my - d}, imaging.Point{X: mx + d, Y: my - d}, imaging.Point{X: mx, Y: my + d})
	n := len(pts)
	tris := []triangle{{n, n + 1, n + 2}}
	for i := 0; i < n; i++ {
		p := all[i]
		var bad []triangle
		var keep []triangle
		for _, t := range tris {
			if inCircumcircle(all[t[0]], all[t[1]], all[t[2]], p) {
				bad = append(bad, t)
			} else {
				keep = append(keep, t)
			}
		}
		// The boundary of the hole: edges of bad triangles that no other bad triangle shares.
		type edge [2]int
		count := map[edge]int{}
		norm := func(a, b int) edge {
			if a > b {
				a, b = b, a
			}
			return edge{a, b}
		}
		for _, t := range bad {
			for k := 0; k < 3; k++ {
				count[norm(t[k], t[(k+1)%3])]++
			}
		}
		for _, t := range bad {
			for k := 0; k < 3; k++ {
				if e := norm(t[k], t[(k+1)%3]); count[e] == 1 {
					keep = append(keep, triangle{e[0], e[1], i})
				}
			}
		}
		tris = keep
	}
	out := tris[:0]
	for _, t := range tris {
		if t[0] < n && t[1] < n && t[2] < n {
			out = append(out, t)
		}
	}
	return out
}

func inCircumcircle(a, b, c, p imaging.Point) bool {
	// Orientation-independent: compare with the circumcircle's centre and radius.
	d := 2 * (a.X*(b.Y-c.Y) + b.X*(c.Y-a.Y) + c.X*(a.Y-b.Y))
	if d == 0 {
		return false
	}
	a2, b2, c2 := a.X*a.X+a.Y*a.Y, b.X*b.X+b.Y*b.Y, c.X*c.X+c.Y*c.Y
	ux := (a2*(b.Y-c.Y) + b2*(c.Y-a.Y) + c2*(a.Y-b.Y)) / d
	uy := (a2*(c.X-b.X) + b2*(a.X-c.X) + c2*(b.X-a.X)) / d
	r2 := (a.X-ux)*(a.X-ux) + (a.Y-uy)*(a.Y-uy)
	return (p.X-ux)*(p.X-ux)+(p.Y-uy)*(p.Y-uy) < r2
}

// affineFrom maps triangle d onto triangle s (d[k] → s[k]).
func affineFrom(d, s [3]imaging.Point) (imaging.Affine, bool) {
	// Solve [x y 1] * M = s for the two rows.
	det := (d[1].X-d[0].X)*(d[2].Y-d[0].Y) - (d[2].X-d[0].X)*(d[1].Y-d[0].Y)
	if math.Abs(det) < 1e-9 {
		return imaging.Affine{}, false
	}
	solve := func(v0, v1, v2 float64) (a, b, c float64) {
		a = ((v1-v0)*(d[2].Y-d[0].Y) - (v2-v0)*(d[1].Y-d[0].Y)) / det
		b = ((d[1].X-d[0].X)*(v2-v0) - (d[2].X-d[0].X)*(v1-v0)) / det
		c = v0 - a*d[0].X - b*d[0].Y
		return
	}
	a, b, c := solve(s[0].X, s[1].X, s[2].X)
	e, f, g := solve(s[0].Y, s[1].Y, s[2].Y)
	return imaging.Affine{a, b, c, e, f, g}, true
}

// accumulate warps src (whose points are srcPts) onto the shape dstPts piece by piece over tris
// and adds w × pixel into acc (3 floats per pixel of a W×H canvas).
func accumulate(acc []float64, W, H int, src *imaging.RGB, srcPts, dstPts []imaging.Point, tris []triangle, w float64) {
	done := make([]bool, W*H) // a pixel on a shared edge counts once
	for _, t := range tris {
		d := [3]imaging.Point{dstPts[t[0]], dstPts[t[1]], dstPts[t[2]]}
		s := [3]imaging.Point{srcPts[t[0]], srcPts[t[1]], srcPts[t[2]]}
		m, ok := affineFrom(d, s)
		if !ok {
			continue
		}
		x0 := max(0, int(math.Floor(math.Min(d[0].X, math.Min(d[1].X, d[2].X)))))
		x1 := min(W-1, int(math.Ceil(math.Max(d[0].X, math.Max(d[1].X, d[2].X)))))
		y0 := max(0, int(math.Floor(math.Min(d[0].Y, math.Min(d[1].Y, d[2].Y)))))
		y1 := min(H-1, int(math.Ceil(math.Max(d[0].Y, math.Max(d[1].Y, d[2].Y)))))
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				px, py := float64(x)+0.5, float64(y)+0.5
				if !inTriangle(d, px, py) {
					continue
				}
				sx, sy := m.Apply(float64(x), float64(y))
				r, g, b := sample(src, sx, sy)
				i := 3 * (y*W + x)
				if done[y*W+x] {
					continue
				}
				done[y*W+x] = true
				acc[i] += w * r
				acc[i+1] += w * g
				acc[i+2] += w * b
			}
		}
	}
}

func inTriangle(t [3]imaging.Point, x, y float64) bool {
	s := func(a, b imaging.Point) float64 { return (b.X-a.X)*(y-a.Y) - (b.Y-a.Y)*(x-a.X) }
	d1, d2, d3 := s(t[0], t[1]), s(t[1], t[2]), s(t[2], t[0])
	neg := d1 < 0 || d2 < 0 || d3 < 0
	pos := d1 > 0 || d2 > 0 || d3 > 0
	return !(neg && pos)
}

// sample is bilinear with edge clamping (a morph must not pull in black borders).
func sample(m *imaging.RGB, x, y float64) (float64, float64, float64) {
	x = math.Max(0, math.Min(float64(m.W-1), x))
	y = math.Max(0, math.Min(float64(m.H-1), y))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, m.W-1), min(y0+1, m.H-1)
	fx, fy := x-float64(x0), y-float64(y0)
	var out [3]float64
	for c := 0; c < 3; c++ {
		p := func(xx, yy int) float64 { return float64(m.Pix[3*(yy*m.W+xx)+c]) }
		out[c] = (p(x0, y0)*(1-fx)+p(x1, y0)*fx)*(1-fy) + (p(x0, y1)*(1-fx)+p(x1, y1)*fx)*fy
	}
	return out[0], out[1], out[2]
}
