package flow_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/document/synth"
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

// env is a flow served over a real store, queue and registry, with test check engines.
type env struct {
	*tooltest.Env
	srv *httptest.Server
	// skew moves the store's clock forward (expiry tests).
	skew *atomic.Int64
}

func engines() map[models.Check]verify.CheckRunner {
	return map[models.Check]verify.CheckRunner{
		models.CheckScreening: tooltest.Check{Outcome: models.OutcomePass, Needs: "the applicant's name"},
		models.CheckFaceMatch: tooltest.Check{Outcome: models.OutcomePass},
	}
}

// engine is a check engine a test adds to newEnv's (or puts in place of one), with what the
// tools need of it in their dependencies.
type engine struct {
	check  models.Check
	runner verify.CheckRunner
	deps   func(*tools.Deps)
}

func newEnv(t *testing.T, s *db.Store, opts flow.Options, extra ...engine) *env {
	t.Helper()
	e := &env{skew: new(atomic.Int64)}
	s.SetClock(func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) })
	var (
		h  http.Handler
		fh *flow.Handler
	)
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	checks := engines()
	docs, err := verify.NewDocuments(s, verify.DocumentsConfig{}, nil)
	require.NoError(t, err)
	checks[models.CheckDocument] = docs
	for _, x := range extra {
		checks[x.check] = x.runner
	}
	e.Env = tooltest.New(t, s, checks, func(_ *jobs.Options, d *tools.Deps) {
		d.PublicURL = e.srv.URL
		for _, x := range extra {
			if x.deps != nil {
				x.deps(d)
			}
		}
	})
	fh, err = flow.New(e.Reg, opts)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle(flow.Prefix, fh)
	mux.Handle("GET "+flow.SDKPath, fh.SDK())
	h = mux
	return e
}

// create makes a verification through the tool, as an integrator would.
func (e *env) create(t *testing.T, args map[string]any) tools.Verification {
	t.Helper()
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", args, &v))
	return v
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type resp struct {
	code int
	body string
	hdr  http.Header
}

func (e *env) do(t *testing.T, method, path string, form url.Values, hdr map[string]string) resp {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	require.NoError(t, err)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", e.srv.URL)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := noRedirect.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return resp{res.StatusCode, string(b), res.Header}
}

// capture POSTs a capture call (/api/{op}) as the page's script does, with the session's CSRF
// token, and returns the status and the decoded answer.
func (e *env) capture(t *testing.T, base, csrf, op, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+base+"/api/"+op, strings.NewReader(body))
	req.Header.Set("X-Kycd-CSRF", csrf)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	return res.StatusCode, out
}

func pathOf(t *testing.T, hosted string) string {
	t.Helper()
	u, err := url.Parse(hosted)
	require.NoError(t, err)
	return u.Path
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	require.NotNil(t, m, "no CSRF field in the page")
	return m[1]
}

func (e *env) waitFinal(t *testing.T, base string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := e.do(t, "GET", base+"/status", nil, nil)
		require.Equal(t, http.StatusOK, r.code, r.body)
		var st map[string]any
		require.NoError(t, json.Unmarshal([]byte(r.body), &st))
		if st["final"] == true {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("status stayed %v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestScreeningOnlyFlowEndToEnd(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s, flow.Options{})
		v := e.create(t, map[string]any{"checks": []string{"screening"}, "redirect_url": "https://shop.example/kyc/done?cart=7",
			"applicant": map[string]any{"name": "Erika Mustermann", "dob": "1964-08-12", "country": "DE"}})
		base := pathOf(t, v.HostedURL)

		intro := e.do(t, "GET", base, nil, nil)
		require.Equal(t, http.StatusOK, intro.code, intro.body)
		csp := intro.hdr.Get("Content-Security-Policy")
		require.Contains(t, csp, "script-src 'nonce-")
		require.Contains(t, csp, "frame-ancestors 'self'")
		require.NotContains(t, csp, "unsafe-inline")
		nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(csp)[1]
		require.Contains(t, intro.body, `nonce="`+nonce+`"`, "the script tag carries this response's nonce")
		require.Equal(t, "no-referrer", intro.hdr.Get("Referrer-Policy"))
		require.Contains(t, intro.body, "Let&#39;s verify your identity")
		require.Contains(t, intro.body, `id="qr" src="data:image/png;base64,`)
		require.NotContains(t, intro.body, "Erika", "the intro shows no applicant data")
		csrf := csrfOf(t, intro.body)

		// Consent is required.
		r := e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}}, nil)
		require.Equal(t, http.StatusUnprocessableEntity, r.code)
		require.Contains(t, r.body, `role="alert"`)
		r = e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}, "consent": {"yes"}}, nil)
		require.Equal(t, http.StatusSeeOther, r.code)
		require.Equal(t, base+"/step/confirm", r.hdr.Get("Location"), "screening only: straight to the data confirmation")
		evs := e.Events(t, e.Test, v.ID)
		last := evs[len(evs)-1]
		require.Equal(t, "verification.consent_given", last.Type, "the consent is in the timeline")
		require.Equal(t, "hosted_flow", last.Data["via"])
		require.Equal(t, "en", last.Data["locale"])

		confirm := e.do(t, "GET", base+"/step/confirm", nil, nil)
		require.Equal(t, http.StatusOK, confirm.code)
		require.Contains(t, confirm.body, "Erika Mustermann")
		require.Contains(t, confirm.body, "August 12, 1964", "the date as the page's language writes it")
		require.Contains(t, confirm.body, "<dd>Germany</dd>", "the country by its name")
		require.Contains(t, confirm.body, `aria-current="step"`)
		require.Contains(t, confirm.body, "Step 2 of 2")

		r = e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrf}}, nil)
		require.Equal(t, http.StatusSeeOther, r.code, r.body)
		require.Equal(t, base+"/result", r.hdr.Get("Location"))

		st := e.waitFinal(t, base)
		require.Equal(t, "approved", st["status"])
		require.Equal(t, v.Reference, st["reference"])
		red, err := url.Parse(st["redirect"].(string))
		require.NoError(t, err)
		require.Equal(t, "shop.example", red.Host)
		require.Equal(t, url.Values{"cart": {"7"}, "session_id": {v.ID}, "reference": {v.Reference}, "result": {"approved"}}, red.Query())

		res := e.do(t, "GET", base+"/result", nil, nil)
		require.Equal(t, http.StatusOK, res.code)
		require.Contains(t, res.body, "You&#39;re verified")
		require.Contains(t, res.body, `data-final="true"`)
		// The link now shows the result rather than the intro, and steps cannot be redone.
		require.Contains(t, e.do(t, "GET", base, nil, nil).body, "You&#39;re verified")
		require.Equal(t, http.StatusSeeOther, e.do(t, "GET", base+"/step/confirm", nil, nil).code)
		again := e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrf}}, nil)
		require.Equal(t, http.StatusSeeOther, again.code)
		require.Equal(t, base+"/result", again.hdr.Get("Location"))
	})
}

func TestMissingApplicantDataIsExplained(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := e.create(t, map[string]any{"checks": []string{"screening"}})
	base := pathOf(t, v.HostedURL)
	confirm := e.do(t, "GET", base+"/step/confirm", nil, nil)
	require.Contains(t, confirm.body, "No personal details were given for you.")
	// Opened by its URL, before consent: submitting sends the applicant back to the intro (#18).
	r := e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrfOf(t, confirm.body)}}, nil)
	require.Equal(t, http.StatusSeeOther, r.code)
	require.Equal(t, base, r.hdr.Get("Location"))
	intro := e.do(t, "GET", base, nil, nil)
	e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
	r = e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrfOf(t, confirm.body)}}, nil)
	require.Equal(t, http.StatusConflict, r.code)
	require.Contains(t, r.body, "details the checks need are missing")
	require.NotContains(t, r.body, "applicant.name", "the tool's developer message is not shown to the applicant")
}

func TestPostsAreCSRFSafe(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Erika Mustermann"}})
	base := pathOf(t, v.HostedURL)
	csrf := csrfOf(t, e.do(t, "GET", base, nil, nil).body)
	other := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Erika Mustermann"}})
	otherCSRF := csrfOf(t, e.do(t, "GET", pathOf(t, other.HostedURL), nil, nil).body)

	for name, c := range map[string]struct {
		form url.Values
		hdr  map[string]string
	}{
		"no token":                  {url.Values{}, nil},
		"another session's":         {url.Values{"csrf": {otherCSRF}}, nil},
		"cross-site origin":         {url.Values{"csrf": {csrf}}, map[string]string{"Origin": "https://evil.example"}},
		"cross-site fetch metadata": {url.Values{"csrf": {csrf}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
	} {
		r := e.do(t, "POST", base+"/submit", c.form, c.hdr)
		require.Equal(t, http.StatusForbidden, r.code, name)
	}
	var got tools.Verification
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	require.Equal(t, "pending", got.Status, "no forged POST submitted it")

	// The capture API takes the token in a header.
	r := e.do(t, "POST", base+"/api/selfie", nil, map[string]string{"Content-Type": "application/json"})
	require.Equal(t, http.StatusForbidden, r.code)
}

func TestInvalidLinksAndLanguages(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	for _, c := range []struct{ path, accept, want string }{
		{"/verify/vst_" + strings.Repeat("x", 40), "", "This link is not valid"},
		{"/verify/nonsense", "de-DE,de;q=0.9,en;q=0.5", "Dieser Link ist ungültig"},
		{"/verify/h/vho_AAAA", "pt-BR", "Este link não é válido"},
		{"/verify/h/vho_AAAA", "pt-PT,pt;q=0.9", "Esta ligação não é válida"},
		{"/verify/h/vho_AAAA", "pt-AO", "Esta ligação não é válida"},
	} {
		r := e.do(t, "GET", c.path, nil, map[string]string{"Accept-Language": c.accept})
		require.Equal(t, http.StatusNotFound, r.code, c.path)
		require.Contains(t, r.body, c.want, c.path)
	}

	pt := e.create(t, map[string]any{"checks": []string{"screening"}, "locale": "pt-BR", "applicant": map[string]any{"name": "Ana Silva"}})
	r := e.do(t, "GET", pathOf(t, pt.HostedURL), nil, map[string]string{"Accept-Language": "de"})
	require.Contains(t, r.body, `<html lang="pt-BR">`, "the verification's locale wins over the browser")
	require.Contains(t, r.body, "Vamos verificar sua identidade", "Brazilian Portuguese for pt-BR")
	eu := e.create(t, map[string]any{"checks": []string{"screening"}, "locale": "pt", "applicant": map[string]any{"name": "Ana Silva"}})
	r = e.do(t, "GET", pathOf(t, eu.HostedURL), nil, nil)
	require.Contains(t, r.body, `<html lang="pt">`)
	require.Contains(t, r.body, "Vamos verificar a sua identidade", "European Portuguese for pt")

	any := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}})
	r = e.do(t, "GET", pathOf(t, any.HostedURL), nil, map[string]string{"Accept-Language": "fr;q=1, de;q=0.8, en;q=0.7"})
	require.Contains(t, r.body, `<html lang="de">`)
	r = e.do(t, "GET", pathOf(t, any.HostedURL), nil, map[string]string{"Accept-Language": "fr"})
	require.Contains(t, r.body, `<html lang="en">`)
}

// Every page in every language renders without a missing message.
func TestEveryPageEveryLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	for _, lang := range []string{"en", "pt", "pt-BR", "de"} {
		v := e.create(t, map[string]any{"checks": []string{"screening", "face_match"}, "locale": lang, "applicant": map[string]any{"name": "Ana Silva"}})
		base := pathOf(t, v.HostedURL)
		pages := []string{base, base + "/step/selfie", base + "/step/confirm", "/verify/vst_" + strings.Repeat("z", 40)}
		for _, p := range pages {
			r := e.do(t, "GET", p, nil, map[string]string{"Accept-Language": lang})
			require.NotContains(t, r.body, "⟦missing:", "%s %s", lang, p)
			require.Contains(t, r.body, `<html lang="`+lang+`">`, p)
		}
		require.Nil(t, e.Call(t, e.Test, "cancel_verification", map[string]any{"id": v.ID}, nil))
		r := e.do(t, "GET", base+"/result", nil, nil)
		require.NotContains(t, r.body, "⟦missing:", lang)
	}
}

func TestCaptureStepsFollowTheRegistry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := e.create(t, map[string]any{"checks": []string{"screening", "face_match"}, "applicant": map[string]any{"name": "Ana Silva"}})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	require.Contains(t, intro.body, "A selfie, to compare your face")
	require.NotContains(t, intro.body, "identity document", "no document step: this verification has no document check")
	r := e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
	require.Equal(t, base+"/step/selfie", r.hdr.Get("Location"))
	sel := e.do(t, "GET", base+"/step/selfie", nil, nil)
	require.Equal(t, http.StatusOK, sel.code)
	require.Contains(t, sel.body, `data-next="`+base+`/step/confirm"`)
	require.Contains(t, sel.body, `capture="user"`)
	require.Equal(t, http.StatusNotFound, e.do(t, "GET", base+"/step/document", nil, nil).code)

	// Without the face engine (this build), the selfie tool answers unavailable; the page is
	// told so in words it can show, never the tool's developer message.
	code, out := e.capture(t, base, csrfOf(t, intro.body), "selfie", `{"image":"data:image/jpeg;base64,/9j/4AAQ"}`)
	require.Equal(t, http.StatusServiceUnavailable, code)
	require.Equal(t, false, out["ok"])
	require.Equal(t, "The service is busy. Please try again in a moment.", out["message"])
	require.NotContains(t, out["message"], "onnx")
}

// A capture body over the upload limit is 413 with a message for the applicant, not 400
// "unreadable" (#17 §5).
func TestCaptureOverTheUploadLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{UploadLimit: 1 << 10})
	v := e.create(t, map[string]any{"checks": []string{"screening", "face_match"}, "applicant": map[string]any{"name": "Ana Silva"}})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
	code, out := e.capture(t, base, csrfOf(t, intro.body), "selfie", `{"image":"data:image/jpeg;base64,`+strings.Repeat("A", 4<<10)+`"}`)
	require.Equal(t, http.StatusRequestEntityTooLarge, code)
	require.Equal(t, "too_large", out["reason"])
	require.Contains(t, out["message"], "too large")
}

func TestHandoffContinuesTheSameSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	m := regexp.MustCompile(`id="handoff-url" type="text" readonly value="([^"]+)"`).FindStringSubmatch(intro.body)
	require.NotNil(t, m)
	link := pathOf(t, m[1])
	require.True(t, strings.HasPrefix(link, "/verify/h/vho_"))

	// Opening the link (a GET, as a chat app's link preview or a mail scanner also does) shows a
	// page whose button redeems it; any number of GETs leave it usable.
	for range 3 {
		open := e.do(t, "GET", link, nil, map[string]string{"Accept-Language": "de"})
		require.Equal(t, http.StatusOK, open.code)
		require.Contains(t, open.body, "Verifizierung fortsetzen")
		require.Contains(t, open.body, `<form method="post" action="`+link+`">`)
		require.NotContains(t, open.body, base, "the page does not carry the session link")
		require.Equal(t, "no-store", open.hdr.Get("Cache-Control"))
		require.Equal(t, "no-referrer", open.hdr.Get("Referrer-Policy"))
	}
	r := e.do(t, "POST", link, nil, nil)
	require.Equal(t, http.StatusSeeOther, r.code)
	require.Equal(t, base, r.hdr.Get("Location"), "the phone continues the same verification")

	tampered := link[:len(link)-3] + "AAA"
	require.Equal(t, http.StatusNotFound, e.do(t, "GET", tampered, nil, nil).code)

	// The page on the phone speaks the verification's language, whatever the phone prefers.
	br := e.create(t, map[string]any{"checks": []string{"screening"}, "locale": "pt-BR", "applicant": map[string]any{"name": "Ana Silva"}})
	brBase := pathOf(t, br.HostedURL)
	brIntro := e.do(t, "GET", brBase, nil, nil)
	m = regexp.MustCompile(`id="handoff-url" type="text" readonly value="([^"]+)"`).FindStringSubmatch(brIntro.body)
	require.NotNil(t, m)
	open := e.do(t, "GET", pathOf(t, m[1]), nil, map[string]string{"Accept-Language": "de"})
	require.Equal(t, http.StatusOK, open.code)
	require.Contains(t, open.body, `<html lang="pt-BR">`)
	require.Contains(t, open.body, "Continue sua verificação")
	require.Equal(t, http.StatusNotFound, e.do(t, "POST", tampered, nil, nil).code)
	require.Equal(t, http.StatusMethodNotAllowed, e.do(t, "PUT", link, nil, nil).code)

	// Single-use: a second open or redeem (another phone, a forwarded link) gets the invalid-link page.
	for _, method := range []string{"GET", "POST"} {
		again := e.do(t, method, link, nil, map[string]string{"Accept-Language": "en"})
		require.Equal(t, http.StatusNotFound, again.code, method)
		require.Contains(t, again.body, "This link is not valid")
		require.NotContains(t, again.body, base, "the refused page does not leak the session link")
	}

	// A fresh code on request (the page refreshes it before it expires).
	fresh := e.do(t, "POST", base+"/handoff", nil, map[string]string{"X-Kycd-CSRF": csrfOf(t, intro.body), "Origin": e.srv.URL})
	require.Equal(t, http.StatusOK, fresh.code, fresh.body)
	require.Contains(t, fresh.body, `"qr":"data:image/png;base64,`)

	var f struct{ URL string }
	require.NoError(t, json.Unmarshal([]byte(fresh.body), &f))
	e.skew.Store(int64(tools.HandoffTTL + time.Minute))
	require.Equal(t, http.StatusNotFound, e.do(t, "GET", pathOf(t, f.URL), nil, nil).code, "an expired hand-off code is refused")
	require.Equal(t, http.StatusNotFound, e.do(t, "POST", pathOf(t, f.URL), nil, nil).code, "an expired hand-off code is refused")
}

func TestHandoffRedeemedOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	fresh := e.do(t, "POST", base+"/handoff", nil, map[string]string{"X-Kycd-CSRF": csrfOf(t, intro.body), "Origin": e.srv.URL})
	require.Equal(t, http.StatusOK, fresh.code, fresh.body)
	var f struct{ URL string }
	require.NoError(t, json.Unmarshal([]byte(fresh.body), &f))
	link := pathOf(t, f.URL)

	codes := make(chan int, 6)
	var wg sync.WaitGroup
	for range cap(codes) {
		wg.Go(func() { codes <- e.do(t, "POST", link, nil, nil).code })
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	require.Equal(t, map[int]int{http.StatusSeeOther: 1, http.StatusNotFound: cap(codes) - 1}, got)
}

func TestExpiredAndCancelledMidFlow(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := e.create(t, map[string]any{"checks": []string{"screening"}, "expires_in": 600, "redirect_url": "https://shop.example/done",
		"applicant": map[string]any{"name": "Ana Silva"}})
	base := pathOf(t, v.HostedURL)
	confirm := e.do(t, "GET", base+"/step/confirm", nil, nil)
	require.Equal(t, http.StatusOK, confirm.code)

	e.skew.Store(int64(11 * time.Minute))
	r := e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrfOf(t, confirm.body)}}, nil)
	require.Equal(t, http.StatusSeeOther, r.code)
	require.Equal(t, base+"/result", r.hdr.Get("Location"))
	res := e.do(t, "GET", base+"/result", nil, nil)
	require.Contains(t, res.body, "This link has expired")
	require.Contains(t, res.body, "result=expired")
	st := e.do(t, "GET", base+"/status", nil, nil)
	require.Contains(t, st.body, `"status":"expired"`)
	// Past the grace period the link no longer opens at all.
	e.skew.Store(int64(11*time.Minute + tools.SessionGrace))
	require.Equal(t, http.StatusNotFound, e.do(t, "GET", base, nil, nil).code)
	e.skew.Store(0)

	c := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}})
	cbase := pathOf(t, c.HostedURL)
	intro := e.do(t, "GET", cbase, nil, nil)
	require.Nil(t, e.Call(t, e.Test, "cancel_verification", map[string]any{"id": c.ID}, nil))
	r = e.do(t, "POST", cbase+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
	require.Equal(t, cbase+"/result", r.hdr.Get("Location"))
	require.Contains(t, e.do(t, "GET", cbase, nil, nil).body, "This verification was cancelled")
}

func TestPostsAreRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{PostsPerMinute: 10})
	v := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}})
	base := pathOf(t, v.HostedURL)
	csrf := csrfOf(t, e.do(t, "GET", base, nil, nil).body)
	codes := map[int]int{}
	for range 12 {
		codes[e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}}, nil).code]++
	}
	require.Equal(t, 5, codes[http.StatusUnprocessableEntity], "the burst (half the minute's budget) is served: %v", codes)
	require.Equal(t, 7, codes[http.StatusTooManyRequests], "%v", codes)
}

func TestSDKAndStaticAssets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{FrameAncestors: []string{"https://shop.example", "http://127.0.0.1:9"}})
	sdk := e.do(t, "GET", flow.SDKPath, nil, nil)
	require.Equal(t, http.StatusOK, sdk.code)
	require.Contains(t, sdk.hdr.Get("Content-Type"), "javascript")
	require.Contains(t, sdk.body, "e.origin !== flowOrigin")
	for _, f := range []string{"flow.js", "flow.css"} {
		r := e.do(t, "GET", "/verify/static/"+f, nil, nil)
		require.Equal(t, http.StatusOK, r.code, f)
	}
	require.Equal(t, http.StatusNotFound, e.do(t, "GET", "/verify/static/nope.js", nil, nil).code)

	v := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}})
	intro := e.do(t, "GET", pathOf(t, v.HostedURL), nil, nil)
	require.Contains(t, intro.hdr.Get("Content-Security-Policy"), "frame-ancestors 'self' https://shop.example http://127.0.0.1:9")
	require.Contains(t, intro.body, `data-embed="https://shop.example http://127.0.0.1:9"`)
}

func TestNewRefusesBadFrameAncestors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	for _, bad := range []string{"shop.example", "https://shop.example/path", "ftp://x", "https://*.example", "https://a.example; script-src *"} {
		_, err := flow.New(e.Reg, flow.Options{FrameAncestors: []string{bad}})
		require.Error(t, err, bad)
		require.Contains(t, err.Error(), "frame ancestor", bad)
	}
}

// The page budget: the intro (the heaviest page: it carries the QR code) with its style sheet
// and script must stay light for a cheap phone on a slow connection.
func TestPageWeight(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}})
	total, gz := 0, 0
	for _, p := range []string{pathOf(t, v.HostedURL), "/verify/static/flow.css", "/verify/static/flow.js"} {
		r := e.do(t, "GET", p, nil, nil)
		require.Equal(t, http.StatusOK, r.code)
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write([]byte(r.body))
		require.NoError(t, zw.Close())
		t.Logf("%-40.40s %6d bytes, %6d gzipped", p, len(r.body), buf.Len())
		total += len(r.body)
		gz += buf.Len()
	}
	t.Logf("intro page total: %d bytes uncompressed, %d gzipped", total, gz)
	require.Less(t, total, 40<<10, "the intro page with its assets is over the 40 KiB budget")
}

// The document step: a passport photo is read by the document engine through submit_document
// and the applicant moves on; a photo without a readable MRZ is answered with the reason in
// the applicant's language.
func TestDocumentStep(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := e.create(t, map[string]any{"checks": []string{"document"}, "document_type": "passport"})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	require.Contains(t, intro.body, "identity document")
	r := e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
	require.Equal(t, base+"/step/document", r.hdr.Get("Location"))
	page := e.do(t, "GET", base+"/step/document", nil, nil)
	require.Equal(t, http.StatusOK, page.code)
	require.Contains(t, page.body, `data-sides="front"`, "a passport has one side to photograph")

	post := func(image string) (int, map[string]any) {
		body, _ := json.Marshal(map[string]string{"image": image, "side": "front"})
		return e.capture(t, base, csrfOf(t, intro.body), "document", string(body))
	}
	code, out := post(blankDocument(t))
	require.Equal(t, http.StatusOK, code)
	require.NotEqual(t, true, out["ok"])
	require.Equal(t, "mrz_unreadable", out["reason"])
	require.Equal(t, "We could not read a document in the picture — lay it flat so it fills the frame, and avoid glare.", out["message"], "what was seen, never \"MRZ\"")

	doc, err := synth.Render(synth.Identity{Kind: synth.TD3, DocumentCode: "P", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
		DocumentNumber: "L898902C3", Nationality: "UTO", DateOfBirth: "1974-08-12", Sex: "F", ExpiryDate: "2034-04-15"},
		synth.Options{JPEGQuality: 90}, rand.New(rand.NewPCG(3, 1)))
	require.NoError(t, err)
	code, out = post("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(doc.Front))
	require.Equal(t, http.StatusOK, code, "%v", out)
	require.Equal(t, true, out["ok"], "%v", out)
	require.Equal(t, base+"/step/confirm", out["next"])
	var got tools.Verification
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	require.Equal(t, "in_progress", got.Status)
}

// blankDocument is a photo with no MRZ on it.
func blankDocument(t *testing.T) string {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 800, 560))
	for i := range img.Pix {
		img.Pix[i] = 220
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
}

// success_url, failure_url and review_url win over redirect_url for their outcome; a bad one
// is refused at creation naming the field.
func TestPerOutcomeRedirects(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	urls := map[string]any{"redirect_url": "https://shop.example/done", "success_url": "https://shop.example/welcome",
		"failure_url": "https://shop.example/sorry", "review_url": "https://shop.example/wait"}
	args := func() map[string]any {
		a := map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}}
		for k, v := range urls {
			a[k] = v
		}
		return a
	}
	ok := e.create(t, args())
	require.Equal(t, "https://shop.example/welcome", *ok.SuccessURL)
	require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": ok.ID}, nil))
	st := e.waitFinal(t, pathOf(t, ok.HostedURL))
	require.Equal(t, "approved", st["status"])
	require.True(t, strings.HasPrefix(st["redirect"].(string), "https://shop.example/welcome?"), st["redirect"])

	gone := e.create(t, args())
	require.Nil(t, e.Call(t, e.Test, "cancel_verification", map[string]any{"id": gone.ID}, nil))
	r := e.do(t, "GET", pathOf(t, gone.HostedURL)+"/status", nil, nil)
	require.Contains(t, r.body, `"redirect":"https://shop.example/sorry?`)
	require.Contains(t, r.body, "result=cancelled")

	bad := args()
	bad["review_url"] = "ftp://shop.example/wait"
	var v tools.Verification
	te := e.Call(t, e.Test, "create_verification", bad, &v)
	require.NotNil(t, te)
	require.Equal(t, "review_url", te.Field)
}

// A key's own embedding allow-list joins the server's for its verifications only: the CSP and
// the origins the page will post its completion message to.
func TestPerKeyEmbedOrigins(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{FrameAncestors: []string{"https://server.example"}})
	sc, err := tools.ParseScopes("")
	require.NoError(t, err)
	secret, _, err := e.Store.CreateAPIKey(t.Context(), db.NewKey{AccountID: "acct_a", Name: "shop", Mode: models.ModeTest, Scopes: sc,
		EmbedOrigins: []string{"https://Shop.Example:8443"}})
	require.NoError(t, err)
	shop, err := tools.Authenticate(t.Context(), e.Reg.Deps(), secret)
	require.NoError(t, err)
	args := map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}}
	var mine tools.Verification
	require.Nil(t, e.Call(t, shop, "create_verification", args, &mine))
	other := e.create(t, args)

	r := e.do(t, "GET", pathOf(t, mine.HostedURL), nil, nil)
	require.Contains(t, r.hdr.Get("Content-Security-Policy"), "frame-ancestors 'self' https://server.example https://shop.example:8443")
	require.Contains(t, r.body, `data-embed="https://server.example https://shop.example:8443"`)
	r = e.do(t, "GET", pathOf(t, other.HostedURL), nil, nil)
	require.True(t, strings.HasSuffix(r.hdr.Get("Content-Security-Policy"), "frame-ancestors 'self' https://server.example"), r.hdr.Get("Content-Security-Policy"))
	require.NotContains(t, r.body, "shop.example")

	_, _, err = e.Store.CreateAPIKey(t.Context(), db.NewKey{AccountID: "acct_a", Name: "bad", Mode: models.ModeTest, Scopes: sc,
		EmbedOrigins: []string{"https://*.example.com"}})
	require.ErrorContains(t, err, "embed origins")
}

func TestEventsStreamStatusChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{PollInterval: 50 * time.Millisecond})
	v := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva", "dob": "1990-01-02"},
		"redirect_url": "https://shop.example/done"})
	base := pathOf(t, v.HostedURL)

	res, err := http.Get(e.srv.URL + base + "/events")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	require.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))

	var raw strings.Builder
	sc := bufio.NewScanner(io.TeeReader(res.Body, &raw))
	next := func() map[string]any {
		t.Helper()
		var event, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				data = strings.TrimPrefix(line, "data: ")
			case line == "" && event != "":
				require.Equal(t, "status", event)
				var st map[string]any
				require.NoError(t, json.Unmarshal([]byte(data), &st))
				return st
			}
		}
		t.Fatalf("stream ended: %v", sc.Err())
		return nil
	}
	first := next()
	require.Equal(t, "pending", first["status"])
	require.Equal(t, false, first["final"])
	require.Equal(t, v.Reference, first["reference"])

	// A change reaches the stream by itself; after a final status the server ends it.
	require.Nil(t, e.Call(t, e.Test, "cancel_verification", map[string]any{"id": v.ID}, nil))
	last := next()
	require.Equal(t, "cancelled", last["status"])
	require.Equal(t, true, last["final"])
	require.Contains(t, last["redirect"], "https://shop.example/done?")
	for sc.Scan() {
	}
	require.NoError(t, sc.Err(), "the stream ends cleanly")
	require.True(t, strings.HasPrefix(raw.String(), "retry: 50\n\n"), raw.String())
	for _, pii := range []string{"Ana", "Silva", "1990"} {
		require.NotContains(t, raw.String(), pii, "no applicant data in the stream")
	}

	// Only the session's own link opens a stream.
	bad, err := http.Get(e.srv.URL + "/verify/vst_" + strings.Repeat("A", 30) + "/events")
	require.NoError(t, err)
	bad.Body.Close()
	require.Equal(t, http.StatusNotFound, bad.StatusCode)
}

// The chip step (#24): a verification asking for the nfc check shows the applicant what their
// app does and the one-time code (a challenge bound to the verification), waits, and moves on
// once a chip read is attached — here a real German passport's SOD sent by the integrator's
// app through verify_nfc. Before consent it sends the applicant back to the intro.
func TestNFCStep(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	n, err := verify.NewNFC(s, verify.NFCConfig{}, nil)
	require.NoError(t, err)
	e := newEnv(t, s, flow.Options{}, engine{models.CheckNFC, n.Runner(), func(d *tools.Deps) { d.NFC = n }})

	v := e.create(t, map[string]any{"checks": []string{"nfc"}})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	require.Contains(t, intro.body, "passport&#39;s chip")
	before := e.do(t, "GET", base+"/step/nfc", nil, nil)
	require.Equal(t, http.StatusSeeOther, before.code, "no challenge before consent")
	require.Equal(t, base, before.hdr.Get("Location"))
	r := e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
	require.Equal(t, base+"/step/nfc", r.hdr.Get("Location"))

	page := e.do(t, "GET", base+"/step/nfc", nil, nil)
	require.Equal(t, http.StatusOK, page.code)
	code := regexp.MustCompile(`nch_[0-9a-z]+`).FindString(page.body)
	require.NotEmpty(t, code, "the one-time code is shown")
	require.Contains(t, page.body, `data-status="`+base+`/nfc-status"`)
	status := func() map[string]any {
		res := e.do(t, "GET", base+"/nfc-status", nil, nil)
		require.Equal(t, http.StatusOK, res.code, res.body)
		var out map[string]any
		require.NoError(t, json.Unmarshal([]byte(res.body), &out))
		return out
	}
	require.Equal(t, false, status()["ok"], "waiting: nothing read yet")

	sod, err := os.ReadFile(testfiles.Path(t, "epassport", "gmrtd_real_sod", "DE", "EF.SOD.bin"))
	require.NoError(t, err)
	var scan tools.NFCScan
	require.Nil(t, e.Call(t, e.Test, "verify_nfc", map[string]any{"verification_id": v.ID, "sod": base64.StdEncoding.EncodeToString(sod), "data_groups": map[string]any{"1": base64.StdEncoding.EncodeToString([]byte("not the real DG1"))}}, &scan))
	st := status()
	require.Equal(t, true, st["ok"])
	require.Equal(t, base+"/step/confirm", st["next"])
	// The session reaches only its own verification's reads.
	other := e.create(t, map[string]any{"checks": []string{"nfc"}})
	sess, err := tools.AuthenticateSession(t.Context(), e.Reg.Deps(), strings.TrimPrefix(pathOf(t, v.HostedURL), flow.Prefix))
	require.NoError(t, err)
	te := e.Call(t, sess, "list_nfc_scans", map[string]any{"verification_id": other.ID}, nil)
	require.NotNil(t, te)
	require.Equal(t, tools.CodeNotFound, te.Code)
}

// Pages, static files and the SDK go gzip-compressed to browsers that accept it, and every
// page names a favicon that is served.
func TestFlowCompressionAndFavicon(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	srv := e.srv
	v := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Jane Roe"}})
	get := func(path, enc string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Accept-Encoding", enc)
		resp, err := srv.Client().Transport.RoundTrip(req) // no transparent decompression
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	for _, path := range []string{"/verify/static/flow.js", "/verify/static/flow.css", "/sdk/kycd.js"} {
		plain, pb := get(path, "")
		require.Equal(t, 200, plain.StatusCode, path)
		require.Empty(t, plain.Header.Get("Content-Encoding"), path)
		gz, gb := get(path, "br, gzip;q=0.8")
		require.Equal(t, "gzip", gz.Header.Get("Content-Encoding"), path)
		require.Contains(t, gz.Header.Values("Vary"), "Accept-Encoding", path)
		zr, err := gzip.NewReader(bytes.NewReader(gb))
		require.NoError(t, err)
		unz, err := io.ReadAll(zr)
		require.NoError(t, err)
		require.Equal(t, pb, unz, path)
		require.Less(t, len(gb), len(pb), path)
		refused, _ := get(path, "gzip;q=0")
		require.Empty(t, refused.Header.Get("Content-Encoding"), path)
	}
	page, body := get(pathOf(t, v.HostedURL), "gzip")
	require.Equal(t, "gzip", page.Header.Get("Content-Encoding"))
	zr, err := gzip.NewReader(bytes.NewReader(body))
	require.NoError(t, err)
	html, _ := io.ReadAll(zr)
	require.Contains(t, string(html), `rel="icon" href="/verify/static/favicon.svg"`)
	icon, _ := get("/verify/static/favicon.svg", "")
	require.Equal(t, 200, icon.StatusCode)
	require.Equal(t, "image/svg+xml", icon.Header.Get("Content-Type"))
}

// The intro, the recorded consent and the confirmation say the details are screened only when
// screening was asked for; the consent's hash covers the items the sentence refers to.
func TestConsentStatementFollowsTheChecks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	hashes := map[bool]string{}
	for _, screened := range []bool{true, false} {
		checks := []string{"document"}
		if screened {
			checks = append(checks, "screening")
		}
		v := e.create(t, map[string]any{"checks": checks, "applicant": map[string]any{"name": "Jane Roe"}})
		base := pathOf(t, v.HostedURL)
		intro := e.do(t, "GET", base, nil, nil)
		require.Equal(t, screened, strings.Contains(intro.body, "sanctions"), "intro of %v", checks)
		r := e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
		require.Equal(t, http.StatusSeeOther, r.code, r.body)
		evs := e.Events(t, e.Test, v.ID)
		last := evs[len(evs)-1]
		require.Equal(t, "verification.consent_given", last.Type)
		want := "I agree that my data is processed for this verification as described above.\n- Photos of your identity document, to read and check it.\n- "
		if screened {
			want += "The personal details given for you (name, date of birth, country), to check them against official sanctions and watch lists."
		} else {
			want += "The personal details given for you (name, date of birth, country), to compare them with what is checked and keep them with the result."
		}
		want += "\nThe service that sent you this link must know who its customers are. We run the checks on its behalf and it receives the result." +
			"\nEverything is stored encrypted. Photos are deleted after the retention period your provider has set; the result is kept as long as the law requires your provider to keep it."
		sum := sha256.Sum256([]byte(want))
		require.Equal(t, hex.EncodeToString(sum[:]), last.Data["statement_sha256"], "the hash is of the statement shown, items included")
		hashes[screened] = last.Data["statement_sha256"].(string)
		confirm := e.do(t, "GET", base+"/step/confirm", nil, nil)
		require.Equal(t, screened, strings.Contains(confirm.body, "official lists"), "confirm of %v", checks)
	}
	require.NotEqual(t, hashes[true], hashes[false])
}

// The progress bar marks a step done only when its input is there: a step skipped by opening
// a later one's URL stays undone, and the submission sends the applicant back for it.
func TestProgressMarksOnlyCompletedSteps(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := e.create(t, map[string]any{"checks": []string{"document", "screening"}, "applicant": map[string]any{"name": "Jane Roe"}})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	csrf := csrfOf(t, intro.body)
	require.NotContains(t, intro.body, `class="done"`, "nothing is done before consent")
	r := e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}, "consent": {"yes"}}, nil)
	require.Equal(t, http.StatusSeeOther, r.code)
	confirm := e.do(t, "GET", base+"/step/confirm", nil, nil)
	require.Equal(t, http.StatusOK, confirm.code)
	done := regexp.MustCompile(`<li class="done">([^<]+)</li>`).FindAllStringSubmatch(confirm.body, -1)
	require.Len(t, done, 1, confirm.body)
	require.Equal(t, "Start", done[0][1], "consent is done; the document, skipped by URL, is not")
	sub := e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrf}}, nil)
	require.Equal(t, http.StatusSeeOther, sub.code, "the server refuses the skipped step")
	require.Equal(t, base+"/step/document", sub.hdr.Get("Location"), "and sends the applicant back to it")
	var got tools.Verification
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	require.NotEqual(t, "processing", got.Status, "nothing was submitted")
}

// A rejected applicant reads what the operator chose: the outcome only, what to do next, or
// also the reasons they can act on — never a screening hit or a fraud signal.
func TestRejectionReasonsShown(t *testing.T) {
	t.Parallel()
	failing := engine{check: models.CheckScreening, runner: tooltest.Check{Outcome: models.OutcomeFail, Reasons: []models.Reason{
		{Code: "document_expired", Message: "expired 2019-01-01"}, {Code: "sanctions_match", Message: "listed"}, {Code: "spoof_suspected", Message: "mask"}}}}
	for _, c := range []struct {
		mode          string
		text, expired bool
	}{{"none", false, false}, {"generic", true, false}, {"specific", true, true}} {
		e := newEnv(t, dbtest.SQLite(t), flow.Options{RejectionReasons: c.mode}, failing)
		v := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Jane Roe"}})
		base := pathOf(t, v.HostedURL)
		intro := e.do(t, "GET", base, nil, nil)
		csrf := csrfOf(t, intro.body)
		e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}, "consent": {"yes"}}, nil)
		e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrf}}, nil)
		require.Equal(t, "rejected", e.waitFinal(t, base)["status"])
		page := e.do(t, "GET", base+"/result", nil, nil)
		require.Contains(t, page.body, "We couldn&#39;t verify your identity", c.mode)
		require.Equal(t, c.text, strings.Contains(page.body, `id="result-text"`), c.mode)
		require.Equal(t, c.expired, strings.Contains(page.body, "The document has expired."), c.mode)
		for _, secret := range []string{"sanctions", "listed", "spoof", "mask"} {
			require.NotContains(t, strings.ToLower(page.body), secret, c.mode)
		}
	}
}

// A test-mode key's session shows a banner and offers sample passports at the document step,
// read by the real engine (the valid one moves on, the expired one is refused at capture); a
// live key's session shows neither and cannot call them (#27).
func TestTestModeSamples(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	for _, live := range []bool{false, true} {
		caller := e.Test
		if live {
			caller = e.Live
		}
		var v tools.Verification
		require.Nil(t, e.Call(t, caller, "create_verification", map[string]any{"checks": []string{"document"}, "document_type": "passport",
			"applicant": map[string]any{"name": "Erika Mustermann", "dob": "1964-08-12", "country": "DE"}}, &v))
		base := pathOf(t, v.HostedURL)
		intro := e.do(t, "GET", base, nil, nil)
		require.Equal(t, !live, strings.Contains(intro.body, `class="test-badge"`), "test-mode badge, live=%v", live)
		e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
		page := e.do(t, "GET", base+"/step/document", nil, nil)
		require.Equal(t, !live, strings.Contains(page.body, `data-op="sample-document"`), "sample buttons, live=%v", live)
		require.Equal(t, !live, strings.Contains(page.body, "Test mode: this verification was made with a test key"), "the explanation beside them")
		post := func(op string) (int, map[string]any) { return e.capture(t, base, csrfOf(t, intro.body), op, `{}`) }
		if live {
			code, _ := post("sample-document")
			require.Equal(t, http.StatusNotFound, code, "never for a live key")
			continue
		}
		code, out := post("sample-document-expired")
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, "document_expired", out["reason"], "%v", out)
		code, out = post("sample-document")
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, true, out["ok"], "%v", out)
		// The sample was read as the applicant's own passport: the document step is done.
		confirm := e.do(t, "GET", base+"/step/confirm", nil, nil)
		require.Regexp(t, `<li class="done">Document</li>`, confirm.body)
	}
}
