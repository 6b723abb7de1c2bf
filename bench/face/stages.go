//go:build onnx

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// stages times each step of the chain separately (median of runs).
func stages(eng *face.Engine, testdata string, runs int) error {
	data, err := os.ReadFile(filepath.Join(testdata, "faces/face_recognition/examples/obama-720p.jpg"))
	if err != nil {
		return err
	}
	t0 := time.Now()
	img, err := imaging.Decode(data)
	if err != nil {
		return err
	}
	fmt.Printf("decode %dx%d: %v\n", img.W, img.H, time.Since(t0))
	boxes, err := eng.Detect(img)
	if err != nil || len(boxes) == 0 {
		return fmt.Errorf("detect: %v %d", err, len(boxes))
	}
	b := boxes[0]
	lm, err := eng.Landmarks(img, b)
	if err != nil {
		return err
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"detect", func() error { _, err := eng.Detect(img); return err }},
		{"landmarks", func() error { _, err := eng.Landmarks(img, b); return err }},
		{"quality crop+stats", func() error {
			c := imaging.CropResize(img, imaging.Rect{X: b.X1, Y: b.Y1, W: b.W(), H: b.H()}, 112, 112, [3]uint8{})
			_ = c.MeanLuma() + c.LaplacianVariance()
			return nil
		}},
		{"align", func() error { _, err := face.Align(img, &lm); return err }},
		{"align + embed (every model)", func() error { _, err := eng.Embed(img, &lm); return err }},
		{"liveness", func() error { _, err := eng.Liveness(img, b); return err }},
		{"age", func() error { _, err := eng.Age(img, b); return err }},
		{"eyes", func() error { _, err := eng.EyesOpen(img, &lm); return err }},
		{"pose model", func() error { _, err := eng.HeadPose(img, b); return err }},
	}
	for _, s := range steps {
		var ds []time.Duration
		for i := 0; i < runs; i++ {
			t := time.Now()
			if err := s.fn(); err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			ds = append(ds, time.Since(t))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		fmt.Printf("%-20s median %v min %v\n", s.name, ds[len(ds)/2].Round(time.Microsecond*100), ds[0].Round(time.Microsecond*100))
	}
	return nil
}
