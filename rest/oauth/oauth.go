package oauth

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest/dashboard"
	"github.com/kycd/kycd/tools"
)

// DefaultLoginPath is where a visitor without a session is sent to sign in.
const DefaultLoginPath = "/dashboard/login"

// maxForm bounds the bodies of the form and JSON endpoints.
const maxForm = 64 << 10

// Options configure the OAuth endpoints.
type Options struct {
	// Operators finds the signed-in operator of the consent page (required for the built-in server).
	Operators dashboard.Authenticator
	// LoginPath is the sign-in page (default DefaultLoginPath); it gets ?next=… back to the request.
	LoginPath string
	Logger    *slog.Logger
}

// Handler serves the OAuth endpoints for reg's Deps().OAuth.
type Handler struct {
	reg  *tools.Registry
	o    *tools.OAuth
	opts Options
	mux  *http.ServeMux
}

// New builds the handler. reg.Deps().OAuth must be set.
func New(reg *tools.Registry, opts Options) (*Handler, error) {
	o := reg.Deps().OAuth
	if o == nil {
		return nil, errors.New("oauth: the registry has no OAuth configuration")
	}
	if o.Mode == tools.OAuthBuiltin && opts.Operators == nil {
		return nil, errors.New("oauth: the built-in authorization server needs the dashboard's operator sign-in")
	}
	if opts.LoginPath == "" {
		opts.LoginPath = DefaultLoginPath
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	h := &Handler{reg: reg, o: o, opts: opts, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET "+tools.ProtectedResourcePath, h.resourceMetadata(strings.TrimRight(o.PublicURL, "/")))
	h.mux.HandleFunc("GET "+tools.ProtectedResourcePath+"/mcp", h.resourceMetadata(o.Resource()))
	if o.Mode == tools.OAuthBuiltin {
		h.mux.HandleFunc("GET "+tools.AuthorizationServerPath, h.serverMetadata)
		h.mux.HandleFunc("GET "+tools.OAuthJWKSPath, h.jwks)
		h.mux.HandleFunc("GET "+tools.OAuthAuthorizePath, h.authorize)
		h.mux.HandleFunc("POST "+tools.OAuthAuthorizePath, h.consent)
		h.mux.HandleFunc("POST "+tools.OAuthTokenPath, h.token)
		h.mux.HandleFunc("POST "+tools.OAuthRegisterPath, h.register)
		h.mux.HandleFunc("POST "+tools.OAuthRevokePath, h.revoke)
	}
	return h, nil
}

// Patterns are the paths to mount the handler at.
func (h *Handler) Patterns() []string {
	p := []string{tools.ProtectedResourcePath, tools.ProtectedResourcePath + "/"}
	if h.o.Mode == tools.OAuthBuiltin {
		p = append(p, tools.AuthorizationServerPath, "/oauth/")
	}
	return p
}

// ServeHTTP implements http.Handler. The JSON endpoints answer CORS preflights for any origin.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != tools.OAuthAuthorizePath {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, MCP-Protocol-Version")
			w.Header().Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeOAuthError(w http.ResponseWriter, e *tools.OAuthError) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="kycd-oauth"`)
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	writeJSON(w, status, e)
}

func (h *Handler) resourceMetadata(resource string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(h.o.ProtectedResourceMetadata(resource))
	}
}

func (h *Handler) serverMetadata(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(h.o.AuthorizationServerMetadata())
}

func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) {
	b, err := h.o.JWKS(r.Context(), h.reg.Deps())
	if err != nil {
		h.opts.Logger.ErrorContext(r.Context(), "jwks", "err", err)
		writeOAuthError(w, &tools.OAuthError{Code: "temporarily_unavailable", Description: "retry", Status: http.StatusServiceUnavailable})
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(b)
}

// form reads a urlencoded body (bounded) into r.PostForm.
func form(w http.ResponseWriter, r *http.Request) *tools.OAuthError {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return &tools.OAuthError{Code: "invalid_request", Description: "send the parameters as application/x-www-form-urlencoded", Status: http.StatusBadRequest}
	}
	if err := r.ParseForm(); err != nil {
		return &tools.OAuthError{Code: "invalid_request", Description: "the form cannot be read: " + err.Error(), Status: http.StatusBadRequest}
	}
	return nil
}

// clientID is the form's client_id, or the user of HTTP Basic authentication (a public client
// may send it either way; a secret, if any, is ignored: kycd's clients authenticate with PKCE).
func clientID(r *http.Request) string {
	if id := r.PostForm.Get("client_id"); id != "" {
		return id
	}
	if u, _, ok := r.BasicAuth(); ok {
		id, _ := url.QueryUnescape(u)
		return id
	}
	return ""
}

func (h *Handler) token(w http.ResponseWriter, r *http.Request) {
	if e := form(w, r); e != nil {
		writeOAuthError(w, e)
		return
	}
	f := r.PostForm
	res, e := h.o.Token(r.Context(), h.reg.Deps(), tools.TokenRequest{GrantType: f.Get("grant_type"), Code: f.Get("code"),
		RedirectURI: f.Get("redirect_uri"), ClientID: clientID(r), CodeVerifier: f.Get("code_verifier"),
		RefreshToken: f.Get("refresh_token"), Resource: f.Get("resource"), Scope: f.Get("scope")})
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, res)
}

func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	if e := form(w, r); e != nil {
		writeOAuthError(w, e)
		return
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		writeOAuthError(w, &tools.OAuthError{Code: "invalid_request", Description: "token is required", Status: http.StatusBadRequest})
		return
	}
	if e := h.o.Revoke(r.Context(), h.reg.Deps(), tok, clientID(r)); e != nil {
		writeOAuthError(w, e)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxForm))
	if err != nil {
		writeOAuthError(w, &tools.OAuthError{Code: "invalid_client_metadata", Description: "the body cannot be read or is over 64 KiB", Status: http.StatusBadRequest})
		return
	}
	out, e := h.o.RegisterClient(r.Context(), h.reg.Deps(), body, tools.RequestOrigin(h.reg.Deps(), r).IP)
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

// authorizeRequest reads the authorization parameters from the query (GET) or form (POST).
func authorizeRequest(v url.Values) tools.AuthorizeRequest {
	return tools.AuthorizeRequest{ClientID: v.Get("client_id"), RedirectURI: v.Get("redirect_uri"), ResponseType: v.Get("response_type"),
		Scope: v.Get("scope"), State: v.Get("state"), CodeChallenge: v.Get("code_challenge"),
		CodeChallengeMethod: v.Get("code_challenge_method"), Resource: v.Get("resource")}
}

// redirectBack sends the browser to the client's redirect URI with params, the state and the
// issuer (RFC 9207).
func (h *Handler) redirectBack(w http.ResponseWriter, r *http.Request, ar tools.AuthorizeRequest, redirectURI string, params url.Values) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		h.page(w, http.StatusBadRequest, pageData{Error: "The client's redirect URI cannot be used."})
		return
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	if ar.State != "" {
		q.Set("state", ar.State)
	}
	q.Set("iss", h.o.Issuer())
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// check validates the request; an error the client may learn goes back to it, others are shown.
func (h *Handler) check(w http.ResponseWriter, r *http.Request, ar tools.AuthorizeRequest) (*tools.CheckedAuthorize, bool) {
	ar.IP = tools.RequestOrigin(h.reg.Deps(), r).IP
	ca, redirectOK, e := h.o.CheckAuthorize(r.Context(), h.reg.Deps(), ar)
	if e == nil {
		return ca, true
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	if redirectOK {
		redirect := ar.RedirectURI
		if redirect == "" {
			if c, ce := h.o.Client(r.Context(), h.reg.Deps(), ar.ClientID); ce == nil && len(c.RedirectURIs) > 0 {
				redirect = c.RedirectURIs[0]
			}
		}
		h.redirectBack(w, r, ar, redirect, url.Values{"error": {e.Code}, "error_description": {e.Description}})
		return nil, false
	}
	h.page(w, e.Status, pageData{Error: e.Description})
	return nil, false
}

// operator is the signed-in operator, or nil after answering (sign-in redirect or error).
func (h *Handler) operator(w http.ResponseWriter, r *http.Request) *dashboard.Operator {
	op, err := h.opts.Operators.Operator(r)
	if err != nil {
		h.opts.Logger.ErrorContext(r.Context(), "oauth consent: operator", "err", err)
		h.page(w, http.StatusServiceUnavailable, pageData{Error: "The sign-in cannot be checked right now; retry."})
		return nil
	}
	if op == nil {
		if r.Method != http.MethodGet {
			h.page(w, http.StatusForbidden, pageData{Error: "Your session ended; start the connection again from the client."})
			return nil
		}
		next := tools.OAuthAuthorizePath + "?" + r.URL.RawQuery
		http.Redirect(w, r, h.opts.LoginPath+"?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	}
	return op
}

// begin reads and checks an authorization request and finds the operator; ok false means
// the answer has been written.
func (h *Handler) begin(w http.ResponseWriter, r *http.Request, v url.Values) (tools.AuthorizeRequest, *tools.CheckedAuthorize, *dashboard.Operator, bool) {
	ar := authorizeRequest(v)
	ca, ok := h.check(w, r, ar)
	if !ok {
		return ar, nil, nil, false
	}
	op := h.operator(w, r)
	return ar, ca, op, op != nil
}

func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) {
	ar, ca, op, ok := h.begin(w, r, r.URL.Query())
	if !ok {
		return
	}
	accounts, ok := h.accounts(w, r, op)
	if !ok {
		return
	}
	offered := offeredScopes(ca.Scopes, accounts)
	if len(offered) == 0 {
		h.redirectBack(w, r, ar, redirectOf(ar, ca), url.Values{"error": {"invalid_scope"},
			"error_description": {"the operator's role holds none of the requested scopes"}})
		return
	}
	h.page(w, http.StatusOK, consentData(ar, ca, op, accounts, offered))
}

// accounts are the accounts the operator may consent for: their own (with the scopes of their
// session's role) first, then the further accounts they hold a role in. ok false means the
// answer has been written.
func (h *Handler) accounts(w http.ResponseWriter, r *http.Request, op *dashboard.Operator) ([]tools.OperatorAccount, bool) {
	out := []tools.OperatorAccount{{AccountID: op.Caller.AccountID, Role: op.Role, Scopes: op.Caller.Scopes}}
	more, err := tools.OperatorMemberships(r.Context(), h.reg.Deps(), op.UserID)
	if err != nil {
		h.opts.Logger.ErrorContext(r.Context(), "oauth consent: accounts", "err", err)
		h.page(w, http.StatusServiceUnavailable, pageData{Error: "Your accounts cannot be read right now; retry."})
		return nil, false
	}
	for _, a := range more {
		if a.AccountID != op.Caller.AccountID {
			out = append(out, a)
		}
	}
	return out, true
}

// offeredScopes are the requested scopes the operator's role holds in at least one of their
// accounts: nobody grants more than they have (the chosen account's role is checked on approval).
func offeredScopes(asked []tools.Scope, accounts []tools.OperatorAccount) []tools.Scope {
	var out []tools.Scope
	for _, s := range asked {
		for _, a := range accounts {
			if slices.Contains(a.Scopes, s) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

func redirectOf(ar tools.AuthorizeRequest, ca *tools.CheckedAuthorize) string {
	if ar.RedirectURI != "" {
		return ar.RedirectURI
	}
	return ca.Client.RedirectURIs[0]
}

func (h *Handler) consent(w http.ResponseWriter, r *http.Request) {
	if e := form(w, r); e != nil {
		h.page(w, http.StatusBadRequest, pageData{Error: e.Description})
		return
	}
	f := r.PostForm
	ar, ca, op, ok := h.begin(w, r, f)
	if !ok {
		return
	}
	if op.CSRF == "" || subtle.ConstantTimeCompare([]byte(f.Get("csrf")), []byte(op.CSRF)) != 1 {
		h.page(w, http.StatusForbidden, pageData{Error: "This form expired or did not come from kycd; start the connection again from the client."})
		return
	}
	if f.Get("action") != "approve" {
		h.redirectBack(w, r, ar, redirectOf(ar, ca), url.Values{"error": {"access_denied"}, "error_description": {"the operator declined"}})
		return
	}
	accounts, ok := h.accounts(w, r, op)
	if !ok {
		return
	}
	offered := offeredScopes(ca.Scopes, accounts)
	var chosen []tools.Scope
	for _, s := range f["scope_choice"] {
		if !slices.Contains(offered, tools.Scope(s)) {
			h.page(w, http.StatusBadRequest, pageData{Error: "The scope " + s + " was not offered."})
			return
		}
		if !slices.Contains(chosen, tools.Scope(s)) {
			chosen = append(chosen, tools.Scope(s))
		}
	}
	mode := models.Mode(f.Get("mode"))
	d := consentData(ar, ca, op, accounts, offered)
	i := slices.IndexFunc(accounts, func(a tools.OperatorAccount) bool { return a.AccountID == f.Get("account") })
	switch {
	case i < 0:
		d.Error = "Choose one of your accounts."
	case mode != models.ModeTest && mode != models.ModeLive:
		d.Error = "Choose test or live mode."
	case len(chosen) == 0:
		d.Error = "Choose at least one permission."
	default:
		if missing := slices.DeleteFunc(slices.Clone(chosen), func(s tools.Scope) bool { return slices.Contains(accounts[i].Scopes, s) }); len(missing) > 0 {
			d.Error = "Your role in " + accounts[i].AccountID + " (" + accounts[i].Role + ") does not include " + strings.Join(scopeNames(missing), ", ") +
				"; untick it or choose another account."
		}
	}
	if d.Error != "" {
		d.Account, d.Mode = f.Get("account"), string(mode)
		for j := range d.Scopes {
			d.Scopes[j].Checked = slices.Contains(chosen, tools.Scope(d.Scopes[j].Name))
		}
		h.page(w, http.StatusUnprocessableEntity, d)
		return
	}
	account := accounts[i].AccountID
	code, err := h.o.IssueCode(r.Context(), h.reg.Deps(), ar, ca, tools.Consent{UserID: op.UserID, AccountID: account, Mode: mode, Scopes: chosen})
	if err != nil {
		h.opts.Logger.ErrorContext(r.Context(), "oauth consent: issue code", "err", err)
		h.page(w, http.StatusServiceUnavailable, pageData{Error: "The approval cannot be recorded right now; retry."})
		return
	}
	h.redirectBack(w, r, ar, redirectOf(ar, ca), url.Values{"code": {code}})
}

// pageData is what the consent template shows.
type pageData struct {
	Error        string
	ClientName   string
	ClientID     string
	RedirectHost string
	Email        string
	Accounts     []accountChoice
	Account      string
	Mode         string
	Scopes       []scopeChoice
	Hidden       map[string]string
	CSRF         string
	Resource     string
}

func scopeNames(s []tools.Scope) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}

type accountChoice struct {
	ID, Role string
}

type scopeChoice struct {
	Name    string
	Checked bool
}

func consentData(ar tools.AuthorizeRequest, ca *tools.CheckedAuthorize, op *dashboard.Operator, accounts []tools.OperatorAccount, offered []tools.Scope) pageData {
	host := redirectOf(ar, ca)
	if u, err := url.Parse(host); err == nil && u.Host != "" {
		host = u.Scheme + "://" + u.Host
	}
	name := ca.Client.Name
	if name == "" {
		name = "An unnamed client"
	}
	d := pageData{ClientName: name, ClientID: ca.Client.ID, RedirectHost: host, Email: op.Email,
		Account: op.Caller.AccountID, Mode: string(models.ModeTest), CSRF: op.CSRF, Resource: ca.Resource,
		Hidden: map[string]string{"client_id": ar.ClientID, "redirect_uri": ar.RedirectURI, "response_type": ar.ResponseType,
			"scope": ar.Scope, "state": ar.State, "code_challenge": ar.CodeChallenge, "code_challenge_method": ar.CodeChallengeMethod,
			"resource": ar.Resource}}
	for _, a := range accounts {
		d.Accounts = append(d.Accounts, accountChoice{ID: a.AccountID, Role: a.Role})
	}
	for _, s := range offered {
		d.Scopes = append(d.Scopes, scopeChoice{Name: string(s), Checked: true})
	}
	return d
}

func (h *Handler) page(w http.ResponseWriter, status int, d pageData) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	hd.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	if err := consentPage.Execute(w, d); err != nil {
		h.opts.Logger.Error("oauth consent page", "err", err)
	}
}

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Connect a client to kycd</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
fieldset{border:1px solid #ccc;border-radius:.4rem;margin:1rem 0}.err{color:#a00}.host{font-family:monospace}
button{padding:.5rem 1.2rem;margin-right:.5rem}</style></head><body>
{{if and .Error (not .ClientID)}}<h1>Cannot connect</h1><p class="err" role="alert">{{.Error}}</p>{{else}}
<h1>Connect “{{.ClientName}}” to kycd</h1>
<p>Signed in as {{.Email}}. <strong>{{.ClientName}}</strong> asks to call kycd's tools on your behalf.
After you approve, you are sent back to <span class="host">{{.RedirectHost}}</span>.</p>
<p><small>Client id: <span class="host">{{.ClientID}}</span></small></p>
{{if .Error}}<p class="err" role="alert">{{.Error}}</p>{{end}}
<form method="post" action="/oauth/authorize">
<input type="hidden" name="csrf" value="{{.CSRF}}">
{{range $k, $v := .Hidden}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}
<fieldset><legend>Account</legend><label for="account">The client will act for this account only</label><br>
<select name="account" id="account">{{range .Accounts}}<option value="{{.ID}}"{{if eq .ID $.Account}} selected{{end}}>{{.ID}}{{if .Role}} ({{.Role}}){{end}}</option>{{end}}</select></fieldset>
<fieldset><legend>Mode</legend>
<label><input type="radio" id="mode-test" name="mode" value="test"{{if ne .Mode "live"}} checked{{end}}> Test (sandbox data)</label><br>
<label><input type="radio" id="mode-live" name="mode" value="live"{{if eq .Mode "live"}} checked{{end}}> Live (real applicants)</label></fieldset>
<fieldset><legend>Permissions</legend>
{{range .Scopes}}<label><input type="checkbox" name="scope_choice" value="{{.Name}}"{{if .Checked}} checked{{end}}> {{.Name}}</label><br>
{{end}}</fieldset>
<button type="submit" name="action" value="approve" id="approve">Approve</button>
<button type="submit" name="action" value="deny" id="deny">Deny</button>
</form>{{end}}
</body></html>
`))
