package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/onnx"
	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/verify"
)

// BiometricSettings configure the face engine and the biometric checks.
type BiometricSettings struct {
	// Mode is auto (use the engine when it starts), on (it must start) or off.
	Mode           string
	LibraryPath    string
	ModelsDir      string
	EmbeddingModel string
	Threads        int
	MatchThreshold float64
	// MatchRejectThreshold and ReverifyMatchThreshold: 0 = derived (verify/biometrics_thresholds.go).
	MatchRejectThreshold   float64
	ReverifyMatchThreshold float64
	DuplicateThreshold     float64
	// CrossCheckThreshold: 0 = the calibrated default, -1 = no cross-check.
	CrossCheckThreshold float64
	LivenessThreshold   float64
	RequireActive       bool
	Steps               string
	ChallengeTTL        time.Duration
	MaxChallenges       int
	DefaultMinAge       int
}

// check validates what can be checked without loading the engine.
func (b *BiometricSettings) check(only []string) error {
	if len(only) > 0 && !contains(only, "biometrics") {
		return nil
	}
	switch b.Mode {
	case "auto", "on", "off":
	default:
		return fmt.Errorf("biometrics: %q is not auto, on or off", b.Mode)
	}
	if _, err := b.steps(); err != nil {
		return err
	}
	return nil
}

func (b *BiometricSettings) steps() ([]liveness.Step, error) {
	var out []liveness.Step
	for _, s := range strings.Split(b.Steps, ",") {
		switch st := liveness.Step(strings.TrimSpace(s)); {
		case slices.Contains(liveness.AllSteps, st):
			out = append(out, st)
		case st == "":
		default:
			return nil, fmt.Errorf("liveness-steps: unknown step %q (known: turn_left, turn_right, blink, look_straight, open_mouth)", s)
		}
	}
	if len(out) > 0 && (!slices.ContainsFunc(out, liveness.IsTurn) || !slices.ContainsFunc(out, liveness.NonRigid)) {
		return nil, fmt.Errorf("liveness-steps: %q needs a head turn (turn_left, turn_right) and a blink or open_mouth, which a warped still photo cannot show", b.Steps)
	}
	if b.MaxChallenges < 0 || b.MaxChallenges > 20 {
		return nil, fmt.Errorf("liveness-max-challenges: %d outside 1..20", b.MaxChallenges)
	}
	return out, nil
}

// startBiometrics loads the face engine and wraps it for the pipeline and the tools. In
// mode auto an engine that cannot start (a build without -tags onnx, models not installed)
// is logged and left out, so its checks are refused at creation instead of faked.
func startBiometrics(ctx context.Context, s BiometricSettings, store *db.Store, logger *slog.Logger) (*verify.Biometrics, error) {
	if s.Mode == "off" {
		return nil, nil
	}
	eng, err := face.New(face.Config{LibraryPath: s.LibraryPath, ModelsDir: s.ModelsDir, EmbeddingModelPath: s.EmbeddingModel,
		Threads: s.Threads, MatchThreshold: s.MatchThreshold, CrossCheckThreshold: s.CrossCheckThreshold, NoCrossCheck: s.CrossCheckThreshold == -1})
	if err != nil {
		if s.Mode == "auto" {
			msg := "face_match, liveness and age checks unavailable"
			if errors.Is(err, onnx.ErrNotAvailable) {
				logger.Info(msg, "reason", err)
			} else {
				logger.Warn(msg, "reason", err)
			}
			return nil, nil
		}
		return nil, fmt.Errorf("biometrics: %w", err)
	}
	steps, err := s.steps()
	if err != nil {
		_ = eng.Close()
		return nil, err
	}
	b, err := verify.NewBiometrics(store, eng, verify.BiometricsConfig{
		Liveness: liveness.Config{PassiveThreshold: s.LivenessThreshold}, DuplicateThreshold: s.DuplicateThreshold,
		RequireActive: s.RequireActive, ChallengeSteps: steps, ChallengeTTL: s.ChallengeTTL, DefaultMinAge: s.DefaultMinAge,
		MaxChallenges: s.MaxChallenges, MatchRejectThreshold: s.MatchRejectThreshold, ReverifyMatchThreshold: s.ReverifyMatchThreshold,
	}, logger)
	if err != nil {
		_ = eng.Close()
		return nil, err
	}
	if _, err := b.LoadEnrollments(ctx); err != nil {
		_ = eng.Close()
		return nil, fmt.Errorf("load enrolled faces: %w", err)
	}
	logger.Info("face engine ready", "runtime", eng.RuntimeVersion(), "embedding_model", eng.EmbeddingModel().Name,
		"match_threshold", eng.Threshold(), "cross_check", eng.CrossCheckModel().Name, "cross_check_threshold", eng.Config().CrossCheckThreshold)
	return b, nil
}
