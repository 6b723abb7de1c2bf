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
)

// AllSteps lists every challenge step.
var AllSteps = []Step{TurnLeft, TurnRight, Blink, LookStraight}

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
)

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
	// the most frontal frame (default 0.30, below the match threshold because
	// turned faces embed less similarly).
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
	def(&c.SameFaceThreshold, 0.30)
	def(&c.MinMotion, 0.01)
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
	// EAR is the mean eye aspect ratio from the landmarks.
	EAR float64
	// Landmarks, normalised to the face box (0..1), for the motion check.
	Landmarks []face.Point
	// Embedding of the face in this frame.
	Embedding face.Embedding
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
		case TurnLeft, TurnRight, Blink, LookStraight:
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

	// Steps, in order: each must complete after the previous one did.
	medEAR := medianEAR(obs)
	closed := func(o Observation) bool {
		return o.EyesOpen < cfg.ClosedBelow || (medEAR > 0 && o.EAR < cfg.EARClosedRatio*medEAR)
	}
	open := func(o Observation) bool {
		return o.EyesOpen > cfg.OpenAbove && !(medEAR > 0 && o.EAR < cfg.EARClosedRatio*medEAR)
	}
	sign := 1.0 // turn_left: nose toward the image's right, Yaw > 0
	if cfg.Mirrored {
		sign = -1
	}
	next := 0
	for k, s := range steps {
		found := -1
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
			sawOpen, sawClosed := false, false
			for i := next; i < len(obs) && found < 0; i++ {
				switch {
				case !sawOpen:
					sawOpen = open(obs[i])
				case !sawClosed:
					sawClosed = closed(obs[i])
				case open(obs[i]):
					found = i
				}
			}
		}
		if found < 0 {
			r.FailedStep = s
			return fail(r, ReasonStepNotPerformed, fmt.Sprintf("step %d (%s) was not performed after frame %d", k, s, next-1))
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
