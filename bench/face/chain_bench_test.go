//go:build onnx

package main

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// The face-match chain per selfie pair: detect, landmarks, quality gate, dlib's face chip,
// dlib's ResNet (and its mirror) and the fr_feature cross-check, for the selfie and for the document portrait, then the
// cosine. Decoding is timed separately. Single intra-op thread, as the service runs it:
//
//	go test -tags onnx ./bench/face -run '^$' -bench FaceChain -cpu 1 -benchtime 20x
//
// Instructions (the machine is shared, so ns/op moves with the load; instructions do not):
//
//	go test -tags onnx -c -o /tmp/facebench ./bench/face
//	GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out /tmp/facebench -test.run '^$' -test.bench 'FaceChain/pair$' -test.benchtime 1x
//
// and the same with 5x: the difference / 5 is one pair (the model loading cancels out; the
// testing package runs N=1 before N=5). Without asyncpreemptoff Go's preemption signals crash
// callgrind. Under load a run takes ~15 minutes.

var (
	chainOnce sync.Once
	chainEng  *face.Engine
	chainErr  error
)

func chainEngine(b *testing.B) *face.Engine {
	chainOnce.Do(func() { chainEng, chainErr = face.New(face.Config{}) })
	if chainErr != nil {
		b.Fatal(chainErr)
	}
	return chainEng
}

func testdataDir() string {
	if d := os.Getenv("KYCD_TESTDATA"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "testdata")
}

// chainPair is the selfie (obama.jpg) and a document-like portrait of another photo of the
// same man (obama-720p.jpg degraded as the pairs command does).
func chainPair(b *testing.B, eng *face.Engine) (selfie, portrait *imaging.RGB, selfieJPEG []byte) {
	dir := filepath.Join(testdataDir(), "faces", "face_recognition")
	s, err := os.ReadFile(filepath.Join(dir, "tests", "test_images", "obama.jpg"))
	if err != nil {
		b.Skipf("shared testdata missing: %v", err) // bench only; never run in CI
	}
	selfie, err = imaging.Decode(s)
	if err != nil {
		b.Fatal(err)
	}
	p, err := os.ReadFile(filepath.Join(dir, "examples", "obama-720p.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	pi, err := imaging.Decode(p)
	if err != nil {
		b.Fatal(err)
	}
	boxes, err := eng.Detect(pi)
	if err != nil || len(boxes) == 0 {
		b.Fatalf("no face in the portrait source: %v", err)
	}
	portrait, err = degrade(pi, boxes[0])
	if err != nil {
		b.Fatal(err)
	}
	return selfie, portrait, s
}

func BenchmarkFaceChain(b *testing.B) {
	eng := chainEngine(b)
	selfie, portrait, selfieJPEG := chainPair(b, eng)
	pair := func(b *testing.B) {
		sa, err := eng.Analyze(selfie, face.KindSelfie, face.Want{Embedding: true, CrossCheck: true})
		if err != nil || sa.Face == nil || sa.Face.Embedding == nil {
			b.Fatalf("selfie: %v %+v", err, sa.Quality)
		}
		da, err := eng.Analyze(portrait, face.KindDocument, face.Want{Embedding: true, CrossCheck: true})
		if err != nil || da.Face == nil || da.Face.Embedding == nil {
			b.Fatalf("portrait: %v %+v", err, da.Quality)
		}
		r, err := eng.MatchAnalyses(sa, da)
		if err != nil || !r.Match {
			b.Fatalf("match: %v %+v", err, r)
		}
	}
	pair(b) // warm-up: the first run of a session allocates its arenas
	b.Run("pair", func(b *testing.B) {
		for range b.N {
			pair(b)
		}
	})
	boxes, err := eng.Detect(selfie)
	if err != nil || len(boxes) == 0 {
		b.Fatal(err)
	}
	lm, err := eng.Landmarks(selfie, boxes[0])
	if err != nil {
		b.Fatal(err)
	}
	for _, s := range []struct {
		name string
		fn   func() error
	}{
		{"decode_selfie", func() error { _, err := imaging.Decode(selfieJPEG); return err }},
		{"detect", func() error { _, err := eng.Detect(selfie); return err }},
		{"landmarks", func() error { _, err := eng.Landmarks(selfie, boxes[0]); return err }},
		{"embed", func() error { _, err := eng.Embed(selfie, &lm); return err }},
	} {
		b.Run(s.name, func(b *testing.B) {
			for range b.N {
				if err := s.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
