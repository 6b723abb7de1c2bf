package liveness

import (
	"bytes"
	"image/jpeg"
	"math"

	"github.com/kycd/kycd/checks/face/imaging"
)

// yawWarp simulates a head turn of theta radians on a still photo: the face
// is treated as a vertical cylinder of radius r around x = cx, and every
// column moves to where it would appear after rotating the cylinder. The
// result is a 2.5-D approximation (no occlusion, no ear coming into view),
// which is exactly what an attacker with one photo can make, and what the
// warped-still test must refuse.
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

// warpKind is one attack family a still photo allows.
type warpKind string

const (
	warpCylinder    warpKind = "cylinder"
	warpShift       warpKind = "shift"
	warpRotate      warpKind = "rotate"
	warpPerspective warpKind = "perspective"
)

var warpKinds = []warpKind{warpCylinder, warpShift, warpRotate, warpPerspective}

// stillWarp makes frame k (0-based, t in [-1, 1] the position in a turn) of an attack of the
// given kind from one photo, around the face centre (cx, cy) of radius r: a cylinder turn of
// up to deg degrees, a shift of up to r/4, a rotation of up to deg/3 degrees, or a
// perspective tilt (one side nearer the camera, as when the printed photo is turned).
func stillWarp(src *imaging.RGB, kind warpKind, cx, cy, r, deg, t float64) *imaging.RGB {
	switch kind {
	case warpCylinder:
		return yawWarp(src, cx, r, t*deg*math.Pi/180)
	}
	out := imaging.NewRGB(src.W, src.H)
	a := t * deg * math.Pi / 180
	for y := 0; y < src.H; y++ {
		for x := 0; x < src.W; x++ {
			fx, fy := float64(x)-cx, float64(y)-cy
			var sx, sy float64
			switch kind {
			case warpShift:
				sx, sy = fx-t*r/4, fy-t*r/12
			case warpRotate:
				c, s := math.Cos(a/3), math.Sin(a/3)
				sx, sy = c*fx+s*fy, -s*fx+c*fy
			case warpPerspective:
				// The photo turned by a about its vertical axis, seen from 3r away: a point u
				// of the photo lands at x = f·u·cos a / (f + u·sin a).
				f := 3 * r
				d := f*math.Cos(a) - fx*math.Sin(a)
				if d < f/4 {
					d = f / 4
				}
				sx = fx * f / d
				sy = fy * (f + sx*math.Sin(a)) / f
			}
			xi, yi := int(math.Round(sx+cx)), int(math.Round(sy+cy))
			xi, yi = max(0, min(src.W-1, xi)), max(0, min(src.H-1, yi))
			si, di := 3*(yi*src.W+xi), 3*(y*src.W+x)
			out.Pix[di], out.Pix[di+1], out.Pix[di+2] = src.Pix[si], src.Pix[si+1], src.Pix[si+2]
		}
	}
	return out
}

// reencode is the attacker's JPEG round trip at quality q.
func reencode(img *imaging.RGB, q int) *imaging.RGB {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img.ToImage(), &jpeg.Options{Quality: q}); err != nil {
		panic(err)
	}
	out, err := imaging.Decode(buf.Bytes())
	if err != nil {
		panic(err)
	}
	return out
}
