package imaging

import (
	"image"
	"image/draw"
)

// Size returns the displayed size of a w×h stored image: orientations 5–8 swap the sides.
func (o Orientation) Size(w, h int) (int, int) {
	if o >= 5 && o <= 8 {
		return h, w
	}
	return w, h
}

// Source maps a pixel (x, y) of the displayed image to the stored pixel it shows, for a
// stored image of w×h. Every pixel type rotates with this one mapping, so the eight cases
// are written once.
func (o Orientation) Source(x, y, w, h int) (sx, sy int) {
	switch o {
	case 2: // mirrored horizontally
		return w - 1 - x, y
	case 3: // rotated 180°
		return w - 1 - x, h - 1 - y
	case 4: // mirrored vertically
		return x, h - 1 - y
	case 5: // transposed
		return y, x
	case 6: // stored 90° counter-clockwise: display turns it clockwise
		return y, h - 1 - x
	case 7: // transversed
		return w - 1 - y, h - 1 - x
	case 8: // stored 90° clockwise
		return w - 1 - y, x
	}
	return x, y
}

// Orient returns img as a viewer would display it for orientation o; 1 (or an unknown
// value) returns img unchanged. The result is RGBA, 4 bytes a pixel, plus as much again
// transiently for images that are not RGBA already.
func Orient(img image.Image, o Orientation) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	src, ok := img.(*image.RGBA)
	if !ok || b.Min != (image.Point{}) {
		src = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	}
	w, h := b.Dx(), b.Dy()
	dw, dh := o.Size(w, h)
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < dh; y++ {
		for x := 0; x < dw; x++ {
			sx, sy := o.Source(x, y, w, h)
			si, di := sy*src.Stride+sx*4, y*dst.Stride+x*4
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}
