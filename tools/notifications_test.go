package tools_test

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
	"github.com/kycd/kycd/webhook"
)

// mailbox is a local SMTP server (go-smtp, no TLS, no AUTH) that keeps what it is sent.
type mailbox struct {
	mu   sync.Mutex
	msgs []mailMsg
	addr string
}

type mailMsg struct {
	To, Subject, Body string
}

type mailSession struct {
	box *mailbox
	to  string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	return nil
}
func (s *mailSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		return err
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, mailMsg{To: s.to, Subject: subject, Body: strings.ReplaceAll(string(body), "\r\n", "\n")})
	s.box.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }

func startMailbox(t *testing.T) *mailbox {
	t.Helper()
	box := &mailbox{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: box}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	box.addr = ln.Addr().String()
	return box
}

// to lists the messages sent to rcpt.
func (b *mailbox) to(rcpt string) []mailMsg {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []mailMsg
	for _, m := range b.msgs {
		if m.To == rcpt {
			out = append(out, m)
		}
	}
	return out
}

// hookBox is a receiver of webhook-style notifications.
type hookBox struct {
	mu   sync.Mutex
	got  []hookMsg
	fail bool
}

type hookMsg struct {
	Header http.Header
	Raw    []byte
	Body   verify.NotificationBody
}

func (h *hookBox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var b verify.NotificationBody
	_ = json.Unmarshal(raw, &b)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, hookMsg{Header: r.Header.Clone(), Raw: raw, Body: b})
	if h.fail {
		w.WriteHeader(http.StatusInternalServerError)
	}
}

func (h *hookBox) all() []hookMsg {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookMsg(nil), h.got...)
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func notificationsOf(t *testing.T, e *tooltest.Env, c tools.Caller) []tools.Notification {
	t.Helper()
	var l tools.NotificationList
	require.Nil(t, e.Call(t, c, "list_notifications", map[string]any{"limit": 100}, &l))
	return l.Data
}

// TestTeamNotifications runs a verification into review and checks that the operators who
// asked are told: an admin at once by e-mail (a local SMTP server) and by a signed POST (an
// httptest receiver), a reviewer in the daily digest; then a webhook endpoint that kycd
// disables and an API key close to its expiry reach the admin too — each once.
func TestTeamNotifications(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		box := startMailbox(t)
		hooks := &hookBox{}
		hookSrv := httptest.NewServer(hooks)
		t.Cleanup(hookSrv.Close)
		failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }))
		t.Cleanup(failing.Close)
		mailer, err := otp.NewSMTPSender(otp.SMTPConfig{URL: "smtp+insecure://" + box.addr, MailFrom: "kycd <noreply@kycd.example>"})
		require.NoError(t, err)
		policy := webhook.Policy{AllowHTTP: true, AllowPrivate: true}
		checks := map[models.Check]verify.CheckRunner{
			models.CheckDocument:  tooltest.Check{Outcome: models.OutcomePass},
			models.CheckScreening: tooltest.Check{Outcome: models.OutcomeReview},
		}
		e := tooltest.New(t, s, checks, func(jo *jobs.Options, d *tools.Deps) {
			d.Webhooks, jo.Webhooks = policy, policy
			jo.WebhookDisableAfter = 1
			jo.WebhookRetry = webhook.Schedule{MaxAttempts: 1}
			jo.Notify = &verify.NotifyOptions{Mailer: mailer, Hooks: webhook.NewClient(policy, "kycd-test"),
				DashboardURL: "https://kyc.example.test/dashboard"}
		})
		n := e.Verify.Notifications()
		require.NotNil(t, n)

		admin := e.Operator(t, "acct_a", models.ModeTest, verify.RoleAdmin, "alice@ops.example.com")
		reviewer := e.Operator(t, "acct_a", models.ModeTest, verify.RoleReviewer, "rui@ops.example.com")
		outsider := e.Operator(t, "acct_b", models.ModeTest, verify.RoleAdmin, "bob@ops.example.com")

		// An API key has no operator identity; a reviewer cannot ask for key notices, nor set
		// another operator's settings; a webhook must meet the target policy.
		te := e.Call(t, e.Test, "get_notification_settings", map[string]any{}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodePermissionDenied, te.Code)
		keyWithScope := e.KeyWith(t, "acct_a", models.ModeTest, tools.ScopeNotifications)
		te = e.Call(t, keyWithScope, "list_notifications", map[string]any{}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodePermissionDenied, te.Code)
		require.Contains(t, te.Message, "no operator identity")
		te = e.Call(t, reviewer, "update_notification_settings", map[string]any{"key_expiring": "immediate"}, nil)
		require.NotNil(t, te)
		require.Equal(t, "key_expiring", te.Field)
		te = e.Call(t, reviewer, "update_notification_settings", map[string]any{"user_id": admin.UserID, "email": false}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodePermissionDenied, te.Code)
		te = e.Call(t, admin, "update_notification_settings", map[string]any{"webhook_url": "ftp://example.com/x"}, nil)
		require.NotNil(t, te)
		require.Equal(t, "webhook_url", te.Field)
		te = e.Call(t, admin, "update_notification_settings", map[string]any{"user_id": outsider.UserID, "email": true}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeNotFound, te.Code, "another account's operator is not found")

		var set tools.NotificationSettings
		require.Nil(t, e.Call(t, admin, "update_notification_settings", map[string]any{"email": true, "webhook_url": hookSrv.URL + "/team",
			"case_review": "immediate", "endpoint_disabled": "immediate", "key_expiring": "immediate", "test_mode": true}, &set))
		require.True(t, strings.HasPrefix(set.WebhookSecret, "whsec_"), "the secret is answered when the webhook is set")
		secret := set.WebhookSecret
		var got tools.NotificationSettings
		require.Nil(t, e.Call(t, admin, "get_notification_settings", map[string]any{}, &got))
		require.Empty(t, got.WebhookSecret, "the secret is shown once")
		require.Equal(t, "immediate", got.CaseReview)
		require.Equal(t, "off", got.ScreeningMatch)
		// An admin sets the reviewer's: the daily digest at 06:00 UTC, e-mail only.
		require.Nil(t, e.Call(t, admin, "update_notification_settings", map[string]any{"user_id": reviewer.UserID, "email": true,
			"case_review": "digest", "digest_hour": 6, "test_mode": true}, nil))
		// The outsider, of another account, asks for everything and must hear nothing of acct_a.
		require.Nil(t, e.Call(t, outsider, "update_notification_settings", map[string]any{"email": true, "case_review": "immediate", "test_mode": true}, nil))

		// A verification goes to needs_review.
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document", "screening"}}, &v))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		waitStatus(t, e, e.Test, v.ID, "needs_review")

		eventually(t, "the admin's e-mail", func() bool { return len(box.to("alice@ops.example.com")) == 1 })
		m := box.to("alice@ops.example.com")[0]
		require.Contains(t, m.Subject, "entered review")
		require.Contains(t, m.Subject, v.Reference)
		require.Contains(t, m.Subject, "[test]")
		require.Contains(t, m.Body, "https://kyc.example.test/dashboard/cases/"+v.ID)
		eventually(t, "the admin's webhook", func() bool { return len(hooks.all()) == 1 })
		h := hooks.all()[0]
		require.NoError(t, webhook.Verify(h.Header.Get(webhook.HeaderSignature), h.Raw, secret, 5*time.Minute, time.Now()))
		require.Equal(t, "notification.case_review", h.Body.Type)
		require.Equal(t, "notification.case_review", h.Header.Get(webhook.HeaderEvent))
		require.Equal(t, v.ID, h.Body.ObjectID)
		require.Equal(t, admin.UserID, h.Body.UserID)
		require.NotContains(t, string(h.Raw), "José", "no applicant data in a notification")

		eventually(t, "both sent", func() bool {
			ns := notificationsOf(t, e, admin)
			return len(ns) == 2 && ns[0].Status == "sent" && ns[1].Status == "sent"
		})
		// The reviewer's waits for the digest; the outsider got nothing.
		rn := notificationsOf(t, e, reviewer)
		require.Len(t, rn, 1)
		require.Equal(t, "digest", rn[0].Status)
		require.Empty(t, notificationsOf(t, e, outsider))
		require.Empty(t, box.to("rui@ops.example.com"))

		// Digest: at the operator's hour (06:00 UTC), not before, then once a day.
		now := time.Now().UTC()
		next := time.Date(now.Year(), now.Month(), now.Day(), 6, 0, 0, 0, time.UTC)
		if !next.After(now) {
			next = next.AddDate(0, 0, 1)
		}
		made, err := n.Digests(ctx, next.Add(-time.Minute))
		require.NoError(t, err)
		require.Zero(t, made, "05:59: not yet")
		made, err = n.Digests(ctx, next.Add(time.Minute))
		require.NoError(t, err)
		require.Equal(t, 1, made)
		made, err = n.Digests(ctx, next.Add(2*time.Minute))
		require.NoError(t, err)
		require.Zero(t, made, "one digest per day")
		eventually(t, "the reviewer's digest", func() bool { return len(box.to("rui@ops.example.com")) == 1 })
		d := box.to("rui@ops.example.com")[0]
		require.Contains(t, d.Subject, "Daily digest: 1 notification")
		require.Contains(t, d.Body, v.Reference)
		eventually(t, "digest rows sent", func() bool {
			ns := notificationsOf(t, e, reviewer)
			return len(ns) == 2 && ns[0].Kind == "digest" && ns[0].Status == "sent" && ns[1].Status == "sent" && ns[1].DigestID != nil && *ns[1].DigestID == ns[0].ID
		})
		// A second case reaches the reviewer only in the next day's digest.
		var v2 tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document", "screening"}}, &v2))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v2.ID}, nil))
		waitStatus(t, e, e.Test, v2.ID, "needs_review")
		eventually(t, "the admin's second e-mail", func() bool { return len(box.to("alice@ops.example.com")) == 2 })
		made, err = n.Digests(ctx, next.Add(24*time.Hour-time.Minute))
		require.NoError(t, err)
		require.Zero(t, made, "the next day, 05:59: not yet")
		made, err = n.Digests(ctx, next.Add(24*time.Hour+10*time.Minute))
		require.NoError(t, err)
		require.Equal(t, 1, made)
		eventually(t, "the reviewer's second digest", func() bool { return len(box.to("rui@ops.example.com")) == 2 })
		require.Contains(t, box.to("rui@ops.example.com")[1].Body, v2.Reference)

		// A webhook endpoint kycd disables after failures: the admin hears of it once.
		require.Nil(t, e.Call(t, e.Test, "create_webhook_endpoint", map[string]any{"url": failing.URL + "/hook", "events": []string{"verification.*"}}, nil))
		var v3 tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}}, &v3))
		eventually(t, "the endpoint_disabled e-mail", func() bool {
			for _, m := range box.to("alice@ops.example.com") {
				if strings.Contains(m.Subject, "was disabled") {
					return true
				}
			}
			return false
		})
		require.NoError(t, n.EndpointDisabled(ctx, &models.WebhookEndpoint{ID: "whe_x", AccountID: "acct_b", Mode: models.ModeTest, URL: "https://b.example/h"}, time.Now(), "HTTP 500"))
		require.Empty(t, notificationsOf(t, e, outsider), "the outsider is not an admin who asked for endpoint notices")

		// A key expiring in 3 days: one notice per channel, however often the sweep runs.
		var k tools.CreatedAPIKey
		keyAdmin := e.KeyWith(t, "acct_a", models.ModeTest, tools.ScopeKeysWrite)
		require.Nil(t, e.Call(t, keyAdmin, "create_api_key", map[string]any{"name": "crm sync", "expires_in_days": 3}, &k))
		require.NotNil(t, k.Key.ExpiresAt)
		te = e.Call(t, keyAdmin, "create_api_key", map[string]any{"name": "bad", "expires_in_days": -1}, nil)
		require.NotNil(t, te)
		require.Equal(t, "expires_in_days", te.Field)
		_, _, err = s.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: "far", Mode: models.ModeTest, ExpiresAt: ptr(time.Now().Add(30 * 24 * time.Hour))})
		require.NoError(t, err)
		for range 3 {
			require.NoError(t, n.Sweep(ctx, time.Now()))
		}
		eventually(t, "the key_expiring notices", func() bool {
			c := 0
			for _, x := range notificationsOf(t, e, admin) {
				if x.Kind == "key_expiring" && x.Status == "sent" {
					require.Equal(t, k.Key.ID, x.ObjectID)
					c++
				}
			}
			return c == 2
		})
		kinds := map[string]int{}
		for _, x := range notificationsOf(t, e, admin) {
			kinds[x.Kind+"/"+x.Channel]++
		}
		require.Equal(t, map[string]int{"case_review/email": 2, "case_review/webhook": 2, "endpoint_disabled/email": 1, "endpoint_disabled/webhook": 1,
			"key_expiring/email": 1, "key_expiring/webhook": 1}, kinds)
	})
}

func ptr[T any](v T) *T { return &v }

// A webhook-style notification whose receiver fails is retried by River until it gets
// through; an e-mail notification without a mail server fails at once, saying why.
func TestNotificationRetries(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		var calls int
		var mu sync.Mutex
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		}))
		t.Cleanup(recv.Close)
		policy := webhook.Policy{AllowHTTP: true, AllowPrivate: true}
		checks := map[models.Check]verify.CheckRunner{models.CheckDocument: tooltest.Check{Outcome: models.OutcomeReview}}
		e := tooltest.New(t, s, checks, func(jo *jobs.Options, d *tools.Deps) {
			d.Webhooks, jo.Webhooks = policy, policy
			jo.Notify = &verify.NotifyOptions{Hooks: webhook.NewClient(policy, "kycd-test")} // no Mailer
		})
		op := e.Operator(t, "acct_a", models.ModeTest, verify.RoleReviewer, "rita@ops.example.com")
		require.Nil(t, e.Call(t, op, "update_notification_settings", map[string]any{"email": true, "webhook_url": recv.URL,
			"case_review": "immediate", "test_mode": true}, nil))
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}}, &v))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		waitStatus(t, e, e.Test, v.ID, "needs_review")
		eventually(t, "the webhook retried and the e-mail failed", func() bool {
			byChannel := map[string]tools.Notification{}
			for _, n := range notificationsOf(t, e, op) {
				byChannel[n.Channel] = n
			}
			w, m := byChannel["webhook"], byChannel["email"]
			return w.Status == "sent" && w.Attempts == 2 && m.Status == "failed" && strings.Contains(m.LastError, "no SMTP server")
		})
	})
}
