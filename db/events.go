package db

import (
	"context"
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
	prepareEvent(tx.store, ev)
	if _, err := tx.NewInsert().Model(ev).Exec(ctx); err != nil {
		return fmt.Errorf("insert event: %w", err)
	}
	return nil
}

// prepareEvent fills an event's id, time and empty data.
func prepareEvent(s *Store, ev *models.Event) {
	if ev.CreatedAt.IsZero() {
		ev.CreatedAt = s.Now()
	}
	ev.ID = NewID("evt", ev.CreatedAt)
	if ev.Data == "" {
		ev.Data = "{}"
	}
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
	return rows, more, nil
}
