package face

import (
	"fmt"
	"path/filepath"

	"github.com/kycd/kycd/checks/face/onnx"
)

// ModelSource names the package the default models come from.
const ModelSource = "npm:faceplugin-face-recognition-js@0.0.1"

// DefaultMatchThreshold is the cosine similarity at or above which two
// aligned, flip-averaged fr_feature embeddings are called the same person.
// Calibrated on the shared face_recognition photos (docs/benchmarks/face.md):
// it sits between the highest different-person score and the lowest
// same-person score, including document-like degraded portraits.
const DefaultMatchThreshold = 0.40

// Config says where the runtime and models are and how strict to be.
// Zero values take the documented defaults.
type Config struct {
	// LibraryPath is libonnxruntime.so; default under the cache dir.
	LibraryPath string
	// ModelsDir holds fr_detect.onnx, fr_landmark.onnx, ...; default
	// ${KYCD_CACHE_DIR}/models/faceplugin-0.0.1.
	ModelsDir string
	// Threads is the intra-op thread count per inference (default 1).
	Threads int

	// EmbeddingModelPath overrides the embedding model (the "slot"): any
	// ArcFace-style ONNX with a 1×3×112×112 input and a 512-d output.
	EmbeddingModelPath string
	// EmbeddingModelName is recorded in results (default "fr_feature").
	EmbeddingModelName string
	// EmbeddingChannels is the embedding model's input channel order, "rgb"
	// or "bgr". Default "bgr" for the bundled fr_feature (measured: higher
	// same-person scores than RGB) and "rgb" for a configured model, which is
	// what InsightFace-style exports expect.
	EmbeddingChannels string
	// EmbeddingOptimization is the graph optimization level for the embedding
	// model; the zero value means onnx.OptimizeExtended, measured fastest for
	// fr_feature (a MobileFaceNet).
	EmbeddingOptimization onnx.Optimization
	// MatchThreshold is the cosine cut-off for a match (default
	// DefaultMatchThreshold; set your own when you change the model).
	MatchThreshold float64
	// FlipAverage adds the mirrored face's embedding before normalising.
	// Default on (nil): it raised same-person scores in our measurement.
	FlipAverage *bool

	// DetectThreshold is the detector score for a face (default 0.7).
	DetectThreshold float64

	// Selfie and Document are the quality gates for each kind of photo.
	Selfie   QualityPolicy
	Document QualityPolicy
}

// Model file base names inside ModelsDir.
const (
	ModelDetect   = "fr_detect"
	ModelLandmark = "fr_landmark"
	ModelFeature  = "fr_feature"
	ModelLiveness = "fr_liveness"
	ModelAge      = "fr_age"
	ModelEye      = "fr_eye"
	ModelPose     = "fr_pose"
)

// withDefaults fills zero fields and validates the rest.
func (c Config) withDefaults() (Config, error) {
	if c.ModelsDir == "" {
		c.ModelsDir = filepath.Join(onnx.CacheDir(), "models", "faceplugin-0.0.1")
	}
	if c.LibraryPath == "" {
		c.LibraryPath = onnx.DefaultLibraryPath()
	}
	if c.Threads < 0 {
		return c, fmt.Errorf("face config: threads %d is negative", c.Threads)
	}
	if c.EmbeddingModelPath == "" {
		c.EmbeddingModelPath = filepath.Join(c.ModelsDir, ModelFeature+".onnx")
		if c.EmbeddingModelName == "" {
			c.EmbeddingModelName = ModelFeature
		}
	}
	if c.EmbeddingModelName == "" {
		c.EmbeddingModelName = filepath.Base(c.EmbeddingModelPath)
	}
	if c.EmbeddingChannels == "" {
		c.EmbeddingChannels = "rgb"
		if c.EmbeddingModelPath == filepath.Join(c.ModelsDir, ModelFeature+".onnx") {
			c.EmbeddingChannels = "bgr"
		}
	}
	if c.EmbeddingChannels != "rgb" && c.EmbeddingChannels != "bgr" {
		return c, fmt.Errorf("face config: embedding channels %q, want rgb or bgr", c.EmbeddingChannels)
	}
	if c.EmbeddingOptimization == onnx.OptimizeAll {
		c.EmbeddingOptimization = onnx.OptimizeExtended
	}
	if c.MatchThreshold == 0 {
		c.MatchThreshold = DefaultMatchThreshold
	}
	if c.MatchThreshold < -1 || c.MatchThreshold > 1 {
		return c, fmt.Errorf("face config: match threshold %v outside [-1, 1]", c.MatchThreshold)
	}
	if c.FlipAverage == nil {
		t := true
		c.FlipAverage = &t
	}
	if c.DetectThreshold == 0 {
		c.DetectThreshold = 0.7
	}
	if c.DetectThreshold <= 0 || c.DetectThreshold >= 1 {
		return c, fmt.Errorf("face config: detect threshold %v outside (0, 1)", c.DetectThreshold)
	}
	var err error
	if c.Selfie, err = c.Selfie.withDefaults(DefaultSelfiePolicy()); err != nil {
		return c, fmt.Errorf("face config: selfie policy: %w", err)
	}
	if c.Document, err = c.Document.withDefaults(DefaultDocumentPolicy()); err != nil {
		return c, fmt.Errorf("face config: document policy: %w", err)
	}
	return c, nil
}
