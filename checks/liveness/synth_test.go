package liveness

import (
	"math"

	"github.com/kycd/kycd/checks/face/imaging"
)

// yawWarp simulates a head turn of theta radians on a still photo: the face
// is treated as a vertical cylinder of radius r around x = cx, and every
// column moves to where it would appear after rotating the cylinder. The
// result is a 2.5-D approximation (no occlusion, no ear coming into view),
// which is exactly why synthetic frames may not convince a pose model.
func yawWarp(src *imaging.RGB, cx, r, theta float64) *imaging.RGB {
	out := imaging.NewRGB(src.W, src.H)
	for x := 0; x < src.W; x++ {
		u := (float64(x) - cx) / r
		sx := float64(x)
		if math.Abs(u) < 1 {
			phi := math.Asin(u) - theta
			if phi < -math.Pi/2 {
				phi = -math.Pi / 2
			}
			if phi > math.Pi/2 {
				phi = math.Pi / 2
			}
			sx = cx + r*math.Sin(phi)
		}
		xi := int(math.Round(sx))
		xi = max(0, min(src.W-1, xi))
		for y := 0; y < src.H; y++ {
			si, di := 3*(y*src.W+xi), 3*(y*src.W+x)
			out.Pix[di], out.Pix[di+1], out.Pix[di+2] = src.Pix[si], src.Pix[si+1], src.Pix[si+2]
		}
	}
	return out
}
