package tfjs2onnx

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// ONNX data types used here (onnx.proto TensorProto.DataType).
const (
	onnxFloat = 1
	onnxInt32 = 6
	onnxInt64 = 7
)

// onnxNode is one ONNX NodeProto.
type onnxNode struct {
	Op      string
	Name    string
	Inputs  []string
	Outputs []string
	Attrs   []onnxAttr
}

// onnxAttr is an INT, INTS, FLOAT or STRING attribute (the set the converter emits).
type onnxAttr struct {
	Name  string
	Ints  []int64
	Int   *int64
	Float *float32
	Str   string
}

func attrInt(name string, v int64) onnxAttr     { return onnxAttr{Name: name, Int: &v} }
func attrInts(name string, v ...int64) onnxAttr { return onnxAttr{Name: name, Ints: v} }
func attrFloat(name string, v float32) onnxAttr { return onnxAttr{Name: name, Float: &v} }
func attrString(name string, v string) onnxAttr { return onnxAttr{Name: name, Str: v} }

// initializer is a constant tensor of the graph.
type initializer struct {
	Name  string
	Dims  []int64
	Float []float32
	Int64 []int64
}

// valueInfo names a graph input or output; a nil shape leaves it unknown,
// a negative dimension is symbolic.
type valueInfo struct {
	Name  string
	Elem  int
	Shape []int64
}

// graph is everything an ONNX ModelProto needs.
type graph struct {
	Name    string
	Nodes   []onnxNode
	Inits   []initializer
	Inputs  []valueInfo
	Outputs []valueInfo
	Opset   int64
	Doc     string
}

func appendString(b []byte, field protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendBytes(b []byte, field protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, field, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func appendVarint(b []byte, field protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendPackedInts(b []byte, field protowire.Number, v []int64) []byte {
	var p []byte
	for _, x := range v {
		p = protowire.AppendVarint(p, uint64(x))
	}
	return appendBytes(b, field, p)
}

// marshal encodes the graph as an ONNX ModelProto (IR version 8).
func (g *graph) marshal() []byte {
	var gb []byte
	for _, n := range g.Nodes {
		var nb []byte
		for _, in := range n.Inputs {
			nb = appendString(nb, 1, in)
		}
		for _, out := range n.Outputs {
			nb = appendString(nb, 2, out)
		}
		nb = appendString(nb, 3, n.Name)
		nb = appendString(nb, 4, n.Op)
		for _, a := range n.Attrs {
			var ab []byte
			ab = appendString(ab, 1, a.Name)
			switch {
			case a.Float != nil:
				ab = protowire.AppendTag(ab, 2, protowire.Fixed32Type)
				ab = protowire.AppendFixed32(ab, math.Float32bits(*a.Float))
				ab = appendVarint(ab, 20, 1)
			case a.Int != nil:
				ab = appendVarint(ab, 3, uint64(*a.Int))
				ab = appendVarint(ab, 20, 2)
			case a.Str != "":
				ab = appendBytes(ab, 4, []byte(a.Str))
				ab = appendVarint(ab, 20, 3)
			default:
				ab = appendPackedInts(ab, 8, a.Ints)
				ab = appendVarint(ab, 20, 7)
			}
			nb = appendBytes(nb, 5, ab)
		}
		gb = appendBytes(gb, 1, nb)
	}
	gb = appendString(gb, 2, g.Name)
	for _, t := range g.Inits {
		var tb []byte
		tb = appendPackedInts(tb, 1, t.Dims)
		var raw []byte
		if t.Int64 != nil {
			tb = appendVarint(tb, 2, onnxInt64)
			raw = make([]byte, 8*len(t.Int64))
			for i, v := range t.Int64 {
				binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
			}
		} else {
			tb = appendVarint(tb, 2, onnxFloat)
			raw = make([]byte, 4*len(t.Float))
			for i, v := range t.Float {
				binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
			}
		}
		tb = appendString(tb, 8, t.Name)
		tb = appendBytes(tb, 9, raw)
		gb = appendBytes(gb, 5, tb)
	}
	if g.Doc != "" {
		gb = appendString(gb, 10, g.Doc)
	}
	vi := func(v valueInfo) []byte {
		var tt []byte
		tt = appendVarint(tt, 1, uint64(v.Elem))
		if v.Shape != nil {
			var sb []byte
			for i, d := range v.Shape {
				var db []byte
				if d >= 0 {
					db = appendVarint(db, 1, uint64(d))
				} else {
					db = appendString(db, 2, "d"+string(rune('0'+i)))
				}
				sb = appendBytes(sb, 1, db)
			}
			tt = appendBytes(tt, 2, sb)
		}
		var vb []byte
		vb = appendString(vb, 1, v.Name)
		vb = appendBytes(vb, 2, appendBytes(nil, 1, tt))
		return vb
	}
	for _, v := range g.Inputs {
		gb = appendBytes(gb, 11, vi(v))
	}
	for _, v := range g.Outputs {
		gb = appendBytes(gb, 12, vi(v))
	}
	var mb []byte
	mb = appendVarint(mb, 1, 8) // ir_version
	mb = appendString(mb, 2, "kycd-tfjs2onnx")
	mb = appendBytes(mb, 7, gb)
	var ob []byte
	ob = appendString(ob, 1, "")
	ob = appendVarint(ob, 2, uint64(g.Opset))
	mb = appendBytes(mb, 8, ob)
	return mb
}
