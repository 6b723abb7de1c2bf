package models

import "time"

// NFCScan is one verified chip read (verify_nfc). The verdict flags are plain so scans can be
// listed without opening anything; the chip's personal data — the full result with the MRZ
// read from DG1 — and the DG2 portrait are sealed with the keyring. Raw data groups are not
// kept: the hashes in Details are what the verdict needs to be explained.
type NFCScan struct {
	ID             string  `bun:"id,pk"`
	AccountID      string  `bun:"account_id"`
	Mode           Mode    `bun:"mode"`
	VerificationID *string `bun:"verification_id"`
	APIKeyID       string  `bun:"api_key_id"`
	ChipAuthentic  bool    `bun:"chip_authentic"`
	DGHashesValid  bool    `bun:"dg_hashes_valid"`
	SODSignature   bool    `bun:"sod_signature_valid"`
	DSCTrusted     bool    `bun:"dsc_trusted"`
	// ActiveAuth is passed, failed or not_performed.
	ActiveAuth string `bun:"active_auth"`
	// IssuingCountry is the DSC's country (not personal data: it names the issuer).
	IssuingCountry string `bun:"issuing_country"`
	// TrustStore says which CSCAs judged the DSC ("database", "test: …").
	TrustStore string `bun:"trust_store"`
	// Details is the sealed JSON of the whole result (MRZ included).
	Details []byte `bun:"details"`
	// Face is the sealed DG2 portrait (JPEG when it was or could be converted).
	Face      []byte    `bun:"face"`
	CreatedAt time.Time `bun:"created_at"`
}

// NFCChallenge is an Active Authentication challenge: the 8 random bytes a phone sends to the
// chip (INTERNAL AUTHENTICATE). The nonce is not secret — the chip's signature over it is
// what counts — but it answers once, before ExpiresAt.
type NFCChallenge struct {
	ID             string     `bun:"id,pk"`
	AccountID      string     `bun:"account_id"`
	Mode           Mode       `bun:"mode"`
	VerificationID *string    `bun:"verification_id"`
	Nonce          string     `bun:"nonce"` // hex
	ExpiresAt      time.Time  `bun:"expires_at"`
	UsedAt         *time.Time `bun:"used_at"`
	ScanID         *string    `bun:"scan_id"`
	CreatedAt      time.Time  `bun:"created_at"`
}

// CSCACertificate is a trusted Country Signing CA certificate, shared by every process
// through the database (kycd csca import). ID is the SHA-256 of DER.
type CSCACertificate struct {
	ID         string    `bun:"id,pk"`
	Country    string    `bun:"country"`
	Subject    string    `bun:"subject"`
	NotBefore  time.Time `bun:"not_before"`
	NotAfter   time.Time `bun:"not_after"`
	Source     string    `bun:"source"`
	DER        []byte    `bun:"der"`
	ImportedAt time.Time `bun:"imported_at"`
}

// CSCARevocationList is a CRL a CSCA issued, applied only when that CSCA's key verifies it.
// ID is the SHA-256 of DER.
type CSCARevocationList struct {
	ID         string    `bun:"id,pk"`
	Issuer     string    `bun:"issuer"`
	ThisUpdate time.Time `bun:"this_update"`
	Source     string    `bun:"source"`
	DER        []byte    `bun:"der"`
	ImportedAt time.Time `bun:"imported_at"`
}
