package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// MaxWebhookEndpoints bounds the subscribed endpoints of one account and mode: each is
// a River job per event, so the bound is also a bound on fan-out.
const MaxWebhookEndpoints = 20

// ErrLimit means a per-account limit would be exceeded.
var ErrLimit = errors.New("limit reached")

// InsertWebhookEndpoint stores a new endpoint, refusing the (MaxWebhookEndpoints+1)th of a scope.
func (s *Store) InsertWebhookEndpoint(ctx context.Context, ep *models.WebhookEndpoint) error {
	return s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		if ep.Kind == models.EndpointKindEndpoint {
			n, err := tx.NewSelect().Model((*models.WebhookEndpoint)(nil)).Where("account_id = ?", ep.AccountID).
				Where("mode = ?", ep.Mode).Where("kind = ?", models.EndpointKindEndpoint).Count(ctx)
			if err != nil {
				return fmt.Errorf("count webhook endpoints: %w", err)
			}
			if n >= MaxWebhookEndpoints {
				return fmt.Errorf("at most %d webhook endpoints per account and mode: %w", MaxWebhookEndpoints, ErrLimit)
			}
		}
		if ep.Kind == models.EndpointKindCallback {
			res, err := tx.NewInsert().Model(ep).On("CONFLICT (account_id, mode) WHERE kind = 'callback' DO NOTHING").Exec(ctx)
			if err != nil {
				return fmt.Errorf("insert callback signer: %w", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("callback signer exists: %w", ErrConflict)
			}
			return nil
		}
		if _, err := tx.NewInsert().Model(ep).Exec(ctx); err != nil {
			return fmt.Errorf("insert webhook endpoint: %w", err)
		}
		return nil
	})
}

// GetWebhookEndpoint reads an endpoint in the scope.
func (s *Store) GetWebhookEndpoint(ctx context.Context, sc Scope, id string) (*models.WebhookEndpoint, error) {
	ep := new(models.WebhookEndpoint)
	err := s.DB.NewSelect().Model(ep).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "webhook endpoint")
	}
	return ep, nil
}

// ListWebhookEndpoints lists newest first with a cursor (before = the last id seen).
func (s *Store) ListWebhookEndpoints(ctx context.Context, sc Scope, before string, limit int) ([]models.WebhookEndpoint, bool, error) {
	var rows []models.WebhookEndpoint
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode)
	if before != "" {
		q = q.Where("id < ?", before)
	}
	if err := q.Order("id DESC").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list webhook endpoints: %w", err)
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	return rows, more, nil
}

// UpdateWebhookEndpoint writes the named columns of ep (and updated_at), within ep's scope.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, ep *models.WebhookEndpoint, cols ...string) error {
	ep.UpdatedAt = s.Now()
	res, err := s.DB.NewUpdate().Model(ep).Column(append(cols, "updated_at")...).WherePK().
		Where("account_id = ?", ep.AccountID).Where("mode = ?", ep.Mode).Exec(ctx)
	if err != nil {
		return fmt.Errorf("update webhook endpoint: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("webhook endpoint: %w", ErrNotFound)
	}
	return nil
}

// DeleteWebhookEndpoint removes an endpoint. Its deliveries stay in the log; pending ones are
// cancelled when their job next runs.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, sc Scope, id string) error {
	res, err := s.DB.NewDelete().Model((*models.WebhookEndpoint)(nil)).Where("id = ?", id).
		Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete webhook endpoint: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("webhook endpoint: %w", ErrNotFound)
	}
	return nil
}

// EnabledEndpoints returns the scope's enabled subscribed endpoints, inside the event's transaction
// so the fan-out sees exactly the endpoints that exist when the event commits.
// Tx.CreateVerification selects the same rows inside its one statement; keep the two alike.
func (tx *Tx) EnabledEndpoints(ctx context.Context, sc Scope) ([]models.WebhookEndpoint, error) {
	var rows []models.WebhookEndpoint
	err := tx.NewSelect().Model(&rows).Column("id", "url", "events").Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("kind = ?", models.EndpointKindEndpoint).Where("status = ?", models.EndpointEnabled).Order("id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("enabled webhook endpoints: %w", err)
	}
	return rows, nil
}

// CallbackSigner returns the scope's callback signer, creating it with newSecret on first use.
func (tx *Tx) CallbackSigner(ctx context.Context, sc Scope, newSecret func() ([]byte, error)) (*models.WebhookEndpoint, error) {
	ep := new(models.WebhookEndpoint)
	err := tx.NewSelect().Model(ep).Column("id").Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("kind = ?", models.EndpointKindCallback).Scan(ctx)
	if err == nil {
		return ep, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("callback signer: %w", err)
	}
	sealed, err := newSecret()
	if err != nil {
		return nil, err
	}
	now := tx.store.Now()
	ep = &models.WebhookEndpoint{ID: NewID("whe", now), AccountID: sc.AccountID, Mode: sc.Mode, Kind: models.EndpointKindCallback,
		Description: "signs deliveries to verifications' callback_url", Events: `["*"]`, Status: models.EndpointEnabled,
		SecretSealed: sealed, CreatedAt: now, UpdatedAt: now}
	// Concurrent first uses converge on one row through the partial unique index.
	if _, err := tx.NewInsert().Model(ep).On("CONFLICT (account_id, mode) WHERE kind = 'callback' DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("create callback signer: %w", err)
	}
	err = tx.NewSelect().Model(ep).Column("id").Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).
		Where("kind = ?", models.EndpointKindCallback).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("callback signer: %w", err)
	}
	return ep, nil
}

// GetWebhookEndpointByID reads an endpoint by id alone, for the delivery worker (the delivery
// row already carries the scope).
func (s *Store) GetWebhookEndpointByID(ctx context.Context, id string) (*models.WebhookEndpoint, error) {
	ep := new(models.WebhookEndpoint)
	if err := s.DB.NewSelect().Model(ep).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "webhook endpoint")
	}
	return ep, nil
}

// InsertWebhookDeliveries writes pending deliveries in their events' transaction, in one statement.
func (tx *Tx) InsertWebhookDeliveries(ctx context.Context, ds []*models.WebhookDelivery) error {
	if _, err := tx.NewInsert().Model(&ds).Exec(ctx); err != nil {
		return fmt.Errorf("insert webhook delivery: %w", err)
	}
	return nil
}

// GetWebhookDelivery reads a delivery by id alone (the worker's view).
func (s *Store) GetWebhookDelivery(ctx context.Context, id string) (*models.WebhookDelivery, error) {
	d := new(models.WebhookDelivery)
	if err := s.DB.NewSelect().Model(d).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "webhook delivery")
	}
	return d, nil
}

// GetWebhookDeliveryScoped reads a delivery in the caller's scope.
func (s *Store) GetWebhookDeliveryScoped(ctx context.Context, sc Scope, id string) (*models.WebhookDelivery, error) {
	d := new(models.WebhookDelivery)
	err := s.DB.NewSelect().Model(d).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "webhook delivery")
	}
	return d, nil
}

// DeliveryFilter selects deliveries for ListWebhookDeliveries.
type DeliveryFilter struct {
	Scope
	EndpointID string
	EventID    string
	Statuses   []models.DeliveryStatus
	// Before is the cursor: only ids strictly less (older) than it.
	Before string
	Limit  int
}

// ListWebhookDeliveries lists newest first.
func (s *Store) ListWebhookDeliveries(ctx context.Context, f DeliveryFilter) ([]models.WebhookDelivery, bool, error) {
	var rows []models.WebhookDelivery
	q := s.DB.NewSelect().Model(&rows).Where("account_id = ?", f.AccountID).Where("mode = ?", f.Mode)
	if f.EndpointID != "" {
		q = q.Where("endpoint_id = ?", f.EndpointID)
	}
	if f.EventID != "" {
		q = q.Where("event_id = ?", f.EventID)
	}
	if len(f.Statuses) > 0 {
		q = q.Where("status IN (?)", bun.List(f.Statuses))
	}
	if f.Before != "" {
		q = q.Where("id < ?", f.Before)
	}
	if err := q.Order("id DESC").Limit(int64(f.Limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list webhook deliveries: %w", err)
	}
	more := len(rows) > f.Limit
	if more {
		rows = rows[:f.Limit]
	}
	return rows, more, nil
}

// RecordDeliveryAttempt stores the outcome of an attempt. It never moves a delivery out of a
// final status: a late duplicate run (after a crash rescue) cannot undo "delivered".
func (s *Store) RecordDeliveryAttempt(ctx context.Context, d *models.WebhookDelivery) error {
	d.UpdatedAt = s.Now()
	_, err := s.DB.NewUpdate().Model(d).Column("status", "attempts", "last_status_code", "last_latency_ms", "last_response",
		"last_error", "last_attempt_at", "next_attempt_at", "delivered_at", "updated_at").WherePK().
		Where("status = ?", models.DeliveryPending).Exec(ctx)
	if err != nil {
		return fmt.Errorf("record webhook delivery attempt: %w", err)
	}
	return nil
}

// EndpointSucceeded resets the failure streak (a no-op write is skipped: this runs per delivery).
func (s *Store) EndpointSucceeded(ctx context.Context, endpointID string) error {
	_, err := s.DB.NewUpdate().Model((*models.WebhookEndpoint)(nil)).Set("consecutive_failures = 0").
		Where("id = ?", endpointID).Where("consecutive_failures <> 0").Exec(ctx)
	if err != nil {
		return fmt.Errorf("reset webhook endpoint failures: %w", err)
	}
	return nil
}

// EndpointFailed counts a delivery that failed for good; at disableAfter in a row the endpoint
// is disabled with notice as its reason. It reports whether this call disabled it.
func (s *Store) EndpointFailed(ctx context.Context, endpointID string, disableAfter int, notice string) (bool, error) {
	var disabled bool
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		ep := new(models.WebhookEndpoint)
		q := tx.NewSelect().Model(ep).Column("id", "kind", "status", "consecutive_failures").Where("id = ?", endpointID)
		if s.Dialect == Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil // deleted meanwhile
			}
			return fmt.Errorf("read webhook endpoint: %w", err)
		}
		ep.ConsecutiveFailures++
		cols := []string{"consecutive_failures", "updated_at"}
		now := s.Now()
		ep.UpdatedAt = now
		// Callback signers are never disabled: one bad callback_url must not silence the rest.
		if ep.Kind == models.EndpointKindEndpoint && ep.Status == models.EndpointEnabled && disableAfter > 0 && ep.ConsecutiveFailures >= disableAfter {
			ep.Status, ep.DisabledReason, ep.DisabledAt = models.EndpointDisabled, notice, &now
			cols = append(cols, "status", "disabled_reason", "disabled_at")
			disabled = true
		}
		_, err := tx.NewUpdate().Model(ep).Column(cols...).WherePK().Exec(ctx)
		if err != nil {
			return fmt.Errorf("count webhook endpoint failure: %w", err)
		}
		return nil
	})
	return disabled, err
}

// GetEvent reads an event by id alone (the worker's view).
func (s *Store) GetEvent(ctx context.Context, id string) (*models.Event, error) {
	ev := new(models.Event)
	if err := s.DB.NewSelect().Model(ev).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, notFound(err, "event")
	}
	return ev, s.openEvent(ev)
}

// GetEventScoped reads an event in the caller's scope.
func (s *Store) GetEventScoped(ctx context.Context, sc Scope, id string) (*models.Event, error) {
	ev := new(models.Event)
	err := s.DB.NewSelect().Model(ev).Where("id = ?", id).Where("account_id = ?", sc.AccountID).Where("mode = ?", sc.Mode).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "event")
	}
	return ev, s.openEvent(ev)
}

// DeliveryCounts is a summary of deliveries by status, for benchmarks and operators.
func (s *Store) DeliveryCounts(ctx context.Context, since time.Time) (map[models.DeliveryStatus]int, error) {
	var rows []struct {
		Status models.DeliveryStatus `bun:"status"`
		N      int                   `bun:"n"`
	}
	err := s.DB.NewSelect().Model((*models.WebhookDelivery)(nil)).ColumnExpr("status, count(*) AS n").
		Where("created_at >= ?", since.UTC()).Group("status").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("count webhook deliveries: %w", err)
	}
	out := map[models.DeliveryStatus]int{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, nil
}
