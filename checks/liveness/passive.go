package liveness

import (
	"errors"
	"fmt"
	"math"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/onnx"
)

// DefaultPassiveThreshold is the live-probability cut-off. Calibrated on the
// only labelled samples available (Silent-Face: real 0.96, spoofs 0.000 and
// 0.002; the 15 real face_recognition photos score ≥ 0.98), so it is a
// midpoint, not a measured operating point.
const DefaultPassiveThreshold = 0.5

// Config tunes the liveness checks; zero values take defaults.
type Config struct {
	// PassiveThreshold: Live when the score is ≥ this (default 0.5).
	PassiveThreshold float64
	// Active tunes challenge verification.
	Active ActiveConfig
	// PeriodicityThreshold: the spectral-peak cue marks a print or a screen at or above
	// this (default DefaultPeriodicityThreshold).
	PeriodicityThreshold float64
}

// Checker runs liveness checks with a shared face engine.
type Checker struct {
	eng *face.Engine
	cfg Config
}

// New wraps an engine (created once and shared with the other checks).
func New(eng *face.Engine, cfg Config) (*Checker, error) {
	if eng == nil {
		return nil, errors.New("liveness: nil face engine")
	}
	if cfg.PassiveThreshold == 0 {
		cfg.PassiveThreshold = DefaultPassiveThreshold
	}
	if cfg.PassiveThreshold <= 0 || cfg.PassiveThreshold >= 1 || math.IsNaN(cfg.PassiveThreshold) {
		return nil, fmt.Errorf("liveness: passive threshold %v outside (0, 1)", cfg.PassiveThreshold)
	}
	var err error
	if cfg.Active, err = cfg.Active.withDefaults(); err != nil {
		return nil, fmt.Errorf("liveness: %w", err)
	}
	if cfg.Active.MatchThreshold == 0 {
		cfg.Active.MatchThreshold = eng.Threshold()
	}
	return &Checker{eng: eng, cfg: cfg}, nil
}

// PassiveResult is the verdict on one selfie.
type PassiveResult struct {
	Live      bool    `json:"live"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	// Reason/Message come from the quality gate when the photo was unusable.
	Reason  string         `json:"reason,omitempty"`
	Message string         `json:"message,omitempty"`
	Quality face.Quality   `json:"quality"`
	Model   onnx.ModelInfo `json:"model"`
}

// Passive scores one selfie (JPEG/PNG/WebP bytes).
func (c *Checker) Passive(photo []byte) (*PassiveResult, error) {
	a, err := c.eng.AnalyzeBytes(photo, face.KindSelfie, face.Want{Liveness: true})
	if err != nil {
		return nil, fmt.Errorf("liveness: %w", err)
	}
	r := &PassiveResult{Threshold: c.cfg.PassiveThreshold, Quality: a.Quality}
	for _, m := range a.Models {
		if m.Name == face.ModelLiveness {
			r.Model = m
		}
	}
	if !a.Quality.OK || a.Face == nil || a.Face.Liveness == nil {
		r.Reason, r.Message = a.Quality.Reason, a.Quality.Message
		return r, nil
	}
	r.Score = *a.Face.Liveness
	r.Live = r.Score >= r.Threshold
	return r, nil
}
