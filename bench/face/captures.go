//go:build onnx

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/liveness"
)

// capture is one recorded active-liveness capture on disk: a folder holding the frames
// (*.jpg / *.jpeg / *.png, in capture order by file name), steps.txt (the challenge, e.g.
// "turn_left,blink,turn_right"), optionally times.txt (each frame's capture time in ms, one
// per line or comma-separated) and selfie.jpg (the reference face; else the frames' own
// most frontal face is the reference, so only liveness is judged, not identity).
type capture struct {
	Dir    string
	Steps  []liveness.Step
	Frames []string
	Times  []float64
	Selfie string
}

// readCapture reads a capture folder, naming the file and the problem on bad input.
func readCapture(dir string) (*capture, error) {
	c := &capture{Dir: dir}
	b, err := os.ReadFile(filepath.Join(dir, "steps.txt"))
	if err != nil {
		return nil, fmt.Errorf("%s: steps.txt: %w", dir, err)
	}
	for _, s := range strings.FieldsFunc(string(b), func(r rune) bool { return r == ',' || r == '\n' || r == ' ' }) {
		st := liveness.Step(strings.TrimSpace(s))
		if !slices.Contains(liveness.AllSteps, st) {
			return nil, fmt.Errorf("%s: steps.txt: unknown step %q (known: %v)", dir, s, liveness.AllSteps)
		}
		c.Steps = append(c.Steps, st)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		n := strings.ToLower(e.Name())
		switch {
		case e.IsDir():
		case n == "selfie.jpg" || n == "selfie.jpeg" || n == "selfie.png":
			c.Selfie = filepath.Join(dir, e.Name())
		case strings.HasSuffix(n, ".jpg") || strings.HasSuffix(n, ".jpeg") || strings.HasSuffix(n, ".png"):
			c.Frames = append(c.Frames, filepath.Join(dir, e.Name()))
		}
	}
	slices.Sort(c.Frames)
	if len(c.Frames) < liveness.MinFrames || len(c.Frames) > liveness.MaxFrames {
		return nil, fmt.Errorf("%s: %d frames, want %d..%d", dir, len(c.Frames), liveness.MinFrames, liveness.MaxFrames)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "times.txt")); err == nil {
		for _, f := range strings.FieldsFunc(string(b), func(r rune) bool { return r == ',' || r == '\n' || r == ' ' }) {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil {
				return nil, fmt.Errorf("%s: times.txt: %q is not a time in ms", dir, f)
			}
			c.Times = append(c.Times, v)
		}
		if len(c.Times) != len(c.Frames) {
			return nil, fmt.Errorf("%s: times.txt has %d times for %d frames", dir, len(c.Times), len(c.Frames))
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	return c, nil
}

// judgeCapture runs a capture through the active check as the service does (observe each
// frame, then VerifySequence with the default configuration).
func judgeCapture(eng *face.Engine, c *capture, cfg liveness.ActiveConfig) (*liveness.ActiveResult, error) {
	chk, err := liveness.New(eng, liveness.Config{})
	if err != nil {
		return nil, err
	}
	obs := make([]liveness.Observation, len(c.Frames))
	for i, f := range c.Frames {
		if obs[i], err = observeFile(chk, f); err != nil {
			return nil, err
		}
		if c.Times != nil {
			obs[i].AtMS, obs[i].Timed = c.Times[i], true
		}
	}
	var ref face.Embedding
	if c.Selfie != "" {
		b, err := os.ReadFile(c.Selfie)
		if err != nil {
			return nil, err
		}
		a, err := eng.AnalyzeBytes(b, face.KindSelfie, face.Want{Embedding: true})
		if err != nil {
			return nil, err
		}
		if a.Face == nil || a.Face.Embedding == nil {
			return nil, fmt.Errorf("%s: no usable face (%s)", c.Selfie, a.Quality.Reason)
		}
		ref = a.Face.Embedding
	} else {
		// The most frontal frame's face: the capture is judged for liveness only.
		ref = frontalEmbedding(obs)
	}
	return liveness.VerifySequence(c.Steps, obs, ref, cfg), nil
}

// observeFile decodes one frame file and observes it as the active check does.
func observeFile(chk *liveness.Checker, path string) (liveness.Observation, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return liveness.Observation{}, err
	}
	img, err := imaging.Decode(b)
	if err != nil {
		return liveness.Observation{}, fmt.Errorf("%s: %w", path, err)
	}
	o, err := chk.Observe(img)
	if err != nil {
		return liveness.Observation{}, fmt.Errorf("%s: %w", path, err)
	}
	return o, nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// captures judges every capture folder under root (root itself when it holds steps.txt)
// and prints each verdict and the pass rate: the measure of "real captured sequences
// passing" for whoever has recordings (none are in the shared data).
func captures(eng *face.Engine, root string, mirrored bool) error {
	var dirs []string
	if _, err := os.Stat(filepath.Join(root, "steps.txt")); err == nil {
		dirs = []string{root}
	} else {
		entries, err := os.ReadDir(root)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.IsDir() {
				dirs = append(dirs, filepath.Join(root, e.Name()))
			}
		}
	}
	if len(dirs) == 0 {
		return fmt.Errorf("%s: no capture folders (each needs steps.txt and its frames)", root)
	}
	passed := 0
	fmt.Println("| capture | steps | frames | timed | passed | reason |")
	fmt.Println("|---|---|---:|---|---|---|")
	for _, d := range dirs {
		c, err := readCapture(d)
		if err != nil {
			return err
		}
		r, err := judgeCapture(eng, c, liveness.ActiveConfig{Mirrored: mirrored})
		if err != nil {
			return err
		}
		if r.Passed {
			passed++
		}
		reason := r.Reason
		if r.Message != "" {
			reason += ": " + r.Message
		}
		fmt.Printf("| %s | %v | %d | %v | %v | %s |\n", filepath.Base(d), c.Steps, len(c.Frames), c.Times != nil, r.Passed, reason)
	}
	fmt.Printf("\n%d of %d captures passed\n", passed, len(dirs))
	return nil
}
