//go:build onnx

package browser_test

import (
	"bytes"
	"context"
	"image/jpeg"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/internal/testfiles"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// facePhotoBytes reads one of the shared face photos.
func facePhotoBytes(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(testfiles.Path(t, "faces", "face_recognition", "tests", "test_images", name))
	require.NoError(t, err)
	return b
}

func jpegOf(t *testing.T, m *imaging.RGB, q int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, m.ToImage(), &jpeg.Options{Quality: q}))
	return buf.Bytes()
}

// printedPortrait is the portrait as a document prints it: the face cropped with a margin,
// small, grey, JPEG quality 50 (what a document upload extracts).
func printedPortrait(t *testing.T, eng *face.Engine, src []byte) []byte {
	t.Helper()
	img, err := imaging.Decode(src)
	require.NoError(t, err)
	boxes, err := eng.Detect(img)
	require.NoError(t, err)
	require.NotEmpty(t, boxes)
	b := boxes[0]
	side := b.Side()
	cx, cy := (b.X1+b.X2)/2, (b.Y1+b.Y2)/2
	crop := imaging.CropResize(img, imaging.Rect{X: cx - 0.8*side, Y: cy - side, W: 1.6 * side, H: 2 * side}, 144, 180, [3]uint8{230, 230, 230})
	for i, v := range crop.Gray() {
		crop.Pix[3*i], crop.Pix[3*i+1], crop.Pix[3*i+2] = v, v, v
	}
	return jpegOf(t, crop, 50)
}

// holdingPicture is an arm's-length selfie with the printed portrait held beside the face,
// written as a JPEG file for the page's upload.
func holdingPicture(t *testing.T, eng *face.Engine, selfie, card []byte, path string) {
	t.Helper()
	s, err := imaging.Decode(selfie)
	require.NoError(t, err)
	c, err := imaging.Decode(card)
	require.NoError(t, err)
	boxes, err := eng.Detect(s)
	require.NoError(t, err)
	require.NotEmpty(t, boxes)
	fb := boxes[0]
	side := fb.Side()
	frame := imaging.Rect{X: (fb.X1+fb.X2)/2 - 1.2*side, Y: (fb.Y1+fb.Y2)/2 - 1.3*side, W: 2.4 * side, H: 3 * side}
	const sh, sw, cw, ch = 600, 480, 200, 250
	out := imaging.NewRGB(sw+cw+60, sh)
	for i := range out.Pix {
		out.Pix[i] = 120
	}
	blit := func(src *imaging.RGB, x0, y0 int) {
		for y := 0; y < src.H; y++ {
			copy(out.Pix[3*((y0+y)*out.W+x0):3*((y0+y)*out.W+x0+src.W)], src.Pix[3*y*src.W:3*(y+1)*src.W])
		}
	}
	blit(imaging.CropResize(s, frame, sw, sh, [3]uint8{120, 120, 120}), 0, 0)
	blit(imaging.CropResize(c, imaging.Rect{W: float64(c.W), H: float64(c.H)}, cw, ch, [3]uint8{}), sw+30, sh-ch-60)
	require.NoError(t, os.WriteFile(path, jpegOf(t, out, 90), 0o644))
}

// The selfie_with_document step in Chromium with the real face engine: the page asks for
// the picture holding the document, refuses one where the document's photo cannot be seen
// (with the reason, in words), takes the applicant's own face holding their document
// (approved) and another person's face holding it (stored, then rejected). The document's
// portrait stands in the store for the document step (another test drives that page).
func TestSelfieWithDocumentInChromium(t *testing.T) {
	eng, err := face.New(face.Config{})
	require.NoError(t, err, "the face engine must load under -tags onnx: run scripts/setup/onnx.sh")
	t.Cleanup(func() { _ = eng.Close() })
	card := printedPortrait(t, eng, facePhotoBytes(t, "obama2.jpg"))
	dir := t.TempDir()
	own, other, bare := filepath.Join(dir, "own.jpg"), filepath.Join(dir, "other.jpg"), filepath.Join(dir, "bare.jpg")
	holdingPicture(t, eng, facePhotoBytes(t, "obama.jpg"), card, own)
	holdingPicture(t, eng, facePhotoBytes(t, "biden.jpg"), card, other)
	require.NoError(t, os.WriteFile(bare, facePhotoBytes(t, "obama.jpg"), 0o644))

	var store *db.Store
	h := newHarness(t, harnessOptions{setup: func(s *db.Store) (map[models.Check]verify.CheckRunner, func(*tools.Deps)) {
		store = s
		bio, err := verify.NewBiometrics(s, eng, verify.BiometricsConfig{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		require.NoError(t, err)
		checks := bio.Runners()
		checks[models.CheckDocument] = tooltest.Check{Outcome: models.OutcomePass}
		return checks, func(d *tools.Deps) { d.Biometrics = bio }
	}})
	require.Nil(t, h.env.Call(t, h.env.Test, "create_flow", map[string]any{"name": "held", "steps": []any{
		map[string]any{"type": "consent"}, map[string]any{"type": "document"}, map[string]any{"type": "selfie_with_document"}}}, nil))

	run := func(t *testing.T, vp viewport, picture string, retry bool) (context.Context, tools.Verification) {
		v := h.create(map[string]any{"flow": "held"})
		require.NoError(t, store.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
			return tx.InsertArtifact(ctx, &models.Artifact{AccountID: h.env.Test.AccountID, Mode: h.env.Test.Mode, VerificationID: v.ID,
				Kind: models.ArtifactDocumentPortrait, ContentType: "image/jpeg"}, card, nil)
		}))
		ctx := h.tab(t, vp)
		do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")),
			chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("cap-title")))
		require.True(t, eval[bool](t, ctx, `location.pathname.endsWith('/step/document')`))
		require.Equal(t, hostedPath(v)+"/step/selfie_with_document", eval[string](t, ctx, `document.getElementById('capture').dataset.next`),
			"the flow's order: the picture with the document after the document")
		do(t, ctx, chromedp.Navigate(v.HostedURL+"/step/selfie_with_document"), chromedp.WaitVisible(chromedp.ID("cap-title")))
		require.Equal(t, "Take a photo holding your document", text(t, ctx, "h1"))
		require.Equal(t, "user", eval[string](t, ctx, `document.getElementById('file').getAttribute('capture')`), "the front camera")
		require.Equal(t, "Selfie with document", text(t, ctx, ".progress li.current"))
		require.LessOrEqual(t, eval[int](t, ctx, `document.documentElement.scrollWidth`), int(vp.w), "no horizontal scrolling")
		if retry {
			// A selfie without the document: refused, in words, and not stored.
			do(t, ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{bare}))
			waitJS(t, ctx, `document.getElementById('message').classList.contains('error')`)
			require.Equal(t, "We could not see the photo on your document: hold its photo page next to your face, facing the camera.", text(t, ctx, "#message"))
			shotArtefact(t, ctx, "flow-selfie-with-document-retry-"+vp.name)
		}
		refused := eval[string](t, ctx, `document.getElementById('message').textContent`)
		do(t, ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{picture}))
		waitJS(t, ctx, `location.pathname.endsWith('/step/confirm') || (document.getElementById('message').classList.contains('error') &&
			document.getElementById('message').textContent !== `+strconv.Quote(refused)+`)`)
		if !eval[bool](t, ctx, `location.pathname.endsWith('/step/confirm')`) {
			t.Fatalf("refused: %s", text(t, ctx, "#message"))
		}
		do(t, ctx, chromedp.WaitVisible(chromedp.ID("submit")), chromedp.Click(chromedp.ID("submit")))
		waitResult(t, ctx)
		var got tools.Verification
		require.Nil(t, h.env.Call(t, h.env.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		return ctx, got
	}

	t.Run("own face holding own document, phone, after a refused picture", func(t *testing.T) {
		ctx, got := run(t, phone, own, true)
		require.Equal(t, "approved", got.Status)
		shot(t, ctx, "flow-selfie-with-document-result-phone")
		found := false
		for _, c := range got.Result.Checks {
			if c.Check == "selfie_with_document" {
				found = true
				require.Equal(t, models.OutcomePass, c.Outcome)
			}
		}
		require.True(t, found, "the step's outcome is in the result")
	})
	t.Run("another face holding the document, desktop", func(t *testing.T) {
		_, got := run(t, desktop, other, false)
		require.Equal(t, "rejected", got.Status, "the face matches neither portrait")
	})
}
