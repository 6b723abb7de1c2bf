package flow

import (
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/kycd/kycd/tools"
)

// handoff issues a fresh QR code for the desktop page (the one rendered with the intro
// expires after tools.HandoffTTL).
func (h *Handler) handoff(w http.ResponseWriter, r *http.Request, s *session) {
	if !h.checkPost(r, s.token, r.Header.Get("X-Kycd-CSRF")) {
		writeJSON(w, http.StatusForbidden, apiResult{Message: s.cat.T("error.csrf")})
		return
	}
	link, qr, err := h.handoffQR(r.Context(), s)
	if err != nil {
		h.log.ErrorContext(r.Context(), "flow: hand-off", "verification", s.caller.VerificationID, "err", err)
		writeJSON(w, http.StatusInternalServerError, apiResult{Message: s.cat.T("error.generic")})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": link, "qr": string(qr)})
}

// handoffQR makes a (single-use) hand-off link and its QR code as a data: URL.
func (h *Handler) handoffQR(ctx context.Context, s *session) (string, template.URL, error) {
	tok, _, err := tools.IssueHandoff(ctx, h.reg.Deps(), s.caller)
	if err != nil {
		return "", "", err
	}
	link := strings.TrimRight(h.reg.Deps().PublicURL, "/") + Prefix + "h/" + tok
	png, err := qrcode.Encode(link, qrcode.Medium, 256)
	if err != nil {
		return "", "", fmt.Errorf("encode QR code: %w", err)
	}
	// template.URL: a data: URL we built ourselves from PNG bytes, safe in an img src.
	return link, template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}

// redeem opens a hand-off link on the phone and continues the same session there. A link
// opens once (tools.RedeemHandoff), and only by the button of the page its GET shows: link
// previews, chat apps and mail scanners fetch links they see, and a GET that spent the link
// would leave the applicant with a dead one. A used, expired or forged link gets the error page.
func (h *Handler) redeem(w http.ResponseWriter, r *http.Request, code string) {
	cat := h.cats[chooseLang(h.cats, "", r.Header.Get("Accept-Language"))]
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	var tok string
	var err error
	switch {
	case isGet(r):
		var locale string
		locale, err = tools.CheckHandoff(r.Context(), h.reg.Deps(), code)
		cat = h.cats[chooseLang(h.cats, locale, r.Header.Get("Accept-Language"))]
	case r.Method == http.MethodPost:
		tok, err = tools.RedeemHandoff(r.Context(), h.reg.Deps(), code)
	default:
		h.renderError(w, r, cat, http.StatusMethodNotAllowed, "error.title", "error.generic")
		return
	}
	if err != nil {
		if te := tools.AsError(err); te == nil {
			h.log.ErrorContext(r.Context(), "flow: redeem hand-off", "err", err)
			h.renderError(w, r, cat, http.StatusServiceUnavailable, "error.title", "error.unavailable")
			return
		}
		h.renderError(w, r, cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
		return
	}
	if tok == "" {
		p := &page{Lang: cat.lang, L: cat, Nonce: newNonce(), Step: "handoff", StepIndex: -1, JSMsgs: jsMessages(cat),
			Action: Prefix + "h/" + code, Embed: strings.Join(h.embedOrigins, " "), Poll: int(h.opts.PollInterval / time.Millisecond)}
		h.render(w, r, "handoff", http.StatusOK, p)
		return
	}
	http.Redirect(w, r, Prefix+tok, http.StatusSeeOther)
}
