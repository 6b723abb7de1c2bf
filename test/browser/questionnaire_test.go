package browser_test

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// questionnaire has a follow-up on a choice and one on a yes/no.
const questionnaire = `{"sections":[{"title":{"en":"Source of funds","de":"Herkunft der Mittel","pt":"Origem dos fundos"},"questions":[
	{"id":"source_of_funds","type":"single_choice","required":true,"label":{"en":"Where does the money come from?","de":"Woher stammt das Geld?","pt":"De onde vem o dinheiro?"},
	 "options":[{"value":"salary","label":{"en":"Salary","de":"Gehalt","pt":"Salário"}},{"value":"other","label":{"en":"Other","de":"Sonstiges","pt":"Outro"}}]},
	{"id":"source_details","type":"long_text","required":true,"label":{"en":"Describe the source","de":"Beschreiben Sie die Herkunft","pt":"Descreva a origem"},"show_if":{"question":"source_of_funds","equals":"other"}},
	{"id":"pep_self_declared","type":"yes_no","required":true,"label":{"en":"Are you a politically exposed person?","de":"Sind Sie eine politisch exponierte Person?","pt":"É uma pessoa politicamente exposta?"}},
	{"id":"pep_role","type":"text","required":true,"label":"Which office?","show_if":{"question":"pep_self_declared","equals":true}}]}]}`

// The questionnaire step in Chromium, on a phone, in German, with the keyboard only: a
// refused submission puts the focus on the list of answers to check; a follow-up appears as
// soon as its condition's answer is chosen and disappears again; the answers go through
// submit_questionnaire_answers, and source_of_funds "other" sends the verification to review.
func TestQuestionnaireInChromium(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	require.Nil(t, h.env.Call(t, h.env.Test, "create_questionnaire", map[string]any{"name": "funds", "definition": json.RawMessage(questionnaire)}, nil))
	v := h.create(map[string]any{"checks": []string{"screening"}, "locale": "de", "applicant": map[string]any{"name": "Erika Mustermann"},
		"questionnaire": "funds", "answer_rules": []map[string]any{{"question": "source_of_funds", "equals": "other", "outcome": "review"}}})
	ctx := h.tab(t, phone)
	do(t, ctx, chromedp.Navigate(v.HostedURL), chromedp.WaitVisible(chromedp.ID("start")),
		chromedp.Click(chromedp.ID("consent")), chromedp.Click(chromedp.ID("start")), chromedp.WaitVisible(chromedp.ID("questionnaire")))
	require.Equal(t, "Einige Fragen", text(t, ctx, "h1"))
	require.True(t, eval[bool](t, ctx, `document.getElementById('wrap-source_details').hidden`), "the follow-up waits for its condition")
	require.LessOrEqual(t, eval[int](t, ctx, `document.documentElement.scrollWidth`), 390, "no horizontal scrolling")

	// Enter on the button with nothing answered: the errors, focused, name the questions.
	do(t, ctx, chromedp.Focus(chromedp.ID("send-questionnaire")), chromedp.KeyEvent(kb.Enter))
	waitJS(t, ctx, `document.activeElement && document.activeElement.id === 'questionnaire-errors'`)
	require.Contains(t, text(t, ctx, "#questionnaire-errors"), "Woher stammt das Geld?")
	require.Equal(t, "err-source_of_funds", eval[string](t, ctx, `document.getElementById('q-source_of_funds').getAttribute('aria-describedby')`))
	shot(t, ctx, "questionnaire-errors-phone")

	// The keyboard: Space chooses a radio; the follow-up appears at once (questionnaire.js).
	do(t, ctx, chromedp.Focus(`#q-source_of_funds input[value="other"]`), chromedp.KeyEvent(" "))
	waitJS(t, ctx, `!document.getElementById('wrap-source_details').hidden && !document.getElementById('q-source_details').disabled`)
	do(t, ctx, chromedp.Focus(chromedp.ID("q-source_details")), chromedp.KeyEvent("Verkauf einer Wohnung"))
	do(t, ctx, chromedp.Focus(`#q-pep_self_declared input[value="yes"]`), chromedp.KeyEvent(" "))
	waitJS(t, ctx, `!document.getElementById('wrap-pep_role').hidden`)
	// Arrow keys move a radio group's choice: "no" hides the office question again.
	do(t, ctx, chromedp.KeyEvent(kb.ArrowDown))
	waitJS(t, ctx, `document.getElementById('wrap-pep_role').hidden && document.querySelector('#q-pep_self_declared input[value="no"]').checked`)
	shot(t, ctx, "questionnaire-filled-phone")
	do(t, ctx, chromedp.Focus(chromedp.ID("send-questionnaire")), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.ID("submit")))

	var got struct {
		Questionnaire struct {
			Answers map[string]any `json:"answers"`
		} `json:"questionnaire"`
	}
	require.Nil(t, h.env.Call(t, h.env.Test, "get_verification", map[string]any{"id": v.ID}, &got))
	require.Equal(t, map[string]any{"source_of_funds": "other", "source_details": "Verkauf einer Wohnung", "pep_self_declared": false}, got.Questionnaire.Answers)

	do(t, ctx, chromedp.Click(chromedp.ID("submit")))
	require.Equal(t, "needs_review", waitResult(t, ctx), "source_of_funds other goes to review")
}
