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

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"t":       func(c *catalog, key string, pairs ...any) string { return c.T(key, pairs...) },
		"add":     func(a, b int) int { return a + b },
		"country": countryName,
		"date":    localDate,
		// stepLabel names a page in the progress bar (extrasteps.go).
		"stepLabel": stepLabel,
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	out := map[string]*template.Template{}
	for _, name := range []string{"intro", "capture", "nfc", "contact", "address", "confirm", "result", "error", "handoff", "questionnaire", "code"} {
		c, err := layout.Clone()
		if err != nil {
			return nil, err
		}
		files := []string{"templates/" + name + ".html"}
		if name == "capture" {
			files = append(files, "templates/capture_extra.html") // the steps of extrasteps.go
		}
		if out[name], err = c.ParseFS(templateFiles, files...); err != nil {
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
	b = compressed(w, r, b, h.staticGz[name])
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
	// Done are the steps completed (doneSteps), for the progress bar.
	Done map[string]bool
	// TestMode: a test-mode key's session (a banner; sample documents at the document step).
	TestMode bool
	// ExpiresAt and Now (Unix milliseconds) let the page count down to the link's expiry on
	// the server's clock; zero on pages without an open verification.
	ExpiresAt, Now int64
	Embed          string
	Poll           int
	Error          string
	// Brand is the flow's look (nil: kycd's); SessionTimer shows the session's time left.
	Brand        *brand
	SessionTimer bool
	// JSMsgs are the messages flow.js shows, in the page's language.
	JSMsgs map[string]string
	// intro
	Collect []string
	Expires string
	QR      template.URL
	Handoff string
	// confirm; Screened: the details are checked against sanctions lists
	Applicant any
	Screened  bool
	// capture
	Capture string
	Sides   []string
	Next    string
	// DocTypes are the document types to choose among (docChoice); AddLabel and AddOptional
	// describe an additional document's page (extrasteps.go).
	DocTypes    []string
	AddLabel    string
	AddOptional bool
	// nfc: the one-time code the applicant's app answers the chip challenge with
	NFCCode, NFCChallenge, NFCExpires string
	// email and phone: the step's kind, what was typed, the code sent (its id), the applicant's
	// country (the default region of a number), and the field an error is about with its count
	Contact, Address, CodeID, Country string
	ErrorOn                           string
	ErrorN                            int
	// proof of address: the form as typed (or prefilled from the applicant data)
	AddressForm *addressForm
	// questionnaire: the form in the page's language, with the answers and their problems
	Questionnaire *qForm
	// result: Explain is none, generic or specific (Options.RejectionReasons); Reasons are the
	// message keys of the applicant reasons shown (specific only)
	Explain   string
	Reasons   []string
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
	if p.StepIndex >= 0 {
		p.Done = h.doneSteps(r.Context(), s)
	}
	p.TestMode = s.testMode()
	if now := h.now(); s.open(now) {
		p.ExpiresAt, p.Now = s.v.ExpiresAt.UnixMilli(), now.UnixMilli()
	}
	p.JSMsgs = jsMessages(s.cat)
	s.applyFlow(p)
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

	"capture.document.front", "capture.document.back", "capture.liveness.recording", "capture.take", "error.generic", "error.unavailable",
	"intro.expires", "expiry.soon", "expiry.announce", "session.left", "capture.hint.blurry", "capture.hint.glare", "capture.hint.hold",
	"capture.document.passport", "capture.additional.added", "capture.additional.more"}

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
	withLogo(w, p)
	body := compressed(w, r, buf.Bytes(), nil)
	w.WriteHeader(code)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, cat *catalog, code int, title, text string) {
	p := &page{Lang: cat.lang, L: cat, Nonce: newNonce(), Title: title, Error: text, Step: "error", StepIndex: -1, JSMsgs: jsMessages(cat),
		Embed: strings.Join(h.embedOrigins, " "), Poll: int(h.opts.PollInterval / time.Millisecond)}
	h.render(w, r, "error", code, p)
}

// countryName is an ISO 3166-1 alpha-2 code's name in the page's language ("DE" in pt-BR:
// "Alemanha"), the code itself when it is not one.
func countryName(c *catalog, code string) string {
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return code
	}
	tag, err := language.Parse(c.lang)
	if err != nil {
		return code
	}
	if name := display.Regions(tag).Name(r); name != "" {
		return name
	}
	return code
}

// localDate writes a YYYY-MM-DD date the way the page's language does (12.08.1964 in German,
// 12/08/1964 in Portuguese, August 12, 1964 in English); other strings are shown as they are.
func localDate(c *catalog, ymd string) string {
	d, err := time.Parse("2006-01-02", ymd)
	if err != nil {
		return ymd
	}
	switch strings.SplitN(c.lang, "-", 2)[0] {
	case "de":
		return d.Format("02.01.2006")
	case "pt":
		return d.Format("02/01/2006")
	}
	return d.Format("January 2, 2006")
}
