package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kycd/kycd/rest/dashboard"
	"github.com/kycd/kycd/rest/oauth"
	"github.com/kycd/kycd/tools"
)

// OAuthSettings configure kycd as an OAuth protected resource (issue #26, docs/oauth.md).
type OAuthSettings struct {
	// Mode is off, builtin or external; "" = builtin when the dashboard's operator sign-in is
	// available, else off.
	Mode string
	// Issuer is the external identity provider's issuer URL (--oauth=external).
	Issuer string
	// ClaimMap is the JSON file mapping the external provider's claims to accounts, modes and scopes.
	ClaimMap string
	// DynamicRegistration and ClientMetadata switch the two ways clients register.
	DynamicRegistration, ClientMetadata bool
	// AccessTokenTTL is the lifetime of the built-in server's access tokens.
	AccessTokenTTL time.Duration
	// RegistrationsPerIP and RegistrationsGlobal bound dynamic registrations and, separately,
	// metadata-document fetches per RegistrationWindow.
	RegistrationsPerIP, RegistrationsGlobal int
	RegistrationWindow                      time.Duration
}

func (s OAuthSettings) check() error {
	switch s.Mode {
	case "", tools.OAuthOff, tools.OAuthBuiltin:
	case tools.OAuthExternal:
		if s.Issuer == "" {
			return fmt.Errorf("oauth-issuer: required with --oauth=external")
		}
	default:
		return fmt.Errorf("oauth: %q is not off, builtin or external", s.Mode)
	}
	if s.AccessTokenTTL < time.Minute || s.AccessTokenTTL > 24*time.Hour {
		return fmt.Errorf("oauth-access-token-ttl: %v is not between 1m and 24h", s.AccessTokenTTL)
	}
	if s.RegistrationsPerIP < 1 {
		return fmt.Errorf("oauth-registrations-per-ip: %d is not a positive number", s.RegistrationsPerIP)
	}
	if s.RegistrationsGlobal < s.RegistrationsPerIP {
		return fmt.Errorf("oauth-registrations-global: %d is less than --oauth-registrations-per-ip (%d)", s.RegistrationsGlobal, s.RegistrationsPerIP)
	}
	if s.RegistrationWindow < time.Minute || s.RegistrationWindow > 7*24*time.Hour {
		return fmt.Errorf("oauth-registration-window: %v is not between 1m and 168h", s.RegistrationWindow)
	}
	return nil
}

// operatorSignIn returns the dashboard's operator sign-in, the Authenticator of the consent
// page (nil when it cannot be built: the built-in server is then off).
var operatorSignIn = func(a *app) dashboard.Authenticator {
	auth, err := a.dashboardAuth()
	if err != nil {
		a.log.Error("oauth: the operator sign-in cannot start", "err", err)
		return nil
	}
	return auth
}

// operatorsExist asks a sign-in that can tell (HasOperators) whether anyone can sign in; the
// built-in server is the default only then. A sign-in that cannot tell counts as yes.
func operatorsExist(ctx context.Context, ops dashboard.Authenticator) bool {
	h, ok := ops.(interface {
		HasOperators(ctx context.Context) (bool, error)
	})
	if !ok {
		return true
	}
	yes, err := h.HasOperators(ctx)
	return err == nil && yes
}

// oauthRoutes turns OAuth on in the registry (every HTTP surface then accepts access tokens
// beside API keys) and mounts its endpoints.
func (a *app) oauthRoutes(ctx context.Context, mux *http.ServeMux) error {
	s := a.cfg.OAuth
	ops := operatorSignIn(a)
	mode := s.Mode
	if mode == "" {
		mode = tools.OAuthOff
		if ops != nil && operatorsExist(ctx, ops) {
			mode = tools.OAuthBuiltin
		}
	}
	if mode == tools.OAuthOff {
		return nil
	}
	if mode == tools.OAuthBuiltin && ops == nil {
		return fmt.Errorf("oauth: --oauth=builtin needs the dashboard's operator accounts, which this build does not have; use --oauth=external or off")
	}
	if a.cfg.PublicURLDefault {
		a.log.Warn("oauth: no --public-url; the issuer and the resource are " + a.cfg.PublicURL + ", which remote clients cannot reach")
	}
	o := &tools.OAuth{Mode: mode, PublicURL: a.cfg.PublicURL, AccessTokenTTL: s.AccessTokenTTL,
		DynamicRegistration: s.DynamicRegistration, ClientMetadataDocuments: s.ClientMetadata, FetchPolicy: a.cfg.webhookPolicy(),
		Limits: tools.RegistrationLimits{PerIP: s.RegistrationsPerIP, Global: s.RegistrationsGlobal, Window: s.RegistrationWindow}}
	if mode == tools.OAuthExternal {
		x, err := tools.LoadExternalIdP(s.Issuer, s.ClaimMap)
		if err != nil {
			return err
		}
		o.External = x
	}
	d := a.reg.Deps()
	if err := o.Start(ctx, d); err != nil {
		return err
	}
	d.OAuth = o
	h, err := oauth.New(a.reg, oauth.Options{Operators: ops, Logger: a.log})
	if err != nil {
		return err
	}
	for _, p := range h.Patterns() {
		mux.Handle(p, h)
	}
	if mode == tools.OAuthBuiltin {
		go a.rotateOAuthKeys(ctx, o)
	}
	a.log.Info("oauth on", "mode", mode, "issuer", o.Issuer(), "resource", o.Resource(),
		"registration", strings.Join(registrationKinds(s), ","))
	return nil
}

func registrationKinds(s OAuthSettings) []string {
	var out []string
	if s.DynamicRegistration {
		out = append(out, "dynamic")
	}
	if s.ClientMetadata {
		out = append(out, "client-metadata")
	}
	return out
}

// rotateOAuthKeys checks the signing key daily: a fresh one is made when it is due, the
// previous one retired once its tokens have expired.
func (a *app) rotateOAuthKeys(ctx context.Context, o *tools.OAuth) {
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := o.Start(ctx, a.reg.Deps()); err != nil {
				a.log.Warn("oauth key rotation", "err", err)
			}
		}
	}
}
