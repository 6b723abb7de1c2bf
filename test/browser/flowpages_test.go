package browser_test

import (
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// writeCard writes a PNG of a plain card (an extra document's photo) for the file upload.
func writeCard(t *testing.T, path string, shade uint8) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 856, 540))
	for y := range 540 {
		for x := range 856 {
			img.Set(x, y, color.RGBA{shade, 90, 160 - uint8(y/8), 255})
		}
	}
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, png.Encode(f, img))
	require.NoError(t, f.Close())
}

// The additional_document steps in Chromium, on a phone: the flow's extra documents get a
// page each, named by their label; the file fallback uploads two pages of the bank card
// (through submit_additional_document), the optional one is skipped, and the uploads are in
// the verification's result as evidence.
func TestAdditionalDocumentInChromium(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	require.Nil(t, h.env.Call(t, h.env.Test, "create_flow", map[string]any{"name": "with-card", "steps": []any{
		map[string]any{"type": "consent"}, map[string]any{"type": "screening"},
		map[string]any{"type": "additional_document", "label": "bank card"},
		map[string]any{"type": "additional_document", "label": "proof of income", "optional": true}}}, nil))
	v := h.create(map[string]any{"flow": "with-card", "applicant": map[string]any{"name": "Erika Mustermann"}})
	dir := t.TempDir()
	front, back := filepath.Join(dir, "front.png"), filepath.Join(dir, "back.png")
	writeCard(t, front, 30)
	writeCard(t, back, 200)

	ctx := h.tab(t, phone)
	do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")),
		chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("cap-title")))
	require.Equal(t, "Upload: bank card", text(t, ctx, "h1"))
	require.True(t, eval[bool](t, ctx, `location.pathname.endsWith('/step/additional_document_1')`))
	require.LessOrEqual(t, eval[int](t, ctx, `document.documentElement.scrollWidth`), 390, "no horizontal scrolling")
	require.True(t, eval[bool](t, ctx, `document.getElementById('continue').hidden`), "nothing to continue with before an upload")
	require.Equal(t, "environment", eval[string](t, ctx, `document.getElementById('file').getAttribute('capture')`), "the back camera for a document")
	require.Equal(t, "Extra document", text(t, ctx, ".progress li.current"))

	// Two pages through the file fallback: the page stays for another one, then continues.
	do(t, ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{front}))
	waitJS(t, ctx, `!document.getElementById('continue').hidden`)
	require.Equal(t, "Page 1 uploaded. Add another page, or continue.", text(t, ctx, "#message"))
	require.Equal(t, "continue", eval[string](t, ctx, `document.activeElement.id`), "the focus moves to Continue")
	do(t, ctx, chromedp.SetUploadFiles(chromedp.ID("file"), []string{back}))
	waitJS(t, ctx, `document.getElementById('message').textContent.indexOf('Page 2') === 0`)
	shot(t, ctx, "flow-additional-document-phone")
	do(t, ctx, chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID("skip")))
	require.Equal(t, "Upload: proof of income", text(t, ctx, "h1"))
	require.Equal(t, "This document is optional.", text(t, ctx, ".notice:not([hidden])"))
	// The keyboard: Enter on the focused skip link.
	do(t, ctx, chromedp.Focus(chromedp.ID("skip")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("submit")))
	require.Equal(t, 2, eval[int](t, ctx, `document.querySelectorAll('.progress li.done').length`), "the intro and the bank card are done, not the skipped one")
	do(t, ctx, chromedp.Click(chromedp.ID("submit")))
	require.Equal(t, "approved", waitResult(t, ctx), "a clean name, the required card uploaded")

	var got tools.Verification
	require.Nil(t, h.env.Call(t, h.env.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	var uploads []any
	for _, c := range got.Result.Checks {
		if c.Check == "additional_document" {
			require.Equal(t, "pass", string(c.Outcome))
			uploads, _ = c.Details["uploads"].([]any)
		}
	}
	require.Len(t, uploads, 2, "both pages of the bank card are evidence")
	require.Equal(t, "bank card", uploads[1].(map[string]any)["label"])
}

// The 8-digit code hand-off: the integrator shows the code on the desktop; on a phone (another
// browser context) the applicant opens /verify/code, mistypes, types the code and continues
// the same session there; the desktop follows to the result.
func TestSessionCodeHandoffInChromium(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	var v tools.CreatedVerification
	require.Nil(t, h.env.Call(t, h.env.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "generate_code": true,
		"applicant": map[string]any{"name": "Erika Mustermann"}}, &v))
	require.Len(t, v.Code, 8)
	desk := h.tab(t, desktop)
	do(t, desk, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")))

	mobile := h.tab(t, phone)
	do(t, mobile, chromedp.Navigate(h.flowURL+"/verify/code"), chromedp.WaitVisible(chromedp.ID("code")))
	require.Equal(t, "Continue on this device", text(t, mobile, "h1"))
	require.Equal(t, "code", eval[string](t, mobile, `document.activeElement.id`), "the field has the focus")
	require.LessOrEqual(t, eval[int](t, mobile, `document.documentElement.scrollWidth`), 390, "no horizontal scrolling")
	wrong := "00000000"
	if wrong == v.Code {
		wrong = "11111111"
	}
	do(t, mobile, chromedp.SendKeys(chromedp.ID("code"), wrong), chromedp.KeyEvent(kb.Enter))
	waitJS(t, mobile, `document.getElementById('code-error')`)
	require.Equal(t, "This code does not open a verification. Check the 8 digits; a code ends with its session.", text(t, mobile, "#code-error"))
	require.Equal(t, "true", eval[string](t, mobile, `document.getElementById('code').getAttribute('aria-invalid')`))
	shot(t, mobile, "flow-code-wrong-phone")
	// Typed as people read it: two groups of four.
	do(t, mobile, chromedp.WaitVisible(chromedp.ID("code")))
	eval[bool](t, mobile, `(document.getElementById('code').value = '') === ''`)
	do(t, mobile, chromedp.SendKeys(chromedp.ID("code"), v.Code[:4]+" "+v.Code[4:]), chromedp.KeyEvent(kb.Enter))
	waitJS(t, mobile, `location.pathname === '`+hostedPath(v.Verification)+`'`)
	consentAndConfirm(t, mobile, phone, "")
	require.Equal(t, "approved", waitResult(t, mobile))
	require.Equal(t, "approved", waitResult(t, desk), "the desktop follows the session the phone finished")

	// The code died with the session.
	again := h.tab(t, phone)
	do(t, again, chromedp.Navigate(h.flowURL+"/verify/code"), chromedp.WaitVisible(chromedp.ID("code")),
		chromedp.SendKeys(chromedp.ID("code"), v.Code), chromedp.KeyEvent(kb.Enter))
	waitJS(t, again, `document.getElementById('code-error')`)
}

// A document step offering a passport or an identity card: the page asks which, and the
// choice (by keyboard here) switches the sides to photograph: a passport's photo page, a
// card's front then back.
func TestDocumentTypeChoiceInChromium(t *testing.T) {
	h := newHarness(t, harnessOptions{setup: func(s *db.Store) (map[models.Check]verify.CheckRunner, func(*tools.Deps)) {
		return map[models.Check]verify.CheckRunner{models.CheckDocument: tooltest.Check{Outcome: models.OutcomePass}}, nil
	}})
	require.Nil(t, h.env.Call(t, h.env.Test, "create_flow", map[string]any{"name": "either", "steps": []any{
		map[string]any{"type": "document", "document_types": []string{"passport", "id_card"}}}}, nil))
	v := h.create(map[string]any{"flow": "either", "locale": "de"})
	ctx := h.tab(t, phone)
	do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")),
		chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("doc-types")))
	require.Equal(t, "Welches Dokument verwenden Sie?", text(t, ctx, "#doc-types legend"))
	require.True(t, eval[bool](t, ctx, `document.querySelector('#doc-types input[value="passport"]').checked`))
	require.Equal(t, "Fotografieren Sie die Seite Ihres Reisepasses mit Ihrem Foto", text(t, ctx, "h1"))
	shot(t, ctx, "flow-document-choice-phone")
	do(t, ctx, chromedp.Focus(`#doc-types input[value="passport"]`), chromedp.KeyEvent(kb.ArrowDown))
	waitJS(t, ctx, `document.querySelector('#doc-types input[value="id_card"]').checked`)
	require.Equal(t, "Fotografieren Sie die Vorderseite Ihres Dokuments", text(t, ctx, "h1"))
	require.LessOrEqual(t, eval[int](t, ctx, `document.documentElement.scrollWidth`), 390, "no horizontal scrolling")
	require.GreaterOrEqual(t, eval[float64](t, ctx, `document.querySelector('#doc-types label').getBoundingClientRect().height`), 44.0, "44 px touch targets")
}
