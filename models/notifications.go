package models

import "time"

// Notification kinds: the events an operator can be told about.
const (
	NotifyCaseReview       = "case_review"       // a verification entered needs_review
	NotifyScreeningMatch   = "screening_match"   // ongoing monitoring found a new screening match
	NotifyEndpointDisabled = "endpoint_disabled" // kycd disabled a failing webhook endpoint
	NotifyKeyExpiring      = "key_expiring"      // an API key expires soon
	// NotifyDigest is the row of a daily digest, which carries the rows batched into it.
	NotifyDigest = "digest"
)

// NotifyKinds lists the kinds a user may turn on, in the order settings show them.
var NotifyKinds = []string{NotifyCaseReview, NotifyScreeningMatch, NotifyEndpointDisabled, NotifyKeyExpiring}

// Delivery choices for one kind.
const (
	NotifyOff       = "off"
	NotifyImmediate = "immediate"
	NotifyDaily     = "digest"
)

// Notification channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Notification statuses.
const (
	NotificationPending = "pending" // to be sent now (a River job is queued)
	NotificationDigest  = "digest"  // waiting for the user's next daily digest
	NotificationBatched = "batched" // carried by a digest row (DigestID)
	NotificationSent    = "sent"
	NotificationFailed  = "failed" // every retry failed
	NotificationSkipped = "skipped"
)

// NotificationSettings is one operator's choice of what to be told and how.
type NotificationSettings struct {
	UserID    string `bun:"user_id,pk"`
	AccountID string `bun:"account_id"`
	// Email sends to the user's sign-in address.
	Email bool `bun:"email"`
	// WebhookURL receives a signed JSON POST per notification ("" = none).
	WebhookURL string `bun:"webhook_url"`
	// WebhookSecretSealed is the sealed whsec_ secret the POSTs are signed with.
	WebhookSecretSealed []byte `bun:"webhook_secret_sealed"`
	// Events is a JSON object kind → off | immediate | digest; a missing kind is off.
	Events string `bun:"events"`
	// TestMode also notifies about test-mode events.
	TestMode bool `bun:"test_mode"`
	// DigestHour is the UTC hour (0–23) the daily digest is sent at.
	DigestHour   int        `bun:"digest_hour"`
	LastDigestAt *time.Time `bun:"last_digest_at"`
	UpdatedAt    time.Time  `bun:"updated_at"`
	UpdatedBy    string     `bun:"updated_by"`
}

// Notification is one message to one user on one channel, about one event (or a digest of
// several). It holds no personal data of applicants: ids, references and counts only.
type Notification struct {
	ID        string `bun:"id,pk"`
	AccountID string `bun:"account_id"`
	UserID    string `bun:"user_id"`
	Mode      Mode   `bun:"mode"`
	Kind      string `bun:"kind"`
	Channel   string `bun:"channel"`
	// DedupeKey names the event ("ev:<event id>", "endpoint_disabled:<id>:<unix>", …): one
	// notification per event, user and channel however often a producer runs.
	DedupeKey  string     `bun:"dedupe_key"`
	ObjectType string     `bun:"object_type"`
	ObjectID   string     `bun:"object_id"`
	Summary    string     `bun:"summary"`
	Data       string     `bun:"data"`
	Status     string     `bun:"status"`
	DigestID   *string    `bun:"digest_id"`
	Attempts   int        `bun:"attempts"`
	LastError  string     `bun:"last_error"`
	CreatedAt  time.Time  `bun:"created_at"`
	SentAt     *time.Time `bun:"sent_at"`
}
