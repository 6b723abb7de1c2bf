//go:build !onnx

package onnx

// Runtime is unavailable in a build without the "onnx" tag.
type Runtime struct{}

// Open always fails with ErrNotAvailable in this build.
func Open(Options) (*Runtime, error) { return nil, ErrNotAvailable }

// Version reports that no runtime is loaded.
func (r *Runtime) Version() string { return "" }

// Close does nothing.
func (r *Runtime) Close() error { return nil }

// Model is unavailable in a build without the "onnx" tag.
type Model struct{ Info ModelInfo }

// Load always fails with ErrNotAvailable in this build.
func (r *Runtime) Load(path, name, source string, opt Optimization) (*Model, error) {
	return nil, ErrNotAvailable
}

// Inputs is empty in this build.
func (m *Model) Inputs() []IO { return nil }

// Outputs is empty in this build.
func (m *Model) Outputs() []IO { return nil }

// Run always fails with ErrNotAvailable in this build.
func (m *Model) Run([]float32, ...int64) (map[string][]float32, error) {
	return nil, ErrNotAvailable
}

// Close does nothing.
func (m *Model) Close() error { return nil }
