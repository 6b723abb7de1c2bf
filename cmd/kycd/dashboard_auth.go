package main

import (
	"net/http"
	"strings"

	"github.com/kycd/kycd/rest/dashboard"
	"github.com/kycd/kycd/tools"
)

// dashboardAuth builds the operator sign-in of the dashboard once; the dashboard pages and
// the OAuth consent page take it as their dashboard.Authenticator.
func (a *app) dashboardAuth() (*dashboard.Auth, error) {
	if a.opAuth != nil {
		return a.opAuth, nil
	}
	// A plain-http public URL is development (browsers refuse Secure and __Host- cookies over
	// http:// except on localhost, and not all of them there): the cookie is then
	// kycd_session without Secure. Any https:// URL gets __Host-kycd_session, Secure.
	insecure := strings.HasPrefix(a.cfg.PublicURL, "http://")
	if insecure {
		a.log.Warn("dashboard: --public-url is http://, so the operator session cookie is sent without Secure; use https:// in production")
	}
	auth, err := dashboard.NewAuth(a.reg, dashboard.AuthOptions{InsecureCookie: insecure, Logger: a.log,
		Operators: tools.OperatorOptions{Issuer: "kycd"}})
	if err != nil {
		return nil, err
	}
	a.opAuth = auth
	return auth, nil
}

// dashboardAuthRoutes mounts the sign-in, setup and account pages under /dashboard.
func (a *app) dashboardAuthRoutes(mux *http.ServeMux) error {
	auth, err := a.dashboardAuth()
	if err != nil {
		return err
	}
	auth.Routes(mux)
	return nil
}
