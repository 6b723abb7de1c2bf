//go:build tesseract

package document

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
)

// vizOCR reads general printed text with its own Tesseract pool (no MRZ whitelist).
type vizOCR struct{ t *tesseract }

func newVizOCR(cfg Config) (*vizOCR, error) {
	t, err := newTesseractPool(cfg, true)
	if err != nil {
		return nil, err
	}
	return &vizOCR{t: t}, nil
}

// text OCRs rectangle r of img, scaled by scale, in grey.
func (v *vizOCR) text(ctx context.Context, img image.Image, r image.Rectangle, scale float64) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	w, h := int(float64(r.Dx())*scale), int(float64(r.Dy())*scale)
	if w < 1 || h < 1 {
		return "", nil
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			sx, sy := r.Min.X+int(float64(x)/scale), r.Min.Y+int(float64(y)/scale)
			cr, cg, cb, _ := img.At(sx, sy).RGBA()
			g.Pix[y*g.Stride+x] = uint8((299*cr + 587*cg + 114*cb) / 1000 >> 8)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, g); err != nil {
		return "", fmt.Errorf("encode zone: %w", err)
	}
	c, err := v.t.get(ctx)
	if err != nil {
		return "", err
	}
	defer v.t.put(c)
	if err := c.SetImageFromBytes(b.Bytes()); err != nil {
		return "", fmt.Errorf("tesseract set image: %w", err)
	}
	return c.Text()
}
