package document

import "github.com/kycd/kycd/checks/document/ocrb"

// Straighten resamples a zone into an upright strip with the given cap
// height in pixels and a margin of one pitch, undoing skew, perspective
// (the grid's pitch drift), scale and a 180° turn: what a generic OCR
// engine needs to see.
func Straighten(g *ocrb.Gray, z ocrb.Zone, capPx int) *ocrb.Gray {
	l0 := z.Lines[0]
	s := float64(capPx) / l0.CapHeight
	pitchPx := l0.Pitch * s
	lineH := int(float64(capPx) * 2.0)
	W := int(pitchPx*float64(l0.N+2)) + 1
	H := lineH*len(z.Lines) + capPx
	out := ocrb.NewGray(W, H)
	for li, l := range z.Lines {
		nx, ny := -l.DirY, l.DirX
		for y := 0; y < lineH; y++ {
			v := (float64(y) - float64(lineH)/2 + 0.5) / s
			for x := 0; x < W; x++ {
				f := (float64(x)+0.5)/pitchPx - 1.5 // position in cells from cell 0's centre
				u := f*l.Pitch + l.Accel*f*f
				sx := l.OriginX + u*l.DirX + v*nx
				sy := l.OriginY + u*l.DirY + v*ny
				out.Pix[(capPx/2+li*lineH+y)*W+x] = g.Bilinear(sx, sy)
			}
		}
	}
	return out
}
