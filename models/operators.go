package models

import "time"

// User is an operator account: a person who signs in to the dashboard. Its role decides the
// tool scopes its sessions carry.
type User struct {
	ID        string `bun:"id,pk"`
	AccountID string `bun:"account_id"`
	// Email is stored lower-cased; it is the sign-in name, unique across the server.
	Email string `bun:"email"`
	// Role is admin, reviewer or viewer.
	Role string `bun:"role"`
	// PasswordHash is an argon2id PHC string; empty until the user opens their setup link.
	PasswordHash string `bun:"password_hash"`
	// TOTPSecret is the sealed base32 TOTP secret (nil: no second factor enrolled).
	TOTPSecret []byte `bun:"totp_secret"`
	// TOTPLastStep is the last accepted TOTP time step, so a code is never accepted twice.
	TOTPLastStep int64 `bun:"totp_last_step"`
	// RecoveryCodes is a JSON array of the SHA-256 hashes of the unused recovery codes.
	RecoveryCodes     string     `bun:"recovery_codes"`
	SetupTokenHash    *string    `bun:"setup_token_hash"`
	SetupExpiresAt    *time.Time `bun:"setup_expires_at"`
	DisabledAt        *time.Time `bun:"disabled_at"`
	PasswordChangedAt *time.Time `bun:"password_changed_at"`
	LastLoginAt       *time.Time `bun:"last_login_at"`
	CreatedAt         time.Time  `bun:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at"`
}

// The stages of a UserSession.
const (
	// SessionStageTOTP: the password was right, the second factor is still owed.
	SessionStageTOTP = "totp"
	// SessionStageActive: signed in.
	SessionStageActive = "active"
)

// UserSession is one signed-in browser. The cookie holds a random token; only its hash is
// stored, so a copy of the database signs nobody in.
type UserSession struct {
	ID         string    `bun:"id,pk"`
	TokenHash  string    `bun:"token_hash"`
	UserID     string    `bun:"user_id"`
	Stage      string    `bun:"stage"`
	CSRF       string    `bun:"csrf"`
	Mode       Mode      `bun:"mode"`
	IP         string    `bun:"ip"`
	UserAgent  string    `bun:"user_agent"`
	CreatedAt  time.Time `bun:"created_at"`
	LastSeenAt time.Time `bun:"last_seen_at"`
}

// AuditEvent is one row of the hash-chained audit trail: who did what to which object, when,
// from where, and how it ended.
type AuditEvent struct {
	AccountID string    `bun:"account_id,pk"`
	Seq       int64     `bun:"seq,pk"`
	ID        string    `bun:"id"`
	At        time.Time `bun:"at"`
	Mode      string    `bun:"mode"`
	// ActorType is user, key, cli or system; ActorID the user, key or command.
	ActorType  string `bun:"actor_type"`
	ActorID    string `bun:"actor_id"`
	ActorEmail string `bun:"actor_email"`
	// Action is tool (a tool call), login, login_failed, logout, page, export, reveal, user.*, …
	Action     string `bun:"action"`
	Tool       string `bun:"tool"`
	ObjectType string `bun:"object_type"`
	ObjectID   string `bun:"object_id"`
	IP         string `bun:"ip"`
	UserAgent  string `bun:"user_agent"`
	// Outcome is ok, or the error code (permission_denied, not_found, …).
	Outcome string `bun:"outcome"`
	// Detail is a short JSON object with no personal data of applicants.
	Detail   string `bun:"detail"`
	PrevHash string `bun:"prev_hash"`
	Hash     string `bun:"hash"`
}

// RetentionPolicy is an account's (per mode) rule for keeping applicants.
type RetentionPolicy struct {
	AccountID string `bun:"account_id,pk"`
	Mode      Mode   `bun:"mode,pk"`
	// DeleteAfterDays erases applicants this many days after their last verification ended (0 = never).
	DeleteAfterDays int `bun:"delete_after_days"`
	// LegalHold blocks every deletion in the scope while set.
	LegalHold bool      `bun:"legal_hold"`
	UpdatedAt time.Time `bun:"updated_at"`
	UpdatedBy string    `bun:"updated_by"`
}
