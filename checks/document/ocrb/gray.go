package ocrb

import (
	"image"
	"math"
)

// Gray is a float32 luminance image (0 = black, 255 = white), the working
// format of the MRZ finder: float keeps resampling and local statistics simple.
type Gray struct {
	W, H int
	Pix  []float32
}

// NewGray allocates a white w×h image.
func NewGray(w, h int) *Gray {
	g := &Gray{W: w, H: h, Pix: make([]float32, w*h)}
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	return g
}

// FromImage converts any image to luminance, with fast paths for the
// decoders' usual outputs (JPEG's YCbCr carries luminance already).
func FromImage(img image.Image) *Gray {
	b := img.Bounds()
	g := &Gray{W: b.Dx(), H: b.Dy(), Pix: make([]float32, b.Dx()*b.Dy())}
	switch m := img.(type) {
	case *image.YCbCr:
		for y := 0; y < g.H; y++ {
			row := m.Y[(y+b.Min.Y-m.Rect.Min.Y)*m.YStride+(b.Min.X-m.Rect.Min.X):]
			for x := 0; x < g.W; x++ {
				g.Pix[y*g.W+x] = float32(row[x])
			}
		}
	case *image.Gray:
		for y := 0; y < g.H; y++ {
			row := m.Pix[(y+b.Min.Y-m.Rect.Min.Y)*m.Stride+(b.Min.X-m.Rect.Min.X):]
			for x := 0; x < g.W; x++ {
				g.Pix[y*g.W+x] = float32(row[x])
			}
		}
	case *image.RGBA:
		for y := 0; y < g.H; y++ {
			row := m.Pix[(y+b.Min.Y-m.Rect.Min.Y)*m.Stride+(b.Min.X-m.Rect.Min.X)*4:]
			for x := 0; x < g.W; x++ {
				p := row[x*4 : x*4+3]
				g.Pix[y*g.W+x] = 0.299*float32(p[0]) + 0.587*float32(p[1]) + 0.114*float32(p[2])
			}
		}
	case *image.NRGBA:
		for y := 0; y < g.H; y++ {
			row := m.Pix[(y+b.Min.Y-m.Rect.Min.Y)*m.Stride+(b.Min.X-m.Rect.Min.X)*4:]
			for x := 0; x < g.W; x++ {
				p := row[x*4 : x*4+4]
				a := float32(p[3]) / 255
				l := 0.299*float32(p[0]) + 0.587*float32(p[1]) + 0.114*float32(p[2])
				g.Pix[y*g.W+x] = l*a + 255*(1-a)
			}
		}
	default:
		for y := 0; y < g.H; y++ {
			for x := 0; x < g.W; x++ {
				r, gg, bb, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				l := (0.299*float32(r) + 0.587*float32(gg) + 0.114*float32(bb)) / 257
				af := float32(a) / 65535
				g.Pix[y*g.W+x] = l + 255*(1-af)
			}
		}
	}
	return g
}

// At returns the pixel at (x, y), clamped to the border.
func (g *Gray) At(x, y int) float32 {
	x = min(max(x, 0), g.W-1)
	y = min(max(y, 0), g.H-1)
	return g.Pix[y*g.W+x]
}

// Bilinear samples g at a real position (pixel centres at integer+0.5).
func (g *Gray) Bilinear(x, y float64) float32 {
	x -= 0.5
	y -= 0.5
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := float32(x-float64(x0)), float32(y-float64(y0))
	if x0 >= 0 && y0 >= 0 && x0+1 < g.W && y0+1 < g.H {
		i := y0*g.W + x0
		p := g.Pix
		return p[i]*(1-fx)*(1-fy) + p[i+1]*fx*(1-fy) + p[i+g.W]*(1-fx)*fy + p[i+g.W+1]*fx*fy
	}
	return g.At(x0, y0)*(1-fx)*(1-fy) + g.At(x0+1, y0)*fx*(1-fy) + g.At(x0, y0+1)*(1-fx)*fy + g.At(x0+1, y0+1)*fx*fy
}

// Resize scales g by factor f: area-averaging when shrinking (no aliasing of
// thin strokes), bilinear when enlarging.
func (g *Gray) Resize(f float64) *Gray {
	w, h := max(1, int(math.Round(float64(g.W)*f))), max(1, int(math.Round(float64(g.H)*f)))
	out := &Gray{W: w, H: h, Pix: make([]float32, w*h)}
	if f >= 1 {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[y*w+x] = g.Bilinear((float64(x)+0.5)/f, (float64(y)+0.5)/f)
			}
		}
		return out
	}
	// Box filter: each output pixel averages the input pixels it covers.
	sx, sy := float64(g.W)/float64(w), float64(g.H)/float64(h)
	for y := 0; y < h; y++ {
		y0, y1 := int(float64(y)*sy), min(g.H, max(int(float64(y)*sy)+1, int(float64(y+1)*sy)))
		for x := 0; x < w; x++ {
			x0, x1 := int(float64(x)*sx), min(g.W, max(int(float64(x)*sx)+1, int(float64(x+1)*sx)))
			var s float32
			for yy := y0; yy < y1; yy++ {
				row := g.Pix[yy*g.W:]
				for xx := x0; xx < x1; xx++ {
					s += row[xx]
				}
			}
			out.Pix[y*w+x] = s / float32((y1-y0)*(x1-x0))
		}
	}
	return out
}

// Rotate90 returns g rotated by k quarter turns clockwise.
func (g *Gray) Rotate90(k int) *Gray {
	k = ((k % 4) + 4) % 4
	if k == 0 {
		return g
	}
	var out *Gray
	if k == 2 {
		out = &Gray{W: g.W, H: g.H, Pix: make([]float32, len(g.Pix))}
		n := len(g.Pix)
		for i, v := range g.Pix {
			out.Pix[n-1-i] = v
		}
		return out
	}
	out = &Gray{W: g.H, H: g.W, Pix: make([]float32, len(g.Pix))}
	for y := 0; y < g.H; y++ {
		for x := 0; x < g.W; x++ {
			v := g.Pix[y*g.W+x]
			if k == 1 { // clockwise: (x,y) -> (H-1-y, x)
				out.Pix[x*out.W+(g.H-1-y)] = v
			} else { // counter-clockwise: (x,y) -> (y, W-1-x)
				out.Pix[(g.W-1-x)*out.W+y] = v
			}
		}
	}
	return out
}

// ToImage converts back to an 8-bit image (for OCR engines and debugging).
func (g *Gray) ToImage() *image.Gray {
	img := image.NewGray(image.Rect(0, 0, g.W, g.H))
	for i, v := range g.Pix {
		img.Pix[i] = uint8(min(max(v, 0), 255) + 0.5)
	}
	return img
}
