package flow

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/kycd/kycd/tools"
)

// The chip step. The passport chip is read by the integrator's app on the applicant's phone
// (a web page cannot talk NFC to a passport on most phones), so this page explains that,
// shows the one-time code the app sends with the read — a challenge bound to this
// verification, single use, which the chip signs for Active Authentication — and waits until
// a read is attached (verify_nfc with verification_id, or submit_nfc). The nfc check itself
// refuses submission without one, so skipping the page gains nothing.

// nfcStep issues a fresh challenge for the page and renders it.
func (h *Handler) nfcStep(w http.ResponseWriter, r *http.Request, s *session, p *page) {
	args, _ := json.Marshal(map[string]any{"verification_id": s.caller.VerificationID})
	out, err := h.reg.Call(r.Context(), s.caller, toolNFC, args)
	if err != nil {
		code, _ := h.apiError(r.Context(), s, err)
		if te := tools.AsError(err); te != nil && te.Code == tools.CodeConflict {
			http.Redirect(w, r, s.stepURL(stepIntro), http.StatusSeeOther) // before consent
			return
		}
		h.renderError(w, r, s.cat, code, "error.title", "error.generic")
		return
	}
	ch := out.(tools.NFCChallenge)
	p.NFCCode, p.NFCChallenge = ch.ChallengeID, ch.Challenge
	p.NFCExpires = ch.ExpiresAt.In(time.UTC).Format("15:04:05 UTC")
	h.render(w, r, "nfc", http.StatusOK, p)
}

// nfcStatus answers the chip page's polling: done once a read is attached.
func (h *Handler) nfcStatus(w http.ResponseWriter, r *http.Request, s *session) {
	args, _ := json.Marshal(map[string]any{"verification_id": s.caller.VerificationID, "limit": 1})
	out, err := h.reg.Call(r.Context(), s.caller, toolNFCScans, args)
	if err != nil {
		code, res := h.apiError(r.Context(), s, err)
		writeJSON(w, code, res)
		return
	}
	if list := out.(tools.NFCScanList); len(list.Data) > 0 {
		writeJSON(w, http.StatusOK, apiResult{OK: true, Next: s.stepURL(s.next(stepNFC))})
		return
	}
	writeJSON(w, http.StatusOK, apiResult{OK: false})
}
