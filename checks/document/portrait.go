package document

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"sort"

	"github.com/kycd/kycd/checks/document/ocrb"
	"github.com/kycd/kycd/checks/mrz"
)

// portrait locates the portrait by layout. On a passport page (TD3), a TD2
// card or a visa the photo is left of the visual zone above the MRZ, so its
// box is expressed in MRZ pitches from the MRZ's first cell, which also
// follows rotation and scale. A TD1 card carries the MRZ on the back; the
// portrait is then cut from the front image by card-relative fractions.
func (e *Engine) portrait(imgs []image.Image, in []Image, rd *mrzRead, mrzImg int, m *mrz.Result) *Box {
	if m.Format == mrz.FormatTD1 {
		front := -1
		for i, im := range in {
			if i != mrzImg && im.Side != SideBack && (front < 0 || im.Side == SideFront) {
				front = i
			}
		}
		if front < 0 {
			return nil
		}
		card := cardBounds(imgs[front])
		r := image.Rect(
			card.Min.X+int(0.02*float64(card.Dx())), card.Min.Y+int(0.15*float64(card.Dy())),
			card.Min.X+int(0.36*float64(card.Dx())), card.Min.Y+int(0.86*float64(card.Dy())))
		return boxOf(r.Intersect(imgs[front].Bounds()), front)
	}
	// Offsets in pitches from the first cell's centre: u along the line, v
	// across it (towards the second line). Generous, as layouts vary.
	u0, u1, v0, v1 := -1.5, 12.5, -24.0, -4.0
	if m.Format == mrz.FormatTD2 || m.Format == mrz.FormatMRVB || m.Format == mrz.FormatFRAID {
		u0, u1, v0, v1 = -1.5, 11.0, -19.0, -3.5
	}
	nx, ny := -rd.dirY, rd.dirX
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, uv := range [][2]float64{{u0, v0}, {u1, v0}, {u0, v1}, {u1, v1}} {
		x := rd.originX + rd.pitch*(uv[0]*rd.dirX+uv[1]*nx)
		y := rd.originY + rd.pitch*(uv[0]*rd.dirY+uv[1]*ny)
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		minY, maxY = math.Min(minY, y), math.Max(maxY, y)
	}
	r := image.Rect(int(minX), int(minY), int(maxX), int(maxY)).Intersect(imgs[mrzImg].Bounds())
	if r.Empty() {
		return nil
	}
	return boxOf(r, mrzImg)
}

// cardBounds finds a card lying on a contrasting background: the hull of
// rows and columns whose pixels mostly differ from the border's median
// shade. When the card fills the frame that is the whole image.
func cardBounds(img image.Image) image.Rectangle {
	g := ocrb.FromImage(img)
	f := math.Min(1, 400/float64(max(g.W, g.H)))
	s := g.Resize(f)
	var border []float64
	for x := 0; x < s.W; x++ {
		border = append(border, float64(s.Pix[x]), float64(s.Pix[(s.H-1)*s.W+x]))
	}
	for y := 0; y < s.H; y++ {
		border = append(border, float64(s.Pix[y*s.W]), float64(s.Pix[y*s.W+s.W-1]))
	}
	sort.Float64s(border)
	bg := border[len(border)/2]
	fg := func(v float32) bool { return math.Abs(float64(v)-bg) > 25 }
	rowHit := func(y int) bool {
		n := 0
		for x := 0; x < s.W; x++ {
			if fg(s.Pix[y*s.W+x]) {
				n++
			}
		}
		return n > s.W/4
	}
	colHit := func(x int) bool {
		n := 0
		for y := 0; y < s.H; y++ {
			if fg(s.Pix[y*s.W+x]) {
				n++
			}
		}
		return n > s.H/4
	}
	y0, y1, x0, x1 := 0, s.H-1, 0, s.W-1
	for y0 < y1 && !rowHit(y0) {
		y0++
	}
	for y1 > y0 && !rowHit(y1) {
		y1--
	}
	for x0 < x1 && !colHit(x0) {
		x0++
	}
	for x1 > x0 && !colHit(x1) {
		x1--
	}
	b := img.Bounds()
	if x1-x0 < s.W/4 || y1-y0 < s.H/4 {
		return b
	}
	return image.Rect(b.Min.X+int(float64(x0)/f), b.Min.Y+int(float64(y0)/f), b.Min.X+int(float64(x1+1)/f), b.Min.Y+int(float64(y1+1)/f)).Intersect(b)
}

// CropPortrait cuts box (from a Result of this engine over imageBytes) out of the upright
// image and encodes it as JPEG: the document portrait the face check compares a selfie
// with. The box comes from the layout, with margins; the face detector finds the face in it.
func (e *Engine) CropPortrait(imageBytes []byte, box Box) ([]byte, error) {
	img, _, err := decodeImage(context.Background(), imageBytes, e.cfg.MaxBytes, e.cfg.MaxPixels, "image")
	if err != nil {
		return nil, err
	}
	r := image.Rect(box.X, box.Y, box.X+box.Width, box.Y+box.Height).Intersect(img.Bounds())
	if r.Dx() < 16 || r.Dy() < 16 {
		return nil, fmt.Errorf("portrait box %v is outside the image or too small", r)
	}
	crop := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(crop, crop.Bounds(), img, r.Min, draw.Src)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, crop, &jpeg.Options{Quality: 92}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
