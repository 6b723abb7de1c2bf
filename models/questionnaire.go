package models

import "time"

// Questionnaire question types.
const (
	QuestionText           = "text"
	QuestionLongText       = "long_text"
	QuestionNumber         = "number"
	QuestionDate           = "date"
	QuestionSingleChoice   = "single_choice"
	QuestionMultipleChoice = "multiple_choice"
	QuestionCountry        = "country"
	QuestionYesNo          = "yes_no"
	QuestionFile           = "file"
)

// AllQuestionTypes lists every question type.
var AllQuestionTypes = []string{QuestionText, QuestionLongText, QuestionNumber, QuestionDate, QuestionSingleChoice,
	QuestionMultipleChoice, QuestionCountry, QuestionYesNo, QuestionFile}

// Answer-rule outcomes: what a matching answer does to the verification's decision.
const (
	RuleReview = "review"
	RuleReject = "reject"
)

// AllRuleOutcomes lists the answer-rule outcomes.
var AllRuleOutcomes = []string{RuleReview, RuleReject}

// QuestionnaireDefinition is what a questionnaire asks: sections of questions, in order.
type QuestionnaireDefinition struct {
	Sections []QuestionnaireSection `json:"sections" jsonschema:"the sections, in the order shown (at least one)" maxItems:"50"`
}

// QuestionnaireSection is a titled group of questions (one fieldset in the hosted flow).
type QuestionnaireSection struct {
	// Title is a string or an object of translations by language ({"en": …, "de": …}).
	Title     any        `json:"title,omitempty" jsonschema:"the section's title: a string, or translations by language such as {\"en\":\"Funds\",\"de\":\"Mittel\",\"pt\":\"Fundos\"}"`
	Questions []Question `json:"questions" jsonschema:"the questions, in the order shown (at least one)" maxItems:"100"`
}

// Question is one question. Label (and an option's label) is a string or translations by
// language; ShowIf hides it until another answer matches; a hidden question is never required.
type Question struct {
	ID         string              `json:"id" jsonschema:"the answer's key: lower-case letters, digits and _ (source_of_funds), unique in the questionnaire" maxLength:"64"`
	Type       string              `json:"type" jsonschema:"text, long_text, number, date (YYYY-MM-DD), single_choice, multiple_choice, country (ISO alpha-2), yes_no (true/false) or file (base64 or data URL); an unknown type is reported with the definition's other problems"`
	Label      any                 `json:"label" jsonschema:"what is asked: a string, or translations by language such as {\"en\":\"Source of funds\",\"de\":\"Herkunft der Mittel\",\"pt\":\"Origem dos fundos\"}"`
	Help       any                 `json:"help,omitempty" jsonschema:"a hint shown under the question: a string or translations by language"`
	Required   bool                `json:"required,omitempty" jsonschema:"an answer is needed (when the question is shown)"`
	Options    []QuestionOption    `json:"options,omitempty" jsonschema:"the choices of single_choice and multiple_choice (and nothing else)" maxItems:"200"`
	ShowIf     *QuestionCondition  `json:"show_if,omitempty" jsonschema:"show (and validate) the question only when an earlier question's answer matches"`
	Validation *QuestionValidation `json:"validation,omitempty" jsonschema:"limits on the answer"`
}

// QuestionOption is one choice of a choice question.
type QuestionOption struct {
	Value string `json:"value" jsonschema:"the value stored as the answer" maxLength:"100"`
	Label any    `json:"label,omitempty" jsonschema:"what the applicant sees (default: the value): a string or translations by language"`
}

// QuestionCondition shows a question only when an earlier question's answer equals a value
// or (a multiple choice) includes one.
type QuestionCondition struct {
	Question string `json:"question" jsonschema:"the id of an earlier question"`
	Equals   any    `json:"equals,omitempty" jsonschema:"the answer equals this value (a string, number or boolean)"`
	Includes any    `json:"includes,omitempty" jsonschema:"the answer (a multiple_choice list) includes this value"`
}

// QuestionValidation limits an answer: Min and Max bound a number, a date (as YYYY-MM-DD
// strings) or how many choices a multiple_choice answer has; Pattern (Go regexp syntax) and
// MaxLength apply to text; MaxSize (bytes) to a file.
type QuestionValidation struct {
	Min       any    `json:"min,omitempty" jsonschema:"smallest number, earliest date (YYYY-MM-DD), or fewest choices"`
	Max       any    `json:"max,omitempty" jsonschema:"largest number, latest date (YYYY-MM-DD), or most choices"`
	Pattern   string `json:"pattern,omitempty" jsonschema:"a regular expression (Go syntax) a text answer must match, e.g. ^[A-Z]{2}[0-9]{2}" maxLength:"500"`
	MaxLength int    `json:"max_length,omitempty" jsonschema:"most characters of a text answer" minimum:"1" maximum:"100000"`
	MaxSize   int    `json:"max_size,omitempty" jsonschema:"most bytes of a file answer (default and at most 10 MB)" minimum:"1" maximum:"10485760"`
}

// AnswerRule routes a verification on a questionnaire answer: when the answer to Question
// equals Equals (or, a list, includes Includes), the decision is at least Outcome (review or
// reject). Flows' decision policies use the same rules.
type AnswerRule struct {
	Question string `json:"question" jsonschema:"question id" maxLength:"64"`
	Equals   any    `json:"equals,omitempty" jsonschema:"the answer equals this"`
	Includes any    `json:"includes,omitempty" jsonschema:"the multiple_choice answer includes this"`
	Outcome  string `json:"outcome" jsonschema:"review or reject" enumof:"models.AllRuleOutcomes"`
}

// Questionnaire is one version of an account's questionnaire in one mode. Versions share
// ID and Name; an update writes the next version, and a verification keeps the one it got.
type Questionnaire struct {
	ID         string    `bun:"id,pk"`
	Version    int       `bun:"version,pk"`
	AccountID  string    `bun:"account_id"`
	Mode       Mode      `bun:"mode"`
	Name       string    `bun:"name"`
	Definition string    `bun:"definition"` // JSON QuestionnaireDefinition
	APIKeyID   string    `bun:"api_key_id"`
	CreatedAt  time.Time `bun:"created_at"`
}

// QuestionnaireFile is a file an applicant gave as a questionnaire answer: evidence, sealed
// with the verification's data key like its images, and shredded with it.
type QuestionnaireFile struct {
	ID             string    `bun:"id,pk"`
	AccountID      string    `bun:"account_id"`
	Mode           Mode      `bun:"mode"`
	VerificationID string    `bun:"verification_id"`
	QuestionID     string    `bun:"question_id"`
	ContentType    string    `bun:"content_type"`
	Size           int       `bun:"size"`
	SHA256         string    `bun:"sha256"`
	Data           []byte    `bun:"data_sealed"`
	CreatedAt      time.Time `bun:"created_at"`
}

// VerificationQuestionnaire is the questionnaire attached to a verification: the version it
// was given, its answer rules and, once submitted, the answers (sealed with the
// verification's data key; file answers are QuestionnaireFiles referenced by id).
type VerificationQuestionnaire struct {
	VerificationID  string     `bun:"verification_id,pk"`
	AccountID       string     `bun:"account_id"`
	Mode            Mode       `bun:"mode"`
	QuestionnaireID string     `bun:"questionnaire_id"`
	Version         int        `bun:"version"`
	AnswerRules     string     `bun:"answer_rules"` // JSON []AnswerRule
	Answers         []byte     `bun:"answers_sealed"`
	SubmittedAt     *time.Time `bun:"submitted_at"`
	CreatedAt       time.Time  `bun:"created_at"`
}
