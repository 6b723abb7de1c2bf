package imaging

import (
	"context"
	"image"
	"image/color"

	guard "github.com/kycd/kycd/checks/imaging"
)

// MinSide is the smallest width and height the face engines accept: the detector needs
// 8×8, and a smaller photo is the caller's mistake, refused as such, not an engine failure.
const MinSide = 8

// Orientation is the EXIF orientation, read and applied by checks/imaging's one mapping.
type Orientation = guard.Orientation

// RGB is a packed 8-bit RGB image: Pix[3*(y*W+x)+c], c = 0 red, 1 green, 2 blue.
type RGB struct {
	W, H int
	Pix  []uint8
}

// NewRGB allocates a black w×h image.
func NewRGB(w, h int) *RGB {
	return &RGB{W: w, H: h, Pix: make([]uint8, 3*w*h)}
}

// At returns the pixel at (x, y); callers keep x, y in range.
func (m *RGB) At(x, y int) (r, g, b uint8) {
	i := 3 * (y*m.W + x)
	return m.Pix[i], m.Pix[i+1], m.Pix[i+2]
}

// ToImage converts to an image.Image (for encoding or tests).
func (m *RGB) ToImage() *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, m.W, m.H))
	for i, j := 0, 0; i < len(m.Pix); i, j = i+3, j+4 {
		out.Pix[j], out.Pix[j+1], out.Pix[j+2], out.Pix[j+3] = m.Pix[i], m.Pix[i+1], m.Pix[i+2], 255
	}
	return out
}

// FromImage converts any image.Image to RGB, with fast paths for what the
// standard decoders return.
func FromImage(src image.Image) *RGB {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	out := NewRGB(w, h)
	switch s := src.(type) {
	case *image.YCbCr:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				yi := s.YOffset(b.Min.X+x, b.Min.Y+y)
				ci := s.COffset(b.Min.X+x, b.Min.Y+y)
				r, g, bb := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
				o := 3 * (y*w + x)
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = r, g, bb
			}
		}
	case *image.Gray:
		for y := 0; y < h; y++ {
			row := s.Pix[y*s.Stride : y*s.Stride+w]
			for x, v := range row {
				o := 3 * (y*w + x)
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = v, v, v
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := s.Pix[y*s.Stride : y*s.Stride+4*w]
			for x := 0; x < w; x++ {
				o := 3 * (y*w + x)
				// Composite over black so transparent areas do not show
				// arbitrary hidden colour.
				a := uint32(row[4*x+3])
				out.Pix[o] = uint8(uint32(row[4*x]) * a / 255)
				out.Pix[o+1] = uint8(uint32(row[4*x+1]) * a / 255)
				out.Pix[o+2] = uint8(uint32(row[4*x+2]) * a / 255)
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			row := s.Pix[y*s.Stride : y*s.Stride+4*w]
			for x := 0; x < w; x++ {
				o := 3 * (y*w + x)
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = row[4*x], row[4*x+1], row[4*x+2]
			}
		}
	default:
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				r, g, bb, _ := src.At(b.Min.X+x, b.Min.Y+y).RGBA()
				o := 3 * (y*w + x)
				out.Pix[o], out.Pix[o+1], out.Pix[o+2] = uint8(r>>8), uint8(g>>8), uint8(bb>>8)
			}
		}
	}
	return out
}

// Decode is DecodeContext for callers without a context: it waits for the budget unbounded.
func Decode(data []byte) (*RGB, error) { return DecodeContext(context.Background(), data) }

// DecodeContext decodes JPEG, PNG or WebP bytes into upright RGB with checks/imaging's
// guards (size, pixels, memory, at least MinSide a side) and memory budget, waiting for
// the budget until ctx ends. The JPEG EXIF orientation is applied because phone cameras
// store pixels sideways and let viewers rotate them; a face detector sees the stored
// pixels. Refusals are *guard.Error, so callers can tell the photo's fault from theirs.
func DecodeContext(ctx context.Context, data []byte) (*RGB, error) {
	m, _, err := guard.DecodeAs(ctx, data, "", guard.Limits{MinSide: MinSide},
		func(h guard.Header) int64 {
			if h.Orientation > 1 {
				return 6 // the RGB copy and its rotation
			}
			return 3
		},
		func(img image.Image, h guard.Header) (*RGB, error) { return FromImage(img).Orient(h.Orientation), nil })
	return m, err
}

// Orient returns the image as it should be displayed for EXIF orientation o.
func (m *RGB) Orient(o Orientation) *RGB {
	if o <= 1 || o > 8 {
		return m
	}
	W, H := m.W, m.H
	dw, dh := o.Size(W, H)
	out := NewRGB(dw, dh)
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			sx, sy := o.Source(x, y, W, H)
			si, di := 3*(sy*W+sx), 3*(y*dw+x)
			out.Pix[di], out.Pix[di+1], out.Pix[di+2] = m.Pix[si], m.Pix[si+1], m.Pix[si+2]
		}
	}
	return out
}

// FlipH returns a horizontally mirrored copy.
func (m *RGB) FlipH() *RGB { return m.Orient(2) }
