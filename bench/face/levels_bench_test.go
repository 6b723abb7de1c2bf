//go:build onnx

package main

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/onnx"
)

// BenchmarkEmbeddingLevels runs each embedding model at ONNX Runtime's graph levels
// "extended" and "all" alternately on the same random input (so the machine's load hits
// both alike) and reports the fastest and the median run of each, plus the largest
// difference between their outputs (what a level change may move an embedding by):
//
//	go test -tags onnx ./bench/face -run '^$' -bench EmbeddingLevels -benchtime 1x -cpu 1
func BenchmarkEmbeddingLevels(b *testing.B) {
	rt, err := onnx.Open(onnx.Options{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = rt.Close() }()
	cache := onnx.CacheDir()
	for _, m := range []struct {
		name, path string
		size       int64
	}{
		{"faceres", filepath.Join(cache, "models", "human-models-3.0.4", "faceres.onnx"), 224},
		{face.ModelFeature, filepath.Join(cache, "models", "faceplugin-0.0.1", "fr_feature.onnx"), 112},
	} {
		ext, err := rt.Load(m.path, m.name, "", onnx.OptimizeExtended)
		if err != nil {
			b.Fatal(err)
		}
		all, err := rt.Load(m.path, m.name, "", onnx.OptimizeAll)
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		in := make([]float32, 3*m.size*m.size)
		for i := range in {
			in[i] = float32(rng.NormFloat64())
		}
		const rounds = 25
		var te, ta []time.Duration
		var maxDiff float64
		for range rounds {
			t0 := time.Now()
			oe, err := ext.Run(in, 1, 3, m.size, m.size)
			if err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			oa, err := all.Run(in, 1, 3, m.size, m.size)
			if err != nil {
				b.Fatal(err)
			}
			te, ta = append(te, t1.Sub(t0)), append(ta, time.Since(t1))
			for k, v := range oe {
				for i := range v {
					maxDiff = math.Max(maxDiff, math.Abs(float64(v[i]-oa[k][i])))
				}
			}
		}
		slices.Sort(te)
		slices.Sort(ta)
		b.Logf("%-10s extended min %6.1f ms median %6.1f ms | all min %6.1f ms median %6.1f ms | max |Δoutput| %.2g",
			m.name, ms(te[0]), ms(te[rounds/2]), ms(ta[0]), ms(ta[rounds/2]), maxDiff)
		_ = ext.Close()
		_ = all.Close()
	}
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// BenchmarkEmbeddingLevelRuns runs one model at one level b.N times, for instruction
// counts under callgrind (run it with -benchtime 1x and 6x; the difference / 6 is one run, as
// the testing package runs N=1 before N=6; GODEBUG=asyncpreemptoff=1 or callgrind crashes):
//
//	KYCD_BENCH_MODEL=faceres KYCD_BENCH_LEVEL=all valgrind --tool=callgrind facebench.test -test.run '^$' -test.bench EmbeddingLevelRuns -test.benchtime 6x
func BenchmarkEmbeddingLevelRuns(b *testing.B) {
	name, level := os.Getenv("KYCD_BENCH_MODEL"), os.Getenv("KYCD_BENCH_LEVEL")
	paths := map[string]struct {
		path string
		size int64
	}{
		"faceres":         {filepath.Join(onnx.CacheDir(), "models", "human-models-3.0.4", "faceres.onnx"), 224},
		face.ModelFeature: {filepath.Join(onnx.CacheDir(), "models", "faceplugin-0.0.1", "fr_feature.onnx"), 112},
	}
	m, ok := paths[name]
	opt, okLevel := map[string]onnx.Optimization{"all": onnx.OptimizeAll, "extended": onnx.OptimizeExtended}[level]
	if !ok || !okLevel {
		b.Skip("set KYCD_BENCH_MODEL (faceres, fr_feature) and KYCD_BENCH_LEVEL (all, extended)")
	}
	rt, err := onnx.Open(onnx.Options{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = rt.Close() }()
	mod, err := rt.Load(m.path, name, "", opt)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = mod.Close() }()
	in := make([]float32, 3*m.size*m.size)
	for i := range in {
		in[i] = float32(i%255)/128 - 1
	}
	b.ResetTimer()
	for range b.N {
		if _, err := mod.Run(in, 1, 3, m.size, m.size); err != nil {
			b.Fatal(err)
		}
	}
}
