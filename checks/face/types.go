package face

import (
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
)

// Box is a face rectangle in image pixels with the detector's score.
type Box struct {
	X1    float64 `json:"x1"`
	Y1    float64 `json:"y1"`
	X2    float64 `json:"x2"`
	Y2    float64 `json:"y2"`
	Score float64 `json:"score"`
}

// W is the box width.
func (b Box) W() float64 { return b.X2 - b.X1 }

// H is the box height.
func (b Box) H() float64 { return b.Y2 - b.Y1 }

// Side is the larger of width and height: the "face size" the gate uses.
func (b Box) Side() float64 { return max(b.W(), b.H()) }

// Landmarks are the 68 iBUG points (0–16 jaw, 17–26 brows, 27–35 nose,
// 36–41 and 42–47 the eyes as seen left to right in the image, 48–67 mouth).
type Landmarks [68]imaging.Point

// Pose is head orientation in degrees. Yaw > 0: the nose points to the
// image's right (in an unmirrored photo the person turned to their own left);
// Pitch > 0: looking down; Roll > 0: head tilted clockwise in the image.
type Pose struct {
	Yaw   float64 `json:"yaw"`
	Pitch float64 `json:"pitch"`
	Roll  float64 `json:"roll"`
}

// Face is everything measured about one face. Optional parts are nil/zero
// when the caller did not ask for them or the quality gate stopped early.
type Face struct {
	Box       Box       `json:"box"`
	Landmarks Landmarks `json:"-"`
	// LandmarkPose is head pose from landmark geometry (cheap, rough).
	LandmarkPose Pose `json:"landmark_pose"`
	// ModelPose is head pose from the fr_pose model (Hopenet-style), when requested.
	ModelPose *Pose `json:"model_pose,omitempty"`
	// Embedding is the L2-normalised identity vector, when requested.
	Embedding Embedding `json:"-"`
	// CrossCheck is the cross-check model's vector (Config.CrossCheck), made
	// with Embedding unless the cross-check is off.
	CrossCheck Embedding `json:"-"`
	// Liveness is the passive liveness model's probability of a live face.
	Liveness *float64 `json:"liveness,omitempty"`
	// Age is the age model's estimate in years.
	Age *float64 `json:"age,omitempty"`
	// EyesOpen is the eye model's probability that each eye (image left, image right) is open.
	EyesOpen *[2]float64 `json:"eyes_open,omitempty"`
}

// Analysis is the result of analysing one photo.
type Analysis struct {
	// Width and Height are of the upright (EXIF-oriented) image.
	Width  int `json:"width"`
	Height int `json:"height"`
	// Detections are all faces found, best first.
	Detections []Box `json:"detections"`
	// Quality is the gate's verdict on the best face.
	Quality Quality `json:"quality"`
	// Face is the best face; nil when no face was found.
	Face *Face `json:"face,omitempty"`
	// Models lists the model files used, for reproducibility.
	Models []onnx.ModelInfo `json:"models"`
}

// Want selects what Analyze computes beyond detection, landmarks and quality.
type Want struct {
	Embedding bool
	// CrossCheck adds the cross-check model's vector to Embedding's (when it is
	// on): for faces that will be matched, not for liveness frames.
	CrossCheck bool
	Liveness   bool
	Age        bool
	Eyes       bool
	ModelPose  bool
	// IgnoreQuality computes the requested parts even when the gate fails
	// (benchmarks, active-liveness frames that are turned on purpose).
	IgnoreQuality bool
}

// Kind selects the quality policy.
type Kind int

// Photo kinds.
const (
	// KindSelfie is a live capture: strict gate.
	KindSelfie Kind = iota
	// KindDocument is a portrait on an ID document: small, grey, compressed.
	KindDocument
)

// MatchResult is the verdict of a 1:1 comparison.
type MatchResult struct {
	// Match is true when both faces passed their gates, Score ≥ Threshold and the
	// cross-check (when on) agrees: CrossCheckScore ≥ its threshold.
	Match     bool    `json:"match"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	// CrossCheckScore is the cross-check model's cosine (nil when it is off).
	CrossCheckScore *float64 `json:"cross_check_score,omitempty"`
	// Reason is empty on a scored comparison, else "<side>:<quality reason>"
	// such as "selfie:too_blurry" saying which photo to retake.
	Reason   string           `json:"reason,omitempty"`
	Message  string           `json:"message,omitempty"`
	Selfie   Quality          `json:"selfie_quality"`
	Document Quality          `json:"document_quality"`
	Model    onnx.ModelInfo   `json:"model"`
	Models   []onnx.ModelInfo `json:"models"`
}

// Point is a 2-D point in pixels (re-exported so callers need not import imaging).
type Point = imaging.Point
