package onnx

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadModelHashesAndNamesMissingFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "m.onnx")
	require.NoError(t, os.WriteFile(p, []byte("abc"), 0o644))
	_, info, err := readModel(p, "m", "src")
	require.NoError(t, err)
	// sha256("abc")
	require.Equal(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", info.SHA256)
	require.Equal(t, int64(3), info.Bytes)
	require.Equal(t, "src", info.Source)
	_, _, err = readModel(filepath.Join(dir, "missing.onnx"), "x", "")
	require.ErrorContains(t, err, "missing.onnx not found")
	require.ErrorContains(t, err, "scripts/setup/onnx.sh")
}

func TestCacheDirHonoursEnv(t *testing.T) {
	t.Setenv("KYCD_CACHE_DIR", "/opt/kycd-cache")
	require.Equal(t, "/opt/kycd-cache", CacheDir())
	require.Equal(t, "/opt/kycd-cache/onnxruntime/libonnxruntime.so.1", DefaultLibraryPath())
}

func TestOpenRejectsBadOptions(t *testing.T) {
	t.Parallel()
	_, err := Open(Options{LibraryPath: "/nonexistent/libonnxruntime.so.1", Threads: 1})
	require.Error(t, err)
	if err == ErrNotAvailable {
		return
	}
	require.ErrorContains(t, err, "/nonexistent/libonnxruntime.so.1")
	_, err = Open(Options{Threads: -1})
	require.ErrorContains(t, err, "threads")
}
