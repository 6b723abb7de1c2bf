package onnx

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrNotAvailable is returned by Open in a build without the "onnx" tag.
var ErrNotAvailable = errors.New("face engine not available in this build (rebuild with -tags onnx and run scripts/setup/onnx.sh)")

// Options configure the runtime.
type Options struct {
	// LibraryPath is libonnxruntime.so; default DefaultLibraryPath().
	LibraryPath string
	// Threads is the intra-op thread count per session run; 0 means 1,
	// because several requests usually run at once on few cores.
	Threads int
}

// Optimization is ONNX Runtime's graph optimization level for one model.
// The best level depends on the model: level "all" adds an NCHWc layout
// rewrite that made the detector 3× faster but the MobileFaceNet embedding
// 3× slower on the same CPU (bench/face/modelinfo -time).
type Optimization int

// Graph optimization levels; the zero value is OptimizeAll.
const (
	OptimizeAll Optimization = iota
	OptimizeExtended
	OptimizeBasic
)

// ModelInfo identifies the exact model file a result was computed with.
type ModelInfo struct {
	Name   string `json:"name"`
	Source string `json:"source,omitempty"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// IO describes one model input or output tensor; -1 marks a dynamic dimension.
type IO struct {
	Name  string  `json:"name"`
	Shape []int64 `json:"shape"`
}

// CacheDir is ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}, where setup installs things.
func CacheDir() string {
	if d := os.Getenv("KYCD_CACHE_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return filepath.Join(os.TempDir(), "kycd-cache")
	}
	return filepath.Join(home, ".cache", "kycd")
}

// DefaultLibraryPath is where scripts/setup/onnx.sh installs ONNX Runtime.
func DefaultLibraryPath() string {
	return filepath.Join(CacheDir(), "onnxruntime", "libonnxruntime.so.1")
}

// readModel reads a model file and fingerprints it.
func readModel(path, name, source string) ([]byte, ModelInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, ModelInfo{}, fmt.Errorf("model %s: file %s not found (run scripts/setup.sh — scripts/setup/onnx.sh, scripts/setup/faceapi.sh and scripts/setup/facemodels.sh; the candidates only the benchmarks compare need facemodels.sh --test — or set the model path)", name, path)
		}
		return nil, ModelInfo{}, fmt.Errorf("model %s: read %s: %w", name, path, err)
	}
	sum := sha256.Sum256(data)
	return data, ModelInfo{Name: name, Source: source, SHA256: hex.EncodeToString(sum[:]), Bytes: int64(len(data))}, nil
}
