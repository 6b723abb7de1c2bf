package dbtest

import (
	"context"
	"testing"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// NewVerification returns an unsaved pending verification of the scope (a document check,
// expiring in an hour) for applicantID, which may be empty when the creation finds the applicant.
func NewVerification(s *db.Store, sc db.Scope, applicantID string) *models.Verification {
	now := s.Now()
	token := db.RandomBase62(20)
	sealed, _ := s.Keyring().Seal([]byte(token))
	return &models.Verification{ID: db.NewID("ver", now), Reference: db.NewReference(), AccountID: sc.AccountID, Mode: sc.Mode,
		APIKeyID: "key_x", ApplicantID: applicantID, Status: models.StatusPending, Checks: `["document"]`, Metadata: "{}",
		TokenHash: db.HashSecret(token), TokenSealed: sealed, ExpiresAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
}

// InsertEndpoint stores an enabled webhook endpoint of the scope for url, subscribed to events
// (a JSON array of patterns), with a placeholder sealed secret.
func InsertEndpoint(tb testing.TB, s *db.Store, sc db.Scope, url, events string) *models.WebhookEndpoint {
	tb.Helper()
	now := s.Now()
	ep := &models.WebhookEndpoint{ID: db.NewID("whe", now), AccountID: sc.AccountID, Mode: sc.Mode, Kind: models.EndpointKindEndpoint,
		Status: models.EndpointEnabled, URL: url, Events: events, SecretSealed: []byte("s"), CreatedAt: now, UpdatedAt: now}
	if err := s.InsertWebhookEndpoint(context.Background(), ep); err != nil {
		tb.Fatal(err)
	}
	return ep
}
