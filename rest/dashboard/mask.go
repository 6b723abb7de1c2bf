package dashboard

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// Masking of personal data for viewers (issue #25).
//
// Who: an operator whose role is viewer sees every applicant's personal data masked — names,
// dates of birth, document numbers, addresses, e-mails, phones, IP and device signals — and no
// images (the image route and the PDF report refuse). Reviewers and admins are not masked: they
// decide cases by comparing the pictures with the extracted data, and every read they make is
// already in the audit trail as a tool call. Any other or unknown role is masked (fail closed).
//
// Where: on the server, before a page or a CSV is written, so the personal data never reaches
// a viewer's browser; nothing is hidden with CSS.
//
// Reveal: on a case a viewer may press "Reveal personal data". That is recorded in the audit
// trail (action "reveal", the verification) before anything is shown, and then that case is
// shown unmasked to that session only, for RevealFor (default 5 minutes). Reveals live in this
// process's memory: with several HTTP nodes behind a balancer without sticky sessions a reveal
// may have to be repeated on another node — masked again, never the other way round. Lists
// (queue, search, verifications, applicants, CSV exports) stay masked for viewers: a reveal is
// of one case, so the audit trail says exactly whose data was seen.

// The roles that see personal data unmasked (verify.RoleReviewer, verify.RoleAdmin: the
// dashboard does not import verify).
const (
	roleReviewer = "reviewer"
	roleAdmin    = "admin"
)

// DefaultRevealFor is how long a reveal lasts when Options.RevealFor is zero.
const DefaultRevealFor = 5 * time.Minute

// reveals remembers which session revealed which object until when.
type reveals struct {
	mu sync.Mutex
	m  map[revealKey]time.Time
}

type revealKey struct{ session, object string }

func (rv *reveals) add(session, object string, until time.Time) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if rv.m == nil {
		rv.m = map[revealKey]time.Time{}
	}
	rv.m[revealKey{session, object}] = until
}

// until answers when the session's reveal of object ends (zero when there is none); it drops
// expired reveals as it goes.
func (rv *reveals) until(session, object string, now time.Time) time.Time {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	for k, t := range rv.m {
		if !t.After(now) {
			delete(rv.m, k)
		}
	}
	return rv.m[revealKey{session, object}]
}

// sessionOf identifies the operator's session for reveals: the session id when the
// Authenticator gives one, else the session's CSRF token (secret and per session too).
func sessionOf(op *Operator) string {
	if op.SessionID != "" {
		return op.UserID + "\x00" + op.SessionID
	}
	return op.UserID + "\x00csrf:" + op.CSRF
}

// masksPII reports whether the operator's role sees personal data masked (see above).
func masksPII(op *Operator) bool {
	return op == nil || (op.Role != roleReviewer && op.Role != roleAdmin)
}

// masked reports whether object's personal data is to be masked for this request's operator.
func (h *Handler) masked(r *http.Request, object string) bool {
	op := operator(r)
	if !masksPII(op) {
		return false
	}
	return object == "" || h.reveals.until(sessionOf(op), object, h.now()).IsZero()
}

// maskText keeps the first letter of each word and replaces the rest, so a viewer can tell
// cases apart without reading the name: "Anna Schmidt" → "A••• S••••••".
func maskText(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	first := true
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || strings.ContainsRune("-@.,'\"“”()", r):
			b.WriteRune(r)
			first = true
		case first && unicode.IsLetter(r):
			b.WriteRune(r)
			first = false
		default:
			b.WriteRune('•')
			first = false
		}
	}
	return b.String()
}

// maskAll replaces every character but separators: for dates, numbers and codes.
func maskAll(s string) string {
	if s == "" {
		return ""
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '/' || r == '.' {
			return r
		}
		return '•'
	}, s)
}

// piiKey matches the detail keys whose string values are personal data.
var piiKey = regexp.MustCompile(`(?i)(name|given|surname|dob|birth|date|number|personal|optional|address|street|city|postal|zip|email|phone|mrz|query|holder|^ip$|_ip$|^ip_|user_agent|raw|text|line|signature)`)

// maskApplicant masks the data an applicant was created with.
func maskApplicant(a *models.ApplicantData) *models.ApplicantData {
	if a == nil {
		return nil
	}
	return &models.ApplicantData{Name: maskText(a.Name), Email: maskText(a.Email), DOB: maskAll(a.DOB), Country: a.Country}
}

// redactor masks personal data in free text and evidence: the strings of PII keys, and any
// occurrence of the applicant's own name, date of birth or e-mail elsewhere (a reason message
// quoting the name, a comment).
type redactor struct{ known []string }

func newRedactor(a *models.ApplicantData) redactor {
	var rd redactor
	if a == nil {
		return rd
	}
	for _, s := range append(strings.Fields(a.Name), a.DOB, a.Email, a.Name) {
		if utf8.RuneCountInString(s) >= 2 {
			rd.known = append(rd.known, s)
		}
	}
	return rd
}

// quoted is a quoted name or value in a message: reasons quote what was screened or read
// ("ERIKA MUSTERMANN" matches …), which need not be the data the applicant was created with.
var quoted = regexp.MustCompile(`"[^"]{2,200}"|“[^”]{2,200}”`)

// text masks the known personal strings inside s (case-insensitively), and anything quoted.
func (rd redactor) text(s string) string {
	for _, k := range rd.known {
		s = replaceFold(s, k, maskText)
	}
	return quoted.ReplaceAllStringFunc(s, maskText)
}

// replaceFold replaces every case-insensitive occurrence of old in s with repl of what was there.
func replaceFold(s, old string, repl func(string) string) string {
	if old == "" {
		return s
	}
	lo, lold := strings.ToLower(s), strings.ToLower(old)
	if len(lo) != len(s) || len(lold) != len(old) { // case folding changed byte lengths: compare as is
		return strings.ReplaceAll(s, old, repl(old))
	}
	var b strings.Builder
	for {
		i := strings.Index(lo, lold)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(old)
		b.WriteString(s[:i])
		if wordAt(s, i, end) {
			b.WriteString(repl(s[i:end]))
		} else { // inside a longer word ("Li" in "list"): leave it
			b.WriteString(s[i:end])
		}
		s, lo = s[end:], lo[end:]
	}
}

// wordAt reports whether s[i:end] is a whole word: no letter or digit right before or after.
func wordAt(s string, i, end int) bool {
	if r, _ := utf8.DecodeLastRuneInString(s[:i]); i > 0 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return false
	}
	if r, _ := utf8.DecodeRuneInString(s[end:]); end < len(s) && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
		return false
	}
	return true
}

// value masks a piece of evidence: strings under PII keys entirely, other strings where they
// quote the applicant's data; numbers and booleans (scores, flags) stay.
func (rd redactor) value(key string, v any) any {
	switch x := v.(type) {
	case string:
		if key != "" && piiKey.MatchString(key) {
			return maskAll(x)
		}
		return rd.text(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rd.value(key, e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = rd.value(k, e)
		}
		return out
	}
	return v
}

// jsonValue turns any result value into plain JSON values (maps, lists, strings) for value.
func jsonValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// maskCase masks the case view's personal data in place.
func maskCase(d *caseData) {
	rd := newRedactor(d.V.Applicant)
	d.Masked = true
	d.V.Applicant = maskApplicant(d.V.Applicant)
	if d.V.Signals != nil {
		d.SignalsHidden, d.V.Signals = true, nil
	}
	for i := range d.Checks {
		c := &d.Checks[i]
		for j := range c.Fields {
			c.Fields[j][1] = describe(rd.value(c.Fields[j][0], jsonValue(c.Details[c.Fields[j][0]])))
		}
		reasons := make([]models.Reason, len(c.Reasons))
		for j, re := range c.Reasons {
			re.Message = rd.text(re.Message)
			reasons[j] = re
		}
		c.Reasons = reasons
		for j := range c.Hits {
			c.Hits[j].Explanation = rd.text(c.Hits[j].Explanation)
		}
		c.Images = nil
		// Nothing renders the raw details today; masked, no template can leak them tomorrow.
		if m, ok := rd.value("", jsonValue(c.Details)).(map[string]any); ok {
			c.Details = m
		} else {
			c.Details = nil
		}
	}
	comments := make([]tools.ReviewComment, len(d.Review.Comments))
	for i, cm := range d.Review.Comments {
		cm.Body = rd.text(cm.Body)
		comments[i] = cm
	}
	d.Review.Comments = comments
	if d.V.Review != nil {
		rv := *d.V.Review
		rv.Reason = rd.text(rv.Reason)
		d.V.Review = &rv
	}
	d.Images = map[string][]tools.CaseImage{}
	d.Face = nil
}

// maskIf masks s when mask is set (the lists of a masked operator).
func maskIf(mask bool, s string) string {
	if mask {
		return maskText(s)
	}
	return s
}

// reveal shows one case's personal data to a masked operator for a while: the reveal is
// written to the audit trail first (action "reveal"), and nothing is shown if that fails.
func (h *Handler) reveal(w http.ResponseWriter, r *http.Request) {
	op := operator(r)
	// Read the case first, as the operator: a case of another account or mode is a 404 and
	// leaves no reveal behind.
	v, te := call[tools.Verification](r, tools.GetVerification.Name, map[string]any{"id": r.PathValue("id")})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	if !masksPII(op) {
		back(w, r, caseURL(r), "Your role sees personal data unmasked; nothing to reveal.", nil)
		return
	}
	detail, _ := json.Marshal(map[string]any{"page": "case", "seconds": int(h.revealFor.Seconds())})
	if err := tools.RecordAudit(r.Context(), h.reg.Deps(), op.Caller, tools.AuditEntry{Action: "reveal", ObjectType: "verification",
		ObjectID: v.ID, Detail: string(detail)}); err != nil {
		h.log.ErrorContext(r.Context(), "dashboard: audit reveal", "err", err)
		h.fail(w, r, tools.Errorf(tools.CodeUnavailable, "", "cannot record the reveal in the audit trail right now, so nothing is shown; retry"))
		return
	}
	until := h.now().Add(h.revealFor)
	h.reveals.add(sessionOf(op), v.ID, until)
	back(w, r, caseURL(r), "Personal data revealed until "+until.UTC().Format("15:04:05 UTC")+"; the reveal is in the audit trail.", nil)
}
