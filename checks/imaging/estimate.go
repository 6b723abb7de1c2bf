package imaging

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// estimate returns the bytes the Go decoder allocates for a w×h image of this format, read
// from the header (w, h from image.DecodeConfig), and a short description of the pixel
// layout for messages. It errs on the high side: a refused honest photo can be resent
// smaller, an under-estimate is memory the budget does not see.
func estimate(format string, data []byte, w, h int) (int64, string, error) {
	switch format {
	case "jpeg":
		return estimateJPEG(data, w, h)
	case "png":
		return estimatePNG(data, w, h)
	case "webp":
		return estimateWebP(data, w, h)
	}
	return 0, "", fmt.Errorf("no memory estimate for format %q", format)
}

// estimateJPEG reads the frame header (SOFn). image/jpeg stores each component at its own
// sampling, padded to whole MCUs (a 4:2:0 colour photo is 1.5 bytes a pixel, greyscale 1);
// four-component (CMYK) images are converted to 4 bytes a pixel on top of the planes; and a
// progressive JPEG keeps every DCT coefficient as an int32 until the last scan, 4 bytes a
// sample more.
func estimateJPEG(data []byte, w, h int) (int64, string, error) {
	var sof []byte
	var marker byte
	err := jpegSegments(data, func(m byte, seg []byte) bool {
		if m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC { // SOFn, not DHT/JPG/DAC
			sof, marker = seg, m
			return false
		}
		return true
	})
	if err != nil {
		return 0, "", err
	}
	if len(sof) < 6 {
		return 0, "", errors.New("no frame header before the image data")
	}
	n := int(sof[5])
	if n < 1 || len(sof) < 6+3*n {
		return 0, "", fmt.Errorf("frame header with %d components is truncated", n)
	}
	hmax, vmax := 1, 1
	for i := 0; i < n; i++ {
		f := sof[6+3*i+1]
		hmax, vmax = max(hmax, int(f>>4)), max(vmax, int(f&15))
	}
	mcuX, mcuY := ceilDiv(int64(w), int64(8*hmax)), ceilDiv(int64(h), int64(8*vmax))
	var planes int64
	for i := 0; i < n; i++ {
		f := sof[6+3*i+1]
		hi, vi := max(int64(f>>4), 1), max(int64(f&15), 1)
		planes += mcuX * 8 * hi * mcuY * 8 * vi
	}
	total := planes
	kind := fmt.Sprintf("%d-component JPEG", n)
	if n == 4 {
		total += 4 * int64(w) * int64(h)
	}
	if progressive := marker&3 == 2; progressive { // SOF2, SOF6, SOF10, SOF14
		total += 4 * planes
		kind = "progressive " + kind
	}
	return total, kind, nil
}

// estimatePNG reads IHDR. image/png returns Gray (1 byte a pixel) for greyscale up to 8
// bits and palettes, Gray16 (2), RGBA or NRGBA (4) for 8-bit colour with or without alpha,
// RGBA64 or NRGBA64 (8) at 16 bits; an interlaced image is decoded pass by pass into
// images of its own size and merged, so it costs about twice.
func estimatePNG(data []byte, w, h int) (int64, string, error) {
	if len(data) < 29 || string(data[12:16]) != "IHDR" {
		return 0, "", errors.New("no IHDR chunk")
	}
	depth, colour, interlace := int64(data[24]), data[25], data[28]
	var channels int64
	var kind string
	switch colour {
	case 0:
		channels, kind = 1, "grey"
	case 2:
		channels, kind = 4, "RGB" // stored as RGBA
	case 3:
		channels, depth, kind = 1, 8, "palette" // one index a pixel whatever the depth
	case 4:
		channels, kind = 4, "grey+alpha" // stored as NRGBA
	case 6:
		channels, kind = 4, "RGBA"
	default:
		return 0, "", fmt.Errorf("colour type %d", colour)
	}
	perSample := max(depth/8, 1)
	total := int64(w) * int64(h) * channels * perSample
	if interlace == 1 {
		total *= 2
	}
	return total, fmt.Sprintf("%d-bit %s PNG", data[24], kind), nil
}

// estimateWebP walks the RIFF chunks. Lossy VP8 decodes to 4:2:0 YCbCr (1.5 bytes a pixel),
// with an ALPH chunk to NYCbCrA plus the alpha plane's lossless decode (4 bytes a pixel while
// it runs); lossless VP8L decodes to NRGBA (4) and its inverse transforms may copy it once.
// The frame's own size is read too, and the larger of it and the canvas counts, so a small
// canvas cannot hide a large frame.
func estimateWebP(data []byte, w, h int) (int64, string, error) {
	var alpha bool
	for p := 12; p+8 <= len(data); {
		id, n := string(data[p:p+4]), int64(binary.LittleEndian.Uint32(data[p+4:]))
		body := data[p+8 : min(int64(len(data)), int64(p+8)+n)]
		switch id {
		case "ALPH":
			alpha = true
		case "VP8 ":
			if len(body) >= 10 {
				w = max(w, int(binary.LittleEndian.Uint16(body[6:])&0x3fff))
				h = max(h, int(binary.LittleEndian.Uint16(body[8:])&0x3fff))
			}
			px := int64(w) * int64(h)
			if alpha {
				return px*3/2 + px + 4*px, "lossy WebP with alpha", nil
			}
			return px * 3 / 2, "lossy WebP", nil
		case "VP8L":
			if len(body) >= 5 {
				bits := binary.LittleEndian.Uint32(body[1:])
				w, h = max(w, int(bits&0x3fff)+1), max(h, int(bits>>14&0x3fff)+1)
			}
			return 8 * int64(w) * int64(h), "lossless WebP", nil
		}
		if n > int64(len(data)) {
			break
		}
		p += 8 + int(n+n&1)
	}
	return 0, "", errors.New("no VP8 or VP8L chunk")
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
