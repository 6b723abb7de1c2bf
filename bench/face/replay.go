//go:build onnx

package main

import (
	"fmt"
	"math"
	"os"
	"sort"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
)

// replay measures how far a copy of a photo (re-encoded, resized, cropped, re-lit: what an
// attacker does to a stolen enrolment selfie to make it "new") scores from the photo itself,
// against how close two different photos of the same person come. A re-verification whose
// fresh selfie scores above the gap is the enrolment photo again, not a new capture.
func replay(eng *face.Engine, testdata string) error {
	photos, err := evalPhotos(testdata)
	if err != nil {
		return err
	}
	copies := []struct {
		name string
		make func(*imaging.RGB) (*imaging.RGB, error)
	}{
		{"jpeg40", func(m *imaging.RGB) (*imaging.RGB, error) { return reencode(m, 40) }},
		{"resize60", func(m *imaging.RGB) (*imaging.RGB, error) {
			return reencode(imaging.CropResize(m, imaging.Rect{W: float64(m.W), H: float64(m.H)}, m.W*6/10, m.H*6/10, [3]uint8{}), 85)
		}},
		{"crop8", func(m *imaging.RGB) (*imaging.RGB, error) {
			dx, dy := float64(m.W)*0.08, float64(m.H)*0.08
			return reencode(imaging.CropResize(m, imaging.Rect{X: dx, Y: dy, W: float64(m.W) - 2*dx, H: float64(m.H) - 2*dy}, m.W, m.H, [3]uint8{}), 85)
		}},
		{"relit", func(m *imaging.RGB) (*imaging.RGB, error) {
			out := imaging.NewRGB(m.W, m.H)
			for i, v := range m.Pix {
				out.Pix[i] = uint8(math.Min(255, 255*math.Pow(float64(v)/255, 0.75)*1.05))
			}
			return reencode(out, 70)
		}},
		{"screenshot", func(m *imaging.RGB) (*imaging.RGB, error) { // down to half and back up
			s := imaging.CropResize(m, imaging.Rect{W: float64(m.W), H: float64(m.H)}, m.W/2, m.H/2, [3]uint8{})
			return reencode(imaging.CropResize(s, imaging.Rect{W: float64(s.W), H: float64(s.H)}, m.W, m.H, [3]uint8{}), 75)
		}},
	}
	type emb struct {
		p *evalPhoto
		e face.Embedding
	}
	var embs []emb
	embed := func(img *imaging.RGB) (face.Embedding, error) {
		boxes, err := eng.Detect(img)
		if err != nil || len(boxes) == 0 {
			return nil, err
		}
		sort.Slice(boxes, func(i, j int) bool { return boxes[i].Side() > boxes[j].Side() })
		lm, err := eng.Landmarks(img, boxes[0])
		if err != nil {
			return nil, err
		}
		return eng.Embed(img, &lm)
	}
	copyMin := map[string]float64{}
	var copyAll []float64
	for _, p := range photos {
		img, err := loadImage(p.Path)
		if err != nil {
			return err
		}
		e, err := embed(img)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		if e == nil {
			continue
		}
		embs = append(embs, emb{p, e})
		for _, c := range copies {
			m, err := c.make(img)
			if err != nil {
				return err
			}
			ce, err := embed(m)
			if err != nil || ce == nil {
				continue
			}
			s, _ := face.Cosine(e, ce)
			copyAll = append(copyAll, s)
			if v, ok := copyMin[c.name]; !ok || s < v {
				copyMin[c.name] = s
			}
		}
	}
	type gp struct {
		a, b string
		s    float64
	}
	var gen []gp
	for i := range embs {
		for j := i + 1; j < len(embs); j++ {
			// The specimen documents reuse one portrait (docIdentity): copies, not captures.
			if embs[i].p.Identity != embs[j].p.Identity || embs[i].p.Document {
				continue
			}
			s, _ := face.Cosine(embs[i].e, embs[j].e)
			gen = append(gen, gp{embs[i].p.Name, embs[j].p.Name, s})
		}
	}
	sort.Slice(gen, func(i, j int) bool { return gen[i].s > gen[j].s })
	sort.Float64s(copyAll)
	fmt.Printf("%d photos with a face, %d copies, %d same-person pairs of different files\n\n", len(embs), len(copyAll), len(gen))
	fmt.Println("| copy | lowest score vs the original |\n|---|---|")
	for _, c := range copies {
		fmt.Printf("| %s | %.3f |\n", c.name, copyMin[c.name])
	}
	fmt.Printf("\ncopies: min %.3f, 1st percentile %.3f, median %.3f\n", copyAll[0], copyAll[len(copyAll)/100], copyAll[len(copyAll)/2])
	for _, t := range []float64{0.85, 0.90, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995} {
		c := len(copyAll) - sort.SearchFloat64s(copyAll, t)
		g := 0
		for _, x := range gen {
			if x.s >= t {
				g++
			}
		}
		fmt.Printf("at %.3f: %d of %d copies caught, %d of %d same-person pairs of different files flagged\n", t, c, len(copyAll), g, len(gen))
	}
	fmt.Println("\nhighest same-person pairs of different files (not the specimen documents):")
	for _, g := range gen[:min(12, len(gen))] {
		fmt.Printf("  %.3f  %s  %s\n", g.s, g.a, g.b)
	}
	return nil
}

func loadImage(path string) (*imaging.RGB, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return imaging.Decode(b)
}

// levelCheck embeds every labelled photo with the embedding models at graph level "all"
// (the default) and "extended", and reports how far the embeddings and every pair's score
// moved: a level change must not move the figures of the models command.
func levelCheck(eng *face.Engine, testdata string) error {
	ext, err := face.New(face.Config{EmbeddingOptimization: onnx.OptimizeExtended})
	if err != nil {
		return err
	}
	defer func() { _ = ext.Close() }()
	photos, err := evalPhotos(testdata)
	if err != nil {
		return err
	}
	var a, b []face.Embedding
	for _, p := range photos {
		img, err := loadImage(p.Path)
		if err != nil {
			return err
		}
		boxes, err := eng.Detect(img)
		if err != nil || len(boxes) == 0 {
			continue
		}
		lm, err := eng.Landmarks(img, boxes[0])
		if err != nil {
			return err
		}
		ea, err := eng.Embed(img, &lm)
		if err != nil {
			return err
		}
		eb, err := ext.Embed(img, &lm)
		if err != nil {
			return err
		}
		a, b = append(a, ea), append(b, eb)
	}
	var self, pair float64
	for i := range a {
		s, _ := face.Cosine(a[i], b[i])
		self = math.Max(self, 1-s)
		for j := i + 1; j < len(a); j++ {
			sa, _ := face.Cosine(a[i], a[j])
			sb, _ := face.Cosine(b[i], b[j])
			pair = math.Max(pair, math.Abs(sa-sb))
		}
	}
	fmt.Printf("%d photos: largest 1 − cos(all, extended) of one photo %.2g; largest change of a pair's score %.2g\n", len(a), self, pair)
	return nil
}
