package dashboard_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// The OAuth consent page sends operators to sign in with next=/oauth/authorize?…: the sign-in
// brings them back there (and nowhere else outside the dashboard). A browser posts the sign-in
// form of a no-referrer page with Origin: null; its Sec-Fetch-Site: same-origin vouches for it,
// while Origin: null alone is still refused.
func TestSignInBackToOAuthConsent(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := context.Background()
	d := s.env.Reg.Deps()
	_, link, err := tools.CreateOperator(ctx, d, "acct_a", "consent@example.com", verify.RoleAdmin)
	require.NoError(t, err)
	fast := tools.OperatorOptions{Password: verify.PasswordParams{Time: 1, Memory: 1024, Threads: 1}}
	_, err = tools.OperatorCompleteSetup(ctx, d, fast, link[strings.LastIndex(link, "/")+1:], "a long enough passphrase", "", "", tools.Origin{})
	require.NoError(t, err)
	noFollow := *s.client
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	login := func(next string, hdr map[string]string) *http.Response {
		form := url.Values{"email": {"consent@example.com"}, "password": {"a long enough passphrase"}, "next": {next}}
		req, _ := http.NewRequest("POST", s.srv.URL+"/dashboard/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := noFollow.Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res
	}
	consent := "/oauth/authorize?client_id=oac_1&response_type=code"
	res := login(consent, map[string]string{"Origin": "null", "Sec-Fetch-Site": "same-origin"})
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	require.Equal(t, consent, res.Header.Get("Location"))
	require.Equal(t, http.StatusForbidden, login(consent, map[string]string{"Origin": "null"}).StatusCode)
	require.Equal(t, http.StatusForbidden, login(consent, map[string]string{"Origin": "null", "Sec-Fetch-Site": "cross-site"}).StatusCode)
	for _, next := range []string{"/oauth/authorizeX", "/oauth/token?x=1", "//evil.example/oauth/authorize?x"} {
		res := login(next, nil)
		require.Equal(t, http.StatusSeeOther, res.StatusCode, next)
		require.Equal(t, "/dashboard/", res.Header.Get("Location"), next)
	}
}
