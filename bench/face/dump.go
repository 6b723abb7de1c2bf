//go:build onnx

package main

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// dumpFace writes the upright photo (max 400 px) with box and landmarks
// drawn, and the aligned 112×112 crop, so pre-processing can be eyeballed.
func dumpFace(dir, name string, img *imaging.RGB, f *face.Face) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := strings.NewReplacer("/", "_", ".", "_").Replace(name)
	s := min(1.0, 400/float64(max(img.W, img.H)))
	w, h := max(1, int(float64(img.W)*s)), max(1, int(float64(img.H)*s))
	small := imaging.CropResize(img, imaging.Rect{W: float64(img.W), H: float64(img.H)}, w, h, [3]uint8{})
	dot := func(x, y float64, r, g, b uint8) {
		xi, yi := int(x*s), int(y*s)
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				if xx, yy := xi+dx, yi+dy; xx >= 0 && yy >= 0 && xx < w && yy < h {
					i := 3 * (yy*w + xx)
					small.Pix[i], small.Pix[i+1], small.Pix[i+2] = r, g, b
				}
			}
		}
	}
	if f != nil {
		for t := 0.0; t <= 1; t += 0.01 {
			dot(f.Box.X1+t*f.Box.W(), f.Box.Y1, 0, 255, 0)
			dot(f.Box.X1+t*f.Box.W(), f.Box.Y2, 0, 255, 0)
			dot(f.Box.X1, f.Box.Y1+t*f.Box.H(), 0, 255, 0)
			dot(f.Box.X2, f.Box.Y1+t*f.Box.H(), 0, 255, 0)
		}
		for i, p := range f.Landmarks {
			if i >= 36 && i <= 47 {
				dot(p.X, p.Y, 255, 0, 0)
			} else {
				dot(p.X, p.Y, 255, 255, 0)
			}
		}
	}
	if err := writePNG(filepath.Join(dir, base+".png"), small); err != nil {
		return err
	}
	if f != nil {
		al, err := face.Align(img, &f.Landmarks)
		if err != nil {
			return err
		}
		return writePNG(filepath.Join(dir, base+"_aligned.png"), al)
	}
	return nil
}

func writePNG(path string, m *imaging.RGB) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(fh, m.ToImage()); err != nil {
		_ = fh.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	return fh.Close()
}
