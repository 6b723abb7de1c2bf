//go:build onnx

// Command face measures the face, liveness and age engines on the shared
// test photos and writes the tables for docs/benchmarks/face.md.
//
//	go run -tags onnx ./bench/face explore   # every photo: boxes, quality, pose, liveness, age, eyes
//	go run -tags onnx ./bench/face pairs     # every pair's score, FAR/FRR, degraded-portrait variant
//	go run -tags onnx ./bench/face liveness  # Silent-Face samples
//	go run -tags onnx ./bench/face speed     # full selfie chain timing, 1 thread
//	go run -tags onnx ./bench/face levelcheck # embeddings at graph level all vs extended
//	go run -tags onnx ./bench/face replay    # a copied enrolment photo vs two photos of one person
//	go run -tags onnx ./bench/face models    # every embedding candidate: FAR/FRR, tuning vs held-out split
//	go run -tags onnx ./bench/face -dir D captures # recorded liveness captures through the active check
//	go run -tags onnx ./bench/face video      # recorded videos: the active check's attack tests and passive liveness on real captures
//	go run -tags onnx ./bench/face blinksize  # franck shrunk: the blink step against the size of the face
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/internal/video"
)

func main() {
	testdata := flag.String("testdata", "", "shared testdata dir (default ../shared/testdata from the repo root, or $KYCD_TESTDATA)")
	dump := flag.String("dump", "", "explore: write annotated photos and aligned crops here")
	verbose := flag.Bool("v", false, "pairs: list every pair, not only the ones near the threshold")
	noflip := flag.Bool("noflip", false, "embed without flip-averaging")
	runs := flag.Int("runs", 30, "speed: timed runs per photo")
	threads := flag.Int("threads", 1, "intra-op threads")
	cache := flag.String("cache", "", "models, video: keep embeddings / observations in this file between runs")
	noaug := flag.Bool("noaug", false, "models: tuning split originals only (to choose pre-processing)")
	focus := flag.String("focus", "faceapi", "models: the candidate whose operating points are listed (the default embedding)")
	pointsFlag := flag.String("points", "0.90,0.96,0.005", "models: the focus candidate's operating points, as first,last,step")
	only := flag.String("candidates", "", "models: comma-separated candidate names (default: all)")
	captureDir := flag.String("dir", "", "captures: a folder of recorded capture folders (frames, steps.txt, optional times.txt and selfie.jpg)")
	mirrored := flag.Bool("mirrored", false, "captures: the frames come from a mirrored preview")
	videos := flag.String("video", "", "video: comma-separated video files, decoded with ffmpeg (default: the recordings scripts/setup/videos.sh installs)")
	trace := flag.Bool("trace", false, "video: print what the check reads in every frame")
	scalesFlag := flag.String("scales", "1,0.8,0.7,0.55,0.45", "blinksize: the sizes to shrink the video's frames to")
	shapeFlag := flag.String("shape", "8x8+6", "video, blinksize: the capture to cut, FPSxFRAMES_PER_STEP[+TAIL] (default the hosted flow's, flow.js; 5x6 and 8x10 before)")
	flag.Parse()
	if *testdata == "" {
		*testdata = os.Getenv("KYCD_TESTDATA")
	}
	if *testdata == "" {
		*testdata = filepath.Join("..", "shared", "testdata")
	}
	if flag.NArg() != 1 {
		log.Fatal("usage: face [flags] explore|pairs|liveness|speed|models")
	}
	flip := !*noflip
	eng, err := face.New(face.Config{Threads: *threads, FlipAverage: &flip})
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = eng.Close() }()
	switch flag.Arg(0) {
	case "explore":
		err = explore(eng, *testdata, *dump)
	case "speed":
		err = speed(eng, *testdata, *runs)
	case "stages":
		err = stages(eng, *testdata, *runs)
	case "liveness":
		err = live(eng, *testdata)
	case "pairs":
		err = pairs(eng, *testdata, *verbose)
	case "levelcheck":
		err = levelCheck(eng, *testdata)
	case "replay":
		err = replay(eng, *testdata)
	case "captures":
		err = captures(eng, *captureDir, *mirrored)
	case "video":
		var paths []string
		if *videos != "" {
			paths = strings.Split(*videos, ",")
		} else {
			for _, v := range video.RecordedVideos {
				paths = append(paths, filepath.Join(video.Recorded(), v))
			}
		}
		shape, serr := parseShape(*shapeFlag)
		if serr != nil {
			log.Fatal(serr)
		}
		err = videoEval(eng, paths, *cache, shape, *trace)
	case "blinksize":
		shape, serr := parseShape(*shapeFlag)
		if serr != nil {
			log.Fatal(serr)
		}
		var scales []float64
		for _, f := range strings.Split(*scalesFlag, ",") {
			v, perr := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if perr != nil || v <= 0 || v > 1 {
				log.Fatalf("-scales %q: %q is not a scale in (0, 1]", *scalesFlag, f)
			}
			scales = append(scales, v)
		}
		path := *videos
		if path == "" {
			path = filepath.Join(video.Recorded(), "franck.mp4")
		}
		err = blinkSizeEval(eng, path, *cache, scales, shape)
	case "models":
		var points [3]float64
		if _, perr := fmt.Sscanf(*pointsFlag, "%g,%g,%g", &points[0], &points[1], &points[2]); perr != nil || points[2] <= 0 || points[1] < points[0] {
			log.Fatalf("-points %q: want first,last,step with step > 0 and last ≥ first", *pointsFlag)
		}
		err = modelsEval(eng, *testdata, *cache, *only, *focus, points, *noaug, *verbose)
	default:
		err = fmt.Errorf("unknown command %q", flag.Arg(0))
	}
	if err != nil {
		log.Fatal(err)
	}
}
