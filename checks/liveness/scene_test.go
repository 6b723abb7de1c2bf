package liveness

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// sceneFixture is a 320×240 frame: a textured, coloured room (tint scales its channels), shaded and
// a skin-coloured face in the middle, with the 68 landmarks FrameScene reads (the nose's).
func sceneFixture(seed uint64, tint [3]float64) (*imaging.RGB, face.Box, []face.Point) {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := imaging.NewRGB(320, 240)
	b := face.Box{X1: 130, Y1: 70, X2: 190, Y2: 150}
	for y := range img.H {
		for x := range img.W {
			i := 3 * (y*img.W + x)
			base := [3]float64{150, 140, 110} // a warm wall with texture
			if fx, fy := float64(x), float64(y); fx >= b.X1 && fx < b.X2 && fy >= b.Y1 {
				base = [3]float64{190, 140, 115} // skin, and the body below it
			}
			// Shading multiplies a surface's colour (it does not add grey to it).
			v := 0.85 + 0.3*rng.Float64()
			if (x/12+y/12)%2 == 0 {
				v *= 0.7
			}
			for c := range 3 {
				img.Pix[i+c] = uint8(max(0, min(255, base[c]*v*tint[c])))
			}
		}
	}
	lm := make([]face.Point, 68)
	for i := range lm {
		lm[i] = face.Point{X: 160, Y: 110}
	}
	lm[27], lm[33] = face.Point{X: 160, Y: 95}, face.Point{X: 160, Y: 125}
	for i, x := range []float64{150, 155, 160, 165, 170} {
		lm[31+i] = face.Point{X: x, Y: 122}
	}
	return img, b, lm
}

// A camera's white balance, exposure or tone curve changing between two frames of one scene
// moves the nose's raw colour past the threshold but not its colour relative to the room's;
// light that changes on the face alone, or a different room, does move it.
func TestChromaShiftIgnoresGlobalCast(t *testing.T) {
	t.Parallel()
	img, b, lm := sceneFixture(1, [3]float64{1, 1, 1})
	ref := FrameScene(img, b, lm)
	rng := rand.New(rand.NewPCG(2, 2))
	for _, cam := range []camera{
		{name: "awb 4000→6500 K", AWBFrom: 4000, AWBTo: 6500, AWBFrames: 1},
		{name: "awb 6500→4000 K", AWBFrom: 6500, AWBTo: 4000, AWBFrames: 1},
		{name: "+1 EV", EV: 1, EVFrames: 1},
		{name: "−1 EV", EV: -1, EVFrames: 1},
		{name: "awb and −1 EV, noise", AWBFrom: 4000, AWBTo: 6500, AWBFrames: 1, EV: -1, EVFrames: 1, Noise: 2},
		// A tone curve is not a gain: the room's cells show the power it is in linear light.
		{name: "tone curve γ 0.8", Gamma: 0.8, GammaFrames: 1, Noise: 2},
		{name: "tone curve γ 1.25 and awb 6500→4000 K", Gamma: 1.25, GammaFrames: 1, AWBFrom: 6500, AWBTo: 4000, AWBFrames: 1, Noise: 2},
	} {
		s := FrameScene(cam.apply(img, 0, rng), b, lm)
		t.Logf("%s: shift %.4f, raw %.4f", cam.name, ChromaShift(ref, s), rawChromaShift(ref, s))
		require.Less(t, ChromaShift(ref, s), DefaultMaxChromaShift/3, cam.name)
		if cam.AWBFrom > 0 {
			require.Greater(t, rawChromaShift(ref, s), rawMaxChromaShift, "%s: the raw colour moves", cam.name)
		}
		c, ok := SceneContinuity(ref, s)
		require.True(t, ok, cam.name)
		require.Greater(t, c, DefaultSceneContinuity, cam.name)
	}

	// A lamp on the face alone (the room unchanged): the face's light against the room's
	// changed.
	lamp := imaging.NewRGB(img.W, img.H)
	copy(lamp.Pix, img.Pix)
	for y := int(b.Y1); y < int(b.Y2); y++ {
		for x := int(b.X1); x < int(b.X2); x++ {
			i := 3 * (y*img.W + x)
			lamp.Pix[i+2] = uint8(float64(lamp.Pix[i+2]) * 0.8)
		}
	}
	d := ChromaShift(ref, FrameScene(lamp, b, lm))
	t.Logf("lamp on the face: shift %.4f", d)
	require.Greater(t, d, DefaultMaxChromaShift)
	// … and under a tone-curve change too: the power fitted on the room does not explain it.
	d = ChromaShift(ref, FrameScene(camera{Gamma: 0.8, GammaFrames: 1}.apply(lamp, 0, rng), b, lm))
	t.Logf("lamp on the face, tone curve γ 0.8: shift %.4f", d)
	require.Greater(t, d, DefaultMaxChromaShift)

	// Another photo: the room's colour differs, the face's does not (the same person in
	// another place), so relative to the room the face's light moved.
	other, _, _ := sceneFixture(3, [3]float64{0.8, 1, 1.15})
	for y := int(b.Y1); y < img.H; y++ { // the same face and body pasted in
		for x := int(b.X1); x < int(b.X2); x++ {
			i := 3 * (y*img.W + x)
			copy(other.Pix[i:i+3], img.Pix[i:i+3])
		}
	}
	d = ChromaShift(ref, FrameScene(other, b, lm))
	t.Logf("another room: shift %.4f", d)
	require.Greater(t, d, DefaultMaxChromaShift)

	// Unknown: no nose, or nothing exposed.
	require.Zero(t, ChromaShift(ref, FrameScene(img, b, nil)))
	require.Zero(t, ChromaShift(ref, FrameScene(imaging.NewRGB(320, 240), b, lm)))
	require.Zero(t, ChromaShift(nil, ref))
}
