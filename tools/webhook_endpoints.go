package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
	"github.com/kycd/kycd/webhook"
)

// WebhookEndpoint is a webhook endpoint as every surface shows it. The secret appears only in
// the answers of create_webhook_endpoint and rotate_webhook_secret.
type WebhookEndpoint struct {
	ID          string   `json:"id" jsonschema:"endpoint id (whe_…)"`
	Kind        string   `json:"kind" jsonschema:"endpoint: a URL you registered; callback: the signer of deliveries to verifications' callback_url" enumof:"models.AllEndpointKinds"`
	URL         *string  `json:"url" jsonschema:"where deliveries are posted; null for the callback signer"`
	Description string   `json:"description" jsonschema:"your note about the endpoint"`
	Events      []string `json:"events" jsonschema:"subscribed event types or patterns (* or verification.*)"`
	Status      string   `json:"status" jsonschema:"enabled, or disabled (by you or by kycd after repeated failed deliveries)" enumof:"models.AllEndpointStatuses"`
	// DisabledReason explains an automatic disable.
	DisabledReason      *string    `json:"disabled_reason" jsonschema:"why kycd disabled the endpoint; null when enabled"`
	DisabledAt          *time.Time `json:"disabled_at" jsonschema:"when it was disabled; null when enabled"`
	ConsecutiveFailures int        `json:"consecutive_failures" jsonschema:"deliveries in a row that failed every retry since the last success"`
	Mode                string     `json:"mode" jsonschema:"live or test: only events of this mode are delivered here" enumof:"models.AllModes"`
	PreviousSecretUntil *time.Time `json:"previous_secret_valid_until" jsonschema:"after a rotation, the old secret also signs deliveries until this time; null otherwise"`
	Secret              string     `json:"secret,omitempty" jsonschema:"the signing secret (whsec_…); returned only when created or rotated, store it now"`
	CreatedAt           time.Time  `json:"created_at" jsonschema:"creation time"`
	UpdatedAt           time.Time  `json:"updated_at" jsonschema:"last change"`
}

// WebhookEndpointList is one page of endpoints, newest first.
type WebhookEndpointList struct {
	Data       []WebhookEndpoint `json:"data" jsonschema:"the endpoints, newest first"`
	HasMore    bool              `json:"has_more" jsonschema:"whether another page follows"`
	NextCursor *string           `json:"next_cursor" jsonschema:"pass as cursor to get the next page; null on the last page"`
}

// CreateWebhookEndpointInput describes a new endpoint.
type CreateWebhookEndpointInput struct {
	URL         string   `json:"url,omitempty" jsonschema:"https URL that receives the deliveries (required for kind endpoint)" maxLength:"2048" format:"uri"`
	Events      []string `json:"events,omitempty" jsonschema:"event types (verification.completed), patterns (verification.*) or * (default)" maxItems:"50"`
	Description string   `json:"description,omitempty" jsonschema:"your note about the endpoint" maxLength:"500"`
	Kind        string   `json:"kind,omitempty" jsonschema:"endpoint (default), or callback: the secret signing deliveries to callback_url (no url, no events)" enumof:"models.AllEndpointKinds"`
}

// CreateWebhookEndpoint registers an endpoint and returns its signing secret once.
var CreateWebhookEndpoint = Tool[CreateWebhookEndpointInput, WebhookEndpoint]{
	Name:     "create_webhook_endpoint",
	Examples: []string{`{"url":"https://example.com/kycd/webhooks","events":["verification.completed"],"description":"decisions to the CRM"}`},
	Need:     &Need{Fields: []string{"url"}, Unless: [2]string{"kind", "callback"}},
	Title:    "Create webhook endpoint",
	Description: "Register an https URL to receive signed event deliveries (X-Kycd-Signature, HMAC-SHA256) for this key's mode. " +
		"The answer carries the signing secret once: store it. kind=callback instead creates the secret that signs deliveries to verifications' callback_url.",
	Brief:       "register an https URL (events, description) for signed deliveries; returns its `secret` once; `kind: \"callback\"` creates the signer of `callback_url` deliveries",
	Scope:       ScopeWebhooksWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/webhook_endpoints", Status: 201},
	Summary:     func(e WebhookEndpoint) string { return summarizeEndpoint(e) + " Its secret is shown only now." },
	Handle:      createWebhookEndpoint,
}

func createWebhookEndpoint(ctx context.Context, d *Deps, c Caller, in CreateWebhookEndpointInput) (WebhookEndpoint, error) {
	kind := models.EndpointKind(in.Kind)
	if kind == "" {
		kind = models.EndpointKindEndpoint
	}
	events := []string{"*"}
	switch kind {
	case models.EndpointKindEndpoint:
		if in.URL == "" {
			return WebhookEndpoint{}, invalid("url", "required")
		}
		if err := checkWebhookURL(ctx, d, "url", in.URL); err != nil {
			return WebhookEndpoint{}, err
		}
		if len(in.Events) > 0 {
			var err error
			if events, err = checkEvents(in.Events); err != nil {
				return WebhookEndpoint{}, err
			}
		}
	case models.EndpointKindCallback:
		if in.URL != "" {
			return WebhookEndpoint{}, invalid("url", "the callback signer has no URL: each verification names its own callback_url")
		}
		if len(in.Events) > 0 {
			return WebhookEndpoint{}, invalid("events", "the callback signer signs every event of verifications that have a callback_url; omit events")
		}
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		return WebhookEndpoint{}, err
	}
	sealed, err := d.Store.Keyring().Seal([]byte(secret))
	if err != nil {
		return WebhookEndpoint{}, fmt.Errorf("seal webhook secret: %w", err)
	}
	now := d.Store.Now()
	evJSON, _ := json.Marshal(events)
	ep := &models.WebhookEndpoint{ID: db.NewID("whe", now), AccountID: c.AccountID, Mode: c.Mode, Kind: kind, URL: in.URL,
		Description: strings.TrimSpace(in.Description), Events: string(evJSON), Status: models.EndpointEnabled,
		SecretSealed: sealed, CreatedAt: now, UpdatedAt: now}
	err = d.Store.InsertWebhookEndpoint(ctx, ep)
	switch {
	case errors.Is(err, db.ErrLimit):
		return WebhookEndpoint{}, Errorf(CodeConflict, "", "this account already has %d webhook endpoints in %s mode, the most allowed; delete one first", db.MaxWebhookEndpoints, c.Mode)
	case errors.Is(err, db.ErrConflict):
		return WebhookEndpoint{}, Errorf(CodeConflict, "kind", "this account already has a callback signer in %s mode (see list_webhook_endpoints); call rotate_webhook_secret on it for a new secret", c.Mode)
	case err != nil:
		return WebhookEndpoint{}, err
	}
	out, err := toWebhookEndpoint(ep)
	out.Secret = secret
	return out, err
}

// ListWebhookEndpointsInput pages through endpoints.
type ListWebhookEndpointsInput struct {
	Limit  int    `json:"limit,omitempty" jsonschema:"page size, 1 to 100; default 20" minimum:"1" maximum:"100"`
	Cursor string `json:"cursor,omitempty" jsonschema:"next_cursor from the previous page" maxLength:"200"`
}

// ListWebhookEndpoints lists the endpoints of the key's account and mode.
var ListWebhookEndpoints = Tool[ListWebhookEndpointsInput, WebhookEndpointList]{
	Name:        "list_webhook_endpoints",
	Examples:    []string{`{"limit":20}`},
	Title:       "List webhook endpoints",
	Description: "List this account's webhook endpoints in the key's mode, newest first, with their status and failure streak (secrets are never shown again).",
	Brief:       "endpoints with status and failure streak (secrets never shown again)",
	Scope:       ScopeWebhooksRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/webhook_endpoints"},
	Summary: func(l WebhookEndpointList) string {
		return fmt.Sprintf("%d endpoint(s)%s.", len(l.Data), moreNote(l.HasMore))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ListWebhookEndpointsInput) (WebhookEndpointList, error) {
		before, err := decodeCursor(in.Cursor, "whe")
		if err != nil {
			return WebhookEndpointList{}, err
		}
		rows, more, err := d.Store.ListWebhookEndpoints(ctx, c.scope(), before, pageLimit(in.Limit))
		if err != nil {
			return WebhookEndpointList{}, err
		}
		out := WebhookEndpointList{Data: make([]WebhookEndpoint, 0, len(rows)), HasMore: more}
		for i := range rows {
			ep, err := toWebhookEndpoint(&rows[i])
			if err != nil {
				return WebhookEndpointList{}, err
			}
			out.Data = append(out.Data, ep)
		}
		if more {
			out.NextCursor = encodeCursor(rows[len(rows)-1].ID)
		}
		return out, nil
	},
}

// UpdateWebhookEndpointInput changes an endpoint; omitted fields stay as they are.
type UpdateWebhookEndpointInput struct {
	ID          string   `json:"id" jsonschema:"endpoint id (whe_…)" minLength:"1" maxLength:"64"`
	URL         *string  `json:"url,omitempty" jsonschema:"new https URL; pending deliveries go to it" maxLength:"2048"`
	Events      []string `json:"events,omitempty" jsonschema:"new subscription (replaces the old one)" maxItems:"50"`
	Description *string  `json:"description,omitempty" jsonschema:"new note" maxLength:"500"`
	Enabled     *bool    `json:"enabled,omitempty" jsonschema:"false stops deliveries; true re-enables and resets the failure streak"`
}

// UpdateWebhookEndpoint changes an endpoint's URL, subscription, note or status.
var UpdateWebhookEndpoint = Tool[UpdateWebhookEndpointInput, WebhookEndpoint]{
	Name:        "update_webhook_endpoint",
	Examples:    []string{`{"id":"whe_01kbx4r7c8d9e0f1g2h3j4k5m6","enabled":true}`},
	Title:       "Update webhook endpoint",
	Description: "Change a webhook endpoint's URL, subscribed events or description, or disable / re-enable it (re-enabling clears an automatic disable).",
	Brief:       "change URL, events, description; disable / re-enable (clears an automatic disable)",
	Scope:       ScopeWebhooksWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "PATCH", Path: "/webhook_endpoints/{id}"},
	Summary:     summarizeEndpoint,
	Handle:      updateWebhookEndpoint,
}

func updateWebhookEndpoint(ctx context.Context, d *Deps, c Caller, in UpdateWebhookEndpointInput) (WebhookEndpoint, error) {
	ep, err := getEndpoint(ctx, d, c, in.ID)
	if err != nil {
		return WebhookEndpoint{}, err
	}
	var cols []string
	if ep.Kind == models.EndpointKindCallback && (in.URL != nil || in.Events != nil || in.Enabled != nil) {
		return WebhookEndpoint{}, invalid("id", "the callback signer has only a description; URLs come from each verification's callback_url")
	}
	if in.URL != nil {
		if err := checkWebhookURL(ctx, d, "url", *in.URL); err != nil {
			return WebhookEndpoint{}, err
		}
		if *in.URL == "" {
			return WebhookEndpoint{}, invalid("url", "must not be empty")
		}
		ep.URL = *in.URL
		cols = append(cols, "url")
	}
	if in.Events != nil {
		events, err := checkEvents(in.Events)
		if err != nil {
			return WebhookEndpoint{}, err
		}
		b, _ := json.Marshal(events)
		ep.Events = string(b)
		cols = append(cols, "events")
	}
	if in.Description != nil {
		ep.Description = strings.TrimSpace(*in.Description)
		cols = append(cols, "description")
	}
	if in.Enabled != nil {
		if *in.Enabled {
			ep.Status, ep.DisabledReason, ep.DisabledAt, ep.ConsecutiveFailures = models.EndpointEnabled, "", nil, 0
		} else {
			now := d.Store.Now()
			ep.Status, ep.DisabledReason, ep.DisabledAt = models.EndpointDisabled, "", &now
		}
		cols = append(cols, "status", "disabled_reason", "disabled_at", "consecutive_failures")
	}
	if len(cols) > 0 {
		if err := d.Store.UpdateWebhookEndpoint(ctx, ep, cols...); err != nil {
			return WebhookEndpoint{}, storeErr(err, "webhook endpoint", "id")
		}
	}
	return toWebhookEndpoint(ep)
}

// DeleteWebhookEndpointInput names the endpoint to delete.
type DeleteWebhookEndpointInput struct {
	ID string `json:"id" jsonschema:"endpoint id (whe_…)" minLength:"1" maxLength:"64"`
}

// DeletedWebhookEndpoint confirms a deletion.
type DeletedWebhookEndpoint struct {
	ID      string `json:"id" jsonschema:"the deleted endpoint's id"`
	Deleted bool   `json:"deleted" jsonschema:"always true"`
}

// DeleteWebhookEndpoint removes an endpoint; its pending deliveries are cancelled.
var DeleteWebhookEndpoint = Tool[DeleteWebhookEndpointInput, DeletedWebhookEndpoint]{
	Name:        "delete_webhook_endpoint",
	Examples:    []string{`{"id":"whe_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:       "Delete webhook endpoint",
	Description: "Delete a webhook endpoint. Deliveries not yet made are cancelled; the delivery log stays readable with list_webhook_deliveries.",
	Brief:       "delete an endpoint; pending deliveries are cancelled, the log stays",
	Scope:       ScopeWebhooksWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: true, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "DELETE", Path: "/webhook_endpoints/{id}"},
	Summary:     func(o DeletedWebhookEndpoint) string { return fmt.Sprintf("Webhook endpoint %s deleted.", o.ID) },
	Handle: func(ctx context.Context, d *Deps, c Caller, in DeleteWebhookEndpointInput) (DeletedWebhookEndpoint, error) {
		if _, err := getEndpoint(ctx, d, c, in.ID); err != nil {
			return DeletedWebhookEndpoint{}, err
		}
		if err := d.Store.DeleteWebhookEndpoint(ctx, c.scope(), in.ID); err != nil {
			return DeletedWebhookEndpoint{}, storeErr(err, "webhook endpoint", "id")
		}
		return DeletedWebhookEndpoint{ID: in.ID, Deleted: true}, nil
	},
}

// RotateWebhookSecretInput names the endpoint and how long the old secret stays valid.
type RotateWebhookSecretInput struct {
	ID                 string `json:"id" jsonschema:"endpoint id (whe_…), including the callback signer" minLength:"1" maxLength:"64"`
	GracePeriodSeconds *int   `json:"grace_period_seconds,omitempty" jsonschema:"seconds the old secret still signs too, 0 to 604800; default 86400" minimum:"0" maximum:"604800"`
}

const defaultGrace = 24 * time.Hour

// RotateWebhookSecret replaces an endpoint's secret, keeping the old one valid for a grace period.
var RotateWebhookSecret = Tool[RotateWebhookSecretInput, WebhookEndpoint]{
	Name:     "rotate_webhook_secret",
	Examples: []string{`{"id":"whe_01kbx4r7c8d9e0f1g2h3j4k5m6","grace_period_seconds":3600}`},
	Title:    "Rotate webhook secret",
	Description: "Give a webhook endpoint (or the callback signer) a new signing secret, returned once. During the grace period deliveries carry two v1 signatures, " +
		"one per secret, so receivers can switch without dropping events.",
	Brief:       "new signing secret, returned once; both secrets sign during the grace period (default 1 day, ≤ 7 days)",
	Scope:       ScopeWebhooksWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/webhook_endpoints/{id}/rotate_secret"},
	Summary: func(e WebhookEndpoint) string {
		return fmt.Sprintf("New secret for %s; the old one stays valid until %s.", e.ID, fmtTimePtr(e.PreviousSecretUntil))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in RotateWebhookSecretInput) (WebhookEndpoint, error) {
		ep, err := getEndpoint(ctx, d, c, in.ID)
		if err != nil {
			return WebhookEndpoint{}, err
		}
		grace := defaultGrace
		if in.GracePeriodSeconds != nil {
			grace = time.Duration(*in.GracePeriodSeconds) * time.Second
		}
		secret, err := webhook.NewSecret()
		if err != nil {
			return WebhookEndpoint{}, err
		}
		sealed, err := d.Store.Keyring().Seal([]byte(secret))
		if err != nil {
			return WebhookEndpoint{}, fmt.Errorf("seal webhook secret: %w", err)
		}
		until := d.Store.Now().Add(grace)
		ep.PreviousSecretSealed, ep.PreviousSecretExpiresAt, ep.SecretSealed = ep.SecretSealed, &until, sealed
		if grace == 0 {
			ep.PreviousSecretSealed, ep.PreviousSecretExpiresAt = nil, nil
		}
		if err := d.Store.UpdateWebhookEndpoint(ctx, ep, "secret_sealed", "previous_secret_sealed", "previous_secret_expires_at"); err != nil {
			return WebhookEndpoint{}, storeErr(err, "webhook endpoint", "id")
		}
		out, err := toWebhookEndpoint(ep)
		out.Secret = secret
		return out, err
	},
}

func getEndpoint(ctx context.Context, d *Deps, c Caller, id string) (*models.WebhookEndpoint, error) {
	if !strings.HasPrefix(id, "whe_") {
		return nil, invalid("id", "webhook endpoint ids start with whe_")
	}
	ep, err := d.Store.GetWebhookEndpoint(ctx, c.scope(), id)
	if err != nil {
		return nil, storeErr(err, "webhook endpoint", "id")
	}
	return ep, nil
}

// checkWebhookURL applies the outbound policy at registration (callback_url and endpoint URLs).
func checkWebhookURL(ctx context.Context, d *Deps, field, raw string) error {
	if raw == "" {
		return nil
	}
	if _, err := d.Webhooks.CheckURL(ctx, raw); err != nil {
		return invalid(field, "%v", err)
	}
	return nil
}

func checkEvents(events []string) ([]string, error) {
	seen := map[string]bool{}
	out := make([]string, 0, len(events))
	for _, e := range events {
		if err := verify.ValidateSubscription(e); err != nil {
			return nil, invalid("events", "%v", err)
		}
		if seen[e] {
			return nil, invalid("events", "%q is listed twice", e)
		}
		seen[e] = true
		out = append(out, e)
	}
	if len(out) == 0 {
		return nil, invalid("events", "subscribe to at least one event type (or *)")
	}
	slices.Sort(out)
	return out, nil
}

func toWebhookEndpoint(ep *models.WebhookEndpoint) (WebhookEndpoint, error) {
	out := WebhookEndpoint{ID: ep.ID, Kind: string(ep.Kind), URL: nullable(ep.URL), Description: ep.Description,
		Status: string(ep.Status), DisabledReason: nullable(ep.DisabledReason), DisabledAt: ep.DisabledAt,
		ConsecutiveFailures: ep.ConsecutiveFailures, Mode: string(ep.Mode), CreatedAt: ep.CreatedAt, UpdatedAt: ep.UpdatedAt}
	if ep.PreviousSecretExpiresAt != nil && len(ep.PreviousSecretSealed) > 0 {
		out.PreviousSecretUntil = ep.PreviousSecretExpiresAt
	}
	if err := json.Unmarshal([]byte(ep.Events), &out.Events); err != nil {
		return out, fmt.Errorf("decode endpoint events: %w", err)
	}
	return out, nil
}

func summarizeEndpoint(e WebhookEndpoint) string {
	target := "callback_url deliveries"
	if e.URL != nil {
		target = *e.URL
	}
	s := fmt.Sprintf("Webhook endpoint %s (%s) → %s is %s.", e.ID, strings.Join(e.Events, ", "), target, e.Status)
	if e.DisabledReason != nil {
		s += " " + *e.DisabledReason
	}
	return s
}

func fmtTimePtr(t *time.Time) string {
	if t == nil {
		return "now (no grace period)"
	}
	return t.UTC().Format(time.RFC3339)
}
