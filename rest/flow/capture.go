package flow

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/kycd/kycd/tools"
)

// apiResult is what a capture call answers the page: whether to move on, or why not, in the
// applicant's language. Scores and thresholds stay on the server.
type apiResult struct {
	OK      bool   `json:"ok"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	Next    string `json:"next,omitempty"`
	// NextSide is the document side the server asks for next ("" = none); Pending says the
	// server has not read the upload yet, so the page falls back to the sides it expected.
	NextSide string `json:"next_side,omitempty"`
	Pending  bool   `json:"pending,omitempty"`
	// Challenge is the active-liveness challenge (liveness-challenge only).
	Challenge *challengeView `json:"challenge,omitempty"`
	// Pages are the images stored so far of an additional document (the page offers another).
	Pages int `json:"pages,omitempty"`
}

type challengeView struct {
	Nonce        string   `json:"nonce"`
	Instructions []string `json:"instructions"`
	MinFrames    int      `json:"min_frames"`
	MaxFrames    int      `json:"max_frames"`
}

// api serves the capture calls of the camera steps, each one tool call.
func (h *Handler) api(w http.ResponseWriter, r *http.Request, s *session, op string) {
	if !h.checkPost(r, s.token, r.Header.Get("X-Kycd-CSRF")) {
		writeJSON(w, http.StatusForbidden, apiResult{Message: s.cat.T("error.csrf")})
		return
	}
	if !h.limit.allow(s.caller.VerificationID) {
		w.Header().Set("Retry-After", "30")
		writeJSON(w, http.StatusTooManyRequests, apiResult{Reason: "rate_limited", Message: s.cat.T("error.rate_limited")})
		return
	}
	var body struct {
		Image string `json:"image"`
		Side  string `json:"side"`
		// DocumentType is the applicant's choice among the document step's types (docChoice).
		DocumentType string   `json:"document_type"`
		Nonce        string   `json:"nonce"`
		Frames       []string `json:"frames"`
		// TimestampsMS are the frames' capture times (performance.now()).
		TimestampsMS []float64 `json:"timestamps_ms"`
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.UploadLimit)
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeJSON(w, http.StatusRequestEntityTooLarge, apiResult{Reason: "too_large", Message: s.cat.T("capture.reason.too_large")})
			return
		}
		writeJSON(w, http.StatusBadRequest, apiResult{Reason: "unreadable", Message: s.cat.T("capture.reason.unreadable")})
		return
	}
	var (
		step string
		tool string
		args map[string]any
	)
	switch op {
	case "selfie":
		step, tool, args = stepSelfie, toolSelfie, map[string]any{"image": body.Image}
	case "sample-liveness-still": // test mode (sandbox.go)
		h.sampleLiveness(w, r, s)
		return
	case "sample-liveness-pass", "sample-liveness-fail": // test mode (sandbox.go)
		h.simulateLiveness(w, r, s, op == "sample-liveness-pass")
		return
	case "sample-selfie", "sample-selfie-other", "sample-selfie-spoof": // test mode (sandbox.go)
		img, ok := h.sampleSelfie(w, r, s, op)
		if !ok {
			return
		}
		step, tool, args = stepSelfie, toolSelfie, map[string]any{"image": img}
	case "sample-document", "sample-document-expired":
		if !s.testMode() {
			writeJSON(w, http.StatusNotFound, apiResult{Message: s.cat.T("error.generic")})
			return
		}
		img, err := tools.SampleDocument(r.Context(), h.reg.Deps(), s.caller, s.caller.VerificationID, op == "sample-document-expired")
		if err != nil {
			code, res := h.apiError(r.Context(), s, err)
			writeJSON(w, code, res)
			return
		}
		step, tool, args = stepDocument, toolDocument, map[string]any{"image": img, "side": "front"}
	case "document":
		step, tool, args = stepDocument, toolDocument, map[string]any{"image": body.Image}
		if body.Side != "" && h.toolTakes(toolDocument, "side") {
			args["side"] = body.Side
		}
		if body.DocumentType != "" {
			if !slices.Contains(s.docChoice(), body.DocumentType) {
				writeJSON(w, http.StatusBadRequest, apiResult{Reason: "document_type_not_allowed", Message: s.cat.T("capture.reason.document_type_not_allowed")})
				return
			}
			args["document_type"] = body.DocumentType
		}
	case "liveness-challenge":
		step, tool, args = stepLiveness, toolChallenge, nil
	case "liveness":
		step, tool, args = stepLiveness, toolLiveness, map[string]any{"nonce": body.Nonce, "frames": body.Frames}
		if len(body.TimestampsMS) > 0 {
			args["timestamps_ms"] = body.TimestampsMS
		}
	default:
		var ok bool
		if step, tool, args, ok = s.extraOp(op, body.Image); !ok {
			writeJSON(w, http.StatusNotFound, apiResult{Message: s.cat.T("error.generic")})
			return
		}
	}
	if !slices.Contains(s.steps, step) {
		writeJSON(w, http.StatusNotFound, apiResult{Message: s.cat.T("error.generic")})
		return
	}
	out, err := h.reg.Call(r.Context(), s.caller, tool, idArgs(s.caller.VerificationID, args))
	if err != nil {
		code, res := h.apiError(r.Context(), s, err)
		writeJSON(w, code, res)
		return
	}
	writeJSON(w, http.StatusOK, h.apiOutcome(s, step, out))
}

// apiOutcome turns a tool's answer into move-on or retry-with-reason.
func (h *Handler) apiOutcome(s *session, step string, out any) apiResult {
	next := s.stepURL(s.next(step))
	switch o := out.(type) {
	case tools.SelfieResult:
		if o.Accepted {
			return apiResult{OK: true, Next: next}
		}
		return s.retry(o.Quality.Reason)
	case tools.DocumentResult:
		if !o.Accepted {
			return s.retry(o.Reason)
		}
		// What the applicant can fix now, with another document, rather than learn at the end.
		for _, ve := range o.ValidationErrors {
			switch ve.Code {
			case "document_expired", "document_type_not_allowed", "country_not_allowed":
				return s.retry(ve.Code)
			}
		}
		return apiResult{OK: true, Next: next, NextSide: o.NextSide, Pending: o.AnalysisStatus == "pending"}
	case tools.LivenessChallenge:
		cv := &challengeView{Nonce: o.Nonce, MinFrames: o.MinFrames, MaxFrames: o.MaxFrames}
		for i, st := range o.Steps {
			msg := s.cat.T("liveness." + st)
			if !s.cat.Has("liveness."+st) && i < len(o.Instructions) {
				msg = o.Instructions[i]
			}
			cv.Instructions = append(cv.Instructions, msg)
		}
		return apiResult{OK: true, Challenge: cv}
	case tools.LivenessResult:
		if o.Passed {
			return apiResult{OK: true, Next: next}
		}
		return s.retry(o.Reason)
	case tools.SelfieWithDocumentResult:
		// Stored means judged later with the rest: a mismatch is not told the applicant here.
		if o.Accepted {
			return apiResult{OK: true, Next: next}
		}
		return s.retry(o.Reason)
	case tools.AdditionalDocumentResult:
		return apiResult{OK: true, Next: next, Pages: o.Pages}
	}
	// A tool the flow does not know by type (the document tool as it lands): read the common
	// shape, {"accepted": bool, "reason" or "quality": {"reason"}}.
	var m struct {
		Accepted *bool  `json:"accepted"`
		Reason   string `json:"reason"`
		Quality  struct {
			Reason string `json:"reason"`
		} `json:"quality"`
	}
	if b, err := json.Marshal(out); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	if m.Accepted != nil && !*m.Accepted {
		return s.retry(firstNonEmpty(m.Reason, m.Quality.Reason))
	}
	return apiResult{OK: true, Next: next}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// retry is a capture to redo, with the reason in the applicant's language.
func (s *session) retry(reason string) apiResult {
	key := "capture.reason." + reason
	if reason == "" || !s.cat.Has(key) {
		key = "capture.reason.generic"
	}
	return apiResult{Reason: reason, Message: s.cat.T(key)}
}

// apiError maps a tool error to a status and a message the applicant can act on; the tool's
// own (English, developer-facing) message is not shown.
func (h *Handler) apiError(ctx context.Context, s *session, err error) (int, apiResult) {
	te := tools.AsError(err)
	if te == nil {
		h.log.ErrorContext(ctx, "flow: capture", "verification", s.caller.VerificationID, "err", err)
		return http.StatusInternalServerError, apiResult{Message: s.cat.T("error.generic")}
	}
	res := apiResult{Reason: string(te.Code)}
	switch te.Code {
	case tools.CodeInvalidArgument, tools.CodeTooLarge, tools.CodeMalformed:
		res.Reason, res.Message = "unreadable", s.cat.T("capture.reason.unreadable")
	case tools.CodeConflict:
		if strings.HasPrefix(te.Message, tools.ConsentRequired) { // a step opened by its URL before consent
			res.Reason, res.Message, res.Next = tools.ConsentRequired, s.cat.T("intro.consent.required"), s.stepURL(stepIntro)
			break
		}
		if strings.HasPrefix(te.Message, tools.ChallengesSpent) { // no more tries: a person will look
			res.Reason, res.Message, res.Next = tools.ChallengesSpent, s.cat.T("capture.liveness.spent"), s.stepURL(s.next(stepLiveness))
			break
		}
		// Expired, cancelled or submitted meanwhile: the page goes to the result.
		res.Message, res.Next = s.cat.T("error.generic"), s.stepURL(stepResult)
	case tools.CodeRateLimited:
		res.Message = s.cat.T("error.rate_limited")
	case tools.CodeUnavailable:
		res.Message = s.cat.T("error.unavailable")
	default:
		res.Message = s.cat.T("error.generic")
	}
	return te.Code.HTTPStatus(), res
}

// toolTakes reports whether a tool's input schema has the property.
func (h *Handler) toolTakes(tool, prop string) bool {
	info, ok := h.reg.Tool(tool)
	if !ok {
		return false
	}
	var sch struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	_ = json.Unmarshal(info.InputSchema, &sch)
	_, ok = sch.Properties[prop]
	return ok
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
