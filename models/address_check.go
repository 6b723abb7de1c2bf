package models

import "time"

// Address-check statuses (check_address): processing while the address.read job reads the
// document, then the engine's decision.
const (
	AddressProcessing  = "processing"
	AddressApproved    = "approved"
	AddressNeedsReview = "needs_review"
	AddressRejected    = "rejected"
)

// AddressCheck is one proof-of-address check for an account and mode. The declared name and
// address and the result (the address and name read from the document, its text) are
// personal data and sealed; the columns in the clear are what lists filter on.
type AddressCheck struct {
	ID             string  `bun:"id,pk"`
	AccountID      string  `bun:"account_id"`
	Mode           Mode    `bun:"mode"`
	APIKeyID       string  `bun:"api_key_id"`
	VerificationID *string `bun:"verification_id"`
	Status         string  `bun:"status"`
	DocumentKind   string  `bun:"document_kind"`
	ExternalRef    *string `bun:"external_ref"`
	Input          []byte  `bun:"input_sealed"`
	Result         []byte  `bun:"result_sealed"`
	// Document is the uploaded document, sealed, kept only while the check is processing.
	Document  []byte     `bun:"document_sealed"`
	CreatedAt time.Time  `bun:"created_at"`
	DecidedAt *time.Time `bun:"decided_at"`
}
