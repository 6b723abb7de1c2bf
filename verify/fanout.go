package verify

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/webhook"
)

// Emit appends ev to its object's timeline and, in the same transaction, enqueues one
// delivery per enabled endpoint of the scope subscribed to ev.Type, plus one to callbackURL
// when it is set. Every event producer goes through here, so none skips the fan-out.
func (s *Service) Emit(ctx context.Context, tx *db.Tx, ev *models.Event, callbackURL string) error {
	if _, err := s.queue(); err != nil {
		return err
	}
	if err := tx.AppendEvent(ctx, ev); err != nil {
		return err
	}
	if err := s.notifyEvent(ctx, tx, ev); err != nil {
		return err
	}
	endpoints, err := tx.EnabledEndpoints(ctx, db.Scope{AccountID: ev.AccountID, Mode: ev.Mode})
	if err != nil {
		return err
	}
	return s.fanOut(ctx, tx, ev, endpoints, callbackURL)
}

// fanOut enqueues ev's deliveries: one per endpoint subscribed to its type, one to callbackURL.
func (s *Service) fanOut(ctx context.Context, tx *db.Tx, ev *models.Event, endpoints []models.WebhookEndpoint, callbackURL string) error {
	f := s.newFanout(tx)
	if err := f.add(ctx, ev, endpoints, callbackURL); err != nil {
		return err
	}
	return f.enqueue(ctx)
}

// fanout gathers the deliveries of one or more events in tx and enqueues them together: the
// rows in one insert and their River jobs in one InsertMany, so a batch of creations costs
// two statements for its deliveries, not two per delivery.
type fanout struct {
	s       *Service
	tx      *db.Tx
	signers map[db.Scope]string // callback signer endpoint per scope, looked up once
	rows    []*models.WebhookDelivery
}

func (s *Service) newFanout(tx *db.Tx) *fanout {
	return &fanout{s: s, tx: tx, signers: map[db.Scope]string{}}
}

// add adds ev's deliveries: one per endpoint subscribed to its type, one to callbackURL.
func (f *fanout) add(ctx context.Context, ev *models.Event, endpoints []models.WebhookEndpoint, callbackURL string) error {
	for _, ep := range endpoints {
		var patterns []string
		if err := json.Unmarshal([]byte(ep.Events), &patterns); err != nil {
			return fmt.Errorf("webhook endpoint %s: decode events: %w", ep.ID, err)
		}
		if Subscribed(patterns, ev.Type) {
			f.rows = append(f.rows, f.s.newDelivery(ev, ep.ID, ep.URL, nil))
		}
	}
	if callbackURL == "" {
		return nil
	}
	sc := db.Scope{AccountID: ev.AccountID, Mode: ev.Mode}
	signer, ok := f.signers[sc]
	if !ok {
		ep, err := f.tx.CallbackSigner(ctx, sc, func() ([]byte, error) {
			secret, err := webhook.NewSecret()
			if err != nil {
				return nil, err
			}
			return f.s.store.Keyring().Seal([]byte(secret))
		})
		if err != nil {
			return err
		}
		signer = ep.ID
		f.signers[sc] = signer
	}
	f.rows = append(f.rows, f.s.newDelivery(ev, signer, callbackURL, nil))
	return nil
}

// enqueue writes the gathered deliveries and their jobs.
func (f *fanout) enqueue(ctx context.Context) error {
	if len(f.rows) == 0 {
		return nil
	}
	if err := f.tx.InsertWebhookDeliveries(ctx, f.rows); err != nil {
		return err
	}
	q, err := f.s.queue()
	if err != nil {
		return err
	}
	if err := q.EnqueueDeliveries(ctx, f.tx, f.rows); err != nil {
		return fmt.Errorf("enqueue webhook delivery: %w", err)
	}
	return nil
}

// Replay enqueues a new delivery of d's event to d's endpoint (its current URL) or callback
// URL, with a new delivery id so receivers that de-duplicate still see it.
func (s *Service) Replay(ctx context.Context, tx *db.Tx, d *models.WebhookDelivery, target string) (*models.WebhookDelivery, error) {
	ev := &models.Event{ID: d.EventID, AccountID: d.AccountID, Mode: d.Mode, Type: d.EventType}
	replayOf := d.ID
	f := s.newFanout(tx)
	nd := s.newDelivery(ev, d.EndpointID, target, &replayOf)
	f.rows = append(f.rows, nd)
	if err := f.enqueue(ctx); err != nil {
		return nil, err
	}
	return nd, nil
}

// newDelivery is a pending delivery of ev to target, due now.
func (s *Service) newDelivery(ev *models.Event, endpointID, target string, replayOf *string) *models.WebhookDelivery {
	now := s.store.Now()
	return &models.WebhookDelivery{ID: db.NewID("whd", now), AccountID: ev.AccountID, Mode: ev.Mode, EndpointID: endpointID,
		URL: target, EventID: ev.ID, EventType: ev.Type, Status: models.DeliveryPending, ReplayOf: replayOf,
		NextAttemptAt: &now, CreatedAt: now, UpdatedAt: now}
}
