//go:build onnx

package browser_test

import (
	"bufio"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
	xdraw "golang.org/x/image/draw"

	"github.com/kycd/kycd/checks/document/synth"
	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/internal/testfiles"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// TestCameraStepsInChromium runs the selfie and liveness steps with the real face engine:
// Chromium's fake camera plays a video made from a real photo, the page captures, downscales
// and uploads it, and the engine's verdict drives the page.
func TestCameraStepsInChromium(t *testing.T) {
	eng, err := face.New(face.Config{})
	require.NoError(t, err, "the face engine must load under -tags onnx: run scripts/setup/onnx.sh")
	t.Cleanup(func() { _ = eng.Close() })

	dir := t.TempDir()
	y4m := filepath.Join(dir, "face.y4m")
	writeY4M(t, y4m, testfiles.Path(t, "faces", "face_recognition", "tests", "test_images", "obama.jpg"), 640, 480, 10)
	blank := filepath.Join(dir, "wall.png")
	writeBlank(t, blank)

	h := newHarness(t, harnessOptions{y4m: y4m, setup: func(s *db.Store) (map[models.Check]verify.CheckRunner, func(*tools.Deps)) {
		bio, err := verify.NewBiometrics(s, eng, verify.BiometricsConfig{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		require.NoError(t, err)
		return bio.Runners(), func(d *tools.Deps) { d.Biometrics = bio }
	}})

	t.Run("failed capture, retry with the camera, real decision", func(t *testing.T) {
		v := h.create(map[string]any{"checks": []string{"screening", "age"}, "applicant": map[string]any{"name": "Erika Mustermann"}})
		ctx := h.tab(t, phone)
		do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")),
			chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("camera")))

		// An upload with no face in it: refused with the specific reason, in words.
		do(t, ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{blank}))
		waitJS(t, ctx, `document.getElementById('message').classList.contains('error')`)
		require.Equal(t, "No face found: keep your face inside the oval.", text(t, ctx, "#message"))
		do(t, ctx, chromedp.Click(chromedp.ID("camera")), chromedp.WaitVisible(chromedp.ID("take")))
		waitJS(t, ctx, `document.getElementById('video').videoWidth > 0`)
		require.False(t, eval[bool](t, ctx, `document.getElementById('camera').offsetParent !== null`), "the start button goes once the camera runs")
		shotArtefact(t, ctx, "flow-selfie-retry-phone")

		do(t, ctx, chromedp.Click(chromedp.ID("take")), chromedp.WaitVisible(chromedp.ID("submit")))
		do(t, ctx, chromedp.Click(chromedp.ID("submit")))
		require.Equal(t, "approved", waitResult(t, ctx), "a real adult face from the camera passes the age check")
	})

	t.Run("active liveness against a still camera is refused with the reason", func(t *testing.T) {
		v := h.create(map[string]any{"checks": []string{"liveness"}})
		ctx := h.tab(t, desktop)
		do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")),
			chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("camera")),
			chromedp.Click(chromedp.ID("camera")), chromedp.WaitVisible(chromedp.ID("take")))
		waitJS(t, ctx, `document.getElementById('video').videoWidth > 0`)
		// The selfie from the fake camera: an applicant may retake a refused one, and so does
		// this test (a frame grabbed while the fake device starts can be refused as blurry),
		// reporting the reason if every try is refused.
		for try := 1; ; try++ {
			do(t, ctx, chromedp.Click(chromedp.ID("take")))
			waitJS(t, ctx, `location.pathname.endsWith('/step/liveness') || document.getElementById('message').classList.contains('error')`)
			if eval[bool](t, ctx, `location.pathname.endsWith('/step/liveness')`) {
				break
			}
			require.Less(t, try, 3, "selfie refused: %s", text(t, ctx, "#message"))
			waitJS(t, ctx, `!document.getElementById('take').disabled`)
		}
		do(t, ctx, chromedp.WaitVisible(chromedp.ID("camera")), chromedp.Click(chromedp.ID("camera")), chromedp.WaitVisible(chromedp.ID("take")))
		waitJS(t, ctx, `document.getElementById('video').videoWidth > 0`)
		do(t, ctx, chromedp.Click(chromedp.ID("take")))
		waitJS(t, ctx, `document.getElementById('message').classList.contains('error')`)
		shotArtefact(t, ctx, "flow-liveness-refused-desktop")
		// A still picture shows no movement; which check catches it first depends on the
		// challenge drawn, so any of the engine's specific reasons will do, never the generic one.
		require.Contains(t, []string{
			"We saw no movement: follow each instruction on screen.",
			"One movement was not seen: follow each instruction in turn.",
		}, text(t, ctx, "#message"))
		require.False(t, eval[bool](t, ctx, `document.getElementById('take').disabled`), "the applicant can try again")
		var got tools.Verification
		require.Nil(t, h.env.Call(t, h.env.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Equal(t, "in_progress", got.Status, "a refused capture does not end the verification")
	})
}

// writeY4M writes a still video (YUV 4:2:0) of the photo, scaled to cover w×h, for
// Chromium's --use-file-for-fake-video-capture.
func writeY4M(t *testing.T, path, photo string, w, h, frames int) {
	t.Helper()
	f, err := os.Open(photo)
	require.NoError(t, err)
	src, err := jpeg.Decode(f)
	f.Close()
	require.NoError(t, err)
	sb := src.Bounds()
	scale := max(float64(w)/float64(sb.Dx()), float64(h)/float64(sb.Dy()))
	cw, ch := int(float64(w)/scale), int(float64(h)/scale)
	crop := image.Rect(sb.Min.X+(sb.Dx()-cw)/2, sb.Min.Y+(sb.Dy()-ch)/2, 0, 0)
	crop.Max = crop.Min.Add(image.Pt(cw, ch))
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(rgba, rgba.Bounds(), src, crop, xdraw.Src, nil)
	ycc := image.NewYCbCr(rgba.Bounds(), image.YCbCrSubsampleRatio420)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := rgba.RGBAAt(x, y)
			yy, cb, cr := color.RGBToYCbCr(c.R, c.G, c.B)
			ycc.Y[ycc.YOffset(x, y)] = yy
			ci := ycc.COffset(x, y)
			ycc.Cb[ci], ycc.Cr[ci] = cb, cr
		}
	}
	out, err := os.Create(path)
	require.NoError(t, err)
	defer out.Close()
	bw := bufio.NewWriter(out)
	_, err = bw.WriteString(fmt.Sprintf("YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h))
	require.NoError(t, err)
	for range frames {
		for _, part := range [][]byte{[]byte("FRAME\n"), ycc.Y, ycc.Cb, ycc.Cr} {
			_, err := bw.Write(part)
			require.NoError(t, err)
		}
	}
	require.NoError(t, bw.Flush())
}

// writeBlank writes a plain wall-coloured photo: nothing for a face detector to find.
func writeBlank(t *testing.T, path string) {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for y := 0; y < 600; y++ {
		for x := 0; x < 800; x++ {
			m.SetRGBA(x, y, color.RGBA{uint8(180 + x%20), uint8(170 + y%20), 160, 255})
		}
	}
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, png.Encode(f, m))
}

// TestDocumentCaptureInChromium photographs a passport with Chromium's fake rear camera (a
// video of a rendered specimen page): the page grabs a frame, downscales and uploads it, the
// document engine reads its MRZ in the document.analyze job, and the verification is decided.
func TestDocumentCaptureInChromium(t *testing.T) {
	dir := t.TempDir()
	doc, err := synth.Render(synth.Identity{Kind: synth.TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
		DocumentNumber: "L898902C3", Nationality: "UTO", DateOfBirth: "1974-08-12", Sex: "F", ExpiryDate: "2034-04-15"},
		synth.Options{Width: 1280, Height: 720, Fill: 0.7, JPEGQuality: 92}, rand.New(rand.NewPCG(5, 1)))
	require.NoError(t, err)
	photo := filepath.Join(dir, "passport.jpg")
	require.NoError(t, os.WriteFile(photo, doc.Front, 0o600))
	y4m := filepath.Join(dir, "passport.y4m")
	writeY4M(t, y4m, photo, 1280, 720, 10)

	h := documentHarness(t, y4m)
	v := h.create(map[string]any{"checks": []string{"document"}, "document_type": "passport",
		"applicant": map[string]any{"name": "Anna Maria Eriksson", "dob": "1974-08-12"}})
	ctx := h.tab(t, phone)
	do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")),
		chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("camera")))
	do(t, ctx, chromedp.Click(chromedp.ID("camera")), chromedp.WaitVisible(chromedp.ID("take")))
	waitJS(t, ctx, `document.getElementById('video').videoWidth > 0`)
	shot(t, ctx, "flow-document-phone")
	do(t, ctx, chromedp.Click(chromedp.ID("take")))
	waitJS(t, ctx, `location.pathname.endsWith('/step/confirm') || document.getElementById('message').classList.contains('error')`)
	require.True(t, eval[bool](t, ctx, `location.pathname.endsWith('/step/confirm')`), "document refused at %s: %s",
		eval[string](t, ctx, `location.pathname`), eval[string](t, ctx, `(document.getElementById('message') || {}).textContent || ''`))
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("submit")), chromedp.Click(chromedp.ID("submit")))
	require.Equal(t, "approved", waitResult(t, ctx), "the camera's passport photo is read and passes the document check")

	var got tools.Verification
	require.Nil(t, h.env.Call(t, h.env.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	require.Equal(t, "document", got.Result.Checks[0].Check)
	require.Equal(t, "UTO", got.Result.Checks[0].Details["issuing_country"])
}

// TestIDCardCaptureInChromium photographs both sides of an ID card (TD1) with Chromium's fake
// rear camera, as an applicant does: the front (portrait, no MRZ), then, with the camera still
// running, the card turned over to its back (the three-line MRZ). The fake device reads its
// y4m file frame by frame, so the test turns the card by overwriting the file in place with
// the back's frames and waits until the page's video shows them. Nothing reaches the server
// except what the page grabbed from the camera; the document engine reads both uploads in
// the document.analyze job, and the verification is decided on them.
func TestIDCardCaptureInChromium(t *testing.T) {
	dir := t.TempDir()
	id := synth.Identity{Kind: synth.TD1, DocumentCode: "ID", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
		DocumentNumber: "D23145890", Nationality: "UTO", DateOfBirth: "1974-08-12", Sex: "F", ExpiryDate: "2034-04-15"}
	card, err := synth.Render(id, synth.Options{Width: 1280, Height: 720, Fill: 0.7, JPEGQuality: 92}, rand.New(rand.NewPCG(7, 1)))
	require.NoError(t, err)
	require.NotNil(t, card.Back, "a TD1 card has a back")
	frontJPEG, backJPEG := filepath.Join(dir, "front.jpg"), filepath.Join(dir, "back.jpg")
	require.NoError(t, os.WriteFile(frontJPEG, card.Front, 0o600))
	require.NoError(t, os.WriteFile(backJPEG, card.Back, 0o600))
	camera, backY4M := filepath.Join(dir, "camera.y4m"), filepath.Join(dir, "back.y4m")
	writeY4M(t, camera, frontJPEG, 1280, 720, 10)
	writeY4M(t, backY4M, backJPEG, 1280, 720, 10)

	h := documentHarness(t, camera)
	v := h.create(map[string]any{"checks": []string{"document"}, "document_type": "id_card",
		"applicant": map[string]any{"name": "Anna Maria Eriksson", "dob": "1974-08-12"}})
	ctx := h.tab(t, desktop)
	do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")),
		chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("camera")))
	require.Equal(t, "front back", eval[string](t, ctx, `document.getElementById('capture').dataset.sides`), "an ID card has two sides to photograph")
	require.Equal(t, "Photograph the front of your document", text(t, ctx, "#cap-title"))
	do(t, ctx, chromedp.Click(chromedp.ID("camera")), chromedp.WaitVisible(chromedp.ID("take")))
	waitJS(t, ctx, `document.getElementById('video').videoWidth > 0`)
	front := videoThumb(t, ctx)

	// The front: accepted without an MRZ (an ID card's is on the back), and the page asks for the back.
	do(t, ctx, chromedp.Click(chromedp.ID("take")))
	waitJS(t, ctx, `document.getElementById('cap-title').textContent.indexOf('back') >= 0 || document.getElementById('message').classList.contains('error')`)
	require.Equal(t, "Photograph the back of your document", text(t, ctx, "#cap-title"), "front refused: %s", text(t, ctx, "#message"))
	require.True(t, eval[bool](t, ctx, `location.pathname.endsWith('/step/document')`))

	// Turn the card over in front of the running camera.
	turnCard(t, camera, backY4M)
	deadline := time.Now().Add(15 * time.Second)
	for prev := videoThumb(t, ctx); ; {
		time.Sleep(250 * time.Millisecond)
		cur := videoThumb(t, ctx)
		if thumbDiff(cur, front) > 12 && thumbDiff(cur, prev) < 2 {
			break // the video shows a steady picture that is not the front
		}
		require.True(t, time.Now().Before(deadline), "the camera never showed the card's back")
		prev = cur
	}
	shot(t, ctx, "flow-document-desktop")
	do(t, ctx, chromedp.Click(chromedp.ID("take")))
	waitJS(t, ctx, `location.pathname.endsWith('/step/confirm') || document.getElementById('message').classList.contains('error')`)
	require.True(t, eval[bool](t, ctx, `location.pathname.endsWith('/step/confirm')`), "back refused at %s: %s",
		eval[string](t, ctx, `location.pathname`), eval[string](t, ctx, `(document.getElementById('message') || {}).textContent || ''`))
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("submit")), chromedp.Click(chromedp.ID("submit")))
	require.Equal(t, "approved", waitResult(t, ctx), "the camera's two photos of the card are read and pass the document check")

	var got tools.Verification
	require.Nil(t, h.env.Call(t, h.env.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	require.Equal(t, "document", got.Result.Checks[0].Check)
	d := got.Result.Checks[0].Details
	require.Equal(t, "id_card", d["document_type"], "read as a TD1 card from its back's MRZ")
	require.Equal(t, "UTO", d["issuing_country"])
	require.EqualValues(t, 2, d["images"], "the decision used both sides")
	require.Equal(t, true, d["portrait_found"], "the portrait was found on the front the camera saw first")
}

// videoThumb is a 32×18 grey thumbnail of what the page's video shows now.
func videoThumb(t *testing.T, ctx context.Context) []int {
	t.Helper()
	return eval[[]int](t, ctx, `(function () {
		var v = document.getElementById('video'), c = document.createElement('canvas');
		c.width = 32; c.height = 18;
		var g = c.getContext('2d');
		g.drawImage(v, 0, 0, 32, 18);
		var d = g.getImageData(0, 0, 32, 18).data, out = [];
		for (var i = 0; i < d.length; i += 4) { out.push(Math.round((d[i] + d[i + 1] + d[i + 2]) / 3)); }
		return out;
	})()`)
}

// thumbDiff is the mean absolute difference of two thumbnails, in grey levels.
func thumbDiff(a, b []int) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 255
	}
	sum := 0
	for i := range a {
		sum += max(a[i]-b[i], b[i]-a[i])
	}
	return float64(sum) / float64(len(a))
}

// turnCard overwrites the fake camera's y4m in place (same header, same size) with another
// video's frames: Chromium keeps the file open and reads each frame from it as it plays.
func turnCard(t *testing.T, camera, next string) {
	t.Helper()
	b, err := os.ReadFile(next)
	require.NoError(t, err)
	st, err := os.Stat(camera)
	require.NoError(t, err)
	require.Equal(t, st.Size(), int64(len(b)), "same format, same size")
	f, err := os.OpenFile(camera, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt(b, 0)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// documentHarness is the browser harness with the document engine, its fake camera playing y4m.
func documentHarness(t *testing.T, y4m string) *harness {
	return newHarness(t, harnessOptions{y4m: y4m, setup: func(s *db.Store) (map[models.Check]verify.CheckRunner, func(*tools.Deps)) {
		docs, err := verify.NewDocuments(s, verify.DocumentsConfig{}, nil)
		require.NoError(t, err)
		return map[models.Check]verify.CheckRunner{models.CheckDocument: docs}, func(d *tools.Deps) { d.Documents = docs }
	}})
}
