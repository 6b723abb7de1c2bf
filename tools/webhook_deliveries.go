package tools

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// WebhookDelivery is one (event, endpoint) delivery and its latest attempt.
type WebhookDelivery struct {
	ID            string     `json:"id" jsonschema:"delivery id (whd_…), sent as X-Kycd-Delivery and stable across retries"`
	EndpointID    string     `json:"endpoint_id" jsonschema:"the endpoint (or callback signer) it goes to"`
	URL           string     `json:"url" jsonschema:"the target URL when the delivery was created"`
	EventID       string     `json:"event_id" jsonschema:"the event delivered (evt_…)"`
	EventType     string     `json:"event_type" jsonschema:"its type"`
	Status        string     `json:"status" jsonschema:"pending (retries remain), delivered (2xx), failed (retries exhausted or endpoint disabled) or cancelled (endpoint deleted)" enumof:"models.AllDeliveryStatuses"`
	Attempts      int        `json:"attempts" jsonschema:"attempts made so far"`
	StatusCode    *int       `json:"last_status_code" jsonschema:"HTTP status of the latest attempt; null when no response arrived"`
	LatencyMS     *int64     `json:"last_latency_ms" jsonschema:"duration of the latest attempt in milliseconds"`
	Response      string     `json:"last_response" jsonschema:"start of the latest response body (at most 1 KiB)"`
	Error         string     `json:"last_error" jsonschema:"why the latest attempt failed (timeout, refused target, HTTP status); empty on success"`
	LastAttemptAt *time.Time `json:"last_attempt_at" jsonschema:"when the latest attempt ended"`
	NextAttemptAt *time.Time `json:"next_attempt_at" jsonschema:"when the next attempt is due; null once final"`
	DeliveredAt   *time.Time `json:"delivered_at" jsonschema:"when a 2xx answer arrived"`
	ReplayOf      *string    `json:"replay_of" jsonschema:"the delivery this one re-sends, for replays"`
	CreatedAt     time.Time  `json:"created_at" jsonschema:"when the delivery was enqueued (with its event)"`
}

// WebhookDeliveryList is one page of deliveries, newest first.
type WebhookDeliveryList struct {
	Data       []WebhookDelivery `json:"data" jsonschema:"the deliveries, newest first"`
	HasMore    bool              `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string           `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// ListWebhookDeliveriesInput filters the delivery log.
type ListWebhookDeliveriesInput struct {
	EndpointID string `json:"endpoint_id,omitempty" jsonschema:"only deliveries to this endpoint (whe_…)" maxLength:"64"`
	EventID    string `json:"event_id,omitempty" jsonschema:"only deliveries of this event (evt_…)" maxLength:"64"`
	Status     string `json:"status,omitempty" jsonschema:"only deliveries in this status" enumof:"models.AllDeliveryStatuses"`
	Limit      int    `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor     string `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
}

// ListWebhookDeliveries reads the delivery log.
var ListWebhookDeliveries = Tool[ListWebhookDeliveriesInput, WebhookDeliveryList]{
	Name:        "list_webhook_deliveries",
	Examples:    []string{`{"status":"failed","limit":20}`},
	Title:       "List webhook deliveries",
	Description: "Read the webhook delivery log, newest first, per endpoint or event: status, attempts, the latest HTTP status code, latency, response excerpt and error.",
	Brief:       "the delivery log, newest first, per endpoint / event / status: attempts, HTTP status, latency, response excerpt, error",
	Scope:       ScopeWebhooksRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/webhook_deliveries"},
	Summary: func(l WebhookDeliveryList) string {
		return fmt.Sprintf("%d deliver(ies)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ListWebhookDeliveriesInput) (WebhookDeliveryList, error) {
		if in.EndpointID != "" && !strings.HasPrefix(in.EndpointID, "whe_") {
			return WebhookDeliveryList{}, invalid("endpoint_id", "webhook endpoint ids start with whe_")
		}
		if in.EventID != "" && !strings.HasPrefix(in.EventID, "evt_") {
			return WebhookDeliveryList{}, invalid("event_id", "event ids start with evt_")
		}
		before, err := decodeCursor(in.Cursor, "whd")
		if err != nil {
			return WebhookDeliveryList{}, err
		}
		f := db.DeliveryFilter{Scope: c.scope(), EndpointID: in.EndpointID, EventID: in.EventID, Before: before, Limit: pageLimit(in.Limit)}
		if in.Status != "" {
			f.Statuses = []models.DeliveryStatus{models.DeliveryStatus(in.Status)}
		}
		rows, more, err := d.Store.ListWebhookDeliveries(ctx, f)
		if err != nil {
			return WebhookDeliveryList{}, err
		}
		out := WebhookDeliveryList{Data: make([]WebhookDelivery, 0, len(rows)), HasMore: more}
		for i := range rows {
			out.Data = append(out.Data, toWebhookDelivery(&rows[i]))
		}
		if more {
			out.NextCursor = encodeCursor(rows[len(rows)-1].ID)
		}
		return out, nil
	},
}

// ReplayWebhookDeliveryInput names the delivery to send again.
type ReplayWebhookDeliveryInput struct {
	ID string `json:"id" jsonschema:"delivery id (whd_…) to send again" minLength:"1" maxLength:"64"`
}

// ReplayWebhookDelivery sends a delivery's event again as a new delivery.
var ReplayWebhookDelivery = Tool[ReplayWebhookDeliveryInput, WebhookDelivery]{
	Name:     "replay_webhook_delivery",
	Examples: []string{`{"id":"whd_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:    "Replay webhook delivery",
	Description: "Send a delivery's event again (for example after fixing a receiver or re-enabling an endpoint). The replay is a new delivery with its own id " +
		"(replay_of names the original) and the usual retries; it goes to the endpoint's current URL.",
	Brief:       "send a delivery's event again as a new delivery (`replay_of`) to the endpoint's current URL",
	Scope:       ScopeWebhooksWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/webhook_deliveries/{id}/replay", Status: 201},
	Summary: func(w WebhookDelivery) string {
		return fmt.Sprintf("Replay %s of %s (%s) enqueued.", w.ID, w.EventID, w.EventType)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ReplayWebhookDeliveryInput) (WebhookDelivery, error) {
		if !strings.HasPrefix(in.ID, "whd_") {
			return WebhookDelivery{}, invalid("id", "webhook delivery ids start with whd_")
		}
		orig, err := d.Store.GetWebhookDeliveryScoped(ctx, c.scope(), in.ID)
		if err != nil {
			return WebhookDelivery{}, storeErr(err, "webhook delivery", "id")
		}
		ep, err := d.Store.GetWebhookEndpoint(ctx, c.scope(), orig.EndpointID)
		if err != nil {
			return WebhookDelivery{}, Errorf(CodeConflict, "id", "the endpoint %s of this delivery no longer exists", orig.EndpointID)
		}
		target := orig.URL
		if ep.Kind == models.EndpointKindEndpoint {
			if ep.Status != models.EndpointEnabled {
				return WebhookDelivery{}, Errorf(CodeConflict, "id", "endpoint %s is disabled; re-enable it with update_webhook_endpoint first", ep.ID)
			}
			target = ep.URL
		}
		if err := checkWebhookURL(ctx, d, "id", target); err != nil {
			return WebhookDelivery{}, err
		}
		var nd *models.WebhookDelivery
		err = d.Store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			var err error
			nd, err = d.Verify.Replay(ctx, tx, orig, target)
			return err
		})
		if err != nil {
			return WebhookDelivery{}, fmt.Errorf("replay webhook delivery: %w", err)
		}
		return toWebhookDelivery(nd), nil
	},
}

func toWebhookDelivery(w *models.WebhookDelivery) WebhookDelivery {
	return WebhookDelivery{ID: w.ID, EndpointID: w.EndpointID, URL: w.URL, EventID: w.EventID, EventType: w.EventType,
		Status: string(w.Status), Attempts: w.Attempts, StatusCode: w.LastStatusCode, LatencyMS: w.LastLatencyMS,
		Response: w.LastResponse, Error: w.LastError, LastAttemptAt: w.LastAttemptAt, NextAttemptAt: w.NextAttemptAt,
		DeliveredAt: w.DeliveredAt, ReplayOf: w.ReplayOf, CreatedAt: w.CreatedAt}
}
