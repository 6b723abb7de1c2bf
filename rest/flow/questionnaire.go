package flow

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// The questionnaire step (#22): the questionnaire the verification was given, rendered on the
// server — one fieldset per section, a label (or legend) per question, errors tied to their
// field with aria-describedby — and sent through submit_questionnaire_answers, whose
// field-level problems come back next to the fields. show_if is evaluated on the server with
// the answers known (a follow-up appears once its condition's answer was sent);
// questionnaire.js shows and hides follow-ups as the applicant answers, when scripts run.

// qForm is the questionnaire as the template renders it.
type qForm struct {
	Sections []qSection
	// Multipart is set when a question takes a file.
	Multipart bool
	// Errors counts the fields with an error.
	Errors int
}

type qSection struct {
	Title     string
	Questions []qField
}

// qField is one question: its label and help in the page's language, its value as sent (or
// stored), whether it is shown, and its error message.
type qField struct {
	ID, Type, Label, Help string
	Required, Hidden      bool
	Value                 string
	Options               []qOption
	Error                 string
	// Describe is the ids of the help text and the error, for aria-describedby.
	Describe string
	// ShowIf is the condition as JSON for questionnaire.js ({"question","equals"|"includes"}).
	ShowIf string
	// Min, Max and MaxLength become the input's attributes (number, date, text).
	Min, Max  string
	MaxLength int
}

type qOption struct {
	Value, Label string
	Checked      bool
}

// questionnaireDef reads the verification's questionnaire version through get_questionnaire.
func (h *Handler) questionnaireDef(r *http.Request, s *session) (*tools.Questionnaire, error) {
	args, _ := json.Marshal(map[string]any{"verification_id": s.caller.VerificationID})
	out, err := h.reg.Call(r.Context(), s.caller, toolGetQuestionnaire, args)
	if err != nil {
		return nil, err
	}
	q, ok := out.(tools.Questionnaire)
	if !ok {
		return nil, fmt.Errorf("get_questionnaire returned %T", out)
	}
	return &q, nil
}

func (h *Handler) questionnaireStep(w http.ResponseWriter, r *http.Request, s *session, p *page) {
	q, err := h.questionnaireDef(r, s)
	if err != nil {
		h.questionnaireFailed(w, r, s, err)
		return
	}
	var answers map[string]any
	if s.v.Questionnaire != nil {
		answers = s.v.Questionnaire.Answers
	}
	p.Questionnaire = buildForm(q.Definition, s.cat, answers, nil)
	h.render(w, r, "questionnaire", http.StatusOK, p)
}

// questionnairePost reads the form, sends it to submit_questionnaire_answers and shows the
// problems next to their fields, or moves on.
func (h *Handler) questionnairePost(w http.ResponseWriter, r *http.Request, s *session) {
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.UploadLimit)
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(1 << 20)
		if r.MultipartForm != nil {
			defer func() { _ = r.MultipartForm.RemoveAll() }()
		}
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.renderError(w, r, s.cat, http.StatusRequestEntityTooLarge, "error.title", "questionnaire.error.too_large")
			return
		}
		h.renderError(w, r, s.cat, http.StatusBadRequest, "error.title", "error.generic")
		return
	}
	if !h.guardPost(w, r, s, r.PostFormValue("csrf")) {
		return
	}
	if !s.open(h.now()) {
		http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
		return
	}
	if !slices.Contains(s.steps, stepQuestionnaire) {
		h.renderError(w, r, s.cat, http.StatusNotFound, "error.invalid_link.title", "error.invalid_link.text")
		return
	}
	q, err := h.questionnaireDef(r, s)
	if err != nil {
		h.questionnaireFailed(w, r, s, err)
		return
	}
	answers := formAnswers(r, q.Definition, h.opts.UploadLimit)
	args, _ := json.Marshal(map[string]any{"verification_id": s.caller.VerificationID, "answers": answers})
	_, err = h.reg.Call(r.Context(), s.caller, toolQuestionnaire, args)
	if err == nil {
		http.Redirect(w, r, s.stepURL(s.next(stepQuestionnaire)), http.StatusSeeOther)
		return
	}
	te := tools.AsError(err)
	if te == nil || te.Code != tools.CodeInvalidArgument {
		h.questionnaireFailed(w, r, s, err)
		return
	}
	problems := map[string]string{}
	for _, pr := range te.Problems {
		if id, ok := strings.CutPrefix(pr.Path, "answers."); ok {
			problems[id] = problemKey(pr.Message)
		}
	}
	if len(problems) == 0 && te.Field != "" { // a single problem, as a schema check reports it
		problems[strings.TrimPrefix(te.Field, "answers.")] = problemKey(te.Message)
	}
	p := h.newPage(r, s, stepQuestionnaire)
	p.Next = s.stepURL(s.next(stepQuestionnaire))
	p.Questionnaire = buildForm(q.Definition, s.cat, answers, problems)
	p.Error = "questionnaire.errors"
	h.render(w, r, "questionnaire", http.StatusUnprocessableEntity, p)
}

// questionnaireFailed answers a failed tool call the way the other steps do.
func (h *Handler) questionnaireFailed(w http.ResponseWriter, r *http.Request, s *session, err error) {
	te := tools.AsError(err)
	switch {
	case te != nil && te.Code == tools.CodeConflict && strings.HasPrefix(te.Message, tools.ConsentRequired):
		http.Redirect(w, r, s.stepURL(stepIntro), http.StatusSeeOther)
	case te != nil && te.Code == tools.CodeConflict:
		http.Redirect(w, r, s.stepURL(stepResult), http.StatusSeeOther)
	case te != nil && (te.Code == tools.CodeUnavailable || te.Code == tools.CodeRateLimited):
		h.renderError(w, r, s.cat, http.StatusServiceUnavailable, "error.title", "error.unavailable")
	default:
		if te == nil || te.Code == tools.CodeInternal {
			h.log.ErrorContext(r.Context(), "flow: questionnaire step", "verification", s.caller.VerificationID, "err", err)
		}
		h.renderError(w, r, s.cat, http.StatusInternalServerError, "error.title", "error.generic")
	}
}

// problemKey is the message key for a problem submit_questionnaire_answers reported (its
// message is English, for integrators; the applicant reads their own language).
func problemKey(msg string) string {
	switch {
	case msg == "required":
		return "questionnaire.error.required"
	case strings.Contains(msg, "expected format"):
		return "questionnaire.error.format"
	case strings.Contains(msg, "characters"):
		return "questionnaire.error.too_long"
	case strings.Contains(msg, "larger than"):
		return "questionnaire.error.too_large"
	case strings.Contains(msg, "not accepted"):
		return "questionnaire.error.file_type"
	case strings.Contains(msg, "at least"), strings.Contains(msg, "at most"), strings.Contains(msg, "or later"), strings.Contains(msg, "or earlier"):
		return "questionnaire.error.range"
	}
	return "questionnaire.error.invalid"
}

// formAnswers reads the answers from the form, one per question, in the form the tool takes
// (a form sends strings; the tool reads numbers and yes/no from them). Empty fields are left
// out; a file is sent as base64.
func formAnswers(r *http.Request, def models.QuestionnaireDefinition, limit int64) map[string]any {
	out := map[string]any{}
	for _, sec := range def.Sections {
		for _, q := range sec.Questions {
			switch q.Type {
			case models.QuestionMultipleChoice:
				if vals := r.PostForm[q.ID]; len(vals) > 0 {
					list := make([]any, len(vals))
					for i, v := range vals {
						list[i] = v
					}
					out[q.ID] = list
				}
			case models.QuestionFile:
				if b := formFile(r, q.ID, limit); len(b) > 0 {
					out[q.ID] = base64.StdEncoding.EncodeToString(b)
				}
			default:
				if v := strings.TrimSpace(r.PostFormValue(q.ID)); v != "" {
					out[q.ID] = v
				}
			}
		}
	}
	return out
}

func formFile(r *http.Request, field string, limit int64) []byte {
	if r.MultipartForm == nil {
		return nil
	}
	var f multipart.File
	f, _, err := r.FormFile(field)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }()
	b, _ := io.ReadAll(io.LimitReader(f, limit+1))
	return b
}

// buildForm renders a definition in the page's language with the answers known (stored, or
// as just sent) and the problems by question id. A question whose show_if does not hold on
// those answers is hidden (and disabled, so the browser does not send it).
func buildForm(def models.QuestionnaireDefinition, cat *catalog, answers map[string]any, problems map[string]string) *qForm {
	f := &qForm{}
	shownAnswers := map[string]any{}
	for _, sec := range def.Sections {
		fs := qSection{Title: tools.LocalText(sec.Title, cat.lang)}
		for _, q := range sec.Questions {
			fd := qField{ID: q.ID, Type: q.Type, Label: tools.LocalText(q.Label, cat.lang), Help: tools.LocalText(q.Help, cat.lang), Required: q.Required}
			fd.Hidden = !tools.QuestionShown(q.ShowIf, shownAnswers)
			if q.ShowIf != nil {
				b, _ := json.Marshal(q.ShowIf)
				fd.ShowIf = string(b)
			}
			a := answers[q.ID]
			if !fd.Hidden && a != nil {
				shownAnswers[q.ID] = conditionValue(q.Type, a)
			}
			fd.Value = answerText(a)
			if v := q.Validation; v != nil {
				fd.Min, fd.Max, fd.MaxLength = bound(v.Min), bound(v.Max), v.MaxLength
			}
			switch q.Type {
			case models.QuestionSingleChoice, models.QuestionMultipleChoice:
				for _, o := range q.Options {
					label := tools.LocalText(o.Label, cat.lang)
					if label == "" {
						label = o.Value
					}
					fd.Options = append(fd.Options, qOption{Value: o.Value, Label: label, Checked: chosen(a, o.Value)})
				}
			case models.QuestionCountry:
				fd.Options = countryOptions(cat, fd.Value)
			case models.QuestionYesNo:
				fd.Value = yesNo(a)
			case models.QuestionFile:
				f.Multipart, fd.Value = true, ""
			}
			var desc []string
			if fd.Help != "" {
				desc = append(desc, "help-"+q.ID)
			}
			if key, ok := problems[q.ID]; ok && !fd.Hidden {
				fd.Error = cat.T(key)
				f.Errors++
				desc = append(desc, "err-"+q.ID)
			}
			fd.Describe = strings.Join(desc, " ")
			fs.Questions = append(fs.Questions, fd)
		}
		f.Sections = append(f.Sections, fs)
	}
	return f
}

// conditionValue is an answer as the tool compares it: a yes/no or a number from a form is
// a boolean or a number.
func conditionValue(typ string, a any) any {
	str, ok := a.(string)
	if !ok {
		return a
	}
	switch typ {
	case models.QuestionYesNo:
		switch yesNo(str) {
		case "yes":
			return true
		case "no":
			return false
		}
	case models.QuestionNumber:
		if n, err := strconv.ParseFloat(strings.TrimSpace(str), 64); err == nil {
			return n
		}
	case models.QuestionMultipleChoice:
		return []any{str}
	}
	return a
}

func answerText(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func yesNo(a any) string {
	switch v := a.(type) {
	case bool:
		if v {
			return "yes"
		}
		return "no"
	case string:
		switch strings.ToLower(v) {
		case "yes", "true":
			return "yes"
		case "no", "false":
			return "no"
		}
	}
	return ""
}

func chosen(a any, value string) bool {
	switch v := a.(type) {
	case string:
		return v == value
	case []any:
		return slices.Contains(v, any(value))
	}
	return false
}

func bound(v any) string {
	switch b := v.(type) {
	case float64:
		return strconv.FormatFloat(b, 'f', -1, 64)
	case string:
		return b
	}
	return ""
}

// countryOptions are the ISO 3166-1 countries named in the page's language, sorted by name.
func countryOptions(cat *catalog, selected string) []qOption {
	tag, err := language.Parse(cat.lang)
	if err != nil {
		tag = language.English
	}
	names := display.Regions(tag)
	var out []qOption
	for _, code := range tools.CountryCodes() {
		r := language.MustParseRegion(code)
		name := names.Name(r)
		if name == "" {
			name = code
		}
		out = append(out, qOption{Value: code, Label: name, Checked: code == selected})
	}
	slices.SortFunc(out, func(a, b qOption) int { return strings.Compare(a.Label, b.Label) })
	return out
}
