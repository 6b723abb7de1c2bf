// Package models holds the row structs and enums shared by db, jobs and tools.
// It is data only: no behaviour, no imports of other kycd packages.
package models

import "time"

// Mode separates live data from test data. Keys of one mode never see the other mode's objects.
type Mode string

// The two modes.
const (
	ModeLive Mode = "live"
	ModeTest Mode = "test"
)

// AllModes lists both modes.
var AllModes = []Mode{ModeLive, ModeTest}

// Status is where a verification is in its lifecycle.
type Status string

// Verification statuses: pending → in_progress → processing → approved | needs_review | rejected,
// or expired / cancelled.
const (
	StatusPending     Status = "pending"
	StatusInProgress  Status = "in_progress"
	StatusProcessing  Status = "processing"
	StatusApproved    Status = "approved"
	StatusNeedsReview Status = "needs_review"
	StatusRejected    Status = "rejected"
	StatusExpired     Status = "expired"
	StatusCancelled   Status = "cancelled"
)

// AllStatuses lists every status, in lifecycle order.
var AllStatuses = []Status{StatusPending, StatusInProgress, StatusProcessing, StatusApproved,
	StatusNeedsReview, StatusRejected, StatusExpired, StatusCancelled}

// Check names a verification check.
type Check string

// The checks a verification may ask for.
const (
	CheckDocument  Check = "document"
	CheckFaceMatch Check = "face_match"
	CheckLiveness  Check = "liveness"
	CheckAge       Check = "age"
	CheckScreening Check = "screening"
	// CheckEmail and CheckPhone pass when an email address / phone number attached to the
	// verification was confirmed with a one-time code and is not high risk. They run only
	// when asked for (or enabled on the key), never by default.
	CheckEmail Check = "email"
	CheckPhone Check = "phone"
	// CheckNFC is passive (and active) authentication of the passport chip (verify_nfc).
	CheckNFC Check = "nfc"
	// CheckProofOfAddress is a utility bill, bank statement or official letter showing the
	// applicant's name at their address, recent (check_address with verification_id, or the
	// hosted flow's upload step). Opt-in, like nfc.
	CheckProofOfAddress Check = "proof_of_address"
)

// AllChecks lists every check a verification may name.
var AllChecks = []Check{CheckDocument, CheckFaceMatch, CheckLiveness, CheckAge, CheckScreening, CheckEmail, CheckPhone, CheckNFC, CheckProofOfAddress}

// DocumentType is the kind of identity document expected.
type DocumentType string

// Document types.
const (
	DocPassport        DocumentType = "passport"
	DocIDCard          DocumentType = "id_card"
	DocDriversLicense  DocumentType = "drivers_license"
	DocResidencePermit DocumentType = "residence_permit"
)

// AllDocumentTypes lists every document type.
var AllDocumentTypes = []DocumentType{DocPassport, DocIDCard, DocDriversLicense, DocResidencePermit}

// Account owns keys and every object made with them.
type Account struct {
	ID        string    `bun:"id,pk"`
	Name      string    `bun:"name"`
	CreatedAt time.Time `bun:"created_at"`
}

// APIKey is a stored API key. Only the SHA-256 of the secret is kept.
type APIKey struct {
	ID         string     `bun:"id,pk"`
	AccountID  string     `bun:"account_id"`
	Name       string     `bun:"name"`
	Mode       Mode       `bun:"mode"`
	Prefix     string     `bun:"prefix"`
	Hash       string     `bun:"hash"`
	Scopes     string     `bun:"scopes"` // JSON array of scope names
	Checks     string     `bun:"checks"` // JSON array of enabled checks; "[]" means every available check
	RateLimit  int        `bun:"rate_limit"`
	CreatedAt  time.Time  `bun:"created_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	// ExpiresAt is when the key stops working (nil = never); its admins are notified before.
	ExpiresAt *time.Time `bun:"expires_at"`

	// ScreeningStrongHit is what a strong sanctions hit does to this key's verifications:
	// "review", "fail", or "" for the server default (KYCD_SCREENING_STRONG_HIT).
	ScreeningStrongHit string `bun:"screening_strong_hit"`
	// FaceMatchThreshold and LivenessThreshold override the server's biometric thresholds
	// for this key's verifications and calls (0 = the server's calibrated default).
	FaceMatchThreshold float64 `bun:"face_match_threshold"`
	LivenessThreshold  float64 `bun:"liveness_threshold"`
	// FaceMatchRejectThreshold (the bottom of the face-match review band) and
	// ReverifyMatchThreshold (a re-verification's accept threshold) override the derived ones
	// (0 = derived from the accept threshold; verify/biometrics_thresholds.go).
	FaceMatchRejectThreshold float64 `bun:"face_match_reject_threshold"`
	ReverifyMatchThreshold   float64 `bun:"reverify_match_threshold"`
	// LivenessRequireActive makes this key's liveness checks (re-verifications included)
	// need a passed active challenge, as the server's --liveness-require-active does for all.
	LivenessRequireActive bool `bun:"liveness_require_active"`
	// EmbedOrigins are the origins (comma-separated) allowed to frame this key's hosted flow,
	// besides the server's --frame-ancestors.
	EmbedOrigins string `bun:"embed_origins"`
	// DocumentCountries and DocumentTypes (comma-separated; "" = any the server accepts) bound
	// what this key's verifications accept: issuing states (ICAO codes) and document types.
	DocumentCountries string `bun:"document_countries"`
	DocumentTypes     string `bun:"document_types"`
	// HighRiskJurisdictions (ISO 3166 codes, comma-separated) replace the server's list for
	// this key's business checks; "" = the server's, "none" = none.
	HighRiskJurisdictions string `bun:"high_risk_jurisdictions"`
	// DefaultFlow is the flow (by name) this key's verifications run when they name none.
	DefaultFlow string `bun:"default_flow"`
}

// Applicant is the person (or, later, business) behind one or more verifications.
// PII is held only in the encrypted blobs.
type Applicant struct {
	ID          string    `bun:"id,pk"`
	AccountID   string    `bun:"account_id"`
	Mode        Mode      `bun:"mode"`
	ExternalRef *string   `bun:"external_ref"`
	PII         []byte    `bun:"pii"`     // encrypted JSON of the data given by the integrator
	Profile     []byte    `bun:"profile"` // encrypted JSON of the profile as last verified
	CreatedAt   time.Time `bun:"created_at"`
	UpdatedAt   time.Time `bun:"updated_at"`
	// DeletedAt is when the applicant's personal data was erased (delete_applicant); the row
	// stays, without PII or external reference, for the audit trail.
	DeletedAt *time.Time `bun:"deleted_at"`
	// DeletionScheduledAt is when a scheduled deletion (schedule_applicant_deletion) erases the
	// applicant; meanwhile it is hidden from reads and frozen. Nil when none is scheduled.
	DeletionScheduledAt *time.Time `bun:"deletion_scheduled_at"`
}

// Verification is one identity verification session.
type Verification struct {
	ID           string  `bun:"id,pk"`
	Reference    string  `bun:"reference"`
	AccountID    string  `bun:"account_id"`
	Mode         Mode    `bun:"mode"`
	APIKeyID     string  `bun:"api_key_id"`
	ApplicantID  string  `bun:"applicant_id"`
	Status       Status  `bun:"status"`
	DocumentType string  `bun:"document_type"`
	Checks       string  `bun:"checks"` // JSON array
	ExternalRef  *string `bun:"external_ref"`
	Metadata     string  `bun:"metadata"` // JSON object
	ApplicantPII []byte  `bun:"applicant_pii"`
	RedirectURL  string  `bun:"redirect_url"`
	CallbackURL  string  `bun:"callback_url"`
	// SuccessURL, FailureURL and ReviewURL are per-outcome redirects (empty = RedirectURL).
	SuccessURL string `bun:"success_url"`
	FailureURL string `bun:"failure_url"`
	ReviewURL  string `bun:"review_url"`
	// AllowedCountries are the issuing states the document check accepts (comma-separated
	// ICAO codes; empty = any the server accepts).
	AllowedCountries string     `bun:"allowed_countries"`
	MinAge           *int       `bun:"min_age"`
	MaxAge           *int       `bun:"max_age"`
	Locale           string     `bun:"locale"`
	TokenHash        string     `bun:"token_hash"`
	TokenSealed      []byte     `bun:"token_sealed"` // the session token, encrypted, so hosted_url can be shown again
	Result           *string    `bun:"result"`       // JSON object, set when a decision is made
	ExpiresAt        time.Time  `bun:"expires_at"`
	SubmittedAt      *time.Time `bun:"submitted_at"`
	CompletedAt      *time.Time `bun:"completed_at"`
	CreatedAt        time.Time  `bun:"created_at"`
	UpdatedAt        time.Time  `bun:"updated_at"`
	// DeletedAt is when the personal data of the verification was erased with its applicant.
	DeletedAt *time.Time `bun:"deleted_at"`

	// ReusedFrom is the verification whose reusable identity this one re-verified (reverify).
	ReusedFrom *string `bun:"reused_from"`
	// IdentityToken is the sealed rid_… token issued on approval with a face match; nil when
	// none was issued or it was revoked.
	IdentityToken []byte `bun:"identity_token"`

	// ReviewedAt, ReviewedBy (the API key id), ReviewDecision (approve | reject) and the sealed
	// ReviewReason record the manual decision on a needs_review verification (review_verification).
	ReviewedAt     *time.Time `bun:"reviewed_at"`
	ReviewedBy     string     `bun:"reviewed_by"`
	ReviewDecision string     `bun:"review_decision"`
	ReviewReason   []byte     `bun:"review_reason_sealed"`

	// SignalsFirst and SignalsLatest are the sealed RequestSignals of the applicant's first
	// and latest request; SignalsFingerprint a keyed hash of the latest IP and user agent;
	// SignalReasons the comma-separated signal reason codes (issue #28).
	SignalsFirst       []byte `bun:"signals_first"`
	SignalsLatest      []byte `bun:"signals_latest"`
	SignalsFingerprint string `bun:"signals_fingerprint"`
	SignalReasons      string `bun:"signal_reasons"`

	// FlowID and FlowVersion are the flow version the verification runs ("" / 0: none).
	// SessionLength (seconds, 0 = none) starts at the applicant's first step: SessionDeadline
	// is then set and the verification expires with reason session_timeout. Options is the
	// SessionOptions JSON fixed at creation. RestartedFrom is the attempt this one replaced.
	FlowID          string     `bun:"flow_id"`
	FlowVersion     int        `bun:"flow_version"`
	SessionLength   int        `bun:"session_length"`
	SessionDeadline *time.Time `bun:"session_deadline"`
	Options         string     `bun:"options"`
	RestartedFrom   *string    `bun:"restarted_from"`
}

// Event is one row of an object's timeline. Events are ordered per object by Seq.
type Event struct {
	ID         string    `bun:"id,pk"`
	AccountID  string    `bun:"account_id"`
	Mode       Mode      `bun:"mode"`
	ObjectType string    `bun:"object_type"`
	ObjectID   string    `bun:"object_id"`
	Seq        int64     `bun:"seq"`
	Type       string    `bun:"type"`
	Data       string    `bun:"data"` // JSON object; never raw images
	CreatedAt  time.Time `bun:"created_at"`
}

// Idempotency remembers the response to a creating call for replay.
type Idempotency struct {
	AccountID   string    `bun:"account_id,pk"`
	Mode        Mode      `bun:"mode,pk"`
	Key         string    `bun:"key,pk"`
	RequestHash string    `bun:"request_hash"`
	Response    string    `bun:"response"`
	CreatedAt   time.Time `bun:"created_at"`
}

// DataKey is the data key of one applicant or verification (the owner), wrapped with the
// keyring's primary key. Deleting the row is the erasure: what was sealed with it cannot be
// opened again, wherever a copy of the ciphertext survives.
type DataKey struct {
	OwnerID   string    `bun:"owner_id,pk"`
	Wrapped   []byte    `bun:"wrapped"`
	CreatedAt time.Time `bun:"created_at"`
}
