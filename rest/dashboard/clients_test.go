package dashboard_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest/dashboard"
)

// The connected-clients page (#26) lists the OAuth grants of the account and mode with their
// scopes and last use; an admin revokes one (its tokens stop working: the grant is revoked in
// the store); a viewer, without keys:read, is refused by the tool.
func TestConnectedClientsPage(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	e := tooltest.New(t, s, nil)
	ctx := t.Context()
	consent := db.OAuthConsent{ClientID: "oac_claude", ClientName: "Agent Desk", UserID: "usr_admin", AccountID: "acct_a",
		Mode: models.ModeTest, Scopes: `["verifications:read"]`, Resource: "https://kyc.example/mcp"}
	require.NoError(t, s.CreateOAuthCode(ctx, "code-1", &db.OAuthCode{OAuthConsent: consent, RedirectURI: "http://127.0.0.1/cb",
		CodeChallenge: "x", ExpiresAt: time.Now().Add(time.Minute)}))
	g, err := s.RedeemOAuthCode(ctx, "code-1", "ogr_test1", "refresh-1", time.Hour, func(*db.OAuthCode) error { return nil })
	require.NoError(t, err)

	h := dashboard.New(e.Reg, newAuth(t, e), dashboard.Options{})
	do := func(role, method, path string, form url.Values) *httptest.ResponseRecorder {
		var r *http.Request
		if form != nil {
			r = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Origin", "http://example.com")
		} else {
			r = httptest.NewRequest(method, path, nil)
		}
		r.AddCookie(&http.Cookie{Name: "as", Value: role})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	page := do("admin", http.MethodGet, "/dashboard/settings/clients", nil)
	require.Equal(t, http.StatusOK, page.Code, page.Body.String())
	require.Contains(t, page.Body.String(), "Agent Desk")
	require.Contains(t, page.Body.String(), "grant-"+g.ID)
	csv := do("admin", http.MethodGet, "/dashboard/settings/clients?format=csv", nil)
	require.Contains(t, csv.Body.String(), "oac_claude")

	viewer := do("viewer", http.MethodGet, "/dashboard/settings/clients", nil)
	require.NotEqual(t, http.StatusOK, viewer.Code, "a viewer cannot list the clients")

	rev := do("admin", http.MethodPost, "/dashboard/settings/clients/"+g.ID+"/revoke", url.Values{"csrf": {testCSRF}})
	require.Less(t, rev.Code, 400, rev.Body.String())
	got, err := s.OAuthGrantByID(ctx, g.ID)
	require.NoError(t, err)
	require.NotNil(t, got.RevokedAt, "the grant is revoked")
}
