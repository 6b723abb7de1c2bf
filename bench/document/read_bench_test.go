package main

import (
	"context"
	"testing"

	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/checks/document/synth"
)

// BenchmarkReadMRZ times one MRZ read (decode included) of a 1200×850 JPEG
// photo of a passport page. Run with -cpu 1 for the single-core figure:
//
//	go test ./bench/document -run '^$' -bench ReadMRZ -cpu 1 -benchtime 40x
func BenchmarkReadMRZ(b *testing.B) {
	eng, err := document.NewEngine(document.Config{OCR: document.OCRClassifier, AllowSpecimen: true})
	if err != nil {
		b.Fatal(err)
	}
	var docs [][]byte
	for s := 0; s < 8; s++ {
		d, err := synth.Generate(uint64(20_000+s), synth.Options{Kind: synth.TD3, Width: 1200, Height: 850,
			Rotation: float64(s%5) - 2, Blur: 0.8, Noise: 5, JPEGQuality: 85})
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d.Front)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rd, err := eng.ReadMRZDetail(context.Background(), docs[i%len(docs)])
		if err != nil || rd == nil || !rd.Trusted {
			b.Fatalf("doc %d not read: %v", i%len(docs), err)
		}
	}
}
