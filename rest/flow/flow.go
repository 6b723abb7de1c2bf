package flow

import (
	"bytes"
	"context"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/kycd/kycd/tools"
)

// Prefix is where the flow is mounted: hosted_url is PublicURL + Prefix + session token.
const Prefix = "/verify/"

// SDKPath serves the Web SDK.
const SDKPath = "/sdk/kycd.js"

// Tool names the flow calls. A step appears only when its tool is in the registry (checked at
// request time), so the flow grows as tools land without a change here.
const (
	toolGet       = "get_verification"
	toolSubmit    = "submit_verification"
	toolSelfie    = "submit_selfie"
	toolDocument  = "submit_document"
	toolConsent   = "record_consent"
	toolChallenge = "get_liveness_challenge"
	toolLiveness  = "submit_liveness"
)

// Step names, in flow order.
const (
	stepIntro    = "intro"
	stepDocument = "document"
	stepSelfie   = "selfie"
	stepLiveness = "liveness"
	stepConfirm  = "confirm"
	stepResult   = "result"
)

// DefaultUploadLimit caps a capture upload (a downscaled photo, or up to 30 liveness frames).
const DefaultUploadLimit = 12 << 20

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/*
var staticFiles embed.FS

//go:embed sdk/kycd.js
var sdkJS []byte

// Options configure the flow.
type Options struct {
	// FrameAncestors are the origins (https://shop.example.com) allowed to embed the flow in an
	// iframe, and so to receive its kycd:complete message. Empty: only this server may frame it.
	FrameAncestors []string
	// UploadLimit caps capture request bodies in bytes (0 = DefaultUploadLimit).
	UploadLimit int64
	// PostsPerMinute is each verification's budget of POSTs (0 = 30, with bursts of 15).
	PostsPerMinute int
	// PollInterval is how often pages re-read the status (0 = 2 s).
	PollInterval time.Duration
	// Logger receives failures; never tokens or applicant data (nil = slog.Default()).
	Logger *slog.Logger
}

// Handler serves the hosted flow under Prefix; SDK serves the Web SDK.
type Handler struct {
	reg          *tools.Registry
	opts         Options
	pages        map[string]*template.Template
	cats         map[string]*catalog
	embedOrigins []string
	publicOrigin string
	limit        *limiter
	log          *slog.Logger
	static       map[string][]byte
}

// New builds the flow over the registry. It refuses a malformed FrameAncestors entry.
func New(reg *tools.Registry, opts Options) (*Handler, error) {
	if reg == nil {
		return nil, errors.New("flow: nil registry")
	}
	origins, err := parseOrigins(opts.FrameAncestors)
	if err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	if opts.UploadLimit <= 0 {
		opts.UploadLimit = DefaultUploadLimit
	}
	if opts.PostsPerMinute <= 0 {
		opts.PostsPerMinute = 30
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 2 * time.Second
	}
	h := &Handler{reg: reg, opts: opts, embedOrigins: origins, limit: newLimiter(opts.PostsPerMinute, max(opts.PostsPerMinute/2, 5)),
		log: opts.Logger, static: map[string][]byte{}}
	if h.log == nil {
		h.log = slog.Default()
	}
	if d := reg.Deps(); d != nil && d.PublicURL != "" {
		if u, err := url.Parse(d.PublicURL); err == nil && u.Host != "" {
			h.publicOrigin = u.Scheme + "://" + u.Host
		}
	}
	if h.cats, err = loadCatalogs(); err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	if h.pages, err = parsePages(); err != nil {
		return nil, fmt.Errorf("flow: %w", err)
	}
	err = fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		h.static[path.Base(p)] = b
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("flow: static files: %w", err)
	}
	return h, nil
}

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"t":   func(c *catalog, key string, pairs ...any) string { return c.T(key, pairs...) },
		"add": func(a, b int) int { return a + b },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	out := map[string]*template.Template{}
	for _, name := range []string{"intro", "capture", "confirm", "result", "error", "handoff"} {
		c, err := layout.Clone()
		if err != nil {
			return nil, err
		}
		if out[name], err = c.ParseFS(templateFiles, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
	}
	return out, nil
}

// SDK serves /sdk/kycd.js. It is public and cacheable: it holds no secret.
func (h *Handler) SDK() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write(sdkJS)
	})
}

// ServeHTTP routes Prefix/…: static/{file}, h/{handoff}, and {token}[/action]. Routing is
// by hand because the token is the first segment and the mux cannot tell it from "static".
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, Prefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	segs := strings.Split(rest, "/")
	switch {
	case len(segs) == 2 && segs[0] == "static":
		h.serveStatic(w, r, segs[1])
		return
	case len(segs) == 2 && segs[0] == "h":
		h.redeem(w, r, segs[1])
		return
	}
	s, ok := h.session(w, r, segs[0])
	if !ok {
		return
	}
	action := strings.Join(segs[1:], "/")
	switch {
	case action == "" && isGet(r):
		h.home(w, r, s)
	case action == "consent" && r.Method == http.MethodPost:
		h.consent(w, r, s)
	case strings.HasPrefix(action, "step/") && isGet(r):
		h.step(w, r, s, strings.TrimPrefix(action, "step/"))
	case action == "submit" && r.Method == http.MethodPost:
		h.submit(w, r, s)
	case action == "result" && isGet(r):
		h.result(w, r, s)
	case action == "status" && isGet(r):
		h.status(w, r, s)
	case action == "events" && r.Method == http.MethodGet:
		h.events(w, r, s)
	case action == "handoff" && r.Method == http.MethodPost:
		h.handoff(w, r, s)
	case strings.HasPrefix(action, "api/") && r.Method == http.MethodPost:
		h.api(w, r, s, strings.TrimPrefix(action, "api/"))
	default:
		h.renderError(w, r, s.cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
	}
}

func isGet(r *http.Request) bool { return r.Method == http.MethodGet || r.Method == http.MethodHead }

// session is one request's applicant: the caller the registry knows, its verification as
// get_verification shows it, the language and the flow's steps for it.
type session struct {
	token  string
	caller tools.Caller
	v      tools.Verification
	cat    *catalog
	steps  []string
}

// base is the session's URL path prefix.
func (s *session) base() string { return Prefix + s.token }

// open reports whether the applicant may still act: pending or in progress, not past expiry.
func (s *session) open(now time.Time) bool {
	return (s.v.Status == "pending" || s.v.Status == "in_progress") && now.Before(s.v.ExpiresAt)
}

// shownStatus is the status the applicant sees: an open verification past its expiry is
// expired even before the periodic expiry job has moved it.
func (s *session) shownStatus(now time.Time) string {
	if (s.v.Status == "pending" || s.v.Status == "in_progress") && !now.Before(s.v.ExpiresAt) {
		return "expired"
	}
	return s.v.Status
}

func (h *Handler) now() time.Time {
	if d := h.reg.Deps(); d != nil && d.Store != nil {
		return d.Store.Now()
	}
	return time.Now().UTC()
}

// session authenticates the token and reads the verification, rendering the error page
// itself when it cannot.
func (h *Handler) session(w http.ResponseWriter, r *http.Request, token string) (*session, bool) {
	fallback := h.cats[chooseLang(h.cats, "", r.Header.Get("Accept-Language"))]
	c, err := tools.AuthenticateSession(r.Context(), h.reg.Deps(), token)
	if err != nil {
		h.failSession(w, r, fallback, err)
		return nil, false
	}
	out, err := h.reg.Call(r.Context(), c, toolGet, idArgs(c.VerificationID, nil))
	if err != nil {
		h.failSession(w, r, fallback, err)
		return nil, false
	}
	v, ok := out.(tools.Verification)
	if !ok {
		h.log.ErrorContext(r.Context(), "flow: get_verification returned an unexpected type", "type", fmt.Sprintf("%T", out))
		h.renderError(w, r, fallback, http.StatusInternalServerError, "error.title", "error.generic")
		return nil, false
	}
	locale := ""
	if v.Locale != nil {
		locale = *v.Locale
	}
	s := &session{token: token, caller: c, v: v, cat: h.cats[chooseLang(h.cats, locale, r.Header.Get("Accept-Language"))]}
	s.steps = h.stepsFor(v)
	return s, true
}

func (h *Handler) failSession(w http.ResponseWriter, r *http.Request, cat *catalog, err error) {
	te := tools.AsError(err)
	if te != nil && te.Code == tools.CodeUnauthenticated {
		h.renderError(w, r, cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
		return
	}
	if te == nil || te.Code == tools.CodeInternal {
		h.log.ErrorContext(r.Context(), "flow: open session", "err", err)
	}
	h.renderError(w, r, cat, http.StatusServiceUnavailable, "error.title", "error.unavailable")
}

// stepsFor lists the verification's steps: a capture step appears when one of its checks was
// asked for and its tool is registered.
func (h *Handler) stepsFor(v tools.Verification) []string {
	has := func(checks ...string) bool {
		for _, c := range checks {
			if slices.Contains(v.Checks, c) {
				return true
			}
		}
		return false
	}
	steps := []string{stepIntro}
	if has("document") && h.hasTool(toolDocument) {
		steps = append(steps, stepDocument)
	}
	if has("face_match", "liveness", "age") && h.hasTool(toolSelfie) {
		steps = append(steps, stepSelfie)
	}
	if has("liveness") && h.hasTool(toolChallenge) && h.hasTool(toolLiveness) {
		steps = append(steps, stepLiveness)
	}
	return append(steps, stepConfirm, stepResult)
}

func (h *Handler) hasTool(name string) bool { _, ok := h.reg.Tool(name); return ok }

// next is the step after cur.
func (s *session) next(cur string) string {
	i := slices.Index(s.steps, cur)
	if i < 0 || i+1 >= len(s.steps) {
		return stepResult
	}
	return s.steps[i+1]
}

// stepURL is where a step is shown.
func (s *session) stepURL(step string) string {
	switch step {
	case stepIntro:
		return s.base()
	case stepResult:
		return s.base() + "/result"
	}
	return s.base() + "/step/" + step
}

func idArgs(id string, more map[string]any) json.RawMessage {
	m := map[string]any{"id": id}
	for k, v := range more {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b
}

// home is the link the applicant got: the intro, or the result once there is nothing to do.
func (h *Handler) home(w http.ResponseWriter, r *http.Request, s *session) {
	if !s.open(h.now()) {
		h.result(w, r, s)
		return
	}
	h.renderIntro(w, r, s, http.StatusOK, "")
}

func (h *Handler) renderIntro(w http.ResponseWriter, r *http.Request, s *session, code int, errKey string) {
	p := h.newPage(r, s, stepIntro)
	p.Error = errKey
	for _, st := range s.steps {
		switch st {
		case stepDocument, stepSelfie, stepLiveness:
			p.Collect = append(p.Collect, "intro.collect."+st)
		case stepConfirm:
			p.Collect = append(p.Collect, "intro.collect.details")
		}
	}
	p.Expires = s.v.ExpiresAt.UTC().Format("2006-01-02 15:04")
	h.render(w, r, "intro", code, p)
}

// consent moves on from the intro when the box was ticked.
func (h *Handler) consent(w http.ResponseWriter, r *http.Request, s *session) {
	if !h.guardPost(w, r, s, r.PostFormValue("csrf")) {
		return
	}
	if !s.open(h.now()) {
		http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
		return
	}
	if r.PostFormValue("consent") != "yes" {
		h.renderIntro(w, r, s, http.StatusUnprocessableEntity, "intro.consent.required")
		return
	}
	// The consent goes into the verification's timeline: when, in which language, and the
	// hash of the very sentence shown.
	if h.hasTool(toolConsent) {
		args := idArgs(s.caller.VerificationID, map[string]any{"statement": s.cat.T("intro.consent"), "locale": s.cat.lang})
		if _, err := h.reg.Call(r.Context(), s.caller, toolConsent, args); err != nil {
			code, _ := h.apiError(r.Context(), s, err)
			h.renderError(w, r, s.cat, code, "error.title", "error.generic")
			return
		}
	}
	http.Redirect(w, r, s.stepURL(s.next(stepIntro)), http.StatusSeeOther)
}

// guardPost applies the CSRF, origin and rate checks every POST passes, answering itself
// when one fails.
func (h *Handler) guardPost(w http.ResponseWriter, r *http.Request, s *session, csrf string) bool {
	if !h.checkPost(r, s.token, csrf) {
		h.renderError(w, r, s.cat, http.StatusForbidden, "error.title", "error.csrf")
		return false
	}
	if !h.limit.allow(s.caller.VerificationID) {
		w.Header().Set("Retry-After", "30")
		h.renderError(w, r, s.cat, http.StatusTooManyRequests, "error.title", "error.rate_limited")
		return false
	}
	return true
}

// step shows a capture step or the data confirmation.
func (h *Handler) step(w http.ResponseWriter, r *http.Request, s *session, name string) {
	if !s.open(h.now()) {
		http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
		return
	}
	if !slices.Contains(s.steps, name) || name == stepIntro || name == stepResult {
		h.renderError(w, r, s.cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
		return
	}
	p := h.newPage(r, s, name)
	p.Next = s.stepURL(s.next(name))
	if name == stepConfirm {
		p.Applicant = s.v.Applicant
		h.render(w, r, "confirm", http.StatusOK, p)
		return
	}
	p.Capture = name
	if name == stepDocument {
		p.Sides = documentSides(s.v.DocumentType)
	}
	h.render(w, r, "capture", http.StatusOK, p)
}

// documentSides are the sides to photograph: a passport has only its data page.
func documentSides(docType *string) []string {
	if docType != nil && *docType == "passport" {
		return []string{"front"}
	}
	return []string{"front", "back"}
}

// submit finishes the flow through submit_verification.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request, s *session) {
	if !h.guardPost(w, r, s, r.PostFormValue("csrf")) {
		return
	}
	if !s.open(h.now()) {
		http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
		return
	}
	_, err := h.reg.Call(r.Context(), s.caller, toolSubmit, idArgs(s.caller.VerificationID, nil))
	if err != nil {
		te := tools.AsError(err)
		key, code := "error.generic", http.StatusInternalServerError
		switch {
		case te == nil:
		case te.Code == tools.CodeConflict && strings.Contains(te.Message, "missing"):
			key, code = "error.missing", http.StatusConflict
		case te.Code == tools.CodeConflict:
			// The verification moved meanwhile (expired, cancelled, submitted elsewhere): show where it is.
			http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
			return
		case te.Code == tools.CodeUnavailable:
			key, code = "error.unavailable", http.StatusServiceUnavailable
		}
		p := h.newPage(r, s, stepConfirm)
		p.Applicant, p.Error = s.v.Applicant, key
		h.render(w, r, "confirm", code, p)
		return
	}
	http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
}

// finalStatuses end a verification for the applicant.
var finalStatuses = []string{"approved", "needs_review", "rejected", "expired", "cancelled"}

// result shows where the verification stands; the page polls until it is final.
func (h *Handler) result(w http.ResponseWriter, r *http.Request, s *session) {
	p := h.newPage(r, s, stepResult)
	st := s.shownStatus(h.now())
	p.Status = st
	p.Final = slices.Contains(finalStatuses, st)
	if p.Final {
		p.Redirect = h.redirectURL(s, st)
	}
	if st == "pending" || st == "in_progress" {
		// Nothing submitted yet: the result page is not where this applicant should be.
		http.Redirect(w, r, s.base(), http.StatusSeeOther)
		return
	}
	h.render(w, r, "result", http.StatusOK, p)
}

// redirectURL is the integrator's URL for this outcome (success_url, failure_url or
// review_url, else redirect_url) with session_id, reference and result added, or "" without
// one. It carries no applicant data.
func (h *Handler) redirectURL(s *session, status string) string {
	target := s.v.RedirectURL
	var per *string
	switch status {
	case "approved":
		per = s.v.SuccessURL
	case "needs_review":
		per = s.v.ReviewURL
	case "rejected", "expired", "cancelled":
		per = s.v.FailureURL
	}
	if per != nil && *per != "" {
		target = per
	}
	if target == nil || *target == "" {
		return ""
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	q := u.Query()
	q.Set("session_id", s.v.ID)
	q.Set("reference", s.v.Reference)
	q.Set("result", status)
	u.RawQuery = q.Encode()
	return u.String()
}

// statusView is what the pages poll: no applicant data, no result details.
type statusView struct {
	Status    string `json:"status"`
	Reference string `json:"reference"`
	Final     bool   `json:"final"`
	Redirect  string `json:"redirect,omitempty"`
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request, s *session) {
	writeJSON(w, http.StatusOK, h.statusOf(s))
}

// statusOf is what /status and /events tell the page: no applicant data.
func (h *Handler) statusOf(s *session) statusView {
	st := s.shownStatus(h.now())
	out := statusView{Status: st, Reference: s.v.Reference, Final: slices.Contains(finalStatuses, st)}
	if out.Final {
		out.Redirect = h.redirectURL(s, st)
	}
	return out
}

// Server-Sent Events limits: a stream ends after eventsMaxAge (EventSource reconnects by
// itself, re-authenticating the session) and sends a comment every eventsKeepAlive so
// proxies do not close an idle connection.
const (
	eventsMaxAge    = 5 * time.Minute
	eventsKeepAlive = 15 * time.Second
)

// events streams the status as Server-Sent Events (`event: status`, the same JSON as /status)
// to the desktop page following a phone and to the result page awaiting the decision, so they
// move as soon as it changes. The server re-reads the verification through get_verification
// every PollInterval and sends only changes; the stream ends after a final status. The pages
// fall back to polling /status when EventSource is missing or the stream keeps failing (a
// proxy that buffers responses).
func (h *Handler) events(w http.ResponseWriter, r *http.Request, s *session) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprintf(w, "retry: %d\n\n", h.opts.PollInterval.Milliseconds()); err != nil || rc.Flush() != nil {
		return
	}
	ctx := r.Context()
	tick := time.NewTicker(h.opts.PollInterval)
	defer tick.Stop()
	end := time.NewTimer(eventsMaxAge)
	defer end.Stop()
	last, quiet := "", time.Now()
	for {
		st := h.statusOf(s)
		b, err := json.Marshal(st)
		if err != nil {
			return
		}
		if string(b) != last {
			if _, err := fmt.Fprintf(w, "event: status\ndata: %s\n\n", b); err != nil || rc.Flush() != nil {
				return
			}
			last, quiet = string(b), time.Now()
		} else if time.Since(quiet) >= eventsKeepAlive {
			if _, err := io.WriteString(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
			quiet = time.Now()
		}
		if st.Final {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-end.C:
			return
		case <-tick.C:
		}
		out, err := h.reg.Call(ctx, s.caller, toolGet, idArgs(s.caller.VerificationID, nil))
		if err != nil {
			if ctx.Err() == nil {
				h.log.WarnContext(ctx, "flow: events: re-read verification", "verification", s.caller.VerificationID, "err", err)
			}
			return // the page reconnects, or falls back to polling
		}
		v, ok := out.(tools.Verification)
		if !ok {
			return
		}
		s.v = v
	}
}

// handoff issues a fresh QR code for the desktop page (the one rendered with the intro
// expires after tools.HandoffTTL).
func (h *Handler) handoff(w http.ResponseWriter, r *http.Request, s *session) {
	if !h.checkPost(r, s.token, r.Header.Get("X-Kycd-CSRF")) {
		writeJSON(w, http.StatusForbidden, apiResult{Message: s.cat.T("error.csrf")})
		return
	}
	link, qr, err := h.handoffQR(r.Context(), s)
	if err != nil {
		h.log.ErrorContext(r.Context(), "flow: hand-off", "verification", s.caller.VerificationID, "err", err)
		writeJSON(w, http.StatusInternalServerError, apiResult{Message: s.cat.T("error.generic")})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": link, "qr": string(qr)})
}

// handoffQR makes a (single-use) hand-off link and its QR code as a data: URL.
func (h *Handler) handoffQR(ctx context.Context, s *session) (string, template.URL, error) {
	tok, _, err := tools.IssueHandoff(ctx, h.reg.Deps(), s.caller)
	if err != nil {
		return "", "", err
	}
	link := strings.TrimRight(h.reg.Deps().PublicURL, "/") + Prefix + "h/" + tok
	png, err := qrcode.Encode(link, qrcode.Medium, 256)
	if err != nil {
		return "", "", fmt.Errorf("encode QR code: %w", err)
	}
	// template.URL: a data: URL we built ourselves from PNG bytes, safe in an img src.
	return link, template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}

// redeem opens a hand-off link on the phone and continues the same session there. A link
// opens once (tools.RedeemHandoff), and only by the button of the page its GET shows: link
// previews, chat apps and mail scanners fetch links they see, and a GET that spent the link
// would leave the applicant with a dead one. A used, expired or forged link gets the error page.
func (h *Handler) redeem(w http.ResponseWriter, r *http.Request, code string) {
	cat := h.cats[chooseLang(h.cats, "", r.Header.Get("Accept-Language"))]
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	var tok string
	var err error
	switch {
	case isGet(r):
		err = tools.CheckHandoff(r.Context(), h.reg.Deps(), code)
	case r.Method == http.MethodPost:
		tok, err = tools.RedeemHandoff(r.Context(), h.reg.Deps(), code)
	default:
		h.renderError(w, r, cat, http.StatusMethodNotAllowed, "error.title", "error.generic")
		return
	}
	if err != nil {
		if te := tools.AsError(err); te == nil {
			h.log.ErrorContext(r.Context(), "flow: redeem hand-off", "err", err)
			h.renderError(w, r, cat, http.StatusServiceUnavailable, "error.title", "error.unavailable")
			return
		}
		h.renderError(w, r, cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
		return
	}
	if tok == "" {
		p := &page{Lang: cat.lang, L: cat, Nonce: newNonce(), Step: "handoff", StepIndex: -1, JSMsgs: jsMessages(cat),
			Action: Prefix + "h/" + code, Embed: strings.Join(h.embedOrigins, " "), Poll: int(h.opts.PollInterval / time.Millisecond)}
		h.render(w, r, "handoff", http.StatusOK, p)
		return
	}
	http.Redirect(w, r, Prefix+tok, http.StatusSeeOther)
}

func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request, name string) {
	b, ok := h.static[name]
	if !ok || !isGet(r) {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

// page is what every template gets.
type page struct {
	Lang, Title string
	L           *catalog
	Nonce, CSRF string
	Base        string
	Step        string
	// Action is the hand-off page's form target (its own URL).
	Action    string
	Steps     []string
	StepIndex int
	Embed     string
	Poll      int
	Error     string
	// JSMsgs are the messages flow.js shows, in the page's language.
	JSMsgs map[string]string
	// intro
	Collect []string
	Expires string
	QR      template.URL
	Handoff string
	// confirm
	Applicant any
	// capture
	Capture string
	Sides   []string
	Next    string
	// result
	Status    string
	Reference string
	Final     bool
	Redirect  string
}

// newPage fills the fields every page has. visible steps exclude the result, which is not a
// step the applicant does.
func (h *Handler) newPage(r *http.Request, s *session, step string) *page {
	p := &page{Lang: s.cat.lang, L: s.cat, Nonce: newNonce(), CSRF: csrfToken(s.token), Base: s.base(), Step: step,
		Embed: strings.Join(h.originsFor(s), " "), Poll: int(h.opts.PollInterval / time.Millisecond), Reference: s.v.Reference}
	for _, st := range s.steps {
		if st != stepResult {
			p.Steps = append(p.Steps, st)
		}
	}
	p.StepIndex = slices.Index(p.Steps, step)
	p.JSMsgs = jsMessages(s.cat)
	if step == stepIntro {
		link, qr, err := h.handoffQR(r.Context(), s)
		if err != nil {
			h.log.ErrorContext(r.Context(), "flow: hand-off QR", "verification", s.caller.VerificationID, "err", err)
		} else {
			p.Handoff, p.QR = link, qr
		}
	}
	return p
}

// jsKeys are the messages the script needs (everything else is rendered on the server).
var jsKeys = []string{"capture.checking", "capture.accepted", "capture.no_camera", "capture.retry", "capture.reason.generic",
	"capture.document.front", "capture.document.back", "capture.liveness.recording", "capture.take", "error.generic", "error.unavailable"}

func jsMessages(c *catalog) map[string]string {
	m := make(map[string]string, len(jsKeys))
	for _, k := range jsKeys {
		m[k] = c.T(k)
	}
	return m
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, name string, code int, p *page) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		h.log.ErrorContext(r.Context(), "flow: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h.setPageHeaders(w, p.Nonce, p.Embed)
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, cat *catalog, code int, title, text string) {
	p := &page{Lang: cat.lang, L: cat, Nonce: newNonce(), Title: title, Error: text, Step: "error", StepIndex: -1, JSMsgs: jsMessages(cat),
		Embed: strings.Join(h.embedOrigins, " "), Poll: int(h.opts.PollInterval / time.Millisecond)}
	h.render(w, r, "error", code, p)
}

// apiResult is what a capture call answers the page: whether to move on, or why not, in the
// applicant's language. Scores and thresholds stay on the server.
type apiResult struct {
	OK      bool   `json:"ok"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	Next    string `json:"next,omitempty"`
	// Challenge is the active-liveness challenge (liveness-challenge only).
	Challenge *challengeView `json:"challenge,omitempty"`
}

type challengeView struct {
	Nonce        string   `json:"nonce"`
	Instructions []string `json:"instructions"`
	MinFrames    int      `json:"min_frames"`
	MaxFrames    int      `json:"max_frames"`
}

// api serves the capture calls of the camera steps, each one tool call.
func (h *Handler) api(w http.ResponseWriter, r *http.Request, s *session, op string) {
	if !h.checkPost(r, s.token, r.Header.Get("X-Kycd-CSRF")) {
		writeJSON(w, http.StatusForbidden, apiResult{Message: s.cat.T("error.csrf")})
		return
	}
	if !h.limit.allow(s.caller.VerificationID) {
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusTooManyRequests, apiResult{Reason: "rate_limited", Message: s.cat.T("error.rate_limited")})
		return
	}
	var body struct {
		Image  string   `json:"image"`
		Side   string   `json:"side"`
		Nonce  string   `json:"nonce"`
		Frames []string `json:"frames"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.UploadLimit)
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		writeJSON(w, http.StatusBadRequest, apiResult{Reason: "unreadable", Message: s.cat.T("capture.reason.unreadable")})
		return
	}
	var (
		step string
		tool string
		args map[string]any
	)
	switch op {
	case "selfie":
		step, tool, args = stepSelfie, toolSelfie, map[string]any{"image": body.Image}
	case "document":
		step, tool, args = stepDocument, toolDocument, map[string]any{"image": body.Image}
		if body.Side != "" && h.toolTakes(toolDocument, "side") {
			args["side"] = body.Side
		}
	case "liveness-challenge":
		step, tool, args = stepLiveness, toolChallenge, nil
	case "liveness":
		step, tool, args = stepLiveness, toolLiveness, map[string]any{"nonce": body.Nonce, "frames": body.Frames}
	default:
		writeJSON(w, http.StatusNotFound, apiResult{Message: s.cat.T("error.generic")})
		return
	}
	if !slices.Contains(s.steps, step) {
		writeJSON(w, http.StatusNotFound, apiResult{Message: s.cat.T("error.generic")})
		return
	}
	out, err := h.reg.Call(r.Context(), s.caller, tool, idArgs(s.caller.VerificationID, args))
	if err != nil {
		code, res := h.apiError(r.Context(), s, err)
		writeJSON(w, code, res)
		return
	}
	writeJSON(w, http.StatusOK, h.apiOutcome(s, step, out))
}

// apiOutcome turns a tool's answer into move-on or retry-with-reason.
func (h *Handler) apiOutcome(s *session, step string, out any) apiResult {
	next := s.stepURL(s.next(step))
	switch o := out.(type) {
	case tools.SelfieResult:
		if o.Accepted {
			return apiResult{OK: true, Next: next}
		}
		return s.retry(o.Quality.Reason)
	case tools.LivenessChallenge:
		cv := &challengeView{Nonce: o.Nonce, MinFrames: o.MinFrames, MaxFrames: o.MaxFrames}
		for i, st := range o.Steps {
			msg := s.cat.T("liveness." + st)
			if !s.cat.Has("liveness."+st) && i < len(o.Instructions) {
				msg = o.Instructions[i]
			}
			cv.Instructions = append(cv.Instructions, msg)
		}
		return apiResult{OK: true, Challenge: cv}
	case tools.LivenessResult:
		if o.Passed {
			return apiResult{OK: true, Next: next}
		}
		return s.retry(o.Reason)
	}
	// A tool the flow does not know by type (the document tool as it lands): read the common
	// shape, {"accepted": bool, "reason" or "quality": {"reason"}}.
	var m struct {
		Accepted *bool  `json:"accepted"`
		Reason   string `json:"reason"`
		Quality  struct {
			Reason string `json:"reason"`
		} `json:"quality"`
	}
	if b, err := json.Marshal(out); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	if m.Accepted != nil && !*m.Accepted {
		return s.retry(firstNonEmpty(m.Reason, m.Quality.Reason))
	}
	return apiResult{OK: true, Next: next}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// retry is a capture to redo, with the reason in the applicant's language.
func (s *session) retry(reason string) apiResult {
	key := "capture.reason." + reason
	if reason == "" || !s.cat.Has(key) {
		key = "capture.reason.generic"
	}
	return apiResult{Reason: reason, Message: s.cat.T(key)}
}

// apiError maps a tool error to a status and a message the applicant can act on; the tool's
// own (English, developer-facing) message is not shown.
func (h *Handler) apiError(ctx context.Context, s *session, err error) (int, apiResult) {
	te := tools.AsError(err)
	if te == nil {
		h.log.ErrorContext(ctx, "flow: capture", "verification", s.caller.VerificationID, "err", err)
		return http.StatusInternalServerError, apiResult{Message: s.cat.T("error.generic")}
	}
	res := apiResult{Reason: string(te.Code)}
	switch te.Code {
	case tools.CodeInvalidArgument, tools.CodeTooLarge, tools.CodeMalformed:
		res.Reason, res.Message = "unreadable", s.cat.T("capture.reason.unreadable")
	case tools.CodeConflict:
		// Expired, cancelled or submitted meanwhile: the page goes to the result.
		res.Message, res.Next = s.cat.T("error.generic"), s.stepURL(stepResult)
	case tools.CodeRateLimited:
		res.Message = s.cat.T("error.rate_limited")
	case tools.CodeUnavailable:
		res.Message = s.cat.T("error.unavailable")
	default:
		res.Message = s.cat.T("error.generic")
	}
	return te.Code.HTTPStatus(), res
}

// toolTakes reports whether a tool's input schema has the property.
func (h *Handler) toolTakes(tool, prop string) bool {
	info, ok := h.reg.Tool(tool)
	if !ok {
		return false
	}
	var sch struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(info.InputSchema, &sch)
	_, ok = sch.Properties[prop]
	return ok
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// originsFor are the origins that may frame this session's pages: the server's allow-list and
// the one of the key that created the verification.
func (h *Handler) originsFor(s *session) []string {
	out := slices.Clone(h.embedOrigins)
	for _, o := range s.caller.EmbedOrigins {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}
