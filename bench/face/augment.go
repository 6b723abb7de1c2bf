//go:build onnx

package main

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"math"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// augmentation makes a harder photo of the same person from a photo and
// its main face box.
type augmentation struct {
	Name string
	Make func(img *imaging.RGB, b face.Box) (*imaging.RGB, error)
}

// augmentations are the degradations the issue asks for: scale, JPEG
// quality, blur, lighting and ±20° pose (in-plane roll, and yaw simulated by
// a cylinder warp, which only approximates a real head turn), plus the
// document-like portrait of the original pairs command.
var augmentations = []augmentation{
	{"scale", func(img *imaging.RGB, b face.Box) (*imaging.RGB, error) {
		// The face about 56 px wide, as on a small selfie or a scanned document.
		f := math.Min(1, 56/b.Side())
		w, h := max(imaging.MinSide, int(float64(img.W)*f)), max(imaging.MinSide, int(float64(img.H)*f))
		return imaging.CropResize(img, imaging.Rect{W: float64(img.W), H: float64(img.H)}, w, h, [3]uint8{}), nil
	}},
	{"jpeg20", func(img *imaging.RGB, _ face.Box) (*imaging.RGB, error) { return reencode(img, 20) }},
	{"blur", func(img *imaging.RGB, b face.Box) (*imaging.RGB, error) {
		return boxBlur(boxBlur(img, max(1, int(b.Side()/50))), max(1, int(b.Side()/50))), nil
	}},
	{"light", func(img *imaging.RGB, _ face.Box) (*imaging.RGB, error) {
		// Side light and under-exposure: a left-to-right ramp 0.35 → 1.1 with gamma 1.4.
		out := imaging.NewRGB(img.W, img.H)
		for y := 0; y < img.H; y++ {
			for x := 0; x < img.W; x++ {
				g := 0.35 + 0.75*float64(x)/float64(max(1, img.W-1))
				for c := 0; c < 3; c++ {
					i := 3*(y*img.W+x) + c
					v := 255 * math.Pow(float64(img.Pix[i])/255, 1.4) * g
					out.Pix[i] = uint8(math.Max(0, math.Min(255, math.Round(v))))
				}
			}
		}
		return out, nil
	}},
	{"roll+20", func(img *imaging.RGB, b face.Box) (*imaging.RGB, error) { return roll(img, b, 20), nil }},
	{"roll-20", func(img *imaging.RGB, b face.Box) (*imaging.RGB, error) { return roll(img, b, -20), nil }},
	{"yaw+20", func(img *imaging.RGB, b face.Box) (*imaging.RGB, error) { return yaw(img, b, 20), nil }},
	{"yaw-20", func(img *imaging.RGB, b face.Box) (*imaging.RGB, error) { return yaw(img, b, -20), nil }},
	{"document", degrade},
}

func reencode(img *imaging.RGB, q int) (*imaging.RGB, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img.ToImage(), &jpeg.Options{Quality: q}); err != nil {
		return nil, fmt.Errorf("jpeg: %w", err)
	}
	return imaging.Decode(buf.Bytes())
}

// boxBlur averages each pixel with its (2r+1)² neighbourhood.
func boxBlur(img *imaging.RGB, r int) *imaging.RGB {
	pass := func(src *imaging.RGB, dx, dy int) *imaging.RGB {
		out := imaging.NewRGB(src.W, src.H)
		for y := 0; y < src.H; y++ {
			for x := 0; x < src.W; x++ {
				var s [3]int
				n := 0
				for k := -r; k <= r; k++ {
					xx, yy := x+k*dx, y+k*dy
					if xx < 0 || yy < 0 || xx >= src.W || yy >= src.H {
						continue
					}
					for c := 0; c < 3; c++ {
						s[c] += int(src.Pix[3*(yy*src.W+xx)+c])
					}
					n++
				}
				for c := 0; c < 3; c++ {
					out.Pix[3*(y*src.W+x)+c] = uint8(s[c] / n)
				}
			}
		}
		return out
	}
	return pass(pass(img, 1, 0), 0, 1)
}

// roll rotates the photo by deg degrees around the face centre.
func roll(img *imaging.RGB, b face.Box, deg float64) *imaging.RGB {
	cx, cy := (b.X1+b.X2)/2, (b.Y1+b.Y2)/2
	a := deg * math.Pi / 180
	cs, sn := math.Cos(a), math.Sin(a)
	// destination → source: rotate back around the centre.
	m := imaging.Affine{cs, -sn, cx - cs*cx + sn*cy, sn, cs, cy - sn*cx - cs*cy}
	return imaging.WarpAffine(img, m, img.W, img.H)
}

// yaw warps the face region as a cylinder turned by deg degrees: the 2.5-D
// approximation of a head turn that checks/liveness also uses.
func yaw(img *imaging.RGB, b face.Box, deg float64) *imaging.RGB {
	cx, r := (b.X1+b.X2)/2, 0.75*b.W()
	theta := deg * math.Pi / 180
	out := imaging.NewRGB(img.W, img.H)
	for x := 0; x < img.W; x++ {
		sx := float64(x)
		if u := (float64(x) - cx) / r; math.Abs(u) < 1 {
			phi := math.Max(-math.Pi/2, math.Min(math.Pi/2, math.Asin(u)-theta))
			sx = cx + r*math.Sin(phi)
		}
		xi := max(0, min(img.W-1, int(math.Round(sx))))
		for y := 0; y < img.H; y++ {
			copy(out.Pix[3*(y*img.W+x):3*(y*img.W+x)+3], img.Pix[3*(y*img.W+xi):3*(y*img.W+xi)+3])
		}
	}
	return out
}
