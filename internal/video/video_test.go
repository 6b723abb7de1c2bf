package video

import (
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScaledFramesRefusesBadArguments(t *testing.T) {
	for _, c := range []struct {
		rate, scale float64
		want        string
	}{{-1, 1, "rate -1"}, {5, 0, "scale 0"}, {5, -0.5, "scale -0.5"}, {5, 5, "scale 5"}} {
		_, _, err := ScaledFrames("any.mp4", t.TempDir(), c.rate, c.scale)
		require.ErrorContains(t, err, c.want)
	}
}

// The recorded videos (scripts/setup/videos.sh, part of the test set-up) decode at the rate and
// size asked for.
func TestScaledFramesOfARecording(t *testing.T) {
	path := filepath.Join(Recorded(), "cap13_edit2.mp4")
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the set-up installs the recorded videos (scripts/setup/videos.sh): %v", err)
		}
		t.Skipf("no recorded videos: %v", err)
	}
	frames, fps, err := ScaledFrames(path, t.TempDir(), 2, 0.5)
	require.NoError(t, err)
	require.Equal(t, 2.0, fps)
	require.InDelta(t, 62, len(frames), 2, "31 s at 2 frames a second")
	f, err := os.Open(frames[0])
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	cfg, err := jpeg.DecodeConfig(f)
	require.NoError(t, err)
	require.Equal(t, [2]int{200, 150}, [2]int{cfg.Width, cfg.Height}, "400×300 halved")

	_, _, err = Frames(filepath.Join(t.TempDir(), "missing.mp4"), t.TempDir(), 0)
	require.Error(t, err)
}
