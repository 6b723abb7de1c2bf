package liveness

import (
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// Observe turns one decoded frame into an Observation: detection (with the
// selfie multiple-face rule), landmarks, model pose, eyes and embedding. The
// frontal-pose and sharpness parts of the quality gate are ignored because
// turned, moving heads are the point of the challenge.
func (c *Checker) Observe(img *imaging.RGB) (Observation, error) {
	a, err := c.eng.Analyze(img, face.KindSelfie, face.Want{Embedding: true, Eyes: true, ModelPose: true, IgnoreQuality: true})
	if err != nil {
		return Observation{}, err
	}
	switch a.Quality.Reason {
	case face.ReasonNoFace, face.ReasonMultipleFaces, face.ReasonFaceTooSmall:
		return Observation{Reason: a.Quality.Reason}, nil
	}
	f := a.Face
	o := Observation{Pose: f.LandmarkPose, Embedding: f.Embedding, EAR: EyeAspectRatio(&f.Landmarks),
		MAR: MouthAspectRatio(&f.Landmarks), Patch: FacePatch(img, f.Box, f.Landmarks[:]), Scene: FrameScene(img, f.Box, f.Landmarks[:])}
	if f.ModelPose != nil {
		o.Pose = *f.ModelPose
	}
	if f.EyesOpen != nil {
		o.Eyes = *f.EyesOpen
		o.EyesOpen = (f.EyesOpen[0] + f.EyesOpen[1]) / 2
	}
	w, h := math.Max(f.Box.W(), 1), math.Max(f.Box.H(), 1)
	o.Landmarks = make([]face.Point, len(f.Landmarks))
	for i, p := range f.Landmarks {
		o.Landmarks[i] = face.Point{X: (p.X - f.Box.X1) / w, Y: (p.Y - f.Box.Y1) / h}
	}
	return o, nil
}

// EyeAspectRatio is the mean over both eyes of (two lid distances) / (2 ×
// eye width) from the 68 landmarks (Soukupová & Čech 2016); it drops
// sharply when the eye closes.
func EyeAspectRatio(l *face.Landmarks) float64 {
	ear := func(p [6]face.Point) float64 {
		w := math.Hypot(p[0].X-p[3].X, p[0].Y-p[3].Y)
		if w < 1e-9 {
			return 0
		}
		return (math.Hypot(p[1].X-p[5].X, p[1].Y-p[5].Y) + math.Hypot(p[2].X-p[4].X, p[2].Y-p[4].Y)) / (2 * w)
	}
	var left, right [6]face.Point
	copy(left[:], l[36:42])
	copy(right[:], l[42:48])
	return (ear(left) + ear(right)) / 2
}

// MouthAspectRatio is the inner lips' mean opening (landmarks 61–67, 62–66, 63–65) over
// the mouth's inner width (60–64): about 0 closed, 0.5 and more wide open.
func MouthAspectRatio(l *face.Landmarks) float64 {
	d := func(a, b int) float64 { return math.Hypot(l[a].X-l[b].X, l[a].Y-l[b].Y) }
	w := d(60, 64)
	if w < 1e-9 {
		return 0
	}
	return (d(61, 67) + d(62, 66) + d(63, 65)) / (3 * w)
}

// Active verifies a challenge capture: frames are encoded images in capture
// order (5..30), reference the embedding the face must match (for example
// the document portrait's). Bad input is an error; a failed check is a
// result with a reason.
func (c *Checker) Active(steps []Step, frames [][]byte, reference face.Embedding) (*ActiveResult, error) {
	if len(frames) < MinFrames || len(frames) > MaxFrames {
		return nil, fmt.Errorf("liveness: %d frames, want %d..%d", len(frames), MinFrames, MaxFrames)
	}
	obs, err := c.ObserveFrames(frames)
	if err != nil {
		return nil, err
	}
	return VerifySequence(steps, obs, reference, c.cfg.Active), nil
}

// ObserveFrames decodes and observes encoded frames in capture order, on as many cores as the
// process may use (ObserveAll).
func (c *Checker) ObserveFrames(frames [][]byte) ([]Observation, error) {
	return ObserveAll(len(frames), runtime.GOMAXPROCS(0), func(i int) (Observation, error) {
		img, err := imaging.Decode(frames[i])
		if err == nil {
			var o Observation
			if o, err = c.Observe(img); err == nil {
				return o, nil
			}
		}
		return Observation{}, fmt.Errorf("liveness: frame %d: %w", i, err)
	})
}

// ObserveAll calls observe for frames 0..n-1 on up to workers goroutines and returns the
// observations in capture order. The face engine is safe for concurrent use, and a capture of
// 30 frames costs about 1.5 s of model time on one core while the applicant waits, so the
// frames of one capture are observed side by side. The error is the first failing frame's in
// capture order, whichever worker finishes first.
func ObserveAll(n, workers int, observe func(i int) (Observation, error)) ([]Observation, error) {
	obs := make([]Observation, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, n)) {
		wg.Go(func() {
			for i := range next {
				obs[i], errs[i] = observe(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return obs, nil
}
