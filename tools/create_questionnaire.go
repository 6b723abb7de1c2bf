package tools

import (
	"context"
	"errors"
	"fmt"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// CreateQuestionnaireInput is a new questionnaire.
type CreateQuestionnaireInput struct {
	Name       string                         `json:"name" jsonschema:"a name unique in the account and mode: lower-case letters, digits, '.', '_', '-' (source-of-funds)" minLength:"1" maxLength:"64"`
	Definition models.QuestionnaireDefinition `json:"definition" jsonschema:"sections of questions; every problem is reported at once, each with its path"`
}

// exampleDefinition is the definition the questionnaire tools' examples use.
const exampleDefinition = `{"sections":[{"title":{"en":"Source of funds","de":"Herkunft der Mittel","pt":"Origem dos fundos"},"questions":[` +
	`{"id":"source_of_funds","type":"single_choice","required":true,"label":{"en":"Where does the money come from?","de":"Woher stammt das Geld?","pt":"De onde vem o dinheiro?"},` +
	`"options":[{"value":"salary","label":{"en":"Salary","de":"Gehalt","pt":"Salário"}},{"value":"savings","label":{"en":"Savings","de":"Ersparnisse","pt":"Poupança"}},{"value":"other","label":{"en":"Other","de":"Sonstiges","pt":"Outro"}}]},` +
	`{"id":"source_details","type":"long_text","required":true,"label":"Please describe the source","show_if":{"question":"source_of_funds","equals":"other"},"validation":{"max_length":500}},` +
	`{"id":"annual_income","type":"number","label":{"en":"Annual income (EUR)","de":"Jahreseinkommen (EUR)","pt":"Rendimento anual (EUR)"},"validation":{"min":0,"max":100000000}},` +
	`{"id":"pep_self_declared","type":"yes_no","required":true,"label":{"en":"Are you a politically exposed person?","de":"Sind Sie eine politisch exponierte Person?","pt":"É uma pessoa politicamente exposta?"}}]}]}`

// CreateQuestionnaire creates the first version of a questionnaire.
var CreateQuestionnaire = Tool[CreateQuestionnaireInput, Questionnaire]{
	Name:     "create_questionnaire",
	Examples: []string{`{"name":"source-of-funds","definition":` + exampleDefinition + `}`},
	Title:    "Create questionnaire",
	Description: "Create a questionnaire (version 1) that verifications can ask the applicant (create_verification's questionnaire; the hosted flow shows it as a step). " +
		"A definition has sections of questions; each question has an id, a type (text, long_text, number, date, single_choice, multiple_choice, country, yes_no, file), " +
		"a label (a string or translations such as {\"en\",\"de\",\"pt\"}), required, options (choice types), show_if {question, equals | includes} and validation " +
		"(min/max, pattern in Go regexp syntax, max_length, max_size). Every problem of the definition is reported at once, each with its path (error.problems).",
	Brief:       "create a versioned questionnaire (sections, typed questions, conditions, validation, localised labels) for verifications to ask",
	Scope:       ScopeFlowsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/questionnaires", Status: 201},
	Creates:     true,
	Summary:     summarizeQuestionnaire,
	Handle:      createQuestionnaire,
}

func summarizeQuestionnaire(q Questionnaire) string {
	return fmt.Sprintf("Questionnaire %s (%s) version %d: %d question(s) in %d section(s).", q.Name, q.ID, q.Version, q.Questions, len(q.Definition.Sections))
}

func createQuestionnaire(ctx context.Context, d *Deps, c Caller, in CreateQuestionnaireInput) (Questionnaire, error) {
	if err := checkQuestionnaireName(in.Name); err != nil {
		return Questionnaire{}, err
	}
	raw, err := checkDefinition(in.Definition)
	if err != nil {
		return Questionnaire{}, err
	}
	q := &models.Questionnaire{AccountID: c.AccountID, Mode: c.Mode, Name: in.Name, Definition: raw, APIKeyID: c.KeyID}
	err = d.Store.InsertQuestionnaire(ctx, q)
	if errors.Is(err, db.ErrQuestionnaireExists) {
		return Questionnaire{}, Errorf(CodeConflict, "name", "a questionnaire named %q exists; update_questionnaire adds a version", in.Name)
	}
	if err != nil {
		return Questionnaire{}, err
	}
	return toQuestionnaire(q, 1)
}
