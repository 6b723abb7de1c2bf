package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/riverqueue/river"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
	"github.com/kycd/kycd/webhook"
)

// QueueWebhooks is the River queue of deliveries, separate from the pipeline's so a slow
// receiver never holds up verifications (and the reverse).
const QueueWebhooks = "webhooks"

// DefaultWebhookDisableAfter is how many deliveries in a row must fail for good (each after
// its full retry schedule) before an endpoint is disabled.
const DefaultWebhookDisableAfter = 5

// DeliverArgs is the `webhook.deliver` job: send one event to one endpoint (or callback_url).
type DeliverArgs struct {
	DeliveryID string `json:"delivery_id"`
}

// Kind is River's job kind.
func (DeliverArgs) Kind() string { return "webhook.deliver" }

// EventBody is the JSON body of a delivery. It is built from the stored event, so every
// retry of a delivery sends the same bytes.
type EventBody struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	ObjectType string          `json:"object_type"`
	ObjectID   string          `json:"object_id"`
	Seq        int64           `json:"seq"`
	Mode       models.Mode     `json:"mode"`
	CreatedAt  time.Time       `json:"created_at"`
	Data       json.RawMessage `json:"data"`
}

func eventBody(ev *models.Event) ([]byte, error) {
	data := json.RawMessage(ev.Data)
	if !json.Valid(data) {
		return nil, fmt.Errorf("event %s: stored data is not JSON", ev.ID)
	}
	return json.Marshal(EventBody{ID: ev.ID, Type: ev.Type, ObjectType: ev.ObjectType, ObjectID: ev.ObjectID,
		Seq: ev.Seq, Mode: ev.Mode, CreatedAt: ev.CreatedAt, Data: data})
}

type deliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	q *Queue
}

// Timeout leaves the HTTP client's own limit room to fire first and be logged.
func (w *deliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return w.q.opts.Webhooks.TotalTimeout() + 10*time.Second
}

// NextRetry follows the webhook schedule; the jitter is seeded by the delivery id, so this
// is the same moment the worker wrote to next_attempt_at.
func (w *deliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return time.Now().Add(w.q.opts.WebhookRetry.Delay(job.Attempt, job.Args.DeliveryID))
}

func (w *deliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return w.q.deliver(ctx, job.Args.DeliveryID, job.Attempt, job.MaxAttempts)
}

// deliver makes one attempt and records it. It returns an error only to ask River for a retry.
func (q *Queue) deliver(ctx context.Context, id string, attempt, maxAttempts int) error {
	store := q.store
	d, err := store.GetWebhookDelivery(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if d.Status != models.DeliveryPending {
		return nil // a duplicate run after a crash rescue: the outcome is already recorded
	}
	finish := func(status models.DeliveryStatus, msg string) error {
		d.Status, d.LastError, d.NextAttemptAt = status, msg, nil
		return store.RecordDeliveryAttempt(ctx, d)
	}
	ep, err := store.GetWebhookEndpointByID(ctx, d.EndpointID)
	if errors.Is(err, db.ErrNotFound) {
		return finish(models.DeliveryCancelled, "the endpoint was deleted before delivery")
	}
	if err != nil {
		return err
	}
	target := d.URL
	if ep.Kind == models.EndpointKindEndpoint {
		if ep.Status != models.EndpointEnabled {
			return finish(models.DeliveryFailed, "the endpoint is disabled: "+ep.DisabledReason)
		}
		target = ep.URL // a URL changed by update_webhook_endpoint applies to pending deliveries
	}
	secrets, err := q.signingSecrets(ep)
	if err != nil {
		return err
	}
	ev, err := store.GetEvent(ctx, d.EventID)
	if errors.Is(err, db.ErrNotFound) {
		return finish(models.DeliveryCancelled, "the event no longer exists")
	}
	if err != nil {
		return err
	}
	body, err := eventBody(ev)
	if err != nil {
		return finish(models.DeliveryFailed, err.Error())
	}
	// Test mode's test_webhook_fail (verify/sandbox_webhook.go) fails a first attempt; looked
	// up before sending, so an answer is recorded as soon as it arrives.
	forced := ""
	if attempt == 1 {
		if forced, err = verify.SandboxFailsDelivery(ctx, store, ev); err != nil {
			return err
		}
	}
	sent := time.Now()
	hdr := http.Header{}
	hdr.Set(webhook.HeaderEvent, ev.Type)
	hdr.Set(webhook.HeaderDelivery, d.ID)
	hdr.Set(webhook.HeaderSignature, webhook.SignatureHeader(sent, body, secrets...))
	res := q.hooks.Post(ctx, target, hdr, body)
	if forced != "" && res.Delivered() {
		res.Err = fmt.Errorf("forced failure by the test-mode value %s: the receiver answered %d; the delivery is retried", forced, res.StatusCode)
	}

	now := store.Now()
	latency := res.Latency.Milliseconds()
	d.Attempts, d.LastAttemptAt, d.LastLatencyMS, d.LastResponse, d.LastError = attempt, &now, &latency, res.Excerpt, ""
	d.LastStatusCode = nil
	if res.StatusCode != 0 {
		code := res.StatusCode
		d.LastStatusCode = &code
	}
	if res.Delivered() {
		d.Status, d.DeliveredAt, d.NextAttemptAt = models.DeliveryDelivered, &now, nil
		if res.Truncated {
			d.LastError = fmt.Sprintf("response body longer than %d bytes; the rest was not read", q.opts.Webhooks.ResponseLimit())
		}
		if err := store.RecordDeliveryAttempt(ctx, d); err != nil {
			return err
		}
		if ep.ConsecutiveFailures == 0 {
			return nil // nothing to reset: spare the write on the hot path
		}
		return store.EndpointSucceeded(ctx, ep.ID)
	}
	d.LastError = res.Err.Error()
	sched := q.opts.WebhookRetry
	if attempt >= maxAttempts || sched.Final(attempt, d.ID, d.CreatedAt, now) {
		d.Status, d.NextAttemptAt = models.DeliveryFailed, nil
		if err := store.RecordDeliveryAttempt(ctx, d); err != nil {
			return err
		}
		notice := fmt.Sprintf("disabled by kycd at %s after %d deliveries in a row failed every retry (last: %s); fix the receiver, then update_webhook_endpoint with enabled=true and replay the failed deliveries",
			now.Format(time.RFC3339), q.opts.WebhookDisableAfter, d.LastError)
		disabled, err := store.EndpointFailed(ctx, ep.ID, q.opts.WebhookDisableAfter, notice)
		if err != nil {
			return err
		}
		if disabled {
			q.opts.Logger.WarnContext(ctx, "webhook endpoint disabled", "endpoint", ep.ID, "account", ep.AccountID, "mode", ep.Mode, "last_error", d.LastError)
			// Tell the account's admins who asked for it; the delivery's outcome stands either way.
			if err := q.svc.Notifications().EndpointDisabled(ctx, ep, now, d.LastError); err != nil {
				q.opts.Logger.ErrorContext(ctx, "notify endpoint disabled", "endpoint", ep.ID, "err", err)
			}
		}
		return nil
	}
	next := now.Add(sched.Delay(attempt, d.ID))
	d.NextAttemptAt = &next
	if err := store.RecordDeliveryAttempt(ctx, d); err != nil {
		return err
	}
	return fmt.Errorf("webhook delivery %s attempt %d: %w", d.ID, attempt, res.Err)
}

// signingSecrets opens the endpoint's secret, and the previous one while its grace period runs.
func (q *Queue) signingSecrets(ep *models.WebhookEndpoint) ([]string, error) {
	cur, err := q.store.Keyring().Open(ep.SecretSealed)
	if err != nil {
		return nil, fmt.Errorf("open secret of webhook endpoint %s: %w", ep.ID, err)
	}
	out := []string{string(cur)}
	if len(ep.PreviousSecretSealed) > 0 && ep.PreviousSecretExpiresAt != nil && q.store.Now().Before(*ep.PreviousSecretExpiresAt) {
		prev, err := q.store.Keyring().Open(ep.PreviousSecretSealed)
		if err != nil {
			return nil, fmt.Errorf("open previous secret of webhook endpoint %s: %w", ep.ID, err)
		}
		out = append(out, string(prev))
	}
	return out, nil
}
