package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// Questionnaire is one version of a questionnaire as every surface shows it.
type Questionnaire struct {
	ID            string                         `json:"id" jsonschema:"questionnaire id (qst_…), the same for every version"`
	Name          string                         `json:"name" jsonschema:"the questionnaire's name, unique in the account and mode; create_verification's questionnaire takes name or name@version"`
	Version       int                            `json:"version" jsonschema:"this version's number (1 for the first; update_questionnaire adds one)"`
	LatestVersion int                            `json:"latest_version" jsonschema:"the newest version; verifications keep the version they were given"`
	Definition    models.QuestionnaireDefinition `json:"definition" jsonschema:"the sections and questions, with labels as translations by language"`
	Questions     int                            `json:"questions" jsonschema:"how many questions the definition has"`
	CreatedAt     time.Time                      `json:"created_at" jsonschema:"when this version was created"`
}

// VerificationQuestionnaire is the questionnaire of a verification: the version it was
// given, its answer rules, and the answers once submitted.
type VerificationQuestionnaire struct {
	ID          string              `json:"id" jsonschema:"questionnaire id (qst_…)"`
	Name        string              `json:"name" jsonschema:"questionnaire name"`
	Version     int                 `json:"version" jsonschema:"the version this verification shows and checks answers against"`
	Status      string              `json:"status" jsonschema:"pending until the answers are submitted (submit_questionnaire_answers), then answered" enum:"pending,answered"`
	AnswerRules []models.AnswerRule `json:"answer_rules" jsonschema:"the rules that route the decision on the answers"`
	Answers     map[string]any      `json:"answers,omitempty" jsonschema:"the answers by question id (files as {file_id, content_type, size, sha256}); absent until answered and after erasure"`
	SubmittedAt *time.Time          `json:"submitted_at" jsonschema:"when the answers were submitted; null until then"`
}

var questionnaireNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// checkQuestionnaireName checks a new questionnaire's name: it is how verifications and flows
// name it (name@2), so it has no @ and no spaces.
func checkQuestionnaireName(name string) error {
	if !questionnaireNameRE.MatchString(name) {
		return invalid("name", "must be 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. source-of-funds)")
	}
	return nil
}

// problemsError is the invalid_argument error listing every problem: Field and Message
// name the first, Problems all of them, and the message says them all.
func problemsError(what string, probs []verify.QuestionnaireProblem, prefix string) *Error {
	fp := make([]FieldProblem, len(probs))
	parts := make([]string, len(probs))
	for i, p := range probs {
		fp[i] = FieldProblem{Path: prefix + p.Path, Message: p.Message}
		parts[i] = fp[i].Path + ": " + p.Message
	}
	msg := fmt.Sprintf("%s has %d problem(s): %s", what, len(probs), strings.Join(parts, "; "))
	return &Error{Code: CodeInvalidArgument, Field: fp[0].Path, Message: msg, Problems: fp}
}

// checkDefinition validates a definition from an input, returning it normalised as JSON.
func checkDefinition(def models.QuestionnaireDefinition) (string, error) {
	norm, probs := verify.ValidateQuestionnaire(def)
	if len(probs) > 0 {
		return "", problemsError("the definition", probs, "definition.")
	}
	raw, err := json.Marshal(norm)
	if err != nil {
		return "", invalid("definition", "cannot be stored as JSON: %v", err)
	}
	return string(raw), nil
}

// toQuestionnaire renders a stored version.
func toQuestionnaire(q *models.Questionnaire, latest int) (Questionnaire, error) {
	def, err := verify.DecodeQuestionnaire(q)
	if err != nil {
		return Questionnaire{}, err
	}
	n := 0
	for _, s := range def.Sections {
		n += len(s.Questions)
	}
	if latest < q.Version {
		latest = q.Version
	}
	return Questionnaire{ID: q.ID, Name: q.Name, Version: q.Version, LatestVersion: latest, Definition: def, Questions: n, CreatedAt: q.CreatedAt.UTC()}, nil
}

// parseQuestionnaireRef splits "name", "qst_…", "name@3" into the name or id and a version (0 = latest).
func parseQuestionnaireRef(field, ref string) (string, int, error) {
	name, ver, hasVer := strings.Cut(strings.TrimSpace(ref), "@")
	if name == "" {
		return "", 0, invalid(field, "name the questionnaire: its name or id, optionally with @version (kyc-basic@2)")
	}
	if !hasVer {
		return name, 0, nil
	}
	n, err := strconv.Atoi(ver)
	if err != nil || n < 1 {
		return "", 0, invalid(field, "the version after @ must be a number from 1 (kyc-basic@2); got %q", ver)
	}
	return name, n, nil
}

// findQuestionnaire reads a questionnaire version of the caller's scope by reference.
func findQuestionnaire(ctx context.Context, d *Deps, c Caller, field, ref string, version int) (*models.Questionnaire, error) {
	name, v, err := parseQuestionnaireRef(field, ref)
	if err != nil {
		return nil, err
	}
	if version != 0 {
		if v != 0 && v != version {
			return nil, invalid("version", "contradicts the @%d in %s", v, field)
		}
		v = version
	}
	q, err := d.Store.GetQuestionnaire(ctx, c.scope(), name, v)
	if errors.Is(err, db.ErrNotFound) {
		if v != 0 {
			return nil, Errorf(CodeNotFound, field, "no questionnaire %q with version %d in this account and mode (list_questionnaires shows them)", name, v)
		}
		return nil, Errorf(CodeNotFound, field, "no questionnaire %q in this account and mode (list_questionnaires shows them)", name)
	}
	return q, err
}

// questionnaireAttachment is what create_verification's questionnaire and answer_rules
// resolve to: the version to attach and its checked rules (nil, nil without a questionnaire).
func questionnaireAttachment(ctx context.Context, d *Deps, c Caller, ref string, rules []models.AnswerRule) (func(context.Context, *db.Tx, *models.Verification) error, error) {
	if ref == "" {
		if len(rules) > 0 {
			return nil, invalid("answer_rules", "apply to a questionnaire's answers: give questionnaire too")
		}
		return nil, nil
	}
	q, err := findQuestionnaire(ctx, d, c, "questionnaire", ref, 0)
	if err != nil {
		return nil, err
	}
	def, err := verify.DecodeQuestionnaire(q)
	if err != nil {
		return nil, err
	}
	if probs := verify.ValidateAnswerRules(def, rules, "answer_rules"); len(probs) > 0 {
		return nil, problemsError("answer_rules", probs, "")
	}
	return verify.AttachQuestionnaire(q, rules), nil
}

// verificationQuestionnaire is the questionnaire section of a verification (nil without one).
func verificationQuestionnaire(ctx context.Context, d *Deps, v *models.Verification) (*VerificationQuestionnaire, error) {
	va, err := d.Verify.Answers(ctx, v)
	if err != nil || va == nil {
		return nil, err
	}
	out := &VerificationQuestionnaire{ID: va.Questionnaire.ID, Name: va.Questionnaire.Name, Version: va.Questionnaire.Version,
		Status: "pending", AnswerRules: nonNilRules(va.Rules), Answers: va.Answers}
	if va.Attached.SubmittedAt != nil {
		out.Status = "answered"
		t := va.Attached.SubmittedAt.UTC()
		out.SubmittedAt = &t
	}
	return out, nil
}

// withQuestionnaire adds the questionnaire section to a verification read by id.
func withQuestionnaire(ctx context.Context, d *Deps, v *models.Verification, out *Verification) error {
	q, err := verificationQuestionnaire(ctx, d, v)
	if err != nil {
		return fmt.Errorf("questionnaire of %s: %w", v.ID, err)
	}
	out.Questionnaire = q
	return nil
}

// LocalText is a questionnaire label, title or help text in lang (pt-BR, then pt, then en),
// for the surfaces that render a questionnaire.
func LocalText(v any, lang string) string { return verify.Localize(v, lang) }

// QuestionShown reports whether a question with condition c is shown given the answers so
// far (no condition: always), as submit_questionnaire_answers decides it.
func QuestionShown(c *models.QuestionCondition, answers map[string]any) bool {
	return c == nil || verify.ConditionHolds(answers, c.Question, c.Equals, c.Includes)
}

// CountryCodes lists the ISO 3166-1 alpha-2 codes a country answer takes, sorted.
func CountryCodes() []string {
	out := make([]string, 0, len(iso3166Alpha2))
	for c := range iso3166Alpha2 {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// A flow's questionnaire step names a questionnaire that must exist (validate_flow).
func init() {
	QuestionnaireExists = func(ctx context.Context, d *Deps, c Caller, name string) (bool, error) {
		name, _, _ = strings.Cut(name, "@") // a version of it exists if the name does
		_, err := d.Store.GetQuestionnaire(ctx, c.scope(), name, 0)
		switch {
		case errors.Is(err, db.ErrNotFound):
			return false, nil
		case err != nil:
			return false, err
		}
		return true, nil
	}
}
