//go:build onnx

// Command age compares the installable age models on the shared test photos with the same
// input (checks/age's normalised canvas and its eight views) and writes the tables of
// docs/benchmarks/face-decisions.md, "Age":
//
//	go run -tags onnx ./bench/age          # consistency of every model
//	go run -tags onnx ./bench/age -known   # the check's error on the dated photos
//
// Most photos have no known age, so the default run ranks consistency: the same photo at full,
// ½ and ⅓ resolution; the models against each other; and photos of one person (deepface's
// master.csv "Yes" pairs and face_recognition's repeated people), which may be years apart.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/age"
	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
)

type runner struct {
	name string
	run  func(*imaging.RGB, face.Box) (float64, error)
	// views are the views the model runs on (nil: all eight).
	views []int
	// runs and took time the model's runs (for the cost of a second opinion).
	runs int
	took time.Duration
}

func main() {
	testdata := flag.String("testdata", "", "shared testdata dir (default ../shared/testdata from the repo root, or $KYCD_TESTDATA)")
	dir := flag.String("models", filepath.Join(onnx.CacheDir(), "models", "human-models-3.0.4"), "directory of the converted human-models")
	fewer := flag.Bool("views", false, "also run FaceRes's age head on all 8 views and on 2")
	known := flag.Bool("known", false, "the error on photos whose embedded caption dates them (ages known)")
	flag.Parse()
	if *testdata == "" {
		*testdata = os.Getenv("KYCD_TESTDATA")
	}
	if *testdata == "" {
		*testdata = filepath.Join("..", "shared", "testdata")
	}
	eng, err := face.New(face.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = eng.Close() }()
	if *known {
		rs, err := knownAges(eng, *testdata)
		if err != nil {
			log.Fatal(err)
		}
		reportKnown(rs)
		return
	}
	rt, err := onnx.Open(onnx.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = rt.Close() }()
	runners := []*runner{{name: face.ModelAge, run: eng.Age}}
	for _, spec := range age.Candidates {
		m, err := age.LoadModel(rt, *dir, spec)
		if err != nil {
			log.Fatal(err)
		}
		defer func() { _ = m.Close() }()
		runners = append(runners, &runner{name: spec.Name, run: m.Years, views: spec.Views})
		if spec.Name == age.FaceResAge.Name && *fewer {
			// The same model on all eight views and on two (as placed + mirrored).
			runners = append(runners, &runner{name: spec.Name + "/8 views", run: m.Years, views: []int{0, 1, 2, 3, 4, 5, 6, 7}},
				&runner{name: spec.Name + "/2 views", run: m.Years, views: []int{0, 4}})
		}
	}
	if err := run(eng, runners, *testdata); err != nil {
		log.Fatal(err)
	}
}

// photo is one photo's estimates: per model, per resolution (1, ½, ⅓).
type photo struct {
	file string
	est  [][]age.Estimate
}

func run(eng *face.Engine, runners []*runner, testdata string) error {
	faces := filepath.Join(testdata, "faces")
	var files []string
	for _, d := range []string{"face_recognition/tests/test_images", "face_recognition/examples/knn_examples/train/biden",
		"face_recognition/examples/knn_examples/train/kit_harington", "deepface"} {
		m, err := filepath.Glob(filepath.Join(faces, d, "*.jp*g"))
		if err != nil {
			return err
		}
		files = append(files, m...)
	}
	var photos []photo
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		img, err := imaging.Decode(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		p := photo{file: f, est: make([][]age.Estimate, len(runners))}
		for _, s := range []float64{1, 0.5, 0.33} {
			w, h := int(float64(img.W)*s), int(float64(img.H)*s)
			if min(w, h) < imaging.MinSide {
				continue
			}
			im := imaging.CropResize(img, imaging.Rect{W: float64(img.W), H: float64(img.H)}, w, h, [3]uint8{})
			a, err := eng.Analyze(im, face.KindSelfie, face.Want{IgnoreQuality: true})
			if err != nil {
				return err
			}
			if a.Face == nil || len(a.Detections) > 1 {
				break // no face, or several: not a single-person photo (as TestNormalisedEstimateIsStable)
			}
			canvas, err := age.Normalize(im, &a.Face.Landmarks)
			if err != nil {
				return err
			}
			for i, r := range runners {
				timed := func(src *imaging.RGB, b face.Box) (float64, error) {
					t0 := time.Now()
					y, err := r.run(src, b)
					r.took += time.Since(t0)
					r.runs++
					return y, err
				}
				e, err := age.EstimateSomeViews(canvas, r.views, timed)
				if err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
				p.est[i] = append(p.est[i], e)
			}
		}
		if len(p.est[0]) >= 2 {
			photos = append(photos, p)
		}
	}
	report(runners, photos, faces)
	return nil
}

func years(p photo, model, res int) float64 { return p.est[model][res].Years }

func op(e age.Estimate) age.Opinion {
	return age.Opinion{Years: e.Years, Low: e.Low, High: e.High, Spread: e.Spread, Views: e.Views}
}

func report(runners []*runner, photos []photo, faces string) {
	// The check's combination: fr_age (runner 0) and the second opinion, as checks/age combines them.
	second := slices.IndexFunc(runners, func(r *runner) bool { return r.name == age.SecondOpinion.Name })
	for k := range photos {
		var comb []age.Estimate
		for res := range photos[k].est[0] {
			e, err := age.Combine([]age.Opinion{op(photos[k].est[0][res]), op(photos[k].est[second][res])})
			if err != nil {
				log.Fatal(err)
			}
			comb = append(comb, e)
		}
		photos[k].est = append(photos[k].est, comb)
	}
	names := []string{}
	for _, r := range runners {
		names = append(names, r.name)
	}
	names = append(names, "check: "+face.ModelAge+" ∪ "+age.SecondOpinion.Name)

	fmt.Printf("%d single-person photos, each at full, 1/2 and 1/3 resolution (where the face is still found)\n\n", len(photos))
	fmt.Println("| model | mean estimate (full res.) | SD across photos | lowest | spread across resolutions: mean | worst | mean interval width | same person (pairs): mean abs difference | worst | interval ≥ 18 / ≥ 21 / ≥ 25 (of photos, full res.) | ms per estimate |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	pairs := samePerson(photos, faces)
	for i, name := range names {
		var sum, sq, spread, worst, width, lowest float64
		lowest = math.Inf(1)
		n := 0
		var pass [3]int
		for _, p := range photos {
			var ys []float64
			for _, e := range p.est[i] {
				ys = append(ys, e.Years)
				width += e.High - e.Low
				n++
			}
			d := slices.Max(ys) - slices.Min(ys)
			spread += d
			worst = math.Max(worst, d)
			sum += ys[0]
			sq += ys[0] * ys[0]
			lowest = math.Min(lowest, ys[0])
			for k, m := range []int{18, 21, 25} {
				if age.DecideInterval(p.est[i][0], m) == age.Pass {
					pass[k]++
				}
			}
		}
		var pd, pw float64
		for _, pr := range pairs {
			d := math.Abs(years(photos[pr[0]], i, 0) - years(photos[pr[1]], i, 0))
			pd += d
			pw = math.Max(pw, d)
		}
		np := float64(len(photos))
		mean := sum / np
		ms := "—"
		if i < len(runners) {
			ms = fmt.Sprintf("%.0f", float64(photos[0].est[i][0].Views)*float64(runners[i].took.Microseconds())/1000/float64(runners[i].runs))
		}
		fmt.Printf("| %s | %.1f | %.1f | %.1f | %.2f | %.1f | %.1f | %.1f | %.1f | %d / %d / %d | %s |\n", name, mean, math.Sqrt(max(0, sq/np-mean*mean)), lowest,
			spread/np, worst, width/float64(n), pd/float64(len(pairs)), pw, pass[0], pass[1], pass[2], ms)
	}
	fmt.Printf("\nsame-person pairs: %d (deepface master.csv \"Yes\" pairs, obama*.jpg, biden*.jpg, john*.jpeg; photos may be years apart)\n\n", len(pairs))
	fmt.Println("Agreement between models at full resolution (mean |difference| / worst / mean signed difference row − column, years):")
	fmt.Println()
	head := "| |"
	sep := "|---|"
	for _, r := range runners {
		head += " " + r.name + " |"
		sep += "---|"
	}
	fmt.Println(head)
	fmt.Println(sep)
	for i, a := range runners {
		row := "| " + a.name + " |"
		for j := range runners {
			if i == j {
				row += " — |"
				continue
			}
			var d, w, signed float64
			for _, p := range photos {
				x := years(p, i, 0) - years(p, j, 0)
				d += math.Abs(x)
				w = math.Max(w, math.Abs(x))
				signed += x
			}
			np := float64(len(photos))
			row += fmt.Sprintf(" %.1f / %.1f / %+.1f |", d/np, w, signed/np)
		}
		fmt.Println(row)
	}
	fmt.Println()
	fmt.Println("Per photo (full resolution):")
	fmt.Println()
	for _, p := range photos {
		var parts []string
		for i, r := range runners {
			parts = append(parts, fmt.Sprintf("%s %.1f", r.name, years(p, i, 0)))
		}
		rel, _ := filepath.Rel(faces, p.file)
		fmt.Printf("  %-60s %s\n", rel, strings.Join(parts, ", "))
	}
}

// samePerson lists index pairs of photos of one person: deepface's "Yes" pairs and the
// face_recognition people with several photos in the set.
func samePerson(photos []photo, faces string) [][2]int {
	idx := map[string]int{}
	for i, p := range photos {
		rel, _ := filepath.Rel(faces, p.file)
		idx[rel] = i
	}
	var out [][2]int
	seen := map[[2]int]bool{}
	add := func(a, b string) {
		i, ok1 := idx[a]
		j, ok2 := idx[b]
		if !ok1 || !ok2 || i == j {
			return
		}
		k := [2]int{min(i, j), max(i, j)}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	if f, err := os.Open(filepath.Join(faces, "deepface", "master.csv")); err == nil {
		rows, err := csv.NewReader(f).ReadAll()
		_ = f.Close()
		if err == nil {
			for _, r := range rows[1:] {
				if len(r) == 3 && r[2] == "Yes" {
					add("deepface/"+r[0], "deepface/"+r[1])
				}
			}
		}
	}
	groups := [][]string{
		{"face_recognition/tests/test_images/obama.jpg", "face_recognition/tests/test_images/obama2.jpg", "face_recognition/tests/test_images/obama3.jpg"},
		{"face_recognition/tests/test_images/biden.jpg", "face_recognition/examples/knn_examples/train/biden/biden2.jpg"},
		{"face_recognition/examples/knn_examples/train/kit_harington/john1.jpeg", "face_recognition/examples/knn_examples/train/kit_harington/john2.jpeg"},
	}
	for _, g := range groups {
		for a := range g {
			for b := a + 1; b < len(g); b++ {
				add(g[a], g[b])
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a][0] < out[b][0] || out[a][0] == out[b][0] && out[a][1] < out[b][1] })
	return out
}
