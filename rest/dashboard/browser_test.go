package dashboard_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest/dashboard"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
	"github.com/kycd/kycd/webhook"
)

const testCSRF = "csrf-test-token-0123456789"

// roleScopes are the scopes of each operator role (the operator accounts map roles the same way).
var roleScopes = map[string][]string{
	"viewer":   {"verifications:read", "applicants:read", "events:read", "webhooks:read"},
	"reviewer": {"verifications:read", "applicants:read", "events:read", "webhooks:read", "review"},
	"admin": {"verifications:read", "verifications:write", "applicants:read", "events:read", "webhooks:read", "webhooks:write",
		"review", "keys:read", "keys:write"},
}

// testAuth is the test's Authenticator: the cookie "as" names a role, whose Operator calls the
// tools with a real API key of that role's scopes (tools.Authenticate), and a fixed CSRF token.
type testAuth struct {
	ops map[string]*dashboard.Operator
}

func (a testAuth) Operator(r *http.Request) (*dashboard.Operator, error) {
	c, err := r.Cookie("as")
	if err != nil {
		return nil, nil
	}
	return a.ops[c.Value], nil
}

func newAuth(t *testing.T, e *tooltest.Env) testAuth {
	a := testAuth{ops: map[string]*dashboard.Operator{}}
	for role, scopes := range roleScopes {
		secret, _, err := e.Store.CreateAPIKey(context.Background(), db.NewKey{AccountID: "acct_a", Name: "operator " + role, Mode: models.ModeTest, Scopes: scopes})
		require.NoError(t, err)
		c, err := tools.Authenticate(context.Background(), e.Reg.Deps(), secret)
		require.NoError(t, err)
		a.ops[role] = &dashboard.Operator{UserID: "usr_" + role, Email: role + "@example.com", Role: role, Caller: c, CSRF: testCSRF}
	}
	return a
}

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

// avatar is a drawn head-and-shoulders picture: the test's selfie and portrait, so no real
// person's face lands in the screenshots.
func avatar(t *testing.T, skin color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 240, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 240; x++ {
			c := color.RGBA{210, 222, 235, 255}
			dx, dy := float64(x-120), float64(y-120)
			if dx*dx/(70*70)+dy*dy/(90*90) <= 1 {
				c = skin
			}
			if dy2 := float64(y - 330); dx*dx/(120*120)+dy2*dy2/(110*110) <= 1 {
				c = color.RGBA{40, 70, 120, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

type env struct {
	t       *testing.T
	e       *tooltest.Env
	url     string
	browser context.Context
	shots   string
}

// as signs the browser in as a role (the test Authenticator's cookie).
func (x *env) as(role string) {
	x.t.Helper()
	x.run(chromedp.Navigate(x.url + "/as?role=" + role))
}

func (x *env) run(actions ...chromedp.Action[chromedp.Void]) {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(x.browser, 30*time.Second)
	defer cancel()
	require.NoError(x.t, chromedp.Do(ctx, actions...))
}

// get runs an action that reads a value.
func get[T any](x *env, a chromedp.Action[T]) T {
	x.t.Helper()
	ctx, cancel := context.WithTimeout(x.browser, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	require.NoError(x.t, err)
	return v
}

// clearFlash removes the page's notices and errors, so waiting for one waits for the next page.
func (x *env) clearFlash() {
	x.t.Helper()
	get(x, chromedp.Evaluate[any](`document.querySelectorAll('.notice,.error').forEach(e => e.remove())`))
}

func (x *env) text(sel string) string {
	x.t.Helper()
	return get(x, chromedp.Text(chromedp.CSS(sel)))
}

// shot saves a screenshot of the page for the README (with KYCD_UPDATE_SCREENSHOTS=1), at
// most maxScreenshot bytes.
func (x *env) shot(name string) {
	x.t.Helper()
	if x.shots == "" {
		return
	}
	b := compactPNG(x.t, get(x, chromedp.FullScreenshot(100)))
	require.NoError(x.t, os.WriteFile(filepath.Join(x.shots, "dashboard-"+name+".png"), b, 0o644))
}

// fetch runs fetch() in the page (same origin, the session's cookie) and returns the status
// and the body as base64.
func (x *env) fetch(path, method, body string) (int, []byte) {
	x.t.Helper()
	type result struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	js := `(async () => { const r = await fetch(` + jsString(path) + `, {method: ` + jsString(method) + `,
	  headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: ` + jsBody(method, body) + `});
	  const b = new Uint8Array(await r.arrayBuffer()); let s = ''; for (const c of b) s += String.fromCharCode(c);
	  return {status: r.status, body: btoa(s)}; })()`
	res := get(x, chromedp.Evaluate[result](js, chromedp.EvalAwaitPromise))
	b, err := base64.StdEncoding.DecodeString(res.Body)
	require.NoError(x.t, err)
	return res.Status, b
}

func jsString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

func jsBody(method, body string) string {
	if method == "GET" {
		return "undefined"
	}
	return jsString(body)
}

// TestDashboardInBrowser drives the dashboard in headless Chromium: a reviewer works the queue
// and decides a case, asks another applicant to resubmit; a viewer's approval is refused by
// the tool and the page says so; an admin creates and revokes a key and replays a delivery;
// CSV and PDF exports come out; a POST without the CSRF token is refused.
func TestDashboardInBrowser(t *testing.T) {
	exe := chromium(t)
	s := dbtest.SQLite(t)
	checks := map[models.Check]verify.CheckRunner{
		models.CheckDocument: tooltest.Check{Outcome: models.OutcomePass},
		models.CheckScreening: tooltest.Check{Outcome: models.OutcomeReview, Reasons: []models.Reason{{Code: "screening_weak_hit",
			Message: `"Anna Schmidt" matches ofac_sdn entry 1234 "SCHMIDT, Anna" (score 0.91, threshold 0.88)`}}},
	}
	e := tooltest.New(t, s, checks, func(o *jobs.Options, d *tools.Deps) {
		p := webhook.Policy{AllowHTTP: true, AllowPrivate: true, Timeout: 2 * time.Second}
		o.Webhooks, d.Webhooks = p, p
	})
	auth := newAuth(t, e)
	admin := auth.ops["admin"].Caller
	ctx := context.Background()

	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	t.Cleanup(receiver.Close)
	require.Nil(t, e.Call(t, admin, tools.CreateWebhookEndpoint.Name, map[string]any{"url": receiver.URL + "/hooks", "events": []string{"verification.*"},
		"description": "CRM"}, nil))

	newCase := func(name, country string, images bool) tools.Verification {
		t.Helper()
		var v tools.Verification
		require.Nil(t, e.Call(t, admin, tools.CreateVerification.Name, map[string]any{"checks": []string{"document", "screening"},
			"applicant": map[string]any{"name": name, "dob": "1988-04-12", "country": country}, "external_ref": "crm-" + strings.ToLower(strings.Fields(name)[1])}, &v))
		if images {
			doc, err := tools.SampleDocument(ctx, e.Reg.Deps(), admin, v.ID, false)
			require.NoError(t, err)
			docBytes, err := base64.StdEncoding.DecodeString(doc[strings.Index(doc, ",")+1:])
			require.NoError(t, err)
			row, err := s.GetVerification(ctx, db.Scope{AccountID: "acct_a", Mode: models.ModeTest}, v.ID)
			require.NoError(t, err)
			require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				for _, a := range []struct {
					kind models.ArtifactKind
					b    []byte
					ct   string
				}{{models.ArtifactDocumentFront, docBytes, "image/jpeg"}, {models.ArtifactDocumentPortrait, avatar(t, color.RGBA{224, 180, 150, 255}), "image/png"},
					{models.ArtifactSelfie, avatar(t, color.RGBA{214, 170, 140, 255}), "image/png"}} {
					art := &models.Artifact{AccountID: row.AccountID, Mode: row.Mode, VerificationID: v.ID, Kind: a.kind, ContentType: a.ct}
					if err := tx.InsertArtifact(ctx, art, a.b, nil); err != nil {
						return err
					}
				}
				return nil
			}))
		}
		require.Nil(t, e.Call(t, admin, tools.SubmitVerification.Name, map[string]any{"id": v.ID}, nil))
		deadline := time.Now().Add(30 * time.Second)
		for v.Status != "needs_review" {
			require.True(t, time.Now().Before(deadline), "verification stayed %s", v.Status)
			time.Sleep(50 * time.Millisecond)
			require.Nil(t, e.Call(t, admin, tools.GetVerification.Name, map[string]any{"id": v.ID}, &v))
		}
		return v
	}
	anna := newCase("Anna Schmidt", "DE", true)
	boris := newCase("Boris Nowak", "PL", false)
	clara := newCase("Clara Jensen", "DK", false)

	dash := dashboard.New(e.Reg, auth, dashboard.Options{})
	mux := http.NewServeMux()
	mux.Handle(dashboard.Prefix, dash)
	mux.HandleFunc("GET /dashboard/login", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("sign in")) })
	mux.HandleFunc("GET /as", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "as", Value: r.URL.Query().Get("role"), Path: "/"})
		http.Redirect(w, r, "/dashboard/queue", http.StatusSeeOther)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900), chromedp.Flag("disable-component-update", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	require.NoError(t, chromedp.Do(browser, chromedp.Navigate("about:blank")), "start chromium")
	x := &env{t: t, e: e, url: srv.URL, browser: browser}
	if os.Getenv("KYCD_UPDATE_SCREENSHOTS") == "1" {
		x.shots = filepath.Join("..", "..", "docs", "img")
		require.NoError(t, os.MkdirAll(x.shots, 0o755))
	}

	// Nobody signed in: the pages send to the sign-in route.
	x.run(chromedp.Navigate(srv.URL + "/dashboard/queue"))
	loc := get(x, chromedp.Location())
	require.Contains(t, loc, "/dashboard/login?next=")

	// The reviewer's queue: oldest first, filters work.
	x.as("reviewer")
	x.run(chromedp.WaitVisible(chromedp.CSS(`table`)))
	rows := x.text(`table tbody`)
	require.Less(t, strings.Index(rows, anna.Reference), strings.Index(rows, boris.Reference), "oldest first")
	require.Contains(t, rows, "screening")
	x.shot("queue")
	x.run(chromedp.Navigate(srv.URL + "/dashboard/queue?country=PL"))
	rows = x.text(`table tbody`)
	require.Contains(t, rows, boris.Reference)
	require.NotContains(t, rows, anna.Reference)

	// The queue as CSV, through the browser's session.
	status, body := x.fetch("/dashboard/queue?format=csv", "GET", "")
	require.Equal(t, 200, status)
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, "Reference", recs[0][0])
	require.Len(t, recs, 4, "header and three cases")

	// The case: images through the image tool, the evidence, the decision form.
	x.run(chromedp.Navigate(srv.URL + "/dashboard/cases/" + anna.ID))
	x.run(chromedp.WaitVisible(chromedp.CSS(`#review-form`)))
	loaded := get(x, chromedp.Poll[bool](`Array.from(document.querySelectorAll('main img')).every(i => i.complete && i.naturalWidth > 0) && document.querySelectorAll('main img').length >= 3`, chromedp.WithPollingTimeout(10*time.Second)))
	require.True(t, loaded, "document and face images load")
	require.Contains(t, x.text(`#chk-screening`), "screening")
	require.Contains(t, x.text(`main`), "screening_weak_hit")
	x.shot("case")

	// Assign, comment, approve with a reason code.
	x.clearFlash()
	x.run(chromedp.Click(chromedp.CSS(`#assign-me`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Equal(t, auth.ops["reviewer"].Caller.KeyID, x.text(`#assignee`))
	x.clearFlash()
	x.run(chromedp.SendKeys(chromedp.CSS(`#comment`), "Namesake: the listed person was born in 1951."),
		chromedp.Click(chromedp.CSS(`#comment-submit`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Contains(t, x.text(`.comments`), "born in 1951")
	x.clearFlash()
	x.run(chromedp.Click(chromedp.CSS(`#review-form input[value=approve]`)),
		chromedp.Click(chromedp.CSS(`#review-form input[value=screening_false_positive]`)),
		chromedp.SendKeys(chromedp.CSS(`#reason`), "screening hit is a namesake (DOB 1988 vs 1951)"),
		chromedp.Click(chromedp.CSS(`#review-submit`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Equal(t, "approved", x.text(`#case-status`))
	var got tools.Verification
	require.Nil(t, e.Call(t, admin, tools.GetVerification.Name, map[string]any{"id": anna.ID}, &got))
	require.Equal(t, "approved", got.Status)

	// The PDF report, downloaded through the session, renders page by page.
	status, body = x.fetch("/dashboard/cases/"+anna.ID+"/report.pdf", "GET", "")
	require.Equal(t, 200, status)
	require.True(t, bytes.HasPrefix(body, []byte("%PDF-")))
	requirePages(t, body)

	// Ask Boris to submit again: a fresh link for the failed step only.
	x.run(chromedp.Navigate(srv.URL + "/dashboard/cases/" + boris.ID))
	x.run(chromedp.WaitVisible(chromedp.CSS(`#review-form`)))
	hidden := get(x, chromedp.Evaluate[bool](`document.querySelector('.resubmit').hidden`))
	require.True(t, hidden, "the steps to redo show only for a resubmission")
	x.clearFlash()
	x.run(chromedp.Click(chromedp.CSS(`#review-form input[value=request_resubmission]`)),
		chromedp.Click(chromedp.CSS(`#review-form input[value=image_quality]`)),
		chromedp.SendKeys(chromedp.CSS(`#reason`), "the screening needs the full name as on the document"),
		chromedp.Click(chromedp.CSS(`#review-submit`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Contains(t, x.text(`.notice`), "fresh link for screening")
	require.Equal(t, "pending", x.text(`#case-status`))
	require.Nil(t, e.Call(t, admin, tools.GetVerification.Name, map[string]any{"id": boris.ID}, &got))
	require.Equal(t, []string{"screening"}, got.Checks)
	require.NotEqual(t, boris.HostedURL, got.HostedURL)

	// A POST without the CSRF token is refused, whoever sends it.
	status, _ = x.fetch("/dashboard/cases/"+clara.ID+"/review", "POST", "decision=approve&reason=x")
	require.Equal(t, http.StatusForbidden, status)
	status, _ = x.fetch("/dashboard/cases/"+clara.ID+"/review", "POST", "decision=approve&reason=x&csrf=wrong")
	require.Equal(t, http.StatusForbidden, status)

	// A viewer sees the case, but the tool refuses the approval and the page says so.
	x.as("viewer")
	x.run(chromedp.Navigate(srv.URL+"/dashboard/cases/"+clara.ID), chromedp.WaitVisible(chromedp.CSS(`#review-form`)))
	x.clearFlash()
	x.run(chromedp.Click(chromedp.CSS(`#review-form input[value=approve]`)),
		chromedp.SendKeys(chromedp.CSS(`#reason`), "looks fine"),
		chromedp.Click(chromedp.CSS(`#review-submit`)), chromedp.WaitVisible(chromedp.CSS(`#page-error`)))
	require.Contains(t, x.text(`#page-error`), `"review" scope`)
	require.Equal(t, "needs_review", x.text(`#case-status`))
	require.Nil(t, e.Call(t, admin, tools.GetVerification.Name, map[string]any{"id": clara.ID}, &got))
	require.Equal(t, "needs_review", got.Status)

	// The admin creates a key (its secret shown once, and working) and revokes it.
	x.as("admin")
	x.run(chromedp.Navigate(srv.URL+"/dashboard/settings/keys"), chromedp.WaitVisible(chromedp.CSS(`#create-key`)))
	x.shot("keys")
	x.run(chromedp.SendKeys(chromedp.CSS(`#key-name`), "shop backend"),
		chromedp.Click(chromedp.CSS(`#create-key input[value="verifications:read"]`)),
		chromedp.Click(chromedp.CSS(`#create-key input[name="checks"][value="screening"]`)),
		chromedp.SendKeys(chromedp.CSS(`#key-face`), "0.62"), chromedp.SendKeys(chromedp.CSS(`#key-expires`), "30"),
		chromedp.SendKeys(chromedp.CSS(`#key-origins`), "https://shop.example.com"),
		chromedp.Submit(chromedp.CSS(`#create-key`)), chromedp.WaitVisible(chromedp.CSS(`#new-secret`)))
	secret := x.text(`#new-secret`)
	require.True(t, strings.HasPrefix(secret, "sk_test_"), secret)
	c, err := tools.Authenticate(ctx, e.Reg.Deps(), secret)
	require.NoError(t, err)
	require.Equal(t, []tools.Scope{tools.ScopeVerificationsRead}, c.Scopes)
	settings := x.text(`#key-` + c.KeyID)
	for _, want := range []string{"checks: screening", "face ≥ 0.62", "framed by https://shop.example.com", "expires"} {
		require.Contains(t, settings, want, "the key's settings as created")
	}
	loc2 := get(x, chromedp.Location())
	require.NotContains(t, loc2, secret, "the secret never lands in a URL")
	x.run(chromedp.Navigate(srv.URL+"/dashboard/settings/keys"), chromedp.WaitVisible(chromedp.CSS(`#keys`)))
	require.NotContains(t, x.text(`main`), secret, "shown only once")
	get(x, chromedp.Evaluate[any](`window.confirm = () => true`))
	x.clearFlash()
	x.run(chromedp.Submit(chromedp.CSS(`#key-`+c.KeyID+` form`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Contains(t, x.text(`.notice`), "revoked")
	_, err = tools.Authenticate(ctx, e.Reg.Deps(), secret)
	require.Error(t, err, "a revoked key stops working")

	// The delivery log and a replay.
	var dl tools.WebhookDeliveryList
	deadline := time.Now().Add(20 * time.Second)
	for {
		require.Nil(t, e.Call(t, admin, tools.ListWebhookDeliveries.Name, map[string]any{"status": "delivered"}, &dl))
		if len(dl.Data) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.NotEmpty(t, dl.Data)
	x.run(chromedp.Navigate(srv.URL+"/dashboard/settings/webhooks"), chromedp.WaitVisible(chromedp.CSS(`#deliveries`)))
	x.shot("webhooks")
	x.clearFlash()
	x.run(chromedp.Submit(chromedp.CSS(`#deliveries tbody tr form`)), chromedp.WaitVisible(chromedp.CSS(`.notice`)))
	require.Contains(t, x.text(`.notice`), "Replay")
	require.Nil(t, e.Call(t, admin, tools.ListWebhookDeliveries.Name, map[string]any{}, &dl))
	replays := 0
	for _, d := range dl.Data {
		if d.ReplayOf != nil {
			replays++
		}
	}
	require.Equal(t, 1, replays)

	// Analytics: SVG charts drawn on the server, tables as CSV.
	x.run(chromedp.Navigate(srv.URL+"/dashboard/analytics?days=7"), chromedp.WaitVisible(chromedp.CSS(`svg.chart`)))
	bars := get(x, chromedp.Evaluate[int](`document.querySelectorAll('svg.chart rect').length`))
	require.Greater(t, bars, 0)
	x.shot("analytics")
	status, body = x.fetch("/dashboard/analytics?days=7&table=checks&format=csv", "GET", "")
	require.Equal(t, 200, status)
	require.Contains(t, string(body), "screening")

	// Search by name (blind index) and the lists, each with its CSV.
	x.run(chromedp.Navigate(srv.URL+"/dashboard/search?q=jensen"), chromedp.WaitVisible(chromedp.CSS(`table`)))
	require.Contains(t, x.text(`table`), clara.Reference)
	x.shot("search")
	for _, p := range []string{"verifications", "applicants", "businesses", "screening-lists"} {
		status, body = x.fetch("/dashboard/"+p+"?format=csv", "GET", "")
		require.Equal(t, 200, status, p)
		require.NotEmpty(t, body, p)
	}

	// On a tablet held upright the pages fit the width (wide tables scroll in their box), and
	// every form control has a label.
	x.run(chromedp.EmulateViewport(768, 1024, chromedp.EmulateTouch))
	for _, p := range []string{"queue", "cases/" + anna.ID, "cases/" + clara.ID, "settings/keys", "settings/webhooks", "analytics", "verifications"} {
		x.run(chromedp.Navigate(srv.URL+"/dashboard/"+p), chromedp.WaitVisible(chromedp.CSS(`main`)))
		fits := get(x, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth + 1`))
		if !fits {
			wide := get(x, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`))
			t.Fatalf("%s is wider than a tablet: %v", p, wide)
		}
		unlabelled := get(x, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
		  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.outerHTML)`))
		require.Empty(t, unlabelled, p)
	}
	if x.shots != "" {
		x.run(chromedp.Navigate(srv.URL+"/dashboard/cases/"+clara.ID), chromedp.WaitVisible(chromedp.CSS(`main`)))
		x.shot("case-tablet")
	}
}

// requirePages renders a PDF with poppler's pdftoppm and checks pages come out.
func requirePages(t *testing.T, pdf []byte) {
	t.Helper()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Fatal("pdftoppm is missing: install poppler-utils (scripts/setup/address.sh)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "r.pdf")
	require.NoError(t, os.WriteFile(in, pdf, 0o600))
	out, err := exec.Command("pdftoppm", "-r", "30", "-png", in, filepath.Join(dir, "p")).CombinedOutput()
	require.NoError(t, err, string(out))
	pages, err := filepath.Glob(filepath.Join(dir, "p-*.png"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(pages), 2, "the report and its images page")
}
