//go:build onnx

package tfjs2onnx

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face/onnx"
)

// tolerance is the largest absolute difference allowed between TensorFlow.js
// and ONNX Runtime for a tensor whose values stay within ±1; larger tensors
// are compared relative to their largest magnitude (float32 sums of
// different order differ by a few ulp of the magnitude, not of 1).
const tolerance = 1e-4

// jsRef is where scripts/setup/facemodels.sh --test installs TensorFlow.js.
func jsRef(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "jsref"))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, "node_modules", "@tensorflow", "tfjs-converter"))
	require.NoError(t, err, "TensorFlow.js is not installed: run scripts/setup/facemodels.sh --test")
	return dir
}

// reference runs model.json in TensorFlow.js on an NHWC input and returns
// the named tensors.
func reference(t *testing.T, modelJSON string, in []float32, shape []int64, names []string) [][]float32 {
	t.Helper()
	dir := t.TempDir()
	writeFloats(t, filepath.Join(dir, "in.bin"), in)
	nb, _ := json.Marshal(names)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "names.json"), nb, 0o644))
	sb, _ := json.Marshal(shape)
	cmd := exec.Command("node", filepath.Join(jsRef(t), "ref.js"), modelJSON, filepath.Join(dir, "in.bin"), string(sb), filepath.Join(dir, "names.json"), filepath.Join(dir, "out"))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "node ref.js: %s", out)
	var shapes [][]int64
	b, err := os.ReadFile(filepath.Join(dir, "out.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &shapes))
	data := readFloats(t, filepath.Join(dir, "out.bin"))
	res := make([][]float32, len(shapes))
	for i, s := range shapes {
		n := 1
		for _, d := range s {
			n *= int(d)
		}
		require.GreaterOrEqual(t, len(data), n, "out.bin is shorter than its shapes")
		res[i], data = data[:n], data[n:]
	}
	require.Empty(t, data)
	return res
}

// runConverted converts m and loads the ONNX file into ONNX Runtime (closed
// when the test ends).
func runConverted(t *testing.T, m *Model, o Options, name string) *onnx.Model {
	t.Helper()
	b, err := Convert(m, o)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "m.onnx")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	rt, err := onnx.Open(onnx.Options{})
	require.NoError(t, err, "run scripts/setup/onnx.sh")
	t.Cleanup(func() { _ = rt.Close() })
	model, err := rt.Load(path, name, "test", onnx.OptimizeBasic)
	require.NoError(t, err)
	t.Cleanup(func() { _ = model.Close() })
	return model
}

// writeFloats writes little-endian float32s, the references' input format.
func writeFloats(t *testing.T, path string, v []float32) {
	t.Helper()
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
	}
	require.NoError(t, os.WriteFile(path, raw, 0o644))
}

// readFloats reads what a reference wrote: little-endian float32s.
func readFloats(t *testing.T, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Zero(t, len(b)%4, "%s: %d bytes, not float32s", path, len(b))
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

// compareOpByOp converts modelJSON exposing every intermediate tensor, runs
// both graphs on the same random input (uniform in [lo, hi), the range the
// model is fed) and compares every tensor.
func compareOpByOp(t *testing.T, modelJSON string, o Options, nhwc []int64, lo, hi float32, seed uint64) {
	t.Helper()
	m, err := Load(modelJSON)
	require.NoError(t, err)
	o.AllOutputs = true
	names, err := Intermediates(m, o)
	require.NoError(t, err)
	model := runConverted(t, m, o, filepath.Base(modelJSON))

	n := int(nhwc[0] * nhwc[1] * nhwc[2] * nhwc[3])
	r := rand.New(rand.NewPCG(seed, 1))
	in := make([]float32, n)
	for i := range in {
		in[i] = lo + (hi-lo)*r.Float32()
	}
	want := reference(t, modelJSON, in, nhwc, names)

	feed, shape := in, nhwc
	if o.NCHW {
		feed, shape = toNCHW(in, nhwc), []int64{nhwc[0], nhwc[3], nhwc[1], nhwc[2]}
	}
	got, err := model.Run(feed, shape...)
	require.NoError(t, err)
	worst, worstName := 0.0, ""
	for i, name := range names {
		g, ok := got[name]
		require.True(t, ok, "ONNX output %s missing", name)
		require.Len(t, g, len(want[i]), "tensor %s", name)
		scale := 1.0
		for _, v := range want[i] {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		d := 0.0
		for j := range g {
			d = math.Max(d, math.Abs(float64(g[j])-float64(want[i][j])))
		}
		require.LessOrEqual(t, d/scale, tolerance, "tensor %s (%d of %d): max abs difference %g at magnitude %g", name, i+1, len(names), d, scale)
		if d/scale > worst {
			worst, worstName = d/scale, name
		}
	}
	t.Logf("%s: %d tensors agree; worst scaled difference %.2g at %s", filepath.Base(modelJSON), len(names), worst, worstName)
}

func toNCHW(in []float32, s []int64) []float32 {
	n, h, w, c := int(s[0]), int(s[1]), int(s[2]), int(s[3])
	out := make([]float32, len(in))
	for b := 0; b < n; b++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				for k := 0; k < c; k++ {
					out[((b*c+k)*h+y)*w+x] = in[((b*h+y)*w+x)*c+k]
				}
			}
		}
	}
	return out
}

// TestHumanModelsOpByOp compares every tensor of each installed embedding
// and age model (scripts/setup/facemodels.sh) between TensorFlow.js and ONNX
// Runtime.
func TestHumanModelsOpByOp(t *testing.T) {
	dir := filepath.Join(onnx.CacheDir(), "models", HumanModelsDir, "tfjs")
	for _, c := range []struct {
		name, file string // file: models/FILE.json of the package (default: name)
		size       int64
		output     string
		lo, hi     float32 // input range as the engine (or checks/age) feeds it
	}{
		{name: "mobilefacenet", size: 112, output: "embeddings", lo: -1, hi: 1},
		{name: "mobileface", size: 112, lo: 0, hi: 255},
		{name: "faceres", size: 224, output: "global_pooling/Mean", lo: -124, hi: 152},
		{name: "faceres-deep", size: 224, output: "global_pooling/Mean", lo: -124, hi: 152},
		{name: "faceres-age", file: "faceres", size: 224, output: "age_pred/Softmax", lo: -124, hi: 152},
		{name: "ssrnet-age", file: "age", size: 64, output: "Identity", lo: 0, hi: 255},
		{name: "gear-age", file: "gear", size: 198, output: "Identity", lo: 0, hi: 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			file := c.file
			if file == "" {
				file = c.name
			}
			p := filepath.Join(dir, file+".json")
			_, err := os.Stat(p)
			require.NoError(t, err, "run scripts/setup/facemodels.sh")
			o := Options{NCHW: true, InputName: "input", Batch: 1} // as scripts/setup/facemodels.sh converts
			if c.output != "" {
				o.Outputs = []string{c.output}
			}
			compareOpByOp(t, p, o, []int64{1, c.size, c.size, 3}, c.lo, c.hi, uint64(len(c.name)))
		})
	}
}

// TestStridedSliceOpByOp checks StridedSlice (Human's SSR-Net age model
// slices its heads with x[:, k]) tensor by tensor against TensorFlow.js.
func TestStridedSliceOpByOp(t *testing.T) {
	p := sliceZoo(t)
	compareOpByOp(t, p, Options{}, []int64{1, 9, 9, 4}, -1, 1, 5)
}

// TestStridedSliceShrink checks x[:, 8:2:-3, :, 3] on an input holding its own
// flat index against the values TensorFlow's semantics give (TensorFlow.js 4.22
// gets this case wrong, so it is not the reference here).
func TestStridedSliceShrink(t *testing.T) {
	m, err := Load(shrinkSlice(t))
	require.NoError(t, err)
	b, err := Convert(m, Options{})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "m.onnx")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	rt, err := onnx.Open(onnx.Options{})
	require.NoError(t, err, "run scripts/setup/onnx.sh")
	defer func() { _ = rt.Close() }()
	model, err := rt.Load(path, "shrink", "test", onnx.OptimizeBasic)
	require.NoError(t, err)
	defer func() { _ = model.Close() }()
	in := make([]float32, 9*9*4)
	for i := range in {
		in[i] = float32(i)
	}
	got, err := model.Run(in, 1, 9, 9, 4)
	require.NoError(t, err)
	var want []float32
	for _, y := range []int{8, 5} {
		for x := 0; x < 9; x++ {
			want = append(want, float32((y*9+x)*4+3))
		}
	}
	require.Equal(t, want, got["c"])
}

// TestOpZooOpByOp checks the ops the face models do not use on a
// synthetic graph, tensor by tensor, against TensorFlow.js.
func TestOpZooOpByOp(t *testing.T) {
	p := opZoo(t)
	compareOpByOp(t, p, Options{}, []int64{1, 9, 9, 4}, -1, 1, 3)
	compareOpByOp(t, p, Options{NCHW: true}, []int64{1, 9, 9, 4}, 0, 1, 4)
}
