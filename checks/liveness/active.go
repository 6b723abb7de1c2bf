package liveness

import (
	"fmt"
	"math"
	"sort"

	"github.com/kycd/kycd/checks/face"
)

// Step is one action of an active-liveness challenge.
type Step string

// The challenge steps. Left and right are the applicant's own, seen by a
// camera that does not mirror (see ActiveConfig.Mirrored).
const (
	TurnLeft     Step = "turn_left"
	TurnRight    Step = "turn_right"
	Blink        Step = "blink"
	LookStraight Step = "look_straight"
	OpenMouth    Step = "open_mouth"
)

// AllSteps lists every challenge step.
var AllSteps = []Step{TurnLeft, TurnRight, Blink, LookStraight, OpenMouth}

// NonRigid reports whether a step changes the shape of the face itself (eyelids, jaw):
// no warp of a still photo produces it, so every challenge holds at least one.
func NonRigid(s Step) bool { return s == Blink || s == OpenMouth }

// IsTurn reports whether a step is a head turn.
func IsTurn(s Step) bool { return s == TurnLeft || s == TurnRight }

// Frame count limits for one challenge capture.
const (
	MinFrames = 5
	MaxFrames = 30
)

// Reason codes of an active check.
const (
	ReasonBadRequest        = "bad_request"
	ReasonBadFrame          = "bad_frame"
	ReasonStaticFrames      = "static_frames"
	ReasonDifferentFace     = "different_face"
	ReasonStepNotPerformed  = "step_not_performed"
	ReasonReferenceMismatch = "reference_mismatch"
	// ReasonBadTiming: the capture timestamps are impossible for a camera (not increasing,
	// too fast, gaps too long) or a non-rigid action lasted implausibly long.
	ReasonBadTiming = "bad_timing"
	// ReasonWarpedStill: the head turns are explained by 2-D warps of one picture.
	ReasonWarpedStill = "warped_still"
	// ReasonSceneCut: consecutive frames show different scenes (background, light, frame
	// size): a sequence cut together from several pictures, not one capture.
	ReasonSceneCut = "scene_cut"
)

// DefaultSameFaceThreshold is the cosine every frame of a capture must reach
// with its most frontal frame, on the scale of the default embedding (dlib's
// ResNet). It keeps the strength the check had with the previous embedding
// (its 0.30 let 33 % of different-person pairs through; 0.85 lets 33.5 %,
// bench/face operating points), while cylinder warps of one photo to ±50°
// keep 0.929 and more (TestSameFaceThresholdKeepsTurnedFrames). It is a
// consistency check: the reference match and scene_cut are the strong ones.
const DefaultSameFaceThreshold = 0.85

// ActiveConfig holds the thresholds of challenge verification.
type ActiveConfig struct {
	// TurnDegrees: a head turn counts when |yaw| reaches this (default 20°).
	TurnDegrees float64
	// StraightDegrees: looking straight means |yaw| within this (default 10°).
	StraightDegrees float64
	// ClosedBelow / OpenAbove: eye-model open probability (mean of both eyes)
	// for a closed / open eye (defaults 0.3 / 0.6).
	ClosedBelow float64
	OpenAbove   float64
	// EARClosedRatio: an eye also counts closed when its aspect ratio falls
	// below this fraction of the sequence's median (default 0.6), because the
	// eye model under-reads some narrow open eyes.
	EARClosedRatio float64
	// SameFaceThreshold: every frame's embedding must reach this cosine with
	// the most frontal frame (default DefaultSameFaceThreshold, below the
	// match threshold because turned faces embed less similarly).
	SameFaceThreshold float64
	// MatchThreshold: the most frontal frame against the reference embedding
	// (default: the face engine's match threshold).
	MatchThreshold float64
	// MinMotion: the largest landmark movement between any two frames, as a
	// fraction of face size, below which the capture is a still image
	// (default 0.01).
	MinMotion float64
	// Mirrored: frames come from a mirrored preview, so left and right swap.
	Mirrored bool
	// MouthClosedBelow / MouthOpenAbove: inner-mouth aspect ratio of a closed / open
	// mouth (defaults 0.12 / 0.35).
	MouthClosedBelow float64
	MouthOpenAbove   float64
	// MaxClosedMS: in a timed capture, eyes closed (blink) or mouth open for longer than this
	// is not the action but a swapped picture (default 1500 ms).
	MaxClosedMS float64
	// MinGapMS / MaxGapMS bound the time between two frames of a timed capture (defaults
	// 20 ms, i.e. at most 50 frames a second, and 1500 ms).
	MinGapMS float64
	MaxGapMS float64
	// MinUntimedFrames: a capture without timestamps needs at least this many frames
	// (default 10): with no timing to check, more frames must show each action.
	MinUntimedFrames int
	// WarpResidual: a turn frame whose best 2-D warp from the frontal frame leaves less
	// than this normalised residual counts as a warp of it, and the capture fails as
	// warped_still. Zero or negative (the default) leaves the test off: on real recorded
	// head turns it left residuals as low as warps of one photo do (0.09–0.29 against
	// 0.11–0.25, docs/benchmarks/face.md), so it refused real applicants; DefaultWarpResidual
	// is the threshold it was built with.
	WarpResidual float64
	// SceneContinuity: consecutive frames whose background correlation (SceneContinuity)
	// falls below this are different scenes (default DefaultSceneContinuity). Negative
	// disables the test.
	SceneContinuity float64
	// MaxChromaShift: consecutive frames whose face-light chromaticity moves more than this
	// (ChromaShift) are lit by different lights: different pictures (default
	// DefaultMaxChromaShift). Negative disables the test.
	MaxChromaShift float64
}

func (c ActiveConfig) withDefaults() (ActiveConfig, error) {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.TurnDegrees, 20)
	def(&c.StraightDegrees, 10)
	def(&c.ClosedBelow, 0.3)
	def(&c.OpenAbove, 0.6)
	def(&c.EARClosedRatio, 0.6)
	def(&c.SameFaceThreshold, DefaultSameFaceThreshold)
	def(&c.MinMotion, 0.01)
	def(&c.MouthClosedBelow, 0.12)
	def(&c.MouthOpenAbove, 0.35)
	def(&c.MaxClosedMS, 1500)
	def(&c.MinGapMS, 20)
	def(&c.MaxGapMS, 1500)
	def(&c.SceneContinuity, DefaultSceneContinuity)
	def(&c.MaxChromaShift, DefaultMaxChromaShift)
	if c.MinUntimedFrames == 0 {
		c.MinUntimedFrames = 10
	}
	if c.MouthClosedBelow >= c.MouthOpenAbove {
		return c, fmt.Errorf("active: mouth_closed_below %v must be below mouth_open_above %v", c.MouthClosedBelow, c.MouthOpenAbove)
	}
	if c.MinGapMS >= c.MaxGapMS {
		return c, fmt.Errorf("active: min_gap_ms %v must be below max_gap_ms %v", c.MinGapMS, c.MaxGapMS)
	}
	if c.StraightDegrees >= c.TurnDegrees {
		return c, fmt.Errorf("active: straight_degrees %v must be below turn_degrees %v", c.StraightDegrees, c.TurnDegrees)
	}
	if c.ClosedBelow >= c.OpenAbove {
		return c, fmt.Errorf("active: closed_below %v must be below open_above %v", c.ClosedBelow, c.OpenAbove)
	}
	return c, nil
}

// Observation is what one frame showed. Checker.Active builds these from
// images; tests and replays can build them from recorded values.
type Observation struct {
	// Reason is a quality reason that makes the frame unusable ("no_face",
	// "multiple_faces"); empty when the frame has one face.
	Reason string
	// Pose is the head pose (model pose when available).
	Pose face.Pose
	// EyesOpen is the eye model's mean open probability over both eyes.
	EyesOpen float64
	// Eyes is the eye model's open probability for each eye (image left, image right); zero
	// for both when only EyesOpen was recorded, which then stands for each.
	Eyes [2]float64
	// EAR is the mean eye aspect ratio from the landmarks.
	EAR float64
	// MAR is the inner-mouth aspect ratio from the landmarks (0 closed, ~0.5 wide open).
	MAR float64
	// AtMS is the capture time in milliseconds (any origin) when Timed.
	AtMS  float64
	Timed bool
	// Landmarks, normalised to the face box (0..1), for the motion check.
	Landmarks []face.Point
	// Embedding of the face in this frame.
	Embedding face.Embedding
	// Patch is the grey face region for the warped-still test; nil skips the test.
	Patch *Patch
	// Scene is the frame's background for the scene-continuity test; nil skips it.
	Scene *Scene
}

// StepResult says where a step was seen.
type StepResult struct {
	Step Step `json:"step"`
	// Frame is the index of the frame that completed the step, −1 if never.
	Frame int `json:"frame"`
}

// ActiveResult is the verdict on a challenge capture.
type ActiveResult struct {
	Passed bool `json:"passed"`
	// Reason is a machine-readable code; FailedStep names the step for
	// step_not_performed.
	Reason     string `json:"reason,omitempty"`
	FailedStep Step   `json:"failed_step,omitempty"`
	// FailedFrame is the frame index for bad_frame and different_face.
	FailedFrame int          `json:"failed_frame"`
	Message     string       `json:"message,omitempty"`
	Steps       []StepResult `json:"steps"`
	// SameFaceMin is the lowest frame-to-anchor cosine.
	SameFaceMin float64 `json:"same_face_min"`
	// ReferenceScore is the anchor frame's cosine with the reference.
	ReferenceScore float64 `json:"reference_score"`
	MatchThreshold float64 `json:"match_threshold"`
	// Motion is the largest normalised landmark movement between frames.
	Motion float64 `json:"motion"`
	// Timed says the frames carried capture timestamps.
	Timed bool `json:"timed"`
	// WarpResidual is the largest residual, over the turn frames, left by the best 2-D
	// warp from the frontal frame (-1 when not measured); a warped still photo stays low.
	WarpResidual float64 `json:"warp_residual"`
	// SceneContinuity is the lowest background correlation between consecutive frames
	// (-1 when not measured); a sequence cut from several pictures drops at a cut.
	SceneContinuity float64 `json:"scene_continuity"`
	// ChromaShift is the largest change of the face light's colour between consecutive frames.
	ChromaShift float64 `json:"chroma_shift"`
}

func fail(r *ActiveResult, reason, msg string) *ActiveResult {
	r.Passed, r.Reason, r.Message = false, reason, msg
	return r
}

// VerifySequence checks that the observations (in capture order) show the
// steps performed in order, by one face, matching reference. It never
// panics; malformed input yields Reason "bad_request".
func VerifySequence(steps []Step, obs []Observation, reference face.Embedding, cfg ActiveConfig) *ActiveResult {
	r := &ActiveResult{FailedFrame: -1, MatchThreshold: cfg.MatchThreshold}
	var err error
	if cfg, err = cfg.withDefaults(); err != nil {
		return fail(r, ReasonBadRequest, err.Error())
	}
	if cfg.MatchThreshold <= 0 {
		cfg.MatchThreshold = face.DefaultMatchThreshold
	}
	r.MatchThreshold = cfg.MatchThreshold
	if len(steps) == 0 || len(steps) > 8 {
		return fail(r, ReasonBadRequest, fmt.Sprintf("challenge has %d steps, want 1..8", len(steps)))
	}
	for i, s := range steps {
		switch s {
		case TurnLeft, TurnRight, Blink, LookStraight, OpenMouth:
		default:
			return fail(r, ReasonBadRequest, fmt.Sprintf("step %d: unknown step %q", i, s))
		}
		r.Steps = append(r.Steps, StepResult{Step: s, Frame: -1})
	}
	if len(obs) < MinFrames || len(obs) > MaxFrames {
		return fail(r, ReasonBadRequest, fmt.Sprintf("%d frames, want %d..%d", len(obs), MinFrames, MaxFrames))
	}
	if len(reference) == 0 {
		return fail(r, ReasonBadRequest, "reference embedding is empty")
	}
	for i, o := range obs {
		if o.Reason != "" {
			r.FailedFrame = i
			return fail(r, ReasonBadFrame, fmt.Sprintf("frame %d: %s", i, o.Reason))
		}
		if len(o.Embedding) != len(reference) {
			r.FailedFrame = i
			return fail(r, ReasonBadRequest, fmt.Sprintf("frame %d: embedding dimension %d, reference %d", i, len(o.Embedding), len(reference)))
		}
	}

	r.Timed = len(obs) > 0 && obs[0].Timed
	for i, o := range obs {
		if o.Timed != r.Timed {
			r.FailedFrame = i
			return fail(r, ReasonBadRequest, "either every frame has a capture time or none has")
		}
	}
	if r.Timed {
		for i := 1; i < len(obs); i++ {
			gap := obs[i].AtMS - obs[i-1].AtMS
			if gap < cfg.MinGapMS || gap > cfg.MaxGapMS || math.IsNaN(gap) {
				r.FailedFrame = i
				return fail(r, ReasonBadTiming, fmt.Sprintf("frame %d came %.0f ms after the previous one; a camera stream gives %.0f to %.0f ms",
					i, gap, cfg.MinGapMS, cfg.MaxGapMS))
			}
		}
	} else if len(obs) < cfg.MinUntimedFrames {
		return fail(r, ReasonBadRequest, fmt.Sprintf("%d frames without capture times; send capture times or at least %d frames",
			len(obs), cfg.MinUntimedFrames))
	}

	// A still photo held up (or one frame repeated) does not move.
	r.Motion = maxMotion(obs)
	if r.Motion < cfg.MinMotion {
		return fail(r, ReasonStaticFrames, fmt.Sprintf("the face did not move between frames (motion %.4f < %.4f)", r.Motion, cfg.MinMotion))
	}

	// Same face throughout: every frame against the most frontal one.
	anchor := 0
	for i, o := range obs {
		if math.Abs(o.Pose.Yaw) < math.Abs(obs[anchor].Pose.Yaw) {
			anchor = i
		}
	}
	r.SameFaceMin = 1
	for i, o := range obs {
		s, err := face.Cosine(o.Embedding, obs[anchor].Embedding)
		if err != nil {
			r.FailedFrame = i
			return fail(r, ReasonBadRequest, fmt.Sprintf("frame %d: %v", i, err))
		}
		if s < r.SameFaceMin {
			r.SameFaceMin = s
		}
		if s < cfg.SameFaceThreshold {
			r.FailedFrame = i
			return fail(r, ReasonDifferentFace, fmt.Sprintf("frame %d shows a different face (similarity %.2f < %.2f)", i, s, cfg.SameFaceThreshold))
		}
	}

	// One capture is one scene: several photos of the victim, cut together, are not.
	r.SceneContinuity = -1
	if cfg.SceneContinuity > 0 {
		for i := 1; i < len(obs); i++ {
			c, ok := SceneContinuity(obs[i-1].Scene, obs[i].Scene)
			if !ok {
				continue
			}
			if r.SceneContinuity < 0 || c < r.SceneContinuity {
				r.SceneContinuity = round4(c)
			}
			if c < cfg.SceneContinuity {
				r.FailedFrame = i
				return fail(r, ReasonSceneCut, fmt.Sprintf("frames %d and %d show different scenes (background correlation %.2f < %.2f): pictures cut together, not one capture",
					i-1, i, c, cfg.SceneContinuity))
			}
		}
	}
	if cfg.MaxChromaShift > 0 {
		for i := 1; i < len(obs); i++ {
			d := ChromaShift(obs[i-1].Scene, obs[i].Scene)
			r.ChromaShift = math.Max(r.ChromaShift, round4(d))
			if d > cfg.MaxChromaShift {
				r.FailedFrame = i
				return fail(r, ReasonSceneCut, fmt.Sprintf("the light on the face changed colour between frames %d and %d (chromaticity %.3f > %.3f): pictures cut together, not one capture",
					i-1, i, d, cfg.MaxChromaShift))
			}
		}
	}

	// A head turn made by warping one picture: every frame is a 2-D remap of the frontal one.
	r.WarpResidual = -1
	if cfg.WarpResidual > 0 {
		res, at, measured := warpResidual(obs, anchor, cfg)
		if measured {
			r.WarpResidual = round4(res)
			if res < cfg.WarpResidual {
				r.FailedFrame = at
				return fail(r, ReasonWarpedStill, fmt.Sprintf("the head turns are 2-D warps of one picture (residual %.3f < %.3f), not a head moving in 3-D",
					res, cfg.WarpResidual))
			}
		}
	}

	// Steps, in order: each must complete after the previous one did.
	closed, open := EyeStates(obs, cfg)
	sign := 1.0 // turn_left: nose toward the image's right, Yaw > 0
	if cfg.Mirrored {
		sign = -1
	}
	next := 0
	for k, s := range steps {
		found, since := -1, -1
		switch s {
		case TurnLeft, TurnRight:
			want := sign
			if s == TurnRight {
				want = -sign
			}
			for i := next; i < len(obs) && found < 0; i++ {
				if want*obs[i].Pose.Yaw >= cfg.TurnDegrees {
					found = i
				}
			}
		case LookStraight:
			for i := next; i < len(obs) && found < 0; i++ {
				if math.Abs(obs[i].Pose.Yaw) <= cfg.StraightDegrees && !closed(obs[i]) {
					found = i
				}
			}
		case Blink:
			// open … closed … open, all within this step's window.
			found, since = neutralActiveNeutral(obs, next, open, closed)
		case OpenMouth:
			// closed … open … closed: the jaw drops and comes back.
			mouthShut := func(o Observation) bool { return o.MAR < cfg.MouthClosedBelow }
			mouthOpen := func(o Observation) bool { return o.MAR > cfg.MouthOpenAbove }
			found, since = neutralActiveNeutral(obs, next, mouthShut, mouthOpen)
		}
		if found < 0 {
			r.FailedStep = s
			return fail(r, ReasonStepNotPerformed, fmt.Sprintf("step %d (%s) was not performed after frame %d", k, s, next-1))
		}
		// A blink or a dropped jaw lasts a moment; held for seconds it is two pictures
		// swapped, not a face moving.
		if NonRigid(s) && r.Timed && obs[found].AtMS-obs[since].AtMS > cfg.MaxClosedMS {
			r.FailedStep, r.FailedFrame = s, found
			return fail(r, ReasonBadTiming, fmt.Sprintf("step %d (%s) lasted %.0f ms; a real one lasts under %.0f ms",
				k, s, obs[found].AtMS-obs[since].AtMS, cfg.MaxClosedMS))
		}
		r.Steps[k].Frame = found
		next = found + 1
	}

	ref, err := face.Cosine(obs[anchor].Embedding, reference)
	if err != nil {
		return fail(r, ReasonBadRequest, err.Error())
	}
	r.ReferenceScore = ref
	if ref < cfg.MatchThreshold {
		r.FailedFrame = anchor
		return fail(r, ReasonReferenceMismatch, fmt.Sprintf("the face does not match the reference (%.2f < %.2f)", ref, cfg.MatchThreshold))
	}
	r.Passed = true
	return r
}

// maxMotion is the largest mean landmark displacement between any two frames.
func maxMotion(obs []Observation) float64 {
	var best float64
	for i := range obs {
		for j := i + 1; j < len(obs); j++ {
			a, b := obs[i].Landmarks, obs[j].Landmarks
			if len(a) == 0 || len(a) != len(b) {
				continue
			}
			var d float64
			for k := range a {
				d += math.Hypot(a[k].X-b[k].X, a[k].Y-b[k].Y)
			}
			best = math.Max(best, d/float64(len(a)))
		}
	}
	return best
}

// EyeStates returns how a capture's frames read as eyes closed and eyes open. The eye model
// (the mean of the eyes it can read) and the eyelids' landmarks both count: closed when the
// model reads under ClosedBelow or the eye aspect ratio drops under EARClosedRatio × its
// median over the capture; open when the model reads over OpenAbove and the ratio has not
// dropped.
//
// An eye the model reads closed through most of the capture (its median under OpenAbove) is
// an eye it cannot read, not one that stayed shut — a capture is open eyes but for a blink —
// and it is left out: on a real webcam recording the model read one eye of an open-eyed man
// at 0.00–0.2 in 44 of 53 frames and the other at 0.8–1.0, so their mean sat at 0.5, never
// "open", and no blink of his could be seen (docs/benchmarks/face.md, "Real recordings").
// When neither eye can be read, the landmarks decide alone. That is no weaker against a
// still photo than before: a drop of the ratio already counted as closed whatever the model
// read, and a photo's open eyes were read open. cfg's three thresholds must be set
// (VerifySequence fills in the defaults before it calls this).
func EyeStates(obs []Observation, cfg ActiveConfig) (closed, open func(Observation) bool) {
	medEAR := medianEAR(obs)
	var use []int
	for e := range 2 {
		var v []float64
		for _, o := range obs {
			if o.Reason == "" {
				v = append(v, o.eyes()[e])
			}
		}
		if len(v) > 0 {
			sort.Float64s(v)
			if v[len(v)/2] >= cfg.OpenAbove {
				use = append(use, e)
			}
		}
	}
	model := func(o Observation) (float64, bool) {
		if len(use) == 0 {
			return 0, false
		}
		var sum float64
		for _, e := range use {
			sum += o.eyes()[e]
		}
		return sum / float64(len(use)), true
	}
	dropped := func(o Observation) bool { return medEAR > 0 && o.EAR < cfg.EARClosedRatio*medEAR }
	closed = func(o Observation) bool {
		p, ok := model(o)
		return (ok && p < cfg.ClosedBelow) || dropped(o)
	}
	open = func(o Observation) bool {
		p, ok := model(o)
		return (!ok || p > cfg.OpenAbove) && !dropped(o)
	}
	return closed, open
}

// eyes is the eye model's reading of each eye (EyesOpen for both when only the mean was kept).
func (o Observation) eyes() [2]float64 {
	if o.Eyes == ([2]float64{}) {
		return [2]float64{o.EyesOpen, o.EyesOpen}
	}
	return o.Eyes
}

func medianEAR(obs []Observation) float64 {
	var v []float64
	for _, o := range obs {
		if o.EAR > 0 {
			v = append(v, o.EAR)
		}
	}
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

// neutralActiveNeutral finds, from frame from on, a neutral frame, then an active one, then a
// neutral one again; it returns the frame that completed it and the first active frame, or
// −1, −1.
func neutralActiveNeutral(obs []Observation, from int, neutral, active func(Observation) bool) (found, since int) {
	sawNeutral := false
	since = -1
	for i := from; i < len(obs); i++ {
		switch {
		case !sawNeutral:
			sawNeutral = neutral(obs[i])
		case since < 0:
			if active(obs[i]) {
				since = i
			}
		case neutral(obs[i]):
			return i, since
		}
	}
	return -1, -1
}

func round4(v float64) float64 { return math.Round(v*10000) / 10000 }
