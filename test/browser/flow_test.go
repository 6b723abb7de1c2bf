package browser_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/tools"
)

// TestHostedFlowInChromium runs the applicant's paths of a screening-only verification —
// the kind every server can complete today — in real Chromium, against the real OFAC list.
// The subtests share one browser and server and run in order (2 cores).
func TestHostedFlowInChromium(t *testing.T) {
	h := newHarness(t, harnessOptions{})

	t.Run("happy path on a desktop, redirected back", func(t *testing.T) {
		v := h.create(map[string]any{"checks": []string{"screening"}, "redirect_url": h.shopURL + "/done",
			"applicant": map[string]any{"name": "Erika Mustermann", "dob": "1964-08-12", "country": "DE"}})
		ctx := h.tab(t, desktop)
		do(t, ctx, chromedp.Navigate(v.HostedURL))
		require.Contains(t, text(t, ctx, "h1"), "Let's verify your identity")
		consentAndConfirm(t, ctx, desktop, "flow")
		require.Equal(t, "approved", waitResult(t, ctx), "a clean name passes real screening")
		shot(t, ctx, "flow-3-result-desktop")
		require.Contains(t, text(t, ctx, ".reference"), v.Reference)

		// The page takes the applicant back with the outcome, and nothing else, in the URL.
		waitJS(t, ctx, `location.pathname === '/done'`)
		loc, err := chromedp.Run(ctx, chromedp.Location())
		require.NoError(t, err)
		u, err := url.Parse(loc)
		require.NoError(t, err)
		require.Equal(t, url.Values{"session_id": {v.ID}, "reference": {v.Reference}, "result": {"approved"}}, u.Query())
	})

	t.Run("mobile viewport in Portuguese, sanctioned name goes to review", func(t *testing.T) {
		v := h.create(map[string]any{"checks": []string{"screening"}, "locale": "pt-BR",
			"applicant": map[string]any{"name": "Ayman al-Zawahiri", "dob": "1951-06-19"}})
		ctx := h.tab(t, phone)
		do(t, ctx, chromedp.Navigate(v.HostedURL))
		require.Equal(t, "Vamos verificar sua identidade", text(t, ctx, "h1"))
		// No QR code on a phone: it is the phone.
		require.False(t, eval[bool](t, ctx, `getComputedStyle(document.querySelector('.handoff')).display !== 'none'`))
		require.LessOrEqual(t, eval[int](t, ctx, `document.documentElement.scrollWidth`), 390, "no horizontal scrolling")
		require.LessOrEqual(t, eval[float64](t, ctx, `document.getElementById('start').getBoundingClientRect().bottom`), 844.0,
			"the consent box and Start are above the fold on a 390×844 phone")
		consentAndConfirm(t, ctx, phone, "flow")
		require.Equal(t, "needs_review", waitResult(t, ctx), "a listed name is held for review")
		shot(t, ctx, "flow-3-result-phone")
		require.Equal(t, "Obrigado, estamos analisando seus dados", text(t, ctx, "h1"))
	})

	t.Run("QR hand-off: phone finishes, desktop follows", func(t *testing.T) {
		v := h.create(map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Erika Mustermann"}})
		desk := h.tab(t, desktop)
		do(t, desk, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("qr")))
		shot(t, desk, "handoff-desktop")
		// The QR image is a real PNG the browser decoded.
		require.Greater(t, eval[int](t, desk, `document.getElementById('qr').naturalWidth`), 100)
		link, err := chromedp.Run(desk, chromedp.Value(chromedp.ID("handoff-url")))
		require.NoError(t, err)
		require.Contains(t, link, "/verify/h/vho_")
		require.NotContains(t, link, "vst_", "the QR code does not carry the session token")

		streams, polls := h.streams.Load(), h.polls.Load()
		// A link preview fetches the link first: that does not use it up.
		preview := h.tab(t, phone)
		do(t, preview, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("handoff-continue")))
		mobile := h.tab(t, phone)
		do(t, mobile, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("handoff-continue")))
		shot(t, mobile, "handoff-phone")
		do(t, mobile, chromedp.Click(chromedp.ID("handoff-continue")))
		waitJS(t, mobile, `location.pathname === '`+hostedPath(v)+`'`)
		// The link opens once: a second phone (or a forwarded message) gets the invalid-link page.
		second := h.tab(t, phone)
		do(t, second, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("h1")))
		require.Equal(t, "This link is not valid", text(t, second, "h1"))
		do(t, preview, chromedp.Click(chromedp.ID("handoff-continue")), chromedp.WaitVisible(chromedp.CSS("h1")))
		waitJS(t, preview, `document.querySelector('h1').textContent === 'This link is not valid'`)
		require.NotContains(t, eval[string](t, second, `location.href`), "vst_")
		consentAndConfirm(t, mobile, phone, "")
		require.Equal(t, "approved", waitResult(t, mobile))

		// The desktop, untouched, moves to the result by itself, told by the server's event
		// stream: no page polled.
		require.Equal(t, "approved", waitResult(t, desk))
		shot(t, desk, "handoff-desktop-followed")
		require.Greater(t, h.streams.Load(), streams, "the pages follow the status over /events")
		require.Equal(t, polls, h.polls.Load(), "and do not poll /status while the stream works")
	})

	t.Run("QR hand-off behind a proxy that cannot stream: the desktop follows by polling", func(t *testing.T) {
		h.noEvents.Store(true)
		t.Cleanup(func() { h.noEvents.Store(false) })
		v := h.create(map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Erika Mustermann"}})
		desk := h.tab(t, desktop)
		do(t, desk, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("qr")))
		link, err := chromedp.Run(desk, chromedp.Value(chromedp.ID("handoff-url")))
		require.NoError(t, err)
		polls := h.polls.Load()
		mobile := h.tab(t, phone)
		do(t, mobile, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("handoff-continue")),
			chromedp.Click(chromedp.ID("handoff-continue")))
		waitJS(t, mobile, `location.pathname === '`+hostedPath(v)+`'`)
		consentAndConfirm(t, mobile, phone, "")
		require.Equal(t, "approved", waitResult(t, mobile))
		require.Equal(t, "approved", waitResult(t, desk))
		require.Greater(t, h.polls.Load(), polls, "the fallback polled /status")
	})

	t.Run("SDK modal on another site: only status and reference cross, forgeries ignored", func(t *testing.T) {
		v := h.create(map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Erika Mustermann"},
			"redirect_url": h.shopURL + "/done"})
		ctx := h.tab(t, desktop)
		do(t, ctx, chromedp.Navigate(h.shopURL+"/shop?u="+url.QueryEscape(v.HostedURL)), chromedp.WaitVisible(chromedp.ID("verify")))
		do(t, ctx, chromedp.Click(chromedp.ID("verify")))
		waitJS(t, ctx, `document.querySelector('iframe[allow="camera"]') !== null`)

		// A message from the shop's own origin and the forging frame's stream: both ignored.
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`window.postMessage({type:'kycd:complete', status:'approved', reference:'FORGED-SELF'}, '*'); window.postMessage('ping', '*')`))
		waitJS(t, ctx, `window.__pings > 0`)
		require.Equal(t, 0, eval[int](t, ctx, `window.__results.length`))

		frame := iframeTarget(t, ctx, h.flowURL+"/verify/")
		do(t, frame, chromedp.WaitVisible(chromedp.ID("start")))
		shotViewport(t, ctx, "sdk-modal-desktop")
		consentAndConfirm(t, frame, desktop, "")
		// The result page reports and the SDK removes the frame at once, so the page is
		// watched from the parent's side only.

		waitJS(t, ctx, `window.__results.length > 0`)
		require.Greater(t, eval[int](t, ctx, `window.__forged`), 0, "the forging frame's messages did reach the page")
		raw := eval[string](t, ctx, `JSON.stringify(window.__results)`)
		var got []map[string]any
		require.NoError(t, json.Unmarshal([]byte(raw), &got))
		require.Equal(t, []map[string]any{{"status": "approved", "reference": v.Reference}}, got,
			"exactly the real completion, with status and reference only")
		waitJS(t, ctx, `document.querySelector('iframe[allow="camera"]') === null`)
		require.Equal(t, 0, eval[int](t, ctx, `window.__closed`), "completion is not a close")
		loc, err := chromedp.Run(ctx, chromedp.Location())
		require.NoError(t, err)
		require.Contains(t, loc, "/shop?", "inside the modal the flow reports instead of redirecting")
	})

	t.Run("SDK: a site not allowed to embed gets onError; Escape inside the frame closes; Tab stays in the dialog", func(t *testing.T) {
		v := h.create(map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Erika Mustermann"}})
		blocked := h.tab(t, desktop)
		do(t, blocked, chromedp.Navigate(h.evilURL+"/embed?u="+url.QueryEscape(v.HostedURL)), chromedp.WaitVisible(chromedp.ID("verify")),
			chromedp.Click(chromedp.ID("verify")))
		waitJS(t, blocked, `window.__errors.length > 0`)
		require.Equal(t, "embed_blocked", eval[string](t, blocked, `window.__errors[0].code`))
		require.Equal(t, "Identitätsprüfung", eval[string](t, blocked, `document.querySelector('[role=dialog]').getAttribute('aria-label')`),
			"the dialog's name follows the page's language")

		// Another verification, so the frame attached to below is this tab's, not the blocked one.
		v2 := h.create(map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Erika Mustermann"}})
		ctx := h.tab(t, desktop)
		do(t, ctx, chromedp.Navigate(h.shopURL+"/shop?u="+url.QueryEscape(v2.HostedURL)), chromedp.WaitVisible(chromedp.ID("verify")),
			chromedp.Click(chromedp.ID("verify")))
		frame := iframeTarget(t, ctx, h.flowURL+hostedPath(v2))
		do(t, frame, chromedp.WaitVisible(chromedp.ID("start")))
		time.Sleep(3 * time.Second) // longer than a blocked frame's watchdog would wait
		require.Equal(t, 0, eval[int](t, ctx, `window.__errors.length`), "an allowed site gets no error")
		// Tab from the last control of the page can not leave the dialog.
		do(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById('verify').focus()`))
		require.True(t, eval[bool](t, ctx, `document.querySelector('[role=dialog]').contains(document.activeElement)`),
			"focus outside the dialog is brought back")
		// Escape pressed inside the frame closes the modal.
		do(t, frame, chromedp.Focus(chromedp.ID("consent")))
		// The modal closes at once, taking the frame's target with it: that is the success.
		if err := chromedp.Do(frame, chromedp.KeyEvent(kb.Escape)); err != nil {
			require.Contains(t, err.Error(), "detached", "the key press failed otherwise")
		}
		waitJS(t, ctx, `window.__closed === 1 && document.querySelector('iframe[allow="camera"]') === null`)
	})

	t.Run("a page left open counts down and shows the expiry when it passes", func(t *testing.T) {
		v := h.create(map[string]any{"checks": []string{"screening"}, "expires_in": 300, "applicant": map[string]any{"name": "Erika Mustermann"}})
		h.skew.Store(int64(296 * time.Second)) // the server's clock: four seconds are left
		defer h.skew.Store(0)
		ctx := h.tab(t, phone)
		do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("expiry-warning")))
		require.Contains(t, text(t, ctx, "#expiry-warning"), "This link expires in 0:0")
		require.Equal(t, "expired", waitResult(t, ctx), "the page moves on by itself")
	})

	t.Run("expiry mid-flow", func(t *testing.T) {
		v := h.create(map[string]any{"checks": []string{"screening"}, "expires_in": 300, "applicant": map[string]any{"name": "Erika Mustermann"}})
		ctx := h.tab(t, desktop)
		do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")),
			chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("submit")))
		h.skew.Store(int64(6 * time.Minute))
		defer h.skew.Store(0)
		do(t, ctx, chromedp.Click(chromedp.ID("submit")))
		require.Equal(t, "expired", waitResult(t, ctx))
		require.Equal(t, "This link has expired", text(t, ctx, "h1"))
		shot(t, ctx, "expired-desktop")
	})

	t.Run("cancelled while the applicant is on the page", func(t *testing.T) {
		v := h.create(map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Erika Mustermann"}})
		ctx := h.tab(t, phone)
		do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")))
		require.Nil(t, h.env.Call(t, h.env.Test, "cancel_verification", map[string]any{"id": v.ID}, nil))
		// The intro follows the status: it moves on without a click.
		require.Equal(t, "cancelled", waitResult(t, ctx))
		require.Equal(t, "This verification was cancelled", text(t, ctx, "h1"))
		shot(t, ctx, "cancelled-phone")
		var got tools.Verification
		require.Nil(t, h.env.Call(t, h.env.Test, "get_verification", map[string]any{"id": v.ID}, &got))
		require.Equal(t, "cancelled", got.Status)
	})
}

// iframeTarget attaches to the cross-site iframe whose URL starts with prefix: Chromium runs
// it as its own target (site isolation stays on).
func iframeTarget(t *testing.T, ctx context.Context, prefix string) context.Context {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		infos, err := chromedp.Targets(ctx)
		require.NoError(t, err)
		for _, info := range infos {
			if info.Type == "iframe" && strings.HasPrefix(info.URL, prefix) {
				c, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID))
				t.Cleanup(cancel)
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no iframe target at %s", prefix)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
