//go:build onnx

package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/kycd/kycd/checks/age"
	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/liveness"
)

// speed times the full selfie chain (detect, landmarks, quality, align,
// embed with flip, liveness, age) on 1-megapixel photos, decode excluded; then
// the chain as the service runs it on an uploaded selfie (verify.Biometrics):
// the engine without its one-run age, the model-free spoof cues and the age
// estimator's normalised views of both age models.
func speed(eng *face.Engine, testdata string, runs int) error {
	ages, err := age.New(eng)
	if err != nil {
		return err
	}
	for _, rel := range []string{
		"faces/face_recognition/examples/obama-720p.jpg",
		"faces/Silent-Face-Anti-Spoofing/images/sample/image_T1.jpg",
		"faces/face_recognition/tests/test_images/obama.jpg",
	} {
		data, err := os.ReadFile(filepath.Join(testdata, rel))
		if err != nil {
			return err
		}
		img, err := imaging.Decode(data)
		if err != nil {
			return err
		}
		// Resample to ~1 megapixel (aspect kept) so every photo is timed at
		// the target size.
		f := math.Sqrt(1e6 / float64(img.W*img.H))
		img = imaging.CropResize(img, imaging.Rect{W: float64(img.W), H: float64(img.H)},
			int(math.Round(float64(img.W)*f)), int(math.Round(float64(img.H)*f)), [3]uint8{})
		want := face.Want{Embedding: true, CrossCheck: true, Liveness: true, Age: true}
		if _, err := eng.Analyze(img, face.KindSelfie, want); err != nil { // warm-up
			return err
		}
		var ds []time.Duration
		for i := 0; i < runs; i++ {
			t0 := time.Now()
			a, err := eng.Analyze(img, face.KindSelfie, want)
			if err != nil {
				return err
			}
			ds = append(ds, time.Since(t0))
			if a.Face == nil || a.Face.Embedding == nil {
				return fmt.Errorf("%s: chain stopped early: %s", rel, a.Quality.Reason)
			}
		}
		report := func(what string, ds []time.Duration) {
			sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
			fmt.Printf("%-60s %dx%d (%.2f MP) %s: median %v, p90 %v, min %v over %d runs\n", rel, img.W, img.H, float64(img.W*img.H)/1e6, what,
				ds[len(ds)/2].Round(time.Millisecond/10), ds[len(ds)*9/10].Round(time.Millisecond/10), ds[0].Round(time.Millisecond/10), runs)
		}
		report("engine", ds)
		ds = ds[:0]
		for i := 0; i < runs; i++ {
			t0 := time.Now()
			a, err := eng.Analyze(img, face.KindSelfie, face.Want{Embedding: true, CrossCheck: true, Liveness: true})
			if err != nil {
				return err
			}
			if a.Face == nil {
				return fmt.Errorf("%s: no face", rel)
			}
			liveness.Cues(img, a.Face.Box, 0)
			if _, err := ages.EstimateFace(img, &a.Face.Landmarks); err != nil {
				return err
			}
			ds = append(ds, time.Since(t0))
		}
		report("service (+ cues, both age models' views)", ds)
	}
	return nil
}
