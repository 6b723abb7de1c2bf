package browser_test

import (
	"context"

	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// A browser without a camera is not a dead end: the capture page says why, offers the phone
// hand-off (a QR code and a link that open this verification on another device) and keeps the
// upload where a photo will do.
func TestCaptureWithoutCameraHasAWayOn(t *testing.T) {
	h := newHarness(t, harnessOptions{setup: func(s *db.Store) (map[models.Check]verify.CheckRunner, func(*tools.Deps)) {
		docs, err := verify.NewDocuments(s, verify.DocumentsConfig{}, nil)
		require.NoError(t, err)
		return map[models.Check]verify.CheckRunner{models.CheckDocument: docs}, nil
	}})
	v := h.create(map[string]any{"checks": []string{"document"}, "applicant": map[string]any{"name": "Erika Mustermann"}})
	ctx := h.tab(t, phone)
	// This browser has no camera API at all.
	do(t, ctx, func(c context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(c, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `Object.defineProperty(Navigator.prototype, 'mediaDevices', {get: function () { return undefined; }});`})
		return chromedp.Void{}, err
	})
	do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")),
		chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")))
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("camera-help")))
	require.True(t, eval[bool](t, ctx, `!document.getElementById('camera-unsupported').hidden`))
	require.True(t, eval[bool](t, ctx, `document.getElementById('camera').hidden`), "no dead camera button")
	require.True(t, eval[bool](t, ctx, `!!document.getElementById('file')`), "the upload stays for a document")
	do(t, ctx, chromedp.Click(chromedp.ID("camera-phone")), chromedp.WaitVisible(chromedp.ID("camera-handoff")))
	waitJS(t, ctx, `document.getElementById('camera-qr').naturalWidth > 100`)
	link := eval[string](t, ctx, `document.getElementById('camera-handoff-url').value`)
	require.Contains(t, link, "/verify/h/vho_", "a hand-off link to continue on a phone")
}
