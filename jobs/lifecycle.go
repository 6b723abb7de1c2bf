package jobs

import (
	"context"
	"encoding/json"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Event types of the verification timeline.
const (
	EventCreated = "verification.created"
	EventStarted = "verification.started"
	// EventConsentGiven: the applicant agreed to the processing (record_consent).
	EventConsentGiven = "verification.consent_given"
	EventProcessing   = "verification.processing"
	EventCompleted    = "verification.completed"
	EventExpired      = "verification.expired"
	EventCancelled    = "verification.cancelled"
	// EventReviewed: a person (or an agent) decided a needs_review verification
	// (review_verification): data.decision, data.reason, data.reviewer (API key id).
	EventReviewed = "verification.reviewed"
)

// Transition changes a verification's status and writes the matching timeline event in the
// same transaction: the one place a status changes, so no change goes unrecorded. q fans the
// event out to webhooks in that transaction too.
func Transition(ctx context.Context, q *Queue, tx *db.Tx, sc db.Scope, id string, from []models.Status, to models.Status,
	eventType string, data map[string]any, set func(v *models.Verification) []string) (*models.Verification, error) {
	var prev models.Status
	v, err := tx.Transition(ctx, sc, id, from, to, func(v *models.Verification) []string {
		prev = v.Status
		if set != nil {
			return set(v)
		}
		return nil
	})
	if err != nil {
		return v, err
	}
	if err := RecordEvent(ctx, q, tx, v, eventType, prev, data); err != nil {
		return nil, err
	}
	return v, nil
}

// RecordEvent appends a verification event with its status change and extra data, and enqueues
// its webhook deliveries (subscribed endpoints and the verification's callback_url) in tx.
func RecordEvent(ctx context.Context, q *Queue, tx *db.Tx, v *models.Verification, eventType string, prev models.Status, data map[string]any) error {
	ev, err := verificationEvent(v, eventType, prev, data)
	if err != nil {
		return err
	}
	if eventType == EventCreated {
		ev.Seq = 1 // the verification row was inserted in this transaction
	}
	return q.Emit(ctx, tx, ev, v.CallbackURL)
}

func verificationEvent(v *models.Verification, eventType string, prev models.Status, data map[string]any) (*models.Event, error) {
	payload := map[string]any{"verification_id": v.ID, "reference": v.Reference, "status": v.Status}
	if prev != "" {
		payload["previous_status"] = prev
	}
	for k, val := range data {
		payload[k] = val
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	return &models.Event{AccountID: v.AccountID, Mode: v.Mode, ObjectType: "verification",
		ObjectID: v.ID, Type: eventType, Data: string(b)}, nil
}
