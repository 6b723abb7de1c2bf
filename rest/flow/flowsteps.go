package flow

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// Flows (issue #22): a verification that runs a flow shows the flow's steps in the flow's
// order, in its branding, with the session's time left; /verify/code continues a session on
// another device with its 8-digit code.

var toolFlow = tools.GetVerificationFlow.Name

// flowPages are the hosted pages of the flow's step types (consent is the intro; the others
// have no page here).
var flowPages = map[models.StepType]string{
	models.StepDocument: stepDocument, models.StepSelfie: stepSelfie, models.StepLiveness: stepLiveness,
	models.StepEmail: stepEmail, models.StepPhone: stepPhone, models.StepProofOfAddress: stepAddress, models.StepNFC: stepNFC,
	models.StepQuestionnaire: stepQuestionnaire, models.StepSelfieWithDocument: stepSelfieDoc,
}

// loadFlow reads the steps and branding of a verification with session options.
func (h *Handler) loadFlow(ctx context.Context, s *session) error {
	if s.v.Session == nil || !h.hasTool(toolFlow) {
		return nil
	}
	out, err := h.reg.Call(ctx, s.caller, toolFlow, idArgs(s.v.ID, nil))
	if err != nil {
		return err
	}
	f, ok := out.(tools.VerificationFlow)
	if !ok {
		return fmt.Errorf("%s returned %T", toolFlow, out)
	}
	s.flow = &f
	return nil
}

// orderSteps puts the pages stepsFor found in the flow's order: the intro, the flow's steps
// as it lists them, then pages the checks need that the flow did not name (the selfie that
// liveness judges), the confirmation and the result. A passive liveness step needs no page.
func (s *session) orderSteps(steps []string) []string {
	if s.flow == nil || len(s.flow.Steps) == 0 || s.flow.Flow == nil {
		return steps // no flow: its additional_steps are in place already (withExtraSteps)
	}
	out := []string{stepIntro}
	n := 0 // additional documents so far
	for _, fs := range s.flow.Steps {
		p := flowPage(fs, &n)
		if p == "" || !slices.Contains(steps, p) || slices.Contains(out, p) {
			continue
		}
		if fs.Type == models.StepLiveness && fs.LivenessMode == "passive" {
			continue
		}
		if p == stepLiveness && !slices.Contains(out, stepSelfie) && slices.Contains(steps, stepSelfie) {
			out = append(out, stepSelfie) // liveness judges the selfie: it comes first
		}
		out = append(out, p)
	}
	for _, p := range steps {
		if !slices.Contains(out, p) && p != stepConfirm && p != stepResult && !(p == stepLiveness && s.passiveLiveness()) {
			out = append(out, p)
		}
	}
	return append(out, stepConfirm, stepResult)
}

func (s *session) passiveLiveness() bool {
	return s.flow != nil && slices.ContainsFunc(s.flow.Steps, func(f models.FlowStep) bool {
		return f.Type == models.StepLiveness && f.LivenessMode == "passive"
	})
}

// brand is the flow's look on a page.
type brand struct {
	Name, Logo, SupportEmail, SupportURL string
	// CSS is the session's brand stylesheet (the primary colour); "" for kycd's look.
	CSS string
	// logoOrigin is added to the page's img-src.
	logoOrigin string
}

// applyFlow sets a page's branding and session timer.
func (s *session) applyFlow(p *page) {
	if s.flow == nil {
		return
	}
	if b := s.flow.Branding; b != nil {
		p.Brand = &brand{Name: b.Name, SupportEmail: b.SupportEmail, SupportURL: b.SupportURL}
		if u, err := url.Parse(b.LogoURL); err == nil && u.Scheme == "https" && u.Host != "" {
			p.Brand.Logo, p.Brand.logoOrigin = b.LogoURL, "https://"+u.Host
		}
		if b.PrimaryColor != "" {
			p.Brand.CSS = s.base() + "/brand.css"
		}
	}
	p.SessionTimer = s.flow.Deadline != nil
}

// brandCSS serves the session's primary colour as a stylesheet: the page's CSP allows
// styles from this origin only, never inline.
func (h *Handler) brandCSS(w http.ResponseWriter, r *http.Request, s *session) {
	c := ""
	if s.flow != nil && s.flow.Branding != nil {
		c = s.flow.Branding.PrimaryColor
	}
	if !colorOK(c) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	fmt.Fprintf(w, "header{background:%[1]s}a{color:%[1]s}button,.button{border-color:%[1]s;color:%[1]s}"+
		"button.primary,.button.primary{background:%[1]s;color:#fff}.progress li.current{border-color:%[1]s;color:%[1]s}.notice{border-color:%[1]s}\n", c)
}

// colorOK accepts #rrggbb only (validate_flow's rule), so nothing else reaches the CSS.
func colorOK(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	return strings.Trim(strings.ToLower(c[1:]), "0123456789abcdef") == ""
}

// withLogo lets a page's CSP load the brand logo.
func withLogo(w http.ResponseWriter, p *page) {
	if p.Brand == nil || p.Brand.logoOrigin == "" {
		return
	}
	csp := w.Header().Get("Content-Security-Policy")
	w.Header().Set("Content-Security-Policy", strings.Replace(csp, "img-src 'self'", "img-src 'self' "+p.Brand.logoOrigin, 1))
}

// codePage is /verify/code: the applicant types the 8-digit code of a session (shown by the
// integrator's app or desk) and continues it here. Wrong codes count against the client's
// IP (tools.RedeemSessionCodeRequest: 5 a minute).
func (h *Handler) codePage(w http.ResponseWriter, r *http.Request) {
	cat := h.cats[chooseLang(h.cats, r.URL.Query().Get("lang"), r.Header.Get("Accept-Language"))]
	p := &page{Lang: cat.lang, L: cat, Nonce: newNonce(), Step: "code", StepIndex: -1, JSMsgs: jsMessages(cat),
		Action: Prefix + "code", Embed: strings.Join(h.embedOrigins, " "), Poll: int(h.opts.PollInterval / time.Millisecond)}
	switch {
	case isGet(r):
		h.render(w, r, "code", http.StatusOK, p)
		return
	case r.Method != http.MethodPost:
		h.renderError(w, r, cat, http.StatusMethodNotAllowed, "error.title", "error.generic")
		return
	}
	if site := r.Header.Get("Sec-Fetch-Site"); (site != "" && site != "same-origin" && site != "none") ||
		(r.Header.Get("Origin") != "" && r.Header.Get("Origin") != "null" && !h.sameOrigin(r, r.Header.Get("Origin"))) {
		h.renderError(w, r, cat, http.StatusForbidden, "error.title", "error.csrf")
		return
	}
	tok, err := tools.RedeemSessionCodeRequest(h.reg.Deps(), r, r.PostFormValue("code"))
	if err == nil {
		w.Header().Set("Referrer-Policy", "no-referrer")
		http.Redirect(w, r, Prefix+tok, http.StatusSeeOther)
		return
	}
	te := tools.AsError(err)
	switch {
	case te != nil && te.Code == tools.CodeRateLimited:
		p.Error = "code.limited"
		w.Header().Set("Retry-After", fmt.Sprint(te.RetryAfterSeconds))
		h.render(w, r, "code", http.StatusTooManyRequests, p)
	case te != nil && te.Code == tools.CodeNotFound:
		p.Error = "code.wrong"
		h.render(w, r, "code", http.StatusUnprocessableEntity, p)
	default:
		h.log.ErrorContext(r.Context(), "flow: redeem session code", "err", err)
		h.renderError(w, r, cat, http.StatusServiceUnavailable, "error.title", "error.unavailable")
	}
}
