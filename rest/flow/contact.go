package flow

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kycd/kycd/tools"
)

// The email and phone steps. A verification that asks for the email or phone check cannot be
// submitted until an address of that kind is attached and confirmed, so the flow asks for it:
// the applicant types the address, the page sends a code (verify_email / verify_phone with
// send_code, attached to the session's verification) and the applicant types the code
// (confirm_code). Plain forms, POST and redirect: no script needed. The code's id travels in
// the page (the query after the redirect, a hidden field after); it is no secret to the
// session, which can confirm only codes of its own verification. The address never goes
// into a URL.

// contactTools are the tools of each step: the check that sends the code, and its input field.
var contactTools = map[string]struct{ tool, field string }{
	stepEmail: {tools.VerifyEmail.Name, "email"},
	stepPhone: {tools.VerifyPhone.Name, "phone"},
}

var toolConfirmCode = tools.ConfirmCode.Name

// codeIDRE is the form of a code id the page may carry.
var codeIDRE = regexp.MustCompile(`^otp_[0-9A-Za-z]{1,60}$`)

// contactStep shows the address form or, after a code was sent (?code=otp_…), the code form.
func (h *Handler) contactStep(w http.ResponseWriter, r *http.Request, s *session, p *page) {
	p.Contact = p.Step
	if id := r.URL.Query().Get("code"); codeIDRE.MatchString(id) {
		p.CodeID = id
	}
	h.renderContact(w, r, s, http.StatusOK, p)
}

func (h *Handler) renderContact(w http.ResponseWriter, r *http.Request, s *session, code int, p *page) {
	if s.v.Applicant != nil {
		p.Country = s.v.Applicant.Country
	}
	h.render(w, r, "contact", code, p)
}

// contactPost sends a code (op=send, also "send a new code") or confirms one (op=confirm).
func (h *Handler) contactPost(w http.ResponseWriter, r *http.Request, s *session, name string) {
	if !h.guardPost(w, r, s, r.PostFormValue("csrf")) {
		return
	}
	if !s.open(h.now()) {
		http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
		return
	}
	ct, ok := contactTools[name]
	if !ok || !slices.Contains(s.steps, name) {
		h.renderError(w, r, s.cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
		return
	}
	p := h.newPage(r, s, name)
	p.Contact = name
	if r.PostFormValue("op") == "confirm" {
		if id := r.PostFormValue("code_id"); codeIDRE.MatchString(id) {
			p.CodeID = id
		}
		typed := strings.TrimSpace(r.PostFormValue("code"))
		switch {
		case p.CodeID == "":
			p.Error, p.ErrorOn = "contact.code.dead", "code"
		case typed == "":
			p.Error, p.ErrorOn = "contact.code.required", "code"
		}
		if p.Error != "" {
			h.renderContact(w, r, s, http.StatusUnprocessableEntity, p)
			return
		}
		args, _ := json.Marshal(map[string]any{"code_id": p.CodeID, "code": typed, "verification_id": s.caller.VerificationID})
		if _, err := h.reg.Call(r.Context(), s.caller, toolConfirmCode, args); err != nil {
			h.contactFailed(w, r, s, p, err)
			return
		}
		http.Redirect(w, r, s.stepURL(s.next(name)), http.StatusSeeOther)
		return
	}
	p.Address = strings.TrimSpace(r.PostFormValue("address"))
	if p.Address == "" {
		p.Error, p.ErrorOn = "contact."+name+".required", "address"
		h.renderContact(w, r, s, http.StatusUnprocessableEntity, p)
		return
	}
	args, _ := json.Marshal(map[string]any{ct.field: p.Address, "send_code": true, "verification_id": s.caller.VerificationID})
	out, err := h.reg.Call(r.Context(), s.caller, ct.tool, args)
	if err != nil {
		p.CodeID = "" // a failed send shows the address form again
		h.contactFailed(w, r, s, p, err)
		return
	}
	var codeID string
	switch o := out.(type) {
	case tools.EmailCheck:
		codeID = o.CodeID
	case tools.PhoneCheck:
		codeID = o.CodeID
	}
	if !codeIDRE.MatchString(codeID) {
		h.log.ErrorContext(r.Context(), "flow: no code sent", "verification", s.caller.VerificationID, "tool", ct.tool)
		h.renderError(w, r, s.cat, http.StatusInternalServerError, "error.title", "error.generic")
		return
	}
	http.Redirect(w, r, s.stepURL(name)+"?code="+url.QueryEscape(codeID), http.StatusSeeOther)
}

// attemptsRE reads the attempts left from confirm_code's invalid_argument message.
var attemptsRE = regexp.MustCompile(`(\d+) attempt`)

// contactFailed shows why a send or a confirmation did not work, in the applicant's words.
// A high-risk address (a disposable mailbox, say) is no error: it is confirmed like any other
// and the check sends the verification to review later.
func (h *Handler) contactFailed(w http.ResponseWriter, r *http.Request, s *session, p *page, err error) {
	te := tools.AsError(err)
	status := http.StatusUnprocessableEntity
	switch {
	case te == nil:
		h.log.ErrorContext(r.Context(), "flow: contact step", "verification", s.caller.VerificationID, "err", err)
		p.Error, status = "error.generic", http.StatusInternalServerError
	case te.Code == tools.CodeConflict && strings.HasPrefix(te.Message, tools.ConsentRequired):
		http.Redirect(w, r, s.stepURL(stepIntro), http.StatusSeeOther) // the step was opened before consent
		return
	case te.Code == tools.CodeConflict && te.Field == "verification_id":
		http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther) // closed meanwhile
		return
	case te.Code == tools.CodeRateLimited:
		w.Header().Set("Retry-After", strconv.Itoa(max(te.RetryAfterSeconds, 1)))
		p.Error, p.ErrorOn, status = "contact.wait", "address", http.StatusTooManyRequests
	case te.Code == tools.CodeUnavailable:
		p.Error, status = "error.unavailable", http.StatusServiceUnavailable
	case te.Code == tools.CodeInvalidArgument && te.Field == "code":
		p.Error, p.ErrorOn = "contact.code.wrong", "code"
		if m := attemptsRE.FindStringSubmatch(te.Message); m != nil {
			p.ErrorN, _ = strconv.Atoi(m[1])
		}
		if p.ErrorN == 0 {
			p.Error = "contact.code.dead"
		}
	case te.Code == tools.CodeConflict && strings.Contains(te.Message, "expired"):
		p.Error, p.ErrorOn = "contact.code.expired", "code"
	case te.Code == tools.CodeConflict, te.Code == tools.CodeNotFound:
		p.Error, p.ErrorOn = "contact.code.dead", "code" // used, burnt, replaced, not this verification's
	case te.Code == tools.CodeInvalidArgument && p.Contact == stepPhone && strings.Contains(te.Message, "SMS"):
		p.Error, p.ErrorOn = "contact.phone.no_sms", "address"
	case te.Code == tools.CodeInvalidArgument:
		p.Error, p.ErrorOn = "contact."+p.Contact+".invalid", "address"
	default:
		h.log.ErrorContext(r.Context(), "flow: contact step", "verification", s.caller.VerificationID, "err", err)
		p.Error, status = "error.generic", http.StatusInternalServerError
	}
	h.renderContact(w, r, s, status, p)
}
