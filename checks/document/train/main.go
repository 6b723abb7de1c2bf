// Command train fits the OCR-B cell classifier embedded in
// checks/document/ocrb (model.bin) on synthetic documents.
//
// Cells are cut by the same finder the engine uses, so the model learns the
// finder's own grid errors; each cell is also re-cut with jittered origin,
// pitch and height. Seeds start at 1,000,000, disjoint from the seeds the
// tests and benches use (0…499).
//
//	go build -o /tmp/train ./checks/document/train
//	nice -n 10 /tmp/train -out checks/document/ocrb/model.bin
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"time"

	"golang.org/x/image/font/opentype"

	"github.com/kycd/kycd/checks/document/ocrb"
	"github.com/kycd/kycd/checks/document/synth"
)

type sample struct {
	x []float32
	y int
}

func main() {
	docs := flag.Int("docs", 1000, "synthetic documents to cut cells from")
	val := flag.Int("val", 150, "held-out documents for validation")
	epochs := flag.Int("epochs", 8, "training epochs")
	hidden := flag.Int("hidden", 128, "hidden units")
	jitters := flag.Int("jitter", 1, "extra jittered cuts per line")
	out := flag.String("out", "checks/document/ocrb/model.bin", "model output path")
	extraFont := flag.String("extra-font", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "optional second monospaced MRZ font (15% of documents); empty to skip")
	workers := flag.Int("workers", min(2, runtime.NumCPU()), "parallel document renderers")
	flag.Parse()

	var alt *opentype.Font
	if *extraFont != "" {
		if b, err := os.ReadFile(*extraFont); err == nil {
			if f, err := opentype.Parse(b); err == nil {
				alt = f
			}
		}
		if alt == nil {
			log.Printf("extra font %s not usable; training on OCR-B only", *extraFont)
		}
	}
	start := time.Now()
	train := collect(1_000_000, *docs, *jitters, alt, *workers)
	valid := collect(2_000_000, *val, 0, alt, *workers)
	log.Printf("cells: train %d, validation %d (%.0fs)", len(train), len(valid), time.Since(start).Seconds())

	r := rand.New(rand.NewPCG(42, 42))
	m := ocrb.NewModel(ocrb.FW*ocrb.FH, *hidden, len(ocrb.Alphabet), r.NormFloat64)
	fit(m, train, valid, *epochs, r)
	b, err := m.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s (%d bytes) in %.0fs", *out, len(b), time.Since(start).Seconds())
}

// collect renders documents seed0…seed0+n-1 in parallel and concatenates
// their cells in seed order, so a run is reproducible whatever the scheduling.
func collect(seed0 uint64, n, jitters int, alt *opentype.Font, workers int) []sample {
	per := make([][]sample, n)
	ok := make([]bool, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				per[i], ok[i] = docSamples(seed0+uint64(i), jitters, alt)
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	var out []sample
	skipped := 0
	for i := range per {
		if !ok[i] {
			skipped++
		}
		out = append(out, per[i]...)
	}
	log.Printf("seeds from %d: %d documents, %d skipped (finder missed or mis-sized the zone)", seed0, n, skipped)
	return out
}

func docSamples(seed uint64, jitters int, alt *opentype.Font) ([]sample, bool) {
	r := rand.New(rand.NewPCG(seed, 1))
	kind := synth.TD3
	if r.IntN(2) == 0 {
		kind = synth.TD1
	}
	opts := synth.RandomOptions(r, kind)
	// Harder than the bench on purpose: more blur, noise and wear.
	opts.Blur *= 1.3
	opts.Noise *= 1.4
	if alt != nil && r.IntN(100) < 15 {
		opts.MRZFont = alt
	}
	// A quarter of the documents are small photos (600–1000 px wide). A
	// recipe with 20 % tiny scans (300–600 px) was tried and was worse on
	// real specimens and on small scans alike.
	if r.IntN(4) == 0 {
		opts.Width = 600 + r.IntN(400)
		opts.Height = opts.Width * 17 / 24
	}
	doc, err := synth.Render(synth.RandomIdentity(r, kind), opts, r)
	if err != nil {
		log.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(doc.MRZImage()))
	if err != nil {
		log.Fatal(err)
	}
	g := ocrb.FromImage(img)
	g = g.Resize(ocrb.WorkingScale(g.W, g.H))
	zones := ocrb.FindZones(g, ocrb.DefaultParams)
	if len(zones) == 0 {
		return nil, false
	}
	z := zones[0]
	if len(z.Lines) != len(doc.Lines) || z.Lines[0].N != len(doc.Lines[0]) {
		return nil, false
	}
	upside := math.Mod(math.Abs(opts.Rotation)+90, 360) > 180
	if upside {
		z = z.Reverse()
	}
	var out []sample
	for li, l := range z.Lines {
		cuts := []ocrb.Line{l}
		for j := 0; j < jitters; j++ {
			jl := l
			jl.OriginX += (r.Float64()*2 - 1) * 0.15 * l.Pitch
			jl.OriginY += (r.Float64()*2 - 1) * 0.12 * l.CapHeight
			jl.Pitch *= 1 + (r.Float64()*2-1)*0.004
			jl.CapHeight *= 1 + (r.Float64()*2-1)*0.12
			cuts = append(cuts, jl)
		}
		for _, c := range cuts {
			for i, f := range ocrb.Features(g, c) {
				y := indexOf(doc.Lines[li][i])
				out = append(out, sample{x: f, y: y})
			}
		}
	}
	return out, true
}

func indexOf(c byte) int {
	for i := 0; i < len(ocrb.Alphabet); i++ {
		if ocrb.Alphabet[i] == c {
			return i
		}
	}
	panic(fmt.Sprintf("character %q outside the MRZ alphabet", c))
}

// fit trains with Adam on mini-batches of 64 and a step-decayed rate.
func fit(m *ocrb.Model, train, valid []sample, epochs int, r *rand.Rand) {
	params := [][]float32{m.W1, m.B1, m.W2, m.B2}
	grads := make([][]float32, len(params))
	m1 := make([][]float32, len(params))
	m2 := make([][]float32, len(params))
	for i, p := range params {
		grads[i] = make([]float32, len(p))
		m1[i] = make([]float32, len(p))
		m2[i] = make([]float32, len(p))
	}
	h := make([]float32, m.Hidden)
	p := make([]float32, m.Out)
	dh := make([]float32, m.Hidden)
	const batch = 64
	const b1, b2, eps = 0.9, 0.999, 1e-8
	step := 0
	for ep := 0; ep < epochs; ep++ {
		lr := 0.002 * math.Pow(0.6, float64(ep/3))
		r.Shuffle(len(train), func(i, j int) { train[i], train[j] = train[j], train[i] })
		var loss float64
		for s := 0; s+batch <= len(train); s += batch {
			for _, g := range grads {
				clear(g)
			}
			for _, smp := range train[s : s+batch] {
				m.Forward(smp.x, h, p)
				loss -= math.Log(math.Max(float64(p[smp.y]), 1e-12))
				// Softmax cross-entropy gradient: p - onehot.
				p[smp.y] -= 1
				clear(dh)
				for o := 0; o < m.Out; o++ {
					g := p[o]
					grads[3][o] += g
					w := m.W2[o*m.Hidden : (o+1)*m.Hidden]
					gw := grads[2][o*m.Hidden : (o+1)*m.Hidden]
					for k := range h {
						gw[k] += g * h[k]
						dh[k] += g * w[k]
					}
				}
				for j := 0; j < m.Hidden; j++ {
					if h[j] <= 0 {
						continue
					}
					g := dh[j]
					grads[1][j] += g
					gw := grads[0][j*m.In : (j+1)*m.In]
					for k, v := range smp.x {
						gw[k] += g * v
					}
				}
			}
			step++
			c1 := 1 - math.Pow(b1, float64(step))
			c2 := 1 - math.Pow(b2, float64(step))
			for i, prm := range params {
				for k := range prm {
					g := grads[i][k] / batch
					m1[i][k] = b1*m1[i][k] + (1-b1)*g
					m2[i][k] = b2*m2[i][k] + (1-b2)*g*g
					prm[k] -= float32(lr * (float64(m1[i][k]) / c1) / (math.Sqrt(float64(m2[i][k])/c2) + eps))
				}
			}
		}
		log.Printf("epoch %d: loss %.4f, train err %.4f%%, validation err %.4f%%", ep+1,
			loss/float64(len(train)), 100*errRate(m, train[:min(len(train), 20000)]), 100*errRate(m, valid))
	}
}

func errRate(m *ocrb.Model, s []sample) float64 {
	h := make([]float32, m.Hidden)
	p := make([]float32, m.Out)
	bad := 0
	for _, smp := range s {
		m.Forward(smp.x, h, p)
		best := 0
		for o := range p {
			if p[o] > p[best] {
				best = o
			}
		}
		if best != smp.y {
			bad++
		}
	}
	if len(s) == 0 {
		return 0
	}
	return float64(bad) / float64(len(s))
}
