package models

import "time"

// Handoff is a desktop-to-phone hand-off link of the hosted flow. Only the SHA-256 of the
// token is stored; the token itself is sealed and carries its own expiry, so the row exists
// to make it single-use: RedeemedAt is set by the first open.
type Handoff struct {
	TokenHash      string     `bun:"token_hash,pk"`
	VerificationID string     `bun:"verification_id"`
	ExpiresAt      time.Time  `bun:"expires_at"`
	RedeemedAt     *time.Time `bun:"redeemed_at"`
	CreatedAt      time.Time  `bun:"created_at"`
}
