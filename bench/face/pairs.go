//go:build onnx

package main

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
)

// degrade makes a document-like portrait from a photo: a head-and-shoulders
// crop with the face about 90 px wide, grey, re-encoded as JPEG quality 50.
func degrade(img *imaging.RGB, b face.Box) (*imaging.RGB, error) {
	side := b.Side()
	cx, cy := (b.X1+b.X2)/2, (b.Y1+b.Y2)/2
	r := imaging.Rect{X: cx - 0.8*side, Y: cy - 1.0*side, W: 1.6 * side, H: 2.0 * side}
	const face = 90.0
	w, h := int(math.Round(r.W*face/side)), int(math.Round(r.H*face/side))
	crop := imaging.CropResize(img, r, w, h, [3]uint8{230, 230, 230})
	g := crop.Gray()
	for i, v := range g {
		crop.Pix[3*i], crop.Pix[3*i+1], crop.Pix[3*i+2] = v, v, v
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, crop.ToImage(), &jpeg.Options{Quality: 50}); err != nil {
		return nil, fmt.Errorf("degrade: %w", err)
	}
	return imaging.Decode(buf.Bytes())
}

type scoredPair struct {
	A, B  string
	Same  bool
	Score float64
}

// pairs scores every pair of labelled photos, plain and with one side
// degraded, and reports FAR/FRR at the threshold.
func pairs(eng *face.Engine, testdata string, verbose bool) error {
	photos, err := loadPhotos(testdata)
	if err != nil {
		return err
	}
	type item struct {
		p        photo
		emb      face.Embedding
		degraded face.Embedding
		quality  string
	}
	var items []item
	for _, p := range photos {
		if p.Identity == "" {
			continue
		}
		data, err := os.ReadFile(p.Path)
		if err != nil {
			return err
		}
		img, err := imaging.Decode(data)
		if err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		kind := face.KindSelfie
		if p.Document {
			kind = face.KindDocument
		}
		a, err := eng.Analyze(img, kind, face.Want{Embedding: true, IgnoreQuality: true})
		if err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
		if a.Face == nil {
			fmt.Printf("skip %s: no face found\n", p.Name)
			continue
		}
		it := item{p: p, emb: a.Face.Embedding, quality: a.Quality.Reason}
		if !p.Document {
			d, err := degrade(img, a.Face.Box)
			if err != nil {
				return err
			}
			da, err := eng.Analyze(d, face.KindDocument, face.Want{Embedding: true, IgnoreQuality: true})
			if err != nil {
				return fmt.Errorf("%s degraded: %w", p.Name, err)
			}
			if da.Face == nil {
				fmt.Printf("degraded %s: no face found\n", p.Name)
			} else {
				it.degraded = da.Face.Embedding
				if !da.Quality.OK {
					fmt.Printf("degraded %s: gate says %s (scored anyway)\n", p.Name, da.Quality.Reason)
				}
			}
		}
		items = append(items, it)
	}
	var plain, deg []scoredPair
	for i := range items {
		for j := i + 1; j < len(items); j++ {
			a, b := items[i], items[j]
			same := a.p.Identity == b.p.Identity
			s, err := face.Cosine(a.emb, b.emb)
			if err != nil {
				return err
			}
			plain = append(plain, scoredPair{a.p.Name, b.p.Name, same, s})
			// Degrade one side (the second photo that is not itself a document),
			// as a selfie vs a document portrait.
			for _, pr := range [][2]item{{a, b}, {b, a}} {
				if pr[1].degraded == nil || pr[0].p.Document {
					continue
				}
				s, err := face.Cosine(pr[0].emb, pr[1].degraded)
				if err != nil {
					return err
				}
				deg = append(deg, scoredPair{pr[0].p.Name, pr[1].p.Name + " [degraded]", same, s})
			}
		}
	}
	thr := eng.Threshold()
	report("original photos", plain, thr, verbose)
	report("selfie vs degraded portrait (grey, ~90 px face, JPEG q50)", deg, thr, verbose)
	return nil
}

func short(s string) string {
	s = strings.TrimPrefix(s, "faces/face_recognition/")
	s = strings.TrimPrefix(s, "mrz/images/")
	return s
}

func report(title string, ps []scoredPair, thr float64, verbose bool) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Score > ps[j].Score })
	var same, diff []float64
	for _, p := range ps {
		if p.Same {
			same = append(same, p.Score)
		} else {
			diff = append(diff, p.Score)
		}
	}
	fa, fr := 0, 0
	for _, s := range diff {
		if s >= thr {
			fa++
		}
	}
	for _, s := range same {
		if s < thr {
			fr++
		}
	}
	fmt.Printf("\n### %s\n\n", title)
	fmt.Printf("%d same-person pairs, %d different-person pairs; threshold %.3f\n", len(same), len(diff), thr)
	fmt.Printf("FAR %d/%d = %.2f%%, FRR %d/%d = %.2f%%\n", fa, len(diff), pct(fa, len(diff)), fr, len(same), pct(fr, len(same)))
	if len(same) > 0 && len(diff) > 0 {
		sort.Float64s(same)
		sort.Float64s(diff)
		fmt.Printf("same-person: min %.3f mean %.3f max %.3f; different-person: min %.3f mean %.3f max %.3f\n",
			same[0], mean(same), same[len(same)-1], diff[0], mean(diff), diff[len(diff)-1])
		// Threshold for 0.1 % FAR: the smallest t with ≤ 0.1 % of
		// different-person scores ≥ t.
		allowed := int(math.Floor(0.001 * float64(len(diff))))
		t := diff[len(diff)-1-allowed] + 1e-4
		frr := 0
		for _, s := range same {
			if s < t {
				frr++
			}
		}
		fmt.Printf("threshold for FAR ≤ 0.1%% (%d impostor pairs, so ≤ %d false accepts): %.3f, FRR there %d/%d\n", len(diff), allowed, t, frr, len(same))
	}
	fmt.Println()
	fmt.Println("| score | same | A | B |")
	fmt.Println("|---:|:---:|---|---|")
	for _, p := range ps {
		if !verbose && !p.Same && p.Score < thr-0.15 {
			continue
		}
		mark := "no"
		if p.Same {
			mark = "**yes**"
		}
		fmt.Printf("| %.3f | %s | %s | %s |\n", p.Score, mark, short(p.A), short(p.B))
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
