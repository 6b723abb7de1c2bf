package flow_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/rest/flow"
	"github.com/kycd/kycd/tools"
)

// A verification running a flow shows the flow's steps in its order, in its branding, and the
// session's time left once the applicant has started.
func TestFlowOrderBrandingAndTimer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": "branded",
		"steps":    []any{map[string]any{"type": "consent"}, map[string]any{"type": "screening"}},
		"branding": map[string]any{"name": "Example Bank", "logo_url": "https://cdn.example.com/logo.png", "primary_color": "#0B5FFF", "support_email": "kyc@example.com"},
		"session":  map[string]any{"session_length": 600}}, nil))
	require.Nil(t, e.Call(t, e.Test, "create_flow", map[string]any{"name": "ordered",
		"steps": []any{map[string]any{"type": "document"}, map[string]any{"type": "selfie"}, map[string]any{"type": "screening"}}}, nil))

	// The flow's order: document, then the selfie (the checks alone would give the same; a
	// screening-only flow has no capture page).
	var v tools.CreatedVerification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": "ordered", "applicant": map[string]any{"name": "Ana Silva"}}, &v))
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	require.Equal(t, http.StatusOK, intro.code, intro.body)
	r := e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
	require.Equal(t, base+"/step/document", r.hdr.Get("Location"))
	doc := e.do(t, "GET", base+"/step/document", nil, nil)
	require.Contains(t, doc.body, `data-next="`+base+`/step/selfie"`)

	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"flow": "branded", "applicant": map[string]any{"name": "Ana Silva"}}, &v))
	base = pathOf(t, v.HostedURL)
	intro = e.do(t, "GET", base, nil, nil)
	require.Contains(t, intro.body, "Example Bank")
	require.Contains(t, intro.body, `src="https://cdn.example.com/logo.png"`)
	require.Contains(t, intro.body, `href="`+base+`/brand.css"`)
	require.Contains(t, intro.body, "mailto:kyc@example.com")
	require.Contains(t, intro.hdr.Get("Content-Security-Policy"), "img-src 'self' https://cdn.example.com data:")
	require.NotContains(t, intro.body, `data-session="1"`, "the session has not started")
	css := e.do(t, "GET", base+"/brand.css", nil, nil)
	require.Equal(t, http.StatusOK, css.code)
	require.Contains(t, css.body, "background:#0B5FFF")
	require.Equal(t, "text/css; charset=utf-8", css.hdr.Get("Content-Type"))

	r = e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
	require.Equal(t, http.StatusSeeOther, r.code)
	confirm := e.do(t, "GET", r.hdr.Get("Location"), nil, nil)
	require.Contains(t, confirm.body, `data-session="1"`, "consent started the 10-minute session: the page counts it down")
	var got tools.Verification
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	require.NotNil(t, got.Session.Deadline)
	require.Equal(t, got.Session.Deadline.UnixMilli(), got.ExpiresAt.UnixMilli())

	// Without a flow the look is kycd's.
	plain := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Silva"}})
	p := e.do(t, "GET", pathOf(t, plain.HostedURL), nil, nil)
	require.NotContains(t, p.body, "brand.css")
	require.Equal(t, http.StatusNotFound, e.do(t, "GET", pathOf(t, plain.HostedURL)+"/brand.css", nil, nil).code)
}

// /verify/code continues a session by its 8-digit code; wrong codes are limited per IP.
func TestSessionCodePage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	var v tools.CreatedVerification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "generate_code": true,
		"applicant": map[string]any{"name": "Ana Silva"}}, &v))
	page := e.do(t, "GET", flow.Prefix+"code", nil, map[string]string{"Accept-Language": "de"})
	require.Equal(t, http.StatusOK, page.code)
	require.Contains(t, page.body, "8-stelliger Code")
	require.Contains(t, page.body, `autocomplete="one-time-code"`)

	r := e.do(t, "POST", flow.Prefix+"code", url.Values{"code": {v.Code[:4] + " " + v.Code[4:]}}, nil)
	require.Equal(t, http.StatusSeeOther, r.code)
	require.Equal(t, pathOf(t, v.HostedURL), r.hdr.Get("Location"))
	require.Equal(t, http.StatusOK, e.do(t, "GET", r.hdr.Get("Location"), nil, nil).code)

	// A cross-site form post is refused.
	r = e.do(t, "POST", flow.Prefix+"code", url.Values{"code": {v.Code}}, map[string]string{"Origin": "https://evil.example"})
	require.Equal(t, http.StatusForbidden, r.code)

	wrong := "00000000"
	if wrong == v.Code {
		wrong = "11111111"
	}
	for range 5 {
		r = e.do(t, "POST", flow.Prefix+"code", url.Values{"code": {wrong}}, nil)
		require.Equal(t, http.StatusUnprocessableEntity, r.code)
		require.Contains(t, r.body, "does not open a verification")
	}
	r = e.do(t, "POST", flow.Prefix+"code", url.Values{"code": {v.Code}}, nil)
	require.Equal(t, http.StatusTooManyRequests, r.code, "the sixth try within a minute, even the right code")
	require.Equal(t, "60", r.hdr.Get("Retry-After"))
	require.True(t, strings.Contains(r.body, "Too many wrong codes"))
}
