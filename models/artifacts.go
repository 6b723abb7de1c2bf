package models

import "time"

// ArtifactKind says what an uploaded image is.
type ArtifactKind string

// Artifact kinds.
const (
	ArtifactSelfie           ArtifactKind = "selfie"
	ArtifactLivenessFrame    ArtifactKind = "liveness_frame"
	ArtifactDocumentFront    ArtifactKind = "document_front"
	ArtifactDocumentBack     ArtifactKind = "document_back"
	ArtifactDocumentPortrait ArtifactKind = "document_portrait"
)

// AllArtifactKinds lists every artifact kind.
var AllArtifactKinds = []ArtifactKind{ArtifactSelfie, ArtifactLivenessFrame, ArtifactDocumentFront,
	ArtifactDocumentBack, ArtifactDocumentPortrait, ArtifactSelfieWithDocument, ArtifactAdditionalDocument}

// Artifact is an uploaded image of a verification. The bytes and the face analysis are sealed
// with the store keyring; SHA256, Size and ContentType describe the plaintext image.
type Artifact struct {
	ID             string       `bun:"id,pk"`
	AccountID      string       `bun:"account_id"`
	Mode           Mode         `bun:"mode"`
	VerificationID string       `bun:"verification_id"`
	Kind           ArtifactKind `bun:"kind"`
	// Seq orders the frames of one liveness capture (0 for single images).
	Seq int `bun:"seq"`
	// ChallengeID links a liveness frame to its challenge ("" otherwise).
	ChallengeID string `bun:"challenge_id"`
	SHA256      string `bun:"sha256"`
	// PHash is the perceptual hash of a liveness frame (16 hex digits; "" for other kinds),
	// for replays that change the bytes but not the picture.
	PHash       string `bun:"phash"`
	Size        int    `bun:"size"`
	ContentType string `bun:"content_type"`
	// Data is the sealed image; nil once retention purged it.
	Data []byte `bun:"data"`
	// Analysis is the sealed JSON of the face analysis (embedding, scores), nil until analysed.
	Analysis  []byte     `bun:"analysis"`
	CreatedAt time.Time  `bun:"created_at"`
	PurgedAt  *time.Time `bun:"purged_at"`
}

// LivenessChallenge is an active-liveness challenge: a random step sequence the applicant
// must perform before the deadline, answerable once with the nonce (only its hash is stored).
type LivenessChallenge struct {
	ID             string `bun:"id,pk"`
	AccountID      string `bun:"account_id"`
	Mode           Mode   `bun:"mode"`
	VerificationID string `bun:"verification_id"`
	NonceHash      string `bun:"nonce_hash"`
	// Steps is a JSON array of step names.
	Steps string `bun:"steps"`
	// IssuedTo is who drew the challenge and alone may answer it: "session:<verification>"
	// for the hosted flow, "key:<key id>" for an API key.
	IssuedTo  string     `bun:"issued_to"`
	ExpiresAt time.Time  `bun:"expires_at"`
	UsedAt    *time.Time `bun:"used_at"`
	// Passed and Result are set when the submitted capture has been verified.
	Passed    *bool     `bun:"passed"`
	Result    *string   `bun:"result"` // JSON of the verdict
	CreatedAt time.Time `bun:"created_at"`
}

// FaceEnrollment is the face of a completed verification kept for duplicate search. The
// embedding is sealed (biometric PII); Model is the embedding model's SHA-256, because
// embeddings of different models cannot be compared.
type FaceEnrollment struct {
	ID             string    `bun:"id,pk"`
	AccountID      string    `bun:"account_id"`
	Mode           Mode      `bun:"mode"`
	VerificationID string    `bun:"verification_id"`
	ApplicantID    string    `bun:"applicant_id"`
	Model          string    `bun:"model"`
	Embedding      []byte    `bun:"embedding"`
	CreatedAt      time.Time `bun:"created_at"`
}

// IdentityToken is a reusable identity: an approved, face-matched verification whose
// applicant may re-verify with a selfie. Only the token's hash identifies it; the face it
// must match is kept sealed.
type IdentityToken struct {
	ID             string `bun:"id,pk"`
	AccountID      string `bun:"account_id"`
	Mode           Mode   `bun:"mode"`
	VerificationID string `bun:"verification_id"`
	ApplicantID    string `bun:"applicant_id"`
	TokenHash      string `bun:"token_hash"`
	Model          string `bun:"model"`
	Embedding      []byte `bun:"embedding"`
	// CrossCheckModel and CrossCheck are the cross-check face model's hash and sealed vector
	// (empty for tokens issued before it); CrossCheckOpen is CrossCheck opened, when read.
	CrossCheckModel string     `bun:"cross_check_model"`
	CrossCheck      []byte     `bun:"cross_check"`
	CrossCheckOpen  []byte     `bun:"-"`
	CreatedAt       time.Time  `bun:"created_at"`
	RevokedAt       *time.Time `bun:"revoked_at"`
	LastUsedAt      *time.Time `bun:"last_used_at"`
}

// DocumentUse records that a document number was presented in a verification, so a number
// presented again by a different identity can be flagged. Only hashes are stored.
type DocumentUse struct {
	ID             string    `bun:"id,pk"`
	AccountID      string    `bun:"account_id"`
	Mode           Mode      `bun:"mode"`
	NumberHash     string    `bun:"number_hash"`
	IdentityHash   string    `bun:"identity_hash"`
	VerificationID string    `bun:"verification_id"`
	ApplicantID    string    `bun:"applicant_id"`
	CreatedAt      time.Time `bun:"created_at"`
}
