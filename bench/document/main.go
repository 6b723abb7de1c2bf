// Command document measures the document engine: specimen images, a
// synthetic sample and the time to read an MRZ. Results go to stdout as
// Markdown (docs/benchmarks/document.md is written from it).
//
//	go run ./bench/document -synth 500 -timing 40
//	go run -tags tesseract ./bench/document -ocr tesseract -synth 200
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/checks/document/synth"
	"github.com/kycd/kycd/checks/mrz"
)

func main() {
	specDir := flag.String("specimens", "../shared/testdata/mrz/images", "specimen image folder (empty to skip)")
	labels := flag.String("labels", "checks/document/testdata/specimens.json", "specimen expectations")
	nSynth := flag.Int("synth", 500, "synthetic documents (seeds 0..n-1)")
	nTiming := flag.Int("timing", 40, "1200×850 photos to time (single core)")
	nSmall := flag.Int("small", 100, "small, heavily compressed scans (300–600 px wide) to read")
	ocr := flag.String("ocr", document.OCRAuto, "OCR back-end: auto, ocrb or tesseract")
	verbose := flag.Bool("v", false, "print every failure")
	nCompare := flag.Int("compare", 0, "documents for the classifier-vs-Tesseract comparison (needs -tags tesseract)")
	flag.Parse()

	now := func() time.Time { return synth.RefDate }
	eng, err := document.NewEngine(document.Config{OCR: *ocr, AllowSpecimen: true, Now: now})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("## document bench (ocr=%s, GOMAXPROCS=%d, %s/%s)\n\n", *ocr, runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	if *nCompare > 0 {
		compareRecognizers(*nCompare, false)
		compareRecognizers(*nCompare, true)
	}
	if *specDir != "" {
		specimens(eng, *specDir, *labels, *verbose)
	}
	if *nSynth > 0 {
		synthetic(eng, *nSynth, *verbose)
	}
	if *nSmall > 0 {
		small(eng, *nSmall, *verbose)
	}
	if *nTiming > 0 {
		timing(eng, *nTiming)
	}
}

// Label is a specimen's expected MRZ, read by a person from the image.
type Label struct {
	File     string   `json:"file"`
	Lines    []string `json:"lines"`
	Readable bool     `json:"readable"`
	Note     string   `json:"note,omitempty"`
}

func loadLabels(path string) map[string]Label {
	out := map[string]Label{}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Printf("no labels (%v): fields not compared", err)
		return out
	}
	var ls []Label
	if err := json.Unmarshal(b, &ls); err != nil {
		log.Fatalf("labels %s: %v", path, err)
	}
	for _, l := range ls {
		out[l.File] = l
	}
	return out
}

func specimens(eng *document.Engine, dir, labelPath string, verbose bool) {
	labels := loadLabels(labelPath)
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	sort.Strings(files)
	fmt.Println("### Specimen images")
	fmt.Println()
	fmt.Println("| image | MRZ found | check digits valid | accepted | lines match label | ocr | mean conf | min unprotected conf | ms |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|")
	var readable, readableOK, all, allOK, labelled, labelledRight, acceptedWrong int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			log.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, f)
		t0 := time.Now()
		rd, err := eng.ReadMRZDetail(context.Background(), b)
		ms := time.Since(t0).Milliseconds()
		if err != nil {
			fmt.Printf("| %s | error: %v | | | | | %d |\n", rel, err, ms)
			continue
		}
		lab, hasLab := labels[rel]
		found, ok, match := rd != nil && rd.Result != nil, rd != nil && rd.ChecksOK, "–"
		all++
		if ok {
			allOK++
		}
		if hasLab && lab.Readable {
			readable++
			if ok {
				readableOK++
			}
		}
		if hasLab && len(lab.Lines) > 0 {
			labelled++
			if found && strings.Join(rd.Result.Lines, "\n") == strings.Join(lab.Lines, "\n") {
				match = "yes"
				labelledRight++
			} else {
				match = "**no**"
				if rd != nil && rd.Trusted {
					acceptedWrong++
				}
				if found && verbose {
					log.Printf("%s: read %q want %q", rel, rd.Result.Lines, lab.Lines)
				}
			}
		}
		ocr, conf, minc, acc := "", 0.0, 0.0, false
		if rd != nil {
			ocr, conf, minc, acc = rd.OCR, rd.Confidence, rd.MinUnprotectedConfidence, rd.Trusted
		}
		fmt.Printf("| %s | %v | %v | %v | %s | %s | %.2f | %.2f | %d |\n", rel, found, ok, acc, match, ocr, conf, minc, ms)
	}
	fmt.Printf("\nAll check digits valid: %d/%d images; on the images a person can read (label readable=true): %d/%d; lines equal to the label: %d/%d labelled; accepted with lines differing from the label: %d.\n\n",
		allOK, all, readableOK, readable, labelledRight, labelled, acceptedWrong)
}

type fieldCheck struct {
	name      string
	got, want string
}

func synthetic(eng *document.Engine, n int, verbose bool) {
	var exact, checksValid, wrongAccepted, wrongValid, trusted, found int
	var rawErrs, rawChars int
	var confRight, confWrong []float64
	kinds := map[synth.Kind][2]int{}
	for s := 0; s < n; s++ {
		kind := synth.TD3
		if s%2 == 1 {
			kind = synth.TD1
		}
		doc, _, err := synth.RandomDocument(uint64(s), kind)
		if err != nil {
			log.Fatal(err)
		}
		rd, err := eng.ReadMRZDetail(context.Background(), doc.MRZImage())
		if err != nil {
			log.Fatal(err)
		}
		k := kinds[kind]
		k[1]++
		if rd != nil && rd.Result != nil {
			found++
			for i := range doc.Lines {
				if i < len(rd.Raw) {
					rawErrs += levenshtein(rd.Raw[i], doc.Lines[i])
				} else {
					rawErrs += len(doc.Lines[i])
				}
				rawChars += len(doc.Lines[i])
			}
			if rd.ChecksOK {
				checksValid++
			}
			if strings.Join(rd.Result.Lines, "\n") == strings.Join(doc.Lines, "\n") {
				exact++
				k[0]++
			} else if verbose {
				log.Printf("seed %d %s: read %q\n  want %q (raw %q, checks %v)", s, kind, rd.Result.Lines, doc.Lines, rd.Raw, rd.ChecksOK)
			}
			if rd.Trusted {
				trusted++
			}
			if rd.ChecksOK {
				if len(wrongFields(rd.Result, doc.Identity)) == 0 {
					confRight = append(confRight, rd.MinUnprotectedConfidence)
				} else {
					confWrong = append(confWrong, rd.MinUnprotectedConfidence)
				}
			}
			if rd.ChecksOK {
				if bad := wrongFields(rd.Result, doc.Identity); len(bad) > 0 {
					wrongValid++
					if rd.Trusted {
						wrongAccepted++
						log.Printf("seed %d: ACCEPTED WITH WRONG FIELDS %v", s, bad)
					} else if verbose {
						log.Printf("seed %d: wrong fields %v caught by the confidence gate (%.2f)", s, bad, rd.MinUnprotectedConfidence)
					}
				}
			}
		} else {
			rawErrs += len(strings.Join(doc.Lines, ""))
			rawChars += len(strings.Join(doc.Lines, ""))
			if verbose {
				log.Printf("seed %d %s: no MRZ found", s, kind)
			}
		}
		kinds[kind] = k
	}
	fmt.Println("### Synthetic documents (synth.RandomDocument seeds 0..n-1, half TD1 backs, half TD3 pages)")
	fmt.Println()
	fmt.Printf("| documents | MRZ found | check digits valid | accepted (valid + confident) | exact read (all lines) | TD3 exact | TD1 exact | valid but a field wrong | accepted with a wrong field | raw char error rate (before repair) |\n")
	fmt.Printf("|---|---|---|---|---|---|---|---|---|---|\n")
	fmt.Printf("| %d | %d | %d | %d | %d (%.1f %%) | %d/%d | %d/%d | %d | %d | %.3f %% |\n\n", n, found, checksValid, trusted, exact, 100*float64(exact)/float64(n),
		kinds[synth.TD3][0], kinds[synth.TD3][1], kinds[synth.TD1][0], kinds[synth.TD1][1], wrongValid, wrongAccepted, 100*float64(rawErrs)/float64(max(1, rawChars)))
	sort.Float64s(confRight)
	sort.Float64s(confWrong)
	q := func(v []float64, f float64) float64 {
		if len(v) == 0 {
			return math.NaN()
		}
		return v[min(len(v)-1, int(f*float64(len(v))))]
	}
	fmt.Printf("Lowest confidence of a character no check digit covers, on check-digit-valid readings: all fields right (n=%d) min %.2f, 1st pct %.2f, 5th pct %.2f, median %.2f; a field wrong (n=%d): %v\n\n",
		len(confRight), q(confRight, 0), q(confRight, 0.01), q(confRight, 0.05), q(confRight, 0.5), len(confWrong), confWrong)
}

// wrongFields compares every field the MRZ carries with the truth.
func wrongFields(r *mrz.Result, id synth.Identity) []string {
	sur, given := synth.MRZNames(id)
	checks := []fieldCheck{
		{"document_number", r.DocumentNumber, id.DocumentNumber},
		{"issuing_state", strings.TrimRight(r.IssuingState, "<"), strings.TrimRight(id.IssuingState, "<")},
		{"nationality", strings.TrimRight(r.Nationality, "<"), strings.TrimRight(id.Nationality, "<")},
		{"date_of_birth", r.DateOfBirth, id.DateOfBirth},
		{"expiry_date", r.ExpiryDate, id.ExpiryDate},
		{"surname", r.Surname, sur},
		{"given_names", r.GivenNames, given},
		{"document_code", strings.TrimRight(r.DocumentCode, "<"), id.DocumentCode},
	}
	sex := id.Sex
	if sex == "<" {
		sex = "X"
	}
	checks = append(checks, fieldCheck{"sex", r.Sex, sex})
	var bad []string
	for _, c := range checks {
		if c.got != c.want {
			bad = append(bad, fmt.Sprintf("%s=%q want %q", c.name, c.got, c.want))
		}
	}
	return bad
}

// small reads tiny scans, where glyphs are 5–9 px tall: the regime of many
// real specimen images on the web. Reported separately from the main sample.
func small(eng *document.Engine, n int, verbose bool) {
	var found, exact, accepted, wrongAccepted int
	for s := 0; s < n; s++ {
		r := rand.New(rand.NewPCG(uint64(s), 9))
		kind := synth.TD3
		if s%2 == 1 {
			kind = synth.TD1
		}
		o := synth.RandomOptions(r, kind)
		o.Width = 300 + r.IntN(300)
		o.Height = o.Width * 17 / 24
		o.JPEGQuality = 40 + r.IntN(50)
		doc, err := synth.Render(synth.RandomIdentity(r, kind), o, r)
		if err != nil {
			log.Fatal(err)
		}
		rd, err := eng.ReadMRZDetail(context.Background(), doc.MRZImage())
		if err != nil {
			log.Fatal(err)
		}
		if rd == nil {
			continue
		}
		found++
		same := strings.Join(rd.Result.Lines, "\n") == strings.Join(doc.Lines, "\n")
		if same {
			exact++
		}
		if rd.Trusted {
			accepted++
			if len(wrongFields(rd.Result, doc.Identity)) > 0 {
				wrongAccepted++
				if verbose {
					log.Printf("small seed %d (%d px): ACCEPTED WRONG %q want %q", s, o.Width, rd.Result.Lines, doc.Lines)
				}
			}
		}
	}
	fmt.Println("### Small scans (300–600 px wide, JPEG quality 40–90; MRZ glyphs 5–9 px tall)")
	fmt.Println()
	fmt.Printf("| documents | MRZ found | exact read | accepted | accepted with a wrong field |\n|---|---|---|---|---|\n| %d | %d | %d | %d | %d |\n\n",
		n, found, exact, accepted, wrongAccepted)
}

func timing(eng *document.Engine, n int) {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	var ds []time.Duration
	ok := 0
	for s := 0; s < n; s++ {
		r := synth.Options{Kind: synth.TD3, Width: 1200, Height: 850, Rotation: float64(s%7) - 3, Blur: 0.8, Noise: 5, JPEGQuality: 85}
		doc, err := synth.Generate(uint64(10_000+s), r)
		if err != nil {
			log.Fatal(err)
		}
		t0 := time.Now()
		rd, err := eng.ReadMRZDetail(context.Background(), doc.Front)
		ds = append(ds, time.Since(t0))
		if err != nil {
			log.Fatal(err)
		}
		if rd != nil && rd.ChecksOK {
			ok++
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	fmt.Println("### Time to read the MRZ of a 1200×850 JPEG photo (GOMAXPROCS=1, decode included)")
	fmt.Println()
	fmt.Printf("| photos | valid | median | p90 | max |\n|---|---|---|---|---|\n| %d | %d | %d ms | %d ms | %d ms |\n\n",
		n, ok, ds[n/2].Milliseconds(), ds[n*9/10].Milliseconds(), ds[n-1].Milliseconds())
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
