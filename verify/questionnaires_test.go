package verify_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// definition decodes a definition as a tool input decodes it (numbers as float64).
func definition(t *testing.T, js string) models.QuestionnaireDefinition {
	t.Helper()
	var d models.QuestionnaireDefinition
	require.NoError(t, json.Unmarshal([]byte(js), &d))
	return d
}

func paths(probs []verify.QuestionnaireProblem) []string {
	out := make([]string, len(probs))
	for i, p := range probs {
		out[i] = p.Path
	}
	return out
}

// Every problem of a definition is listed, each at its path; a valid one has none.
func TestValidateQuestionnaire(t *testing.T) {
	t.Parallel()
	q := func(s string) string { return `{"sections":[{"title":"S","questions":[` + s + `]}]}` }
	cases := []struct {
		name string
		def  string
		want []string // paths, in order
		msg  string   // a fragment of the first message
	}{
		{"valid, every type", q(`{"id":"a","type":"text","label":"A","validation":{"pattern":"^[A-Z]+$","max_length":10}},
			{"id":"b","type":"long_text","label":{"en":"B","de":"B","pt":"B"}},
			{"id":"c","type":"number","label":"C","validation":{"min":0,"max":10}},
			{"id":"d","type":"date","label":"D","validation":{"min":"2000-01-01","max":"2030-12-31"}},
			{"id":"e","type":"single_choice","label":"E","options":[{"value":"x"},{"value":"y","label":{"en":"Y","de":"Ypsilon"}}]},
			{"id":"f","type":"multiple_choice","label":"F","options":[{"value":"x"},{"value":"y"}],"validation":{"min":1,"max":2}},
			{"id":"g","type":"country","label":"G"},
			{"id":"h","type":"yes_no","label":"H","show_if":{"question":"e","equals":"y"}},
			{"id":"i","type":"file","label":"I","validation":{"max_size":1000},"show_if":{"question":"f","includes":"x"}}`), nil, ""},
		{"no sections", `{"sections":[]}`, []string{"sections"}, "at least one section"},
		{"empty section", `{"sections":[{"questions":[]}]}`, []string{"sections[0].questions"}, "at least one question"},
		{"bad id, type and label", q(`{"id":"Bad Id","type":"essay","label":""}`),
			[]string{"sections[0].questions[0].id", "sections[0].questions[0].type", "sections[0].questions[0].label"}, "lower-case"},
		{"duplicate id", q(`{"id":"a","type":"text","label":"A"},{"id":"a","type":"text","label":"A"}`), []string{"sections[0].questions[1].id"}, "earlier question"},
		{"translations without en", q(`{"id":"a","type":"text","label":{"de":"A"}}`), []string{"sections[0].questions[0].label"}, `"en"`},
		{"bad language tag", q(`{"id":"a","type":"text","label":{"en":"A","Deutsch":"A"}}`), []string{"sections[0].questions[0].label"}, "language tag"},
		{"label not text", q(`{"id":"a","type":"text","label":5}`), []string{"sections[0].questions[0].label"}, "string or an object"},
		{"choice without options", q(`{"id":"a","type":"single_choice","label":"A"}`), []string{"sections[0].questions[0].options"}, "at least one option"},
		{"options on text", q(`{"id":"a","type":"text","label":"A","options":[{"value":"x"}]}`), []string{"sections[0].questions[0].options"}, "only single_choice"},
		{"duplicate option", q(`{"id":"a","type":"single_choice","label":"A","options":[{"value":"x"},{"value":"x"}]}`), []string{"sections[0].questions[0].options[1].value"}, "twice"},
		{"bad pattern", q(`{"id":"a","type":"text","label":"A","validation":{"pattern":"([a-z"}}`), []string{"sections[0].questions[0].validation.pattern"}, "regular expression"},
		{"pattern on number, min > max", q(`{"id":"a","type":"number","label":"A","validation":{"pattern":"x","min":5,"max":1}}`),
			[]string{"sections[0].questions[0].validation.pattern", "sections[0].questions[0].validation.max"}, "only text"},
		{"date bounds not dates", q(`{"id":"a","type":"date","label":"A","validation":{"min":"yesterday","max":3}}`),
			[]string{"sections[0].questions[0].validation.min", "sections[0].questions[0].validation.max"}, "YYYY-MM-DD"},
		{"min on text", q(`{"id":"a","type":"text","label":"A","validation":{"min":1}}`), []string{"sections[0].questions[0].validation"}, "min and max apply"},
		{"max_size on text", q(`{"id":"a","type":"text","label":"A","validation":{"max_size":5}}`), []string{"sections[0].questions[0].validation.max_size"}, "file"},
		{"show_if on a later question", q(`{"id":"a","type":"text","label":"A","show_if":{"question":"b","equals":"x"}},{"id":"b","type":"text","label":"B"}`),
			[]string{"sections[0].questions[0].show_if.question"}, "earlier"},
		{"show_if on itself", q(`{"id":"a","type":"text","label":"A","show_if":{"question":"a","equals":"x"}}`), []string{"sections[0].questions[0].show_if.question"}, "own answer"},
		{"show_if with both", q(`{"id":"a","type":"yes_no","label":"A"},{"id":"b","type":"text","label":"B","show_if":{"question":"a","equals":true,"includes":true}}`),
			[]string{"sections[0].questions[1].show_if"}, "exactly one"},
		{"show_if value of the wrong type", q(`{"id":"a","type":"yes_no","label":"A"},{"id":"b","type":"text","label":"B","show_if":{"question":"a","equals":"yes"}}`),
			[]string{"sections[0].questions[1].show_if.equals"}, "true or false"},
		{"show_if value not an option", q(`{"id":"a","type":"single_choice","label":"A","options":[{"value":"x"}]},{"id":"b","type":"text","label":"B","show_if":{"question":"a","equals":"z"}}`),
			[]string{"sections[0].questions[1].show_if.equals"}, "not an option"},
		{"includes on a single choice", q(`{"id":"a","type":"single_choice","label":"A","options":[{"value":"x"}]},{"id":"b","type":"text","label":"B","show_if":{"question":"a","includes":"x"}}`),
			[]string{"sections[0].questions[1].show_if.includes"}, "multiple_choice"},
		{"problems in two sections are all listed", `{"sections":[{"questions":[{"id":"a","type":"text"}]},{"title":{"fr":"x"},"questions":[{"id":"a","type":"text","label":"A"}]}]}`,
			[]string{"sections[0].questions[0].label", "sections[1].title", "sections[1].questions[0].id"}, "required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			norm, probs := verify.ValidateQuestionnaire(definition(t, tc.def))
			require.Equal(t, tc.want, nilIfEmpty(paths(probs)), "%+v", probs)
			if tc.msg != "" {
				require.Contains(t, probs[0].Message, tc.msg)
			}
			if len(tc.want) == 0 { // labels are stored as translations
				require.Equal(t, map[string]string{"en": "A"}, norm.Sections[0].Questions[0].Label)
				require.Equal(t, map[string]string{"en": "S"}, norm.Sections[0].Title)
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

const answersDef = `{"sections":[{"title":"Funds","questions":[
	{"id":"name","type":"text","label":"Name","required":true,"validation":{"pattern":"^[A-Za-z ]+$","max_length":20}},
	{"id":"story","type":"long_text","label":"Story","validation":{"max_length":10}},
	{"id":"income","type":"number","label":"Income","required":true,"validation":{"min":0,"max":1000}},
	{"id":"since","type":"date","label":"Since","validation":{"min":"2000-01-01","max":"2030-01-01"}},
	{"id":"source","type":"single_choice","label":"Source","required":true,"options":[{"value":"salary"},{"value":"other"}]},
	{"id":"details","type":"text","label":"Details","required":true,"show_if":{"question":"source","equals":"other"}},
	{"id":"assets","type":"multiple_choice","label":"Assets","options":[{"value":"cash"},{"value":"crypto"},{"value":"shares"}],"validation":{"max":2}},
	{"id":"wallet","type":"text","label":"Wallet","required":true,"show_if":{"question":"assets","includes":"crypto"}},
	{"id":"country","type":"country","label":"Country"},
	{"id":"pep","type":"yes_no","label":"PEP","required":true},
	{"id":"pep_role","type":"text","label":"Role","required":true,"show_if":{"question":"pep","equals":true}},
	{"id":"proof","type":"file","label":"Proof","validation":{"max_size":100}}]}]}`

// Answers: every type's checks, conditions (required only when shown; a hidden answer
// dropped), every problem listed as answers.<id>, values normalised.
func TestValidateAnswers(t *testing.T) {
	t.Parallel()
	def, probs := verify.ValidateQuestionnaire(definition(t, answersDef))
	require.Empty(t, probs)
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 20)))
	base := func(more map[string]any) map[string]any {
		m := map[string]any{"name": "Ana Lima", "income": 10.0, "source": "salary", "pep": false}
		for k, v := range more {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	cases := []struct {
		name    string
		answers map[string]any
		want    []string // problem paths
		msg     string
		check   func(t *testing.T, clean map[string]any, files []verify.FileAnswer)
	}{
		{"minimal", base(nil), nil, "", func(t *testing.T, clean map[string]any, _ []verify.FileAnswer) {
			require.Equal(t, map[string]any{"name": "Ana Lima", "income": 10.0, "source": "salary", "pep": false}, clean)
		}},
		{"everything missing", map[string]any{}, []string{"answers.name", "answers.income", "answers.source", "answers.pep"}, "required", nil},
		{"blank text is missing", base(map[string]any{"name": "   "}), []string{"answers.name"}, "required", nil},
		{"text: pattern and length", base(map[string]any{"name": "R2D2"}), []string{"answers.name"}, "expected format", nil},
		{"text: too long", base(map[string]any{"name": strings.Repeat("a", 21)}), []string{"answers.name"}, "at most 20", nil},
		{"text: control character", base(map[string]any{"name": "Ana\x00"}), []string{"answers.name"}, "control", nil},
		{"long text keeps newlines, own limit", base(map[string]any{"story": "a\nb"}), nil, "", func(t *testing.T, clean map[string]any, _ []verify.FileAnswer) {
			require.Equal(t, "a\nb", clean["story"])
		}},
		{"long text too long", base(map[string]any{"story": strings.Repeat("x", 11)}), []string{"answers.story"}, "at most 10", nil},
		{"number: bounds", base(map[string]any{"income": 1001.0}), []string{"answers.income"}, "at most 1000", nil},
		{"number: below", base(map[string]any{"income": -1.0}), []string{"answers.income"}, "at least 0", nil},
		{"number: from a form", base(map[string]any{"income": " 12.5 "}), nil, "", func(t *testing.T, clean map[string]any, _ []verify.FileAnswer) {
			require.Equal(t, 12.5, clean["income"])
		}},
		{"number: not a number", base(map[string]any{"income": "lots"}), []string{"answers.income"}, "must be a number", nil},
		{"date: not a date", base(map[string]any{"since": "2020-02-30"}), []string{"answers.since"}, "YYYY-MM-DD", nil},
		{"date: out of range", base(map[string]any{"since": "1999-12-31"}), []string{"answers.since"}, "2000-01-01 or later", nil},
		{"single choice: not an option", base(map[string]any{"source": "lottery"}), []string{"answers.source"}, "not an option", nil},
		{"condition shown: required", base(map[string]any{"source": "other"}), []string{"answers.details"}, "required", nil},
		{"condition hidden: answer dropped", base(map[string]any{"details": "ignored"}), nil, "", func(t *testing.T, clean map[string]any, _ []verify.FileAnswer) {
			require.NotContains(t, clean, "details")
		}},
		{"multiple choice includes: required when shown", base(map[string]any{"assets": []any{"cash", "crypto"}}), []string{"answers.wallet"}, "required", nil},
		{"multiple choice: too many", base(map[string]any{"assets": []any{"cash", "crypto", "shares"}, "wallet": "bc1q"}), []string{"answers.assets"}, "at most 2", nil},
		{"multiple choice: twice", base(map[string]any{"assets": []any{"cash", "cash"}}), []string{"answers.assets"}, "twice", nil},
		{"multiple choice: one from a form", base(map[string]any{"assets": "cash"}), nil, "", func(t *testing.T, clean map[string]any, _ []verify.FileAnswer) {
			require.Equal(t, []any{"cash"}, clean["assets"])
		}},
		{"country: alpha-3 normalised", base(map[string]any{"country": "deu"}), nil, "", func(t *testing.T, clean map[string]any, _ []verify.FileAnswer) {
			require.Equal(t, "DE", clean["country"])
		}},
		{"country: unknown", base(map[string]any{"country": "XX"}), []string{"answers.country"}, "not a country", nil},
		{"yes/no: string from a form, condition", base(map[string]any{"pep": "yes"}), []string{"answers.pep_role"}, "required", nil},
		{"yes/no: not a boolean", base(map[string]any{"pep": 1.0}), []string{"answers.pep"}, "true or false", nil},
		{"file: data URL", base(map[string]any{"proof": "data:image/png;base64," + png}), nil, "", func(t *testing.T, clean map[string]any, files []verify.FileAnswer) {
			require.Len(t, files, 1)
			require.Equal(t, "proof", files[0].Question)
			require.Equal(t, "image/png", files[0].ContentType)
		}},
		{"file: too large", base(map[string]any{"proof": base64.StdEncoding.EncodeToString([]byte("%PDF-" + strings.Repeat("x", 200)))}), []string{"answers.proof"}, "larger than 100", nil},
		{"file: not base64", base(map[string]any{"proof": "not base64!"}), []string{"answers.proof"}, "base64", nil},
		{"file: wrong kind", base(map[string]any{"proof": base64.StdEncoding.EncodeToString([]byte("plain text here"))}), []string{"answers.proof"}, "not accepted", nil},
		{"unknown question", base(map[string]any{"nickname": "x"}), []string{"answers.nickname"}, "not a question", nil},
		{"several problems at once", map[string]any{"name": "R2D2", "income": 5000.0, "source": "other", "pep": true, "zzz": 1.0},
			[]string{"answers.name", "answers.income", "answers.details", "answers.pep_role", "answers.zzz"}, "expected format", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clean, files, probs := verify.ValidateAnswers(def, tc.answers)
			require.Equal(t, tc.want, nilIfEmpty(paths(probs)), "%+v", probs)
			if tc.msg != "" {
				require.Contains(t, probs[0].Message, tc.msg)
			}
			if tc.check != nil {
				tc.check(t, clean, files)
			}
		})
	}
}

// Answer rules: the worst matching outcome wins, each match gives a reason naming the
// question and the answer; rules are checked against the definition.
func TestAnswerRules(t *testing.T) {
	t.Parallel()
	def, _ := verify.ValidateQuestionnaire(definition(t, answersDef))
	rules := []models.AnswerRule{
		{Question: "source", Equals: "other", Outcome: models.RuleReview},
		{Question: "pep", Equals: true, Outcome: models.RuleReview},
		{Question: "assets", Includes: "crypto", Outcome: models.RuleReject},
		{Question: "income", Equals: 0.0, Outcome: models.RuleReview},
	}
	require.Empty(t, verify.ValidateAnswerRules(def, rules, "answer_rules"))
	cases := []struct {
		name    string
		answers map[string]any
		outcome models.Outcome
		codes   []string
	}{
		{"nothing matches", map[string]any{"source": "salary", "pep": false, "income": 10.0}, models.OutcomePass, nil},
		{"source other", map[string]any{"source": "other", "pep": false}, models.OutcomeReview, []string{"answer_rule_review"}},
		{"pep", map[string]any{"source": "salary", "pep": true}, models.OutcomeReview, []string{"answer_rule_review"}},
		{"numbers compare by value", map[string]any{"income": 0.0}, models.OutcomeReview, []string{"answer_rule_review"}},
		{"reject beats review", map[string]any{"source": "other", "assets": []any{"cash", "crypto"}}, models.OutcomeFail, []string{"answer_rule_review", "answer_rule_reject"}},
		{"unanswered never matches", map[string]any{}, models.OutcomePass, nil},
	}
	for _, tc := range cases {
		outcome, matches := verify.EvaluateAnswerRules(rules, tc.answers)
		require.Equal(t, tc.outcome, outcome, tc.name)
		var codes []string
		for _, m := range matches {
			codes = append(codes, m.Reason.Code)
			require.Contains(t, m.Reason.Message, m.Rule.Question)
		}
		require.Equal(t, tc.codes, codes, tc.name)
	}
	_, m := verify.EvaluateAnswerRules(rules[:1], map[string]any{"source": "other"})
	require.Equal(t, `the answer to source is "other", which needs a person's review`, m[0].Reason.Message)

	bad := []models.AnswerRule{
		{Question: "nope", Equals: "x", Outcome: models.RuleReview},
		{Question: "source", Equals: "lottery", Outcome: "escalate"},
		{Question: "assets", Equals: "cash", Outcome: models.RuleReview},
		{Question: "proof", Equals: "x", Outcome: models.RuleReview},
		{Question: "pep", Outcome: models.RuleReview},
	}
	require.Equal(t, []string{"answer_rules[0].question", "answer_rules[1].outcome", "answer_rules[1].equals",
		"answer_rules[2].equals", "answer_rules[3].question", "answer_rules[4]"}, paths(verify.ValidateAnswerRules(def, bad, "answer_rules")))
}

// Labels are read in the page's language, then its base language, then English.
func TestLocalize(t *testing.T) {
	t.Parallel()
	l := map[string]any{"en": "Income", "de": "Einkommen", "pt": "Rendimento", "pt-BR": "Renda"}
	for lang, want := range map[string]string{"de": "Einkommen", "pt-BR": "Renda", "pt-PT": "Rendimento", "fr": "Income", "en": "Income"} {
		require.Equal(t, want, verify.Localize(l, lang), lang)
	}
	require.Equal(t, "Plain", verify.Localize("Plain", "de"))
}

// An integrator's rules on a questionnaire's answers: "other" as the source of funds and a
// declared PEP go to review; a reject rule wins over review rules.
func ExampleEvaluateAnswerRules() {
	rules := []models.AnswerRule{
		{Question: "source_of_funds", Equals: "other", Outcome: models.RuleReview},
		{Question: "pep_self_declared", Equals: true, Outcome: models.RuleReview},
		{Question: "assets", Includes: "crypto", Outcome: models.RuleReject},
	}
	outcome, matches := verify.EvaluateAnswerRules(rules, map[string]any{
		"source_of_funds": "other", "pep_self_declared": true, "assets": []any{"cash"}})
	fmt.Println(outcome)
	for _, m := range matches {
		fmt.Println(m.Reason.Code+":", m.Reason.Message)
	}
	// Output:
	// review
	// answer_rule_review: the answer to source_of_funds is "other", which needs a person's review
	// answer_rule_review: the answer to pep_self_declared is true, which needs a person's review
}
