package dashboard

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kycd/kycd/tools"
)

// The notifications settings page: what the signed-in operator is told about and how (the
// notification tools, with their identity), and the last notifications with their outcome.

// notifyEvent is one row of the settings form.
type notifyEvent struct {
	Key, Label, Value string
	// AdminOnly events are shown to admins only (the tool refuses them for others).
	AdminOnly bool
}

// notificationsData is the page.
type notificationsData struct {
	Settings      tools.NotificationSettings
	Events        []notifyEvent
	Choices       []string
	Hours         []int
	Recent        tools.NotificationList
	NewSecret     string
	Error         string
	IsAdmin       bool
	RecentFailure string
}

func (h *Handler) notifications(w http.ResponseWriter, r *http.Request) {
	h.notificationsPage(w, r, "", nil)
}

func (h *Handler) notificationsPage(w http.ResponseWriter, r *http.Request, secret string, saveErr *tools.Error) {
	st, te := call[tools.NotificationSettings](r, tools.GetNotificationSettings.Name, map[string]any{})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	recent, te := call[tools.NotificationList](r, tools.ListNotifications.Name, map[string]any{"limit": 20})
	if te != nil {
		h.fail(w, r, te)
		return
	}
	admin := operator(r).Role == "admin"
	d := notificationsData{Settings: st, Recent: recent, NewSecret: secret, IsAdmin: admin,
		Choices: []string{"off", "immediate", "digest"}}
	for i := range 24 {
		d.Hours = append(d.Hours, i)
	}
	for _, e := range []notifyEvent{
		{Key: "case_review", Label: "A case enters review", Value: st.CaseReview},
		{Key: "screening_match", Label: "Monitoring finds a new screening match", Value: st.ScreeningMatch},
		{Key: "endpoint_disabled", Label: "A webhook endpoint is disabled after failures", Value: st.EndpointDisabled, AdminOnly: true},
		{Key: "key_expiring", Label: "An API key expires within 7 days", Value: st.KeyExpiring, AdminOnly: true},
	} {
		if !e.AdminOnly || admin {
			d.Events = append(d.Events, e)
		}
	}
	status := 0
	if saveErr != nil {
		d.Error = saveErr.Message
		if saveErr.Field != "" {
			d.Error = saveErr.Field + ": " + saveErr.Message
		}
		status = saveErr.Code.HTTPStatus()
	}
	h.render(w, r, "notifications", "Notifications", "settings", status, d)
}

func (h *Handler) saveNotifications(w http.ResponseWriter, r *http.Request) {
	args := map[string]any{
		"email":         r.PostFormValue("email") == "on",
		"test_mode":     r.PostFormValue("test_mode") == "on",
		"webhook_url":   strings.TrimSpace(r.PostFormValue("webhook_url")),
		"rotate_secret": r.PostFormValue("rotate_secret") == "on",
	}
	for _, k := range []string{"case_review", "screening_match", "endpoint_disabled", "key_expiring"} {
		if v := r.PostFormValue(k); v != "" {
			args[k] = v
		}
	}
	if v := r.PostFormValue("digest_hour"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			h.notificationsPage(w, r, "", tools.Errorf(tools.CodeInvalidArgument, "digest_hour", "pick an hour from 0 to 23"))
			return
		}
		args["digest_hour"] = n
	}
	out, te := call[tools.NotificationSettings](r, tools.UpdateNotificationSettings.Name, args)
	if te != nil {
		h.notificationsPage(w, r, "", te)
		return
	}
	if out.WebhookSecret != "" {
		// The secret is shown in this response only (no redirect: it must not land in a URL).
		h.notificationsPage(w, r, out.WebhookSecret, nil)
		return
	}
	back(w, r, Prefix+"settings/notifications", "Notification settings saved.", nil)
}
