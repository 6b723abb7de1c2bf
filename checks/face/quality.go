package face

import (
	"errors"
	"fmt"
	"math"
)

// Reason codes of the quality gate: each tells the applicant what to fix.
const (
	ReasonNoFace        = "no_face"
	ReasonMultipleFaces = "multiple_faces"
	ReasonFaceTooSmall  = "face_too_small"
	ReasonTooDark       = "too_dark"
	ReasonTooBright     = "too_bright"
	ReasonTooBlurry     = "too_blurry"
	ReasonNotFrontal    = "face_not_frontal"
)

// AllReasons lists every reason code of the quality gate.
var AllReasons = []string{ReasonNoFace, ReasonMultipleFaces, ReasonFaceTooSmall, ReasonTooDark,
	ReasonTooBright, ReasonTooBlurry, ReasonNotFrontal}

// Quality is the gate's verdict plus the measurements behind it.
type Quality struct {
	OK      bool   `json:"ok"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Faces is how many faces counted toward multiple_faces.
	Faces int `json:"faces"`
	// FaceSize is the face box side in pixels.
	FaceSize float64 `json:"face_size"`
	// Brightness is the mean luma of the face box, 0..255.
	Brightness float64 `json:"brightness"`
	// Sharpness is the variance of the Laplacian of the face resized to 112×112.
	Sharpness float64 `json:"sharpness"`
	// Pose is the landmark-geometry head pose.
	Pose Pose `json:"pose"`
}

// QualityPolicy holds the gate's limits; zero fields take the defaults of
// the photo kind.
type QualityPolicy struct {
	MinFaceSize   float64 `json:"min_face_size"`
	MinBrightness float64 `json:"min_brightness"`
	MaxBrightness float64 `json:"max_brightness"`
	MinSharpness  float64 `json:"min_sharpness"`
	MaxYaw        float64 `json:"max_yaw"`
	MaxPitch      float64 `json:"max_pitch"`
	// SecondFaceRatio: another face whose side is at least this fraction of
	// the best face's side makes the photo "multiple_faces"; smaller faces
	// (a ghost portrait on an ID card, a poster behind) are ignored.
	// Negative disables the check.
	SecondFaceRatio float64 `json:"second_face_ratio"`
	// SecondFaceMinScore: another face counts only when the detector is at least this sure
	// of it. A second person in the frame scores ≥ 0.99; an out-of-focus face in the crowd
	// behind scored 0.84 and refused a usable selfie (docs/benchmarks/face-decisions.md).
	SecondFaceMinScore float64 `json:"second_face_min_score"`
}

// GeometryYawGain is how much the landmark-geometry yaw overstates the head's turn: a
// least-squares fit against the pose model (fr_pose) over the 80 shared face photos gave
// 1.48 (docs/benchmarks/face-decisions.md). The yaw limits below are in geometry degrees.
const GeometryYawGain = 1.48

// DefaultSelfiePolicy is strict: a live capture can always be retaken. Its yaw limit, 40
// geometry degrees, is about 27° of real turn (GeometryYawGain): the former 30 (about 20°
// real) refused a usable three-quarter selfie that still matched its person at 0.71.
func DefaultSelfiePolicy() QualityPolicy {
	return QualityPolicy{MinFaceSize: 80, MinBrightness: 50, MaxBrightness: 225, MinSharpness: 20,
		MaxYaw: 40, MaxPitch: 30, SecondFaceRatio: 0.5, SecondFaceMinScore: 0.9}
}

// DefaultDocumentPolicy accepts small, grey, JPEG-compressed portraits; ID
// cards often carry a smaller ghost portrait, so only a second face nearly as
// large as the main one counts.
func DefaultDocumentPolicy() QualityPolicy {
	return QualityPolicy{MinFaceSize: 40, MinBrightness: 35, MaxBrightness: 235, MinSharpness: 5,
		MaxYaw: 35, MaxPitch: 35, SecondFaceRatio: 0.9, SecondFaceMinScore: 0.9}
}

func (p QualityPolicy) withDefaults(d QualityPolicy) (QualityPolicy, error) {
	fill := func(v *float64, def float64) {
		if *v == 0 {
			*v = def
		}
	}
	fill(&p.MinFaceSize, d.MinFaceSize)
	fill(&p.MinBrightness, d.MinBrightness)
	fill(&p.MaxBrightness, d.MaxBrightness)
	fill(&p.MinSharpness, d.MinSharpness)
	fill(&p.MaxYaw, d.MaxYaw)
	fill(&p.MaxPitch, d.MaxPitch)
	fill(&p.SecondFaceRatio, d.SecondFaceRatio)
	fill(&p.SecondFaceMinScore, d.SecondFaceMinScore)
	if p.SecondFaceMinScore > 1 || math.IsNaN(p.SecondFaceMinScore) {
		return p, fmt.Errorf("second_face_min_score %v above 1", p.SecondFaceMinScore)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"min_face_size", p.MinFaceSize}, {"min_brightness", p.MinBrightness}, {"max_brightness", p.MaxBrightness},
		{"min_sharpness", p.MinSharpness}, {"max_yaw", p.MaxYaw}, {"max_pitch", p.MaxPitch}} {
		if f.v < 0 || math.IsNaN(f.v) {
			return p, fmt.Errorf("%s %v is negative", f.name, f.v)
		}
	}
	if p.MinBrightness >= p.MaxBrightness {
		return p, errors.New("min_brightness must be below max_brightness")
	}
	return p, nil
}

// Measurements are what the gate judges; the engine fills them.
type Measurements struct {
	// Boxes are all detections, best first.
	Boxes      []Box
	Brightness float64
	Sharpness  float64
	Pose       Pose
}

// Judge applies the policy. The checks run in the order an applicant can act
// on them: find a face, be alone, come closer, fix the light, hold still,
// look at the camera.
func (p QualityPolicy) Judge(m Measurements) Quality {
	q := Quality{Brightness: m.Brightness, Sharpness: m.Sharpness, Pose: m.Pose}
	if len(m.Boxes) == 0 {
		q.Reason, q.Message = ReasonNoFace, "No face was found. Make sure your whole face is in the frame and well lit."
		return q
	}
	best := m.Boxes[0]
	q.FaceSize = best.Side()
	q.Faces = 1
	if p.SecondFaceRatio >= 0 {
		for _, b := range m.Boxes[1:] {
			if b.Side() >= p.SecondFaceRatio*best.Side() && b.Score >= p.SecondFaceMinScore {
				q.Faces++
			}
		}
	}
	switch {
	case q.Faces > 1:
		q.Reason, q.Message = ReasonMultipleFaces, fmt.Sprintf("%d faces are in the photo. Only you should be in the frame.", q.Faces)
	case q.FaceSize < p.MinFaceSize:
		q.Reason, q.Message = ReasonFaceTooSmall, fmt.Sprintf("The face is %.0f px, at least %.0f px is needed. Move closer to the camera.", q.FaceSize, p.MinFaceSize)
	case m.Brightness < p.MinBrightness:
		q.Reason, q.Message = ReasonTooDark, fmt.Sprintf("The face is too dark (brightness %.0f, need ≥ %.0f). Face a light source.", m.Brightness, p.MinBrightness)
	case m.Brightness > p.MaxBrightness:
		q.Reason, q.Message = ReasonTooBright, fmt.Sprintf("The face is overexposed (brightness %.0f, need ≤ %.0f). Avoid direct light or glare.", m.Brightness, p.MaxBrightness)
	case m.Sharpness < p.MinSharpness:
		q.Reason, q.Message = ReasonTooBlurry, fmt.Sprintf("The photo is too blurry (sharpness %.1f, need ≥ %.1f). Hold still and clean the lens.", m.Sharpness, p.MinSharpness)
	case math.Abs(m.Pose.Yaw) > p.MaxYaw || math.Abs(m.Pose.Pitch) > p.MaxPitch:
		q.Reason, q.Message = ReasonNotFrontal, fmt.Sprintf("The head is turned (yaw %.0f°, pitch %.0f°; limit %.0f°/%.0f°). Look straight at the camera.", m.Pose.Yaw, m.Pose.Pitch, p.MaxYaw, p.MaxPitch)
	default:
		q.OK = true
	}
	return q
}
