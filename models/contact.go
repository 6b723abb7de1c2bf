package models

import "time"

// ContactKind is what a contact check is about.
type ContactKind string

// Contact kinds.
const (
	ContactEmail ContactKind = "email"
	ContactPhone ContactKind = "phone"
)

// ContactCheck is one verify_email or verify_phone call: the engine's result (sealed, since
// it holds the address), a blind index of the address for the per-address send limits, and
// when it was confirmed with a code.
type ContactCheck struct {
	ID             string      `bun:"id,pk"` // eml_… or phn_…
	AccountID      string      `bun:"account_id"`
	Mode           Mode        `bun:"mode"`
	APIKeyID       string      `bun:"api_key_id"`
	Kind           ContactKind `bun:"kind"`
	VerificationID *string     `bun:"verification_id"`
	ExternalRef    *string     `bun:"external_ref"`
	// AddressHash is the keyed blind index of the normalized address ("" for one that did
	// not parse); it finds the same address without opening any sealed column.
	AddressHash string `bun:"address_hash"`
	// Result is the sealed JSON of the engine's result (email.Result or phone.Result).
	Result      []byte     `bun:"result"`
	RiskLevel   string     `bun:"risk_level"`
	ConfirmedAt *time.Time `bun:"confirmed_at"`
	CreatedAt   time.Time  `bun:"created_at"`
}

// ContactCode is one one-time code sent to an address of a contact check. Only the code's
// keyed hash is stored (in State); the address is sealed. Every row is one send, which is
// what the send limits count.
type ContactCode struct {
	ID             string      `bun:"id,pk"` // otp_…
	AccountID      string      `bun:"account_id"`
	Mode           Mode        `bun:"mode"`
	APIKeyID       string      `bun:"api_key_id"`
	CheckID        string      `bun:"check_id"`
	Kind           ContactKind `bun:"kind"`
	VerificationID *string     `bun:"verification_id"`
	AddressHash    string      `bun:"address_hash"`
	// Address is the sealed normalized address (email) or E.164 number (phone): the code's
	// hash is bound to it.
	Address []byte `bun:"address"`
	// State is the JSON of the code's otp.State (hash, expiry, attempts, verified).
	State   string `bun:"state"`
	Channel string `bun:"channel"` // smtp, sms or log: how it was delivered
	// IPHash is the keyed hash of the applicant's IP when an applicant's session asked for the
	// code ("" for API callers): the per-IP send budget counts these.
	IPHash    string    `bun:"ip_hash"`
	ExpiresAt time.Time `bun:"expires_at"`
	// SupersededAt is set when a newer code went to the same address: only the newest counts.
	SupersededAt *time.Time `bun:"superseded_at"`
	SupersededBy *string    `bun:"superseded_by"`
	ConfirmedAt  *time.Time `bun:"confirmed_at"`
	CreatedAt    time.Time  `bun:"created_at"`
	UpdatedAt    time.Time  `bun:"updated_at"`
}

// LinkSend is one hosted link sent to an applicant (send_verification_link). The address is
// sealed; every row is one send, which is what the link limits count.
type LinkSend struct {
	ID             string      `bun:"id,pk"` // lnk_…
	AccountID      string      `bun:"account_id"`
	Mode           Mode        `bun:"mode"`
	APIKeyID       string      `bun:"api_key_id"`
	VerificationID string      `bun:"verification_id"`
	Kind           ContactKind `bun:"kind"`
	Channel        string      `bun:"channel"` // smtp, sms or log
	AddressHash    string      `bun:"address_hash"`
	// Address is the sealed normalized address or E.164 number; nil once erased.
	Address   []byte    `bun:"address"`
	CreatedAt time.Time `bun:"created_at"`
}
