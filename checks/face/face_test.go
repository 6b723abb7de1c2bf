package face

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
)

func TestNMSKeepsBestAndDropsOverlaps(t *testing.T) {
	t.Parallel()
	boxes := []Box{
		{X1: 0, Y1: 0, X2: 10, Y2: 10, Score: 0.8},
		{X1: 1, Y1: 1, X2: 11, Y2: 11, Score: 0.9},      // overlaps the first, better
		{X1: 50, Y1: 50, X2: 60, Y2: 60, Score: 0.7},    // separate face
		{X1: 5, Y1: 5, X2: 5, Y2: 20, Score: 0.99},      // degenerate: dropped
		{X1: 0, Y1: 20, X2: 10, Y2: 30, Score: 0.75},    // touching, no overlap
		{X1: 50.5, Y1: 50, X2: 60, Y2: 60, Score: 0.71}, // duplicate of the separate face
	}
	got := NMS(boxes, 0.4)
	require.Len(t, got, 3)
	require.Equal(t, 0.9, got[0].Score)
	require.Equal(t, 0.75, got[1].Score)
	require.Equal(t, 0.71, got[2].Score)
	require.InDelta(t, 81.0/119.0, IoU(boxes[0], boxes[1]), 1e-9)
	require.Zero(t, IoU(boxes[0], boxes[2]))
}

func TestEmbeddingEncodingRoundTrip(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	e := make(Embedding, 512)
	for i := range e {
		e[i] = float32(r.NormFloat64())
	}
	require.NoError(t, Normalize(e))

	full, err := e.MarshalBinary()
	require.NoError(t, err)
	require.Len(t, full, 4+4*512)
	var back Embedding
	require.NoError(t, back.UnmarshalBinary(full))
	s, err := Cosine(e, back)
	require.NoError(t, err)
	require.InDelta(t, 1, s, 1e-6)

	compact, err := e.MarshalCompact()
	require.NoError(t, err)
	require.Len(t, compact, 4+2*512)
	require.NoError(t, back.UnmarshalBinary(compact))
	s, err = Cosine(e, back)
	require.NoError(t, err)
	require.InDelta(t, 1, s, 1e-5)
	for i := range e {
		require.InDelta(t, e[i], back[i], 1e-3)
	}
}

func TestEmbeddingDecodeRejectsBadInput(t *testing.T) {
	t.Parallel()
	good, err := Embedding{0.6, 0.8}.MarshalBinary()
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, "bad header"},
		{"wrong magic", []byte{'X', 1, 2, 0}, "bad header"},
		{"unknown format", []byte{'E', 9, 2, 0, 0, 0, 0, 0}, "unknown format"},
		{"zero dim", []byte{'E', 1, 0, 0}, "dimension 0"},
		{"truncated", good[:len(good)-1], "needs"},
		{"zero vector", []byte{'E', 1, 1, 0, 0, 0, 0, 0}, "zero vector"},
		{"nan", []byte{'E', 1, 1, 0, 0, 0, 0xC0, 0x7F}, "not finite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var e Embedding
			require.ErrorContains(t, e.UnmarshalBinary(tc.b), tc.want)
		})
	}
	_, err = Embedding{}.MarshalBinary()
	require.Error(t, err)
	_, err = Embedding{float32(math.NaN())}.MarshalBinary()
	require.ErrorContains(t, err, "not finite")
}

func TestHalfPrecision(t *testing.T) {
	t.Parallel()
	for _, v := range []float32{0, 1, -1, 0.5, 0.1, -0.0441, 65504, 6.1e-5, 3e-7, 1e-9} {
		got := fromHalf(toHalf(v))
		tol := math.Max(math.Abs(float64(v))*1e-3, 6e-8)
		require.InDelta(t, v, got, tol, "value %v", v)
	}
	require.True(t, math.IsInf(float64(fromHalf(toHalf(1e6))), 1))
}

func TestCosine(t *testing.T) {
	t.Parallel()
	s, err := Cosine(Embedding{1, 0}, Embedding{0, 2})
	require.NoError(t, err)
	require.Zero(t, s)
	s, err = Cosine(Embedding{1, 1}, Embedding{2, 2})
	require.NoError(t, err)
	require.InDelta(t, 1, s, 1e-9)
	_, err = Cosine(Embedding{1}, Embedding{1, 2})
	require.ErrorContains(t, err, "dimensions")
	_, err = Cosine(Embedding{0, 0}, Embedding{1, 2})
	require.ErrorContains(t, err, "zero")
	require.Error(t, Normalize([]float32{0, 0}))
}

func TestDotMatchesPortableLoop(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 7, 8, 31, 32, 33, 100, 512} {
		a, b := make([]float32, n), make([]float32, n)
		var want float64
		for i := range a {
			a[i], b[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
			want += float64(a[i]) * float64(b[i])
		}
		require.InDelta(t, want, dot(a, b), 1e-4*float64(n), "n=%d", n)
		require.InDelta(t, want, dotGo(a, b), 1e-4*float64(n), "n=%d", n)
	}
	require.Zero(t, dot(nil, nil))
}

func TestIndexSearchMatchesSort(t *testing.T) {
	t.Parallel()
	for _, n := range []int{5, 300, 20000} { // 20000 exercises the parallel split
		x, keep := randomIndex(t, n, 64)
		q := keep[0]
		hits, err := x.Search(q, 5)
		require.NoError(t, err)
		require.Len(t, hits, 5)
		require.Equal(t, "0", hits[0].ID, "the query itself is the best hit")
		require.InDelta(t, 1, hits[0].Score, 1e-5)
		// Compare with an exhaustive float64 ranking.
		best := -2.0
		second := ""
		for r := 1; r < n; r++ {
			s, err := Cosine(x.data[r*64:(r+1)*64], q)
			require.NoError(t, err)
			if s > best {
				best, second = s, strconv.Itoa(r)
			}
		}
		require.Equal(t, second, hits[1].ID, "n=%d", n)
		require.InDelta(t, best, hits[1].Score, 1e-5)
		for i := 1; i < len(hits); i++ {
			require.GreaterOrEqual(t, hits[i-1].Score, hits[i].Score)
		}
	}
}

func TestIndexErrors(t *testing.T) {
	t.Parallel()
	_, err := NewIndex(0)
	require.Error(t, err)
	x, err := NewIndex(3)
	require.NoError(t, err)
	hits, err := x.Search(Embedding{1, 0, 0}, 3)
	require.NoError(t, err)
	require.Empty(t, hits, "empty index")
	require.ErrorContains(t, x.Add("a", Embedding{1, 0}), "dimension")
	require.ErrorContains(t, x.Add("a", Embedding{0, 0, 0}), "zero vector")
	require.NoError(t, x.Add("a", Embedding{1, 0, 0}))
	_, err = x.Search(Embedding{1, 0}, 1)
	require.ErrorContains(t, err, "dimension")
	_, err = x.Search(Embedding{1, 0, 0}, 0)
	require.ErrorContains(t, err, "k must be positive")
	hits, err = x.Search(Embedding{1, 0, 0}, 10)
	require.NoError(t, err)
	require.Len(t, hits, 1, "k larger than the index")
	require.Equal(t, 1, x.Len())
}

func TestQualityJudge(t *testing.T) {
	t.Parallel()
	p := DefaultSelfiePolicy()
	face := Box{X1: 100, Y1: 100, X2: 300, Y2: 320, Score: 0.99}
	good := Measurements{Boxes: []Box{face}, Brightness: 120, Sharpness: 300, Pose: Pose{Yaw: 5, Pitch: -3}}
	for _, tc := range []struct {
		name   string
		mutate func(m *Measurements)
		reason string
	}{
		{"good", func(*Measurements) {}, ""},
		{"no face", func(m *Measurements) { m.Boxes = nil }, ReasonNoFace},
		{"two faces", func(m *Measurements) {
			m.Boxes = append(m.Boxes, Box{X1: 400, Y1: 100, X2: 560, Y2: 300, Score: 0.9})
		}, ReasonMultipleFaces},
		{"small background face ignored", func(m *Measurements) {
			m.Boxes = append(m.Boxes, Box{X1: 400, Y1: 100, X2: 440, Y2: 150, Score: 0.9})
		}, ""},
		{"unsure background face ignored", func(m *Measurements) {
			// An out-of-focus face in the crowd behind: as large, but the detector is unsure.
			m.Boxes = append(m.Boxes, Box{X1: 400, Y1: 100, X2: 600, Y2: 310, Score: 0.84})
		}, ""},
		{"small", func(m *Measurements) { m.Boxes = []Box{{X1: 0, Y1: 0, X2: 50, Y2: 60}} }, ReasonFaceTooSmall},
		{"dark", func(m *Measurements) { m.Brightness = 20 }, ReasonTooDark},
		{"bright", func(m *Measurements) { m.Brightness = 250 }, ReasonTooBright},
		{"blurry", func(m *Measurements) { m.Sharpness = 3 }, ReasonTooBlurry},
		{"turned", func(m *Measurements) { m.Pose.Yaw = -45 }, ReasonNotFrontal},
		{"three-quarter within the limit", func(m *Measurements) { m.Pose.Yaw = -36 }, ""},
		{"looking down", func(m *Measurements) { m.Pose.Pitch = 40 }, ReasonNotFrontal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := good
			m.Boxes = append([]Box(nil), good.Boxes...)
			tc.mutate(&m)
			q := p.Judge(m)
			require.Equal(t, tc.reason, q.Reason)
			require.Equal(t, tc.reason == "", q.OK)
			if tc.reason != "" {
				require.NotEmpty(t, q.Message)
			}
		})
	}
}

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"negative threads", Config{Threads: -1}, "threads"},
		{"threshold", Config{MatchThreshold: 2}, "match threshold"},
		{"detect threshold", Config{DetectThreshold: 1.5}, "detect threshold"},
		{"channels", Config{EmbeddingChannels: "yuv"}, "channels"},
		{"policy", Config{Selfie: QualityPolicy{MinBrightness: 200, MaxBrightness: 100}}, "min_brightness"},
		{"cross-check threshold", Config{CrossCheckThreshold: 1.2}, "cross-check threshold 1.2 outside [-1, 1]"},
		{"cross-check spec", Config{CrossCheck: EmbeddingSpec{Name: "x", Path: "/x.onnx", Size: 8, Margin: 1, Input: "rgb-raw", Weight: 1}}, `cross-check embedding "x" needs`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.cfg.withDefaults()
			require.ErrorContains(t, err, tc.want)
		})
	}
	c, err := Config{ModelsDir: "/m", FaceAPIDir: "/h"}.withDefaults()
	require.NoError(t, err)
	require.Equal(t, DefaultEmbeddings("/h"), c.Embeddings)
	require.Equal(t, DefaultMatchThreshold, c.MatchThreshold)
	require.Equal(t, onnx.OptimizeAll, c.EmbeddingOptimization)
	require.Equal(t, DefaultCrossCheck("/m"), c.CrossCheck)
	require.Equal(t, DefaultCrossCheckThreshold, c.CrossCheckThreshold)
	c, err = Config{NoCrossCheck: true, CrossCheckThreshold: 5}.withDefaults()
	require.NoError(t, err, "off: its threshold is not read")
	require.Empty(t, c.CrossCheck.Path)
	c, err = Config{ModelsDir: "/m", EmbeddingModelPath: "/x/arcface.onnx"}.withDefaults()
	require.NoError(t, err)
	require.Equal(t, []EmbeddingSpec{{Name: "arcface.onnx", Path: "/x/arcface.onnx", Source: "operator-configured: /x/arcface.onnx",
		Size: 112, Margin: 1, Input: "rgb-symmetric", Weight: 1}}, c.Embeddings, "a configured slot model replaces the default, RGB")
	_, err = Config{Embeddings: []EmbeddingSpec{{Name: "a", Path: "/a", Size: 112, Margin: 1, Input: "rgb-raw", Weight: 0.6}}}.withDefaults()
	require.ErrorContains(t, err, "weights sum to 0.6")
	_, err = Config{Embeddings: []EmbeddingSpec{{Name: "a", Path: "/a", Size: 112, Margin: 1, Input: "yuv", Weight: 1}}}.withDefaults()
	require.ErrorContains(t, err, `input "yuv"`)
}

func TestGeometryPose(t *testing.T) {
	t.Parallel()
	// A synthetic frontal face: symmetric jaw, nose in the middle.
	var l Landmarks
	for i := 0; i <= 16; i++ { // jaw from x=0 to x=160
		l[i] = Point{X: float64(i) * 10, Y: 100 + 50*math.Sin(float64(i)/16*math.Pi)}
	}
	for i := 36; i <= 41; i++ {
		l[i] = Point{X: 50, Y: 60}
	}
	for i := 42; i <= 47; i++ {
		l[i] = Point{X: 110, Y: 60}
	}
	l[8] = Point{X: 80, Y: 160}
	l[30] = Point{X: 80, Y: 60 + 0.33*100}
	p := l.GeometryPose()
	require.InDelta(t, 0, p.Yaw, 0.5)
	require.InDelta(t, 0, p.Pitch, 0.5)
	require.InDelta(t, 0, p.Roll, 0.5)
	// Nose toward the image's right: positive yaw.
	l[30].X = 120
	require.Greater(t, l.GeometryPose().Yaw, 20.0)
	l[30].X = 40
	require.Less(t, l.GeometryPose().Yaw, -20.0)
}

func TestStubOrRealNewReportsMissingFiles(t *testing.T) {
	t.Parallel()
	_, err := New(Config{LibraryPath: "/nonexistent/libonnxruntime.so", ModelsDir: t.TempDir()})
	require.Error(t, err)
	if errors.Is(err, onnx.ErrNotAvailable) {
		require.ErrorContains(t, err, "face engine not available in this build")
		return
	}
	require.ErrorContains(t, err, "/nonexistent/libonnxruntime.so")
}

func TestFuseScoresAreWeightedMeans(t *testing.T) {
	t.Parallel()
	a1, b1 := []float32{1, 0}, []float32{0.6, 0.8}          // cosine 0.6
	a2, b2 := []float32{0, 1, 0}, []float32{0, -0.28, 0.96} // cosine -0.28
	fa, err := Fuse([][]float32{a1, a2}, []float64{0.7, 0.3})
	require.NoError(t, err)
	fb, err := Fuse([][]float32{b1, b2}, []float64{0.7, 0.3})
	require.NoError(t, err)
	require.Len(t, fa, 5)
	s, err := Cosine(fa, fb)
	require.NoError(t, err)
	require.InDelta(t, 0.7*0.6+0.3*-0.28, s, 1e-6)
	_, err = Fuse([][]float32{a1}, []float64{0.5, 0.5})
	require.ErrorContains(t, err, "1 parts, 2 weights")
}

// AlignChip puts the 51 inner landmarks on dlib's mean face: landmarks already
// where the chip wants them give the picture back unchanged; bad sizes are errors.
func TestAlignChip(t *testing.T) {
	t.Parallel()
	const size, padding = 150, 0.25
	img := imaging.NewRGB(size, size)
	for i := range img.Pix {
		img.Pix[i] = uint8((i*7 + i/(3*size)*13) % 251)
	}
	var l Landmarks
	for i, p := range dlibMeanFace {
		l[17+i] = imaging.Point{X: (padding + p[0]) / (2*padding + 1) * size, Y: (padding + p[1]) / (2*padding + 1) * size}
	}
	chip, err := AlignChip(img, &l, size, padding)
	require.NoError(t, err)
	require.Equal(t, size, chip.W)
	diff := 0
	for i := range chip.Pix {
		if d := int(chip.Pix[i]) - int(img.Pix[i]); d > 1 || d < -1 {
			diff++
		}
	}
	require.Less(t, diff, len(chip.Pix)/50, "an identity alignment moved the picture")
	// The spec picks the chip when Chip is set, the ArcFace layout otherwise.
	viaSpec, err := EmbeddingSpec{Size: size, Chip: padding}.align(img, &l)
	require.NoError(t, err)
	require.Equal(t, chip.Pix, viaSpec.Pix)
	_, err = AlignChip(img, &l, 0, padding)
	require.ErrorContains(t, err, "size 0")
	_, err = AlignChip(img, &l, size, -1)
	require.ErrorContains(t, err, "padding -1")
}
