//go:build onnx

package age

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
	"github.com/kycd/kycd/internal/testfiles"
)

// The model is weak (see doc.go), so this checks plumbing and plausibility,
// not accuracy: adults come out as adults, and the result names the model.
func TestCheckOnAdults(t *testing.T) {
	t.Parallel()
	_, e := testEstimator(t)
	for _, f := range []string{"obama.jpg", "biden.jpg"} {
		b, err := os.ReadFile(testfiles.Path(t, "faces", "face_recognition", "tests", "test_images", f))
		require.NoError(t, err)
		r, err := e.Check(b, 18)
		require.NoError(t, err)
		require.Empty(t, r.Reason)
		require.Greater(t, r.Estimate, 25.0, f)
		require.Less(t, r.Estimate, 90.0, f)
		require.Equal(t, Pass, r.Decision, f)
		require.Equal(t, face.ModelAge, r.Model.Name)
		require.Len(t, r.Model.SHA256, 64)
	}
	// Both models gave their own estimate; the interval covers both.
	r, err := e.Check(mustRead(t, "faces", "face_recognition", "tests", "test_images", "obama.jpg"), 18)
	require.NoError(t, err)
	require.NotNil(t, r.Interval)
	require.Len(t, r.Interval.Models, 2)
	require.Equal(t, []string{face.ModelAge, SecondOpinion.Name}, []string{r.Interval.Models[0].Model, r.Interval.Models[1].Model})
	for _, o := range r.Interval.Models {
		require.Len(t, o.SHA256, 64)
		require.Greater(t, o.Years, 25.0, o.Model)
		require.Less(t, o.Years, 90.0, o.Model)
		require.LessOrEqual(t, r.Interval.Low, o.Low)
		require.GreaterOrEqual(t, r.Interval.High, o.High)
	}
	require.Equal(t, len(views), r.Interval.Models[0].Views)
	require.Equal(t, len(SecondOpinion.Views), r.Interval.Models[1].Views)
	require.Equal(t, len(views)+len(SecondOpinion.Views), r.Interval.Views)
	r, err = e.Check(mustRead(t, "faces", "face_recognition", "examples", "two_people.jpg"), 18)
	require.NoError(t, err)
	require.Equal(t, Review, r.Decision)
	require.Equal(t, face.ReasonMultipleFaces, r.Reason)
}

func mustRead(t *testing.T, elem ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(testfiles.Path(t, elem...))
	require.NoError(t, err)
	return b
}

// TestNormalisedEstimateIsStable measures what normalisation and test-time views buy: the
// same photo at full, half and third resolution should get the same age. Raw is the engine's
// detector-box crop (what the age check used before); normalised is EstimateFace. Figures:
// docs/benchmarks/face-decisions.md.
func TestNormalisedEstimateIsStable(t *testing.T) {
	t.Parallel()
	eng, e := testEstimator(t)
	var files []string
	for _, dir := range [][]string{{"faces", "face_recognition", "tests", "test_images"}, {"faces", "face_recognition", "examples", "knn_examples", "train", "biden"},
		{"faces", "face_recognition", "examples", "knn_examples", "train", "kit_harington"}, {"faces", "deepface"}} {
		m, err := filepath.Glob(filepath.Join(testfiles.Path(t, dir...), "*.jp*g"))
		require.NoError(t, err)
		files = append(files, m...)
	}
	var rawDiff, normDiff, rawMax, normMax, widths, firstDiff, firstMax float64
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		img, err := imaging.Decode(b)
		require.NoError(t, err)
		var raw, norm, first []float64
		for _, s := range []float64{1, 0.5, 0.33} {
			w, h := int(float64(img.W)*s), int(float64(img.H)*s)
			if min(w, h) < imaging.MinSide {
				continue
			}
			im := imaging.CropResize(img, imaging.Rect{W: float64(img.W), H: float64(img.H)}, w, h, [3]uint8{})
			a, err := eng.Analyze(im, face.KindSelfie, face.Want{Age: true, IgnoreQuality: true})
			require.NoError(t, err)
			if a.Face == nil || len(a.Detections) > 1 {
				break // no face, or several: not a single-person photo
			}
			est, err := e.EstimateFace(im, &a.Face.Landmarks)
			require.NoError(t, err)
			require.LessOrEqual(t, est.Low, est.Years)
			require.GreaterOrEqual(t, est.High-est.Low, 2*MinHalfWidth-0.2)
			canvas, err := Normalize(im, &a.Face.Landmarks)
			require.NoError(t, err)
			only, err := EstimateViews(canvas, eng.Age) // fr_age alone, without the second opinion
			require.NoError(t, err)
			raw, norm, first = append(raw, *a.Face.Age), append(norm, est.Years), append(first, only.Years)
			widths += est.High - est.Low
		}
		if len(raw) < 2 {
			continue
		}
		spread := func(v []float64) float64 { return slices.Max(v) - slices.Min(v) }
		rawDiff += spread(raw)
		normDiff += spread(norm)
		firstDiff += spread(first)
		rawMax, normMax, firstMax = math.Max(rawMax, spread(raw)), math.Max(normMax, spread(norm)), math.Max(firstMax, spread(first))
		n++
	}
	require.Greater(t, n, 50)
	t.Logf("%d photos at 1, 1/2, 1/3 resolution: age range across resolutions raw mean %.1f y (max %.1f), normalised+views mean %.1f y (max %.1f); mean interval width %.1f y",
		n, rawDiff/float64(n), rawMax, normDiff/float64(n), normMax, widths/float64(3*n))
	t.Logf("fr_age alone on the normalised views: mean %.1f y (max %.1f)", firstDiff/float64(n), firstMax)
	require.Less(t, normDiff, rawDiff, "normalisation must make the estimate steadier across resolutions")
	require.LessOrEqual(t, normDiff, firstDiff, "the second opinion must not make the estimate less steady than fr_age alone")
	require.LessOrEqual(t, normMax, firstMax)
}

// testEstimator loads an engine for one test and wraps it.
func testEstimator(t *testing.T) (*face.Engine, *Estimator) {
	t.Helper()
	eng, err := face.New(face.Config{})
	require.NoError(t, err, "run scripts/setup/onnx.sh first")
	t.Cleanup(func() { _ = eng.Close() })
	e, err := New(eng)
	require.NoError(t, err, "run scripts/setup/facemodels.sh (the second-opinion age model)")
	t.Cleanup(func() { _ = e.Close() })
	return eng, e
}

// A missing file is an error naming it and the set-up script; a file of another model
// (wrong input size or no "age" output) is refused, not run on the wrong input.
func TestLoadModelChecksFileAndShape(t *testing.T) {
	t.Parallel()
	rt, err := onnx.Open(onnx.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = rt.Close() })
	_, err = LoadModel(rt, t.TempDir(), FaceResAge)
	require.ErrorContains(t, err, "faceres-age.onnx not found")
	require.ErrorContains(t, err, "scripts/setup/facemodels.sh")
	dir := filepath.Join(onnx.CacheDir(), "models", "human-models-3.0.4")
	wrong := FaceResAge
	wrong.Name = SSRNetAge.Name // a 64×64 model under FaceRes's 224×224 spec
	_, err = LoadModel(rt, dir, wrong)
	require.ErrorContains(t, err, "want [1 3 224 224]")
	wrong = SSRNetAge
	wrong.Output = "embedding"
	_, err = LoadModel(rt, dir, wrong)
	require.ErrorContains(t, err, `output "embedding" present false`)
	for _, spec := range Candidates {
		m, err := LoadModel(rt, dir, spec)
		require.NoError(t, err, spec.Name)
		require.Equal(t, spec.Name, m.Info().Name)
		require.NoError(t, m.Close())
	}
}
