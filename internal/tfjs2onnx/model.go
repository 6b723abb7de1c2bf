package tfjs2onnx

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// Model is a parsed TensorFlow.js graph model with its weights decoded.
type Model struct {
	Nodes []Node
	// Outputs are the signature's output tensor names, if the file has them.
	Outputs []string
	// Consts holds every weight by node name.
	Consts map[string]*Tensor
}

// Node is one TensorFlow graph node.
type Node struct {
	Name  string
	Op    string
	Input []string
	Attr  map[string]Attr
}

// Attr is one TensorFlow attribute value as model.json spells it.
type Attr struct {
	S     string  `json:"s"`
	I     string  `json:"i"`
	F     float64 `json:"f"`
	B     bool    `json:"b"`
	Type  string  `json:"type"`
	Shape *struct {
		Dim []struct {
			Size string `json:"size"`
		} `json:"dim"`
	} `json:"shape"`
	List *struct {
		I []string  `json:"i"`
		S []string  `json:"s"`
		F []float64 `json:"f"`
	} `json:"list"`
}

// Tensor is a constant: float32 or int32 data with a shape.
type Tensor struct {
	Shape []int64
	F     []float32 // set for float tensors
	I     []int32   // set for int32 tensors
}

// Len is the number of elements the shape holds.
func (t *Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= int(d)
	}
	return n
}

type modelJSON struct {
	Format        string `json:"format"`
	ModelTopology struct {
		Node []struct {
			Name  string          `json:"name"`
			Op    string          `json:"op"`
			Input []string        `json:"input"`
			Attr  map[string]Attr `json:"attr"`
		} `json:"node"`
	} `json:"modelTopology"`
	Signature struct {
		Outputs map[string]struct {
			Name string `json:"name"`
		} `json:"outputs"`
	} `json:"signature"`
	WeightsManifest []weightGroup `json:"weightsManifest"`
}

// weightGroup is one entry of a weights manifest: shards read in order,
// then cut into the listed weights.
type weightGroup struct {
	Paths   []string     `json:"paths"`
	Weights []weightSpec `json:"weights"`
}

type weightSpec struct {
	Name         string  `json:"name"`
	Shape        []int64 `json:"shape"`
	Dtype        string  `json:"dtype"`
	Quantization *struct {
		Dtype string  `json:"dtype"`
		Scale float64 `json:"scale"`
		Min   float64 `json:"min"`
	} `json:"quantization"`
}

// Load reads model.json and its weight shards from the same directory.
func Load(path string) (*Model, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var mj modelJSON
	if err := json.Unmarshal(raw, &mj); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if mj.Format != "" && mj.Format != "graph-model" {
		return nil, fmt.Errorf("%s: format %q, want graph-model", path, mj.Format)
	}
	m := &Model{}
	for _, n := range mj.ModelTopology.Node {
		m.Nodes = append(m.Nodes, Node{Name: n.Name, Op: n.Op, Input: n.Input, Attr: n.Attr})
	}
	for _, o := range mj.Signature.Outputs {
		m.Outputs = append(m.Outputs, o.Name)
	}
	sort.Strings(m.Outputs) // a JSON object has no order; the ONNX file must not vary
	consts, err := readWeights(filepath.Dir(path), mj.WeightsManifest)
	if err != nil {
		return nil, err
	}
	m.Consts = consts
	return m, nil
}

// readWeights decodes every weight of a manifest, its shards read from dir.
func readWeights(dir string, groups []weightGroup) (map[string]*Tensor, error) {
	consts := map[string]*Tensor{}
	for _, g := range groups {
		var buf []byte
		for _, p := range g.Paths {
			b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
			if err != nil {
				return nil, fmt.Errorf("weights: %w", err)
			}
			buf = append(buf, b...)
		}
		for _, w := range g.Weights {
			t, n, err := decodeWeight(w, buf)
			if err != nil {
				return nil, fmt.Errorf("weight %s: %w", w.Name, err)
			}
			buf = buf[n:]
			consts[w.Name] = t
		}
		if len(buf) != 0 {
			return nil, fmt.Errorf("weights %v: %d bytes left over", g.Paths, len(buf))
		}
	}
	return consts, nil
}

// decodeWeight reads one weight from the front of buf and says how many
// bytes it took; quantized weights are dequantized to float32.
func decodeWeight(w weightSpec, buf []byte) (*Tensor, int, error) {
	t := &Tensor{Shape: w.Shape}
	n := t.Len()
	stored := w.Dtype
	if w.Quantization != nil {
		stored = w.Quantization.Dtype
	}
	size := map[string]int{"float32": 4, "int32": 4, "float16": 2, "uint16": 2, "uint8": 1}[stored]
	if size == 0 {
		return nil, 0, fmt.Errorf("unsupported dtype %s", stored)
	}
	if len(buf) < n*size {
		return nil, 0, fmt.Errorf("needs %d bytes, %d left", n*size, len(buf))
	}
	le := binary.LittleEndian
	if w.Dtype == "int32" && w.Quantization == nil {
		t.I = make([]int32, n)
		for i := range t.I {
			t.I[i] = int32(le.Uint32(buf[4*i:]))
		}
		return t, n * size, nil
	}
	if w.Dtype != "float32" {
		return nil, 0, fmt.Errorf("unsupported dtype %s (quantized as %s)", w.Dtype, stored)
	}
	t.F = make([]float32, n)
	for i := range t.F {
		switch stored {
		case "float32":
			t.F[i] = math.Float32frombits(le.Uint32(buf[4*i:]))
		case "float16":
			t.F[i] = halfToFloat(le.Uint16(buf[2*i:]))
		case "uint16":
			t.F[i] = float32(float64(le.Uint16(buf[2*i:]))*w.Quantization.Scale + w.Quantization.Min)
		case "uint8":
			t.F[i] = float32(float64(buf[i])*w.Quantization.Scale + w.Quantization.Min)
		default:
			return nil, 0, fmt.Errorf("unsupported dtype %s", stored)
		}
	}
	return t, n * size, nil
}

func halfToFloat(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0:
		e := uint32(127 - 15 + 1)
		for mant&0x400 == 0 {
			mant <<= 1
			e--
		}
		return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// str decodes a base64 string attribute.
func (a Attr) str() string {
	b, err := base64.StdEncoding.DecodeString(a.S)
	if err != nil {
		return a.S
	}
	return string(b)
}

// ints decodes an int list attribute.
func (a Attr) ints() ([]int64, error) {
	if a.List == nil {
		return nil, nil
	}
	out := make([]int64, len(a.List.I))
	for i, s := range a.List.I {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// strs decodes a base64 string list attribute.
func (a Attr) strs() []string {
	if a.List == nil {
		return nil
	}
	out := make([]string, len(a.List.S))
	for i, s := range a.List.S {
		out[i] = Attr{S: s}.str()
	}
	return out
}
