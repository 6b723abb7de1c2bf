package dashboard_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/rest/dashboard"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type site struct {
	srv    *httptest.Server
	client *http.Client
	clk    *clock
	env    *tooltest.Env
}

// newSite serves the sign-in pages and two protected pages over TLS (so the __Host- cookie is
// real): GET /dashboard/ shows the operator, POST /dashboard/act needs the CSRF token.
func newSite(t *testing.T) *site {
	e := tooltest.New(t, dbtest.SQLite(t), nil)
	clk := &clock{t: time.Now().UTC()}
	auth, err := dashboard.NewAuth(e.Reg, dashboard.AuthOptions{Operators: tools.OperatorOptions{
		Password: verify.PasswordParams{Time: 1, Memory: 1024, Threads: 1}, Now: clk.Now}})
	require.NoError(t, err)
	mux := http.NewServeMux()
	auth.Routes(mux)
	mux.Handle("GET /dashboard/{$}", auth.RequireOperator(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := dashboard.OperatorFrom(r.Context())
		_, _ = io.WriteString(w, "hello "+op.Email+" "+string(op.Caller.Mode)+" csrf="+op.CSRF)
	})))
	mux.Handle("POST /dashboard/act", auth.RequireOperator(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "done")
	})))
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := srv.Client()
	c.Jar = jar
	return &site{srv: srv, client: c, clk: clk, env: e}
}

func (s *site) get(t *testing.T, path string) (int, string) {
	t.Helper()
	res, err := s.client.Get(s.srv.URL + path)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (s *site) post(t *testing.T, path string, form url.Values, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := s.client.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (s *site) cookie() string {
	u, _ := url.Parse(s.srv.URL)
	for _, c := range s.client.Jar.Cookies(u) {
		if c.Name == dashboard.SessionCookie {
			return c.Value
		}
	}
	return ""
}

var hidden = func(name string) *regexp.Regexp {
	return regexp.MustCompile(`name="` + name + `" value="([^"]+)"`)
}

// An operator sets up their account from the setup link (password and TOTP, recovery codes
// shown), signs in with the code, is redirected back where they wanted to go; the session
// cookie is __Host-, Secure, HttpOnly, SameSite=Lax and changes at every step; a cookie
// planted before sign-in is worthless after it; forms without the CSRF token or from another
// origin are refused; sign-out ends the session.
func TestDashboardSignIn(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	_, link, err := tools.CreateOperator(ctx, s.env.Reg.Deps(), "acct_a", "ops@example.com", verify.RoleAdmin)
	require.NoError(t, err)
	setup := strings.TrimPrefix(link, "https://kyc.example.test")

	res, err := s.client.Get(s.srv.URL + setup)
	require.NoError(t, err)
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	csp := res.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "default-src 'none'")
	require.NotContains(t, csp, "unsafe-inline")
	require.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))
	require.Contains(t, string(page), "<svg", "the QR code is inline SVG")
	require.NotContains(t, string(page), "style=", "no inline style under the CSP")
	secret := hidden("totp_secret").FindStringSubmatch(string(page))[1]
	code, _ := totp.GenerateCode(secret, s.clk.Now())
	res, body := s.post(t, setup, url.Values{"password": {"a long enough passphrase"}, "password_again": {"a long enough passphrase"},
		"totp_secret": {secret}, "code": {code}}, nil)
	require.Equal(t, http.StatusOK, res.StatusCode, body)
	require.Len(t, regexp.MustCompile(`<li><code>[a-z2-9]{5}-[a-z2-9]{5}</code></li>`).FindAllString(body, -1), verify.RecoveryCodeCount)
	status, _ := s.get(t, setup)
	require.Equal(t, http.StatusNotFound, status, "the link worked once")

	// Signed out: sent to sign in, and back afterwards.
	res, err = s.client.Get(s.srv.URL + "/dashboard/")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, "/dashboard/login", res.Request.URL.Path)
	next := res.Request.URL.Query().Get("next")
	require.Equal(t, "/dashboard/", next)

	// A session id planted before sign-in (an attacker's) is replaced.
	u, _ := url.Parse(s.srv.URL)
	s.client.Jar.SetCookies(u, []*http.Cookie{{Name: dashboard.SessionCookie, Value: "planted-by-attacker", Path: "/", Secure: true}})
	res, body = s.post(t, "/dashboard/login", url.Values{"email": {"ops@example.com"}, "password": {"a long enough passphrase"}, "next": {next}}, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, body, `name="code"`, "the TOTP step")
	sc := res.Header.Get("Set-Cookie")
	require.Regexp(t, `^__Host-kycd_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; Secure; SameSite=Lax$`, sc)
	pending := s.cookie()
	require.NotEqual(t, "planted-by-attacker", pending)
	status, _ = s.get(t, "/dashboard/")
	require.Equal(t, http.StatusOK, status) // the login page again: a password alone does not sign in
	res, _ = s.post(t, "/dashboard/act", url.Values{}, nil)
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)

	csrf := hidden("csrf").FindStringSubmatch(body)[1]
	s.clk.Add(30 * time.Second)
	code, _ = totp.GenerateCode(secret, s.clk.Now())
	res, body = s.post(t, "/dashboard/login/totp", url.Values{"code": {code}, "csrf": {csrf}, "next": {next}}, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "/dashboard/", res.Request.URL.Path)
	require.Contains(t, body, "hello ops@example.com live")
	session := s.cookie()
	require.NotEqual(t, pending, session, "rotated after the second factor")
	// The pre-login session id is never valid after login.
	for _, old := range []string{pending, "planted-by-attacker"} {
		req, _ := http.NewRequest("GET", s.srv.URL+"/dashboard/", nil)
		req.AddCookie(&http.Cookie{Name: dashboard.SessionCookie, Value: old})
		res, err := s.srv.Client().Do(req) // no jar, no redirects followed
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, "/dashboard/login", res.Request.URL.Path, old)
	}

	// CSRF: no token, a wrong token, another origin — refused; the right one passes.
	opCSRF := regexp.MustCompile(`csrf=(\S+)`).FindStringSubmatch(body)[1]
	for _, c := range []struct {
		form url.Values
		hdr  map[string]string
	}{
		{url.Values{}, nil},
		{url.Values{"csrf": {"forged"}}, nil},
		{url.Values{"csrf": {opCSRF}}, map[string]string{"Origin": "https://evil.example"}},
		{url.Values{"csrf": {opCSRF}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
	} {
		res, _ := s.post(t, "/dashboard/act", c.form, c.hdr)
		require.Equal(t, http.StatusForbidden, res.StatusCode, "%v %v", c.form, c.hdr)
	}
	res, body = s.post(t, "/dashboard/act", url.Values{"csrf": {opCSRF}}, map[string]string{"Origin": s.srv.URL})
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "done", body)
	res, _ = s.post(t, "/dashboard/act", url.Values{}, map[string]string{"X-CSRF-Token": opCSRF})
	require.Equal(t, http.StatusOK, res.StatusCode)
	res, _ = s.post(t, "/dashboard/login", url.Values{"email": {"ops@example.com"}, "password": {"x"}}, map[string]string{"Origin": "https://evil.example"})
	require.Equal(t, http.StatusForbidden, res.StatusCode, "no cross-site sign-in")

	// The account page: sessions listed, the live/test switch.
	status, body = s.get(t, "/dashboard/account")
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, body, "this browser")
	require.Contains(t, body, "recovery code(s) left")
	res, body = s.post(t, "/dashboard/mode", url.Values{"csrf": {opCSRF}, "mode": {"test"}, "next": {"/dashboard/"}}, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Contains(t, body, "hello ops@example.com test")
	res, _ = s.post(t, "/dashboard/mode", url.Values{"csrf": {opCSRF}, "mode": {"live"}, "next": {"https://evil.example/"}}, nil)
	require.Equal(t, "/dashboard/", res.Request.URL.Path, "no open redirect")

	// Sign out: the session ends for good.
	res, _ = s.post(t, "/dashboard/logout", url.Values{"csrf": {opCSRF}}, nil)
	require.Equal(t, "/dashboard/login", res.Request.URL.Path)
	req, _ := http.NewRequest("GET", s.srv.URL+"/dashboard/", nil)
	req.AddCookie(&http.Cookie{Name: dashboard.SessionCookie, Value: session})
	res, err = s.srv.Client().Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, "/dashboard/login", res.Request.URL.Path)
}

// Operator implements the Authenticator contract: nil for no cookie, an unknown one, or a
// session still owing its TOTP code.
func TestAuthenticatorContract(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	auth, err := dashboard.NewAuth(s.env.Reg, dashboard.AuthOptions{InsecureCookie: true})
	require.NoError(t, err)
	var a dashboard.Authenticator = auth
	r := httptest.NewRequest("GET", "/dashboard/", nil)
	op, err := a.Operator(r)
	require.NoError(t, err)
	require.Nil(t, op)
	r.AddCookie(&http.Cookie{Name: dashboard.InsecureSessionCookie, Value: "nope"})
	op, err = a.Operator(r)
	require.NoError(t, err)
	require.Nil(t, op)
	d := s.env.Reg.Deps()
	_, link, err := tools.CreateOperator(context.Background(), d, "acct_a", "v@example.com", verify.RoleViewer)
	require.NoError(t, err)
	fast := tools.OperatorOptions{Password: verify.PasswordParams{Time: 1, Memory: 1024, Threads: 1}}
	_, err = tools.OperatorCompleteSetup(context.Background(), d, fast, link[strings.LastIndex(link, "/")+1:], "a long enough passphrase", "", "", tools.Origin{})
	require.NoError(t, err)
	tok, _, err := tools.OperatorLogin(context.Background(), d, fast, "v@example.com", "a long enough passphrase", tools.Origin{})
	require.NoError(t, err)
	r = httptest.NewRequest("GET", "/dashboard/", nil)
	r.Header.Set("User-Agent", "Firefox")
	r.AddCookie(&http.Cookie{Name: dashboard.InsecureSessionCookie, Value: tok})
	op, err = a.Operator(r)
	require.NoError(t, err)
	require.Equal(t, "v@example.com", op.Email)
	require.Equal(t, verify.RoleViewer, op.Role)
	require.Equal(t, "acct_a", op.Caller.AccountID)
	require.Equal(t, "Firefox", op.Caller.UserAgent)
	require.True(t, op.Caller.Has(tools.ScopeKeysRead))
	require.False(t, op.Caller.Has(tools.ScopeReview), "a viewer cannot review")
	require.NotEmpty(t, op.CSRF)
}
