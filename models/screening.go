package models

import "time"

// ScreeningList is the current version of one sanctions or PEP list. Data is the parsed
// list, gzip-compressed JSON, so every process builds the same index from the same bytes.
type ScreeningList struct {
	Source    string     `bun:"source,pk"`
	SHA256    string     `bun:"sha256"`
	Entities  int        `bun:"entities"`
	LoadedAt  time.Time  `bun:"loaded_at"`
	FetchedAt *time.Time `bun:"fetched_at"`
	Origin    string     `bun:"origin"` // the file path or URL it came from
	Data      []byte     `bun:"data"`
}

// Screening verdicts an analyst can record on a hit (resolve_screening_hit).
const (
	VerdictTrueMatch     = "true_match"
	VerdictFalsePositive = "false_positive"
	VerdictEscalated     = "escalated"
)

// AllVerdicts lists every screening verdict.
var AllVerdicts = []string{VerdictTrueMatch, VerdictFalsePositive, VerdictEscalated}

// ScreeningDecision is one analyst verdict on one listed entity for one subject. Rows are
// appended, never updated: the newest per subject and entity is the current verdict and the
// older ones are the audit trail. The reason may name personal data, so it is sealed.
type ScreeningDecision struct {
	ID           string    `bun:"id,pk"`
	AccountID    string    `bun:"account_id"`
	Mode         Mode      `bun:"mode"`
	SubjectRef   string    `bun:"subject_ref"` // an applicant id, the integrator's external_ref, or any id the caller uses
	Source       string    `bun:"source"`
	SourceID     string    `bun:"source_id"`
	Fingerprint  string    `bun:"fingerprint"` // the entity's content hash the verdict was made on
	Verdict      string    `bun:"verdict"`
	ReasonSealed []byte    `bun:"reason_sealed"`
	EntityName   string    `bun:"entity_name"`
	DecidedBy    string    `bun:"decided_by"` // the API key id
	DecidedAt    time.Time `bun:"decided_at"`
}

// ScreeningAlert is a hit raised by ongoing monitoring for an applicant, kept so that the same
// hit on the same entity data is raised once.
type ScreeningAlert struct {
	ID             string    `bun:"id,pk"`
	AccountID      string    `bun:"account_id"`
	Mode           Mode      `bun:"mode"`
	ApplicantID    string    `bun:"applicant_id"`
	VerificationID string    `bun:"verification_id"`
	Source         string    `bun:"source"`
	SourceID       string    `bun:"source_id"`
	Fingerprint    string    `bun:"fingerprint"`
	Score          float64   `bun:"score"`
	Cause          string    `bun:"cause"` // lists_changed, schedule or manual
	CreatedAt      time.Time `bun:"created_at"`
}
