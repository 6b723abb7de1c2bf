package models

import "time"

// StepType names one step of a verification flow.
type StepType string

// The step types a flow may list, in the order an applicant usually meets them.
const (
	StepConsent            StepType = "consent"
	StepDocument           StepType = "document"
	StepSelfie             StepType = "selfie"
	StepSelfieWithDocument StepType = "selfie_with_document"
	StepLiveness           StepType = "liveness"
	StepEmail              StepType = "email"
	StepPhone              StepType = "phone"
	StepQuestionnaire      StepType = "questionnaire"
	StepProofOfAddress     StepType = "proof_of_address"
	StepNFC                StepType = "nfc"
	StepAdditionalDocument StepType = "additional_document"
	StepScreening          StepType = "screening"
)

// AllStepTypes lists every step type.
var AllStepTypes = []StepType{StepConsent, StepDocument, StepSelfie, StepSelfieWithDocument, StepLiveness, StepEmail,
	StepPhone, StepQuestionnaire, StepProofOfAddress, StepNFC, StepAdditionalDocument, StepScreening}

// Flow is a named verification flow of one account and mode. Its definitions are FlowVersion
// rows; Version is the latest.
type Flow struct {
	ID         string     `bun:"id,pk"`
	AccountID  string     `bun:"account_id"`
	Mode       Mode       `bun:"mode"`
	Name       string     `bun:"name"`
	Version    int        `bun:"version"`
	ArchivedAt *time.Time `bun:"archived_at"`
	CreatedAt  time.Time  `bun:"created_at"`
	UpdatedAt  time.Time  `bun:"updated_at"`
}

// FlowVersion is one immutable version of a flow's definition (FlowDefinition as JSON).
type FlowVersion struct {
	FlowID     string    `bun:"flow_id,pk"`
	Version    int       `bun:"version,pk"`
	Definition string    `bun:"definition"`
	APIKeyID   string    `bun:"api_key_id"`
	CreatedAt  time.Time `bun:"created_at"`
}

// FlowDefinition is what a flow says: its steps in order, its decision policy, the session
// options its verifications start with and the hosted flow's look.
type FlowDefinition struct {
	Steps    []FlowStep   `json:"steps" jsonschema:"the steps in the order the applicant takes them"`
	Policy   FlowPolicy   `json:"policy,omitzero" jsonschema:"how check outcomes become a decision"`
	Session  FlowSession  `json:"session,omitzero" jsonschema:"defaults of the session options of this flow's verifications (create_verification may override them)"`
	Branding FlowBranding `json:"branding,omitzero" jsonschema:"the hosted flow's look"`
}

// FlowStep is one step and its settings; which settings apply depends on Type.
type FlowStep struct {
	Type StepType `json:"type" jsonschema:"the step: consent, document, selfie, selfie_with_document, liveness, email, phone, questionnaire, proof_of_address, nfc, additional_document or screening"`
	// Optional steps may be skipped by the applicant; a skipped step's check is not run.
	Optional bool `json:"optional,omitempty" jsonschema:"additional_document, questionnaire: the applicant may skip it"`
	// DocumentTypes and Countries bound the document step (document, selfie_with_document).
	DocumentTypes []string `json:"document_types,omitempty" jsonschema:"document: accepted document types (default any)"`
	Countries     []string `json:"countries,omitempty" jsonschema:"document: accepted issuing states as ICAO codes (D, FRA, GBR) (default any)"`
	Sides         string   `json:"sides,omitempty" jsonschema:"document: front, or front_and_back (default: what the document type has)"`
	// Liveness settings.
	LivenessMode string `json:"liveness_mode,omitempty" jsonschema:"liveness: passive (the selfie alone) or active (a challenge of head turns; default)"`
	Challenges   int    `json:"challenges,omitempty" jsonschema:"liveness (active): head-turn steps asked for, 1 to 5 (default 2)"`
	// Questionnaire names the questionnaire a questionnaire step shows.
	Questionnaire string `json:"questionnaire,omitempty" jsonschema:"questionnaire: the questionnaire's name"`
	// Label and OCR describe an additional document.
	Label string `json:"label,omitempty" jsonschema:"additional_document: what to upload, shown to the applicant (bank card, residence permit back)"`
	OCR   bool   `json:"ocr,omitempty" jsonschema:"additional_document: also read its text into the evidence"`
}

// FlowPolicy turns check outcomes into a decision.
type FlowPolicy struct {
	// Thresholds per check (face_match, liveness: the score needed to pass; screening: the
	// lowest hit score that counts).
	Thresholds map[string]float64 `json:"thresholds,omitempty" jsonschema:"per check, 0 to 1: face_match and liveness need a score at least this; screening hits below it do not count"`
	// OnFailure says per check what a failed outcome does: reject (default) or review.
	OnFailure map[string]string `json:"on_failure,omitempty" jsonschema:"per check: reject (default) or review, what its failure does to the decision"`
	// ReviewOnSuccess and ReviewOnFailure send every approved / rejected verification to a person.
	ReviewOnSuccess bool `json:"review_on_success,omitempty" jsonschema:"a person looks at every verification that would be approved (needs_review instead)"`
	ReviewOnFailure bool `json:"review_on_failure,omitempty" jsonschema:"a person looks at every verification that would be rejected (needs_review instead)"`
	// AutoApprove false holds every would-be approval for review (nil = true).
	AutoApprove *bool `json:"auto_approve,omitempty" jsonschema:"false: nothing is approved without a person (default true)"`
	// AnswerRules route on questionnaire answers.
	AnswerRules []AnswerRule `json:"answer_rules,omitempty" jsonschema:"questionnaire answers that route the decision"`
}

// AnswerRule (models/questionnaire.go) routes a verification on a questionnaire answer.

// FlowSession are the session options of a flow's verifications.
type FlowSession struct {
	ExpiresIn     int  `json:"expires_in,omitempty" jsonschema:"seconds the link is valid, 60 to 2592000 (default 1800)"`
	SessionLength int  `json:"session_length,omitempty" jsonschema:"seconds the applicant has once started, 60 to 3600 (default: until the link expires)"`
	GenerateCode  bool `json:"generate_code,omitempty" jsonschema:"give every verification an 8-digit code to continue on another device"`
}

// FlowBranding is the hosted flow's look.
type FlowBranding struct {
	Name         string   `json:"name,omitempty" jsonschema:"the company name shown in the header"`
	LogoURL      string   `json:"logo_url,omitempty" jsonschema:"https URL of the logo shown in the header"`
	PrimaryColor string   `json:"primary_color,omitempty" jsonschema:"buttons and links, as #rrggbb"`
	Locales      []string `json:"locales,omitempty" jsonschema:"languages offered (BCP 47: en, de, pt-BR); the first is the default"`
	SupportEmail string   `json:"support_email,omitempty" jsonschema:"where applicants write for help"`
	SupportURL   string   `json:"support_url,omitempty" jsonschema:"help page for applicants (http or https)"`
}

// SessionOptions are the per-verification options fixed at creation (Verification.Options
// as JSON): the flow's policy copied in, extra documents and the data to compare.
type SessionOptions struct {
	FlowName        string            `json:"flow_name,omitempty"`
	HasCode         bool              `json:"has_code,omitempty"`
	Steps           []FlowStep        `json:"steps,omitempty"`
	Policy          *FlowPolicy       `json:"policy,omitempty"`
	Branding        *FlowBranding     `json:"branding,omitempty"`
	AdditionalSteps []FlowStep        `json:"additional_steps,omitempty"`
	Compare         map[string]string `json:"compare,omitempty"`
	CompareReason   string            `json:"compare_reason,omitempty"`
	// Simulated are check outcomes a test-mode caller set with simulate_check_outcome (#27):
	// the check is decided so, marked forced, whatever its inputs.
	Simulated map[Check]Outcome `json:"simulated,omitempty"`
}

// SessionCode maps an 8-digit code (by keyed hash) to the open session it continues.
type SessionCode struct {
	CodeHash       string    `bun:"code_hash,pk"`
	VerificationID string    `bun:"verification_id"`
	AccountID      string    `bun:"account_id"`
	Mode           Mode      `bun:"mode"`
	ExpiresAt      time.Time `bun:"expires_at"`
}

// ArtifactSelfieWithDocument is the picture of the applicant holding their document next to
// their face (the selfie_with_document step).
const ArtifactSelfieWithDocument ArtifactKind = "selfie_with_document"

// ArtifactAdditionalDocument is an extra document of an additional_document step (a bank
// card, a residence permit's back), kept as evidence with its label and optional OCR text.
const ArtifactAdditionalDocument ArtifactKind = "additional_document"
