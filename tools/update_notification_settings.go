package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
	"github.com/kycd/kycd/webhook"
)

// UpdateNotificationSettingsInput changes what an operator is told and how; omitted fields keep their value.
type UpdateNotificationSettingsInput struct {
	UserID           string  `json:"user_id,omitempty" jsonschema:"another operator of the account (admins); default: you" maxLength:"64"`
	Email            *bool   `json:"email,omitempty" jsonschema:"send to your sign-in e-mail"`
	WebhookURL       *string `json:"webhook_url,omitempty" jsonschema:"https URL for signed POSTs; empty removes it" maxLength:"2048"`
	RotateSecret     bool    `json:"rotate_secret,omitempty" jsonschema:"a new webhook signing secret"`
	CaseReview       string  `json:"case_review,omitempty" jsonschema:"a case enters review" enum:"off,immediate,digest"`
	ScreeningMatch   string  `json:"screening_match,omitempty" jsonschema:"monitoring finds a match" enum:"off,immediate,digest"`
	EndpointDisabled string  `json:"endpoint_disabled,omitempty" jsonschema:"a webhook endpoint is disabled (admins)" enum:"off,immediate,digest"`
	KeyExpiring      string  `json:"key_expiring,omitempty" jsonschema:"an API key expires within 7 days (admins)" enum:"off,immediate,digest"`
	TestMode         *bool   `json:"test_mode,omitempty" jsonschema:"notify about test-mode events too"`
	DigestHour       *int    `json:"digest_hour,omitempty" jsonschema:"UTC hour of the daily digest (default 8)" minimum:"0" maximum:"23"`
}

// UpdateNotificationSettings sets an operator's team notifications.
var UpdateNotificationSettings = Tool[UpdateNotificationSettingsInput, NotificationSettings]{
	Name:     "update_notification_settings",
	Examples: []string{`{"email":true,"case_review":"immediate","screening_match":"digest"}`, `{"webhook_url":"https://hooks.example.com/kycd-team","key_expiring":"immediate"}`},
	Title:    "Update notification settings",
	Description: "Choose per event off, immediate or digest (daily, at digest_hour UTC) and the channels: e-mail and/or a webhook_url " +
		"that gets signed POSTs (secret answered once). endpoint_disabled and key_expiring are for admins. Operators only.",
	Brief:       "turn each notification on (immediately or daily digest) or off; e-mail and/or a signed webhook",
	Scope:       ScopeNotifications,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "PATCH", Path: "/notification-settings"},
	Summary: func(s NotificationSettings) string {
		return fmt.Sprintf("Notifications of %s saved: case_review %s, screening_match %s, endpoint_disabled %s, key_expiring %s.",
			s.UserID, s.CaseReview, s.ScreeningMatch, s.EndpointDisabled, s.KeyExpiring)
	},
	Handle: updateNotificationSettings,
}

func updateNotificationSettings(ctx context.Context, d *Deps, c Caller, in UpdateNotificationSettingsInput) (NotificationSettings, error) {
	u, err := notificationUser(ctx, d, c, in.UserID)
	if err != nil {
		return NotificationSettings{}, err
	}
	st, err := d.Store.NotificationSettings(ctx, u.ID)
	if errors.Is(err, db.ErrNotFound) {
		st, err = &models.NotificationSettings{UserID: u.ID, Events: "{}", DigestHour: 8}, nil
	}
	if err != nil {
		return NotificationSettings{}, err
	}
	st.AccountID, st.UpdatedBy = u.AccountID, c.Actor()
	events, err := verify.ParseNotifyEvents(st.Events)
	if err != nil {
		return NotificationSettings{}, err
	}
	for _, f := range []struct{ kind, val string }{{models.NotifyCaseReview, in.CaseReview}, {models.NotifyScreeningMatch, in.ScreeningMatch},
		{models.NotifyEndpointDisabled, in.EndpointDisabled}, {models.NotifyKeyExpiring, in.KeyExpiring}} {
		switch f.val {
		case "":
			continue
		case models.NotifyOff, models.NotifyImmediate, models.NotifyDaily:
		default:
			return NotificationSettings{}, invalid(f.kind, "%q is not off, immediate or digest", f.val)
		}
		if f.val != models.NotifyOff && verify.AdminOnlyNotification(f.kind) && u.Role != verify.RoleAdmin {
			return NotificationSettings{}, invalid(f.kind, "only admins get %s notifications (%s is a %s)", f.kind, u.Email, u.Role)
		}
		events[f.kind] = f.val
	}
	raw, _ := json.Marshal(events)
	st.Events = string(raw)
	if in.Email != nil {
		st.Email = *in.Email
	}
	if in.TestMode != nil {
		st.TestMode = *in.TestMode
	}
	if in.DigestHour != nil {
		if *in.DigestHour < 0 || *in.DigestHour > 23 {
			return NotificationSettings{}, invalid("digest_hour", "an hour from 0 to 23 (UTC), got %d", *in.DigestHour)
		}
		st.DigestHour = *in.DigestHour
	}
	secret := ""
	if in.WebhookURL != nil {
		target := strings.TrimSpace(*in.WebhookURL)
		if target != "" {
			if _, err := d.Webhooks.CheckURL(ctx, target); err != nil {
				return NotificationSettings{}, invalid("webhook_url", "%v", err)
			}
		}
		if target != "" && (st.WebhookURL == "" || len(st.WebhookSecretSealed) == 0) {
			in.RotateSecret = true // a first webhook gets its secret
		}
		st.WebhookURL = target
		if target == "" {
			st.WebhookSecretSealed = nil
		}
	}
	if in.RotateSecret {
		if st.WebhookURL == "" {
			return NotificationSettings{}, invalid("rotate_secret", "there is no webhook_url to sign for; set one first")
		}
		if secret, err = webhook.NewSecret(); err != nil {
			return NotificationSettings{}, err
		}
		if st.WebhookSecretSealed, err = d.Store.Keyring().Seal([]byte(secret)); err != nil {
			return NotificationSettings{}, err
		}
	}
	if err := d.Store.PutNotificationSettings(ctx, st); err != nil {
		return NotificationSettings{}, err
	}
	out, err := toNotificationSettings(u, st)
	out.WebhookSecret = secret
	return out, err
}
