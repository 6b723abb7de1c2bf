package age

import (
	"errors"
	"fmt"
	"math"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
)

// Normalisation: every face is warped by its five landmarks onto the ArcFace template placed
// in the middle of a canvas of CanvasSize pixels, so the model sees the same face size and
// framing whatever the photo's resolution (the raw detector crop gave 36.0 and 47.7 years for
// one photo at two resolutions).
const (
	// CanvasSize is the side of the normalised face canvas in pixels.
	CanvasSize = 224
	// faceSide is the side of the template's face square inside the canvas.
	faceSide = 112
)

// MinHalfWidth is the smallest half-width of an age interval in years: a deliberately wide
// prior, set before any error could be measured, so an interval never claims more precision
// than ±6 years. Measured since, blind, on the ten shared photos whose captions date them
// (`go run -tags onnx ./bench/age -known`): the check's MAE 5.3 years, biased low (−5.2),
// the true age inside the combined interval for 9 of 10 (docs/benchmarks/face.md, "Age").
const MinHalfWidth = 6.0

// Estimate is an age estimate with its uncertainty.
type Estimate struct {
	// Years is the mean over the test-time views.
	Years float64 `json:"years"`
	// Low and High bound the interval: Years ± max(MinHalfWidth, 2 × Spread).
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Spread is the standard deviation of the views' estimates.
	Spread float64 `json:"spread"`
	// Views is how many views were averaged.
	Views int `json:"views"`
	// Models is each model's own estimate when several were combined: Years is then their
	// mean, [Low, High] the smallest interval covering all of theirs (models that disagree
	// widen it, so an interval straddling the limit goes to review and no model approves
	// alone), Spread the largest of their spreads and Views the views of all of them.
	Models []Opinion `json:"models,omitempty"`
}

// Opinion is one model's estimate within a combined Estimate.
type Opinion struct {
	Model  string  `json:"model"`
	SHA256 string  `json:"sha256"`
	Years  float64 `json:"years"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
	Spread float64 `json:"spread"`
	Views  int     `json:"views"`
}

// Combine merges models' estimates (one Opinion each) into one Estimate whose interval
// covers every model's interval.
func Combine(ops []Opinion) (Estimate, error) {
	if len(ops) == 0 {
		return Estimate{}, errors.New("age: no model estimate to combine")
	}
	e := Estimate{Low: math.Inf(1), High: math.Inf(-1), Models: ops}
	var sum float64
	for _, o := range ops {
		sum += o.Years
		e.Low, e.High = math.Min(e.Low, o.Low), math.Max(e.High, o.High)
		e.Spread = math.Max(e.Spread, o.Spread)
		e.Views += o.Views
	}
	e.Years = math.Round(sum/float64(len(ops))*10) / 10
	return e, nil
}

func opinion(info onnx.ModelInfo, e Estimate) Opinion {
	return Opinion{Model: info.Name, SHA256: info.SHA256, Years: e.Years, Low: e.Low, High: e.High, Spread: e.Spread, Views: e.Views}
}

// Interval widens a point estimate (one made without views, such as an analysis stored
// before intervals existed) to the minimum interval.
func Interval(years float64) Estimate {
	return Estimate{Years: years, Low: years - MinHalfWidth, High: years + MinHalfWidth, Views: 1}
}

// DecideInterval decides an age rule on an interval: pass when all of it is at or above
// minAge, fail when all of it is below, review when it straddles the limit.
func DecideInterval(e Estimate, minAge int) Decision {
	if math.IsNaN(e.Low) || math.IsNaN(e.High) || math.IsInf(e.Low, 0) || math.IsInf(e.High, 0) {
		return Review
	}
	switch {
	case e.Low >= float64(minAge):
		return Pass
	case e.High < float64(minAge):
		return Fail
	}
	return Review
}

// views are the test-time augmentations: the canvas as is and mirrored, each with the face
// square as placed, 10 % tighter, 10 % looser, and shifted by 5 % down.
var views = []struct {
	flip         bool
	scale, shift float64
}{
	{false, 1, 0}, {false, 0.9, 0}, {false, 1.1, 0}, {false, 1, 0.05},
	{true, 1, 0}, {true, 0.9, 0}, {true, 1.1, 0}, {true, 1, 0.05},
}

// Normalize warps the face with landmarks lm onto the fixed canvas. A face larger than the
// template is first reduced by area averaging, so downscaling does not alias.
func Normalize(img *imaging.RGB, lm *face.Landmarks) (*imaging.RGB, error) {
	if img == nil || lm == nil {
		return nil, errors.New("age: no image or landmarks")
	}
	off := float64(CanvasSize-faceSide) / 2
	var dst [5]imaging.Point
	for i, p := range face.ArcFaceTemplate {
		dst[i] = imaging.Point{X: p.X + off, Y: p.Y + off}
	}
	src := lm.Five()
	m, err := imaging.SimilarityFit(src[:], dst[:])
	if err != nil {
		return nil, fmt.Errorf("age: %w", err)
	}
	if s := math.Sqrt(math.Abs(m[0]*m[4] - m[1]*m[3])); s < 0.9 {
		// Reduce the whole photo by about s first (CropResize averages), then fit again.
		w, h := max(1, int(math.Round(float64(img.W)*s))), max(1, int(math.Round(float64(img.H)*s)))
		fx, fy := float64(w)/float64(img.W), float64(h)/float64(img.H)
		img = imaging.CropResize(img, imaging.Rect{W: float64(img.W), H: float64(img.H)}, w, h, [3]uint8{})
		for i := range src {
			src[i] = imaging.Point{X: src[i].X * fx, Y: src[i].Y * fy}
		}
		if m, err = imaging.SimilarityFit(src[:], dst[:]); err != nil {
			return nil, fmt.Errorf("age: %w", err)
		}
	}
	inv, err := m.Invert()
	if err != nil {
		return nil, fmt.Errorf("age: %w", err)
	}
	return imaging.WarpAffine(img, inv, CanvasSize, CanvasSize), nil
}

// EstimateFace estimates the age of the face with landmarks lm in img: the normalised canvas,
// averaged over the test-time views, with an interval — fr_age's and the second opinion's,
// combined (Combine) when the second model is loaded.
func (e *Estimator) EstimateFace(img *imaging.RGB, lm *face.Landmarks) (Estimate, error) {
	canvas, err := Normalize(img, lm)
	if err != nil {
		return Estimate{}, err
	}
	first, err := EstimateViews(canvas, e.eng.Age)
	if err != nil || e.second == nil {
		return first, err
	}
	second, err := e.second.Estimate(canvas)
	if err != nil {
		return Estimate{}, err
	}
	return Combine([]Opinion{opinion(e.Model(), first), opinion(e.second.Info(), second)})
}

// EstimateViews runs one age model (run: a canvas and a face square → years) on every
// test-time view of a normalised canvas (Normalize) and summarises the views.
func EstimateViews(canvas *imaging.RGB, run func(*imaging.RGB, face.Box) (float64, error)) (Estimate, error) {
	return estimateViews(canvas, nil, run)
}

// EstimateSomeViews is EstimateViews on the views numbered in which (0–3 as placed, tighter,
// looser, lower; 4–7 the same mirrored; nil: all of them).
func EstimateSomeViews(canvas *imaging.RGB, which []int, run func(*imaging.RGB, face.Box) (float64, error)) (Estimate, error) {
	return estimateViews(canvas, which, run)
}

func estimateViews(canvas *imaging.RGB, which []int, run func(*imaging.RGB, face.Box) (float64, error)) (Estimate, error) {
	if which == nil {
		which = []int{0, 1, 2, 3, 4, 5, 6, 7}
	}
	mirrored := canvas.FlipH() // the template is symmetric about the canvas centre
	c := float64(CanvasSize) / 2
	ys := make([]float64, 0, len(which))
	for _, i := range which {
		if i < 0 || i >= len(views) {
			return Estimate{}, fmt.Errorf("age: view %d of %d", i, len(views))
		}
		v := views[i]
		half := faceSide * v.scale / 2
		cy := c + v.shift*faceSide
		b := face.Box{X1: c - half, Y1: cy - half, X2: c + half, Y2: cy + half, Score: 1}
		src := canvas
		if v.flip {
			src = mirrored
		}
		y, err := run(src, b)
		if err != nil {
			return Estimate{}, err
		}
		ys = append(ys, y)
	}
	return summarize(ys), nil
}

// summarize turns the views' estimates into an Estimate.
func summarize(ys []float64) Estimate {
	var sum, sq float64
	for _, y := range ys {
		sum += y
	}
	mean := sum / float64(len(ys))
	for _, y := range ys {
		sq += (y - mean) * (y - mean)
	}
	sd := math.Sqrt(sq / float64(len(ys)))
	half := math.Max(MinHalfWidth, 2*sd)
	r := func(v float64) float64 { return math.Round(v*10) / 10 }
	return Estimate{Years: r(mean), Low: r(mean - half), High: r(mean + half), Spread: r(sd), Views: len(ys)}
}

// Models are every age model's identity (fr_age, then the second opinion when loaded).
func (e *Estimator) Models() []onnx.ModelInfo {
	out := []onnx.ModelInfo{e.Model()}
	if e.second != nil {
		out = append(out, e.second.Info())
	}
	return out
}

// Model is the engine's age model's identity (name and SHA-256), for results; Models lists
// the second opinion too.
func (e *Estimator) Model() onnx.ModelInfo {
	for _, m := range e.eng.Models() {
		if m.Name == face.ModelAge {
			return m
		}
	}
	return onnx.ModelInfo{}
}
