package models

import "time"

// EndpointKind tells a subscribed endpoint from the per-account signer of callback_url deliveries.
type EndpointKind string

// Endpoint kinds.
const (
	// EndpointKindEndpoint is a URL the integrator registered, subscribed to chosen event types.
	EndpointKindEndpoint EndpointKind = "endpoint"
	// EndpointKindCallback holds the secret that signs deliveries to verifications' callback_url;
	// it has no URL of its own (one per account and mode).
	EndpointKindCallback EndpointKind = "callback"
)

// AllEndpointKinds lists every endpoint kind.
var AllEndpointKinds = []EndpointKind{EndpointKindEndpoint, EndpointKindCallback}

// EndpointStatus says whether an endpoint receives deliveries.
type EndpointStatus string

// Endpoint statuses.
const (
	EndpointEnabled  EndpointStatus = "enabled"
	EndpointDisabled EndpointStatus = "disabled"
)

// AllEndpointStatuses lists every endpoint status.
var AllEndpointStatuses = []EndpointStatus{EndpointEnabled, EndpointDisabled}

// WebhookEndpoint is a URL that receives signed event deliveries. Secrets are sealed with the
// store keyring (not hashed): kycd must sign with them.
type WebhookEndpoint struct {
	ID          string         `bun:"id,pk"`
	AccountID   string         `bun:"account_id"`
	Mode        Mode           `bun:"mode"`
	Kind        EndpointKind   `bun:"kind"`
	URL         string         `bun:"url"`
	Description string         `bun:"description"`
	Events      string         `bun:"events"` // JSON array of event types or patterns ("*", "verification.*")
	Status      EndpointStatus `bun:"status"`
	// DisabledReason is the notice left when kycd disabled the endpoint itself.
	DisabledReason string     `bun:"disabled_reason"`
	DisabledAt     *time.Time `bun:"disabled_at"`
	// ConsecutiveFailures counts deliveries that failed for good since the last success.
	ConsecutiveFailures int    `bun:"consecutive_failures"`
	SecretSealed        []byte `bun:"secret_sealed"`
	// PreviousSecretSealed stays valid (deliveries carry both signatures) until PreviousSecretExpiresAt.
	PreviousSecretSealed    []byte     `bun:"previous_secret_sealed"`
	PreviousSecretExpiresAt *time.Time `bun:"previous_secret_expires_at"`
	CreatedAt               time.Time  `bun:"created_at"`
	UpdatedAt               time.Time  `bun:"updated_at"`
}

// DeliveryStatus is where a delivery is.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending   DeliveryStatus = "pending"   // not yet delivered; retries remain
	DeliveryDelivered DeliveryStatus = "delivered" // a 2xx answer was received
	DeliveryFailed    DeliveryStatus = "failed"    // retries exhausted (or the endpoint was disabled)
	DeliveryCancelled DeliveryStatus = "cancelled" // the endpoint was deleted before delivery
)

// AllDeliveryStatuses lists every delivery status.
var AllDeliveryStatuses = []DeliveryStatus{DeliveryPending, DeliveryDelivered, DeliveryFailed, DeliveryCancelled}

// WebhookDelivery is one (event, endpoint) pair and the outcome of its latest attempt.
// Its ID is the X-Kycd-Delivery header, stable across retries.
type WebhookDelivery struct {
	ID         string         `bun:"id,pk"`
	AccountID  string         `bun:"account_id"`
	Mode       Mode           `bun:"mode"`
	EndpointID string         `bun:"endpoint_id"` // for callbacks: the account's callback signer
	URL        string         `bun:"url"`         // the target at creation (callback_url, or the endpoint's URL)
	EventID    string         `bun:"event_id"`
	EventType  string         `bun:"event_type"`
	Status     DeliveryStatus `bun:"status"`
	Attempts   int            `bun:"attempts"`
	// The latest attempt: HTTP status (nil when no response), latency, response excerpt (≤ 1 KiB), error.
	LastStatusCode *int       `bun:"last_status_code"`
	LastLatencyMS  *int64     `bun:"last_latency_ms"`
	LastResponse   string     `bun:"last_response"`
	LastError      string     `bun:"last_error"`
	LastAttemptAt  *time.Time `bun:"last_attempt_at"`
	NextAttemptAt  *time.Time `bun:"next_attempt_at"`
	DeliveredAt    *time.Time `bun:"delivered_at"`
	// ReplayOf is the delivery this one re-sends (replay_webhook_delivery).
	ReplayOf  *string   `bun:"replay_of"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}
