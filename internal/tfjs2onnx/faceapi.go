package tfjs2onnx

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// FaceAPIDir is the directory under ${KYCD_CACHE_DIR}/models where
// scripts/setup/faceapi.sh installs @vladmandic/face-api's recognition
// network (the weights and faceapi-recognition.onnx).
const FaceAPIDir = "face-api-1.7.15"

// FaceAPIRecognitionInput is the side of the square RGB input of
// face-api.js's FaceRecognitionNet (dlib's 150×150 face chip).
const FaceAPIRecognitionInput = 150

// LoadFaceAPIRecognition reads face-api.js's FaceRecognitionNet — the
// ResNet-34-like network of dlib's face recognition model, ported to
// TensorFlow.js — from its weights manifest and the shards beside it, and
// returns it as a graph model Convert can translate.
//
// Unlike a graph model, that format holds only the weights: the network is
// code (face-api.js's src/faceRecognitionNet). buildFaceAPIRecognition
// writes the same network as graph nodes; the reference test runs the
// package's own JavaScript on the same input and compares the outputs.
// The graph's input is "input" (1×150×150×3, RGB 0–255); its output
// "descriptor" (1×128) is not normalised (the package compares descriptors
// by Euclidean distance, which dlib trained for).
func LoadFaceAPIRecognition(manifestPath string) (*Model, error) {
	raw, err := os.ReadFile(manifestPath)
	if err != nil {
		return nil, err
	}
	var groups []weightGroup
	if err := json.Unmarshal(raw, &groups); err != nil {
		return nil, fmt.Errorf("%s: not a weights manifest: %w", manifestPath, err)
	}
	consts, err := readWeights(filepath.Dir(manifestPath), groups)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", manifestPath, err)
	}
	return buildFaceAPIRecognition(consts)
}

// graphBuilder appends TensorFlow nodes to a Model, spelling attributes as
// model.json does (strings base64, integers as decimal strings).
type graphBuilder struct {
	m *Model
}

func (b *graphBuilder) node(name, op string, attr map[string]Attr, in ...string) string {
	b.m.Nodes = append(b.m.Nodes, Node{Name: name, Op: op, Input: in, Attr: attr})
	return name
}

func (b *graphBuilder) constant(name string, t *Tensor) string {
	b.m.Consts[name] = t
	return b.node(name, "Const", nil)
}

func tfString(s string) Attr { return Attr{S: base64.StdEncoding.EncodeToString([]byte(s))} }

func tfInts(v ...int64) Attr {
	a := Attr{List: &struct {
		I []string  `json:"i"`
		S []string  `json:"s"`
		F []float64 `json:"f"`
	}{}}
	for _, x := range v {
		a.List.I = append(a.List.I, strconv.FormatInt(x, 10))
	}
	return a
}

// weight returns the named weight's Const node after checking its shape;
// every weight of the network is used once.
func (b *graphBuilder) weight(name string, shape ...int64) (string, error) {
	t := b.m.Consts[name]
	if t == nil || t.F == nil {
		return "", fmt.Errorf("weight %s: missing from the manifest", name)
	}
	if !slices.Equal(t.Shape, shape) {
		return "", fmt.Errorf("weight %s: shape %v, want %v", name, t.Shape, shape)
	}
	return b.node(name, "Const", nil), nil
}

// faceAPIRecognition mirrors FaceRecognitionNet.forwardInput, tracking the
// static shape (side × side × channels) to place residualDown's padding.
type faceAPIRecognition struct {
	graphBuilder
	side, ch int64
}

// convLayer is face-api's convLayer: conv + bias, then the scale layer
// (x·weights + biases, dlib's affine layer), then an optional ReLU.
func (f *faceAPIRecognition) convLayer(x, p string, k, out, stride int64, relu bool, padding string) (string, error) {
	filters, err := f.weight(p+"/conv/filters", k, k, f.ch, out)
	if err != nil {
		return "", err
	}
	bias, err := f.weight(p+"/conv/bias", out)
	if err != nil {
		return "", err
	}
	sw, err := f.weight(p+"/scale/weights", out)
	if err != nil {
		return "", err
	}
	sb, err := f.weight(p+"/scale/biases", out)
	if err != nil {
		return "", err
	}
	y := f.node(p+"/conv", "Conv2D", map[string]Attr{"strides": tfInts(1, stride, stride, 1), "padding": tfString(padding)}, x, filters)
	y = f.node(p+"/bias", "Add", nil, y, bias)
	y = f.node(p+"/scale/mul", "Mul", nil, y, sw)
	y = f.node(p+"/scale", "Add", nil, y, sb)
	if padding == "VALID" {
		f.side = (f.side-k)/stride + 1
	} else {
		f.side = (f.side + stride - 1) / stride
	}
	f.ch = out
	if relu {
		y = f.node(p+"/relu", "Relu", nil, y)
	}
	return y, nil
}

func (f *faceAPIRecognition) residual(x, p string) (string, error) {
	y, err := f.convLayer(x, p+"/conv1", 3, f.ch, 1, true, "SAME")
	if err != nil {
		return "", err
	}
	if y, err = f.convLayer(y, p+"/conv2", 3, f.ch, 1, false, "SAME"); err != nil {
		return "", err
	}
	return f.node(p+"/out", "Relu", nil, f.node(p+"/add", "Add", nil, y, x)), nil
}

// residualDown halves the side with a strided convolution; the shortcut is a
// 2×2 average pool, zero-padded to the new channel count, and the main path
// is zero-padded by one row and column where its side came out smaller
// than the pool's (face-api.js's isAdjustShape).
func (f *faceAPIRecognition) residualDown(x, p string, out int64) (string, error) {
	inSide, inCh := f.side, f.ch
	y, err := f.convLayer(x, p+"/conv1", 3, out, 2, true, "VALID")
	if err != nil {
		return "", err
	}
	if y, err = f.convLayer(y, p+"/conv2", 3, out, 1, false, "SAME"); err != nil {
		return "", err
	}
	pool := f.node(p+"/shortcut", "AvgPool", map[string]Attr{"ksize": tfInts(1, 2, 2, 1), "strides": tfInts(1, 2, 2, 1), "padding": tfString("VALID")}, x)
	poolSide := inSide / 2
	pad := func(name, in string, h, c int64) string {
		paddings := f.constant(name+"/paddings", &Tensor{Shape: []int64{4, 2}, I: []int32{0, 0, 0, int32(h), 0, int32(h), 0, int32(c)}})
		return f.node(name, "Pad", nil, in, paddings)
	}
	if poolSide != f.side {
		if poolSide != f.side+1 {
			return "", fmt.Errorf("%s: main path %d×%d against shortcut %d×%d", p, f.side, f.side, poolSide, poolSide)
		}
		y = pad(p+"/adjust", y, 1, 0)
		f.side = poolSide
	}
	if inCh != out {
		pool = pad(p+"/shortcut/pad", pool, 0, out-inCh)
	}
	return f.node(p+"/out", "Relu", nil, f.node(p+"/add", "Add", nil, pool, y)), nil
}

func buildFaceAPIRecognition(consts map[string]*Tensor) (*Model, error) {
	f := &faceAPIRecognition{graphBuilder: graphBuilder{m: &Model{Consts: consts, Outputs: []string{"descriptor"}}}, side: FaceAPIRecognitionInput, ch: 3}
	shape := Attr{Shape: &struct {
		Dim []struct {
			Size string `json:"size"`
		} `json:"dim"`
	}{}}
	for _, d := range []int64{1, FaceAPIRecognitionInput, FaceAPIRecognitionInput, 3} {
		shape.Shape.Dim = append(shape.Shape.Dim, struct {
			Size string `json:"size"`
		}{strconv.FormatInt(d, 10)})
	}
	x := f.node("input", "Placeholder", map[string]Attr{"shape": shape})
	// normalize(x, [122.782, 117.001, 104.298]) / 255
	mean := f.constant("normalize/mean", &Tensor{Shape: []int64{3}, F: []float32{122.782, 117.001, 104.298}})
	scale := f.constant("normalize/scale", &Tensor{Shape: []int64{}, F: []float32{255}})
	x = f.node("normalize", "RealDiv", nil, f.node("normalize/sub", "Sub", nil, x, mean), scale)
	x, err := f.convLayer(x, "conv32_down", 7, 32, 2, true, "VALID")
	if err != nil {
		return nil, err
	}
	x = f.node("maxpool", "MaxPool", map[string]Attr{"ksize": tfInts(1, 3, 3, 1), "strides": tfInts(1, 2, 2, 1), "padding": tfString("VALID")}, x)
	f.side = (f.side-3)/2 + 1
	for _, s := range []struct {
		name string
		down int64 // output channels of a residualDown; 0 for a residual block
	}{
		{"conv32_1", 0}, {"conv32_2", 0}, {"conv32_3", 0},
		{"conv64_down", 64}, {"conv64_1", 0}, {"conv64_2", 0}, {"conv64_3", 0},
		{"conv128_down", 128}, {"conv128_1", 0}, {"conv128_2", 0},
		{"conv256_down", 256}, {"conv256_1", 0}, {"conv256_2", 0},
		{"conv256_down_out", 256},
	} {
		if s.down > 0 {
			x, err = f.residualDown(x, s.name, s.down)
		} else {
			x, err = f.residual(x, s.name)
		}
		if err != nil {
			return nil, err
		}
	}
	axes := f.constant("global_avg/axes", &Tensor{Shape: []int64{2}, I: []int32{1, 2}})
	x = f.node("global_avg", "Mean", nil, x, axes)
	fc, err := f.weight("fc", f.ch, 128)
	if err != nil {
		return nil, err
	}
	f.node("descriptor", "MatMul", nil, x, fc)
	return f.m, nil
}
