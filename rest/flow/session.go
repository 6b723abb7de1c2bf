package flow

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// session is one request's applicant: the caller the registry knows, its verification as
// get_verification shows it, the language and the flow's steps for it.
type session struct {
	token  string
	caller tools.Caller
	v      tools.Verification
	cat    *catalog
	steps  []string
	// flow is the verification's flow steps and branding (nil without session options).
	flow *tools.VerificationFlow
}

// base is the session's URL path prefix.
func (s *session) base() string { return Prefix + s.token }

// open reports whether the applicant may still act: pending or in progress, not past expiry.
func (s *session) open(now time.Time) bool {
	return (s.v.Status == "pending" || s.v.Status == "in_progress") && now.Before(s.v.ExpiresAt)
}

// shownStatus is the status the applicant sees: an open verification past its expiry is
// expired even before the periodic expiry job has moved it.
func (s *session) shownStatus(now time.Time) string {
	if (s.v.Status == "pending" || s.v.Status == "in_progress") && !now.Before(s.v.ExpiresAt) {
		return "expired"
	}
	return s.v.Status
}

func (h *Handler) now() time.Time {
	if d := h.reg.Deps(); d != nil && d.Store != nil {
		return d.Store.Now()
	}
	return time.Now().UTC()
}

// session authenticates the token and reads the verification, rendering the error page
// itself when it cannot.
func (h *Handler) session(w http.ResponseWriter, r *http.Request, token string) (*session, bool) {
	fallback := h.cats[chooseLang(h.cats, "", r.Header.Get("Accept-Language"))]
	c, err := tools.AuthenticateSession(r.Context(), h.reg.Deps(), token)
	if err != nil {
		h.failSession(w, r, fallback, err)
		return nil, false
	}
	c = tools.WithRequestIP(h.reg.Deps(), c, r)
	// The IP and device signals of every session request (issue #28). The applicant's request
	// does not depend on them: a failure is logged, never shown.
	if err := tools.RecordSessionSignals(r.Context(), h.reg.Deps(), c, r); err != nil {
		h.log.ErrorContext(r.Context(), "flow: record signals", "err", err)
	}
	out, err := h.reg.Call(r.Context(), c, toolGet, idArgs(c.VerificationID, nil))
	if err != nil {
		h.failSession(w, r, fallback, err)
		return nil, false
	}
	v, ok := out.(tools.Verification)
	if !ok {
		h.log.ErrorContext(r.Context(), "flow: get_verification returned an unexpected type", "type", fmt.Sprintf("%T", out))
		h.renderError(w, r, fallback, http.StatusInternalServerError, "error.title", "error.generic")
		return nil, false
	}
	locale := ""
	if v.Locale != nil {
		locale = *v.Locale
	}
	s := &session{token: token, caller: c, v: v, cat: h.cats[chooseLang(h.cats, locale, r.Header.Get("Accept-Language"))]}
	if err := h.loadFlow(r.Context(), s); err != nil {
		h.failSession(w, r, fallback, err)
		return nil, false
	}
	s.steps = s.orderSteps(h.withExtraSteps(s, h.stepsFor(v)))
	return s, true
}

func (h *Handler) failSession(w http.ResponseWriter, r *http.Request, cat *catalog, err error) {
	te := tools.AsError(err)
	if te != nil && te.Code == tools.CodeUnauthenticated {
		h.renderError(w, r, cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
		return
	}
	if te == nil || te.Code == tools.CodeInternal {
		h.log.ErrorContext(r.Context(), "flow: open session", "err", err)
	}
	h.renderError(w, r, cat, http.StatusServiceUnavailable, "error.title", "error.unavailable")
}

// originsFor are the origins that may frame this session's pages: the server's allow-list and
// the one of the key that created the verification.
func (h *Handler) originsFor(s *session) []string {
	out := slices.Clone(h.embedOrigins)
	for _, o := range s.caller.EmbedOrigins {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// testMode reports whether the session belongs to a test-mode key (issue #27: a banner, and
// sample documents at the document step).
func (s *session) testMode() bool { return s.caller.Mode == models.ModeTest }
