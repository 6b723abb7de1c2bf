package imaging

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Orientation is the EXIF orientation tag (0x0112): 1 is upright, 2–8 say
// how the stored pixels must be flipped/rotated for display.
type Orientation int

// ErrNoExif reports that a JPEG carries no EXIF orientation; callers treat
// the image as upright.
var ErrNoExif = errors.New("no EXIF orientation")

// JPEGOrientation reads the EXIF orientation from JPEG bytes. It walks the
// marker segments up to the start of scan, parses the APP1 "Exif" TIFF
// structure and reads IFD0 only, because the orientation of the main image
// lives there. It never panics on truncated or hostile input.
func JPEGOrientation(data []byte) (Orientation, error) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 0, errors.New("exif: not a JPEG (missing SOI marker)")
	}
	i := 2
	for i+4 <= len(data) {
		if data[i] != 0xFF {
			return 0, fmt.Errorf("exif: bad marker at offset %d", i)
		}
		marker := data[i+1]
		if marker == 0xFF { // fill byte
			i++
			continue
		}
		if marker == 0xD9 || marker == 0xDA { // EOI or SOS: no more metadata
			break
		}
		if marker >= 0xD0 && marker <= 0xD7 || marker == 0x01 { // standalone markers
			i += 2
			continue
		}
		segLen := int(binary.BigEndian.Uint16(data[i+2:]))
		if segLen < 2 || i+2+segLen > len(data) {
			return 0, fmt.Errorf("exif: segment 0x%02X at offset %d overruns the file", marker, i)
		}
		seg := data[i+4 : i+2+segLen]
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			o, err := tiffOrientation(seg[6:])
			if err != nil {
				return 0, err
			}
			return o, nil
		}
		i += 2 + segLen
	}
	return 0, ErrNoExif
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF structure.
func tiffOrientation(t []byte) (Orientation, error) {
	if len(t) < 8 {
		return 0, errors.New("exif: TIFF header truncated")
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, errors.New("exif: bad TIFF byte order")
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0, errors.New("exif: bad TIFF magic")
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 0, errors.New("exif: IFD0 offset out of range")
	}
	n := int(bo.Uint16(t[off:]))
	for k := 0; k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 0, errors.New("exif: IFD0 entry truncated")
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		typ, count := bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:])
		if typ != 3 || count != 1 { // SHORT, one value, stored inline
			return 0, fmt.Errorf("exif: orientation has type %d count %d, want SHORT×1", typ, count)
		}
		v := Orientation(bo.Uint16(t[e+8:]))
		if v < 1 || v > 8 {
			return 0, fmt.Errorf("exif: orientation %d out of range 1..8", v)
		}
		return v, nil
	}
	return 0, ErrNoExif
}
