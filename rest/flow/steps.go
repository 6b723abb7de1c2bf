package flow

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/kycd/kycd/tools"
)

// stepsFor lists the verification's steps: a capture step appears when one of its checks was
// asked for and its tool is registered.
func (h *Handler) stepsFor(v tools.Verification) []string {
	has := func(checks ...string) bool {
		for _, c := range checks {
			if slices.Contains(v.Checks, c) {
				return true
			}
		}
		return false
	}
	steps := []string{stepIntro}
	// The address steps come first after consent: typing is quicker than the camera.
	if has("email") && h.hasTool(contactTools[stepEmail].tool) && h.hasTool(toolConfirmCode) {
		steps = append(steps, stepEmail)
	}
	if has("phone") && h.hasTool(contactTools[stepPhone].tool) && h.hasTool(toolConfirmCode) {
		steps = append(steps, stepPhone)
	}
	if has("document") && h.hasTool(toolDocument) {
		steps = append(steps, stepDocument)
	}
	if has("proof_of_address") && h.hasTool(toolAddress) {
		steps = append(steps, stepAddress) // a bill or statement, after the identity document
	}
	if has("nfc") && h.hasTool(toolNFC) && h.hasTool(toolNFCScans) {
		steps = append(steps, stepNFC) // the chip, read by the integrator's app
	}
	if has("face_match", "liveness", "age") && h.hasTool(toolSelfie) {
		steps = append(steps, stepSelfie)
	}
	if has("liveness") && h.hasTool(toolChallenge) && h.hasTool(toolLiveness) {
		steps = append(steps, stepLiveness)
	}
	if v.Questionnaire != nil && h.hasTool(toolQuestionnaire) && h.hasTool(toolGetQuestionnaire) {
		steps = append(steps, stepQuestionnaire)
	}
	return append(steps, stepConfirm, stepResult)
}

func (h *Handler) hasTool(name string) bool { _, ok := h.reg.Tool(name); return ok }

// next is the step after cur.
func (s *session) next(cur string) string {
	i := slices.Index(s.steps, cur)
	if i < 0 || i+1 >= len(s.steps) {
		return stepResult
	}
	return s.steps[i+1]
}

// stepURL is where a step is shown.
func (s *session) stepURL(step string) string {
	switch step {
	case stepIntro:
		return s.base()
	case stepResult:
		return s.base() + "/result"
	}
	return s.base() + "/step/" + step
}

func idArgs(id string, more map[string]any) json.RawMessage {
	m := map[string]any{"id": id}
	for k, v := range more {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return b
}

// home is the link the applicant got: the intro, or the result once there is nothing to do.
func (h *Handler) home(w http.ResponseWriter, r *http.Request, s *session) {
	if !s.open(h.now()) {
		h.result(w, r, s)
		return
	}
	h.renderIntro(w, r, s, http.StatusOK, "")
}

func (h *Handler) renderIntro(w http.ResponseWriter, r *http.Request, s *session, code int, errKey string) {
	p := h.newPage(r, s, stepIntro)
	p.Error = errKey
	p.Collect = s.collectKeys()
	p.Expires = s.v.ExpiresAt.UTC().Format("2006-01-02 15:04") + " UTC" // flow.js shows it in the applicant's time zone
	h.render(w, r, "intro", code, p)
}

// collectKeys are the intro's "what we collect" items for this verification's steps: what is
// shown is what the consent covers, so the personal details are said to be screened only when
// the screening check was asked for.
func (s *session) collectKeys() []string {
	var out []string
	for _, st := range s.steps {
		switch st {
		case stepEmail, stepPhone, stepDocument, stepAddress, stepNFC, stepSelfie, stepLiveness, stepQuestionnaire:
			out = append(out, "intro.collect."+st)
		case stepConfirm:
			if s.screened() {
				out = append(out, "intro.collect.details")
			} else {
				out = append(out, "intro.collect.details.plain")
			}
		default:
			if k := collectKey(st); k != "" && !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
	}
	return out
}

// screened reports whether the verification asked for sanctions screening.
func (s *session) screened() bool { return slices.Contains(s.v.Checks, "screening") }

// consentStatement is the text the applicant agrees to, as recorded (and hashed) in the
// consent: the sentence beside the box and everything it refers to ("as described above": the
// items collected, why, how long they are kept), in the page's language.
func (s *session) consentStatement() string {
	var b strings.Builder
	b.WriteString(s.cat.T("intro.consent"))
	for _, k := range s.collectKeys() {
		b.WriteString("\n- ")
		b.WriteString(s.cat.T(k))
	}
	for _, k := range []string{"intro.why.text", "intro.retention.text"} {
		b.WriteString("\n")
		b.WriteString(s.cat.T(k))
	}
	return b.String()
}

// consent moves on from the intro when the box was ticked.
func (h *Handler) consent(w http.ResponseWriter, r *http.Request, s *session) {
	if !h.guardPost(w, r, s, r.PostFormValue("csrf")) {
		return
	}
	if !s.open(h.now()) {
		http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
		return
	}
	if r.PostFormValue("consent") != "yes" {
		h.renderIntro(w, r, s, http.StatusUnprocessableEntity, "intro.consent.required")
		return
	}
	// The consent goes into the verification's timeline: when, in which language, and the
	// hash of the very sentence shown.
	if h.hasTool(toolConsent) {
		args := idArgs(s.caller.VerificationID, map[string]any{"statement": s.consentStatement(), "locale": s.cat.lang})
		if _, err := h.reg.Call(r.Context(), s.caller, toolConsent, args); err != nil {
			code, _ := h.apiError(r.Context(), s, err)
			h.renderError(w, r, s.cat, code, "error.title", "error.generic")
			return
		}
	}
	http.Redirect(w, r, s.stepURL(s.next(stepIntro)), http.StatusSeeOther)
}

// guardPost applies the CSRF, origin and rate checks every POST passes, answering itself
// when one fails.
func (h *Handler) guardPost(w http.ResponseWriter, r *http.Request, s *session, csrf string) bool {
	if !h.checkPost(r, s.token, csrf) {
		h.renderError(w, r, s.cat, http.StatusForbidden, "error.title", "error.csrf")
		return false
	}
	if !h.limit.allow(s.caller.VerificationID) {
		w.Header().Set("Retry-After", "30")
		h.renderError(w, r, s.cat, http.StatusTooManyRequests, "error.title", "error.rate_limited")
		return false
	}
	return true
}

// step shows a capture step or the data confirmation.
func (h *Handler) step(w http.ResponseWriter, r *http.Request, s *session, name string) {
	if !s.open(h.now()) {
		http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
		return
	}
	if !slices.Contains(s.steps, name) || name == stepIntro || name == stepResult {
		h.renderError(w, r, s.cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
		return
	}
	p := h.newPage(r, s, name)
	p.Next = s.stepURL(s.next(name))
	if name == stepConfirm {
		p.Applicant, p.Screened = s.v.Applicant, s.screened()
		h.render(w, r, "confirm", http.StatusOK, p)
		return
	}
	if name == stepNFC {
		h.nfcStep(w, r, s, p)
		return
	}
	if name == stepAddress {
		h.addressStep(w, r, s, p)
		return
	}
	if name == stepQuestionnaire {
		h.questionnaireStep(w, r, s, p)
		return
	}
	if name == stepEmail || name == stepPhone {
		h.contactStep(w, r, s, p)
		return
	}
	if s.extraCapture(p, name) {
		h.render(w, r, "capture", http.StatusOK, p)
		return
	}
	p.Capture = name
	if name == stepDocument {
		p.Sides = documentSides(s.v.DocumentType)
		if p.DocTypes = s.docChoice(); len(p.DocTypes) > 0 {
			p.Sides = documentSides(&p.DocTypes[0]) // the first choice is preselected
		}
	}
	h.render(w, r, "capture", http.StatusOK, p)
}

// documentSides are the sides to photograph: a passport has only its data page.
func documentSides(docType *string) []string {
	if docType != nil && *docType == "passport" {
		return []string{"front"}
	}
	return []string{"front", "back"}
}

// submit finishes the flow through submit_verification.
func (h *Handler) submit(w http.ResponseWriter, r *http.Request, s *session) {
	if !h.guardPost(w, r, s, r.PostFormValue("csrf")) {
		return
	}
	if !s.open(h.now()) {
		http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
		return
	}
	_, err := h.reg.Call(r.Context(), s.caller, toolSubmit, idArgs(s.caller.VerificationID, nil))
	if err != nil {
		te := tools.AsError(err)
		key, code := "error.generic", http.StatusInternalServerError
		switch {
		case te == nil:
		case te.Code == tools.CodeConflict && strings.HasPrefix(te.Message, tools.ConsentRequired):
			// The confirm step was opened by its URL before consent: back to the intro.
			http.Redirect(w, r, s.stepURL(stepIntro), http.StatusSeeOther)
			return
		case te.Code == tools.CodeConflict && strings.Contains(te.Message, "missing"):
			// A step whose input is still missing (skipped by opening a later page's URL):
			// back to the first such step of the flow, which shows until it is done.
			for _, st := range s.steps {
				if st != stepIntro && st != stepConfirm && missingNames(te.Message, st) {
					http.Redirect(w, r, s.stepURL(st), http.StatusSeeOther)
					return
				}
			}
			key, code = "error.missing", http.StatusConflict
		case te.Code == tools.CodeConflict:
			// The verification moved meanwhile (expired, cancelled, submitted elsewhere): show where it is.
			http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
			return
		case te.Code == tools.CodeUnavailable:
			key, code = "error.unavailable", http.StatusServiceUnavailable
		}
		p := h.newPage(r, s, stepConfirm)
		p.Applicant, p.Error, p.Screened = s.v.Applicant, key, s.screened()
		h.render(w, r, "confirm", code, p)
		return
	}
	http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
}

// finalStatuses end a verification for the applicant.
var finalStatuses = []string{"approved", "needs_review", "rejected", "expired", "cancelled"}

// result shows where the verification stands; the page polls until it is final.
func (h *Handler) result(w http.ResponseWriter, r *http.Request, s *session) {
	p := h.newPage(r, s, stepResult)
	st := s.shownStatus(h.now())
	p.Status = st
	p.Final = slices.Contains(finalStatuses, st)
	if p.Final {
		p.Redirect = h.redirectURL(s, st)
	}
	if st == "pending" || st == "in_progress" {
		// Nothing submitted yet: the result page is not where this applicant should be.
		http.Redirect(w, r, s.base(), http.StatusSeeOther)
		return
	}
	p.Explain = h.opts.RejectionReasons
	if p.Explain == "" {
		p.Explain = "generic"
	}
	if st == "rejected" && p.Explain == "specific" && s.v.Result != nil {
		for _, rs := range s.v.Result.Reasons {
			key := "result.reason." + rs.Code
			if slices.Contains(ApplicantReasons, rs.Code) && s.cat.Has(key) && !slices.Contains(p.Reasons, key) {
				p.Reasons = append(p.Reasons, key)
			}
		}
	}
	h.render(w, r, "result", http.StatusOK, p)
}

// redirectURL is the integrator's URL for this outcome (success_url, failure_url or
// review_url, else redirect_url) with session_id, reference and result added, or "" without
// one. It carries no applicant data.
func (h *Handler) redirectURL(s *session, status string) string {
	target := s.v.RedirectURL
	var per *string
	switch status {
	case "approved":
		per = s.v.SuccessURL
	case "needs_review":
		per = s.v.ReviewURL
	case "rejected", "expired", "cancelled":
		per = s.v.FailureURL
	}
	if per != nil && *per != "" {
		target = per
	}
	if target == nil || *target == "" {
		return ""
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	q := u.Query()
	q.Set("session_id", s.v.ID)
	q.Set("reference", s.v.Reference)
	q.Set("result", status)
	u.RawQuery = q.Encode()
	return u.String()
}

// doneSteps says which of the flow's steps the applicant has completed, from what the
// checks still miss (verify.Service.Missing) and whether consent was given, so the progress
// bar marks a step done only when it is, not because a later step's page was opened by its
// URL. On an error no step is marked.
func (h *Handler) doneSteps(ctx context.Context, s *session) map[string]bool {
	missing, consented, err := tools.SessionProgress(ctx, h.reg.Deps(), s.caller)
	if err != nil {
		return nil
	}
	done := map[string]bool{}
	for _, st := range s.steps {
		done[st] = st != stepConfirm && st != stepResult
	}
	for _, m := range missing {
		if st := stepOfMissing(m); st != "" {
			done[st] = false
		}
	}
	done[stepIntro] = consented
	h.markExtraDone(ctx, s, done)
	return done
}

// missingNames reports whether a submission's "missing" message ("cannot submit yet;
// missing: a; b") names an input of step.
func missingNames(msg, step string) bool {
	for _, part := range strings.Split(msg, "; ") {
		if _, after, ok := strings.Cut(part, "missing: "); ok {
			part = after
		}
		if stepOfMissing(strings.TrimSpace(part)) == step {
			return true
		}
	}
	return false
}

// stepOfMissing is the flow step that provides a missing input, read from the tool the
// check names for it ("face_match: a selfie (submit_selfie)"); "" when none of the steps does.
func stepOfMissing(m string) string {
	switch {
	case strings.HasPrefix(m, "email:"):
		return stepEmail
	case strings.HasPrefix(m, "phone:"):
		return stepPhone
	case strings.Contains(m, toolSelfie):
		return stepSelfie
	case strings.Contains(m, toolDocument):
		return stepDocument
	case strings.Contains(m, toolLiveness), strings.Contains(m, toolChallenge):
		return stepLiveness
	case strings.Contains(m, tools.SubmitNFC.Name), strings.HasPrefix(m, "nfc:"):
		return stepNFC
	case strings.Contains(m, toolAddress), strings.HasPrefix(m, stepAddress+":"):
		return stepAddress
	case strings.Contains(m, toolQuestionnaire):
		return stepQuestionnaire
	}
	return ""
}
