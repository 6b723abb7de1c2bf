//go:build onnx

// Command samplefaces generates the sandbox's sample faces (issue #27): composites of
// public-domain photographs that are no real person, written as small JPEGs to
// internal/samplefaces, with the face engine's verdict on each printed as a table.
//
//	go run -tags onnx ./bench/samplefaces            # measure and write
//	go run -tags onnx ./bench/samplefaces -n         # measure only
//
// Method (docs/SANDBOX_FACES.md): the official White House photographs of two people
// (US government works, public domain) in ../shared/testdata/faces/face_recognition are
// aligned on their 68 landmarks, warped piecewise-affinely onto the weighted mean shape
// and averaged. The "mismatching" person is the same texture on a strongly different
// face geometry; the spoof is the applicant printed as a halftone and photographed.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image/jpeg"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/liveness"
)

// sources are the public-domain photos (paths under faces/face_recognition) by person.
var sources = map[string][]string{
	"obama": {"tests/test_images/obama.jpg", "tests/test_images/obama2.jpg", "tests/test_images/obama3.jpg",
		"examples/knn_examples/test/obama1.jpg", "examples/obama-720p.jpg"},
	"biden": {"tests/test_images/biden.jpg", "examples/knn_examples/train/biden/biden2.jpg"},
}

type aligned struct {
	person, name string
	raw          []byte
	img          *imaging.RGB // warped into the canvas by a similarity
	pts          []imaging.Point
}

func main() {
	testdata := flag.String("testdata", "", "shared testdata dir (default ../shared/testdata, or $KYCD_TESTDATA)")
	out := flag.String("out", "internal/samplefaces", "where to write the JPEGs")
	dry := flag.Bool("n", false, "measure only, write nothing")
	explore := flag.Bool("explore", false, "print every reshaping strength's scores against the sources and stop")
	debug := flag.String("debug", "", "also write PNG copies here (for looking at them)")
	flag.Parse()
	if *testdata == "" {
		*testdata = os.Getenv("KYCD_TESTDATA")
	}
	if *testdata == "" {
		*testdata = filepath.Join("..", "shared", "testdata")
	}
	eng, err := face.New(face.Config{})
	if err != nil {
		log.Fatalf("face engine (run scripts/setup/onnx.sh): %v", err)
	}
	defer eng.Close()
	live, err := liveness.New(eng, liveness.Config{})
	if err != nil {
		log.Fatal(err)
	}
	var photos []aligned
	for _, person := range []string{"obama", "biden"} {
		for _, rel := range sources[person] {
			a, err := align(eng, filepath.Join(*testdata, "faces", "face_recognition", rel))
			if err != nil {
				log.Fatalf("%s: %v", rel, err)
			}
			a.person, a.name = person, rel
			photos = append(photos, a)
		}
	}
	// Equal weight per person, shared among that person's photos.
	weights := make([]float64, len(photos))
	count := map[string]int{}
	for _, p := range photos {
		count[p.person]++
	}
	for i, p := range photos {
		weights[i] = 0.5 / float64(count[p.person])
	}
	mean := meanShape(photos, weights)
	if *explore {
		exploreShapes(eng, photos, weights, mean)
		return
	}
	// Two geometries far from the mean and from each other (see -explore): at these
	// strengths neither composite matches any source photo.
	shapeA, shapeB := scaled(mean, applicantStrength), scaled(mean, otherStrength)
	applicant := finish(composite(photos, weights, shapeA), shapeA)
	other := finish(composite(photos, weights, shapeB), shapeB)
	// The passport photo of the applicant is a second composite on the same geometry from
	// the other half of the photos, so face match compares two different pictures.
	wa, wb := split(photos)
	selfieA := finish(composite(photos, wa, shapeA), shapeA)
	portraitA := finish(composite(photos, wb, shapeA), shapeA)
	_ = selfieA
	samples := []struct {
		file string
		img  *imaging.RGB
	}{
		{"applicant.jpg", applicant},
		{"portrait.jpg", portrait(portraitA)},
		{"selfie_half.jpg", selfieA},
		{"other.jpg", other},
		// The camera sees the print at a lower resolution than it was printed: a resample
		// (which also keeps the file under 60 KB).
		{"spoof.jpg", imaging.CropResize(halftone(applicant), imaging.Rect{W: W, H: H}, 400, 500, [3]uint8{})},
	}
	enc := map[string][]byte{}
	for _, s := range samples {
		var buf bytes.Buffer
		q := 88
		if s.file == "spoof.jpg" {
			q = 70 // the dot screen costs bytes
		}
		if err := jpeg.Encode(&buf, s.img.ToImage(), &jpeg.Options{Quality: q}); err != nil {
			log.Fatal(err)
		}
		enc[s.file] = buf.Bytes()
	}
	report(eng, live, photos, enc)
	if *debug != "" {
		for _, s := range samples {
			var buf bytes.Buffer
			if err := png.Encode(&buf, s.img.ToImage()); err == nil {
				_ = os.WriteFile(filepath.Join(*debug, strings.TrimSuffix(s.file, ".jpg")+".png"), buf.Bytes(), 0o644)
			}
		}
	}
	if *dry {
		return
	}
	for f, b := range enc {
		if f == "selfie_half.jpg" {
			continue // measured only: the applicant from half the photos, against the portrait from the other half
		}
		if len(b) > 60<<10 {
			log.Fatalf("%s is %d bytes (> 60 KB)", f, len(b))
		}
		if err := os.WriteFile(filepath.Join(*out, f), b, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("wrote %s (%d bytes)\n", filepath.Join(*out, f), len(b))
	}
}

// canonical five points (eyes, nose tip, mouth corners): the ArcFace template scaled into the canvas.
func canonical() [5]imaging.Point {
	var c [5]imaging.Point
	const k = 2.6
	for i, p := range face.ArcFaceTemplate {
		c[i] = imaging.Point{X: (p.X-56)*k + W/2, Y: (p.Y-51.6)*k + 0.42*H}
	}
	return c
}

// align finds the photo's face and landmarks and warps it into the canvas.
func align(eng *face.Engine, path string) (aligned, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return aligned{}, err
	}
	img, err := imaging.Decode(b)
	if err != nil {
		return aligned{}, err
	}
	boxes, err := eng.Detect(img)
	if err != nil || len(boxes) == 0 {
		return aligned{}, fmt.Errorf("no face (%v)", err)
	}
	lm, err := eng.Landmarks(img, boxes[0])
	if err != nil {
		return aligned{}, err
	}
	five := lm.Five()
	can := canonical()
	m, err := imaging.SimilarityFit(five[:], can[:])
	if err != nil {
		return aligned{}, err
	}
	inv, err := m.Invert()
	if err != nil {
		return aligned{}, err
	}
	a := aligned{raw: b, img: warpClamp(img, inv)}
	for _, p := range lm {
		x, y := m.Apply(p.X, p.Y)
		a.pts = append(a.pts, imaging.Point{X: x, Y: y})
	}
	a.pts = append(a.pts, border()...)
	return a, nil
}

// warpClamp is WarpAffine with edge clamping instead of black outside the photo.
func warpClamp(src *imaging.RGB, inv imaging.Affine) *imaging.RGB {
	out := imaging.NewRGB(W, H)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			sx, sy := inv.Apply(float64(x), float64(y))
			r, g, b := sample(src, sx, sy)
			o := 3 * (y*W + x)
			out.Pix[o], out.Pix[o+1], out.Pix[o+2] = uint8(r+0.5), uint8(g+0.5), uint8(b+0.5)
		}
	}
	return out
}

func meanShape(photos []aligned, w []float64) []imaging.Point {
	mean := make([]imaging.Point, len(photos[0].pts))
	for i, p := range photos {
		for k, q := range p.pts {
			mean[k].X += w[i] * q.X
			mean[k].Y += w[i] * q.Y
		}
	}
	return mean
}

// reshape moves the mean shape one unit along a direction of natural facial variation
// (each part moves as a whole, so features never cross): eyes wider apart and larger with
// brows following, a shorter and narrower nose, a wider mouth, a narrower and shorter lower
// face. scaled takes any multiple of it, negative for the opposite face.
func reshape(mean []imaging.Point) []imaging.Point {
	s := append([]imaging.Point(nil), mean...)
	cx := (mean[36].X + mean[45].X) / 2
	eyeY := (mean[36].Y + mean[45].Y) / 2
	centre := func(idx []int) imaging.Point {
		var c imaging.Point
		for _, i := range idx {
			c.X += mean[i].X / float64(len(idx))
			c.Y += mean[i].Y / float64(len(idx))
		}
		return c
	}
	rng := func(a, b int) []int {
		var r []int
		for i := a; i <= b; i++ {
			r = append(r, i)
		}
		return r
	}
	const u = 0.1 // one unit: 10 % of each proportion
	for _, part := range [][2][]int{{rng(36, 41), rng(17, 21)}, {rng(42, 47), rng(22, 26)}} {
		eye, brow := part[0], part[1]
		c := centre(eye)
		shift := (c.X - cx) * u // eyes apart
		for _, i := range eye {
			s[i].X = c.X + shift + (mean[i].X-c.X)*(1+u)
			s[i].Y = c.Y + (mean[i].Y-c.Y)*(1+u)
		}
		for _, i := range brow {
			s[i].X = mean[i].X + shift
			s[i].Y = c.Y + (mean[i].Y-c.Y)*(1+0.8*u)
		}
	}
	noseTip := mean[33].Y
	for _, i := range rng(27, 35) {
		s[i].X = cx + (mean[i].X-cx)*(1-u)
		s[i].Y = eyeY + (mean[i].Y-eyeY)*(1-0.6*u)
	}
	shortNose := (noseTip - eyeY) * 0.6 * u
	mc := centre(rng(48, 67))
	for _, i := range rng(48, 67) {
		s[i].X = mc.X + (mean[i].X-mc.X)*(1+u)
		s[i].Y = mean[i].Y - shortNose
	}
	for _, i := range rng(0, 16) {
		t := (mean[i].Y - eyeY) / (mean[8].Y - eyeY)
		if t > 0 {
			s[i].X = cx + (mean[i].X-cx)*(1-u*t)
			s[i].Y = eyeY + (mean[i].Y-eyeY)*(1-0.5*u*t)
		}
	}
	return s
}

// Reshaping strengths of the two sample people (chosen with -explore).
const (
	applicantStrength = 3.0
	otherStrength     = -3.5
)

// split gives two weightings over disjoint halves of each person's photos.
func split(photos []aligned) (a, b []float64) {
	a, b = make([]float64, len(photos)), make([]float64, len(photos))
	seen := map[string]int{}
	na, nb := map[string]int{}, map[string]int{}
	for _, p := range photos {
		if seen[p.person]%2 == 0 {
			na[p.person]++
		} else {
			nb[p.person]++
		}
		seen[p.person]++
	}
	seen = map[string]int{}
	for i, p := range photos {
		if seen[p.person]%2 == 0 {
			a[i] = 0.5 / float64(na[p.person])
		} else {
			b[i] = 0.5 / float64(nb[p.person])
		}
		seen[p.person]++
	}
	return a, b
}

// scaled moves mean by s times the reshape direction (s = 1: reshape itself, s < 0: the opposite way).
func scaled(mean []imaging.Point, s float64) []imaging.Point {
	r := reshape(mean)
	out := make([]imaging.Point, len(mean))
	for i := range mean {
		out[i] = imaging.Point{X: mean[i].X + s*(r[i].X-mean[i].X), Y: mean[i].Y + s*(r[i].Y-mean[i].Y)}
	}
	return out
}

// exploreShapes prints, per strength, the best score against any source photo and the
// score against strength 0's opposite number, to choose two strengths that are no source
// person and not each other.
func exploreShapes(eng *face.Engine, photos []aligned, w []float64, mean []imaging.Point) {
	enc := map[float64][]byte{}
	strengths := []float64{-3, -2.5, -2, -1.5, -1, 0, 1, 1.5, 2, 2.5, 3}
	for _, s := range strengths {
		sh := scaled(mean, s)
		var buf bytes.Buffer
		_ = jpeg.Encode(&buf, finish(composite(photos, w, sh), sh).ToImage(), &jpeg.Options{Quality: 88})
		enc[s] = buf.Bytes()
	}
	for _, s := range strengths {
		best, who := -1.0, ""
		for _, p := range photos {
			r, err := eng.Match(enc[s], p.raw)
			if err == nil && r.Score > best {
				best, who = r.Score, p.person+" "+filepath.Base(p.name)
			}
		}
		fmt.Printf("s=%+.1f best source %.3f (%s);", s, best, who)
		for _, t := range strengths {
			if t > s {
				if r, err := eng.Match(enc[s], enc[t]); err == nil {
					fmt.Printf(" %+.1f:%.2f", t, r.Score)
				}
			}
		}
		fmt.Println()
	}
}

// composite warps every photo onto shape and averages them with the weights.
func composite(photos []aligned, w []float64, shape []imaging.Point) *imaging.RGB {
	tris := delaunay(shape)
	acc := make([]float64, 3*W*H)
	for i, p := range photos {
		accumulate(acc, W, H, p.img, p.pts, shape, tris, w[i])
	}
	out := imaging.NewRGB(W, H)
	for i, v := range acc {
		out.Pix[i] = uint8(math.Max(0, math.Min(255, v+0.5)))
	}
	return out
}

// finish replaces the averaged (ghosted) background with a plain studio gradient around a
// soft head-and-shoulders mask, and sharpens a little (an average is softer than a photo).
func finish(img *imaging.RGB, shape []imaging.Point) *imaging.RGB {
	chin := shape[8].Y
	browY := math.Min(shape[19].Y, shape[24].Y)
	cx := (shape[0].X + shape[16].X) / 2
	rx := (shape[16].X - shape[0].X) / 2 * 1.12
	top := browY - 0.62*(chin-browY)
	cy, ry := (top+chin)/2, (chin-top)/2*1.04
	sharp := unsharp(img, 0.6)
	out := imaging.NewRGB(W, H)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			fx, fy := float64(x), float64(y)
			dx, dy := (fx-cx)/rx, (fy-cy)/ry
			d := math.Sqrt(dx*dx + dy*dy) // < 1 inside the head
			m := smooth(1.12, 0.95, d)
			// Neck and shoulders: a widening band below the chin.
			if fy > chin-0.1*ry {
				half := rx*0.62 + (fy-chin)*1.6
				m = math.Max(m, smooth(1.08, 0.92, math.Abs(fx-cx)/math.Max(half, 1)))
			}
			bg := [3]float64{214 - 0.05*fy, 222 - 0.05*fy, 230 - 0.04*fy}
			o := 3 * (y*W + x)
			for c := 0; c < 3; c++ {
				v := m*float64(sharp.Pix[o+c]) + (1-m)*bg[c]
				out.Pix[o+c] = uint8(math.Max(0, math.Min(255, v+0.5)))
			}
		}
	}
	return out
}

// smooth is 1 below inner, 0 above outer (outer > inner), smooth between.
func smooth(outer, inner, d float64) float64 {
	if d <= inner {
		return 1
	}
	if d >= outer {
		return 0
	}
	t := (d - inner) / (outer - inner)
	return 1 - t*t*(3-2*t)
}

// unsharp adds amount × (image − 3×3 box blur).
func unsharp(img *imaging.RGB, amount float64) *imaging.RGB {
	out := imaging.NewRGB(img.W, img.H)
	for y := 0; y < img.H; y++ {
		for x := 0; x < img.W; x++ {
			for c := 0; c < 3; c++ {
				var s float64
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := min(max(x+dx, 0), img.W-1), min(max(y+dy, 0), img.H-1)
						s += float64(img.Pix[3*(yy*img.W+xx)+c])
					}
				}
				v := float64(img.Pix[3*(y*img.W+x)+c])
				out.Pix[3*(y*img.W+x)+c] = uint8(math.Max(0, math.Min(255, v+amount*(v-s/9)+0.5)))
			}
		}
	}
	return out
}

// portrait is the applicant as a passport photo: a tighter, evenly lit crop on a light
// background, 3:4, at the size the passport renderer pastes it.
func portrait(img *imaging.RGB) *imaging.RGB {
	r := imaging.Rect{X: W * 0.14, Y: H * 0.1, W: W * 0.72, H: W * 0.72 * 4 / 3}
	p := imaging.CropResize(img, r, 300, 400, [3]uint8{225, 228, 232})
	for i := range p.Pix { // slightly flatter contrast, as printed
		p.Pix[i] = uint8(20 + float64(p.Pix[i])*0.9)
	}
	return p
}

// halftone is the applicant printed with a 45° amplitude-modulated screen on paper, held up
// to the camera and photographed: a paper border on a dark room, the periodic dot pattern,
// flattened contrast. Passive liveness must call it a spoof.
func halftone(img *imaging.RGB) *imaging.RGB {
	const (
		period = 4.2  // screen period in output pixels
		scale  = 0.82 // the print fills this much of the frame
		mix    = 0.45 // dot pattern strength (a phone camera blurs part of it)
	)
	out := imaging.NewRGB(W, H)
	cos, sin := math.Cos(math.Pi/4), math.Sin(math.Pi/4)
	pw, ph := W*scale, H*scale
	px0, py0 := (W-pw)/2+6, (H-ph)/2-4
	const margin = 14.0 // white paper border
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			fx, fy := float64(x), float64(y)
			o := 3 * (y*W + x)
			room := [3]float64{58 + 0.04*fy, 52 + 0.04*fy, 48 + 0.03*fy}
			if fx < px0-margin || fx > px0+pw+margin || fy < py0-margin || fy > py0+ph+margin {
				for c := 0; c < 3; c++ {
					out.Pix[o+c] = uint8(room[c])
				}
				continue
			}
			paper := 232.0 - 0.04*fy
			if fx < px0 || fx > px0+pw || fy < py0 || fy > py0+ph {
				for c := 0; c < 3; c++ {
					out.Pix[o+c] = uint8(paper)
				}
				continue
			}
			sr, sg, sb := sample(img, (fx-px0)/scale, (fy-py0)/scale)
			src := [3]float64{sr, sg, sb}
			u := (fx*cos + fy*sin) / period
			v := (-fx*sin + fy*cos) / period
			fu, fv := u-math.Floor(u)-0.5, v-math.Floor(v)-0.5
			dist := math.Sqrt(fu*fu+fv*fv) / 0.7071
			for c := 0; c < 3; c++ {
				tone := 25 + src[c]*0.8 // printed: no deep black, no pure white
				ink := 1 - tone/255
				cov := smooth(math.Sqrt(ink)+0.1, math.Sqrt(ink)-0.1, dist)
				dots := paper*(1-cov) + 30*cov
				val := mix*dots + (1-mix)*tone*paper/255
				out.Pix[o+c] = uint8(math.Max(0, math.Min(255, val+0.5)))
			}
		}
	}
	return out
}

// report prints the engines' verdicts: the applicant against its portrait and the other
// composite, both composites against every source photo, liveness of each sample.
func report(eng *face.Engine, live *liveness.Checker, photos []aligned, enc map[string][]byte) {
	fmt.Printf("match threshold %.3f, passive liveness threshold %.2f\n", eng.Threshold(), liveness.DefaultPassiveThreshold)
	pair := func(a, b string, sa, sb []byte) {
		r, err := eng.Match(sa, sb)
		if err != nil {
			fmt.Printf("%-16s vs %-44s error %v\n", a, b, err)
			return
		}
		cross := ""
		if r.CrossCheckScore != nil {
			cross = fmt.Sprintf(" cross-check %.3f", *r.CrossCheckScore)
		}
		fmt.Printf("%-16s vs %-44s score %.3f%s match=%v %s\n", a, b, r.Score, cross, r.Match, r.Reason)
	}
	pair("applicant.jpg", "portrait.jpg (as document)", enc["applicant.jpg"], enc["portrait.jpg"])
	pair("selfie_half.jpg", "portrait.jpg (as document)", enc["selfie_half.jpg"], enc["portrait.jpg"])
	pair("other.jpg", "portrait.jpg (as document)", enc["other.jpg"], enc["portrait.jpg"])
	pair("applicant.jpg", "other.jpg", enc["applicant.jpg"], enc["other.jpg"])
	pair("spoof.jpg", "portrait.jpg (as document)", enc["spoof.jpg"], enc["portrait.jpg"])
	for _, p := range photos {
		pair("applicant.jpg", p.person+" "+filepath.Base(p.name), enc["applicant.jpg"], p.raw)
		pair("other.jpg", p.person+" "+filepath.Base(p.name), enc["other.jpg"], p.raw)
	}
	for _, f := range []string{"applicant.jpg", "other.jpg", "spoof.jpg"} {
		r, err := live.Passive(enc[f])
		if err != nil {
			fmt.Printf("liveness %-14s error %v\n", f, err)
			continue
		}
		cues := "-"
		if img, err := imaging.Decode(enc[f]); err == nil {
			if boxes, err := eng.Detect(img); err == nil && len(boxes) > 0 {
				c := liveness.Cues(img, boxes[0], 0)
				cues = fmt.Sprintf("periodicity %.1f spoof=%v", c.Periodicity, c.Spoof)
			}
		}
		fmt.Printf("liveness %-14s score %.3f live=%v %s; cues: %s; %d bytes\n", f, r.Score, r.Live, r.Reason, cues, len(enc[f]))
	}
}
