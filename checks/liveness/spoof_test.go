package liveness

import (
	"math"
	"math/rand/v2"

	"github.com/kycd/kycd/checks/face/imaging"
)

// Presentation-attack renderers: what a camera sees when the applicant holds up a print or a
// screen, or wears a paper mask, made from a real photo. They are simulations (no attack
// instrument was photographed), and docs/benchmarks/face.md says so next to every figure.

// renderPrint is the photo printed with a halftone dot screen (period px pixels, at angle
// deg) on slightly textured paper, photographed again: the camera blurs the dots a little
// and the picture is re-encoded.
func renderPrint(src *imaging.RGB, period, deg float64, seed uint64) *imaging.RGB {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := imaging.NewRGB(src.W, src.H)
	s, c := math.Sin(deg*math.Pi/180), math.Cos(deg*math.Pi/180)
	for y := range src.H {
		for x := range src.W {
			u, v := c*float64(x)+s*float64(y), -s*float64(x)+c*float64(y)
			// The dot screen: a cell's threshold rises from its centre.
			th := 0.5 + 0.25*(math.Cos(2*math.Pi*u/period)+math.Cos(2*math.Pi*v/period))
			i := 3 * (y*src.W + x)
			paper := 235 + 10*rng.Float64()
			for ch := range 3 {
				val := float64(src.Pix[i+ch]) / 255
				// Ink where the tone is darker than the screen's threshold: coverage follows tone.
				ink := 0.0
				if val < th {
					ink = 1
				}
				out.Pix[i+ch] = clampByte(paper*(1-0.85*ink) + 0.15*ink*float64(src.Pix[i+ch]))
			}
		}
	}
	return reencode(blur(out), 85)
}

// renderScreen is the photo shown on a screen and photographed: the panel's RGB stripes,
// the moiré of the panel grid against the camera's sensor (a slanted beat), a glare blob
// and a little gamma lift, then re-encoded.
func renderScreen(src *imaging.RGB, beat, deg float64, seed uint64) *imaging.RGB {
	rng := rand.New(rand.NewPCG(seed, 2))
	out := imaging.NewRGB(src.W, src.H)
	s, c := math.Sin(deg*math.Pi/180), math.Cos(deg*math.Pi/180)
	gx, gy := float64(src.W)*(0.3+0.4*rng.Float64()), float64(src.H)*(0.2+0.3*rng.Float64())
	gr := 0.25 * float64(min(src.W, src.H))
	for y := range src.H {
		for x := range src.W {
			m := 1 + 0.18*math.Cos(2*math.Pi*(c*float64(x)+s*float64(y))/beat)
			g := 70 * math.Exp(-(math.Pow(float64(x)-gx, 2)+math.Pow(float64(y)-gy, 2))/(2*gr*gr))
			i := 3 * (y*src.W + x)
			for ch := range 3 {
				stripe := 0.82
				if x%3 == ch {
					stripe = 1
				}
				v := 255 * math.Pow(float64(src.Pix[i+ch])/255, 0.85)
				out.Pix[i+ch] = clampByte(v*m*stripe + g)
			}
		}
	}
	return reencode(out, 85)
}

// blur is a 3×3 binomial blur: a camera's optics over printed dots.
func blur(src *imaging.RGB) *imaging.RGB {
	out := imaging.NewRGB(src.W, src.H)
	k := [3]float64{1, 2, 1}
	for y := range src.H {
		for x := range src.W {
			for ch := range 3 {
				var s, w float64
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := x+dx, y+dy
						if xx < 0 || yy < 0 || xx >= src.W || yy >= src.H {
							continue
						}
						kw := k[dx+1] * k[dy+1]
						s += kw * float64(src.Pix[3*(yy*src.W+xx)+ch])
						w += kw
					}
				}
				out.Pix[3*(y*src.W+x)+ch] = clampByte(s / w)
			}
		}
	}
	return out
}

func clampByte(v float64) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(math.Round(v))
}
