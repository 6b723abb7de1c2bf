package dashboard

import (
	"bytes"
	"context"
	"crypto/subtle"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/kycd/kycd/tools"
)

// Prefix is where the dashboard is mounted.
const Prefix = "/dashboard/"

// Options configure the dashboard.
type Options struct {
	Logger *slog.Logger
	// Now is the clock for "waiting for" times (default time.Now).
	Now func() time.Time
	// RevealFor is how long a viewer's audited reveal of a case shows its personal data
	// (default DefaultRevealFor; see mask.go).
	RevealFor time.Duration
}

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/*
var staticFiles embed.FS

// Handler serves the dashboard pages.
type Handler struct {
	reg   *tools.Registry
	auth  Authenticator
	log   *slog.Logger
	now   func() time.Time
	pages map[string]*template.Template
	mux   *http.ServeMux
	// reveals and revealFor: the viewers' audited reveals (mask.go).
	reveals   reveals
	revealFor time.Duration
}

// New returns the dashboard, serving /dashboard/ except the sign-in routes (/dashboard/login,
// /dashboard/logout, /dashboard/setup/, /dashboard/account), which the operator accounts
// mount beside it. Without an Authenticator (nil: no operator accounts on this server) every
// page answers 503. The templates are embedded: one that does not parse is a programming
// error, and New panics (the package's tests catch it).
func New(reg *tools.Registry, auth Authenticator, opts Options) http.Handler {
	h := &Handler{reg: reg, auth: auth, log: opts.Logger, now: opts.Now, revealFor: opts.RevealFor}
	if h.revealFor <= 0 {
		h.revealFor = DefaultRevealFor
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.now == nil {
		h.now = time.Now
	}
	var err error
	if h.pages, err = parsePages(); err != nil {
		panic(fmt.Sprintf("dashboard templates: %v", err))
	}
	h.mux = http.NewServeMux()
	h.routes()
	return h
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, Prefix+"static/") {
		h.serveStatic(w, r, strings.TrimPrefix(r.URL.Path, Prefix+"static/"))
		return
	}
	setHeaders(w)
	if signInRoute(r.URL.Path) { // the operator accounts serve these; never redirect to ourselves
		http.NotFound(w, r)
		return
	}
	if h.auth == nil {
		http.Error(w, "no operator accounts yet: the dashboard needs operator sign-in (kycd users create)", http.StatusServiceUnavailable)
		return
	}
	op, err := h.auth.Operator(r)
	if err != nil {
		h.log.ErrorContext(r.Context(), "dashboard: find operator", "err", err)
		http.Error(w, "cannot check your session right now; retry", http.StatusServiceUnavailable)
		return
	}
	if op == nil {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			http.Redirect(w, r, Prefix+"login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodPost && !h.checkPost(r, op) {
		http.Error(w, "this form is stale or did not come from the dashboard: reload the page and try again", http.StatusForbidden)
		return
	}
	ctx := context.WithValue(context.WithValue(r.Context(), operatorKey{}, op), handlerKey{}, h)
	h.mux.ServeHTTP(w, r.WithContext(ctx))
}

// signInRoute reports the routes the operator accounts own under the prefix.
func signInRoute(p string) bool {
	switch p {
	case Prefix + "login", Prefix + "logout", Prefix + "account":
		return true
	}
	return strings.HasPrefix(p, Prefix+"setup/")
}

type operatorKey struct{}

func operator(r *http.Request) *Operator {
	op, _ := r.Context().Value(operatorKey{}).(*Operator)
	return op
}

// checkPost refuses a POST from another site or without the session's CSRF token.
func (h *Handler) checkPost(r *http.Request, op *Operator) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return false
	}
	given := r.PostFormValue("csrf")
	return op.CSRF != "" && subtle.ConstantTimeCompare([]byte(given), []byte(op.CSRF)) == 1
}

// setHeaders are the security headers of every page: scripts and styles only from the
// dashboard's own static files (no inline code: a CSP without unsafe-inline), images from
// here (the case images come through the image route), no framing, no referrer, no caching —
// the pages show personal data.
func setHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "+
		"form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request, name string) {
	b, err := fs.ReadFile(staticFiles, "static/"+path.Clean("/" + name)[1:])
	if err != nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
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

// call runs a tool as the operator: the same registry, scopes and audit as any API caller.
func call[Out any](r *http.Request, tool string, args any) (Out, *tools.Error) {
	var zero Out
	h := r.Context().Value(handlerKey{}).(*Handler)
	raw, err := json.Marshal(args)
	if err != nil {
		return zero, tools.Errorf(tools.CodeMalformed, "", "%v", err)
	}
	out, err := h.reg.Call(r.Context(), operator(r).Caller, tool, raw)
	if err != nil {
		if te := tools.AsError(err); te != nil {
			return zero, te
		}
		h.log.ErrorContext(r.Context(), "dashboard: tool failed", "tool", tool, "err", err)
		return zero, tools.Errorf(tools.CodeInternal, "", "internal error; it has been logged")
	}
	v, ok := out.(Out)
	if !ok {
		return zero, tools.Errorf(tools.CodeInternal, "", "unexpected result of %s", tool)
	}
	return v, nil
}

type handlerKey struct{}

// page is what every template gets.
type page struct {
	Title    string
	Nav      string
	Operator *Operator
	TestMode bool
	CSRF     string
	Notice   string
	Error    string
	Path     string
	Data     any
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, name, title, nav string, status int, data any) {
	op := operator(r)
	p := page{Title: title, Nav: nav, Operator: op, TestMode: op.Caller.Mode == "test", CSRF: op.CSRF,
		Notice: r.URL.Query().Get("notice"), Error: r.URL.Query().Get("error"), Path: r.URL.Path, Data: data}
	t, ok := h.pages[name]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		h.log.ErrorContext(r.Context(), "dashboard: render", "page", name, "err", err)
		http.Error(w, "cannot show this page; it has been logged", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if status != 0 {
		w.WriteHeader(status)
	}
	_, _ = w.Write(buf.Bytes())
}

// fail shows a tool's refusal as a page with the right status.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, te *tools.Error) {
	msg := te.Message
	if te.Field != "" {
		msg = te.Field + ": " + msg
	}
	h.render(w, r, "error", "Error", "", te.Code.HTTPStatus(), map[string]string{"Code": string(te.Code), "Message": msg})
}

// back redirects after a POST to where the form was, with a notice or an error to show.
func back(w http.ResponseWriter, r *http.Request, to, notice string, te *tools.Error) {
	q := url.Values{}
	if te != nil {
		msg := te.Message
		if te.Field != "" {
			msg = te.Field + ": " + msg
		}
		q.Set("error", msg)
	} else if notice != "" {
		q.Set("notice", notice)
	}
	if !strings.HasPrefix(to, Prefix) {
		to = Prefix
	}
	sep := "?"
	if strings.Contains(to, "?") {
		sep = "&"
	}
	http.Redirect(w, r, to+sep+q.Encode(), http.StatusSeeOther)
}

func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	out := map[string]*template.Template{}
	for _, name := range []string{"queue", "case", "table", "keys", "clients", "webhooks", "analytics", "notifications", "error",
		"flows", "flow", "users", "retention"} {
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
