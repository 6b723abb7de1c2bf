// Package oauthtest runs kycd's HTTP surfaces (MCP, REST, JSON-RPC) with the built-in OAuth
// authorization server in process, behind a test operator sign-in, for the OAuth tests of
// rest/oauth and the end-to-end test with the TypeScript MCP SDK.
package oauthtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest"
	"github.com/kycd/kycd/rest/dashboard"
	"github.com/kycd/kycd/rest/oauth"
	"github.com/kycd/kycd/rpc"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// SessionCookie is the test sign-in's cookie; its value names the operator in Operators.
const SessionCookie = "kycd_test_session"

// Operators is a test dashboard.Authenticator: the cookie's value is the key of the operator.
type Operators map[string]*dashboard.Operator

// Operator implements dashboard.Authenticator.
func (o Operators) Operator(r *http.Request) (*dashboard.Operator, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return nil, nil
	}
	return o[c.Value], nil
}

// Server is the running surfaces.
type Server struct {
	URL   string
	Env   *tooltest.Env
	OAuth *tools.OAuth
	// Operators are "alice" (admin of acct_a) and "viola" (verifications:read only, acct_a).
	// With StartSignIn they are not used: the operators are real (SignInEmail, SignInPassword).
	Operators Operators
}

// The operator StartSignIn creates: admin of acct_a (their own account) and of acct_b.
const (
	SignInEmail    = "olga@example.com"
	SignInPassword = "a long enough passphrase for olga"
)

// Start serves /mcp, /api/v1, /rpc and the OAuth endpoints over store; adjust may change the
// OAuth settings before the server starts. The consent page's operator comes from the test
// cookie SessionCookie.
func Start(t *testing.T, store *db.Store, adjust func(*tools.OAuth)) *Server {
	t.Helper()
	return start(t, store, adjust, false)
}

// StartSignIn is Start with the dashboard's real operator sign-in (/dashboard/login, its
// session cookie, plain http) in front of the consent page, and one real operator
// (SignInEmail) who is admin of acct_a and, as a further account, of acct_b.
func StartSignIn(t *testing.T, store *db.Store, adjust func(*tools.OAuth)) *Server {
	t.Helper()
	return start(t, store, adjust, true)
}

func start(t *testing.T, store *db.Store, adjust func(*tools.OAuth), signIn bool) *Server {
	t.Helper()
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	o := &tools.OAuth{Mode: tools.OAuthBuiltin, PublicURL: srv.URL, DynamicRegistration: true, ClientMetadataDocuments: true}
	if adjust != nil {
		adjust(o)
	}
	e := tooltest.New(t, store, map[models.Check]verify.CheckRunner{models.CheckDocument: tooltest.Check{Outcome: models.OutcomePass}},
		func(_ *jobs.Options, d *tools.Deps) { d.OAuth, d.PublicURL = o, srv.URL })
	if err := o.Start(t.Context(), e.Reg.Deps()); err != nil {
		t.Fatal(err)
	}
	all := append(tools.OAuthScopes(), tools.ScopeKeysRead, tools.ScopeKeysWrite)
	ops := Operators{
		"alice": {UserID: "usr_alice", Email: "alice@example.com", Role: "admin", CSRF: "csrf-alice",
			Caller: tools.Caller{KeyID: "usr_alice", AccountID: "acct_a", Mode: models.ModeTest, Scopes: all}},
		"viola": {UserID: "usr_viola", Email: "viola@example.com", Role: "viewer", CSRF: "csrf-viola",
			Caller: tools.Caller{KeyID: "usr_viola", AccountID: "acct_a", Mode: models.ModeTest, Scopes: []tools.Scope{tools.ScopeVerificationsRead}}},
	}
	auth := func(r *http.Request) (tools.Caller, *tools.Error) {
		c, err := tools.Authenticate(r.Context(), e.Reg.Deps(), tools.BearerToken(r))
		if err != nil {
			return c, tools.AsError(err)
		}
		return c, nil
	}
	mux := http.NewServeMux()
	mux.Handle("/mcp", rpc.MCPHandler(e.Reg, "test", "/mcp", auth, rpc.MCPOptions{}))
	rh, err := rest.New(e.Reg, rest.Options{Authenticate: auth})
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle(rest.BasePath+"/", rh)
	jr, err := rpc.NewJSONRPC(e.Reg, "test")
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/rpc", jr.HTTPHandler(auth))
	var signer dashboard.Authenticator = ops
	if signIn {
		fast := tools.OperatorOptions{Password: verify.PasswordParams{Time: 1, Memory: 1024, Threads: 1}}
		a, err := dashboard.NewAuth(e.Reg, dashboard.AuthOptions{InsecureCookie: true, Operators: fast})
		if err != nil {
			t.Fatal(err)
		}
		a.Routes(mux)
		signer = a
		ctx := t.Context()
		d := e.Reg.Deps()
		_, link, err := tools.CreateOperator(ctx, d, "acct_a", SignInEmail, verify.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tools.OperatorCompleteSetup(ctx, d, fast, link[strings.LastIndex(link, "/")+1:], SignInPassword, "", "", tools.Origin{}); err != nil {
			t.Fatal(err)
		}
		if err := tools.AddOperatorAccount(ctx, d, SignInEmail, "acct_b", verify.RoleAdmin); err != nil {
			t.Fatal(err)
		}
	}
	oh, err := oauth.New(e.Reg, oauth.Options{Operators: signer})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range oh.Patterns() {
		mux.Handle(p, oh)
	}
	h = mux
	return &Server{URL: srv.URL, Env: e, OAuth: o, Operators: ops}
}
