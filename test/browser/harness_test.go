// Package browser_test drives the hosted flow in Debian's headless Chromium (chromedp over
// the DevTools protocol): real pages, real script, real camera API fed by Chromium's fake
// device, real tools, store, River workers and screening lists behind them.
package browser_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/testfiles"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest/flow"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// chromium finds Debian's browser (scripts/setup/browser.sh installs it). Without it the
// tests skip, except in CI, where they fail.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("KYCD_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found: run scripts/setup/browser.sh")
	}
	t.Skip("chromium not found: run scripts/setup/browser.sh (or set KYCD_CHROMIUM)")
	return ""
}

// harness is one kycd flow server, an integrator's site on another origin, a third origin
// that tries to forge messages, and one Chromium.
type harness struct {
	t     *testing.T
	store *db.Store
	env   *tooltest.Env
	// flowURL is the kycd server (http://127.0.0.1:P); shopURL the integrator
	// (http://localhost:Q, another site); evilURL another origin (http://localhost:R).
	flowURL, shopURL, evilURL string
	skew                      *atomic.Int64
	browser                   context.Context
	// streams and polls count the pages' requests to /events and /status; with noEvents set
	// /events answers 404, as behind a proxy that cannot stream.
	streams, polls atomic.Int64
	noEvents       atomic.Bool
}

type harnessOptions struct {
	// setup, given the store, returns check engines to add beside the real screening and a
	// change to the tools' dependencies (nil: screening only).
	setup func(s *db.Store) (map[models.Check]verify.CheckRunner, func(*tools.Deps))
	// y4m is the fake camera's video; empty: Chromium's built-in test pattern.
	y4m string
}

var (
	sdnOnce sync.Once
	sdnList screening.LoadedList
	sdnErr  error
)

// sanctions is the real OFAC SDN list (2024-05-03) from the shared test data.
func sanctions(t *testing.T) screening.LoadedList {
	t.Helper()
	dir := testfiles.Path(t, "sanctions", "ofac_sdn_2024-05-03")
	sdnOnce.Do(func() { sdnList, sdnErr = screening.LoadList("ofac_sdn", dir) })
	require.NoError(t, sdnErr)
	return sdnList
}

func newHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	exe := chromium(t)
	h := &harness{t: t, skew: new(atomic.Int64)}
	h.store = dbtest.SQLite(t)
	h.store.SetClock(func() time.Time { return time.Now().Add(time.Duration(h.skew.Load())) })

	ctx := context.Background()
	svc := verify.NewScreening(h.store, verify.ScreeningPolicy{}, nil)
	_, err := svc.Store(ctx, sanctions(t))
	require.NoError(t, err)
	require.NoError(t, svc.Sync(ctx))
	checks := map[models.Check]verify.CheckRunner{models.CheckScreening: svc}
	var more func(*tools.Deps)
	if o.setup != nil {
		var engines map[models.Check]verify.CheckRunner
		engines, more = o.setup(h.store)
		for k, v := range engines {
			checks[k] = v
		}
	}

	var flowHandler http.Handler
	flowSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/events"):
			h.streams.Add(1)
			if h.noEvents.Load() {
				http.NotFound(w, r)
				return
			}
		case strings.HasSuffix(r.URL.Path, "/status"):
			h.polls.Add(1)
		}
		flowHandler.ServeHTTP(w, r)
	}))
	t.Cleanup(flowSrv.Close)
	h.flowURL = flowSrv.URL
	h.shopURL = serveOn(t, "localhost", shopHandler(h))
	h.evilURL = serveOn(t, "localhost", evilHandler(h))

	h.env = tooltest.New(t, h.store, checks, func(_ *jobs.Options, d *tools.Deps) {
		d.PublicURL, d.Screening = h.flowURL, svc
		if more != nil {
			more(d)
		}
	})
	fh, err := flow.New(h.env.Reg, flow.Options{FrameAncestors: []string{h.shopURL}, PollInterval: 300 * time.Millisecond})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(flow.Prefix, fh)
	mux.Handle("GET "+flow.SDKPath, fh.SDK())
	flowHandler = mux

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox, // root in CI containers
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
	)
	if o.y4m != "" {
		opts = append(opts, chromedp.Flag("use-file-for-fake-video-capture", o.y4m))
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate("about:blank")), "start chromium")
	h.browser = browser
	return h
}

// serveOn serves h on 127.0.0.1 but returns its URL under host (e.g. localhost), which is
// another origin and another site for the browser than 127.0.0.1.
func serveOn(t *testing.T, host string, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	return "http://" + host + ":" + port
}

// shopHandler is the integrator: /shop?u=HOSTED_URL opens the SDK modal on a click, and
// /done is its redirect_url.
func shopHandler(h *harness) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /shop", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>
<h1>Example shop</h1><button id="verify">Verify my identity</button><pre id="out"></pre>
<iframe id="evil" src="%s/evil" width="10" height="10" title="ads"></iframe>
<script src="%s/sdk/kycd.js"></script>
<script>
window.__results = []; window.__closed = 0; window.__pings = 0; window.__errors = [];
window.__forged = 0;
window.addEventListener('message', function (e) { if (e.data === 'ping') { window.__pings++; } if (e.data && e.data.reference === 'FORGED') { window.__forged++; } });
document.getElementById('verify').addEventListener('click', function () {
  Kycd.open({url: new URLSearchParams(location.search).get('u'),
    onComplete: function (r) { window.__results.push(r); document.getElementById('out').textContent = JSON.stringify(r); },
    onClose: function () { window.__closed++; },
    onError: function (e) { window.__errors.push({code: e.code, message: e.message}); }});
});
</script></body></html>`, h.evilURL, h.flowURL)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Done</title></head><body><h1 id="done">Back at the shop</h1></body></html>`)
	})
	return mux
}

// evilHandler is a third origin: its /evil page keeps posting forged completion messages to
// whatever frames it; its /embed page opens the Web SDK although the flow does not allow this
// origin to frame it.
func evilHandler(h *harness) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /evil", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html><body><script>
setInterval(function () { parent.postMessage({type: 'kycd:complete', status: 'approved', reference: 'FORGED'}, '*'); }, 50);
</script></body></html>`)
	})
	mux.HandleFunc("GET /embed", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Other site</title></head><body>
<button id="verify">Verify</button>
<script src="%s/sdk/kycd.js"></script>
<script>
window.__errors = [];
document.getElementById('verify').addEventListener('click', function () {
  Kycd.open({url: new URLSearchParams(location.search).get('u'), timeout: 2500,
    onError: function (e) { window.__errors.push({code: e.code, message: e.message}); }});
});
</script></body></html>`, h.flowURL)
	})
	return mux
}

// create makes a verification as an integrator would, through the tool.
func (h *harness) create(args map[string]any) tools.Verification {
	h.t.Helper()
	var v tools.Verification
	require.Nil(h.t, h.env.Call(h.t, h.env.Test, "create_verification", args, &v))
	return v
}

// tab opens a fresh browser context (its own storage, like another device) at a viewport.
func (h *harness) tab(t *testing.T, vp viewport) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(h.browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// A whole applicant journey per tab. CI runs the test packages in parallel on 2 cores, the
	// model-heavy liveness and age tests among them, so a journey that reads a document in the
	// background (Tesseract, then the portrait's face models) needs room beyond its 9 s idle.
	ctx, cancelTimeout := context.WithTimeout(ctx, 180*time.Second)
	t.Cleanup(cancelTimeout)
	opts := []chromedp.EmulateViewportOption{}
	if vp.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h, opts...)))
	return ctx
}

type viewport struct {
	name   string
	w, h   int64
	mobile bool
}

var (
	desktop = viewport{"desktop", 1280, 900, false}
	phone   = viewport{"phone", 390, 844, true}
)

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, steps...))
}

// waitJS waits until the expression is truthy in the page. It re-evaluates in a loop rather
// than with one Poll because the pages navigate (form posts, redirects) while it waits.
func waitJS(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	waitJSFor(t, ctx, expr, 30*time.Second)
}

// waitJSFor is waitJS with its own limit.
func waitJSFor(t *testing.T, ctx context.Context, expr string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	var lastErr error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+expr+")"))
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waiting for %s: timed out (last error: %v)", expr, lastErr)
}

// text is the innerText of the first element sel matches, read in one evaluation: a node
// lookup followed by a separate read fails ("No node with given id found") when the page
// re-renders that element in between, as the flow's scripts do with messages and errors.
// It waits up to 10 s for the element to exist.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	q, err := json.Marshal(sel)
	require.NoError(t, err)
	expr := `(function () { const e = document.querySelector(` + string(q) + `); return e === null ? null : e.innerText; })()`
	deadline := time.Now().Add(10 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[*string](expr))
		if err == nil && s != nil {
			return *s
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("text of %s: no such element (last error: %v)", sel, lastErr)
	return ""
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	require.NoError(t, err, expr)
	return v
}

// shot saves a full-page screenshot as a test artefact and, with KYCD_UPDATE_SCREENSHOTS=1,
// into docs/screenshots for the README.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err, "screenshot %s", name)
	saveShot(t, name, png)
}

// shotViewport is shot of the visible viewport only: a full-page capture does not paint the
// SDK's fixed, translucent overlay.
func shotViewport(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	require.NoError(t, err, "screenshot %s", name)
	saveShot(t, name, png)
}

// shotArtefact is shot kept only as a test artefact: for pages that show the shared test
// photos, which must not be copied into the repository.
func shotArtefact(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err, "screenshot %s", name)
	require.NoError(t, os.WriteFile(filepath.Join(t.ArtifactDir(), name+".png"), png, 0o644))
}

func saveShot(t *testing.T, name string, png []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(t.ArtifactDir(), name+".png"), png, 0o644))
	if os.Getenv("KYCD_UPDATE_SCREENSHOTS") == "1" {
		dir := filepath.Join("..", "..", "docs", "screenshots")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
	}
}

// consentAndConfirm walks the intro and the data confirmation and submits.
func consentAndConfirm(t *testing.T, ctx context.Context, vp viewport, prefix string) {
	t.Helper()
	do(t, ctx, chromedp.WaitVisible(chromedp.ID("start")))
	if prefix != "" {
		shot(t, ctx, prefix+"-1-intro-"+vp.name)
	}
	do(t, ctx, chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("submit")))
	if prefix != "" {
		shot(t, ctx, prefix+"-2-confirm-"+vp.name)
	}
	do(t, ctx, chromedp.Click(chromedp.ID("submit")))
}

// waitResult waits for the final result page and returns its status, read in the same
// evaluation (inside the SDK modal the frame is removed right after it reports).
func waitResult(t *testing.T, ctx context.Context) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		st, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function () {
			var r = document.querySelector('#result[data-final="true"]');
			return r ? r.dataset.status : '';
		})()`))
		if err == nil && st != "" {
			return st
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no final result page (last error: %v)", lastErr)
	return ""
}

func hostedPath(v tools.Verification) string {
	return v.HostedURL[strings.Index(v.HostedURL, "/verify/"):]
}
