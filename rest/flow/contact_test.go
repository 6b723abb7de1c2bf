package flow_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/email"
	"github.com/kycd/kycd/checks/email/emailtest"
	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/rest/flow"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// codeSender stands in for the mail and SMS senders: it keeps the last code sent to each address.
type codeSender struct {
	mu   sync.Mutex
	last map[string]string
}

func (c *codeSender) Send(_ context.Context, m otp.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last[m.To] = m.Code
	return nil
}

func (c *codeSender) code(t *testing.T, to string) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	require.NotEmpty(t, c.last[to], "no code sent to %s", to)
	return c.last[to]
}

// newContactEnv is a flow whose contact service checks addresses against an in-test DNS
// server and hands the codes of test keys to the returned sender.
func newContactEnv(t *testing.T) (*env, *codeSender) {
	t.Helper()
	s := dbtest.SQLite(t)
	e := &env{skew: new(atomic.Int64)}
	var h http.Handler
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(e.srv.Close)
	checks := verify.ContactRunners(s)
	for k, v := range engines() {
		checks[k] = v
	}
	dns := emailtest.Start(t, emailtest.Zone{MX: map[string][]string{"acme.example": {"10 mx.acme.example"}}})
	ec, err := email.NewChecker(email.Config{DNS: email.ResolverConfig{Server: dns.Addr}, Disposable: email.NewDomainSet("test", nil, nil)})
	require.NoError(t, err)
	sender := &codeSender{last: map[string]string{}}
	e.Env = tooltest.New(t, s, checks, func(_ *jobs.Options, d *tools.Deps) { d.PublicURL = e.srv.URL })
	e.Reg.Deps().Contact = verify.NewContact(e.Verify, verify.ContactOptions{Email: ec, Dev: sender})
	fh, err := flow.New(e.Reg, flow.Options{})
	require.NoError(t, err)
	h = fh
	return e, sender
}

var codeIDRE = regexp.MustCompile(`name="code_id" value="(otp_[0-9A-Za-z]+)"`)

// A verification with the email check gets an email step after consent: the applicant types
// the address, gets a code, sees the tries left after a wrong one and moves on with the
// right one; the verification can then be submitted.
func TestEmailStep(t *testing.T) {
	t.Parallel()
	e, sender := newContactEnv(t)
	v := e.create(t, map[string]any{"checks": []string{"email"}, "applicant": map[string]any{"name": "Ana Silva"}})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	require.Equal(t, http.StatusOK, intro.code)
	require.Contains(t, intro.body, "Your email address, confirmed with a code")
	csrf := csrfOf(t, intro.body)
	post := func(form url.Values) resp {
		form.Set("csrf", csrf)
		return e.do(t, "POST", base+"/step/email", form, nil)
	}
	// Before consent nothing is sent: back to the intro.
	r := post(url.Values{"op": {"send"}, "address": {"jane@acme.example"}})
	require.Equal(t, http.StatusSeeOther, r.code, r.body)
	require.Equal(t, base, r.hdr.Get("Location"))
	r = e.do(t, "POST", base+"/step/email", url.Values{"op": {"send"}, "address": {"jane@acme.example"}}, nil)
	require.Equal(t, http.StatusForbidden, r.code, "no CSRF token")

	r = e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}, "consent": {"yes"}}, nil)
	require.Equal(t, base+"/step/email", r.hdr.Get("Location"))
	page := e.do(t, "GET", base+"/step/email", nil, nil)
	require.Equal(t, http.StatusOK, page.code)
	require.Contains(t, page.body, `<label for="address">Email address</label>`)
	require.Contains(t, page.body, `type="email" autocomplete="email"`)

	r = post(url.Values{"op": {"send"}, "address": {""}})
	require.Equal(t, http.StatusUnprocessableEntity, r.code)
	require.Contains(t, r.body, "Enter your email address.")
	r = post(url.Values{"op": {"send"}, "address": {"jane at acme"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.code)
	require.Contains(t, r.body, "Check the address")
	require.Contains(t, r.body, `value="jane at acme"`, "what was typed stays in the field")
	require.Contains(t, r.body, `aria-invalid="true"`)

	r = post(url.Values{"op": {"send"}, "address": {"jane@acme.example"}})
	require.Equal(t, http.StatusSeeOther, r.code, r.body)
	loc := r.hdr.Get("Location")
	require.True(t, strings.HasPrefix(loc, base+"/step/email?code=otp_"), loc)
	require.NotContains(t, loc, "acme", "the address never goes into a URL")
	page = e.do(t, "GET", loc, nil, nil)
	require.Equal(t, http.StatusOK, page.code)
	require.Contains(t, page.body, "We sent a 6-digit code")
	require.Contains(t, page.body, `autocomplete="one-time-code"`)
	require.Contains(t, page.body, "Send a new code")
	codeID := codeIDRE.FindStringSubmatch(page.body)[1]
	right := sender.code(t, "jane@acme.example")

	wrong := "000000"
	if right == wrong {
		wrong = "111111"
	}
	r = post(url.Values{"op": {"confirm"}, "code_id": {codeID}, "code": {wrong}})
	require.Equal(t, http.StatusUnprocessableEntity, r.code)
	require.Contains(t, r.body, "The code is wrong. Tries left: 4.")
	require.Contains(t, r.body, `name="code_id" value="`+codeID+`"`, "the code form stays")
	r = post(url.Values{"op": {"send"}, "address": {"jane@acme.example"}})
	require.Equal(t, http.StatusTooManyRequests, r.code, "a new code only after a minute")
	require.Contains(t, r.body, "wait a minute before asking for a new code")

	// The session cannot confirm another verification's code, nor check an address for it.
	other := e.create(t, map[string]any{"checks": []string{"email"}})
	var theirs tools.EmailCheck
	require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": "bob@acme.example", "send_code": true, "verification_id": other.ID}, &theirs))
	r = post(url.Values{"op": {"confirm"}, "code_id": {theirs.CodeID}, "code": {sender.code(t, "bob@acme.example")}})
	require.Equal(t, http.StatusUnprocessableEntity, r.code)
	require.Contains(t, r.body, "This code no longer works")
	sess, err := tools.AuthenticateSession(t.Context(), e.Reg.Deps(), strings.TrimPrefix(base, flow.Prefix))
	require.NoError(t, err)
	te := e.Call(t, sess, "confirm_code", map[string]any{"code_id": theirs.CodeID, "code": sender.code(t, "bob@acme.example"), "verification_id": v.ID}, nil)
	require.NotNil(t, te)
	require.Equal(t, tools.CodeNotFound, te.Code)
	te = e.Call(t, sess, "verify_email", map[string]any{"email": "bob@acme.example", "send_code": true, "verification_id": other.ID}, nil)
	require.NotNil(t, te)
	require.Equal(t, tools.CodeNotFound, te.Code)

	// Submitting before the address is confirmed is refused: back to the email step.
	r = e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrf}}, nil)
	require.Equal(t, http.StatusSeeOther, r.code, r.body)
	require.Equal(t, base+"/step/email", r.hdr.Get("Location"))

	r = post(url.Values{"op": {"confirm"}, "code_id": {codeID}, "code": {right}})
	require.Equal(t, http.StatusSeeOther, r.code, r.body)
	require.Equal(t, base+"/step/confirm", r.hdr.Get("Location"))
	r = e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrf}}, nil)
	require.Equal(t, http.StatusSeeOther, r.code, r.body)
	require.Equal(t, base+"/result", r.hdr.Get("Location"))
	// The other verification's code was not spent by the session's tries.
	require.Nil(t, e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": theirs.CodeID, "code": sender.code(t, "bob@acme.example")}, nil))
}

// The phone step reads a number without a country code as one from the applicant's country.
func TestPhoneStep(t *testing.T) {
	t.Parallel()
	e, sender := newContactEnv(t)
	v := e.create(t, map[string]any{"checks": []string{"email", "phone"}, "applicant": map[string]any{"name": "Ana Silva", "country": "DE"}})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	csrf := csrfOf(t, intro.body)
	e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrf}, "consent": {"yes"}}, nil)
	page := e.do(t, "GET", base+"/step/phone", nil, nil)
	require.Equal(t, http.StatusOK, page.code)
	require.Contains(t, page.body, `<label for="address">Mobile number</label>`)
	require.Contains(t, page.body, "read as a number from DE")

	post := func(form url.Values) resp {
		form.Set("csrf", csrf)
		return e.do(t, "POST", base+"/step/phone", form, nil)
	}
	r := post(url.Values{"op": {"send"}, "address": {"030 1234567"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.code, r.body)
	require.Contains(t, r.body, "cannot receive text messages")
	r = post(url.Values{"op": {"send"}, "address": {"0151 23456789"}})
	require.Equal(t, http.StatusSeeOther, r.code, r.body)
	page = e.do(t, "GET", r.hdr.Get("Location"), nil, nil)
	codeID := codeIDRE.FindStringSubmatch(page.body)[1]
	r = post(url.Values{"op": {"confirm"}, "code_id": {codeID}, "code": {sender.code(t, "+4915123456789")}})
	require.Equal(t, http.StatusSeeOther, r.code, r.body)
	require.Equal(t, base+"/step/confirm", r.hdr.Get("Location"))
}
