package liveness

import (
	"math"
	"math/rand/v2"

	"github.com/kycd/kycd/checks/face/imaging"
)

// The bona fide side of scene_cut (issue #15): what a phone's camera does to a real capture
// on its own, while the scene in front of it stays. There is no recorded capture in the
// shared data, so a capture is simulated from one photo (one scene, one light): frames
// 200 ms apart with hand jitter, sensor noise and a JPEG encoding each, and the camera
// adapting during the capture —
//
//   - auto white balance (AWB) re-estimating the light, as a phone does when what fills the
//     frame changes (a face turning, a hand passing): its estimate moves from one colour
//     temperature to another, spread over a few frames or, worse, in one step;
//   - auto-exposure (AE) re-metering: a global gain of up to ±1 EV over a few frames.
//
// Both are global: every pixel of a frame gets the same per-channel gain (von Kries). A test
// that compares the face's light with the frame's own colour is blind to them; the raw
// colour of the face is not (the old chromaticity test).

// planckianWhite is the colour in linear sRGB (G = 1) of a black body at t kelvin (1667–25000 K):
// its CIE 1931 chromaticity from the cubic-spline fit of the Planckian locus of B. Kang,
// O. Moon, C. Hong, H. Lee, B. Cho, Y. Kim, "Design of advanced color-temperature control
// system for HDTV applications", J. Korean Phys. Soc. 41(6), 865–871 (2002) (Wikipedia's
// "Planckian locus" article gives the same coefficients as "Kim et al."), then XYZ → linear sRGB with the
// matrix of IEC 61966-2-1. At 4000 K it is (1.531, 1, 0.577), at 6500 K (1.060, 1, 1.052).
func planckianWhite(t float64) [3]float64 {
	var x, y float64
	if t <= 4000 {
		x = -0.2661239e9/(t*t*t) - 0.2343589e6/(t*t) + 0.8776956e3/t + 0.179910
	} else {
		x = -3.0258469e9/(t*t*t) + 2.1070379e6/(t*t) + 0.2226347e3/t + 0.240390
	}
	switch {
	case t <= 2222:
		y = -1.1063814*x*x*x - 1.34811020*x*x + 2.18555832*x - 0.20219683
	case t <= 4000:
		y = -0.9549476*x*x*x - 1.37418593*x*x + 2.09137015*x - 0.16748867
	default:
		y = 3.0817580*x*x*x - 5.87338670*x*x + 3.75112997*x - 0.37001483
	}
	X, Y, Z := x/y, 1.0, (1-x-y)/y
	r := 3.2406*X - 1.5372*Y - 0.4986*Z
	g := -0.9689*X + 1.8758*Y + 0.0415*Z
	b := 0.0557*X - 0.2040*Y + 1.0570*Z
	return [3]float64{r / g, 1, b / g}
}

// awbGains is what an AWB change does to a picture, per channel in linear light (von Kries:
// the camera divides each channel by the white of the light it estimates, green fixed). When
// its estimate moves from k0 to k1 kelvin under an unchanged light, every pixel is multiplied
// by white(k0)/white(k1): 4000 K → 6500 K gives (1.445, 1, 0.549), a strong orange cast; 6500 K
// → 4000 K its inverse (0.692, 1, 1.822), a blue one. Between, the estimate moves linearly in
// mireds (1/T), the scale on which colour-temperature steps look even.
func awbGains(k0, k1, t float64) [3]float64 {
	k := 1 / (1/k0 + t*(1/k1-1/k0))
	w0, w := planckianWhite(k0), planckianWhite(k)
	return [3]float64{w0[0] / w[0], 1, w0[2] / w[2]}
}

// camera is a phone camera's adaptation during one capture. Ramps start at frame At and take
// Frames frames to complete (1: an abrupt step between frames At−1 and At); frame i is
// 200·i ms into the capture, so 4 frames are 0.8 s.
type camera struct {
	name string
	// AWB estimate from AWBFrom to AWBTo kelvin (0: no AWB change).
	AWBFrom, AWBTo   float64
	AWBAt, AWBFrames int
	// Exposure change of EV stops (a linear-light gain of 2^EV).
	EV             float64
	EVAt, EVFrames int
	// Gamma is a tone-curve change, v ↦ v^γ on the 0..1 values with γ going from 1 to Gamma
	// (0: none): not a gain, so no von Kries normalisation cancels it — how far a phone's
	// tone mapping re-adjusting moves the test.
	Gamma                float64
	GammaAt, GammaFrames int
	// Noise is the sensor noise's standard deviation in 8-bit levels (after the tone curve).
	Noise float64
}

// ramp is how far (0..1) a change starting at frame at over n frames is at frame i.
func ramp(i, at, n int) float64 {
	if i < at {
		return 0
	}
	return math.Min(1, float64(i-at+1)/float64(max(n, 1)))
}

// srgbToLinear and linearToSRGB are IEC 61966-2-1's transfer functions.
func srgbToLinear(v float64) float64 {
	if v <= 0.04045 {
		return v / 12.92
	}
	return math.Pow((v+0.055)/1.055, 2.4)
}

func linearToSRGB(v float64) float64 {
	if v <= 0.0031308 {
		return 12.92 * v
	}
	return 1.055*math.Pow(v, 1/2.4) - 0.055
}

// apply renders frame i of the capture through the camera: the per-channel AWB gain and the
// exposure gain in linear light (clipping where a channel saturates, as a sensor does), back
// to sRGB, plus sensor noise.
func (c camera) apply(src *imaging.RGB, i int, rng *rand.Rand) *imaging.RGB {
	gain := [3]float64{1, 1, 1}
	if c.AWBFrom > 0 {
		gain = awbGains(c.AWBFrom, c.AWBTo, ramp(i, c.AWBAt, c.AWBFrames))
	}
	ev := math.Exp2(c.EV * ramp(i, c.EVAt, c.EVFrames))
	gamma := 1.0
	if c.Gamma > 0 {
		gamma += (c.Gamma - 1) * ramp(i, c.GammaAt, c.GammaFrames)
	}
	var lut [3][256]float64
	for ch := range 3 {
		for v := range 256 {
			lut[ch][v] = 255 * math.Pow(linearToSRGB(math.Min(1, srgbToLinear(float64(v)/255)*gain[ch]*ev)), gamma)
		}
	}
	out := imaging.NewRGB(src.W, src.H)
	for j, v := range src.Pix {
		f := lut[j%3][v]
		if c.Noise > 0 {
			f += rng.NormFloat64() * c.Noise
		}
		out.Pix[j] = uint8(math.Max(0, math.Min(255, math.Round(f))))
	}
	return out
}

// captureFrames renders a capture of one photo: frame i shows the head turned by angles[i]
// degrees (a cylinder warp around the face centre cx of radius r; 0 keeps the photo as it
// is), the phone shaken a little (a shift of up to a 320th of the frame, as the multi-photo
// attack's frames), the camera's adaptation and noise, and a JPEG encoding at quality 65–90.
func captureFrames(img *imaging.RGB, cx, r float64, angles []float64, cam camera, seed int) []*imaging.RGB {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5ce9e))
	out := make([]*imaging.RGB, len(angles))
	for i, a := range angles {
		f := img
		if a != 0 {
			f = yawWarp(img, cx, r, a*math.Pi/180)
		}
		f = stillWarp(f, warpShift, float64(f.W)/2, float64(f.H)/2, float64(f.W)/20, 0, float64((i+seed)%3-1)/4)
		f = cam.apply(f, i, rng)
		out[i] = reencode(f, 65+(9*i+seed)%26)
	}
	return out
}

// cameras are the adaptations the bona fide proxy runs: none (jitter, noise and JPEG only),
// AWB ramps both ways over 4 frames (0.8 s) and 3 frames, an abrupt AWB step, exposure ramps of
// ±1 EV over 3 frames, a tone-curve change, and AWB and exposure together.
var cameras = []camera{
	{name: "none", Noise: 2},
	{name: "awb 4000→6500 K over 4 frames", AWBFrom: 4000, AWBTo: 6500, AWBAt: 3, AWBFrames: 4, Noise: 2},
	{name: "awb 6500→4000 K over 3 frames", AWBFrom: 6500, AWBTo: 4000, AWBAt: 4, AWBFrames: 3, Noise: 2},
	{name: "awb 4000→6500 K step", AWBFrom: 4000, AWBTo: 6500, AWBAt: 5, AWBFrames: 1, Noise: 2},
	{name: "awb 6500→4000 K step", AWBFrom: 6500, AWBTo: 4000, AWBAt: 5, AWBFrames: 1, Noise: 2},
	{name: "exposure +1 EV over 3 frames", EV: 1, EVAt: 2, EVFrames: 3, Noise: 2},
	{name: "exposure −1 EV over 3 frames", EV: -1, EVAt: 2, EVFrames: 3, Noise: 2},
	{name: "tone curve γ 1 → 0.8 over 3 frames", Gamma: 0.8, GammaAt: 3, GammaFrames: 3, Noise: 2},
	{name: "awb 4000→6500 K and −1 EV over 4 frames", AWBFrom: 4000, AWBTo: 6500, AWBAt: 3, AWBFrames: 4, EV: -1, EVAt: 3, EVFrames: 4, Noise: 2},
}

// rawMaxChromaShift is the threshold of the raw test (DefaultMaxChromaShift before the
// normalisation), to show what the camera proxy would have done to it.
const rawMaxChromaShift = 0.012

// rawChromaShift is the distance between the two frames' raw nose chromaticities.
func rawChromaShift(a, b *Scene) float64 {
	if a == nil || b == nil || a.Chroma == [2]float64{} || b.Chroma == [2]float64{} {
		return 0
	}
	return math.Hypot(a.Chroma[0]-b.Chroma[0], a.Chroma[1]-b.Chroma[1])
}
