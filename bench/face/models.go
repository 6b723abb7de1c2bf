//go:build onnx

package main

import (
	"encoding/gob"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
)

// view is one photo, original or augmented, with every candidate's embedding.
type view struct {
	Emb    map[string][]float32
	Failed bool // no face found
}

// evalPhoto is a labelled photo with its views by augmentation name ("" = original).
type evalPhoto struct {
	photo
	Split string
	Views map[string]*view
}

// pair is two views' identities and per-candidate scores.
type pair struct {
	A, B  string
	Aug   string // "" for original vs original
	Same  bool
	Score map[string]float64
}

// modelsEval embeds every labelled photo and its augmentations with every
// candidate and reports FAR/FRR: thresholds are chosen on the tuning split
// (face_recognition + specimen documents) and judged on the held-out split
// (deepface, other people). cache keeps the embeddings between runs.
func modelsEval(eng *face.Engine, testdata, cache, only, focus string, points [3]float64, noaug, verbose bool) error {
	cands := candidates()
	if only != "" {
		keep := map[string]bool{}
		for _, n := range strings.Split(only, ",") {
			keep[n] = true
		}
		var f []*candidate
		for _, c := range cands {
			if keep[c.Name] {
				f = append(f, c)
			}
		}
		cands = f
	}
	rt, err := onnx.Open(onnx.Options{})
	if err != nil {
		return err
	}
	defer func() { _ = rt.Close() }()
	for _, c := range cands {
		if c.model, err = rt.Load(filepath.Join(onnx.CacheDir(), "models", c.File), c.Name, c.File, onnx.OptimizeExtended); err != nil {
			return err
		}
		defer func(m *onnx.Model) { _ = m.Close() }(c.model)
	}
	photos, err := evalPhotos(testdata)
	if err != nil {
		return err
	}
	cached := map[string]*view{}
	if cache != "" {
		if err := readGob(cache, &cached); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if noaug {
		var tune []*evalPhoto
		for _, p := range photos {
			if p.Split == "tune" {
				tune = append(tune, p)
			}
		}
		photos = tune
	}
	for i, p := range photos {
		fmt.Fprintf(os.Stderr, "\rembedding %d/%d", i+1, len(photos))
		if err := embedPhoto(eng, cands, p, cached, noaug); err != nil {
			return fmt.Errorf("%s: %w", p.Name, err)
		}
	}
	if cache != "" {
		if err := writeGob(cache, cached); err != nil {
			return err
		}
	}
	names := make([]string, len(cands))
	for i, c := range cands {
		names[i] = c.Name
	}
	tune, held := scorePairs(photos, "tune", names), scorePairs(photos, "held", names)
	report2(photos, names, tune, held, focus, points, verbose)
	return nil
}

func evalPhotos(testdata string) ([]*evalPhoto, error) {
	fr, err := loadPhotos(testdata)
	if err != nil {
		return nil, err
	}
	df, err := deepfacePhotos(testdata)
	if err != nil {
		return nil, err
	}
	var out []*evalPhoto
	for _, p := range fr {
		if p.Identity != "" {
			out = append(out, &evalPhoto{photo: p, Split: "tune", Views: map[string]*view{}})
		}
	}
	for _, p := range df {
		out = append(out, &evalPhoto{photo: p, Split: "held", Views: map[string]*view{}})
	}
	return out, nil
}

// embedPhoto fills p.Views, reusing cached embeddings.
func embedPhoto(eng *face.Engine, cands []*candidate, p *evalPhoto, cached map[string]*view, noaug bool) error {
	var img *imaging.RGB
	var box face.Box
	load := func() error {
		if img != nil {
			return nil
		}
		data, err := os.ReadFile(p.Path)
		if err != nil {
			return err
		}
		if img, err = imaging.Decode(data); err != nil {
			return err
		}
		a, err := eng.Analyze(img, face.KindSelfie, face.Want{IgnoreQuality: true})
		if err != nil {
			return err
		}
		if a.Face != nil {
			box = a.Face.Box
		}
		return nil
	}
	augs := []augmentation{{Name: ""}}
	if !p.Document && !noaug {
		augs = append(augs, augmentations...)
	}
	for _, aug := range augs {
		key := p.Name + "|" + aug.Name
		v := cached[key]
		if v == nil {
			v = &view{Emb: map[string][]float32{}}
			cached[key] = v
		}
		p.Views[aug.Name] = v
		missing := false
		for _, c := range cands {
			if v.Emb[c.Name] == nil {
				missing = true
			}
		}
		if v.Failed || !missing {
			continue
		}
		if err := load(); err != nil {
			return err
		}
		if box.Side() == 0 {
			v.Failed = true
			continue
		}
		im := img
		if aug.Make != nil {
			var err error
			if im, err = aug.Make(img, box); err != nil {
				return err
			}
		}
		a, err := eng.Analyze(im, face.KindSelfie, face.Want{IgnoreQuality: true})
		if err != nil {
			return err
		}
		if a.Face == nil {
			v.Failed = true
			continue
		}
		for _, c := range cands {
			if v.Emb[c.Name] != nil {
				continue
			}
			if v.Emb[c.Name], err = c.embed(im, &a.Face.Landmarks); err != nil {
				return fmt.Errorf("%s %s: %w", aug.Name, c.Name, err)
			}
		}
	}
	return nil
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// scorePairs builds the split's pairs: original vs original for every two
// photos, and original X vs augmented Y (both ways) for every augmentation.
func scorePairs(photos []*evalPhoto, split string, names []string) []pair {
	var ps []*evalPhoto
	for _, p := range photos {
		if p.Split == split {
			ps = append(ps, p)
		}
	}
	var out []pair
	add := func(x, y *evalPhoto, aug string) {
		a, b := x.Views[""], y.Views[aug]
		if a == nil || b == nil || a.Failed || b.Failed {
			return
		}
		pr := pair{A: x.Name, B: y.Name, Aug: aug, Same: x.Identity == y.Identity, Score: map[string]float64{}}
		for _, n := range names {
			pr.Score[n] = dot(a.Emb[n], b.Emb[n])
		}
		out = append(out, pr)
	}
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			add(ps[i], ps[j], "")
			for _, aug := range augmentations {
				add(ps[i], ps[j], aug.Name)
				add(ps[j], ps[i], aug.Name)
			}
		}
	}
	return out
}

// fusion is the weighted mean of two candidates' cosines: the cosine of
// their concatenated embeddings scaled by √w and √(1−w).
type fusion struct {
	A, B string
	W    float64
}

func (f fusion) String() string { return fmt.Sprintf("%.2f·%s + %.2f·%s", f.W, f.A, 1-f.W, f.B) }

func (f fusion) score(p pair) float64 { return f.W*p.Score[f.A] + (1-f.W)*p.Score[f.B] }

// vetoRule accepts a pair when Main scores at least TMain and Second at
// least TVeto: the second model, trained on other data, can only say no.
type vetoRule struct {
	Main, Second string
	TMain, TVeto float64
}

func (v vetoRule) accepts(p pair) bool {
	return p.Score[v.Main] >= v.TMain && p.Score[v.Second] >= v.TVeto
}

// vetoFrom derives a rule from one split alone: Main's threshold for FAR ≤
// 0.1 % there, and the Second score that keeps keep of its genuine pairs.
func vetoFrom(ps []pair, main, second string, keep float64) vetoRule {
	_, imp := rates(ps, func(p pair) float64 { return p.Score[main] }, nil)
	gen, _ := rates(ps, func(p pair) float64 { return p.Score[second] }, nil)
	return vetoRule{Main: main, Second: second, TMain: thresholdAt(imp, 0.001), TVeto: gen[int(math.Floor((1-keep)*float64(len(gen))))]}
}

// judge counts the rule's false accepts and false rejects on ps (keep: which
// genuine pairs count for the FRR).
func (v vetoRule) judge(ps []pair, keep func(pair) bool) (fa, imp, fr, gen int) {
	for _, p := range ps {
		switch {
		case !p.Same:
			imp++
			if v.accepts(p) {
				fa++
			}
		case keep == nil || keep(p):
			gen++
			if !v.accepts(p) {
				fr++
			}
		}
	}
	return fa, imp, fr, gen
}

// reportVetoes prints faceapi vetoed by every other candidate: each split's
// rule judged on the other split, and the tuning veto at the service's
// accept threshold on both.
func reportVetoes(names []string, tune, held []pair) {
	if !slices.Contains(names, "faceapi") {
		return
	}
	fmt.Println()
	fmt.Println("### faceapi vetoed by a second model (rule from one split: faceapi at FAR ≤ 0.1 %, the second model keeping 99.5 % / 99 % of its genuine pairs; judged on the other)")
	fmt.Println()
	fmt.Println("| second model | keeps | tuning rule → held-out FAR / FRR good quality / FRR all | held-out rule → tuning FAR / FRR good quality / FRR all | tuning veto at the default accept: both splits FAR / FRR good / FRR all |")
	fmt.Println("|---|---|---|---|---|")
	cell := func(v vetoRule, ps []pair) string {
		fa, imp, _, _ := v.judge(ps, nil)
		_, _, frm, gm := v.judge(ps, mild)
		_, _, fr, g := v.judge(ps, nil)
		return fmt.Sprintf("%.3f & %.3f → %s / %s / %s", v.TMain, v.TVeto, frac(fa, imp), frac(frm, gm), frac(fr, g))
	}
	all := append(append([]pair(nil), tune...), held...)
	row := func(name string, keep float64, vt, vh vetoRule) {
		d := vt
		d.TMain = face.DefaultMatchThreshold
		fmt.Printf("| %s | %.1f %% | %s | %s | %s |\n", name, 100*keep, cell(vt, held), cell(vh, tune), cell(d, all))
	}
	// faceapi alone: a veto that never fires.
	vt, vh := vetoFrom(tune, "faceapi", "faceapi", 1), vetoFrom(held, "faceapi", "faceapi", 1)
	vt.TVeto, vh.TVeto = -1, -1
	row("(none)", 1, vt, vh)
	for _, second := range names {
		if second == "faceapi" || strings.HasPrefix(second, "faceapi/") {
			continue
		}
		for _, keep := range []float64{0.995, 0.99} {
			row(second, keep, vetoFrom(tune, "faceapi", second, keep), vetoFrom(held, "faceapi", second, keep))
		}
	}
}

// rates splits scores into genuine and impostor lists.
func rates(ps []pair, score func(pair) float64, keep func(pair) bool) (gen, imp []float64) {
	for _, p := range ps {
		if keep != nil && !keep(p) {
			continue
		}
		if p.Same {
			gen = append(gen, score(p))
		} else {
			imp = append(imp, score(p))
		}
	}
	sort.Float64s(gen)
	sort.Float64s(imp)
	return gen, imp
}

// thresholdAt is the smallest threshold with at most far of the impostor
// scores at or above it.
func thresholdAt(imp []float64, far float64) float64 {
	if len(imp) == 0 {
		return 0
	}
	allowed := int(math.Floor(far * float64(len(imp))))
	return imp[len(imp)-1-allowed] + 1e-4
}

func countBelow(v []float64, t float64) int { return sort.SearchFloat64s(v, t) }

func countAtOrAbove(v []float64, t float64) int { return len(v) - sort.SearchFloat64s(v, t) }

func eer(gen, imp []float64) float64 {
	best := 1.0
	for _, t := range append(append([]float64(nil), gen...), imp...) {
		frr := float64(countBelow(gen, t)) / float64(len(gen))
		far := float64(countAtOrAbove(imp, t)) / float64(len(imp))
		best = math.Min(best, math.Max(frr, far))
	}
	return best
}

func isOrig(p pair) bool { return p.Aug == "" }

// mild are the augmentations a good-quality capture can show.
func mild(p pair) bool {
	switch p.Aug {
	case "", "jpeg20", "light", "roll+20", "roll-20", "yaw+20", "yaw-20":
		return true
	}
	return false
}

func frac(n, d int) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%d/%d (%.2f %%)", n, d, 100*float64(n)/float64(d))
}

func report2(photos []*evalPhoto, names []string, tune, held []pair, focus string, points [3]float64, verbose bool) {
	failed := map[string][2]int{}
	for _, p := range photos {
		for aug, v := range p.Views {
			k := p.Split + " " + aug
			c := failed[k]
			c[1]++
			if v.Failed {
				c[0]++
			}
			failed[k] = c
		}
	}
	fmt.Println("### Views without a detected face (failure to acquire)")
	fmt.Println()
	var keys []string
	for k := range failed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if failed[k][0] > 0 {
			fmt.Printf("- %s: %d of %d\n", strings.TrimSpace(k), failed[k][0], failed[k][1])
		}
	}
	type scorer struct {
		name string
		fn   func(pair) float64
	}
	var scorers []scorer
	for _, n := range names {
		scorers = append(scorers, scorer{n, func(p pair) float64 { return p.Score[n] }})
	}
	// Fusions of every two distinct models (the best pre-processing of each
	// by the tuning split), weights 0.3/0.5/0.7.
	best := map[string]string{}
	bestFRR := map[string]float64{}
	for _, s := range scorers {
		gen, imp := rates(tune, s.fn, nil)
		t := thresholdAt(imp, 0.001)
		frr := float64(countBelow(gen, t)) / float64(len(gen))
		base, _, _ := strings.Cut(s.name, "/")
		if strings.HasSuffix(s.name, "/noflip") {
			base = s.name // a speed variant, fused in its own right
		}
		if _, ok := best[base]; !ok || frr < bestFRR[base] {
			best[base], bestFRR[base] = s.name, frr
		}
	}
	var bases []string
	for b := range best {
		bases = append(bases, b)
	}
	sort.Strings(bases)
	for i := range bases {
		for j := i + 1; j < len(bases); j++ {
			for _, w := range []float64{0.3, 0.5, 0.7} {
				f := fusion{best[bases[i]], best[bases[j]], w}
				scorers = append(scorers, scorer{f.String(), f.score})
			}
		}
	}
	reportVetoes(names, tune, held)
	fmt.Println()
	fmt.Println("### Tuning split (face_recognition + specimen documents, with augmentations): threshold at FAR ≤ 0.1 %")
	fmt.Println()
	fmt.Println("| candidate | genuine / impostor pairs | EER | threshold (FAR ≤ 0.1 %) | FRR there, all pairs | FRR there, originals |")
	fmt.Println("|---|---|---:|---:|---|---|")
	type pick struct {
		name string
		thr  float64
		frr  float64
		fn   func(pair) float64
	}
	var picks []pick
	for _, s := range scorers {
		gen, imp := rates(tune, s.fn, nil)
		t := thresholdAt(imp, 0.001)
		og, _ := rates(tune, s.fn, isOrig)
		fr := countBelow(gen, t)
		fmt.Printf("| %s | %d / %d | %.3f | %.3f | %s | %s |\n", s.name, len(gen), len(imp), eer(gen, imp), t, frac(fr, len(gen)), frac(countBelow(og, t), len(og)))
		picks = append(picks, pick{s.name, t, float64(fr) / float64(len(gen)), s.fn})
	}
	sort.SliceStable(picks, func(i, j int) bool { return picks[i].frr < picks[j].frr })
	fmt.Println()
	fmt.Println("### Held-out split (deepface: other people, not looked at while tuning), at the tuning threshold")
	fmt.Println()
	fmt.Println("| candidate | threshold | FAR, all pairs | FRR, originals | FRR, good quality (originals, JPEG, light, ±20° roll/yaw) | FRR, all pairs | EER | held-out's own threshold for FAR ≤ 0.1 % → FRR (all) |")
	fmt.Println("|---|---:|---|---|---|---|---:|---|")
	for _, pk := range picks {
		gen, imp := rates(held, pk.fn, nil)
		og, _ := rates(held, pk.fn, isOrig)
		mg, _ := rates(held, pk.fn, mild)
		ot := thresholdAt(imp, 0.001)
		fmt.Printf("| %s | %.3f | %s | %s | %s | %s | %.3f | %.3f → %s |\n", pk.name, pk.thr, frac(countAtOrAbove(imp, pk.thr), len(imp)),
			frac(countBelow(og, pk.thr), len(og)), frac(countBelow(mg, pk.thr), len(mg)), frac(countBelow(gen, pk.thr), len(gen)), eer(gen, imp), ot, frac(countBelow(gen, ot), len(gen)))
	}
	// Two-fold: each split's FAR ≤ 0.1 % threshold judged on the other split.
	// The ranking (by the sum of the four out-of-split error rates) is how
	// the default is chosen; no threshold is judged on the pairs it came from.
	type cross struct {
		pick
		tb                     float64
		farB, frrB, farA, frrA float64
		nfB, ngB, nfA, ngA     [2]int
	}
	var cs []cross
	for _, pk := range picks {
		gA, iA := rates(tune, pk.fn, nil)
		gB, iB := rates(held, pk.fn, nil)
		c := cross{pick: pk, tb: thresholdAt(iB, 0.001)}
		c.nfB = [2]int{countAtOrAbove(iB, pk.thr), len(iB)}
		c.ngB = [2]int{countBelow(gB, pk.thr), len(gB)}
		c.nfA = [2]int{countAtOrAbove(iA, c.tb), len(iA)}
		c.ngA = [2]int{countBelow(gA, c.tb), len(gA)}
		r := func(n [2]int) float64 { return float64(n[0]) / float64(max(1, n[1])) }
		c.farB, c.frrB, c.farA, c.frrA = r(c.nfB), r(c.ngB), r(c.nfA), r(c.ngA)
		cs = append(cs, c)
	}
	sort.SliceStable(cs, func(i, j int) bool {
		return cs[i].farB+cs[i].frrB+cs[i].farA+cs[i].frrA < cs[j].farB+cs[j].frrB+cs[j].farA+cs[j].frrA
	})
	fmt.Println()
	fmt.Println("### Two-fold: each split's threshold (FAR ≤ 0.1 %) judged on the other split, best first")
	fmt.Println()
	fmt.Println("| candidate | tuning threshold → held-out FAR / FRR | held-out threshold → tuning FAR / FRR |")
	fmt.Println("|---|---|---|")
	for _, c := range cs {
		fmt.Printf("| %s | %.3f → %s / %s | %.3f → %s / %s |\n", c.name, c.thr, frac(c.nfB[0], c.nfB[1]), frac(c.ngB[0], c.ngB[1]), c.tb, frac(c.nfA[0], c.nfA[1]), frac(c.ngA[0], c.ngA[1]))
	}
	picks = picks[:0]
	for _, c := range cs {
		picks = append(picks, c.pick)
	}
	for _, pk := range picks {
		if pk.name != focus {
			continue
		}
		fmt.Printf("\n### Operating points of %s (both splits together, with augmentations)\n\n", pk.name)
		fmt.Println("| threshold | FAR, all pairs | FRR, good quality | FRR, all pairs (incl. blur, 56 px face, document-like) | FAR tuning / held-out |")
		fmt.Println("|---:|---|---|---|---|")
		all := append(append([]pair(nil), tune...), held...)
		gen, imp := rates(all, pk.fn, nil)
		mg, _ := rates(all, pk.fn, mild)
		_, iA := rates(tune, pk.fn, nil)
		_, iB := rates(held, pk.fn, nil)
		for t := points[0]; t < points[1]+points[2]/10; t += points[2] {
			fmt.Printf("| %.3f | %s | %s | %s | %d / %d |\n", t, frac(countAtOrAbove(imp, t), len(imp)), frac(countBelow(mg, t), len(mg)),
				frac(countBelow(gen, t), len(gen)), countAtOrAbove(iA, t), countAtOrAbove(iB, t))
		}
		fmt.Printf("\nhighest different-person score %.3f; lowest same-person score %.3f (good quality %.3f)\n", imp[len(imp)-1], gen[0], mg[0])
	}
	for _, pk := range picks[:min(3, len(picks))] {
		fmt.Printf("\n### %s: duplicate search on the original photos\n\n", pk.name)
		fmt.Println("| threshold | tuning: repeat persons found / false duplicate pairs | held-out: found / false duplicates |")
		fmt.Println("|---:|---|---|")
		viewScore := func(a, b *view) float64 {
			p := pair{Score: map[string]float64{}}
			for _, n := range names {
				p.Score[n] = dot(a.Emb[n], b.Emb[n])
			}
			return pk.fn(p)
		}
		var dupAt []float64
		for _, d := range []float64{-2, -1, 0, 1, 2} {
			dupAt = append(dupAt, pk.thr+2*points[2]*d)
		}
		if pk.name == focus { // the default embedding: also its calibrated duplicate threshold
			dupAt = append(dupAt, face.DefaultDuplicateThreshold)
			sort.Float64s(dupAt)
		}
		for _, t := range dupAt {
			f1, r1, x1, _ := duplicates(photos, "tune", viewScore, t)
			f2, r2, x2, _ := duplicates(photos, "held", viewScore, t)
			fmt.Printf("| %.3f | %d/%d, %d | %d/%d, %d |\n", t, f1, r1, x1, f2, r2, x2)
		}
		fmt.Printf("\n### %s on both splits, by augmentation (threshold %.3f; the default embedding also at the accept / reject defaults %.3f / %.3f)\n\n",
			pk.name, pk.thr, face.DefaultMatchThreshold, face.DefaultRejectThreshold)
		fmt.Println("| split | augmentation | genuine min / median | FRR | impostor max | FAR | genuine to review / rejected at the defaults |")
		fmt.Println("|---|---|---|---|---|---|---|")
		for _, sp := range []struct {
			name string
			ps   []pair
		}{{"tuning", tune}, {"held-out", held}} {
			for _, aug := range append([]string{""}, augNames()...) {
				gen, imp := rates(sp.ps, pk.fn, func(p pair) bool { return p.Aug == aug })
				if len(gen) == 0 || len(imp) == 0 {
					continue
				}
				label := aug
				if label == "" {
					label = "original"
				}
				atDefaults := "–"
				if pk.name == focus {
					atDefaults = frac(countBelow(gen, face.DefaultMatchThreshold)-countBelow(gen, face.DefaultRejectThreshold), len(gen)) + " / " +
						frac(countBelow(gen, face.DefaultRejectThreshold), len(gen))
				}
				fmt.Printf("| %s | %s | %.3f / %.3f | %s | %.3f | %s | %s |\n", sp.name, label, gen[0], gen[len(gen)/2], frac(countBelow(gen, pk.thr), len(gen)),
					imp[len(imp)-1], frac(countAtOrAbove(imp, pk.thr), len(imp)), atDefaults)
			}
		}
		if verbose {
			for _, sp := range [][]pair{tune, held} {
				sorted := append([]pair(nil), sp...)
				sort.Slice(sorted, func(i, j int) bool { return pk.fn(sorted[i]) > pk.fn(sorted[j]) })
				n := 0
				for _, p := range sorted {
					if !p.Same && n < 8 {
						fmt.Printf("  impostor %.3f %s | %s [%s]\n", pk.fn(p), p.A, p.B, p.Aug)
						n++
					}
				}
				for i := len(sorted) - 1; i >= 0 && n < 16; i-- {
					if sorted[i].Same {
						fmt.Printf("  genuine %.3f %s | %s [%s]\n", pk.fn(sorted[i]), sorted[i].A, sorted[i].B, sorted[i].Aug)
						n++
					}
				}
			}
		}
	}
}

func augNames() []string {
	var out []string
	for _, a := range augmentations {
		out = append(out, a.Name)
	}
	return out
}

// duplicates simulates the duplicate search on the original photos of a
// split: each photo is searched against all the others; a repeat person is
// found when some photo of the same person scores ≥ t, and every other
// person's photo at or above t is a false duplicate.
func duplicates(photos []*evalPhoto, split string, score func(a, b *view) float64, t float64) (found, repeats, falseDup, searched int) {
	var ps []*evalPhoto
	for _, p := range photos {
		if p.Split == split && p.Views[""] != nil && !p.Views[""].Failed {
			ps = append(ps, p)
		}
	}
	for i, p := range ps {
		repeat, hit := false, false
		for j, q := range ps {
			if i == j {
				continue
			}
			s := score(p.Views[""], q.Views[""])
			if p.Identity == q.Identity {
				repeat = true
				hit = hit || s >= t
			} else if s >= t {
				falseDup++
			}
		}
		searched++
		if repeat {
			repeats++
			if hit {
				found++
			}
		}
	}
	return found, repeats, falseDup / 2, searched
}

// readGob decodes the gob file at path into v (os.ErrNotExist when there is none).
func readGob(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	if err := gob.NewDecoder(f).Decode(v); err != nil {
		return fmt.Errorf("cache %s: %w", path, err)
	}
	return nil
}

// writeGob writes v to path as gob.
func writeGob(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := gob.NewEncoder(f).Encode(v); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
