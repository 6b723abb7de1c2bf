package db

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// BusinessErasure counts what EraseBusiness cleared besides the business row itself (whose
// input, result, metadata and external reference go).
type BusinessErasure struct {
	// Events of the business lost their external reference (the rest names no person).
	Events int `json:"events"`
	// IdempotentResponses (stored replies of verify_business, which name the officers) were
	// replaced by IdempotencyErased.
	IdempotentResponses int `json:"idempotent_responses"`
	// DataKeys destroyed: the business's own (checks made before migration 0041 were sealed
	// with the server key and have none; their cleared columns are gone from the table, not
	// from older backups).
	DataKeys int `json:"data_keys"`
}

// EraseBusiness deletes what a business check holds about people — the caller's input (the
// officers' names and dates of birth, metadata), the result (screening of every name), the
// external reference — and destroys the check's data key, in tx. The row stays with its id,
// status, risk level, LEI and timestamps, marked deleted_at. One already deleted is returned
// with ErrConflict.
func (tx *Tx) EraseBusiness(ctx context.Context, sc Scope, id string) (*models.Business, *BusinessErasure, error) {
	b, err := tx.LockBusiness(ctx, sc, id)
	if err != nil {
		return nil, nil, err
	}
	if b.DeletedAt != nil {
		return b, nil, fmt.Errorf("business %s was deleted at %s: %w", b.ID, b.DeletedAt.UTC().Format(time.RFC3339), ErrConflict)
	}
	empty, err := tx.store.keys.Seal([]byte("{}"))
	if err != nil {
		return nil, nil, err
	}
	now := tx.store.Now().Truncate(time.Microsecond)
	b.Input, b.Result, b.ExternalRef, b.LastError, b.DeletedAt = empty, nil, nil, "", &now
	if err := tx.UpdateBusiness(ctx, b, "input_sealed", "result_sealed", "external_ref", "last_error", "deleted_at"); err != nil {
		return nil, nil, err
	}
	out := &BusinessErasure{}
	dropRef := func(d map[string]any) map[string]any { delete(d, "external_ref"); return d }
	if out.Events, err = tx.rewriteEvents(ctx, sc, []string{id}, dropRef); err != nil {
		return nil, nil, err
	}
	if out.IdempotentResponses, err = tx.eraseIdempotentResponses(ctx, sc, id); err != nil {
		return nil, nil, err
	}
	if out.DataKeys, err = tx.ShredDataKeys(ctx, []string{id}); err != nil {
		return nil, nil, err
	}
	return b, out, nil
}

// businessesLive keeps businesses not deleted.
func businessesLive(q *bun.SelectQuery) *bun.SelectQuery { return q.Where("deleted_at IS NULL") }
