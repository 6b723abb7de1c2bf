package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// AppendEvent adds an event to its object's timeline with the next sequence number. A caller
// that creates the object in the same transaction sets Seq to 1 and saves the lookup (the
// unique (object_id, seq) index still refuses a wrong claim).
func (tx *Tx) AppendEvent(ctx context.Context, ev *models.Event) error {
	if ev.Seq == 0 {
		var seq int64
		err := tx.NewSelect().Model((*models.Event)(nil)).ColumnExpr("COALESCE(MAX(seq), 0)").
			Where("object_id = ?", ev.ObjectID).Scan(ctx, &seq)
		if err != nil {
			return fmt.Errorf("next event seq: %w", err)
		}
		ev.Seq = seq + 1
	}
	stored, err := prepareEvent(tx.store, ev)
	if err != nil {
		return err
	}
	if _, err := tx.NewInsert().Model(stored).Exec(ctx); err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

// prepareEvent fills an event's id, time and empty data, and returns the row to store: a copy
// whose data is sealed (ev keeps the plaintext for the fan-out and the caller). A verification's
// events are sealed with its data key, so they are shredded with it; others (an applicant's
// erasure, a business) with the keyring.
func prepareEvent(s *Store, ev *models.Event) (*models.Event, error) {
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = s.Now()
	}
	ev.ID = NewID("evt", ev.CreatedAt)
	if ev.Data == "" {
		ev.Data = "{}"
	}
	owner := ""
	if ev.ObjectType == "verification" {
		owner = ev.ObjectID
	}
	sealed, err := s.keys.SealText(owner, ev.Data)
	if err != nil {
		return nil, fmt.Errorf("seal event data: %w", err)
	}
	stored := *ev
	stored.Data = sealed
	return &stored, nil
}

// openEvent replaces a stored event's sealed data with its plaintext. Data whose key was
// shredded in the meantime (an erasure racing the read) reads as {"erased":true}.
func (s *Store) openEvent(ev *models.Event) error {
	data, err := s.keys.OpenText(ev.Data)
	if errors.Is(err, ErrShredded) {
		data, err = `{"erased":true}`, nil
	}
	if err != nil {
		return fmt.Errorf("event %s: %w", ev.ID, err)
	}
	ev.Data = data
	return nil
}

// EventFilter selects events for ListEvents.
type EventFilter struct {
	Scope
	ObjectID string
	Types    []string
	// After is the cursor for ascending (timeline) order; Before for descending.
	After, Before string
	// AfterSeq pages an object's timeline (ObjectID set, Ascending) by sequence number.
	AfterSeq  int64
	Since     *time.Time
	Ascending bool
	Limit     int
}

// ListEvents lists events; per object they come in sequence order when Ascending.
func (s *Store) ListEvents(ctx context.Context, f EventFilter) ([]models.Event, bool, error) {
	var rows []models.Event
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", f.AccountID).Where("mode = ?", f.Mode)
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if len(f.Types) > 0 {
		q = q.Where("type IN (?)", bun.List(f.Types))
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", f.Since.UTC())
	}
	if f.After != "" {
		q = q.Where("id > ?", f.After)
	}
	if f.Before != "" {
		q = q.Where("id < ?", f.Before)
	}
	if f.AfterSeq > 0 {
		q = q.Where("seq > ?", f.AfterSeq)
	}
	switch {
	case f.Ascending && f.ObjectID != "":
		q = q.Order("seq ASC")
	case f.Ascending:
		q = q.Order("id ASC")
	default:
		q = q.Order("id DESC")
	}
	if err := q.Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list events: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	for i := range rows {
		if err := s.openEvent(&rows[i]); err != nil {
			return nil, false, err
		}
	}
	return rows, more, nil
}
