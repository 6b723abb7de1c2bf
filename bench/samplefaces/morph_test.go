package main

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face/imaging"
)

// The triangulation covers the points' hull exactly once (areas add up) and every triangle
// is empty of other points (the Delaunay property).
func TestDelaunay(t *testing.T) {
	t.Parallel()
	pts := border()
	for i := 0; i < 40; i++ { // a deterministic scatter inside the canvas
		pts = append(pts, imaging.Point{X: float64((i*97)%W) + 0.5, Y: float64((i*61)%H) + 0.25})
	}
	tris := delaunay(pts)
	require.NotEmpty(t, tris)
	area := 0.0
	for _, tr := range tris {
		a, b, c := pts[tr[0]], pts[tr[1]], pts[tr[2]]
		area += math.Abs((b.X-a.X)*(c.Y-a.Y)-(c.X-a.X)*(b.Y-a.Y)) / 2
		for k, p := range pts {
			if k == tr[0] || k == tr[1] || k == tr[2] {
				continue
			}
			require.False(t, inCircumcircle(a, b, c, p), "point %d inside the circumcircle of %v", k, tr)
		}
	}
	require.InDelta(t, float64(W*H), area, 1e-6, "the canvas is covered once")
}

// A piecewise-affine warp onto the same shape is the identity (up to rounding), and
// affineFrom maps each triangle corner onto its partner.
func TestWarpIdentity(t *testing.T) {
	t.Parallel()
	src := imaging.NewRGB(W, H)
	for i := range src.Pix {
		src.Pix[i] = uint8((i * 7) % 251)
	}
	pts := append(border(), imaging.Point{X: 200, Y: 250}, imaging.Point{X: 300, Y: 330})
	acc := make([]float64, 3*W*H)
	accumulate(acc, W, H, src, pts, pts, delaunay(pts), 1)
	for i, v := range acc {
		require.InDelta(t, float64(src.Pix[i]), v, 0.51, "pixel %d", i/3)
	}
	d := [3]imaging.Point{{X: 0, Y: 0}, {X: 10, Y: 0}, {X: 0, Y: 10}}
	s := [3]imaging.Point{{X: 5, Y: 5}, {X: 25, Y: 8}, {X: 3, Y: 30}}
	m, ok := affineFrom(d, s)
	require.True(t, ok)
	for k := range d {
		x, y := m.Apply(d[k].X, d[k].Y)
		require.InDelta(t, s[k].X, x, 1e-9)
		require.InDelta(t, s[k].Y, y, 1e-9)
	}
}
