//go:build onnx

package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/liveness"
)

// live scores the passive liveness model on the Silent-Face samples (T =
// real, F = spoof) and on the real face_recognition photos.
func live(eng *face.Engine, testdata string) error {
	c, err := liveness.New(eng, liveness.Config{})
	if err != nil {
		return err
	}
	fmt.Printf("| photo | label | score | live (≥ %.2f) | gate |\n|---|---|---:|---|---|\n", liveness.DefaultPassiveThreshold)
	files, _ := filepath.Glob(filepath.Join(testdata, "faces", "Silent-Face-Anti-Spoofing", "images", "sample", "*.jpg"))
	photos, err := loadPhotos(testdata)
	if err != nil {
		return err
	}
	for _, p := range photos {
		if !p.Document && p.Identity != "" {
			files = append(files, p.Path)
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		label := "real"
		if b := filepath.Base(f); len(b) > 7 && b[:7] == "image_F" {
			label = "spoof"
		}
		// Score even when the selfie gate refuses the photo, to see the model.
		a, err := eng.AnalyzeBytes(data, face.KindSelfie, face.Want{Liveness: true, IgnoreQuality: true})
		if err != nil {
			return err
		}
		gate := "ok"
		if !a.Quality.OK {
			gate = a.Quality.Reason
		}
		r, err := c.Passive(data)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(testdata, f)
		fmt.Printf("| %s | %s | %.3f | %v | %s |\n", short(rel), label, *a.Face.Liveness, *a.Face.Liveness >= r.Threshold, gate)
	}
	return nil
}
