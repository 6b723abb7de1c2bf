package tools

import (
	"context"
	"errors"

	"github.com/kycd/kycd/db"
)

// GetQuestionnaireInput names a questionnaire version, or the verification it was given to.
type GetQuestionnaireInput struct {
	Name           string `json:"name,omitempty" jsonschema:"the questionnaire's name or id (qst_…), optionally with @version (source-of-funds@2)" maxLength:"80"`
	Version        int    `json:"version,omitempty" jsonschema:"the version; default the latest" minimum:"1"`
	VerificationID string `json:"verification_id,omitempty" jsonschema:"instead of name: the verification (ver_…) whose questionnaire version to read" maxLength:"64"`
}

// GetQuestionnaire reads a questionnaire version.
var GetQuestionnaire = Tool[GetQuestionnaireInput, Questionnaire]{
	Name:     "get_questionnaire",
	Examples: []string{`{"name":"source-of-funds"}`, `{"name":"source-of-funds@1"}`},
	Title:    "Get questionnaire",
	Description: "Read a questionnaire: the latest version, or the one named by version or name@version, or (with verification_id) the version a verification was given. " +
		"The definition's labels are translations by language.",
	Brief:       "read a questionnaire version (or the one a verification was given)",
	Scope:       ScopeFlowsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST: REST{Method: "GET", Path: "/questionnaires/{name}",
		Also: []REST{{Method: "GET", Path: "/verifications/{verification_id}/questionnaire"}}},
	Need:    &Need{Fields: []string{"name", "verification_id"}, Exclusive: true},
	Summary: summarizeQuestionnaire,
	// The hosted flow renders the questionnaire of its own verification (verification_id).
	SessionAllowed: true,
	Handle: func(ctx context.Context, d *Deps, c Caller, in GetQuestionnaireInput) (Questionnaire, error) {
		if (in.Name == "") == (in.VerificationID == "") {
			return Questionnaire{}, invalid("name", "give exactly one of name and verification_id")
		}
		if c.IsSession() && in.VerificationID == "" {
			return Questionnaire{}, Errorf(CodePermissionDenied, "name", "a hosted-flow session reads only its verification's questionnaire (verification_id)")
		}
		if in.VerificationID != "" {
			v, err := getVerification(ctx, d, c, in.VerificationID)
			if err != nil {
				return Questionnaire{}, renameField(err, "verification_id")
			}
			vq, err := d.Store.VerificationQuestionnaire(ctx, c.scope(), v.ID)
			if errors.Is(err, db.ErrNotFound) {
				return Questionnaire{}, Errorf(CodeNotFound, "verification_id", "this verification has no questionnaire")
			}
			if err != nil {
				return Questionnaire{}, err
			}
			q, err := d.Store.GetQuestionnaire(ctx, c.scope(), vq.QuestionnaireID, vq.Version)
			if err != nil {
				return Questionnaire{}, err
			}
			return toQuestionnaire(q, 0)
		}
		q, err := findQuestionnaire(ctx, d, c, "name", in.Name, in.Version)
		if err != nil {
			return Questionnaire{}, err
		}
		latest, err := d.Store.GetQuestionnaire(ctx, c.scope(), q.ID, 0)
		if err != nil {
			return Questionnaire{}, err
		}
		return toQuestionnaire(q, latest.Version)
	},
}
