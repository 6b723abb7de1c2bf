//go:build !onnx

package face

import (
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
)

// Engine is unavailable in a build without the "onnx" tag; New says so.
type Engine struct{}

// New always returns onnx.ErrNotAvailable ("face engine not available in this build").
func New(cfg Config) (*Engine, error) {
	if _, err := cfg.withDefaults(); err != nil {
		return nil, err
	}
	return nil, onnx.ErrNotAvailable
}

// Close does nothing.
func (e *Engine) Close() error { return nil }

// Threshold is the configured match threshold.
func (e *Engine) Threshold() float64 { return DefaultMatchThreshold }

// EmbeddingModel is empty in this build.
func (e *Engine) EmbeddingModel() onnx.ModelInfo { return onnx.ModelInfo{} }

// CrossCheckModel is empty in this build.
func (e *Engine) CrossCheckModel() onnx.ModelInfo { return onnx.ModelInfo{} }

// Models is empty in this build.
func (e *Engine) Models() []onnx.ModelInfo { return nil }

// RuntimeVersion is empty in this build.
func (e *Engine) RuntimeVersion() string { return "" }

// Config is the zero Config in this build.
func (e *Engine) Config() Config { return Config{} }

// Detect fails with onnx.ErrNotAvailable.
func (e *Engine) Detect(*imaging.RGB) ([]Box, error) { return nil, onnx.ErrNotAvailable }

// Landmarks fails with onnx.ErrNotAvailable.
func (e *Engine) Landmarks(*imaging.RGB, Box) (Landmarks, error) {
	return Landmarks{}, onnx.ErrNotAvailable
}

// Embed fails with onnx.ErrNotAvailable.
func (e *Engine) Embed(*imaging.RGB, *Landmarks) (Embedding, error) { return nil, onnx.ErrNotAvailable }

// Liveness fails with onnx.ErrNotAvailable.
func (e *Engine) Liveness(*imaging.RGB, Box) (float64, error) { return 0, onnx.ErrNotAvailable }

// Age fails with onnx.ErrNotAvailable.
func (e *Engine) Age(*imaging.RGB, Box) (float64, error) { return 0, onnx.ErrNotAvailable }

// EyesOpen fails with onnx.ErrNotAvailable.
func (e *Engine) EyesOpen(*imaging.RGB, *Landmarks) ([2]float64, error) {
	return [2]float64{}, onnx.ErrNotAvailable
}

// HeadPose fails with onnx.ErrNotAvailable.
func (e *Engine) HeadPose(*imaging.RGB, Box) (Pose, error) { return Pose{}, onnx.ErrNotAvailable }

// AnalyzeBytes fails with onnx.ErrNotAvailable.
func (e *Engine) AnalyzeBytes([]byte, Kind, Want) (*Analysis, error) {
	return nil, onnx.ErrNotAvailable
}

// Analyze fails with onnx.ErrNotAvailable.
func (e *Engine) Analyze(*imaging.RGB, Kind, Want) (*Analysis, error) {
	return nil, onnx.ErrNotAvailable
}

// Match fails with onnx.ErrNotAvailable.
func (e *Engine) Match(selfie, document []byte) (*MatchResult, error) {
	return nil, onnx.ErrNotAvailable
}

// MatchAnalyses fails with onnx.ErrNotAvailable.
func (e *Engine) MatchAnalyses(selfie, document *Analysis) (*MatchResult, error) {
	return nil, onnx.ErrNotAvailable
}
