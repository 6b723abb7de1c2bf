package models

import "time"

// Business statuses (verify_business): processing until the register answered, then a decision.
const (
	BusinessProcessing  = "processing"
	BusinessApproved    = "approved"
	BusinessNeedsReview = "needs_review"
	BusinessRejected    = "rejected"
)

// Business is one KYB check of a company for an account and mode. What the caller said
// (officers are people: names, dates of birth) and the full result (screening hits name the
// officers) are sealed; the columns in the clear are what lists filter on.
type Business struct {
	ID          string     `bun:"id,pk"`
	AccountID   string     `bun:"account_id"`
	Mode        Mode       `bun:"mode"`
	APIKeyID    string     `bun:"api_key_id"`
	Status      string     `bun:"status"`
	RiskLevel   string     `bun:"risk_level"` // "" while processing
	ExternalRef *string    `bun:"external_ref"`
	LEI         string     `bun:"lei"` // the resolved LEI ("" when none was identified)
	Input       []byte     `bun:"input_sealed"`
	Result      []byte     `bun:"result_sealed"` // nil while processing
	Attempts    int        `bun:"attempts"`
	LastError   string     `bun:"last_error"` // why the register could not answer, while processing
	CreatedAt   time.Time  `bun:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at"`
	DecidedAt   *time.Time `bun:"decided_at"`
	DeletedAt   *time.Time `bun:"deleted_at"` // erased (delete_business): input and result are gone
}

// BusinessCacheEntry is one cached GLEIF API response (table business_cache_entries), shared by every process on the database.
type BusinessCacheEntry struct {
	Key       string    `bun:"key,pk"`
	Body      []byte    `bun:"body"`
	ExpiresAt time.Time `bun:"expires_at"`
}

// GLEIFRecord is one level-1 record of the offline register; Data is the record as JSON.
type GLEIFRecord struct {
	LEI          string `bun:"lei,pk"`
	RegisteredAs string `bun:"registered_as"` // upper-case alphanumerics, for lookups by number
	Data         string `bun:"data"`
}

// GLEIFNameWord indexes a normalised name word of a record, for offline search.
type GLEIFNameWord struct {
	Word string `bun:"word,pk"`
	LEI  string `bun:"lei,pk"`
}

// GLEIFRelationship is one level-2 relationship of the offline register; Data is its JSON.
type GLEIFRelationship struct {
	StartLEI string `bun:"start_lei,pk"`
	EndLEI   string `bun:"end_lei,pk"`
	Type     string `bun:"type,pk"`
	Data     string `bun:"data"`
}

// GLEIFException is one reporting exception of the offline register; Data is its JSON.
type GLEIFException struct {
	LEI      string `bun:"lei,pk"`
	Category string `bun:"category,pk"`
	Data     string `bun:"data"`
}

// GLEIFImport records one completed `kycd registry import`: the offline register is "loaded"
// once one exists.
type GLEIFImport struct {
	ID            string    `bun:"id,pk"`
	Source        string    `bun:"source"`
	Files         string    `bun:"files"`
	Records       int       `bun:"records"`
	Relationships int       `bun:"relationships"`
	Exceptions    int       `bun:"exceptions"`
	Skipped       int       `bun:"skipped"`
	StartedAt     time.Time `bun:"started_at"`
	FinishedAt    time.Time `bun:"finished_at"`
}
