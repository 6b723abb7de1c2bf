package verify

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// EventApplicantDeleted is recorded on the applicant (object_type "applicant") when its
// personal data is erased (delete_applicant). Its data names no person: the reason given, the
// counts of what was erased and the API key that asked.
const EventApplicantDeleted = "applicant.deleted"

// Erasure is what EraseApplicant did.
type Erasure struct {
	Applicant *models.Applicant
	// Cancelled are the verifications that were still open and are now cancelled.
	Cancelled []string
	// Erased counts what was cleared, table by table.
	Erased db.Erasure
	// Event is the applicant.deleted event.
	Event *models.Event
}

// ErasureCause is the `cause` of the verification.cancelled events of an erasure.
const ErasureCause = "applicant_deleted"

// EraseApplicant erases an applicant's personal data in tx (see db.Tx.EraseApplicant): it
// locks the applicant (by id, else by externalRef), cancels its open verifications — pending,
// in_progress and processing, so no check result is written after the erasure — with the
// usual verification.cancelled event (data.cause "applicant_deleted"), clears the data, and
// records the applicant.deleted event, fanned out to webhooks like every event. An applicant
// already erased is db.ErrConflict (with the applicant), an unknown one db.ErrNotFound.
func (s *Service) EraseApplicant(ctx context.Context, tx *db.Tx, sc db.Scope, id, externalRef, reason, keyID string) (*Erasure, error) {
	if _, err := s.queue(); err != nil {
		return nil, err
	}
	if err := legalHold(ctx, tx, sc); err != nil { // a legal hold blocks every deletion (verify/retention.go)
		return nil, err
	}
	a, vs, err := tx.LockApplicantForErasure(ctx, sc, id, externalRef)
	if err != nil {
		return &Erasure{Applicant: a}, err
	}
	out := &Erasure{Applicant: a, Cancelled: []string{}}
	open := []models.Status{models.StatusPending, models.StatusInProgress, models.StatusProcessing}
	for _, v := range vs {
		if v.Status != models.StatusPending && v.Status != models.StatusInProgress && v.Status != models.StatusProcessing {
			continue
		}
		_, err := s.Transition(ctx, tx, sc, v.ID, open, models.StatusCancelled, EventCancelled,
			map[string]any{"cause": ErasureCause}, nil)
		if err != nil && !errors.Is(err, db.ErrConflict) {
			return nil, err
		}
		if err == nil {
			out.Cancelled = append(out.Cancelled, v.ID)
		}
	}
	erased, err := tx.EraseApplicant(ctx, sc, a)
	if err != nil {
		return nil, err
	}
	if a.DeletionScheduledAt != nil { // erased now: the schedule is done (verify/retention.go)
		if err := tx.ClearDeletionSchedule(ctx, a.ID); err != nil {
			return nil, err
		}
		a.DeletionScheduledAt = nil
	}
	out.Erased = *erased
	data := map[string]any{"applicant_id": a.ID, "erased": erased, "cancelled_verifications": len(out.Cancelled),
		"requested_by": keyID, "deleted_at": a.DeletedAt.UTC().Format(time.RFC3339Nano)}
	if reason != "" {
		data["reason"] = reason
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	out.Event = &models.Event{AccountID: sc.AccountID, Mode: sc.Mode, ObjectType: "applicant", ObjectID: a.ID,
		Type: EventApplicantDeleted, Data: string(b)}
	if err := s.Emit(ctx, tx, out.Event, ""); err != nil {
		return nil, err
	}
	return out, nil
}
