package imaging

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Orientation is the EXIF orientation tag (0x0112): 1 is upright, 2–8 say how the stored
// pixels must be flipped or rotated for display.
type Orientation int

// jpegSegments walks the marker segments of a JPEG up to the start of scan, calling fn with
// each segment's marker and payload until fn returns false. Stray bytes between segments
// are skipped, as image/jpeg (like libjpeg) skips them. It never panics on truncated or
// hostile input: a segment that overruns the data is an error.
func jpegSegments(data []byte, fn func(marker byte, payload []byte) bool) error {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return errors.New("not a JPEG (missing SOI marker)")
	}
	p := 2
	for p+4 <= len(data) {
		if data[p] != 0xFF { // extraneous data: not a format error for the decoders
			p++
			continue
		}
		marker := data[p+1]
		if marker == 0xFF { // fill byte
			p++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan / end of image: no more metadata
			return nil
		}
		if marker >= 0xD0 && marker <= 0xD7 || marker == 0x01 { // markers without length
			p += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return fmt.Errorf("segment 0x%02X at offset %d has bad length %d (overruns the file)", marker, p, n)
		}
		if !fn(marker, data[p+4:p+2+n]) {
			return nil
		}
		p += 2 + n
	}
	return nil
}

// JPEGOrientation returns the EXIF orientation (1–8) of a JPEG, or 1 when it carries none.
// Only the APP1 segments before the image data are read, and only IFD0 of the TIFF
// structure, where the main image's orientation lives; nothing is decoded. Callers ignore
// the error on purpose: a broken EXIF block must not fail an otherwise readable photo.
func JPEGOrientation(data []byte) (Orientation, error) {
	o, found := Orientation(1), false
	var terr error
	err := jpegSegments(data, func(marker byte, seg []byte) bool {
		if marker == 0xE1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			o, found, terr = tiffOrientation(seg[6:])
			return terr == nil && !found
		}
		return true
	})
	if err == nil {
		err = terr
	}
	if err != nil {
		return 1, fmt.Errorf("exif: %w", err)
	}
	return o, nil
}

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF structure.
func tiffOrientation(t []byte) (Orientation, bool, error) {
	if len(t) < 8 {
		return 1, false, errors.New("TIFF header truncated")
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1, false, fmt.Errorf("unknown TIFF byte order %q", t[:2])
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1, false, errors.New("bad TIFF magic")
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1, false, fmt.Errorf("IFD0 offset %d outside the %d-byte segment", off, len(t))
	}
	count := int(bo.Uint16(t[off:]))
	for k := 0; k < count; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 1, false, fmt.Errorf("IFD0 entry %d of %d truncated", k, count)
		}
		if bo.Uint16(t[e:]) != 0x0112 {
			continue
		}
		typ, n := bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:])
		if typ != 3 || n != 1 { // SHORT, one value, stored inline
			return 1, false, fmt.Errorf("orientation has type %d count %d, want SHORT×1", typ, n)
		}
		v := Orientation(bo.Uint16(t[e+8:]))
		if v < 1 || v > 8 {
			return 1, false, fmt.Errorf("orientation %d out of range 1..8", v)
		}
		return v, true, nil
	}
	return 1, false, nil
}
