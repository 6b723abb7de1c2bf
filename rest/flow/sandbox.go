package flow

import (
	"net/http"
	"slices"

	"github.com/kycd/kycd/tools"
)

// Test mode's sample selfies (issue #27): the capture ops sample-selfie, sample-selfie-other
// and sample-selfie-spoof submit a bundled synthetic face through the real selfie tool, so
// face match and liveness judge it like an upload. A live key's session gets 404.

// sampleSelfieOps maps a capture op to its samplefaces kind.
var sampleSelfieOps = map[string]string{
	"sample-selfie":       "applicant",
	"sample-selfie-other": "other",
	"sample-selfie-spoof": "spoof",
}

// sampleSelfie answers the sample's data: URL, or writes the error and reports false.
func (h *Handler) sampleSelfie(w http.ResponseWriter, r *http.Request, s *session, op string) (string, bool) {
	kind, ok := sampleSelfieOps[op]
	if !ok || !s.testMode() {
		writeJSON(w, http.StatusNotFound, apiResult{Message: s.cat.T("error.generic")})
		return "", false
	}
	img, err := tools.SampleSelfie(s.caller, kind)
	if err != nil {
		code, res := h.apiError(r.Context(), s, err)
		writeJSON(w, code, res)
		return "", false
	}
	return img, true
}

// nfcSample reads the sample chip (or the tampered one) into the session's verification and
// moves on, as the integrator's app would after a real read. Test-mode sessions only.
func (h *Handler) nfcSample(w http.ResponseWriter, r *http.Request, s *session) {
	if !s.testMode() || !slices.Contains(s.steps, stepNFC) {
		h.renderError(w, r, s.cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
		return
	}
	if !h.guardPost(w, r, s, r.PostFormValue("csrf")) {
		return
	}
	if _, err := tools.SubmitSampleChip(r.Context(), h.reg.Deps(), s.caller, r.PostFormValue("sample") == "chip-tampered"); err != nil {
		code, _ := h.apiError(r.Context(), s, err)
		h.renderError(w, r, s.cat, code, "error.title", "error.generic")
		return
	}
	http.Redirect(w, r, s.stepURL(s.next(stepNFC)), http.StatusSeeOther)
}

// sampleLiveness answers the liveness step's "still photo" sample: a fresh challenge answered
// with frames of the sample selfie that never move, judged by the real active-liveness check
// (which refuses it, as it would a photo held to the camera). Test-mode sessions only.
func (h *Handler) sampleLiveness(w http.ResponseWriter, r *http.Request, s *session) {
	if !s.testMode() || !slices.Contains(s.steps, stepLiveness) {
		writeJSON(w, http.StatusNotFound, apiResult{Message: s.cat.T("error.generic")})
		return
	}
	img, err := tools.SampleSelfie(s.caller, "applicant")
	if err == nil {
		var out any
		if out, err = h.reg.Call(r.Context(), s.caller, toolChallenge, idArgs(s.caller.VerificationID, nil)); err == nil {
			ch := out.(tools.LivenessChallenge)
			n := min(max(ch.MinFrames, 10), ch.MaxFrames)
			frames, ts := make([]string, n), make([]float64, n)
			for i := range frames {
				frames[i], ts[i] = img, float64(i)*120
			}
			out, err = h.reg.Call(r.Context(), s.caller, toolLiveness, idArgs(s.caller.VerificationID,
				map[string]any{"nonce": ch.Nonce, "frames": frames, "timestamps_ms": ts}))
			if err == nil {
				writeJSON(w, http.StatusOK, h.apiOutcome(s, stepLiveness, out))
				return
			}
		}
	}
	code, res := h.apiError(r.Context(), s, err)
	writeJSON(w, code, res)
}

// simulateLiveness is the test-mode "pass / fail the challenge (simulated)" buttons at the
// active liveness step: no still image can do head turns, so a camera-less run through a flow
// asks simulate_check_outcome to decide liveness instead; the result shows it as forced.
func (h *Handler) simulateLiveness(w http.ResponseWriter, r *http.Request, s *session, pass bool) {
	if !s.testMode() || !slices.Contains(s.steps, stepLiveness) {
		writeJSON(w, http.StatusNotFound, apiResult{Message: s.cat.T("error.generic")})
		return
	}
	outcome := "pass"
	if !pass {
		outcome = "fail"
	}
	if _, err := h.reg.Call(r.Context(), s.caller, toolSimulate, idArgs(s.caller.VerificationID,
		map[string]any{"check": "liveness", "outcome": outcome})); err != nil {
		code, res := h.apiError(r.Context(), s, err)
		writeJSON(w, code, res)
		return
	}
	writeJSON(w, http.StatusOK, apiResult{OK: true, Next: s.stepURL(s.next(stepLiveness))})
}
