package flow

import (
	"bytes"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"t":   func(c *catalog, key string, pairs ...any) string { return c.T(key, pairs...) },
		"add": func(a, b int) int { return a + b },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	out := map[string]*template.Template{}
	for _, name := range []string{"intro", "capture", "nfc", "contact", "address", "confirm", "result", "error", "handoff"} {
		c, err := layout.Clone()
		if err != nil {
			return nil, err
		}
		if out[name], err = c.ParseFS(templateFiles, "templates/"+name+".html"); err != nil {
			return nil, fmt.Errorf("parse %s: %w", name, err)
		}
	}
	return out, nil
}

func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request, name string) {
	b, ok := h.static[name]
	if !ok || !isGet(r) {
		http.NotFound(w, r)
		return
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
}

// page is what every template gets.
type page struct {
	Lang, Title string
	L           *catalog
	Nonce, CSRF string
	Base        string
	Step        string
	// Action is the hand-off page's form target (its own URL).
	Action    string
	Steps     []string
	StepIndex int
	Embed     string
	Poll      int
	Error     string
	// JSMsgs are the messages flow.js shows, in the page's language.
	JSMsgs map[string]string
	// intro
	Collect []string
	Expires string
	QR      template.URL
	Handoff string
	// confirm
	Applicant any
	// capture
	Capture string
	Sides   []string
	Next    string
	// nfc: the one-time code the applicant's app answers the chip challenge with
	NFCCode, NFCChallenge, NFCExpires string
	// email and phone: the step's kind, what was typed, the code sent (its id), the applicant's
	// country (the default region of a number), and the field an error is about with its count
	Contact, Address, CodeID, Country string
	ErrorOn                           string
	// proof of address: the form as typed (or prefilled from the applicant data)
	AddressForm *addressForm
	ErrorN      int
	// result
	Status    string
	Reference string
	Final     bool
	Redirect  string
}

// newPage fills the fields every page has. visible steps exclude the result, which is not a
// step the applicant does.
func (h *Handler) newPage(r *http.Request, s *session, step string) *page {
	p := &page{Lang: s.cat.lang, L: s.cat, Nonce: newNonce(), CSRF: csrfToken(s.token), Base: s.base(), Step: step,
		Embed: strings.Join(h.originsFor(s), " "), Poll: int(h.opts.PollInterval / time.Millisecond), Reference: s.v.Reference}
	for _, st := range s.steps {
		if st != stepResult {
			p.Steps = append(p.Steps, st)
		}
	}
	p.StepIndex = slices.Index(p.Steps, step)
	p.JSMsgs = jsMessages(s.cat)
	if step == stepIntro {
		link, qr, err := h.handoffQR(r.Context(), s)
		if err != nil {
			h.log.ErrorContext(r.Context(), "flow: hand-off QR", "verification", s.caller.VerificationID, "err", err)
		} else {
			p.Handoff, p.QR = link, qr
		}
	}
	return p
}

// jsKeys are the messages the script needs (everything else is rendered on the server).
var jsKeys = []string{"nfc.done", "capture.checking", "capture.accepted", "capture.no_camera", "capture.retry", "capture.reason.generic",

	"capture.document.front", "capture.document.back", "capture.liveness.recording", "capture.take", "error.generic", "error.unavailable"}

func jsMessages(c *catalog) map[string]string {
	m := make(map[string]string, len(jsKeys))
	for _, k := range jsKeys {
		m[k] = c.T(k)
	}
	return m
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, name string, code int, p *page) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		h.log.ErrorContext(r.Context(), "flow: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h.setPageHeaders(w, p.Nonce, p.Embed)
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, cat *catalog, code int, title, text string) {
	p := &page{Lang: cat.lang, L: cat, Nonce: newNonce(), Title: title, Error: text, Step: "error", StepIndex: -1, JSMsgs: jsMessages(cat),
		Embed: strings.Join(h.embedOrigins, " "), Poll: int(h.opts.PollInterval / time.Millisecond)}
	h.render(w, r, "error", code, p)
}
