package verify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Questionnaires (#22). A definition is checked once, when it is created or updated, and
// every problem is listed with its path; labels are normalised to translations by language
// ({"en": …}) so readers never meet the string form. Answers are checked against the version
// the verification was given: only shown questions (show_if) count, hidden answers are
// dropped, and every problem is listed as answers.<id>. Answer rules route the decision.

// EventQuestionnaireAnswered is emitted when a verification's questionnaire answers are
// stored (submit_questionnaire_answers): data.questionnaire_id, version and the ids answered —
// never the answers.
const EventQuestionnaireAnswered = "verification.questionnaire_answered"

// CheckQuestionnaire names the questionnaire's outcome among a result's checks.
const CheckQuestionnaire = "questionnaire"

// MissingQuestionnaire is Service.Missing's message for unanswered questionnaires.
const MissingQuestionnaire = CheckQuestionnaire + ": the questionnaire's answers (submit_questionnaire_answers)"

// QuestionnaireProblem is one thing wrong with a definition, a rule or an answer: Path names
// it (sections[0].questions[2].options, answers.income) and Message says what is wrong.
type QuestionnaireProblem struct {
	Path    string `json:"path" jsonschema:"where the problem is, e.g. sections[0].questions[1].validation.pattern or answers.income"`
	Message string `json:"message" jsonschema:"what is wrong, for a person"`
}

// Limits of a definition and of answers.
const (
	// MaxFileAnswer bounds a file answer (decoded) unless validation.max_size lowers it.
	MaxFileAnswer = 10 << 20
	// maxQuestions bounds a questionnaire's questions over all sections.
	maxQuestions = 200
	// maxLabel bounds one translation of a label, title or help text.
	maxLabel = 2000
	// defaultTextLength and defaultLongTextLength bound text answers without max_length.
	defaultTextLength     = 1000
	defaultLongTextLength = 20000
)

var (
	questionIDRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	langRE       = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)
	dateRE       = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	// fileTypes are the content types a file answer may have (sniffed, not declared).
	fileTypes = []string{"application/pdf", "image/jpeg", "image/png", "image/webp"}
)

// ValidateQuestionnaire checks a definition and returns it normalised (labels as translations
// by language, trimmed ids) with every problem found; the definition is usable only when
// there are none.
func ValidateQuestionnaire(def models.QuestionnaireDefinition) (models.QuestionnaireDefinition, []QuestionnaireProblem) {
	var probs []QuestionnaireProblem
	add := func(path, format string, args ...any) {
		probs = append(probs, QuestionnaireProblem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	if len(def.Sections) == 0 {
		add("sections", "at least one section is needed")
	}
	seen := map[string]*models.Question{}
	total := 0
	out := models.QuestionnaireDefinition{Sections: make([]models.QuestionnaireSection, len(def.Sections))}
	for si, sec := range def.Sections {
		sp := fmt.Sprintf("sections[%d]", si)
		title, msg := normalText(sec.Title, false)
		if msg != "" {
			add(sp+".title", "%s", msg)
		}
		out.Sections[si] = models.QuestionnaireSection{Title: title, Questions: make([]models.Question, len(sec.Questions))}
		if len(sec.Questions) == 0 {
			add(sp+".questions", "at least one question is needed")
		}
		for qi, q := range sec.Questions {
			total++
			qp := fmt.Sprintf("%s.questions[%d]", sp, qi)
			nq := q
			nq.ID = strings.TrimSpace(q.ID)
			switch {
			case !questionIDRE.MatchString(nq.ID):
				add(qp+".id", "must be 1 to 64 lower-case letters, digits and _, starting with a letter (e.g. source_of_funds); got %q", q.ID)
			case seen[nq.ID] != nil:
				add(qp+".id", "%q is used by an earlier question; ids are unique in the questionnaire", nq.ID)
			}
			if !slices.Contains(models.AllQuestionTypes, q.Type) {
				add(qp+".type", "%q is not a question type; use one of %s", q.Type, strings.Join(models.AllQuestionTypes, ", "))
			}
			var msg string
			if nq.Label, msg = normalText(q.Label, true); msg != "" {
				add(qp+".label", "%s", msg)
			}
			if nq.Help, msg = normalText(q.Help, false); msg != "" {
				add(qp+".help", "%s", msg)
			}
			nq.Options = checkOptions(qp, q, add)
			if q.ShowIf != nil {
				checkCondition(qp+".show_if", nq.ID, q.ShowIf.Question, q.ShowIf.Equals, q.ShowIf.Includes, seen, add)
			}
			if q.Validation != nil {
				checkValidation(qp+".validation", q, add)
			}
			out.Sections[si].Questions[qi] = nq
			if questionIDRE.MatchString(nq.ID) && seen[nq.ID] == nil {
				seen[nq.ID] = &out.Sections[si].Questions[qi]
			}
		}
	}
	if total > maxQuestions {
		add("sections", "%d questions; at most %d are allowed", total, maxQuestions)
	}
	return out, probs
}

// normalText checks a label-like value — a string, or translations by language with at
// least "en" — and returns it as translations. nil is "" when the text is optional.
func normalText(v any, required bool) (map[string]string, string) {
	switch t := v.(type) {
	case nil:
		if required {
			return nil, "required: a string, or translations by language such as {\"en\": \"…\", \"de\": \"…\"}"
		}
		return nil, ""
	case string:
		s := strings.TrimSpace(t)
		if s == "" {
			if required {
				return nil, "must not be empty"
			}
			return nil, ""
		}
		if utf8.RuneCountInString(s) > maxLabel {
			return nil, fmt.Sprintf("longer than %d characters", maxLabel)
		}
		return map[string]string{"en": s}, ""
	case map[string]any:
		out := map[string]string{}
		for lang, tv := range t {
			s, ok := tv.(string)
			switch {
			case !langRE.MatchString(lang):
				return nil, fmt.Sprintf("%q is not a language tag (en, de, pt, pt-BR)", lang)
			case !ok || strings.TrimSpace(s) == "":
				return nil, fmt.Sprintf("the %s text must be a non-empty string", lang)
			case utf8.RuneCountInString(s) > maxLabel:
				return nil, fmt.Sprintf("the %s text is longer than %d characters", lang, maxLabel)
			}
			out[lang] = strings.TrimSpace(s)
		}
		if out["en"] == "" {
			return nil, "translations need an \"en\" text, the fallback for other languages"
		}
		return out, ""
	case map[string]string: // a definition built in Go, or one normalised already
		m := make(map[string]any, len(t))
		for k, s := range t {
			m[k] = s
		}
		return normalText(m, required)
	}
	return nil, "must be a string or an object of translations by language"
}

// Localize picks the text for lang from a label normalised by ValidateQuestionnaire (or a
// plain string): lang itself (pt-BR), its base language (pt), then English.
func Localize(v any, lang string) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]string:
		return pickLang(func(k string) string { return t[k] }, lang)
	case map[string]any:
		return pickLang(func(k string) string { s, _ := t[k].(string); return s }, lang)
	}
	return ""
}

func pickLang(get func(string) string, lang string) string {
	base, _, _ := strings.Cut(lang, "-")
	for _, k := range []string{lang, base, "en"} {
		if s := get(k); s != "" {
			return s
		}
	}
	return ""
}

func checkOptions(qp string, q models.Question, add func(string, string, ...any)) []models.QuestionOption {
	choice := q.Type == models.QuestionSingleChoice || q.Type == models.QuestionMultipleChoice
	if !choice {
		if len(q.Options) > 0 {
			add(qp+".options", "only single_choice and multiple_choice questions have options")
		}
		return nil
	}
	if len(q.Options) == 0 {
		add(qp+".options", "a %s question needs at least one option", q.Type)
	}
	out := make([]models.QuestionOption, len(q.Options))
	values := map[string]bool{}
	for i, o := range q.Options {
		op := fmt.Sprintf("%s.options[%d]", qp, i)
		v := strings.TrimSpace(o.Value)
		switch {
		case v == "":
			add(op+".value", "must not be empty")
		case values[v]:
			add(op+".value", "%q is listed twice", v)
		}
		values[v] = true
		label, msg := normalText(o.Label, false)
		if msg != "" {
			add(op+".label", "%s", msg)
		}
		out[i] = models.QuestionOption{Value: v, Label: label}
	}
	return out
}

// checkCondition checks a show_if or an answer rule's match against the questions known so
// far (earlier questions for show_if; all of them for a rule).
func checkCondition(path, self, target string, equals, includes any, known map[string]*models.Question, add func(string, string, ...any)) {
	t := known[target]
	switch {
	case target == "":
		add(path+".question", "required: the id of the question whose answer decides")
		return
	case target == self:
		add(path+".question", "a question cannot depend on its own answer")
		return
	case t == nil && self != "":
		add(path+".question", "%q is not an earlier question's id", target)
		return
	case t == nil:
		add(path+".question", "%q is not a question of the questionnaire", target)
		return
	}
	if (equals == nil) == (includes == nil) {
		add(path, "give exactly one of equals and includes")
		return
	}
	if t.Type == models.QuestionFile {
		add(path+".question", "%q is a file question; its answer cannot be compared", target)
		return
	}
	if includes != nil {
		if t.Type != models.QuestionMultipleChoice {
			add(path+".includes", "includes applies to multiple_choice answers; %q is %s (use equals)", target, t.Type)
			return
		}
		checkValueFits(path+".includes", t, includes, add)
		return
	}
	if t.Type == models.QuestionMultipleChoice {
		add(path+".equals", "%q is multiple_choice: use includes", target)
		return
	}
	checkValueFits(path+".equals", t, equals, add)
}

// checkValueFits checks that v could be an answer to (or an element of an answer to) q.
func checkValueFits(path string, q *models.Question, v any, add func(string, string, ...any)) {
	switch q.Type {
	case models.QuestionNumber:
		if _, ok := v.(float64); !ok {
			add(path, "must be a number: %q is a number question", q.ID)
		}
	case models.QuestionYesNo:
		if _, ok := v.(bool); !ok {
			add(path, "must be true or false: %q is a yes_no question", q.ID)
		}
	default:
		s, ok := v.(string)
		if !ok {
			add(path, "must be a string: %q is a %s question", q.ID, q.Type)
			return
		}
		if q.Type == models.QuestionSingleChoice || q.Type == models.QuestionMultipleChoice {
			if !slices.ContainsFunc(q.Options, func(o models.QuestionOption) bool { return o.Value == s }) {
				add(path, "%q is not an option of %q (%s)", s, q.ID, optionList(q))
			}
		}
	}
}

func optionList(q *models.Question) string {
	vs := make([]string, len(q.Options))
	for i, o := range q.Options {
		vs[i] = o.Value
	}
	return strings.Join(vs, ", ")
}

func checkValidation(path string, q models.Question, add func(string, string, ...any)) {
	v := q.Validation
	text := q.Type == models.QuestionText || q.Type == models.QuestionLongText
	if v.Pattern != "" {
		if !text {
			add(path+".pattern", "only text and long_text answers have a pattern")
		} else if _, err := regexp.Compile(v.Pattern); err != nil {
			add(path+".pattern", "not a valid regular expression (Go syntax): %v", err)
		}
	}
	if v.MaxLength != 0 && !text {
		add(path+".max_length", "only text and long_text answers have a max_length")
	}
	if v.MaxSize != 0 && q.Type != models.QuestionFile {
		add(path+".max_size", "only file answers have a max_size")
	}
	if v.Min == nil && v.Max == nil {
		return
	}
	switch q.Type {
	case models.QuestionNumber:
		lo, okLo := v.Min.(float64)
		hi, okHi := v.Max.(float64)
		if v.Min != nil && !okLo {
			add(path+".min", "must be a number")
		}
		if v.Max != nil && !okHi {
			add(path+".max", "must be a number")
		}
		if okLo && okHi && lo > hi {
			add(path+".max", "must be at least min (%v)", lo)
		}
	case models.QuestionDate:
		lo, okLo := v.Min.(string)
		hi, okHi := v.Max.(string)
		if v.Min != nil && (!okLo || !isDate(lo)) {
			add(path+".min", "must be a date as YYYY-MM-DD")
		}
		if v.Max != nil && (!okHi || !isDate(hi)) {
			add(path+".max", "must be a date as YYYY-MM-DD")
		}
		if okLo && okHi && isDate(lo) && isDate(hi) && lo > hi {
			add(path+".max", "must not be before min (%s)", lo)
		}
	case models.QuestionMultipleChoice:
		lo, okLo := v.Min.(float64)
		hi, okHi := v.Max.(float64)
		if v.Min != nil && (!okLo || lo < 0 || lo != math.Trunc(lo)) {
			add(path+".min", "must be a whole number of choices, 0 or more")
		}
		if v.Max != nil && (!okHi || hi < 1 || hi != math.Trunc(hi)) {
			add(path+".max", "must be a whole number of choices, 1 or more")
		}
		if okLo && okHi && lo > hi {
			add(path+".max", "must be at least min (%v)", lo)
		}
	default:
		add(path, "min and max apply to number, date and multiple_choice answers, not %s", q.Type)
	}
}

func isDate(s string) bool {
	if !dateRE.MatchString(s) {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// ValidateAnswerRules checks answer rules against a (normalised) definition, listing every
// problem with its path (answer_rules[1].equals).
func ValidateAnswerRules(def models.QuestionnaireDefinition, rules []models.AnswerRule, prefix string) []QuestionnaireProblem {
	var probs []QuestionnaireProblem
	add := func(path, format string, args ...any) {
		probs = append(probs, QuestionnaireProblem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	known := map[string]*models.Question{}
	for si := range def.Sections {
		for qi := range def.Sections[si].Questions {
			q := &def.Sections[si].Questions[qi]
			known[q.ID] = q
		}
	}
	for i, r := range rules {
		p := fmt.Sprintf("%s[%d]", prefix, i)
		if !slices.Contains(models.AllRuleOutcomes, r.Outcome) {
			add(p+".outcome", "must be review or reject; got %q", r.Outcome)
		}
		checkCondition(p, "", r.Question, r.Equals, r.Includes, known, add)
	}
	return probs
}

// FileAnswer is a file an applicant gave as an answer, decoded; StoreAnswers keeps it as a
// sealed artifact and the answer becomes its reference.
type FileAnswer struct {
	Question    string
	Data        []byte
	ContentType string
}

// FileRef is what a file answer is stored as: the sealed file holding it.
type FileRef struct {
	FileID      string `json:"file_id"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	SHA256      string `json:"sha256"`
}

// ValidateAnswers checks answers against a definition: only the questions shown (show_if,
// evaluated in order on the answers checked so far) count; answers to hidden questions are
// dropped. It returns the clean answers (numbers as float64, yes/no as bool, trimmed text,
// country codes as ISO alpha-2), the decoded files and every problem, as answers.<id>.
func ValidateAnswers(def models.QuestionnaireDefinition, answers map[string]any) (map[string]any, []FileAnswer, []QuestionnaireProblem) {
	var probs []QuestionnaireProblem
	add := func(id, format string, args ...any) {
		probs = append(probs, QuestionnaireProblem{Path: "answers." + id, Message: fmt.Sprintf(format, args...)})
	}
	known := map[string]bool{}
	clean := map[string]any{}
	var files []FileAnswer
	for _, sec := range def.Sections {
		for _, q := range sec.Questions {
			known[q.ID] = true
			if q.ShowIf != nil && !ConditionHolds(clean, q.ShowIf.Question, q.ShowIf.Equals, q.ShowIf.Includes) {
				continue
			}
			raw, given := answers[q.ID]
			if !given || isEmptyAnswer(raw) {
				if q.Required {
					add(q.ID, "required")
				}
				continue
			}
			v, file, msg := checkAnswer(q, raw)
			if msg != "" {
				add(q.ID, "%s", msg)
				continue
			}
			if file != nil {
				file.Question = q.ID
				files = append(files, *file)
			}
			clean[q.ID] = v
		}
	}
	var unknown []string
	for id := range answers {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	slices.Sort(unknown)
	for _, id := range unknown {
		add(id, "not a question of this questionnaire")
	}
	return clean, files, probs
}

func isEmptyAnswer(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(t) == ""
	case []any:
		return len(t) == 0
	}
	return false
}

// checkAnswer checks one shown, non-empty answer: its clean value, a decoded file, or why not.
func checkAnswer(q models.Question, raw any) (any, *FileAnswer, string) {
	val := q.Validation
	if val == nil {
		val = &models.QuestionValidation{}
	}
	switch q.Type {
	case models.QuestionText, models.QuestionLongText:
		s, ok := raw.(string)
		if !ok {
			return nil, nil, "must be a string"
		}
		s = strings.TrimSpace(s)
		limit := val.MaxLength
		if limit == 0 {
			limit = defaultTextLength
			if q.Type == models.QuestionLongText {
				limit = defaultLongTextLength
			}
		}
		if n := utf8.RuneCountInString(s); n > limit {
			return nil, nil, fmt.Sprintf("at most %d characters; this has %d", limit, n)
		}
		for _, r := range s {
			if r < 0x20 && !(q.Type == models.QuestionLongText && (r == '\n' || r == '\t' || r == '\r')) {
				return nil, nil, "contains a control character"
			}
		}
		if val.Pattern != "" {
			if re, err := regexp.Compile(val.Pattern); err == nil && !re.MatchString(s) {
				return nil, nil, "does not have the expected format"
			}
		}
		return s, nil, ""
	case models.QuestionNumber:
		var n float64
		switch t := raw.(type) {
		case float64:
			n = t
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
			if err != nil {
				return nil, nil, "must be a number"
			}
			n = f
		default:
			return nil, nil, "must be a number"
		}
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, nil, "must be a finite number"
		}
		if lo, ok := val.Min.(float64); ok && n < lo {
			return nil, nil, fmt.Sprintf("must be at least %v", lo)
		}
		if hi, ok := val.Max.(float64); ok && n > hi {
			return nil, nil, fmt.Sprintf("must be at most %v", hi)
		}
		return n, nil, ""
	case models.QuestionDate:
		s, ok := raw.(string)
		if !ok || !isDate(strings.TrimSpace(s)) {
			return nil, nil, "must be a date as YYYY-MM-DD"
		}
		s = strings.TrimSpace(s)
		if lo, ok := val.Min.(string); ok && s < lo {
			return nil, nil, fmt.Sprintf("must be %s or later", lo)
		}
		if hi, ok := val.Max.(string); ok && s > hi {
			return nil, nil, fmt.Sprintf("must be %s or earlier", hi)
		}
		return s, nil, ""
	case models.QuestionSingleChoice:
		s, ok := raw.(string)
		if !ok {
			return nil, nil, "must be one of the options as a string"
		}
		if !hasOption(q, s) {
			return nil, nil, fmt.Sprintf("%q is not an option (%s)", s, optionList(&q))
		}
		return s, nil, ""
	case models.QuestionMultipleChoice:
		list, ok := raw.([]any)
		if !ok {
			if s, isStr := raw.(string); isStr { // one choice, as a form sends it
				list = []any{s}
			} else {
				return nil, nil, "must be a list of options"
			}
		}
		out := []any{}
		for _, e := range list {
			s, ok := e.(string)
			switch {
			case !ok:
				return nil, nil, "must be a list of options (strings)"
			case !hasOption(q, s):
				return nil, nil, fmt.Sprintf("%q is not an option (%s)", s, optionList(&q))
			case slices.Contains(out, any(s)):
				return nil, nil, fmt.Sprintf("%q is chosen twice", s)
			}
			out = append(out, s)
		}
		if lo, ok := val.Min.(float64); ok && float64(len(out)) < lo {
			return nil, nil, fmt.Sprintf("choose at least %v", lo)
		}
		if hi, ok := val.Max.(float64); ok && float64(len(out)) > hi {
			return nil, nil, fmt.Sprintf("choose at most %v", hi)
		}
		return out, nil, ""
	case models.QuestionCountry:
		s, ok := raw.(string)
		if !ok {
			return nil, nil, "must be a country code (ISO 3166-1 alpha-2, e.g. DE)"
		}
		c, ok := CountryCode(s)
		if !ok {
			return nil, nil, fmt.Sprintf("%q is not a country code (ISO 3166-1 alpha-2, e.g. DE)", s)
		}
		return c, nil, ""
	case models.QuestionYesNo:
		switch t := raw.(type) {
		case bool:
			return t, nil, ""
		case string:
			switch strings.ToLower(strings.TrimSpace(t)) {
			case "yes", "true":
				return true, nil, ""
			case "no", "false":
				return false, nil, ""
			}
		}
		return nil, nil, "must be true or false"
	case models.QuestionFile:
		s, ok := raw.(string)
		if !ok {
			return nil, nil, "must be a file as base64 or a data URL"
		}
		limit := MaxFileAnswer
		if val.MaxSize > 0 && val.MaxSize < limit {
			limit = val.MaxSize
		}
		data, msg := decodeFile(s, limit)
		if msg != "" {
			return nil, nil, msg
		}
		ct := http.DetectContentType(data)
		if i := strings.IndexByte(ct, ';'); i >= 0 {
			ct = ct[:i]
		}
		if !slices.Contains(fileTypes, ct) {
			return nil, nil, fmt.Sprintf("a %s file is not accepted; send a PDF, JPEG, PNG or WebP", ct)
		}
		return nil, &FileAnswer{Data: data, ContentType: ct}, ""
	}
	return nil, nil, "unknown question type"
}

func hasOption(q models.Question, v string) bool {
	return slices.ContainsFunc(q.Options, func(o models.QuestionOption) bool { return o.Value == v })
}

// decodeFile reads base64 or a data URL, refusing more than limit bytes before decoding it all.
func decodeFile(s string, limit int) ([]byte, string) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "data:"); ok {
		_, b64, found := strings.Cut(rest, ";base64,")
		if !found {
			return nil, "a data URL must be base64 (data:application/pdf;base64,…)"
		}
		s = b64
	}
	if base64.StdEncoding.DecodedLen(len(s)) > limit+3 {
		return nil, fmt.Sprintf("larger than %d bytes", limit)
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if data, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return nil, "not valid base64"
		}
	}
	if len(data) == 0 {
		return nil, "the file is empty"
	}
	if len(data) > limit {
		return nil, fmt.Sprintf("larger than %d bytes", limit)
	}
	return data, ""
}

// CountryCode normalises an ISO 3166-1 country code (alpha-2 or alpha-3, any case) to alpha-2.
func CountryCode(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 2 && len(s) != 3 {
		return "", false
	}
	r, err := language.ParseRegion(s)
	if err != nil || !r.IsCountry() {
		return "", false
	}
	return r.String(), true
}

// ConditionHolds reports whether the answer to question, among answers, equals equals (when
// set) or includes includes (a list answer containing it; a single answer equal to it). A
// question not answered never matches. Numbers compare by value (1 equals 1.0).
func ConditionHolds(answers map[string]any, question string, equals, includes any) bool {
	a, ok := answers[question]
	if !ok || a == nil {
		return false
	}
	if equals != nil {
		return sameValue(a, equals)
	}
	if includes == nil {
		return false
	}
	if list, isList := a.([]any); isList {
		return slices.ContainsFunc(list, func(e any) bool { return sameValue(e, includes) })
	}
	if list, isList := a.([]string); isList {
		return slices.ContainsFunc(list, func(e string) bool { return sameValue(e, includes) })
	}
	return sameValue(a, includes)
}

func sameValue(a, b any) bool {
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	return reflect.DeepEqual(a, b)
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// RuleMatch is an answer rule that fired, with the reason it gives the decision.
type RuleMatch struct {
	Rule   models.AnswerRule
	Reason models.Reason
}

// EvaluateAnswerRules applies rules to answers: the worst outcome of the rules that match
// (pass when none does) and one reason per match, naming the question and the answer
// (answer_rule_review, answer_rule_reject). A flow's policy uses it as the questionnaire does.
func EvaluateAnswerRules(rules []models.AnswerRule, answers map[string]any) (models.Outcome, []RuleMatch) {
	outcome := models.OutcomePass
	var matches []RuleMatch
	for _, r := range rules {
		if !ConditionHolds(answers, r.Question, r.Equals, r.Includes) {
			continue
		}
		what, verb := r.Equals, "is"
		if r.Equals == nil {
			what, verb = r.Includes, "includes"
		}
		shown, _ := json.Marshal(what)
		m := RuleMatch{Rule: r}
		if r.Outcome == models.RuleReject {
			outcome = models.OutcomeFail
			m.Reason = models.Reason{Code: "answer_rule_reject", Check: CheckQuestionnaire,
				Message: fmt.Sprintf("the answer to %s %s %s, which rejects the verification", r.Question, verb, shown)}
		} else {
			if outcome == models.OutcomePass {
				outcome = models.OutcomeReview
			}
			m.Reason = models.Reason{Code: "answer_rule_review", Check: CheckQuestionnaire,
				Message: fmt.Sprintf("the answer to %s %s %s, which needs a person's review", r.Question, verb, shown)}
		}
		matches = append(matches, m)
	}
	return outcome, matches
}

// DecodeQuestionnaire reads a stored definition.
func DecodeQuestionnaire(q *models.Questionnaire) (models.QuestionnaireDefinition, error) {
	var def models.QuestionnaireDefinition
	if err := json.Unmarshal([]byte(q.Definition), &def); err != nil {
		return def, fmt.Errorf("decode questionnaire %s v%d: %w", q.ID, q.Version, err)
	}
	return def, nil
}

// VerificationAnswers is a verification's questionnaire as the service reads it: the version
// attached, its rules and (once submitted) the answers, opened.
type VerificationAnswers struct {
	Attached      *models.VerificationQuestionnaire
	Questionnaire *models.Questionnaire
	Rules         []models.AnswerRule
	// Answers are nil until submitted, and after the applicant's erasure.
	Answers map[string]any
}

// Answers reads the questionnaire attached to a verification with its answers; nil, nil when
// the verification has none. An erased applicant's answers are nil (their data key is gone).
func (s *Service) Answers(ctx context.Context, v *models.Verification) (*VerificationAnswers, error) {
	sc := db.Scope{AccountID: v.AccountID, Mode: v.Mode}
	vq, err := s.store.VerificationQuestionnaire(ctx, sc, v.ID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	q, err := s.store.GetQuestionnaire(ctx, sc, vq.QuestionnaireID, vq.Version)
	if err != nil {
		return nil, err
	}
	out := &VerificationAnswers{Attached: vq, Questionnaire: q}
	if err := json.Unmarshal([]byte(vq.AnswerRules), &out.Rules); err != nil {
		return nil, fmt.Errorf("decode answer rules: %w", err)
	}
	if len(vq.Answers) > 0 && v.DeletedAt == nil {
		if err := s.store.Keyring().OpenJSON(vq.Answers, &out.Answers); err != nil && !errors.Is(err, db.ErrShredded) {
			return nil, fmt.Errorf("open answers: %w", err)
		}
	}
	return out, nil
}

// AttachQuestionnaire attaches a questionnaire version and its answer rules to a new
// verification, in the creating transaction (Creation.Then).
func AttachQuestionnaire(q *models.Questionnaire, rules []models.AnswerRule) func(ctx context.Context, tx *db.Tx, v *models.Verification) error {
	return func(ctx context.Context, tx *db.Tx, v *models.Verification) error {
		if rules == nil {
			rules = []models.AnswerRule{}
		}
		raw, err := json.Marshal(rules)
		if err != nil {
			return err
		}
		return tx.InsertVerificationQuestionnaire(ctx, &models.VerificationQuestionnaire{VerificationID: v.ID,
			AccountID: v.AccountID, Mode: v.Mode, QuestionnaireID: q.ID, Version: q.Version, AnswerRules: string(raw)})
	}
}

// StoreAnswers keeps checked answers (ValidateAnswers) of a verification that takes uploads,
// in tx: each file kept sealed with the verification's data key, the answers
// (files as FileRef) sealed with it too, and the verification.questionnaire_answered event.
// It returns the answers as stored.
func (s *Service) StoreAnswers(ctx context.Context, tx *db.Tx, v *models.Verification, va *VerificationAnswers, clean map[string]any, files []FileAnswer) (map[string]any, error) {
	sc := db.Scope{AccountID: v.AccountID, Mode: v.Mode}
	for _, f := range files {
		row := &models.QuestionnaireFile{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID, QuestionID: f.Question, ContentType: f.ContentType}
		if err := tx.InsertQuestionnaireFile(ctx, row, f.Data); err != nil {
			return nil, err
		}
		clean[f.Question] = FileRef{FileID: row.ID, ContentType: row.ContentType, Size: row.Size, SHA256: row.SHA256}
	}
	// Round-trip through JSON so what is returned is what a later read gives.
	raw, err := json.Marshal(clean)
	if err != nil {
		return nil, err
	}
	var stored map[string]any
	if err := json.Unmarshal(raw, &stored); err != nil {
		return nil, err
	}
	sealed, err := s.store.Keyring().SealFor(v.ID, raw)
	if err != nil {
		return nil, fmt.Errorf("seal answers: %w", err)
	}
	if err := tx.SetQuestionnaireAnswers(ctx, sc, v.ID, sealed); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(clean))
	for id := range clean {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	cur := *v
	cur.Status = models.StatusInProgress
	return stored, s.RecordEvent(ctx, tx, &cur, EventQuestionnaireAnswered, "", map[string]any{
		"questionnaire_id": va.Questionnaire.ID, "version": va.Questionnaire.Version, "answered": ids})
}

// questionnaireMissing is Missing's line for a questionnaire not answered yet.
func (s *Service) questionnaireMissing(ctx context.Context, v *models.Verification) ([]string, error) {
	vq, err := s.store.VerificationQuestionnaire(ctx, db.Scope{AccountID: v.AccountID, Mode: v.Mode}, v.ID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if vq.SubmittedAt == nil {
		return []string{MissingQuestionnaire}, nil
	}
	return nil, nil
}

// questionnaireOutcome is the questionnaire's part of the decision: its answer rules applied
// to the answers (nil when the verification has no questionnaire, or has not answered it and
// a test-mode magic value forces the outcome: the sandbox needs no inputs).
func (s *Service) questionnaireOutcome(ctx context.Context, v *models.Verification, forced bool) (*models.CheckOutcome, error) {
	va, err := s.Answers(ctx, v)
	if err != nil || va == nil {
		return nil, err
	}
	out := &models.CheckOutcome{Check: CheckQuestionnaire, Outcome: models.OutcomePass, Details: map[string]any{
		"questionnaire_id": va.Questionnaire.ID, "name": va.Questionnaire.Name, "version": va.Questionnaire.Version}}
	if va.Attached.SubmittedAt == nil {
		if forced {
			return nil, nil
		}
		out.Outcome = models.OutcomeReview
		out.Reasons = []models.Reason{{Code: "questionnaire_unanswered", Check: CheckQuestionnaire, Message: "the questionnaire was not answered"}}
		return out, nil
	}
	outcome, matches := EvaluateAnswerRules(va.Rules, va.Answers)
	out.Outcome = outcome
	var fired []string
	for _, m := range matches {
		out.Reasons = append(out.Reasons, m.Reason)
		fired = append(fired, m.Rule.Question)
	}
	if len(fired) > 0 {
		out.Details["rules_matched"] = fired
	}
	return out, nil
}
