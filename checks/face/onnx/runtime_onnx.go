//go:build onnx

package onnx

import (
	"errors"
	"fmt"
	"os"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// The ONNX Runtime environment is process-wide; these guard its lifetime.
var (
	envMu   sync.Mutex
	envRefs int
	envLib  string
)

// Runtime is a handle on the process-wide ONNX Runtime environment.
type Runtime struct {
	threads int
	once    sync.Once
}

// Open loads the shared library (once per process) and returns a handle.
// Every Open must be paired with Close; the environment is torn down when
// the last handle closes.
func Open(o Options) (*Runtime, error) {
	lib := o.LibraryPath
	if lib == "" {
		lib = DefaultLibraryPath()
	}
	if o.Threads < 0 || o.Threads > 256 {
		return nil, fmt.Errorf("onnx runtime: threads %d out of range 0..256", o.Threads)
	}
	threads := o.Threads
	if threads == 0 {
		threads = 1
	}
	envMu.Lock()
	defer envMu.Unlock()
	if envRefs > 0 {
		if lib != envLib {
			return nil, fmt.Errorf("onnx runtime: already loaded from %s, cannot also load %s in one process", envLib, lib)
		}
		envRefs++
		return &Runtime{threads: threads}, nil
	}
	if _, err := os.Stat(lib); err != nil {
		return nil, fmt.Errorf("onnx runtime: library %s not found (run scripts/setup/onnx.sh or set LibraryPath): %w", lib, err)
	}
	ort.SetSharedLibraryPath(lib)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return nil, fmt.Errorf("onnx runtime: initialize from %s: %w", lib, err)
	}
	envRefs, envLib = 1, lib
	return &Runtime{threads: threads}, nil
}

// Version is the loaded ONNX Runtime version.
func (r *Runtime) Version() string { return ort.GetVersion() }

// Close releases this handle; safe to call twice.
func (r *Runtime) Close() error {
	var err error
	r.once.Do(func() {
		envMu.Lock()
		defer envMu.Unlock()
		envRefs--
		if envRefs == 0 {
			err = ort.DestroyEnvironment()
			envLib = ""
		}
	})
	return err
}

// Model is one loaded ONNX model; Run is safe for concurrent use.
type Model struct {
	Info    ModelInfo
	inputs  []IO
	outputs []IO
	sess    *ort.DynamicAdvancedSession
}

// Load reads the model at path, checks that it has exactly one float input,
// and creates a session optimised at level opt. name and source are
// recorded in Info.
func (r *Runtime) Load(path, name, source string, opt Optimization) (*Model, error) {
	var level ort.GraphOptimizationLevel
	switch opt {
	case OptimizeAll:
		level = ort.GraphOptimizationLevelEnableAll
	case OptimizeExtended:
		level = ort.GraphOptimizationLevelEnableExtended
	case OptimizeBasic:
		level = ort.GraphOptimizationLevelEnableBasic
	default:
		return nil, fmt.Errorf("model %s: unknown optimization level %d", name, opt)
	}
	data, info, err := readModel(path, name, source)
	if err != nil {
		return nil, err
	}
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(data)
	if err != nil {
		return nil, fmt.Errorf("model %s (%s): not a loadable ONNX model: %w", name, path, err)
	}
	if len(ins) != 1 {
		return nil, fmt.Errorf("model %s: has %d inputs, the engine feeds exactly 1", name, len(ins))
	}
	m := &Model{Info: info}
	var inNames, outNames []string
	for _, in := range ins {
		if in.DataType != ort.TensorElementDataTypeFloat {
			return nil, fmt.Errorf("model %s: input %q is %s, want float32", name, in.Name, in.DataType)
		}
		m.inputs = append(m.inputs, IO{Name: in.Name, Shape: append([]int64(nil), in.Dimensions...)})
		inNames = append(inNames, in.Name)
	}
	for _, out := range outs {
		if out.DataType != ort.TensorElementDataTypeFloat {
			return nil, fmt.Errorf("model %s: output %q is %s, want float32", name, out.Name, out.DataType)
		}
		m.outputs = append(m.outputs, IO{Name: out.Name, Shape: append([]int64(nil), out.Dimensions...)})
		outNames = append(outNames, out.Name)
	}
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("model %s: session options: %w", name, err)
	}
	defer func() { _ = opts.Destroy() }()
	for _, step := range []struct {
		what string
		fn   func() error
	}{
		{"intra-op threads", func() error { return opts.SetIntraOpNumThreads(r.threads) }},
		{"inter-op threads", func() error { return opts.SetInterOpNumThreads(1) }},
		{"graph optimization", func() error { return opts.SetGraphOptimizationLevel(level) }},
		// Spinning threads burn the shared cores while waiting for work.
		{"allow_spinning", func() error { return opts.AddSessionConfigEntry("session.intra_op.allow_spinning", "0") }},
		{"inter_op allow_spinning", func() error { return opts.AddSessionConfigEntry("session.inter_op.allow_spinning", "0") }},
	} {
		if err := step.fn(); err != nil {
			return nil, fmt.Errorf("model %s: set %s: %w", name, step.what, err)
		}
	}
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(data, inNames, outNames, opts)
	if err != nil {
		return nil, fmt.Errorf("model %s: create session: %w", name, err)
	}
	m.sess = sess
	return m, nil
}

// Inputs lists the model's inputs as declared in the file.
func (m *Model) Inputs() []IO { return m.inputs }

// Outputs lists the model's outputs as declared in the file.
func (m *Model) Outputs() []IO { return m.outputs }

// Run feeds one float32 tensor of the given shape and returns every output
// by name. Tensors are created per call so concurrent Runs share nothing.
func (m *Model) Run(input []float32, shape ...int64) (map[string][]float32, error) {
	if m == nil || m.sess == nil {
		return nil, errors.New("onnx: model not loaded")
	}
	in, err := ort.NewTensor(ort.NewShape(shape...), input)
	if err != nil {
		return nil, fmt.Errorf("model %s: input tensor %v: %w", m.Info.Name, shape, err)
	}
	defer func() { _ = in.Destroy() }()
	outs := make([]ort.Value, len(m.outputs))
	if err := m.sess.Run([]ort.Value{in}, outs); err != nil {
		return nil, fmt.Errorf("model %s: run: %w", m.Info.Name, err)
	}
	res := make(map[string][]float32, len(outs))
	for i, v := range outs {
		t, ok := v.(*ort.Tensor[float32])
		if !ok {
			for _, o := range outs {
				if o != nil {
					_ = o.Destroy()
				}
			}
			return nil, fmt.Errorf("model %s: output %q is not a float32 tensor", m.Info.Name, m.outputs[i].Name)
		}
		res[m.outputs[i].Name] = append([]float32(nil), t.GetData()...)
		_ = t.Destroy()
	}
	return res, nil
}

// Close frees the session; safe to call twice.
func (m *Model) Close() error {
	if m == nil || m.sess == nil {
		return nil
	}
	err := m.sess.Destroy()
	m.sess = nil
	return err
}
