package tools

import (
	"context"
	"fmt"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// SubmitQuestionnaireAnswersInput is the applicant's answers to a verification's questionnaire.
type SubmitQuestionnaireAnswersInput struct {
	VerificationID string         `json:"verification_id" jsonschema:"verification id (ver_…) that has a questionnaire" minLength:"1" maxLength:"64"`
	Answers        map[string]any `json:"answers" jsonschema:"answers by question id: text, long_text, date (YYYY-MM-DD), single_choice and country (ISO alpha-2) as strings; number as a number; yes_no as true/false; multiple_choice as a list of option values; file as base64 or a data URL (PDF, JPEG, PNG or WebP). Answers to questions hidden by show_if are dropped"`
}

// QuestionnaireAnswers is what submit_questionnaire_answers stored.
type QuestionnaireAnswers struct {
	VerificationID string                    `json:"verification_id" jsonschema:"the verification"`
	Status         string                    `json:"status" jsonschema:"the verification's status after the answers (in_progress)" enumof:"models.AllStatuses"`
	Questionnaire  VerificationQuestionnaire `json:"questionnaire" jsonschema:"the questionnaire version with the answers as stored"`
}

// SubmitQuestionnaireAnswers stores a verification's questionnaire answers.
var SubmitQuestionnaireAnswers = Tool[SubmitQuestionnaireAnswersInput, QuestionnaireAnswers]{
	Name:     "submit_questionnaire_answers",
	Examples: []string{`{"verification_id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","answers":{"source_of_funds":"other","source_details":"Sale of a flat in Lisbon","annual_income":52000,"pep_self_declared":false}}`},
	Title:    "Submit questionnaire answers",
	Description: "Answer the questionnaire of a pending or in_progress verification (create_verification's questionnaire), checked against the version it was given: " +
		"every problem is reported at once, each with its path (answers.<question id>) in error.problems; a question hidden by its show_if is not required and its answer is dropped. " +
		"Files are kept as evidence, sealed with the verification's data key like its images, and referenced by file_id. Submitting again replaces the answers. Moves the verification to in_progress; " +
		"its answer_rules are applied when it is decided (a matching rule sends it to review or rejects it).",
	Brief:       "answer a verification's questionnaire (every problem listed by path); answer rules route the decision",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{verification_id}/questionnaire"},
	// The hosted flow's questionnaire step submits the applicant's answers.
	SessionAllowed: true,
	Summary: func(a QuestionnaireAnswers) string {
		return fmt.Sprintf("Answers to %s v%d stored for %s (%d answered); the verification is %s.",
			a.Questionnaire.Name, a.Questionnaire.Version, a.VerificationID, len(a.Questionnaire.Answers), a.Status)
	},
	Handle: submitQuestionnaireAnswers,
}

func submitQuestionnaireAnswers(ctx context.Context, d *Deps, c Caller, in SubmitQuestionnaireAnswersInput) (QuestionnaireAnswers, error) {
	v, err := getVerification(ctx, d, c, in.VerificationID)
	if err != nil {
		return QuestionnaireAnswers{}, renameField(err, "verification_id")
	}
	if v.Status != models.StatusPending && v.Status != models.StatusInProgress {
		return QuestionnaireAnswers{}, Errorf(CodeConflict, "verification_id", "answers are accepted while a verification is pending or in_progress; this one is %s", v.Status)
	}
	if !d.Store.Now().Before(v.ExpiresAt) {
		return QuestionnaireAnswers{}, Errorf(CodeConflict, "verification_id", "the verification expired at %s", v.ExpiresAt.Format("2006-01-02T15:04:05Z"))
	}
	va, err := d.Verify.Answers(ctx, v)
	if err != nil {
		return QuestionnaireAnswers{}, err
	}
	if va == nil {
		return QuestionnaireAnswers{}, Errorf(CodeConflict, "verification_id", "this verification has no questionnaire (create_verification's questionnaire attaches one)")
	}
	def, err := verify.DecodeQuestionnaire(va.Questionnaire)
	if err != nil {
		return QuestionnaireAnswers{}, err
	}
	if in.Answers == nil {
		in.Answers = map[string]any{}
	}
	clean, files, probs := verify.ValidateAnswers(def, in.Answers)
	if len(probs) > 0 {
		return QuestionnaireAnswers{}, problemsError("the answers", probs, "")
	}
	var stored map[string]any
	err = d.Store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := markStarted(ctx, d, tx, c, v, "questionnaire"); err != nil {
			return err
		}
		var err error
		stored, err = d.Verify.StoreAnswers(ctx, tx, v, va, clean, files)
		return err
	})
	if err != nil {
		return QuestionnaireAnswers{}, renameField(storeErr(err, "verification", "verification_id"), "verification_id")
	}
	now := d.Store.Now().UTC()
	return QuestionnaireAnswers{VerificationID: v.ID, Status: string(models.StatusInProgress), Questionnaire: VerificationQuestionnaire{
		ID: va.Questionnaire.ID, Name: va.Questionnaire.Name, Version: va.Questionnaire.Version, Status: "answered",
		AnswerRules: nonNilRules(va.Rules), Answers: stored, SubmittedAt: &now}}, nil
}

func nonNilRules(r []models.AnswerRule) []models.AnswerRule {
	if r == nil {
		return []models.AnswerRule{}
	}
	return r
}
