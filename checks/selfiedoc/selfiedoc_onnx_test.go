//go:build onnx

package selfiedoc

import (
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/internal/testfiles"
)

// The accuracy of the selfie-with-document judgement on pictures made here from the shared
// face photos and specimen documents: the specimen's portrait is replaced by a photo of a
// person, and a different photo of a person "holds" it beside their face. Nothing is tuned
// on these pictures: the threshold is the face engine's calibrated match threshold, and the
// search regions were fixed before the set was built. Run:
//
//	go test -tags onnx ./checks/selfiedoc -run TestAccuracy -v

// identities are people with at least two photos (deepface's master.csv pairs, and the
// face_recognition folders).
func identities(t *testing.T) [][]string {
	dp := func(f ...string) []string {
		out := make([]string, len(f))
		for i, n := range f {
			out[i] = testfiles.Path(t, "faces", "deepface", n)
		}
		return out
	}
	fr := func(f ...string) []string {
		out := make([]string, len(f))
		for i, n := range f {
			out[i] = testfiles.Path(t, "faces", "face_recognition", n)
		}
		return out
	}
	return [][]string{
		dp("img1.jpg", "img2.jpg", "img4.jpg", "img5.jpg"), dp("img13.jpg", "img14.jpg", "img15.jpg"),
		dp("img20.jpg", "img21.jpg"), dp("img16.jpg", "img17.jpg"), dp("img12.jpg", "img3.jpg"), dp("img22.jpg", "img23.jpg"),
		dp("img24.jpg", "img25.jpg"), dp("img18.jpg", "img19.jpg"), dp("img8.jpg", "img9.jpg"),
		fr("tests/test_images/obama.jpg", "tests/test_images/obama2.jpg", "tests/test_images/obama3.jpg"),
		fr("tests/test_images/biden.jpg", "examples/knn_examples/train/biden/biden2.jpg"),
		fr("examples/knn_examples/train/kit_harington/john1.jpeg", "examples/knn_examples/train/kit_harington/john2.jpeg"),
		fr("examples/knn_examples/train/rose_leslie/img1.jpg", "examples/knn_examples/train/rose_leslie/img2.jpg"),
	}
}

var specimens = []string{"passport-td3.jpg", "100_pass-cze.jpg", "100_id-che.jpg", "100_pass-hrv.jpg", "100_pass-ltu.jpg", "79_pass-can.jpg", "100_id-usa.jpg"}

func load(t *testing.T, path string) *imaging.RGB {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	img, err := imaging.Decode(b)
	require.NoError(t, err)
	return img
}

func faceBox(t *testing.T, e *face.Engine, img *imaging.RGB) face.Box {
	t.Helper()
	boxes, err := e.Detect(img)
	require.NoError(t, err)
	require.NotEmpty(t, boxes)
	return largest(boxes)
}

// grow is b scaled by f around its centre, as a Rect.
func grow(b face.Box, f float64) imaging.Rect {
	cx, cy := (b.X1+b.X2)/2, (b.Y1+b.Y2)/2
	return imaging.Rect{X: cx - f*b.W()/2, Y: cy - f*b.H()/2, W: f * b.W(), H: f * b.H()}
}

// paste draws src into dst with its top-left corner at (x, y).
func paste(dst, src *imaging.RGB, x, y int) {
	for j := 0; j < src.H; j++ {
		for i := 0; i < src.W; i++ {
			if x+i < 0 || y+j < 0 || x+i >= dst.W || y+j >= dst.H {
				continue
			}
			copy(dst.Pix[3*((y+j)*dst.W+x+i):3*((y+j)*dst.W+x+i)+3], src.Pix[3*(j*src.W+i):3*(j*src.W+i)+3])
		}
	}
}

// makeDocument is the specimen with its portrait replaced by the face of portrait.
func makeDocument(t *testing.T, e *face.Engine, specimen, portrait *imaging.RGB) *imaging.RGB {
	sb := grow(faceBox(t, e, specimen), 1.3)
	pb := grow(faceBox(t, e, portrait), 1.3)
	doc := imaging.CropResize(specimen, imaging.Rect{W: float64(specimen.W), H: float64(specimen.H)}, specimen.W, specimen.H, [3]uint8{})
	paste(doc, imaging.CropResize(portrait, pb, int(sb.W), int(sb.H), [3]uint8{200, 200, 200}), int(sb.X), int(sb.Y))
	return doc
}

// makeScene is selfie with doc held beside it: the selfie scaled to 720 pixels high, the
// document 0.8 of its width, lower right, on a grey background.
func makeScene(selfie, doc *imaging.RGB) *imaging.RGB {
	sh := 720
	sw := selfie.W * sh / selfie.H
	dw := sw * 8 / 10
	dh := doc.H * dw / doc.W
	scene := imaging.NewRGB(sw+dw+20, max(sh, dh))
	for i := range scene.Pix {
		scene.Pix[i] = 110
	}
	paste(scene, imaging.CropResize(selfie, imaging.Rect{W: float64(selfie.W), H: float64(selfie.H)}, sw, sh, [3]uint8{}), 0, 0)
	paste(scene, imaging.CropResize(doc, imaging.Rect{W: float64(doc.W), H: float64(doc.H)}, dw, dh, [3]uint8{}), sw+10, max(sh-dh-40, 0))
	return scene
}

func writePNG(t *testing.T, path string, img *imaging.RGB) {
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, png.Encode(f, img.ToImage()))
}

func TestAccuracy(t *testing.T) {
	e, err := face.New(face.Config{})
	if err != nil {
		t.Skipf("face engine: %v", err)
	}
	defer e.Close()
	ids := identities(t)
	docs, err := document.NewEngine(document.Config{})
	require.NoError(t, err)
	var specs []*imaging.RGB
	var specNumbers []string // each specimen's own MRZ document number ("" when unreadable)
	for _, s := range specimens {
		img := load(t, testfiles.Path(t, "mrz", "images", "passporteye", s))
		if boxes, err := e.Detect(img); err != nil || len(boxes) == 0 {
			t.Logf("specimen %s: no portrait found, not used", s)
			continue
		}
		specs = append(specs, img)
		raw, err := os.ReadFile(testfiles.Path(t, "mrz", "images", "passporteye", s))
		require.NoError(t, err)
		number := ""
		if m, err := docs.ReadMRZ(context.Background(), raw); err == nil && m != nil && m.Valid {
			number = m.DocumentNumber
		}
		specNumbers = append(specNumbers, number)
	}
	require.NotEmpty(t, specs)
	docEmbedding := func(doc *imaging.RGB) face.Embedding {
		a, err := e.Analyze(doc, face.KindDocument, face.Want{Embedding: true, IgnoreQuality: true})
		require.NoError(t, err)
		require.NotNil(t, a.Face)
		return a.Face.Embedding
	}
	type tally struct{ n, found, pass, review int }
	// As the service judges: the engine's threshold, then the default review band.
	analyze := func(picture *imaging.RGB, doc face.Embedding) *Result {
		r, err := Analyze(e, picture, doc)
		require.NoError(t, err)
		r.Judge(e.Threshold(), face.DefaultRejectThreshold)
		return r
	}
	var genuine, impostor, swapped tally
	var genScores, impScores []float64
	var mrzTried, mrzRead int
	save := os.Getenv("SELFIEDOC_SAVE") // a folder to write the pictures to, for a look
	k := 0
	for i, id := range ids {
		for a := range id {
			b := (a + 1) % len(id) // the held portrait: another photo of the same person
			selfie, portrait := load(t, id[a]), load(t, id[b])
			spec, specNumber := specs[k%len(specs)], specNumbers[k%len(specs)]
			k++
			doc := makeDocument(t, e, spec, portrait)
			docEmb := docEmbedding(doc)
			// Genuine: the person holds their own document, the one they photographed.
			scene := makeScene(selfie, doc)
			r := analyze(scene, docEmb)
			genuine.n++
			if specNumber != "" {
				mrzTried++
				require.NoError(t, ReadHeldMRZ(context.Background(), docs.ReadMRZ, scene, r))
				if r.HeldMRZ != nil && r.HeldMRZ.DocumentNumber == specNumber {
					mrzRead++
				}
			}
			if r.Held != nil {
				genuine.found++
				genScores = append(genScores, *r.SelfieToHeld)
			}
			if r.Reason == ReasonUncertain {
				genuine.review++
			}
			if r.Pass {
				genuine.pass++
			} else {
				t.Logf("genuine %s holding %s: %s %s", filepath.Base(id[a]), filepath.Base(id[b]), r.Reason, r.Message)
			}
			// Impostor: someone else holds the same document.
			other := ids[(i+1+a)%len(ids)]
			imp := makeScene(load(t, other[0]), doc)
			if save != "" {
				writePNG(t, filepath.Join(save, fmt.Sprintf("impostor%02d.png", k)), imp)
			}
			r = analyze(imp, docEmb)
			impostor.n++
			if r.Held != nil {
				impostor.found++
				impScores = append(impScores, *r.SelfieToHeld)
			}
			if !r.Pass {
				impostor.pass++ // not accepted, as it should be
			}
			if r.Reason == ReasonUncertain {
				impostor.review++
			}
			// Swapped: the person holds their own document, but the document photographed
			// earlier was someone else's.
			r = analyze(makeScene(selfie, doc), docEmbedding(makeDocument(t, e, spec, load(t, other[0]))))
			swapped.n++
			if r.Held != nil {
				swapped.found++
			}
			if !r.Pass {
				swapped.pass++
			}
			if r.Reason == ReasonUncertain {
				swapped.review++
			}
		}
	}
	sort.Float64s(genScores)
	sort.Float64s(impScores)
	pct := func(a, b int) float64 { return 100 * float64(a) / float64(b) }
	t.Logf("threshold %.3f, review band from %.3f (the face engine's defaults, not tuned here)", e.Threshold(), face.DefaultRejectThreshold)
	t.Logf("genuine:  %d pictures, held portrait found %d (%.1f%%), accepted %d (%.1f%%), to review %d", genuine.n, genuine.found, pct(genuine.found, genuine.n), genuine.pass, pct(genuine.pass, genuine.n), genuine.review)
	t.Logf("impostor (another person holds the document): %d, held portrait found %d, not accepted %d (%.1f%%), of them to review %d", impostor.n, impostor.found, impostor.pass, pct(impostor.pass, impostor.n), impostor.review)
	t.Logf("swapped (own document held, another's photographed): %d, not accepted %d (%.1f%%), of them to review %d", swapped.n, swapped.pass, pct(swapped.pass, swapped.n), swapped.review)
	t.Logf("held MRZ read with the right document number: %d of %d genuine pictures whose specimen's own MRZ reads", mrzRead, mrzTried)
	if len(genScores) > 0 && len(impScores) > 0 {
		t.Logf("selfie-to-held similarity: genuine min %.3f median %.3f; impostor median %.3f max %.3f",
			genScores[0], genScores[len(genScores)/2], impScores[len(impScores)/2], impScores[len(impScores)-1])
	}
	// Floors below the measured figures, so a regression fails: every impostor and swap
	// rejected, most genuine pictures accepted.
	require.Equal(t, impostor.n, impostor.pass, "an impostor was accepted")
	require.Equal(t, swapped.n, swapped.pass, "a swapped document was accepted")
	require.GreaterOrEqual(t, pct(genuine.found, genuine.n), 90.0)
	require.GreaterOrEqual(t, pct(genuine.pass, genuine.n), 70.0)
	require.GreaterOrEqual(t, pct(genuine.pass+genuine.review, genuine.n), 90.0, "genuine pictures failed outright")
}
