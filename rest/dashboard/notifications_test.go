package dashboard_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest/dashboard"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
	"github.com/kycd/kycd/webhook"
)

// operatorAuth signs in the operator the cookie "as" names, with their real user identity.
type operatorAuth map[string]*dashboard.Operator

func (a operatorAuth) Operator(r *http.Request) (*dashboard.Operator, error) {
	c, err := r.Cookie("as")
	if err != nil {
		return nil, nil
	}
	return a[c.Value], nil
}

// The notifications page shows the operator's own settings, saves them through the tool
// (CSRF required), shows a new webhook secret once, and offers the key and endpoint notices
// to admins only.
func TestNotificationsPage(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	policy := webhook.Policy{AllowHTTP: true, AllowPrivate: true}
	e := tooltest.New(t, s, nil)
	e.Reg.Deps().Webhooks = policy
	auth := operatorAuth{}
	for _, role := range []string{verify.RoleAdmin, verify.RoleViewer} {
		c := e.Operator(t, "acct_a", models.ModeTest, role, role+"@ops.example.com")
		auth[role] = &dashboard.Operator{UserID: c.UserID, Email: c.UserEmail, Role: role, Caller: c, CSRF: testCSRF}
	}
	h := dashboard.New(e.Reg, auth, dashboard.Options{})
	do := func(role, method, path string, form url.Values) *httptest.ResponseRecorder {
		var r *http.Request
		if form != nil {
			r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r = httptest.NewRequest(method, path, nil)
		}
		r.AddCookie(&http.Cookie{Name: "as", Value: role})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	page := do("viewer", http.MethodGet, "/dashboard/settings/notifications", nil)
	require.Equal(t, http.StatusOK, page.Code, page.Body.String())
	require.Contains(t, page.Body.String(), "viewer@ops.example.com")
	require.Contains(t, page.Body.String(), `name="case_review"`)
	require.NotContains(t, page.Body.String(), `name="key_expiring"`, "key notices are for admins")
	admin := do("admin", http.MethodGet, "/dashboard/settings/notifications", nil)
	require.Contains(t, admin.Body.String(), `name="key_expiring"`)

	form := url.Values{"email": {"on"}, "case_review": {"digest"}, "screening_match": {"immediate"}, "digest_hour": {"7"}}
	noCSRF := do("viewer", http.MethodPost, "/dashboard/settings/notifications", form)
	require.Equal(t, http.StatusForbidden, noCSRF.Code)
	form.Set("csrf", testCSRF)
	saved := do("viewer", http.MethodPost, "/dashboard/settings/notifications", form)
	require.Equal(t, http.StatusSeeOther, saved.Code, saved.Body.String())
	var st tools.NotificationSettings
	require.Nil(t, e.Call(t, auth["viewer"].Caller, "get_notification_settings", map[string]any{}, &st))
	require.True(t, st.Email)
	require.Equal(t, "digest", st.CaseReview)
	require.Equal(t, "immediate", st.ScreeningMatch)
	require.Equal(t, 7, st.DigestHour)

	// A viewer's forged key_expiring is refused by the tool, shown on the page.
	form.Set("key_expiring", "immediate")
	bad := do("viewer", http.MethodPost, "/dashboard/settings/notifications", form)
	require.Equal(t, http.StatusUnprocessableEntity, bad.Code)
	require.Contains(t, bad.Body.String(), "only admins")

	// A webhook: its secret is shown in the answer, not in a redirect.
	hook := do("admin", http.MethodPost, "/dashboard/settings/notifications", url.Values{"csrf": {testCSRF}, "webhook_url": {"http://127.0.0.1:9/team"}})
	require.Equal(t, http.StatusOK, hook.Code, hook.Body.String())
	require.Contains(t, hook.Body.String(), "whsec_")
	again := do("admin", http.MethodGet, "/dashboard/settings/notifications", nil)
	require.NotContains(t, again.Body.String(), "whsec_", "shown once")
	require.Contains(t, again.Body.String(), "http://127.0.0.1:9/team")
}
