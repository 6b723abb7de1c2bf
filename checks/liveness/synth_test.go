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

// closeEyes simulates shut eyelids by covering each eye (landmarks 36–41 and
// 42–47, padded) with the skin patch just below it. Crude, but it removes
// the iris and sclera the eye model looks for.
func closeEyes(src *imaging.RGB, eyes [2][6]imaging.Point) *imaging.RGB {
	out := &imaging.RGB{W: src.W, H: src.H, Pix: append([]uint8(nil), src.Pix...)}
	for _, eye := range eyes {
		x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
		for _, p := range eye {
			x0, y0 = math.Min(x0, p.X), math.Min(y0, p.Y)
			x1, y1 = math.Max(x1, p.X), math.Max(y1, p.Y)
		}
		w := x1 - x0
		x0, x1 = x0-0.15*w, x1+0.15*w
		h := math.Max(y1-y0, 0.25*w)
		y0, y1 = y0-0.6*h, y1+0.6*h
		dy := int(math.Ceil(y1-y0)) + 2
		for y := int(y0); y <= int(y1); y++ {
			for x := int(x0); x <= int(x1); x++ {
				sy := y + dy
				if x < 0 || y < 0 || x >= src.W || sy >= src.H {
					continue
				}
				si, di := 3*(sy*src.W+x), 3*(y*src.W+x)
				copy(out.Pix[di:di+3], src.Pix[si:si+3])
			}
		}
	}
	return out
}
