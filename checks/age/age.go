package age

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
)

// Decision is the soft outcome of an age check.
type Decision string

// Decisions.
const (
	Pass   Decision = "pass"
	Fail   Decision = "fail"
	Review Decision = "review"
)

// Margins around the minimum age: an estimate passes at minAge+PassMargin
// or more and fails at minAge−FailMargin or less; the band between is review.
const (
	PassMargin = 3.0
	FailMargin = 2.0
)

// Decide maps an estimate to pass (≥ minAge+3), fail (≤ minAge−2) or review.
// A non-finite estimate is review: there is nothing to decide on.
func Decide(estimate float64, minAge int) Decision {
	if math.IsNaN(estimate) || math.IsInf(estimate, 0) {
		return Review
	}
	switch {
	case estimate >= float64(minAge)+PassMargin:
		return Pass
	case estimate <= float64(minAge)-FailMargin:
		return Fail
	}
	return Review
}

// Result is an age check on one photo.
type Result struct {
	Decision Decision `json:"decision"`
	// Estimate is the model's age in years; 0 when no usable face was found.
	Estimate float64 `json:"estimate"`
	// Interval is the estimate with its uncertainty; the decision is made on it.
	Interval *Estimate `json:"interval,omitempty"`
	MinAge   int       `json:"min_age"`
	// Reason/Message come from the quality gate when the photo was unusable;
	// Decision is then Review.
	Reason  string         `json:"reason,omitempty"`
	Message string         `json:"message,omitempty"`
	Quality face.Quality   `json:"quality"`
	Model   onnx.ModelInfo `json:"model"`
}

// Estimator runs age checks with a shared face engine: the engine's fr_age and, as a second
// opinion, FaceRes's age head (SecondOpinion), each over the same normalised views.
type Estimator struct {
	eng    *face.Engine
	rt     *onnx.Runtime
	second *Model
}

// SecondOpinion is the age model run beside fr_age. It was as steady as fr_age across
// resolutions and steadier across photos of one person (docs/benchmarks/face-decisions.md,
// "Age"), and on the ten dated photos its error was the lower (MAE 4.2 vs 8.1 years,
// measured after it was chosen); ten photos rank nothing for sure, so neither decides alone.
var SecondOpinion = FaceResAge

// New wraps an engine (created once and shared with the other checks) and loads the
// second-opinion model from the engine's human-models directory on the engine's ONNX
// Runtime library. A missing model file is an error naming it; in a build without ONNX
// there is nothing to load (every check fails with the engine's error).
func New(eng *face.Engine) (*Estimator, error) {
	if eng == nil {
		return nil, errors.New("age: nil face engine")
	}
	cfg := eng.Config()
	rt, err := onnx.Open(onnx.Options{LibraryPath: cfg.LibraryPath, Threads: cfg.Threads})
	if errors.Is(err, onnx.ErrNotAvailable) {
		return &Estimator{eng: eng}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("age: %w", err)
	}
	dir := cfg.HumanModelsDir
	if dir == "" { // an engine not made by face.New (tests)
		dir = filepath.Join(onnx.CacheDir(), "models", "human-models-3.0.4")
	}
	m, err := LoadModel(rt, dir, SecondOpinion)
	if err != nil {
		_ = rt.Close()
		return nil, fmt.Errorf("age: %w", err)
	}
	return &Estimator{eng: eng, rt: rt, second: m}, nil
}

// Close frees the second-opinion model (the engine is the caller's to close).
func (e *Estimator) Close() error {
	if e.second == nil {
		return nil
	}
	err := errors.Join(e.second.Close(), e.rt.Close())
	e.second, e.rt = nil, nil
	return err
}

// Check estimates the age of the person in photo and decides against minAge.
func (e *Estimator) Check(photo []byte, minAge int) (*Result, error) {
	if minAge < 0 || minAge > 130 {
		return nil, fmt.Errorf("age: min_age %d outside 0..130", minAge)
	}
	img, err := imaging.Decode(photo)
	if err != nil {
		return nil, fmt.Errorf("age: %w", err)
	}
	a, err := e.eng.Analyze(img, face.KindSelfie, face.Want{})
	if err != nil {
		return nil, fmt.Errorf("age: %w", err)
	}
	r := &Result{MinAge: minAge, Quality: a.Quality, Decision: Review, Model: e.Model()}
	if !a.Quality.OK || a.Face == nil {
		r.Reason, r.Message = a.Quality.Reason, a.Quality.Message
		return r, nil
	}
	est, err := e.EstimateFace(img, &a.Face.Landmarks)
	if err != nil {
		return nil, err
	}
	r.Estimate, r.Interval = est.Years, &est
	r.Decision = DecideInterval(est, minAge)
	return r, nil
}
