package document

import (
	"context"
	"fmt"
	"image"
	"math"

	"github.com/kycd/kycd/checks/document/ocrb"
	"github.com/kycd/kycd/checks/mrz"
)

// attemptParams are the binarisations tried in order: the default (a high k
// that drops grey security print), then lower k for faint print, a small
// window for small glyphs and a large one for strong backgrounds.
var attemptParams = []ocrb.Params{
	ocrb.DefaultParams,
	{Window: 41, K: 0.2},
	{Window: 25, K: 0.15},
	{Window: 71, K: 0.45},
}

// mrzRead is the outcome of reading one image.
type mrzRead struct {
	res  *mrz.Result
	conf float64 // mean per-character confidence, 0–1
	// box is the MRZ's box in the (oriented) input image.
	box image.Rectangle
	// pitch is the character pitch in input pixels; the portrait layout is
	// expressed in pitches because the MRZ is the one fixed-size landmark.
	pitch   float64
	dirX    float64 // unit vector along the MRZ lines in input pixels
	dirY    float64
	originX float64 // centre of the first cell of the first line, input pixels
	originY float64
	ocr     string   // OCRClassifier or OCRTesseract
	raw     []string // the OCR's lines before repair
	minConf float64  // lowest confidence of a character no check digit covers
	zone    ocrb.Zone
	rot     int // quarter turns of the working image the zone was found in
	tries   int
}

// checksOK is true when every check digit agrees: the OCR is then trusted.
// It differs from Result.Valid, which also fails on field rules (unknown
// state codes, impossible dates) that are the document's problem, not the OCR's.
func checksOK(r *mrz.Result) bool {
	if r == nil || len(r.Checks) == 0 {
		return false
	}
	for _, c := range r.Checks {
		if !c.Valid {
			return false
		}
	}
	return true
}

func validCount(r *mrz.Result) int {
	if r == nil {
		return -1
	}
	n := 0
	for _, c := range r.Checks {
		if c.Valid {
			n++
		}
	}
	return n
}

// readMRZ finds and reads the MRZ of an image in any orientation. It
// returns the first trusted reading (all check digits agree and every
// unprotected character is confident), else the best one; nil when no
// MRZ-like zone was found. The classifier runs over every binarisation and
// orientation first; Tesseract, when linked, is the fallback for the best
// zone only (or the sole reader with OCR: tesseract).
func (e *Engine) readMRZ(ctx context.Context, img image.Image) (*mrzRead, error) {
	g0 := ocrb.FromImage(img)
	scale := ocrb.WorkingScale(g0.W, g0.H)
	g := g0.Resize(scale)
	var best *mrzRead
	tries := 0
	consider := func(c *mrzRead) bool {
		tries++
		c.tries = tries
		if best == nil || better(c, best) {
			best = c
		}
		return e.trusted(c)
	}
	// scan visits candidate zones: quarter turns 0, 90, 270 (180° is a zone
	// read backwards), each binarisation, the top three zones, both reading
	// directions. It stops when visit reports a trusted reading.
	scan := func(visit func(gr *ocrb.Gray, z ocrb.Zone, rot int) (bool, error)) (bool, error) {
		for _, rot := range []int{0, 1, 3} {
			gr := g.Rotate90(rot)
			found := false
			for _, p := range attemptParams {
				if err := ctx.Err(); err != nil {
					return false, fmt.Errorf("read mrz: %w", err)
				}
				zones := ocrb.FindZones(gr, p)
				if len(zones) > 3 {
					zones = zones[:3]
				}
				for _, z := range zones {
					found = true
					for _, zz := range []ocrb.Zone{z, z.Reverse()} {
						if done, err := visit(gr, zz, rot); done || err != nil {
							return done, err
						}
					}
				}
			}
			// A zone at this rotation means the document is not sideways.
			if found {
				break
			}
		}
		return false, nil
	}
	tess := func(gr *ocrb.Gray, z ocrb.Zone, rot int) (bool, error) {
		lines, conf, minConf, err := e.tess.read(ctx, gr, z)
		if err != nil {
			return false, fmt.Errorf("read mrz: %w", err)
		}
		if len(lines) == 0 {
			return false, nil
		}
		c := e.newRead(e.repair(lines), conf, z, rot, scale, g0.W, g0.H, OCRTesseract)
		c.raw, c.minConf = lines, minConf
		return consider(c), nil
	}
	if e.model != nil {
		done, err := scan(func(gr *ocrb.Gray, z ocrb.Zone, rot int) (bool, error) {
			c := e.classify(gr, z, rot, scale, g0.W, g0.H)
			return consider(c), nil
		})
		if done || err != nil {
			return best, err
		}
		if e.tess != nil && best != nil {
			if _, err := tess(g.Rotate90(best.rot), best.zone, best.rot); err != nil {
				return nil, err
			}
		}
		return best, nil
	}
	if e.tess != nil {
		if _, err := scan(tess); err != nil {
			return nil, err
		}
	}
	return best, nil
}

// classify reads one zone with the OCR-B classifier: positions restricted
// to the characters ICAO allows there, unknown state codes corrected to
// the closest known one, then check-digit-guided repair.
func (e *Engine) classify(gr *ocrb.Gray, z ocrb.Zone, rot int, scale float64, W0, H0 int) *mrzRead {
	rd := e.model.ReadZone(gr, z)
	masks := ocrb.Masks(len(rd.Lines), len(rd.Lines[0]), rd.Lines[0][0], rd.Lines[0])
	rd.Decode(masks)
	e.fixStates(&rd, masks)
	res := e.repair(rd.Lines)
	if !checksOK(res) && rd.MeanConf > 0.7 {
		if alt := e.searchAlternatives(rd, masks); alt != nil {
			res = alt
		}
	}
	c := e.newRead(res, rd.MeanConf, z, rot, scale, W0, H0, OCRClassifier)
	c.raw = rd.Lines
	c.minConf = unprotectedMinConf(rd, masks)
	return c
}

// Small glyphs make the classifier's confidence poorly calibrated: on
// 300–600 px wide synthetic scans, wrong names were read with confidence up
// to 0.93 while right ones went down to 0.53. So the confidence required of
// unprotected characters rises from Config.MinConfidence at fullResPitch
// pixels per MRZ character (glyphs ≥ ~13 px tall) to lowResMinConfidence
// at lowResPitch and below.
const (
	fullResPitch        = 14.0
	lowResPitch         = 9.0
	lowResMinConfidence = 0.97
)

// trusted is the acceptance rule: every check digit agrees and no character
// outside their protection was a guess.
func (e *Engine) trusted(c *mrzRead) bool {
	return checksOK(c.res) && c.minConf >= e.requiredConfidence(c)
}

func (e *Engine) requiredConfidence(c *mrzRead) float64 {
	base := e.cfg.MinConfidence
	if c.pitch <= 0 || c.pitch >= fullResPitch || base >= lowResMinConfidence {
		return base
	}
	t := math.Min(1, (fullResPitch-c.pitch)/(fullResPitch-lowResPitch))
	return base + t*(lowResMinConfidence-base)
}

// better ranks readings: all checks agreeing first; then clearly higher
// character confidence (a zone read upside down can satisfy a check digit
// by chance, but not look like OCR-B); then more agreeing checks.
func better(a, b *mrzRead) bool {
	ca, cb := checksOK(a.res), checksOK(b.res)
	if ca != cb {
		return ca
	}
	if ca && math.Abs(a.minConf-b.minConf) > 0.05 {
		return a.minConf > b.minConf
	}
	if math.Abs(a.conf-b.conf) > 0.1 {
		return a.conf > b.conf
	}
	va, vb := validCount(a.res), validCount(b.res)
	if va != vb {
		return va > vb
	}
	return a.conf > b.conf
}

// repair runs check-digit-guided repair on classifier output; a line set
// that does not even parse yields a nil result.
func (e *Engine) repair(lines []string) *mrz.Result {
	res, err := mrz.Repair(lines, e.mrzOpts...)
	if err != nil && res == nil {
		return nil
	}
	return res
}

// newRead maps the zone geometry from the rotated working image back to the
// input image.
func (e *Engine) newRead(res *mrz.Result, conf float64, z ocrb.Zone, rot int, scale float64, W0, H0 int, engine string) *mrzRead {
	c := &mrzRead{res: res, conf: conf, ocr: engine, zone: z, rot: rot}
	// Working (rotated) coordinates -> unrotated working -> input.
	w, h := math.Round(float64(W0)*scale), math.Round(float64(H0)*scale)
	unrot := func(x, y float64) (float64, float64) {
		switch rot {
		case 1: // image was rotated clockwise: (x,y) -> (H-1-y, x)
			return y, h - x
		case 3:
			return w - y, x
		}
		return x, y
	}
	x0, y0, x1, y1 := z.Bounds()
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range [][2]float64{{x0, y0}, {x1, y0}, {x0, y1}, {x1, y1}} {
		ux, uy := unrot(p[0], p[1])
		minX, maxX = math.Min(minX, ux), math.Max(maxX, ux)
		minY, maxY = math.Min(minY, uy), math.Max(maxY, uy)
	}
	c.box = image.Rect(int(minX/scale), int(minY/scale), int(math.Ceil(maxX/scale)), int(math.Ceil(maxY/scale))).
		Intersect(image.Rect(0, 0, W0, H0))
	l := z.Lines[0]
	c.pitch = l.Pitch / scale
	ox, oy := unrot(l.OriginX, l.OriginY)
	ex, ey := unrot(l.OriginX+l.DirX, l.OriginY+l.DirY)
	c.originX, c.originY = ox/scale, oy/scale
	c.dirX, c.dirY = ex-ox, ey-oy
	return c
}
