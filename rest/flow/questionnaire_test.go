package flow_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/rest/flow"
	"github.com/kycd/kycd/tools"
)

// questionnaireDef has a follow-up on a choice, one on a yes/no, and every input kind the
// step renders.
const questionnaireDef = `{"sections":[{"title":{"en":"Source of funds","de":"Herkunft der Mittel","pt":"Origem dos fundos"},"questions":[
	{"id":"source_of_funds","type":"single_choice","required":true,"label":{"en":"Where does the money come from?","de":"Woher stammt das Geld?","pt":"De onde vem o dinheiro?"},
	 "options":[{"value":"salary","label":{"en":"Salary","de":"Gehalt","pt":"Salário"}},{"value":"other","label":{"en":"Other","de":"Sonstiges","pt":"Outro"}}]},
	{"id":"source_details","type":"long_text","required":true,"label":{"en":"Describe the source","de":"Beschreiben Sie die Herkunft","pt":"Descreva a origem"},"show_if":{"question":"source_of_funds","equals":"other"}},
	{"id":"income","type":"number","label":{"en":"Annual income","de":"Jahreseinkommen","pt":"Rendimento anual"},"validation":{"min":0}},
	{"id":"residence","type":"country","label":{"en":"Country of residence","de":"Wohnsitzland","pt":"País de residência"}}]},
	{"title":"PEP","questions":[
	{"id":"pep_self_declared","type":"yes_no","required":true,"label":{"en":"Are you a politically exposed person?","de":"Sind Sie eine politisch exponierte Person?","pt":"É uma pessoa politicamente exposta?"}},
	{"id":"pep_role","type":"text","required":true,"label":"Which office?","show_if":{"question":"pep_self_declared","equals":true}}]}]}`

// createQuestionnaireVerification makes the questionnaire and a verification asking it, with
// the rule that source_of_funds other goes to review.
func createQuestionnaireVerification(t *testing.T, e *env) tools.Verification {
	t.Helper()
	require.Nil(t, e.Call(t, e.Test, "create_questionnaire", map[string]any{"name": "funds", "definition": json.RawMessage(questionnaireDef)}, nil))
	return e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Lima"},
		"questionnaire": "funds", "answer_rules": []map[string]any{{"question": "source_of_funds", "equals": "other", "outcome": "review"}}})
}

// The questionnaire step: rendered in the applicant's language with fieldsets, legends and
// labels; the confirmation sends the applicant back to it while unanswered; every problem
// is shown at its field (aria-invalid, aria-describedby); a follow-up appears when its
// condition holds; the answers go through submit_questionnaire_answers and decide the outcome.
func TestQuestionnaireStep(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	v := createQuestionnaireVerification(t, e)
	base := pathOf(t, v.HostedURL)
	de := map[string]string{"Accept-Language": "de"}

	intro := e.do(t, "GET", base, nil, de)
	require.Contains(t, intro.body, "Ihre Antworten auf einige Fragen")
	r := e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, de)
	require.Equal(t, base+"/step/questionnaire", r.hdr.Get("Location"))

	// Submitting before answering leads back to the questionnaire.
	page := e.do(t, "GET", base+"/step/confirm", nil, de)
	csrf := csrfOf(t, page.body)
	r = e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrf}}, de)
	require.Equal(t, http.StatusSeeOther, r.code, r.body)
	require.Equal(t, base+"/step/questionnaire", r.hdr.Get("Location"))

	page = e.do(t, "GET", base+"/step/questionnaire", nil, de)
	require.Equal(t, http.StatusOK, page.code)
	for _, want := range []string{"<legend>Herkunft der Mittel</legend>", "Woher stammt das Geld?", "(Pflichtangabe)", "> Gehalt</label>",
		`<label for="q-income">Jahreseinkommen</label>`, `<option value="DE">Deutschland</option>`, "> Ja</label>",
		`id="wrap-source_details" data-show-if=`, `questionnaire.js`} {
		require.Contains(t, page.body, want)
	}
	require.Regexp(t, `id="wrap-source_details"[^>]*hidden`, page.body, "the follow-up is hidden until its condition holds")
	require.NotContains(t, page.body, "⟦missing:")

	path := base + "/step/questionnaire"
	empty := e.do(t, "POST", path, url.Values{"csrf": {csrf}}, de)
	require.Equal(t, http.StatusUnprocessableEntity, empty.code)
	require.Contains(t, empty.body, "Bitte prüfen Sie 2 unten markierte Antwort(en).")
	require.Contains(t, empty.body, `<fieldset id="q-source_of_funds" tabindex="-1" aria-describedby="err-source_of_funds" aria-invalid="true" aria-required="true">`)
	require.Contains(t, empty.body, `<p class="error field-error" id="err-pep_self_declared">Bitte beantworten Sie diese Frage.</p>`)
	require.Contains(t, empty.body, `<a href="#q-source_of_funds">Woher stammt das Geld?</a>`)

	// The follow-ups appear with the answers that show them; a bad number is reported at its field.
	more := e.do(t, "POST", path, url.Values{"csrf": {csrf}, "source_of_funds": {"other"}, "pep_self_declared": {"yes"}, "income": {"-5"}, "residence": {"PT"}}, de)
	require.Equal(t, http.StatusUnprocessableEntity, more.code)
	require.NotRegexp(t, `id="wrap-source_details"[^>]*hidden`, more.body)
	require.Contains(t, more.body, `id="err-source_details"`)
	require.Contains(t, more.body, `id="err-pep_role"`)
	require.Contains(t, more.body, `aria-describedby="err-income" aria-invalid="true"`)
	require.Contains(t, more.body, "außerhalb des zulässigen Bereichs")
	require.Contains(t, more.body, `<option value="PT" selected>`, "what was sent is shown again")

	ok := e.do(t, "POST", path, url.Values{"csrf": {csrf}, "source_of_funds": {"other"}, "source_details": {"Verkauf einer Wohnung"},
		"pep_self_declared": {"no"}, "pep_role": {"ignored: hidden"}, "income": {"52000"}, "residence": {"PT"}}, de)
	require.Equal(t, http.StatusSeeOther, ok.code, ok.body)
	require.Equal(t, base+"/step/confirm", ok.hdr.Get("Location"))

	var got tools.Verification
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	require.Equal(t, map[string]any{"source_of_funds": "other", "source_details": "Verkauf einer Wohnung", "pep_self_declared": false,
		"income": 52000.0, "residence": "PT"}, got.Questionnaire.Answers)

	// Shown again, the step has the stored answers.
	again := e.do(t, "GET", path, nil, de)
	require.Contains(t, again.body, `value="other" checked`)
	require.Contains(t, again.body, "Verkauf einer Wohnung</textarea>")

	r = e.do(t, "POST", base+"/submit", url.Values{"csrf": {csrf}}, de)
	require.Equal(t, base+"/result", r.hdr.Get("Location"))
	st := e.waitFinal(t, base)
	require.Equal(t, "needs_review", st["status"], "source_of_funds other goes to review")
}

// A file question makes the step a multipart form; the file goes through the tool and is
// kept as the answer's file_id. A file of another kind is refused at its field.
func TestQuestionnaireStepFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), flow.Options{})
	require.Nil(t, e.Call(t, e.Test, "create_questionnaire", map[string]any{"name": "proof", "definition": json.RawMessage(
		`{"sections":[{"questions":[{"id":"statement","type":"file","required":true,"label":{"en":"A bank statement","de":"Ein Kontoauszug","pt":"Um extrato bancário"}}]}]}`)}, nil))
	v := e.create(t, map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ana Lima"}, "questionnaire": "proof"})
	base := pathOf(t, v.HostedURL)
	intro := e.do(t, "GET", base, nil, nil)
	e.do(t, "POST", base+"/consent", url.Values{"csrf": {csrfOf(t, intro.body)}, "consent": {"yes"}}, nil)
	page := e.do(t, "GET", base+"/step/questionnaire", nil, nil)
	require.Contains(t, page.body, `enctype="multipart/form-data"`)
	require.Contains(t, page.body, `type="file" accept="application/pdf,image/jpeg,image/png,image/webp" aria-describedby="fhint-statement"`)
	csrf := csrfOf(t, page.body)

	post := func(name string, data []byte) resp {
		return e.postFile(t, base+"/step/questionnaire", csrf, nil, "statement", name, data)
	}
	bad := post("notes.txt", []byte("just some text"))
	require.Equal(t, http.StatusUnprocessableEntity, bad.code)
	require.Contains(t, bad.body, `<p class="error field-error" id="err-statement">This kind of file is not accepted.`)
	ok := post("statement.pdf", []byte("%PDF-1.4\n% statement\n"))
	require.Equal(t, http.StatusSeeOther, ok.code, ok.body)
	var got tools.Verification
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	ref, _ := got.Questionnaire.Answers["statement"].(map[string]any)
	require.Equal(t, "application/pdf", ref["content_type"], "%v", got.Questionnaire.Answers)
}
