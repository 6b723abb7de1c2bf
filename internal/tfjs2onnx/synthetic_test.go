package tfjs2onnx

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// synth builds a TF.js graph model in a directory: nodes plus constants
// whose weights are random (seeded) or given.
type synth struct {
	nodes   []map[string]any
	weights []map[string]any
	data    []byte
	r       *rand.Rand
}

func newSynth() *synth { return &synth{r: rand.New(rand.NewPCG(7, 7))} }

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func ints(v ...int) map[string]any {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return map[string]any{"list": map[string]any{"i": s}}
}

func strAttr(s string) map[string]any { return map[string]any{"s": b64(s)} }

func dims(shape []int) map[string]any {
	d := make([]map[string]string, len(shape))
	for i, x := range shape {
		d[i] = map[string]string{"size": strconv.Itoa(x)}
	}
	return map[string]any{"dim": d}
}

// float adds a float constant with random values in [lo, hi).
func (s *synth) float(name string, lo, hi float32, shape ...int) string {
	n := 1
	for _, d := range shape {
		n *= d
	}
	for i := 0; i < n; i++ {
		s.data = binary.LittleEndian.AppendUint32(s.data, math.Float32bits(lo+(hi-lo)*s.r.Float32()))
	}
	s.weights = append(s.weights, map[string]any{"name": name, "shape": shape, "dtype": "float32"})
	s.nodes = append(s.nodes, map[string]any{"name": name, "op": "Const", "attr": map[string]any{
		"dtype": map[string]any{"type": "DT_FLOAT"}, "value": map[string]any{"tensor": map[string]any{"dtype": "DT_FLOAT", "tensorShape": dims(shape)}}}})
	return name
}

// int32s adds an int32 constant of the given shape.
func (s *synth) int32s(name string, shape []int, v ...int) string {
	for _, x := range v {
		s.data = binary.LittleEndian.AppendUint32(s.data, uint32(int32(x)))
	}
	s.weights = append(s.weights, map[string]any{"name": name, "shape": shape, "dtype": "int32"})
	s.nodes = append(s.nodes, map[string]any{"name": name, "op": "Const", "attr": map[string]any{
		"dtype": map[string]any{"type": "DT_INT32"}, "value": map[string]any{"tensor": map[string]any{"dtype": "DT_INT32", "tensorShape": dims(shape)}}}})
	return name
}

func (s *synth) op(name, op string, attr map[string]any, in ...string) string {
	if attr == nil {
		attr = map[string]any{}
	}
	attr["T"] = map[string]any{"type": "DT_FLOAT"}
	s.nodes = append(s.nodes, map[string]any{"name": name, "op": op, "input": in, "attr": attr})
	return name
}

func (s *synth) write(t *testing.T, outputs ...string) string {
	t.Helper()
	dir := t.TempDir()
	sig := map[string]any{}
	for _, o := range outputs {
		sig[o] = map[string]string{"name": o}
	}
	m := map[string]any{"format": "graph-model", "generatedBy": "kycd test", "convertedBy": "kycd test",
		"signature":       map[string]any{"outputs": sig},
		"modelTopology":   map[string]any{"node": s.nodes, "library": map[string]any{}, "versions": map[string]any{}},
		"weightsManifest": []any{map[string]any{"paths": []string{"w.bin"}, "weights": s.weights}}}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "model.json"), b, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "w.bin"), s.data, 0o644))
	return filepath.Join(dir, "model.json")
}

func conv(strides int, pad string) map[string]any {
	return map[string]any{"strides": ints(1, strides, strides, 1), "dilations": ints(1, 1, 1, 1), "padding": strAttr(pad), "data_format": strAttr("NHWC")}
}

func fusedConv(strides int, pad string, ops ...string) map[string]any {
	a := conv(strides, pad)
	s := make([]string, len(ops))
	for i, o := range ops {
		s[i] = b64(o)
	}
	a["fused_ops"] = map[string]any{"list": map[string]any{"s": s}}
	args := 1 // the bias; a PReLU adds its alpha
	if ops[len(ops)-1] == "Prelu" {
		args = 2
	}
	a["num_args"] = map[string]any{"i": strconv.Itoa(args)}
	return a
}

// opZoo is a small graph using every op the converter supports that the
// face models do not: batch norm, PReLU, ReLU6 and LeakyReLU, max and
// average pooling, padding, concatenation, a depthwise multiplier of 2,
// VALID padding, transposed matmul, reshape, squeeze, transpose, softmax.
func opZoo(t *testing.T) string {
	s := newSynth()
	s.nodes = append(s.nodes, map[string]any{"name": "x", "op": "Placeholder", "attr": map[string]any{
		"dtype": map[string]any{"type": "DT_FLOAT"}, "shape": map[string]any{"shape": dims([]int{-1, 9, 9, 4})}}})
	c1 := s.op("c1", "_FusedConv2D", fusedConv(1, "SAME", "BiasAdd", "Prelu"), "x", s.float("w1", -0.5, 0.5, 3, 3, 4, 6), s.float("b1", -0.1, 0.1, 6), s.float("a1", 0, 0.3, 6))
	bnA := map[string]any{"epsilon": map[string]any{"f": 0.001}, "data_format": strAttr("NHWC")}
	bn := s.op("bn", "FusedBatchNormV3", bnA, c1, s.float("g", 0.5, 1.5, 6), s.float("beta", -0.2, 0.2, 6), s.float("mu", -0.1, 0.1, 6), s.float("var", 0.5, 2, 6))
	r6 := s.op("r6", "Relu6", nil, bn)
	dw := s.op("dw", "FusedDepthwiseConv2dNative", fusedConv(2, "VALID", "BiasAdd", "Relu6"), r6, s.float("wd", -0.5, 0.5, 3, 3, 6, 2), s.float("bd", -0.1, 0.1, 12))
	pool := func(k, st int, pad string) map[string]any {
		a := conv(st, pad)
		a["ksize"] = ints(1, k, k, 1)
		delete(a, "dilations")
		return a
	}
	mp := s.op("mp", "MaxPool", pool(3, 2, "SAME"), r6)
	ap := s.op("ap", "AvgPool", pool(2, 2, "VALID"), r6)
	pd := s.op("pd", "Pad", nil, ap, s.int32s("pads", []int{4, 2}, 0, 0, 1, 0, 0, 1, 0, 0))
	cat := s.op("cat", "ConcatV2", map[string]any{"N": map[string]any{"i": "2"}}, mp, pd, s.int32s("axis", []int{}, 3))
	c2 := s.op("c2", "Conv2D", conv(1, "VALID"), cat, s.float("w2", -0.5, 0.5, 1, 1, 12, 8))
	lr := s.op("lr", "LeakyRelu", map[string]any{"alpha": map[string]any{"f": 0.1}}, c2)
	mean := s.op("mean", "Mean", map[string]any{"keep_dims": map[string]any{"b": true}}, lr, s.int32s("mean_axes", []int{2}, 1, 2))
	sq := s.op("sq", "Squeeze", map[string]any{"squeeze_dims": ints(1, 2)}, mean)
	mmA := fusedConv(1, "SAME", "BiasAdd", "Relu")
	mmA = map[string]any{"fused_ops": mmA["fused_ops"], "num_args": map[string]any{"i": "1"}, "transpose_a": map[string]any{"b": false}, "transpose_b": map[string]any{"b": true}}
	mm := s.op("mm", "_FusedMatMul", mmA, sq, s.float("wm", -0.5, 0.5, 5, 8), s.float("bm", -0.1, 0.1, 5))
	tr := s.op("tr", "Transpose", map[string]any{"Tperm": map[string]any{"type": "DT_INT32"}}, dw, s.int32s("perm", []int{4}, 0, 3, 1, 2))
	rs := s.op("rs", "Reshape", nil, tr, s.int32s("shape", []int{2}, 1, 192))
	m3 := s.op("m3", "MatMul", map[string]any{"transpose_a": map[string]any{"b": false}, "transpose_b": map[string]any{"b": false}}, rs, s.float("w3", -0.2, 0.2, 192, 5))
	th := s.op("th", "Tanh", nil, m3)
	sum := s.op("sum", "AddV2", nil, mm, th)
	sub := s.op("sub", "Sub", nil, sum, s.float("c", -0.1, 0.1, 5))
	div := s.op("div", "RealDiv", nil, sub, s.float("d", 1, 2, 5))
	s.op("out", "Softmax", nil, s.op("sig", "Sigmoid", nil, div))
	return s.write(t, "out")
}

func TestConvertRejectsUnsupportedOp(t *testing.T) {
	t.Parallel()
	s := newSynth()
	s.nodes = append(s.nodes, map[string]any{"name": "x", "op": "Placeholder", "attr": map[string]any{
		"dtype": map[string]any{"type": "DT_FLOAT"}, "shape": map[string]any{"shape": dims([]int{1, 4})}}})
	s.op("y", "Cumsum", nil, "x", s.int32s("axis", []int{}, 1))
	m, err := Load(s.write(t, "y"))
	require.NoError(t, err)
	_, err = Convert(m, Options{})
	require.ErrorContains(t, err, "op Cumsum is not supported")
}

func TestConvertIsDeterministic(t *testing.T) {
	t.Parallel()
	m, err := Load(opZoo(t))
	require.NoError(t, err)
	a, err := Convert(m, Options{NCHW: true})
	require.NoError(t, err)
	b, err := Convert(m, Options{NCHW: true})
	require.NoError(t, err)
	require.Equal(t, a, b)
	names, err := Intermediates(m, Options{})
	require.NoError(t, err)
	require.Equal(t, "out", names[len(names)-1])
	require.Len(t, names, 22) // every non-constant node but the placeholder
}

func TestDecodeWeightDequantizes(t *testing.T) {
	t.Parallel()
	// float16 1.0, -2.0, 0.5 and a subnormal.
	buf := []byte{0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0x01, 0x00}
	w := weightSpec{Name: "h", Shape: []int64{4}, Dtype: "float32"}
	w.Quantization = &struct {
		Dtype string  `json:"dtype"`
		Scale float64 `json:"scale"`
		Min   float64 `json:"min"`
	}{Dtype: "float16"}
	tn, n, err := decodeWeight(w, buf)
	require.NoError(t, err)
	require.Equal(t, 8, n)
	require.Equal(t, []float32{1, -2, 0.5, float32(math.Ldexp(1, -24))}, tn.F)
	w.Quantization.Dtype, w.Quantization.Scale, w.Quantization.Min = "uint8", 0.5, -1
	tn, n, err = decodeWeight(w, []byte{0, 2, 4, 255})
	require.NoError(t, err)
	require.Equal(t, 4, n)
	require.Equal(t, []float32{-1, 0, 1, 126.5}, tn.F)
	_, _, err = decodeWeight(w, []byte{0, 1})
	require.ErrorContains(t, err, "needs 4 bytes")
}

// sliceMask is StridedSlice's mask attributes.
func sliceMask(begin, end, shrink int) map[string]any {
	return map[string]any{"begin_mask": map[string]any{"i": strconv.Itoa(begin)}, "end_mask": map[string]any{"i": strconv.Itoa(end)},
		"shrink_axis_mask": map[string]any{"i": strconv.Itoa(shrink)}, "ellipsis_mask": map[string]any{"i": "0"}, "new_axis_mask": map[string]any{"i": "0"}}
}

func placeholder(s *synth, shape ...int) {
	s.nodes = append(s.nodes, map[string]any{"name": "x", "op": "Placeholder", "attr": map[string]any{
		"dtype": map[string]any{"type": "DT_FLOAT"}, "shape": map[string]any{"shape": dims(shape)}}})
}

// sliceZoo exercises StridedSlice the way Keras writes x[:, k] (SSR-Net's
// heads in Human's age model) and with begin/end masks, strides and a
// negative stride; the results are concatenated so every slice is an output.
// (TensorFlow.js 4.22 itself miscomputes a shrink axis combined with other
// strided axes, so that case is checked by hand in TestStridedSliceShrink.)
func sliceZoo(t *testing.T) string {
	s := newSynth()
	placeholder(s, -1, 9, 9, 4)
	// x[:, 2] → 1×9×4, then x[:, -1] of that (a shrink at begin −1) → 1×4.
	a := s.op("a", "StridedSlice", sliceMask(1, 1, 2), "x", s.int32s("a_b", []int{2}, 0, 2), s.int32s("a_e", []int{2}, 0, 3), s.int32s("a_s", []int{2}, 1, 1))
	a2 := s.op("a2", "StridedSlice", sliceMask(1, 1, 2), a, s.int32s("a2_b", []int{2}, 0, -1), s.int32s("a2_e", []int{2}, 0, 0), s.int32s("a2_s", []int{2}, 1, 1))
	// x[:, 1:7:2, ::-1, 1:] → 1×3×9×3.
	v4 := []int{4}
	b := s.op("b", "StridedSlice", sliceMask(1|4, 1|4, 0), "x", s.int32s("b_b", v4, 0, 1, 0, 1), s.int32s("b_e", v4, 0, 7, 0, 4), s.int32s("b_s", v4, 1, 2, -1, 1))
	bf := s.op("bf", "Reshape", nil, b, s.int32s("bf_shape", []int{2}, 1, 81))
	s.op("out", "ConcatV2", map[string]any{"N": map[string]any{"i": "2"}}, a2, bf, s.int32s("axis", []int{}, 1))
	return s.write(t, "out")
}

// shrinkSlice is x[:, 8:2:-3, :, 3] on a 1×9×9×4 input: a shrink axis after a
// negative stride.
func shrinkSlice(t *testing.T) string {
	s := newSynth()
	placeholder(s, 1, 9, 9, 4)
	v4 := []int{4}
	s.op("c", "StridedSlice", sliceMask(1|4, 1|4, 8), "x", s.int32s("c_b", v4, 0, 8, 0, 3), s.int32s("c_e", v4, 0, 2, 0, 4), s.int32s("c_s", v4, 1, -3, 1, 1))
	return s.write(t, "c")
}

func TestStridedSliceRejectsEllipsis(t *testing.T) {
	t.Parallel()
	s := newSynth()
	placeholder(s, 1, 4, 4)
	s.op("y", "StridedSlice", map[string]any{"ellipsis_mask": map[string]any{"i": "1"}}, "x",
		s.int32s("b", []int{2}, 0, 1), s.int32s("e", []int{2}, 0, 2), s.int32s("s", []int{2}, 1, 1))
	m, err := Load(s.write(t, "y"))
	require.NoError(t, err)
	_, err = Convert(m, Options{})
	require.ErrorContains(t, err, "ellipsis_mask 1 and new_axis_mask 0 are not supported")
}
