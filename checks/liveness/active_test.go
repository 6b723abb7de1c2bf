package liveness

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
)

// rec is one recorded frame: yaw, eye-open probability, eye aspect ratio,
// a landmark offset (motion), which person's embedding it carries and the
// mouth aspect ratio.
type rec struct {
	yaw, eyes, ear, shift float64
	person                int
	mar                   float64
}

// frameGapMS is the capture interval of the recorded sequences (5 frames a second).
const frameGapMS = 200

// people are orthogonal unit embeddings: person 0 is the reference.
var people = []face.Embedding{{1, 0, 0, 0}, {0, 1, 0, 0}, {0.8, 0.6, 0, 0}}

func observations(rs ...rec) []Observation {
	var out []Observation
	for i, r := range rs {
		lm := make([]face.Point, 68)
		for i := range lm {
			lm[i] = face.Point{X: 0.2 + 0.01*float64(i%10) + r.shift, Y: 0.2 + 0.01*float64(i/10)}
		}
		out = append(out, Observation{Pose: face.Pose{Yaw: r.yaw}, EyesOpen: r.eyes, EAR: r.ear, MAR: r.mar, Landmarks: lm,
			Embedding: append(face.Embedding(nil), people[r.person]...), AtMS: float64(1000 + i*frameGapMS), Timed: true})
	}
	return out
}

// A recorded good capture: straight, left, back, blink, right, straight, open
// mouth.
var goodCapture = []rec{
	{0, 0.95, 0.30, 0, 0, 0.02}, {12, 0.95, 0.30, 0.01, 0, 0.02}, {28, 0.9, 0.29, 0.02, 0, 0.03}, {10, 0.95, 0.30, 0.01, 0, 0.02},
	{1, 0.97, 0.31, 0, 0, 0.02}, {0, 0.05, 0.12, 0, 0, 0.02}, {0, 0.96, 0.30, 0, 0, 0.02},
	{-14, 0.95, 0.30, -0.01, 0, 0.02}, {-27, 0.9, 0.28, -0.02, 0, 0.03}, {-3, 0.95, 0.30, 0, 0, 0.02},
	{0, 0.95, 0.30, 0, 0, 0.05}, {0, 0.95, 0.30, 0, 0, 0.55}, {0, 0.95, 0.30, 0, 0, 0.05},
}

func TestVerifySequence(t *testing.T) {
	t.Parallel()
	ref := people[0]
	cfg := ActiveConfig{MatchThreshold: 0.4}
	all := []Step{LookStraight, TurnLeft, Blink, TurnRight, LookStraight, OpenMouth}
	untimed := func(obs []Observation) []Observation {
		for i := range obs {
			obs[i].AtMS, obs[i].Timed = 0, false
		}
		return obs
	}
	retime := func(i int, at float64) func([]Observation) []Observation {
		return func(obs []Observation) []Observation {
			obs[i].AtMS = at
			return obs
		}
	}
	// The eyes stay shut for 8 frames (1.6 s): a photo of closed eyes swapped in.
	longBlink := append(append(append([]rec(nil), goodCapture[:5]...),
		rec{0, 0.05, 0.12, 0, 0, 0.02}, rec{0, 0.05, 0.12, 0, 0, 0.02}, rec{0, 0.05, 0.12, 0, 0, 0.02}, rec{0, 0.05, 0.12, 0, 0, 0.02},
		rec{0, 0.05, 0.12, 0, 0, 0.02}, rec{0, 0.05, 0.12, 0, 0, 0.02}, rec{0, 0.05, 0.12, 0, 0, 0.02}, rec{0, 0.05, 0.12, 0, 0, 0.02}),
		goodCapture[6:]...)
	replace := func(i int, r rec) []rec {
		c := append([]rec(nil), goodCapture...)
		c[i] = r
		return c
	}
	for _, tc := range []struct {
		name       string
		steps      []Step
		frames     []rec
		ref        face.Embedding
		cfg        ActiveConfig
		reason     string
		failedStep Step
		failedAt   int
		edit       func([]Observation) []Observation
	}{
		{name: "good", steps: all, frames: goodCapture},
		{name: "mirrored preview swaps sides", steps: []Step{TurnRight, TurnLeft}, frames: goodCapture,
			cfg: ActiveConfig{MatchThreshold: 0.4, Mirrored: true}},
		{name: "out of order", steps: []Step{TurnRight, TurnLeft}, frames: goodCapture, reason: ReasonStepNotPerformed, failedStep: TurnLeft},
		{name: "turn too small", steps: []Step{TurnLeft}, frames: replace(2, rec{18, 0.9, 0.29, 0.02, 0, 0.02}), reason: ReasonStepNotPerformed, failedStep: TurnLeft},
		{name: "no blink", steps: []Step{Blink}, frames: replace(5, rec{0, 0.9, 0.30, 0, 0, 0.02}), reason: ReasonStepNotPerformed, failedStep: Blink},
		// The eye model under-reads some open eyes; a low EAR alone still counts.
		{name: "blink seen by EAR only", steps: []Step{Blink}, frames: replace(5, rec{0, 0.7, 0.10, 0, 0, 0.02})},
		{name: "blink must reopen", steps: []Step{TurnLeft, Blink}, frames: goodCapture[:6], reason: ReasonStepNotPerformed, failedStep: Blink},
		{name: "mouth never opens", steps: []Step{OpenMouth}, frames: replace(11, rec{0, 0.95, 0.30, 0, 0, 0.3}), reason: ReasonStepNotPerformed, failedStep: OpenMouth},
		{name: "mouth must close again", steps: []Step{OpenMouth}, frames: goodCapture[:12], reason: ReasonStepNotPerformed, failedStep: OpenMouth},
		{name: "mouth before the blink is out of order", steps: []Step{OpenMouth, Blink}, frames: goodCapture, reason: ReasonStepNotPerformed, failedStep: Blink},
		{name: "eyes shut too long", steps: []Step{TurnLeft, Blink}, frames: longBlink, reason: ReasonBadTiming, failedStep: Blink},
		{name: "time goes backwards", steps: all, frames: goodCapture, edit: retime(4, 0), reason: ReasonBadTiming},
		{name: "frames faster than a camera", steps: all, frames: goodCapture, edit: retime(4, 1000+3*frameGapMS+5), reason: ReasonBadTiming},
		{name: "a gap of seconds", steps: all, frames: goodCapture, edit: retime(12, 1000+11*frameGapMS+3000), reason: ReasonBadTiming},
		{name: "some frames timed, some not", steps: all, frames: goodCapture, edit: func(obs []Observation) []Observation {
			obs[3].Timed = false
			return obs
		}, reason: ReasonBadRequest},
		{name: "untimed with enough frames", steps: all, frames: goodCapture, edit: untimed},
		{name: "untimed with too few frames", steps: []Step{TurnLeft}, frames: goodCapture[:9], edit: untimed, reason: ReasonBadRequest},
		{name: "different person mid-capture", steps: all, frames: replace(3, rec{10, 0.95, 0.30, 0.01, 1, 0.02}), reason: ReasonDifferentFace, failedAt: 3},
		{name: "reference mismatch", steps: all, frames: goodCapture, ref: people[1], reason: ReasonReferenceMismatch},
		{name: "still photo", steps: []Step{LookStraight}, frames: []rec{{0, 0.9, 0.3, 0, 0, 0}, {0, 0.9, 0.3, 0, 0, 0}, {0, 0.9, 0.3, 0, 0, 0}, {0, 0.9, 0.3, 0, 0, 0}, {0, 0.9, 0.3, 0, 0, 0}}, reason: ReasonStaticFrames},
		{name: "too few frames", steps: all, frames: goodCapture[:4], reason: ReasonBadRequest},
		{name: "unknown step", steps: []Step{"jump"}, frames: goodCapture, reason: ReasonBadRequest},
		{name: "no steps", steps: nil, frames: goodCapture, reason: ReasonBadRequest},
		{name: "bad config", steps: all, frames: goodCapture, cfg: ActiveConfig{TurnDegrees: 5, StraightDegrees: 10}, reason: ReasonBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ref := ref
			if tc.ref != nil {
				ref = tc.ref
			}
			c := cfg
			if tc.cfg != (ActiveConfig{}) {
				c = tc.cfg
			}
			obs := observations(tc.frames...)
			if tc.edit != nil {
				obs = tc.edit(obs)
			}
			r := VerifySequence(tc.steps, obs, ref, c)
			require.Equal(t, tc.reason, r.Reason, r.Message)
			require.Equal(t, tc.reason == "", r.Passed)
			require.Equal(t, tc.failedStep, r.FailedStep)
			if tc.reason == ReasonDifferentFace {
				require.Equal(t, tc.failedAt, r.FailedFrame)
			}
			if r.Passed {
				prev := -1
				for _, s := range r.Steps {
					require.Greater(t, s.Frame, prev, "steps complete in capture order")
					prev = s.Frame
				}
			}
		})
	}
}

func TestVerifySequenceBadFrameAndDimensions(t *testing.T) {
	t.Parallel()
	obs := observations(goodCapture...)
	obs[4].Reason = face.ReasonNoFace
	r := VerifySequence([]Step{TurnLeft}, obs, people[0], ActiveConfig{})
	require.Equal(t, ReasonBadFrame, r.Reason)
	require.Equal(t, 4, r.FailedFrame)

	obs = observations(goodCapture...)
	r = VerifySequence([]Step{TurnLeft}, obs, face.Embedding{1, 0}, ActiveConfig{})
	require.Equal(t, ReasonBadRequest, r.Reason)
	r = VerifySequence([]Step{TurnLeft}, obs, nil, ActiveConfig{})
	require.Equal(t, ReasonBadRequest, r.Reason)
}

func TestEyeAspectRatio(t *testing.T) {
	t.Parallel()
	var l face.Landmarks
	eye := func(off int, x0 float64, open float64) {
		l[off] = face.Point{X: x0, Y: 0}
		l[off+1] = face.Point{X: x0 + 1, Y: -open}
		l[off+2] = face.Point{X: x0 + 2, Y: -open}
		l[off+3] = face.Point{X: x0 + 3, Y: 0}
		l[off+4] = face.Point{X: x0 + 2, Y: open}
		l[off+5] = face.Point{X: x0 + 1, Y: open}
	}
	eye(36, 0, 0.5)
	eye(42, 10, 0.5)
	require.InDelta(t, 1.0/3, EyeAspectRatio(&l), 1e-9)
	eye(36, 0, 0.05)
	eye(42, 10, 0.05)
	require.InDelta(t, 1.0/30, EyeAspectRatio(&l), 1e-9)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	_, err := New(nil, Config{})
	require.ErrorContains(t, err, "nil face engine")
	_, err = New(&face.Engine{}, Config{PassiveThreshold: 1.5})
	require.ErrorContains(t, err, "passive threshold")
	_, err = New(&face.Engine{}, Config{Active: ActiveConfig{ClosedBelow: 0.9, OpenAbove: 0.5}})
	require.ErrorContains(t, err, "closed_below")
}

// An eye the model cannot read (it reads it closed through the capture, as it did one eye of
// a real webcam recording) is left out: the other eye and the eyelids' landmarks show the
// blink. Before, the two eyes' mean sat at 0.5, never open, and the blink was never seen.
func TestBlinkWithAnEyeTheModelCannotRead(t *testing.T) {
	var rs []rec
	for i := range 12 {
		rs = append(rs, rec{yaw: float64(i%3) - 1, eyes: 0.97, ear: 0.27, shift: 0.02 * float64(i%2)})
	}
	rs[6].eyes, rs[6].ear, rs[7].eyes, rs[7].ear = 0.05, 0.12, 0.05, 0.13 // the blink
	obs := observations(rs...)
	for i := range obs {
		left := []float64{0.02, 0.10, 0.01, 0.15, 0.03, 0.00}[i%6] // misread throughout
		obs[i].Eyes = [2]float64{left, obs[i].EyesOpen}
		obs[i].EyesOpen = (left + obs[i].EyesOpen) / 2
	}
	ref := people[0]
	r := VerifySequence([]Step{Blink}, obs, ref, ActiveConfig{})
	require.True(t, r.Passed, "%s: %s", r.Reason, r.Message)
	require.Equal(t, 8, r.Steps[0].Frame, "the blink is seen when the eye opens again after it")

	// Neither eye readable: the landmarks decide alone, and without a drop there is no blink.
	for i := range obs {
		obs[i].Eyes, obs[i].EyesOpen, obs[i].EAR = [2]float64{0.1, 0.2}, 0.15, 0.27
	}
	r = VerifySequence([]Step{Blink}, obs, ref, ActiveConfig{})
	require.Equal(t, ReasonStepNotPerformed, r.Reason, "a steady eye aspect ratio is no blink")
	obs[6].EAR, obs[7].EAR = 0.12, 0.13
	r = VerifySequence([]Step{Blink}, obs, ref, ActiveConfig{})
	require.True(t, r.Passed, "%s: %s", r.Reason, r.Message)

	// Only the mean recorded, 0.5 throughout and no drop: neither open nor closed, as before.
	for i := range obs {
		obs[i].Eyes, obs[i].EyesOpen, obs[i].EAR = [2]float64{}, 0.5, 0.27
	}
	r = VerifySequence([]Step{Blink}, obs, ref, ActiveConfig{})
	require.Equal(t, ReasonStepNotPerformed, r.Reason)
}
