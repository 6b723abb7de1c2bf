package dashboard_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/rest/dashboard"
	"github.com/kycd/kycd/tools"
)

// Without operator accounts the dashboard says so (503) instead of serving pages; the sign-in
// routes are left to the operator accounts; static files are served to anybody.
func TestDashboardWithoutOperators(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(nil, tools.All()...)
	require.NoError(t, err)
	h := dashboard.New(reg, nil, dashboard.Options{})
	for path, want := range map[string]int{
		"/dashboard/":                       http.StatusServiceUnavailable,
		"/dashboard/queue":                  http.StatusServiceUnavailable,
		"/dashboard/login":                  http.StatusNotFound,
		"/dashboard/setup/abc":              http.StatusNotFound,
		"/dashboard/static/dashboard.css":   http.StatusOK,
		"/dashboard/static/dashboard.js":    http.StatusOK,
		"/dashboard/static/../doc.go":       http.StatusNotFound,
		"/dashboard/static/nothing-here.js": http.StatusNotFound,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, want, rec.Code, path)
		if want == http.StatusServiceUnavailable {
			require.Contains(t, rec.Body.String(), "no operator accounts yet")
			csp := rec.Header().Get("Content-Security-Policy")
			require.Contains(t, csp, "script-src 'self'")
			require.NotContains(t, csp, "unsafe-inline")
			require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
		}
	}
}

// Signed out, a page sends to the sign-in route with the way back; a POST is refused.
func TestDashboardSignedOut(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(nil, tools.All()...)
	require.NoError(t, err)
	h := dashboard.New(reg, testAuth{ops: map[string]*dashboard.Operator{}}, dashboard.Options{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/dashboard/cases/ver_1?x=1", nil))
	require.Equal(t, http.StatusSeeOther, rec.Code)
	require.Equal(t, "/dashboard/login?next=%2Fdashboard%2Fcases%2Fver_1%3Fx%3D1", rec.Header().Get("Location"))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/dashboard/cases/ver_1/review", strings.NewReader("csrf=x")))
	require.Equal(t, http.StatusUnauthorized, rec.Code)
}
