//go:build onnx

package liveness

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// frameScene is Observe's Scene alone (the box and landmarks it needs, not the embedding,
// eyes and pose): the same fingerprint at a fraction of the cost, for the evaluations. nil
// when the frame has no usable face (Observe would give it a reason).
func frameSceneOnly(t *testing.T, c *Checker, img *imaging.RGB) *Scene {
	t.Helper()
	a, err := c.eng.Analyze(img, face.KindSelfie, face.Want{IgnoreQuality: true})
	require.NoError(t, err)
	switch a.Quality.Reason {
	case face.ReasonNoFace, face.ReasonMultipleFaces, face.ReasonFaceTooSmall:
		return nil
	}
	return FrameScene(img, a.Face.Box, a.Face.Landmarks[:])
}

// sceneVerdict is VerifySequence's scene test on its own (the same two loops, the same
// order): whether it cuts the capture, where and why, with the lowest background
// continuity, the largest chromaticity shift, and the largest raw (un-normalised) shift of
// the nose's chromaticity, the test as it was first written.
type sceneVerdict struct {
	cut                    bool
	why                    string
	at                     int
	minCont, maxShift, raw float64
}

func judgeScenes(s []*Scene, cfg ActiveConfig) sceneVerdict {
	v := sceneVerdict{minCont: math.Inf(1), at: -1}
	for i := 1; i < len(s); i++ {
		if c, ok := SceneContinuity(s[i-1], s[i]); ok {
			v.minCont = math.Min(v.minCont, c)
			if c < cfg.SceneContinuity && !v.cut {
				v.cut, v.why, v.at = true, "background", i
			}
		}
	}
	for i := 1; i < len(s); i++ {
		d := ChromaShift(s[i-1], s[i])
		v.maxShift = math.Max(v.maxShift, d)
		v.raw = math.Max(v.raw, rawChromaShift(s[i-1], s[i]))
		if d > cfg.MaxChromaShift && !v.cut {
			v.cut, v.why, v.at = true, "light", i
		}
	}
	return v
}

// rawChromaShift is the distance between the two frames' raw nose chromaticities.
func rawChromaShift(a, b *Scene) float64 {
	if a == nil || b == nil || a.Chroma == [2]float64{} || b.Chroma == [2]float64{} {
		return 0
	}
	return math.Hypot(a.Chroma[0]-b.Chroma[0], a.Chroma[1]-b.Chroma[1])
}

// captureMotions are the head's movements of the bona fide proxy: held still (the hand's
// jitter only), and turning (the warp evaluation's ramp, 0° → 50° → −50° by cylinder warps of
// the still, 15–20° a frame) so the camera's adaptation lands on turning frames.
var captureMotions = []struct {
	name   string
	angles []float64
}{
	{"still", make([]float64, 10)},
	{"turn", attackAngles["ramp"]},
}

// cameraCapture renders and fingerprints one simulated capture; ok is false when a frame
// has no usable face (the capture would fail as bad_frame, not scene_cut).
func cameraCapture(t *testing.T, c *Checker, img *imaging.RGB, angles []float64, cam camera, seed int) ([]*Scene, bool) {
	t.Helper()
	boxes, err := c.eng.Detect(img)
	require.NoError(t, err)
	if len(boxes) == 0 {
		return nil, false
	}
	b := boxes[0]
	var out []*Scene
	for _, f := range captureFrames(img, (b.X1+b.X2)/2, 0.6*b.W(), angles, cam, seed) {
		s := frameSceneOnly(t, c, f)
		if s == nil {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// cameraEval is the bona fide proxy over photos: per camera and motion, the captures judged,
// those scene_cut would fail, and the extremes.
type cameraEval struct {
	n, cut     int
	byWhy      map[string]int
	minCont    float64
	maxShift   float64
	maxRaw     float64
	rawOverOld int // captures whose raw shift exceeds the old threshold (the test as it was)
	lines      []string
}

func evalCameras(t *testing.T, c *Checker, photos []string, cfg ActiveConfig) map[string]*cameraEval {
	t.Helper()
	out := map[string]*cameraEval{}
	for pi, p := range photos {
		img := decodePath(t, p)
		for _, m := range captureMotions {
			for ci, cam := range cameras {
				key := m.name + " / " + cam.name
				ev := out[key]
				if ev == nil {
					ev = &cameraEval{byWhy: map[string]int{}, minCont: math.Inf(1)}
					out[key] = ev
				}
				s, ok := cameraCapture(t, c, img, m.angles, cam, 7*pi+ci)
				if !ok {
					ev.lines = append(ev.lines, fmt.Sprintf("%s %s: a frame without a usable face, not judged", filepath.Base(p), key))
					continue
				}
				v := judgeScenes(s, cfg)
				ev.n++
				if v.cut {
					ev.cut++
					ev.byWhy[v.why]++
				}
				ev.minCont = math.Min(ev.minCont, v.minCont)
				ev.maxShift = math.Max(ev.maxShift, v.maxShift)
				ev.maxRaw = math.Max(ev.maxRaw, v.raw)
				if v.raw > 0.012 {
					ev.rawOverOld++
				}
				ev.lines = append(ev.lines, fmt.Sprintf("%s %s: cut=%v %s at %d, continuity min %.3f, chroma shift max %.4f (raw %.4f)",
					filepath.Base(p), key, v.cut, v.why, v.at, v.minCont, v.maxShift, v.raw))
			}
		}
	}
	return out
}

// evalPhotos are a split's photos: every photo of the tuning people, every photo of
// deepface's people (held-out).
func evalPhotos(t *testing.T, split string) []string {
	var people [][]string
	if split == "tuning" {
		_, people = tuningSet(t)
	} else {
		people = deepfacePeople(t)
	}
	var out []string
	for _, g := range people {
		out = append(out, g...)
	}
	return out
}

// TestSceneCameraEval prints the bona fide figures of scene_cut in docs/benchmarks/face.md:
// single-photo captures through a camera whose white balance and exposure adapt.
//
//	KYCD_LIVENESS_EVAL=tuning|heldout go test -tags onnx -run TestSceneCameraEval -v ./checks/liveness/
func TestSceneCameraEval(t *testing.T) {
	split := os.Getenv("KYCD_LIVENESS_EVAL")
	if split == "" {
		t.Skip("set KYCD_LIVENESS_EVAL=tuning or heldout; takes minutes")
	}
	c, err := New(engine(t), Config{})
	require.NoError(t, err)
	cfg := c.cfg.Active
	evs := evalCameras(t, c, evalPhotos(t, split), cfg)
	var n, cut int
	for _, m := range captureMotions {
		for _, cam := range cameras {
			key := m.name + " / " + cam.name
			ev := evs[key]
			for _, l := range ev.lines {
				t.Log(l)
			}
			n, cut = n+ev.n, cut+ev.cut
			t.Logf("%s %s: scene_cut %d/%d %v; continuity min %.3f; chroma shift max %.4f (threshold %.4f); raw nose shift max %.4f, over 0.012 in %d",
				split, key, ev.cut, ev.n, ev.byWhy, ev.minCont, ev.maxShift, cfg.MaxChromaShift, ev.maxRaw, ev.rawOverOld)
		}
	}
	t.Logf("%s: scene_cut on %d of %d bona fide proxy captures (continuity threshold %.2f, chroma threshold %.4f)", split, cut, n, cfg.SceneContinuity, cfg.MaxChromaShift)
}
