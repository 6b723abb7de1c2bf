package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// ScopeNotifications lets an operator read and set their own team notifications (and, with
// users:admin, those of the account's other operators). Every role holds it; API keys cannot,
// since notifications belong to a person.
const ScopeNotifications Scope = "notifications"

// NotificationSettings are what an operator is told about and how.
type NotificationSettings struct {
	UserID           string     `json:"user_id" jsonschema:"the operator (usr_…)"`
	Email            bool       `json:"email" jsonschema:"whether notifications go to email_address"`
	EmailAddress     string     `json:"email_address" jsonschema:"the operator's sign-in e-mail"`
	WebhookURL       string     `json:"webhook_url" jsonschema:"receives signed JSON POSTs (X-Kycd-Signature); empty = none"`
	WebhookSecret    string     `json:"webhook_secret,omitempty" jsonschema:"the signing secret; shown only when set or rotated"`
	CaseReview       string     `json:"case_review" jsonschema:"a verification entered needs_review"`
	ScreeningMatch   string     `json:"screening_match" jsonschema:"monitoring found a new screening match"`
	EndpointDisabled string     `json:"endpoint_disabled" jsonschema:"kycd disabled a failing webhook endpoint (admins)"`
	KeyExpiring      string     `json:"key_expiring" jsonschema:"an API key expires within 7 days (admins)"`
	TestMode         bool       `json:"test_mode" jsonschema:"whether test-mode events notify too"`
	DigestHour       int        `json:"digest_hour" jsonschema:"UTC hour of the daily digest"`
	UpdatedAt        *time.Time `json:"updated_at" jsonschema:"null if never set"`
}

func toNotificationSettings(u *models.User, st *models.NotificationSettings) (NotificationSettings, error) {
	out := NotificationSettings{UserID: u.ID, EmailAddress: u.Email, CaseReview: models.NotifyOff, ScreeningMatch: models.NotifyOff,
		EndpointDisabled: models.NotifyOff, KeyExpiring: models.NotifyOff, DigestHour: 8}
	if st == nil {
		return out, nil
	}
	ev, err := verify.ParseNotifyEvents(st.Events)
	if err != nil {
		return out, err
	}
	get := func(k string) string {
		if v := ev[k]; v != "" {
			return v
		}
		return models.NotifyOff
	}
	out.Email, out.WebhookURL, out.TestMode, out.DigestHour = st.Email, st.WebhookURL, st.TestMode, st.DigestHour
	out.CaseReview, out.ScreeningMatch = get(models.NotifyCaseReview), get(models.NotifyScreeningMatch)
	out.EndpointDisabled, out.KeyExpiring = get(models.NotifyEndpointDisabled), get(models.NotifyKeyExpiring)
	at := st.UpdatedAt.UTC()
	out.UpdatedAt = &at
	return out, nil
}

// notificationUser is the operator a notification tool acts on: the caller, or (for an admin)
// another operator of the account. A caller without an operator identity is refused.
func notificationUser(ctx context.Context, d *Deps, c Caller, userID string) (*models.User, error) {
	if c.UserID == "" {
		return nil, Errorf(CodePermissionDenied, "", "notification settings belong to an operator: sign in to the dashboard (an API key has no operator identity)")
	}
	if userID == "" || userID == c.UserID {
		userID = c.UserID
	} else {
		if !strings.HasPrefix(userID, "usr_") {
			return nil, invalid("user_id", "operator ids start with usr_")
		}
		if !c.Has(ScopeUsersAdmin) {
			return nil, Errorf(CodePermissionDenied, "user_id", "only admins (users:admin) may act on another operator's notifications")
		}
	}
	u, err := d.Store.GetUser(ctx, c.AccountID, userID)
	if errors.Is(err, db.ErrNotFound) {
		return nil, Errorf(CodeNotFound, "user_id", "no operator with that id in this account")
	}
	return u, err
}

// GetNotificationSettingsInput names the operator.
type GetNotificationSettingsInput struct {
	UserID string `json:"user_id,omitempty" jsonschema:"another operator of the account (admins); default: you" maxLength:"64"`
}

// GetNotificationSettings reads an operator's team notification settings.
var GetNotificationSettings = Tool[GetNotificationSettingsInput, NotificationSettings]{
	Name:        "get_notification_settings",
	Examples:    []string{`{}`},
	Title:       "Get notification settings",
	Description: "Read which events notify you (off, immediate or digest) and how: e-mail, a signed webhook POST. Operators only.",
	Brief:       "which events notify an operator (immediately or in a daily digest) by e-mail and/or signed webhook",
	Scope:       ScopeNotifications,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/notification-settings"},
	Summary: func(s NotificationSettings) string {
		return fmt.Sprintf("Notifications of %s: case_review %s, screening_match %s, endpoint_disabled %s, key_expiring %s.",
			s.UserID, s.CaseReview, s.ScreeningMatch, s.EndpointDisabled, s.KeyExpiring)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in GetNotificationSettingsInput) (NotificationSettings, error) {
		u, err := notificationUser(ctx, d, c, in.UserID)
		if err != nil {
			return NotificationSettings{}, err
		}
		st, err := d.Store.NotificationSettings(ctx, u.ID)
		if errors.Is(err, db.ErrNotFound) {
			st, err = nil, nil
		}
		if err != nil {
			return NotificationSettings{}, err
		}
		return toNotificationSettings(u, st)
	},
}
