package dashboard

import (
	"context"
	"crypto/subtle"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

//go:embed templates/auth
var authFiles embed.FS

// Cookie names. __Host- makes browsers refuse the cookie unless it is Secure, host-only and
// for path /: no subdomain or plain-http page can plant or read it.
const (
	SessionCookie         = "__Host-kycd_session"
	InsecureSessionCookie = "kycd_session"
)

// AuthOptions configure the sign-in pages.
type AuthOptions struct {
	// Operators are the sign-in rules (timeouts, throttling, argon2id cost, TOTP issuer).
	Operators tools.OperatorOptions
	// InsecureCookie serves the session cookie without Secure and without the __Host- prefix,
	// for development on plain http:// (cmd sets it when --public-url is http://). Never in
	// production: the cookie would travel in clear.
	InsecureCookie bool
	Logger         *slog.Logger
}

// Auth is the operator authentication of the dashboard: the sign-in, setup and account pages,
// and the Authenticator the other pages (and the OAuth consent page) use.
type Auth struct {
	reg   *tools.Registry
	d     *tools.Deps
	opts  AuthOptions
	pages map[string]*template.Template
	css   []byte
}

var _ Authenticator = (*Auth)(nil)

// NewAuth builds the operator authentication over the registry.
func NewAuth(reg *tools.Registry, opts AuthOptions) (*Auth, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	a := &Auth{reg: reg, d: reg.Deps(), opts: opts, pages: map[string]*template.Template{}}
	layout, err := template.ParseFS(authFiles, "templates/auth/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse auth layout: %w", err)
	}
	for _, name := range []string{"login", "totp", "setup", "codes", "account", "message"} {
		c, err := layout.Clone()
		if err != nil {
			return nil, err
		}
		if a.pages[name], err = c.ParseFS(authFiles, "templates/auth/"+name+".html"); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
	}
	if a.css, err = authFiles.ReadFile("templates/auth/auth.css"); err != nil {
		return nil, err
	}
	return a, nil
}

// Paths of the sign-in pages.
const (
	LoginPath   = "/dashboard/login"
	LogoutPath  = "/dashboard/logout"
	AccountPath = "/dashboard/account"
	ModePath    = "/dashboard/mode"
	HomePath    = "/dashboard/"
)

// Routes mounts the sign-in pages: /dashboard/login (and its TOTP step), /dashboard/logout,
// /dashboard/setup/{token}, /dashboard/account, /dashboard/mode (the live/test switch).
func (a *Auth) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+LoginPath, a.loginPage)
	mux.HandleFunc("POST "+LoginPath, a.login)
	mux.HandleFunc("POST "+LoginPath+"/totp", a.loginTOTP)
	mux.HandleFunc("POST "+LogoutPath, a.logout)
	mux.HandleFunc("GET "+tools.SetupPath+"{token}", a.setupPage)
	mux.HandleFunc("POST "+tools.SetupPath+"{token}", a.setup)
	mux.Handle("GET "+AccountPath, a.RequireOperator(http.HandlerFunc(a.accountPage)))
	mux.Handle("POST "+AccountPath+"/{action}", a.RequireOperator(http.HandlerFunc(a.account)))
	mux.Handle("POST "+ModePath, a.RequireOperator(http.HandlerFunc(a.switchMode)))
	mux.HandleFunc("GET /dashboard/auth.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(a.css)
	})
}

type ctxKey struct{}

// OperatorFrom is the operator RequireOperator put in the request's context (nil outside it).
func OperatorFrom(ctx context.Context) *Operator {
	op, _ := ctx.Value(ctxKey{}).(*Operator)
	return op
}

func (a *Auth) cookieName() string {
	if a.opts.InsecureCookie {
		return InsecureSessionCookie
	}
	return SessionCookie
}

func (a *Auth) token(r *http.Request) string {
	c, err := r.Cookie(a.cookieName())
	if err != nil {
		return ""
	}
	return c.Value
}

func (a *Auth) setCookie(w http.ResponseWriter, token string) {
	c := &http.Cookie{Name: a.cookieName(), Value: token, Path: "/", HttpOnly: true, Secure: !a.opts.InsecureCookie, SameSite: http.SameSiteLaxMode}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// session resolves the request's cookie (nil when signed out).
func (a *Auth) session(r *http.Request) (*tools.OperatorSession, error) {
	return tools.AuthenticateOperatorSession(r.Context(), a.d, a.opts.Operators, a.token(r))
}

// Operator implements Authenticator: the signed-in operator of r, or nil. A session still
// waiting for its TOTP code is not signed in.
func (a *Auth) Operator(r *http.Request) (*Operator, error) {
	if op := OperatorFrom(r.Context()); op != nil {
		return op, nil
	}
	s, err := a.session(r)
	if err != nil || s == nil || s.SecondFactorDue {
		return nil, err
	}
	return a.operator(r, s), nil
}

func (a *Auth) operator(r *http.Request, s *tools.OperatorSession) *Operator {
	c := tools.WithRequestOrigin(a.d, s.Caller, r)
	return &Operator{UserID: s.UserID, Email: s.Email, Role: s.Role, Caller: c, CSRF: s.CSRF, SessionID: s.SessionID}
}

// RequireOperator lets only signed-in operators through, with the operator in the context
// (OperatorFrom). A signed-out GET is sent to the sign-in page (and back afterwards); any other
// method is 401. Every unsafe method must come from our own origin and carry the session's
// CSRF token (form field "csrf" or header X-CSRF-Token), or it is 403.
func (a *Auth) RequireOperator(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := a.session(r)
		if err != nil {
			a.opts.Logger.ErrorContext(r.Context(), "dashboard session", "err", err)
			http.Error(w, "cannot check your session right now; retry", http.StatusServiceUnavailable)
			return
		}
		if s == nil || s.SecondFactorDue {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, LoginPath+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		op := a.operator(r, s)
		if !safeMethod(r.Method) && !a.CheckCSRF(r, op) {
			http.Error(w, "this form is stale or came from another site; reload the page and try again", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, op)))
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// CheckCSRF reports whether an unsafe request is the operator's own: same origin, and the
// session's CSRF token in the form field "csrf" or the X-CSRF-Token header.
func (a *Auth) CheckCSRF(r *http.Request, op *Operator) bool {
	if !sameSite(r) {
		return false
	}
	given := r.Header.Get("X-CSRF-Token")
	if given == "" {
		given = r.PostFormValue("csrf")
	}
	return given != "" && subtle.ConstantTimeCompare([]byte(given), []byte(op.CSRF)) == 1
}

// sameSite refuses requests the browser says came from another site (Sec-Fetch-Site) or
// whose Origin is not this host: the sign-in forms have no session yet, so this is their guard.
//
// Under "Referrer-Policy: no-referrer" (every page here) Chromium sends "Origin: null" with a
// same-origin form POST; that null says nothing, so it is accepted when the browser's Fetch
// Metadata says same-origin.
func sameSite(r *http.Request) bool {
	site := r.Header.Get("Sec-Fetch-Site")
	if site != "" && site != "same-origin" && site != "none" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		if o == "null" && site == "same-origin" {
			return true
		}
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	return true
}

// authPage is what every sign-in template gets.
type authPage struct {
	Title    string
	Error    string
	Notice   string
	CSRF     string
	Next     string
	Email    string
	Operator *Operator
	Mode     models.Mode
	// Setup and account pages.
	Role        string
	Token       string
	TOTP        *tools.TOTPEnrolment
	QR          template.HTML
	Codes       []string
	HasTOTP     bool
	CodesLeft   int
	Sessions    []tools.OperatorSessionInfo
	MinPassword int
}

func (a *Auth) render(w http.ResponseWriter, status int, name string, p authPage) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer") // setup links carry their token in the path
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Type", "text/html; charset=utf-8")
	if !a.opts.InsecureCookie {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	w.WriteHeader(status)
	if err := a.pages[name].ExecuteTemplate(w, "layout", p); err != nil {
		a.opts.Logger.Error("render", "page", name, "err", err)
	}
}

// nextPath keeps a post-sign-in redirect inside the dashboard or on the OAuth consent page,
// which sends operators here to sign in (no open redirect).
func nextPath(v string) string {
	if (strings.HasPrefix(v, "/dashboard") || strings.HasPrefix(v, tools.OAuthAuthorizePath+"?")) && !strings.HasPrefix(v, "//") && !strings.ContainsAny(v, "\\\r\n") {
		return v
	}
	return HomePath
}

func (a *Auth) loginPage(w http.ResponseWriter, r *http.Request) {
	if op, _ := a.Operator(r); op != nil {
		http.Redirect(w, r, nextPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	a.render(w, http.StatusOK, "login", authPage{Title: "Sign in", Next: nextPath(r.URL.Query().Get("next"))})
}

// errMessage is what a page says about a failed step: the tool error's message, or a generic one.
func (a *Auth) errMessage(r *http.Request, err error) (int, string) {
	if te := tools.AsError(err); te != nil {
		return te.Code.HTTPStatus(), te.Message
	}
	a.opts.Logger.ErrorContext(r.Context(), "dashboard auth", "err", err)
	return http.StatusInternalServerError, "something went wrong on our side; it has been logged"
}

func (a *Auth) login(w http.ResponseWriter, r *http.Request) {
	next := nextPath(r.PostFormValue("next"))
	if !sameSite(r) {
		http.Error(w, "cross-site sign-in refused", http.StatusForbidden)
		return
	}
	email := r.PostFormValue("email")
	from := tools.RequestOrigin(a.d, r)
	// Whatever session the browser had ends here: sign-in always starts a new one.
	if old := a.token(r); old != "" {
		_ = tools.OperatorLogout(r.Context(), a.d, old, from)
	}
	token, s, err := tools.OperatorLogin(r.Context(), a.d, a.opts.Operators, email, r.PostFormValue("password"), from)
	if err != nil {
		a.setCookie(w, "")
		status, msg := a.errMessage(r, err)
		a.render(w, status, "login", authPage{Title: "Sign in", Error: msg, Email: email, Next: next})
		return
	}
	a.setCookie(w, token)
	if s.SecondFactorDue {
		a.render(w, http.StatusOK, "totp", authPage{Title: "Two-factor code", CSRF: s.CSRF, Next: next})
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (a *Auth) loginTOTP(w http.ResponseWriter, r *http.Request) {
	next := nextPath(r.PostFormValue("next"))
	pending, err := a.session(r)
	if err != nil || pending == nil || !pending.SecondFactorDue || !sameSite(r) ||
		subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(pending.CSRF)) != 1 {
		a.setCookie(w, "")
		a.render(w, http.StatusUnauthorized, "login", authPage{Title: "Sign in", Error: "the sign-in expired; enter your e-mail and password again", Next: next})
		return
	}
	token, _, err := tools.OperatorSecondFactor(r.Context(), a.d, a.opts.Operators, a.token(r), r.PostFormValue("code"), tools.RequestOrigin(a.d, r))
	if err != nil {
		status, msg := a.errMessage(r, err)
		a.render(w, status, "totp", authPage{Title: "Two-factor code", Error: msg, CSRF: pending.CSRF, Next: next})
		return
	}
	a.setCookie(w, token)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (a *Auth) logout(w http.ResponseWriter, r *http.Request) {
	s, err := a.session(r)
	if err == nil && s != nil {
		if !sameSite(r) || subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.CSRF)) != 1 {
			http.Error(w, "this form is stale or came from another site; reload the page and try again", http.StatusForbidden)
			return
		}
		if err := tools.OperatorLogout(r.Context(), a.d, a.token(r), tools.RequestOrigin(a.d, r)); err != nil {
			a.opts.Logger.ErrorContext(r.Context(), "logout", "err", err)
		}
	}
	a.setCookie(w, "")
	http.Redirect(w, r, LoginPath, http.StatusSeeOther)
}

// qrSVG draws text as a QR code in SVG (one path; no inline style, so the CSP holds).
func qrSVG(text string) (template.HTML, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", err
	}
	q.DisableBorder = false
	bm := q.Bitmap()
	var b strings.Builder
	n := len(bm)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="200" height="200" role="img" aria-label="QR code of the TOTP secret" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y, row := range bm {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil //nolint:gosec // built here from a bitmap: numbers only
}

// enrolment offers a TOTP secret — secret when one was offered already, else a new one — with its QR code.
func (a *Auth) enrolment(email, secret string) (*tools.TOTPEnrolment, template.HTML, error) {
	e, err := tools.NewTOTPEnrolment(a.opts.Operators.Issuer, email, secret)
	if err != nil {
		return nil, "", err
	}
	qr, err := qrSVG(e.URI)
	return &e, qr, err
}

func (a *Auth) setupPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	info, err := tools.OperatorSetupInfo(r.Context(), a.d, token)
	if err != nil {
		status, msg := a.errMessage(r, err)
		a.render(w, status, "message", authPage{Title: "Setup link", Error: msg})
		return
	}
	e, qr, err := a.enrolment(info.Email, "")
	if err != nil {
		status, msg := a.errMessage(r, err)
		a.render(w, status, "message", authPage{Title: "Setup link", Error: msg})
		return
	}
	a.render(w, http.StatusOK, "setup", authPage{Title: "Set up your account", Email: info.Email, Role: info.Role, Token: token, TOTP: e, QR: qr, MinPassword: 12})
}

func (a *Auth) setup(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if !sameSite(r) {
		http.Error(w, "cross-site form refused", http.StatusForbidden)
		return
	}
	info, err := tools.OperatorSetupInfo(r.Context(), a.d, token)
	if err != nil {
		status, msg := a.errMessage(r, err)
		a.render(w, status, "message", authPage{Title: "Setup link", Error: msg})
		return
	}
	pw, secret, code := r.PostFormValue("password"), r.PostFormValue("totp_secret"), strings.TrimSpace(r.PostFormValue("code"))
	fail := func(status int, msg string) {
		p := authPage{Title: "Set up your account", Email: info.Email, Role: info.Role, Token: token, Error: msg, MinPassword: 12}
		p.TOTP, p.QR, _ = a.enrolment(info.Email, secret) // the same secret: what was scanned stays good
		a.render(w, status, "setup", p)
	}
	if pw != r.PostFormValue("password_again") {
		fail(http.StatusBadRequest, "the two passwords differ")
		return
	}
	if code == "" {
		secret = "" // no code: no second factor
	}
	codes, err := tools.OperatorCompleteSetup(r.Context(), a.d, a.opts.Operators, token, pw, secret, code, tools.RequestOrigin(a.d, r))
	if err != nil {
		status, msg := a.errMessage(r, err)
		fail(status, msg)
		return
	}
	if len(codes) > 0 {
		a.render(w, http.StatusOK, "codes", authPage{Title: "Recovery codes", Codes: codes})
		return
	}
	a.render(w, http.StatusOK, "message", authPage{Title: "Password set", Notice: "Your password is set. Sign in to continue."})
}

func (a *Auth) accountPage(w http.ResponseWriter, r *http.Request) {
	a.renderAccount(w, r, http.StatusOK, "", "", nil)
}

func (a *Auth) renderAccount(w http.ResponseWriter, r *http.Request, status int, errMsg, notice string, codes []string) {
	op := OperatorFrom(r.Context())
	s, err := a.session(r)
	if err != nil || s == nil {
		http.Redirect(w, r, LoginPath, http.StatusSeeOther)
		return
	}
	sessions, err := tools.OperatorSessions(r.Context(), a.d, s)
	if err != nil {
		_, errMsg = a.errMessage(r, err)
	}
	p := authPage{Title: "Your account", Operator: op, CSRF: op.CSRF, Mode: op.Caller.Mode, Email: op.Email, Role: op.Role, Error: errMsg, Notice: notice,
		HasTOTP: s.TOTP, CodesLeft: s.RecoveryCodesLeft, Sessions: sessions, Codes: codes, MinPassword: 12}
	if !s.TOTP {
		p.TOTP, p.QR, _ = a.enrolment(op.Email, r.PostFormValue("totp_secret"))
	}
	a.render(w, status, "account", p)
}

func (a *Auth) account(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s, err := a.session(r)
	if err != nil || s == nil {
		http.Redirect(w, r, LoginPath, http.StatusSeeOther)
		return
	}
	from := tools.RequestOrigin(a.d, r)
	var (
		notice string
		codes  []string
	)
	switch r.PathValue("action") {
	case "password":
		if r.PostFormValue("new_password") != r.PostFormValue("new_password_again") {
			err = tools.Errorf(tools.CodeInvalidArgument, "new_password", "the two new passwords differ")
			break
		}
		err = tools.OperatorChangePassword(ctx, a.d, a.opts.Operators, s, r.PostFormValue("current_password"), r.PostFormValue("new_password"), from)
		notice = "Password changed; your other sessions were signed out."
	case "totp":
		codes, err = tools.OperatorEnrolTOTP(ctx, a.d, a.opts.Operators, s, r.PostFormValue("totp_secret"), r.PostFormValue("code"), from)
		notice = "Two-factor sign-in is on. Keep the recovery codes below somewhere safe; they are shown once."
	case "totp-off":
		err = tools.OperatorDisableTOTP(ctx, a.d, s, r.PostFormValue("password"), from)
		notice = "Two-factor sign-in is off."
	case "revoke":
		err = tools.OperatorRevokeSession(ctx, a.d, s, r.PostFormValue("session"))
		notice = "Session signed out."
	case "logout-everywhere":
		var n int
		n, err = tools.OperatorLogoutEverywhere(ctx, a.d, s, s.SessionID, from)
		notice = fmt.Sprintf("%d other session(s) signed out.", n)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		status, msg := a.errMessage(r, err)
		a.renderAccount(w, r, status, msg, "", nil)
		return
	}
	a.renderAccount(w, r, http.StatusOK, "", notice, codes)
}

func (a *Auth) switchMode(w http.ResponseWriter, r *http.Request) {
	s, err := a.session(r)
	if err != nil || s == nil {
		http.Redirect(w, r, LoginPath, http.StatusSeeOther)
		return
	}
	if err := tools.OperatorSetMode(r.Context(), a.d, s, models.Mode(r.PostFormValue("mode"))); err != nil {
		status, msg := a.errMessage(r, err)
		http.Error(w, msg, status)
		return
	}
	http.Redirect(w, r, nextPath(r.PostFormValue("next")), http.StatusSeeOther)
}

// HasOperators reports whether anyone can sign in (the OAuth consent page needs an operator).
func (a *Auth) HasOperators(ctx context.Context) (bool, error) {
	return tools.HasOperators(ctx, a.reg.Deps())
}
