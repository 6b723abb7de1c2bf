package document

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/draw"
)

// JPEGOrientation returns the EXIF Orientation tag (1–8) of a JPEG, or 1
// when the file has no EXIF orientation. Only the APP1 segments before the
// image data are read; nothing is decoded.
func JPEGOrientation(data []byte) (int, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1, errors.New("exif: not a JPEG (missing SOI marker)")
	}
	p := 2
	for p+4 <= len(data) {
		if data[p] != 0xFF {
			return 1, fmt.Errorf("exif: expected a marker at offset %d", p)
		}
		marker := data[p+1]
		if marker == 0xFF { // fill byte
			p++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan / end of image: no more metadata
			return 1, nil
		}
		if marker >= 0xD0 && marker <= 0xD7 || marker == 0x01 { // markers without length
			p += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return 1, fmt.Errorf("exif: segment 0x%02X at offset %d has bad length %d", marker, p, n)
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			o, found, err := tiffOrientation(seg[6:])
			if err != nil || found {
				return o, err
			}
		}
		p += 2 + n
	}
	return 1, nil
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF header.
func tiffOrientation(t []byte) (int, bool, error) {
	if len(t) < 8 {
		return 1, false, errors.New("exif: TIFF header truncated")
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1, false, fmt.Errorf("exif: unknown byte order %q", t[:2])
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1, false, errors.New("exif: bad TIFF magic")
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1, false, fmt.Errorf("exif: IFD0 offset %d outside the %d-byte segment", off, len(t))
	}
	count := int(bo.Uint16(t[off:]))
	if off+2+count*12 > len(t) {
		return 1, false, fmt.Errorf("exif: IFD0 with %d entries overruns the segment", count)
	}
	for i := 0; i < count; i++ {
		e := t[off+2+i*12:]
		if bo.Uint16(e) != 0x0112 {
			continue
		}
		typ, n := bo.Uint16(e[2:]), bo.Uint32(e[4:])
		if typ != 3 || n != 1 { // SHORT, one value
			return 1, false, fmt.Errorf("exif: orientation has type %d count %d, want SHORT×1", typ, n)
		}
		v := int(bo.Uint16(e[8:]))
		if v < 1 || v > 8 {
			return 1, false, fmt.Errorf("exif: orientation value %d outside 1–8", v)
		}
		return v, true, nil
	}
	return 1, false, nil
}

// orient applies an EXIF orientation so the image is upright as a viewer
// would show it. Orientation 1 (or unknown) returns img unchanged.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2: // mirrored horizontally
				dx, dy = w-1-x, y
			case 3: // rotated 180
				dx, dy = w-1-x, h-1-y
			case 4: // mirrored vertically
				dx, dy = x, h-1-y
			case 5: // transposed
				dx, dy = y, x
			case 6: // needs 90° clockwise
				dx, dy = h-1-y, x
			case 7: // transversed
				dx, dy = h-1-y, w-1-x
			case 8: // needs 90° counter-clockwise
				dx, dy = y, w-1-x
			}
			si := y*src.Stride + x*4
			di := dy*dst.Stride + dx*4
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}
