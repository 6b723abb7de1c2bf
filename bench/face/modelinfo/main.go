//go:build onnx

// Command modelinfo prints the inputs and outputs of every ONNX model in a
// directory, so pre-processing is written against the real shapes, not guesses.
//
//	go run -tags onnx ./bench/face/modelinfo [-lib path] [-dir models]
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"time"

	ort "github.com/yalue/onnxruntime_go"
)

func main() {
	home, _ := os.UserHomeDir()
	cache := os.Getenv("KYCD_CACHE_DIR")
	if cache == "" {
		cache = filepath.Join(home, ".cache", "kycd")
	}
	lib := flag.String("lib", filepath.Join(cache, "onnxruntime", "libonnxruntime.so.1"), "ONNX Runtime shared library")
	dir := flag.String("dir", filepath.Join(cache, "models", "faceplugin-0.0.1"), "directory of .onnx models")
	timeRuns := flag.Int("time", 0, "also time each model at each graph optimization level (median of N runs, 1 thread, zero input)")
	flag.Parse()
	ort.SetSharedLibraryPath(*lib)
	if err := ort.InitializeEnvironment(); err != nil {
		log.Fatalf("initialize onnxruntime: %v", err)
	}
	defer func() { _ = ort.DestroyEnvironment() }()
	fmt.Println("onnxruntime", ort.GetVersion())
	files, err := filepath.Glob(filepath.Join(*dir, "*.onnx"))
	if err != nil {
		log.Fatal(err)
	}
	sort.Strings(files)
	for _, f := range files {
		in, out, err := ort.GetInputOutputInfo(f)
		if err != nil {
			log.Fatalf("%s: %v", f, err)
		}
		fmt.Println(filepath.Base(f))
		for _, i := range in {
			fmt.Printf("  in  %s\n", i.String())
		}
		for _, o := range out {
			fmt.Printf("  out %s\n", o.String())
		}
		if *timeRuns > 0 {
			for _, lvl := range []struct {
				name string
				l    ort.GraphOptimizationLevel
			}{{"basic", ort.GraphOptimizationLevelEnableBasic}, {"extended", ort.GraphOptimizationLevelEnableExtended}, {"all", ort.GraphOptimizationLevelEnableAll}} {
				d, err := timeModel(f, in, out, lvl.l, *timeRuns)
				if err != nil {
					log.Fatalf("%s: %v", f, err)
				}
				fmt.Printf("  %-8s median %v\n", lvl.name, d)
			}
		}
	}
}

// timeModel runs the model on a zero input and returns the median latency.
func timeModel(path string, ins, outs []ort.InputOutputInfo, lvl ort.GraphOptimizationLevel, runs int) (time.Duration, error) {
	opts, err := ort.NewSessionOptions()
	if err != nil {
		return 0, err
	}
	defer func() { _ = opts.Destroy() }()
	_ = opts.SetIntraOpNumThreads(1)
	_ = opts.SetInterOpNumThreads(1)
	_ = opts.AddSessionConfigEntry("session.intra_op.allow_spinning", "0")
	if err := opts.SetGraphOptimizationLevel(lvl); err != nil {
		return 0, err
	}
	var outNames []string
	for _, o := range outs {
		outNames = append(outNames, o.Name)
	}
	s, err := ort.NewDynamicAdvancedSession(path, []string{ins[0].Name}, outNames, opts)
	if err != nil {
		return 0, err
	}
	defer func() { _ = s.Destroy() }()
	in, err := ort.NewEmptyTensor[float32](ins[0].Dimensions)
	if err != nil {
		return 0, err
	}
	defer func() { _ = in.Destroy() }()
	var ds []time.Duration
	for i := 0; i <= runs; i++ {
		o := make([]ort.Value, len(outNames))
		t := time.Now()
		if err := s.Run([]ort.Value{in}, o); err != nil {
			return 0, err
		}
		if i > 0 { // the first run is warm-up
			ds = append(ds, time.Since(t))
		}
		for _, v := range o {
			_ = v.Destroy()
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2].Round(10 * time.Microsecond), nil
}
