//go:build onnx

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/liveness"
)

// writeCapture lays out a capture folder: n copies of one photo, the steps and optional times.
func writeCapture(t *testing.T, dir string, photo []byte, n int, steps, times string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for i := range n {
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("frame%03d.jpg", i)), photo, 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "steps.txt"), []byte(steps), 0o644))
	if times != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "times.txt"), []byte(times), 0o644))
	}
	return dir
}

// The captures command reads recorded captures as the service would receive them and judges
// them with the active check; a "capture" that is one photo repeated never passes, and a
// malformed folder is an error naming the file and the problem.
func TestCapturesCommand(t *testing.T) {
	photo, err := os.ReadFile(filepath.Join(testdataDir(), "faces", "face_recognition", "tests", "test_images", "obama.jpg"))
	require.NoError(t, err)
	root := t.TempDir()
	still := writeCapture(t, filepath.Join(root, "still"), photo, 10, "turn_left,blink,turn_right", "0,200,400,600,800,1000,1200,1400,1600,1800")
	c, err := readCapture(still)
	require.NoError(t, err)
	require.Equal(t, []liveness.Step{liveness.TurnLeft, liveness.Blink, liveness.TurnRight}, c.Steps)
	require.Len(t, c.Frames, 10)
	require.Len(t, c.Times, 10)
	eng, err := face.New(face.Config{})
	require.NoError(t, err)
	defer func() { _ = eng.Close() }()
	r, err := judgeCapture(eng, c, liveness.ActiveConfig{})
	require.NoError(t, err)
	require.False(t, r.Passed, "one photo repeated is not a live capture")
	require.NotEmpty(t, r.Reason)

	for name, tc := range map[string]struct {
		steps, times string
		n            int
		want         string
	}{
		"unknown step": {"turn_left,wink", "", 10, `unknown step "wink"`},
		"too few":      {"blink", "", 3, "3 frames"},
		"times":        {"blink", "0,200", 10, "2 times for 10 frames"},
		"bad time":     {"blink", "0,x", 10, `"x" is not a time`},
	} {
		_, err := readCapture(writeCapture(t, filepath.Join(root, "bad", strings.ReplaceAll(name, " ", "_")), photo, tc.n, tc.steps, tc.times))
		require.ErrorContains(t, err, tc.want, name)
	}
	_, err = readCapture(t.TempDir())
	require.ErrorContains(t, err, "steps.txt")
}
