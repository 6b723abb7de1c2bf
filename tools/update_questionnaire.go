package tools

import (
	"context"

	"github.com/kycd/kycd/models"
)

// UpdateQuestionnaireInput is a new version of a questionnaire.
type UpdateQuestionnaireInput struct {
	Name       string                         `json:"name" jsonschema:"the questionnaire's name or id (qst_…)" minLength:"1" maxLength:"64"`
	Definition models.QuestionnaireDefinition `json:"definition" jsonschema:"the whole new definition (sections of questions), checked as create_questionnaire checks it"`
}

// UpdateQuestionnaire adds a version to a questionnaire.
var UpdateQuestionnaire = Tool[UpdateQuestionnaireInput, Questionnaire]{
	Name:     "update_questionnaire",
	Examples: []string{`{"name":"source-of-funds","definition":` + exampleDefinition + `}`},
	Title:    "Update questionnaire",
	Description: "Replace a questionnaire's definition by adding a version (the next number). New verifications naming the questionnaire get the new version; " +
		"verifications created before keep the version they were given, and their answers are checked against it. The definition is checked as create_questionnaire checks it.",
	Brief:       "add a version of a questionnaire; running verifications keep theirs",
	Scope:       ScopeFlowsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "PUT", Path: "/questionnaires/{name}"},
	Summary:     summarizeQuestionnaire,
	Handle: func(ctx context.Context, d *Deps, c Caller, in UpdateQuestionnaireInput) (Questionnaire, error) {
		if _, err := findQuestionnaire(ctx, d, c, "name", in.Name, 0); err != nil {
			return Questionnaire{}, err
		}
		raw, err := checkDefinition(in.Definition)
		if err != nil {
			return Questionnaire{}, err
		}
		q, err := d.Store.AddQuestionnaireVersion(ctx, c.scope(), in.Name, raw, c.KeyID)
		if err != nil {
			return Questionnaire{}, storeErr(err, "questionnaire", "name")
		}
		return toQuestionnaire(q, q.Version)
	},
}
