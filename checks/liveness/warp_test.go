package liveness

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
)

// texture is a smooth random grey pattern (sums of blobs), like skin and features at patch
// scale, with landmarks on a fixed grid.
func texture(seed uint64) *Patch {
	rng := rand.New(rand.NewPCG(seed, 9))
	p := &Patch{Pix: make([]float32, PatchSize*PatchSize)}
	type blob struct{ x, y, r, a float64 }
	var blobs []blob
	for range 120 {
		blobs = append(blobs, blob{rng.Float64() * PatchSize, rng.Float64() * PatchSize, 2 + 5*rng.Float64(), 60 * (rng.Float64() - 0.5)})
	}
	for y := range PatchSize {
		for x := range PatchSize {
			v := 128.0
			for _, b := range blobs {
				v += b.a * math.Exp(-(math.Pow(float64(x)-b.x, 2)+math.Pow(float64(y)-b.y, 2))/(2*b.r*b.r))
			}
			p.Pix[y*PatchSize+x] = float32(v)
		}
	}
	for i := range 68 {
		p.Landmarks = append(p.Landmarks, face.Point{X: 24 + float64(i%9)*6, Y: 24 + float64(i/9)*6})
	}
	return p
}

// remap renders dst(x, y) = src(f(x), y) with the landmarks moved by the inverse.
func remap(src *Patch, f func(x float64) float64, finv func(x float64) float64) *Patch {
	out := &Patch{Pix: make([]float32, PatchSize*PatchSize)}
	for y := range PatchSize {
		for x := range PatchSize {
			sx := math.Max(0, math.Min(PatchSize-1.001, f(float64(x))))
			i := int(sx)
			r := float32(sx - float64(i))
			out.Pix[y*PatchSize+x] = src.Pix[y*PatchSize+i]*(1-r) + src.Pix[y*PatchSize+i+1]*r
		}
	}
	for _, l := range src.Landmarks {
		out.Landmarks = append(out.Landmarks, face.Point{X: finv(l.X), Y: l.Y})
	}
	return out
}

func TestPatchResidualSeesWarpsNotNewPictures(t *testing.T) {
	t.Parallel()
	src := texture(1)
	require.Less(t, PatchResidual(src, src), 0.01)
	// A shift and a cylinder-like squeeze of one picture are explained.
	shift := remap(src, func(x float64) float64 { return x + 4 }, func(x float64) float64 { return x - 4 })
	require.Less(t, PatchResidual(src, shift), DefaultWarpResidual/2)
	c, r := 48.0, 40.0
	cyl := func(x float64) float64 {
		u := math.Max(-1, math.Min(1, (x-c)/r))
		return c + r*math.Sin(math.Max(-math.Pi/2, math.Min(math.Pi/2, math.Asin(u)-0.5)))
	}
	cylInv := func(x float64) float64 {
		u := math.Max(-1, math.Min(1, (x-c)/r))
		return c + r*math.Sin(math.Max(-math.Pi/2, math.Min(math.Pi/2, math.Asin(u)+0.5)))
	}
	require.Less(t, PatchResidual(src, remap(src, cyl, cylInv)), DefaultWarpResidual)
	// Another picture is not.
	require.Greater(t, PatchResidual(src, texture(2)), DefaultWarpResidual)
	// A flat patch says nothing.
	flat := &Patch{Pix: make([]float32, PatchSize*PatchSize), Landmarks: src.Landmarks}
	require.Equal(t, -1.0, PatchResidual(src, flat))
}

func TestWarpResidualComparesTurnedFramesOnly(t *testing.T) {
	t.Parallel()
	src := texture(3)
	obs := []Observation{{Patch: src}, {Patch: texture(4), Pose: face.Pose{Yaw: 5}}, {Patch: src, Pose: face.Pose{Yaw: 25}}}
	res, at, ok := warpResidual(obs, 0, ActiveConfig{TurnDegrees: 20})
	require.True(t, ok)
	require.Equal(t, 2, at, "the 5° frame is no turn and is not compared")
	require.Less(t, res, 0.01)
	_, _, ok = warpResidual(obs[:2], 0, ActiveConfig{TurnDegrees: 20})
	require.False(t, ok, "no turned frame")
	_, _, ok = warpResidual([]Observation{{}, {Patch: src, Pose: face.Pose{Yaw: 30}}}, 0, ActiveConfig{TurnDegrees: 20})
	require.False(t, ok, "no patch on the anchor")
}

// In a recorded capture, turned frames that are warps of the frontal one fail the whole
// sequence as warped_still, before the steps are looked at; other pictures pass the test.
func TestVerifySequenceWarpedStill(t *testing.T) {
	t.Parallel()
	front := texture(5)
	shifted := remap(front, func(x float64) float64 { return x + 3 }, func(x float64) float64 { return x - 3 })
	all := []Step{LookStraight, TurnLeft, Blink, TurnRight, LookStraight, OpenMouth}
	cfg := ActiveConfig{MatchThreshold: 0.4, WarpResidual: DefaultWarpResidual}

	obs := observations(goodCapture...)
	for i := range obs {
		obs[i].Patch = front
		if math.Abs(obs[i].Pose.Yaw) >= 20 {
			obs[i].Patch = shifted
		}
	}
	r := VerifySequence(all, obs, people[0], cfg)
	require.Equal(t, ReasonWarpedStill, r.Reason, r.Message)
	require.Contains(t, []int{2, 8}, r.FailedFrame)
	require.Less(t, r.WarpResidual, DefaultWarpResidual)

	for i := range obs {
		if math.Abs(obs[i].Pose.Yaw) >= 20 {
			obs[i].Patch = texture(uint64(100 + i))
		}
	}
	r = VerifySequence(all, obs, people[0], cfg)
	require.True(t, r.Passed, "%+v", r)
	require.Greater(t, r.WarpResidual, DefaultWarpResidual)

	// Turned off, the test measures nothing.
	cfg.WarpResidual = -1
	for i := range obs {
		obs[i].Patch = front
	}
	r = VerifySequence(all, obs, people[0], cfg)
	require.True(t, r.Passed, "%+v", r)
	require.Equal(t, -1.0, r.WarpResidual)

	// Off by default: real head turns leave residuals as low as warps of one photo do.
	for i := range obs {
		if math.Abs(obs[i].Pose.Yaw) >= 20 {
			obs[i].Patch = shifted
		}
	}
	r = VerifySequence(all, obs, people[0], ActiveConfig{MatchThreshold: 0.4})
	require.True(t, r.Passed, "%+v", r)
	require.Equal(t, -1.0, r.WarpResidual)
}
