//go:build onnx

package face

import (
	"bytes"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
	guard "github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/internal/testfiles"
)

var (
	engOnce sync.Once
	engVal  *Engine
	engErr  error
)

func engine(t *testing.T) *Engine {
	t.Helper()
	engOnce.Do(func() { engVal, engErr = New(Config{}) })
	require.NoError(t, engErr, "run scripts/setup/onnx.sh first")
	return engVal
}

func decode(t *testing.T, elem ...string) *imaging.RGB {
	t.Helper()
	b, err := os.ReadFile(testfiles.Path(t, elem...))
	require.NoError(t, err)
	img, err := imaging.Decode(b)
	require.NoError(t, err)
	return img
}

// labelled are the face_recognition photos with one face each, by person.
var labelled = map[string][]string{
	"obama": {"tests/test_images/obama.jpg", "tests/test_images/obama2.jpg", "tests/test_images/obama3.jpg",
		"examples/knn_examples/test/obama1.jpg", "examples/obama-720p.jpg"},
	"biden":          {"tests/test_images/biden.jpg", "examples/knn_examples/train/biden/biden2.jpg"},
	"kit_harington":  {"examples/knn_examples/train/kit_harington/john1.jpeg", "examples/knn_examples/train/kit_harington/john2.jpeg", "examples/knn_examples/test/johnsnow_test1.jpg"},
	"rose_leslie":    {"examples/knn_examples/train/rose_leslie/img1.jpg", "examples/knn_examples/train/rose_leslie/img2.jpg"},
	"alex_lacamoire": {"examples/knn_examples/train/alex_lacamoire/img1.jpg", "examples/knn_examples/test/alex_lacamoire1.jpg"},
}

type embedded struct {
	person, name string
	emb          Embedding
	degraded     Embedding
}

// documentLike mimics a document portrait: face ~90 px, grey, JPEG q50.
func documentLike(t *testing.T, img *imaging.RGB, b Box) *imaging.RGB {
	t.Helper()
	side := b.Side()
	cx, cy := (b.X1+b.X2)/2, (b.Y1+b.Y2)/2
	r := imaging.Rect{X: cx - 0.8*side, Y: cy - side, W: 1.6 * side, H: 2 * side}
	crop := imaging.CropResize(img, r, int(1.6*90), int(2*90), [3]uint8{230, 230, 230})
	for i, v := range crop.Gray() {
		crop.Pix[3*i], crop.Pix[3*i+1], crop.Pix[3*i+2] = v, v, v
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, crop.ToImage(), &jpeg.Options{Quality: 50}))
	out, err := imaging.Decode(buf.Bytes())
	require.NoError(t, err)
	return out
}

var (
	embOnce sync.Once
	embAll  []embedded
)

func embedAll(t *testing.T) []embedded {
	t.Helper()
	eng := engine(t)
	embOnce.Do(func() {
		for person, files := range labelled {
			for _, f := range files {
				img := decode(t, append([]string{"faces", "face_recognition"}, strings.Split(f, "/")...)...)
				a, err := eng.Analyze(img, KindSelfie, Want{Embedding: true, IgnoreQuality: true})
				require.NoError(t, err)
				require.NotNil(t, a.Face, f)
				d, err := eng.Analyze(documentLike(t, img, a.Face.Box), KindDocument, Want{Embedding: true})
				require.NoError(t, err)
				require.True(t, d.Quality.OK || d.Quality.Reason == ReasonNotFrontal, "%s degraded: %s", f, d.Quality.Reason)
				if d.Face.Embedding == nil { // turned heads stop at the gate; score anyway
					d, err = eng.Analyze(documentLike(t, img, a.Face.Box), KindDocument, Want{Embedding: true, IgnoreQuality: true})
					require.NoError(t, err)
				}
				embAll = append(embAll, embedded{person, f, a.Face.Embedding, d.Face.Embedding})
			}
		}
	})
	return embAll
}

// At the default thresholds every same-person pair of photos is accepted and
// every different-person pair is not; with one side degraded like a document
// portrait a same-person pair may fall into the review band, never below it.
func TestMatchSeparatesPeopleAtDefaultThreshold(t *testing.T) {
	t.Parallel()
	all := embedAll(t)
	thr := engine(t).Threshold()
	minSame, minSameDegraded, maxDiff := 1.0, 1.0, -1.0
	for i := range all {
		for j := range all {
			if i == j {
				continue
			}
			a, b := all[i], all[j]
			same := a.person == b.person
			for k, other := range []Embedding{b.emb, b.degraded} {
				s, err := Cosine(a.emb, other)
				require.NoError(t, err)
				switch {
				case same && k == 0:
					minSame = math.Min(minSame, s)
					require.GreaterOrEqual(t, s, thr, "%s vs %s", a.name, b.name)
				case same:
					minSameDegraded = math.Min(minSameDegraded, s)
					require.GreaterOrEqual(t, s, DefaultRejectThreshold, "%s vs %s degraded", a.name, b.name)
				default:
					maxDiff = math.Max(maxDiff, s)
					require.Less(t, s, thr, "%s vs %s", a.name, b.name)
				}
			}
		}
	}
	t.Logf("min same-person %.3f (one side degraded %.3f), max different-person %.3f, threshold %.2f", minSame, minSameDegraded, maxDiff, thr)
	require.Greater(t, math.Min(minSame, minSameDegraded), maxDiff, "the classes overlap")
}

func TestMatchBytesAndGateReasons(t *testing.T) {
	t.Parallel()
	eng := engine(t)
	read := func(elem ...string) []byte {
		b, err := os.ReadFile(testfiles.Path(t, elem...))
		require.NoError(t, err)
		return b
	}
	obama := read("faces", "face_recognition", "tests", "test_images", "obama.jpg")
	obama720 := read("faces", "face_recognition", "examples", "obama-720p.jpg")
	biden := read("faces", "face_recognition", "tests", "test_images", "biden.jpg")
	two := read("faces", "face_recognition", "examples", "two_people.jpg")

	r, err := eng.Match(obama720, obama)
	require.NoError(t, err)
	require.True(t, r.Match)
	require.Empty(t, r.Reason)
	require.Equal(t, "faceapi-recognition", r.Model.Name)
	require.Len(t, r.Model.SHA256, 64)

	r, err = eng.Match(biden, obama)
	require.NoError(t, err)
	require.False(t, r.Match)
	require.Less(t, r.Score, r.Threshold)

	r, err = eng.Match(two, obama)
	require.NoError(t, err)
	require.False(t, r.Match)
	require.Equal(t, "selfie:"+ReasonMultipleFaces, r.Reason)
	require.Equal(t, 2, r.Selfie.Faces)

	_, err = eng.Match([]byte("not an image"), obama)
	require.ErrorContains(t, err, "selfie")
}

// Each gate reason is produced by an image degraded in that way.
func TestQualityGateReasons(t *testing.T) {
	t.Parallel()
	eng := engine(t)
	base := decode(t, "faces", "face_recognition", "tests", "test_images", "obama.jpg")
	a, err := eng.Analyze(base, KindSelfie, Want{})
	require.NoError(t, err)
	require.True(t, a.Quality.OK, "%+v", a.Quality)
	b := a.Face.Box

	scale := func(img *imaging.RGB, f func(v uint8) uint8) *imaging.RGB {
		out := &imaging.RGB{W: img.W, H: img.H, Pix: make([]uint8, len(img.Pix))}
		for i, v := range img.Pix {
			out.Pix[i] = f(v)
		}
		return out
	}
	full := imaging.Rect{W: float64(base.W), H: float64(base.H)}
	blurred := imaging.CropResize(imaging.CropResize(base, full, base.W/12, base.H/12, [3]uint8{}),
		imaging.Rect{W: float64(base.W / 12), H: float64(base.H / 12)}, base.W, base.H, [3]uint8{})
	for _, tc := range []struct {
		name string
		img  *imaging.RGB
		want string
	}{
		{"blank", imaging.NewRGB(640, 480), ReasonNoFace},
		{"small", imaging.CropResize(base, full, int(float64(base.W)*50/b.Side()), int(float64(base.H)*50/b.Side()), [3]uint8{}), ReasonFaceTooSmall},
		{"dark", scale(base, func(v uint8) uint8 { return v / 5 }), ReasonTooDark},
		{"overexposed", scale(base, func(v uint8) uint8 { return uint8(min(255, 150+int(v))) }), ReasonTooBright},
		{"blurred", blurred, ReasonTooBlurry},
		{"two people", decode(t, "faces", "face_recognition", "examples", "two_people.jpg"), ReasonMultipleFaces},
		// john2.jpeg (a three-quarter view, about 21° by the pose model) is no longer refused:
		// see DefaultSelfiePolicy; TestQualityJudge covers a turned head.
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := eng.Analyze(tc.img, KindSelfie, Want{Embedding: true})
			require.NoError(t, err)
			require.Equal(t, tc.want, a.Quality.Reason, "%+v", a.Quality)
			require.False(t, a.Quality.OK)
			require.NotEmpty(t, a.Quality.Message)
			if a.Face != nil {
				require.Nil(t, a.Face.Embedding, "a failed gate stops before embedding")
			}
		})
	}
}

// The pose model and the landmark geometry agree on the sign convention:
// mirroring a turned face flips the sign of both.
func TestPoseSignsAgreeUnderMirroring(t *testing.T) {
	t.Parallel()
	eng := engine(t)
	img := decode(t, "faces", "face_recognition", "examples", "knn_examples", "test", "obama1.jpg")
	for _, m := range []*imaging.RGB{img, img.FlipH()} {
		a, err := eng.Analyze(m, KindSelfie, Want{ModelPose: true, IgnoreQuality: true})
		require.NoError(t, err)
		ly, my := a.Face.LandmarkPose.Yaw, a.Face.ModelPose.Yaw
		require.Greater(t, math.Abs(ly), 10.0)
		require.Greater(t, math.Abs(my), 10.0)
		require.Equal(t, ly > 0, my > 0, "landmark yaw %.1f, model yaw %.1f", ly, my)
	}
	a, _ := eng.Analyze(img, KindSelfie, Want{ModelPose: true})
	b, _ := eng.Analyze(img.FlipH(), KindSelfie, Want{ModelPose: true})
	require.Equal(t, a.Face.LandmarkPose.Yaw > 0, b.Face.LandmarkPose.Yaw < 0)
}

// Detection is letterboxed: boxes land on the face in the original image
// for both landscape and portrait photos.
func TestDetectBoxesInImageCoordinates(t *testing.T) {
	t.Parallel()
	eng := engine(t)
	for _, tc := range []struct {
		elem []string
	}{
		{[]string{"faces", "face_recognition", "examples", "obama-720p.jpg"}},
		{[]string{"faces", "Silent-Face-Anti-Spoofing", "images", "sample", "image_T1.jpg"}},
	} {
		img := decode(t, tc.elem...)
		boxes, err := eng.Detect(img)
		require.NoError(t, err)
		require.Len(t, boxes, 1)
		b := boxes[0]
		require.GreaterOrEqual(t, b.X1, 0.0)
		require.LessOrEqual(t, b.X2, float64(img.W))
		// A face box is roughly square-ish, not stretched by the 4:3 input.
		require.InDelta(t, 1.2, b.H()/b.W(), 0.35)
		lm, err := eng.Landmarks(img, b)
		require.NoError(t, err)
		five := lm.Five()
		for _, p := range five {
			require.True(t, p.X > b.X1-0.1*b.W() && p.X < b.X2+0.1*b.W() && p.Y > b.Y1-0.1*b.H() && p.Y < b.Y2+0.1*b.H(), "landmark %v outside box %v", p, b)
		}
		require.Less(t, five[0].X, five[1].X, "eyes in image order")
		require.Less(t, five[1].Y, five[3].Y, "eyes above mouth")
	}
	_, err := eng.Detect(imaging.NewRGB(4, 4))
	var ge *guard.Error
	require.ErrorAs(t, err, &ge, "a tiny image is the caller's fault, typed as such")
	require.Equal(t, guard.CodeTooSmall, ge.Code)
	require.Contains(t, ge.Message, "at least 8×8")
}

func TestConcurrentAnalyzeIsDeterministic(t *testing.T) {
	t.Parallel()
	eng := engine(t)
	img := decode(t, "faces", "face_recognition", "tests", "test_images", "obama.jpg")
	ref, err := eng.Analyze(img, KindSelfie, Want{Embedding: true})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := eng.Analyze(img, KindSelfie, Want{Embedding: true})
			if err != nil {
				errs <- err
				return
			}
			s, _ := Cosine(a.Face.Embedding, ref.Face.Embedding)
			if s < 0.9999 {
				errs <- &mismatch{s}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

type mismatch struct{ s float64 }

func (m *mismatch) Error() string { return "concurrent run gave a different embedding" }

func TestMissingModelIsNamed(t *testing.T) {
	t.Parallel()
	engine(t) // make sure the runtime is loaded from the default path
	dir := t.TempDir()
	_, err := New(Config{ModelsDir: dir})
	require.ErrorContains(t, err, filepath.Join(dir, "fr_detect.onnx"))
	require.ErrorContains(t, err, "scripts/setup/onnx.sh")
	bad := filepath.Join(dir, "fr_detect.onnx")
	require.NoError(t, os.WriteFile(bad, []byte("not onnx"), 0o644))
	_, err = New(Config{ModelsDir: dir})
	require.ErrorContains(t, err, "not a loadable ONNX model")
}

func TestModelsRecordHashes(t *testing.T) {
	t.Parallel()
	eng := engine(t)
	ms := eng.Models()
	require.Len(t, ms, 8) // six faceplugin models, the embedding and the cross-check
	for _, m := range ms {
		require.Len(t, m.SHA256, 64, m.Name)
		require.Contains(t, []string{ModelSource, FaceAPISource}, m.Source, m.Name)
		require.Positive(t, m.Bytes)
	}
	require.Equal(t, ModelFeature, eng.CrossCheckModel().Name)
	require.Contains(t, ms, eng.CrossCheckModel())
	require.NotEmpty(t, eng.RuntimeVersion())
	_ = onnx.DefaultLibraryPath()
}

// The cross-check vector comes with an embedding when asked for, and not at all when it is off.
func TestCrossCheckEmbedding(t *testing.T) {
	t.Parallel()
	img := decode(t, "faces", "face_recognition", "tests", "test_images", "obama.jpg")
	a, err := engine(t).Analyze(img, KindSelfie, Want{Embedding: true, CrossCheck: true})
	require.NoError(t, err)
	require.Len(t, a.Face.CrossCheck, 512)
	require.InDelta(t, 1, dot(a.Face.CrossCheck, a.Face.CrossCheck), 1e-5, "a unit vector")
	a, err = engine(t).Analyze(img, KindSelfie, Want{Embedding: true})
	require.NoError(t, err)
	require.NotNil(t, a.Face.Embedding)
	require.Nil(t, a.Face.CrossCheck, "not asked for (a liveness frame)")

	off, err := New(Config{NoCrossCheck: true})
	require.NoError(t, err)
	defer func() { _ = off.Close() }()
	require.Empty(t, off.CrossCheckModel().SHA256)
	require.Len(t, off.Models(), 7)
	a, err = off.Analyze(img, KindSelfie, Want{Embedding: true, CrossCheck: true})
	require.NoError(t, err)
	require.NotNil(t, a.Face.Embedding)
	require.Nil(t, a.Face.CrossCheck)
}
