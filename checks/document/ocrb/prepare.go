package ocrb

import "math"

// WorkingScale is the factor that brings a w×h photo to the finder's working
// size: large photos shrink so the long side is about 1400 px (speed), small
// scans grow so the short side is at least 600 px (MRZ glyphs stay ≥ ~8 px).
func WorkingScale(w, h int) float64 {
	long, short := float64(max(w, h)), float64(min(w, h))
	f := 1.0
	if long > 1400 {
		f = 1400 / long
	}
	if short*f < 600 {
		f = 600 / short
	}
	return math.Min(f, 4)
}
