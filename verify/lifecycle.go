package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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
// same transaction: the one place a status changes, so no change goes unrecorded. The event
// fans out to webhooks in that transaction too.
func (s *Service) Transition(ctx context.Context, tx *db.Tx, sc db.Scope, id string, from []models.Status, to models.Status,
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
	if err := s.RecordEvent(ctx, tx, v, eventType, prev, data); err != nil {
		return nil, err
	}
	return v, nil
}

// RecordEvent appends a verification event with its status change and extra data, and enqueues
// its webhook deliveries (subscribed endpoints and the verification's callback_url) in tx.
func (s *Service) RecordEvent(ctx context.Context, tx *db.Tx, v *models.Verification, eventType string, prev models.Status, data map[string]any) error {
	ev, err := verificationEvent(v, eventType, prev, data)
	if err != nil {
		return err
	}
	if eventType == EventCreated {
		ev.Seq = 1 // the verification row was inserted in this transaction
	}
	return s.Emit(ctx, tx, ev, v.CallbackURL)
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

// openStatuses are the statuses in which an applicant may still act on a verification.
var openStatuses = []models.Status{models.StatusPending, models.StatusInProgress}

// Cancel ends a pending or in-progress verification as cancelled, with the reason given (if
// any) in its event. Another status is db.ErrConflict, with the verification as it is.
func (s *Service) Cancel(ctx context.Context, sc db.Scope, id, reason string) (*models.Verification, error) {
	var v *models.Verification
	err := s.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		data := map[string]any{}
		if reason != "" {
			data["reason"] = reason
		}
		var err error
		v, err = s.Transition(ctx, tx, sc, id, openStatuses, models.StatusCancelled, EventCancelled, data, nil)
		return err
	})
	return v, err
}

// Review records a person's decision on a needs_review verification: approve → approved (the
// applicant's data becomes their verified profile, see ReviewApproved), reject → rejected.
// The reason is sealed on the row and given in the event. Another status is db.ErrConflict.
func (s *Service) Review(ctx context.Context, sc db.Scope, id string, approve bool, reason, reviewer string) (*models.Verification, error) {
	sealed, err := s.store.Keyring().SealFor(id, []byte(reason))
	if err != nil {
		return nil, fmt.Errorf("seal review reason: %w", err)
	}
	to, decision := models.StatusRejected, "reject"
	if approve {
		to, decision = models.StatusApproved, "approve"
	}
	var v *models.Verification
	err = s.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		var err error
		data := map[string]any{"decision": decision, "reason": reason, "reviewer": reviewer}
		v, err = s.Transition(ctx, tx, sc, id, []models.Status{models.StatusNeedsReview}, to, EventReviewed, data,
			func(v *models.Verification) []string {
				now := s.store.Now().Truncate(time.Microsecond) // as stored, so a re-read shows the same time
				v.ReviewedAt, v.ReviewedBy, v.ReviewDecision, v.ReviewReason = &now, reviewer, decision, sealed
				return []string{"reviewed_at", "reviewed_by", "review_decision", "review_reason_sealed"}
			})
		if err == nil && approve {
			err = ReviewApproved(ctx, tx, v)
		}
		return err
	})
	return v, err
}

// RecordConsent records that the applicant agreed to the statement with this hash, in this
// locale, through via ("api" or "hosted_flow").
func (s *Service) RecordConsent(ctx context.Context, v *models.Verification, statementSHA256, locale, via string) error {
	return s.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := s.startClock(ctx, tx, v); err != nil { // consent is where the applicant starts
			return err
		}
		return s.RecordEvent(ctx, tx, v, EventConsentGiven, "", map[string]any{
			"statement_sha256": statementSHA256, "locale": locale, "via": via})
	})
}

// ErrNotTakingUploads is an upload to a verification that is no longer pending or in progress.
var ErrNotTakingUploads = errors.New("the verification changed meanwhile and no longer takes uploads")

// Start moves a pending verification to in_progress, recording verification.started with the
// first upload's kind, or — when it is already in progress, perhaps through a concurrent
// upload — checks in tx that it still is (ErrNotTakingUploads otherwise).
func (s *Service) Start(ctx context.Context, tx *db.Tx, sc db.Scope, v *models.Verification, first string) error {
	if v.Status == models.StatusPending {
		_, err := s.Transition(ctx, tx, sc, v.ID, []models.Status{models.StatusPending}, models.StatusInProgress,
			EventStarted, map[string]any{"first_upload": first}, func(v *models.Verification) []string { return startSession(v, s.store.Now()) })
		if !errors.Is(err, db.ErrConflict) {
			return err
		}
	}
	_, err := tx.Transition(ctx, sc, v.ID, []models.Status{models.StatusInProgress}, models.StatusInProgress, nil)
	if errors.Is(err, db.ErrConflict) {
		return ErrNotTakingUploads
	}
	return err
}

// ConsentGiven reports whether the applicant's consent is on the verification's timeline
// (verification.consent_given, record_consent).
func (s *Service) ConsentGiven(ctx context.Context, sc db.Scope, id string) (bool, error) {
	evs, _, err := s.store.ListEvents(ctx, db.EventFilter{Scope: sc, ObjectID: id, Types: []string{EventConsentGiven}, Limit: 1})
	if err != nil {
		return false, err
	}
	return len(evs) > 0, nil
}
