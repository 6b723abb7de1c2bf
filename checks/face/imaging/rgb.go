package imaging

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // registered decoders: the formats selfies and scans arrive in
	_ "image/png"

	_ "golang.org/x/image/webp"
)

// MaxPixels bounds the decoded size so a small hostile file cannot make the
// decoder allocate gigabytes (a "decompression bomb").
const MaxPixels = 40_000_000

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

// Decode decodes JPEG, PNG or WebP bytes into upright RGB: the JPEG EXIF
// orientation is applied because phone cameras store pixels sideways and let
// viewers rotate them; a face detector sees the stored pixels.
func Decode(data []byte) (*RGB, error) {
	if len(data) == 0 {
		return nil, errors.New("decode image: empty input")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode image header: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
		return nil, fmt.Errorf("decode image: %d×%d pixels is outside 1..%d", cfg.Width, cfg.Height, MaxPixels)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decode %s image: %w", format, err)
	}
	m := FromImage(img)
	if format == "jpeg" {
		if o, err := JPEGOrientation(data); err == nil {
			m = m.Orient(o)
		}
		// A malformed EXIF block is ignored on purpose: the pixels decoded
		// fine, and refusing the photo would be worse than showing it upright.
	}
	return m, nil
}

// Orient returns the image as it should be displayed for EXIF orientation o.
func (m *RGB) Orient(o Orientation) *RGB {
	if o <= 1 || o > 8 {
		return m
	}
	W, H := m.W, m.H
	dw, dh := W, H
	if o >= 5 {
		dw, dh = H, W
	}
	out := NewRGB(dw, dh)
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			var sx, sy int
			switch o {
			case 2:
				sx, sy = W-1-x, y
			case 3:
				sx, sy = W-1-x, H-1-y
			case 4:
				sx, sy = x, H-1-y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, H-1-x
			case 7:
				sx, sy = W-1-y, H-1-x
			case 8:
				sx, sy = W-1-y, x
			}
			si, di := 3*(sy*W+sx), 3*(y*dw+x)
			out.Pix[di], out.Pix[di+1], out.Pix[di+2] = m.Pix[si], m.Pix[si+1], m.Pix[si+2]
		}
	}
	return out
}

// FlipH returns a horizontally mirrored copy.
func (m *RGB) FlipH() *RGB { return m.Orient(2) }
