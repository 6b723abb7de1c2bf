// Package onnx wraps ONNX Runtime (through github.com/yalue/onnxruntime_go)
// for the face, liveness and age engines: one process-wide runtime
// environment, sessions loaded once from a file whose SHA-256 is recorded, and
// a Run that is safe for concurrent callers.
//
// Design: everything touching cgo is behind the build tag "onnx"; without it
// Open returns ErrNotAvailable, so a pure-Go build still compiles and says why
// the engine is missing. Run allocates its tensors per call (onnxruntime's
// Session.Run is thread-safe, shared pre-allocated tensors would not be), and
// sessions disable intra-op spinning, which on 2 shared cores cut the full
// chain from ~252 ms to ~93 ms.
package onnx
