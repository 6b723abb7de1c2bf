package tools

import (
	"context"
	"fmt"
)

// ListQuestionnairesInput has no inputs: every questionnaire of the account and mode is listed.
type ListQuestionnairesInput struct{}

// QuestionnaireList is the latest version of every questionnaire.
type QuestionnaireList struct {
	Questionnaires []Questionnaire `json:"questionnaires" jsonschema:"the latest version of each questionnaire, by name"`
}

// ListQuestionnaires lists questionnaires.
var ListQuestionnaires = Tool[ListQuestionnairesInput, QuestionnaireList]{
	Name:        "list_questionnaires",
	Examples:    []string{`{}`},
	Title:       "List questionnaires",
	Description: "List the account's questionnaires in this mode, each at its latest version, by name.",
	Brief:       "the questionnaires of the account and mode, at their latest versions",
	Scope:       ScopeFlowsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/questionnaires"},
	Summary: func(l QuestionnaireList) string {
		return fmt.Sprintf("%d questionnaire(s).", len(l.Questionnaires))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, _ ListQuestionnairesInput) (QuestionnaireList, error) {
		rows, err := d.Store.ListQuestionnaires(ctx, c.scope())
		if err != nil {
			return QuestionnaireList{}, err
		}
		out := QuestionnaireList{Questionnaires: make([]Questionnaire, 0, len(rows))}
		for i := range rows {
			q, err := toQuestionnaire(&rows[i], rows[i].Version)
			if err != nil {
				return QuestionnaireList{}, err
			}
			out.Questionnaires = append(out.Questionnaires, q)
		}
		return out, nil
	},
}
