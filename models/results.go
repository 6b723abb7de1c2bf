package models

import "time"

// ApplicantData is what an integrator says about the person (sealed at rest).
type ApplicantData struct {
	Name    string `json:"name,omitempty" jsonschema:"full name as on the identity document"`
	Email   string `json:"email,omitempty" jsonschema:"email address" format:"email" maxLength:"254"`
	DOB     string `json:"dob,omitempty" jsonschema:"date of birth, YYYY-MM-DD" format:"date"`
	Country string `json:"country,omitempty" jsonschema:"country of residence or nationality" country:"alpha2"`
}

// Outcome of one check.
type Outcome string

// Check outcomes, from best to worst.
const (
	OutcomePass   Outcome = "pass"
	OutcomeReview Outcome = "review"
	OutcomeFail   Outcome = "fail"
)

// AllOutcomes lists every check outcome, from best to worst.
var AllOutcomes = []Outcome{OutcomePass, OutcomeReview, OutcomeFail}

// Reason is a machine-readable cause with a human-readable message.
type Reason struct {
	Code    string `json:"code" jsonschema:"machine-readable reason code, e.g. document_expired"`
	Message string `json:"message" jsonschema:"what happened, for a person"`
	Check   string `json:"check,omitempty" jsonschema:"the check that raised it"`
}

// CheckOutcome is one check's result inside a verification result.
type CheckOutcome struct {
	Check    string            `json:"check" jsonschema:"check name"`
	Outcome  Outcome           `json:"outcome" jsonschema:"pass, review or fail"`
	Score    *float64          `json:"score,omitempty" jsonschema:"the check's score where it has one (0–1)"`
	Reasons  []Reason          `json:"reasons,omitempty" jsonschema:"why the check did not simply pass"`
	Details  map[string]any    `json:"details,omitempty" jsonschema:"engine-specific evidence (no raw images)"`
	Versions map[string]string `json:"versions,omitempty" jsonschema:"engine, model and list versions used, for reproducibility"`
	// Forced and ForcedBy mark an outcome a test-mode magic value set (the sandbox, issue
	// #27); the engine's own outcome is then in Details (sandbox_engine_outcome).
	Forced   bool   `json:"forced,omitempty" jsonschema:"test mode only: the outcome was forced by a magic value (forced_by)"`
	ForcedBy string `json:"forced_by,omitempty" jsonschema:"test mode only: the magic value (sandbox rule) that forced the outcome"`
}

// VerificationResult is the decision on a verification and its evidence.
type VerificationResult struct {
	Decision  Status         `json:"decision" jsonschema:"approved, needs_review or rejected" enum:"approved,needs_review,rejected"`
	Reasons   []Reason       `json:"reasons" jsonschema:"every reason that shaped the decision"`
	Checks    []CheckOutcome `json:"checks" jsonschema:"per-check outcomes"`
	DecidedAt time.Time      `json:"decided_at" jsonschema:"when the decision was made"`
	// Forced and ForcedBy mark a decision a test-mode magic value forced (see CheckOutcome).
	Forced   bool   `json:"forced,omitempty" jsonschema:"test mode only: the decision was forced by a magic value (forced_by)"`
	ForcedBy string `json:"forced_by,omitempty" jsonschema:"test mode only: the magic value (sandbox rule) that forced the decision"`
}
