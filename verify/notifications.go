package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/otp"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/webhook"
)

// Team notifications (issue #25): operators choose, per event kind, to be told at once, in a
// daily digest or not at all, by e-mail and/or a signed HTTPS POST. Producers call raise in
// the transaction of the change (a verification entering review, a monitoring match) or
// right after it (an endpoint disabled, a key close to its expiry); raise writes one row per
// user and channel, unique by the event's dedupe key, so running a producer twice never
// notifies twice. Rows to send now get a notify.send job in the same transaction; digest rows
// wait for the periodic notify.sweep (Sweep), which batches them once a day per user.

// DefaultKeyExpiryWarning is how long before an API key expires its admins are told.
const DefaultKeyExpiryWarning = 7 * 24 * time.Hour

// NotifyMailer sends a rendered e-mail; *otp.SMTPSender is one.
type NotifyMailer interface {
	SendText(ctx context.Context, to string, txt otp.Text) error
}

// NotificationEnqueuer is what the queue offers for notifications: one notify.send job per
// row, inserted in tx. jobs.Queue implements it beside Enqueuer.
type NotificationEnqueuer interface {
	EnqueueNotifications(ctx context.Context, tx *db.Tx, ids []string) error
}

// NotifyOptions configure the notifications.
type NotifyOptions struct {
	// Mailer sends e-mail (nil: no SMTP configured; e-mail notifications then fail with that
	// reason, visible in list_notifications).
	Mailer NotifyMailer
	// Hooks posts webhook-style notifications under the webhook target policy.
	Hooks *webhook.Client
	// DashboardURL is the dashboard's base (https://kyc.example.com/dashboard/) for links in
	// the messages; "" leaves the links out.
	DashboardURL string
	// Product names the service in subjects (default "kycd").
	Product string
	// KeyExpiryWarning is how long before its expiry a key is reported (default 7 days).
	KeyExpiryWarning time.Duration
	Logger           *slog.Logger
}

// Notifications delivers team notifications.
type Notifications struct {
	svc   *Service
	store *db.Store
	opts  NotifyOptions
}

// EnableNotifications attaches the notifications to s: from now on its events notify the
// operators who asked for them. It returns the notifications for the queue's workers.
func (s *Service) EnableNotifications(opts NotifyOptions) *Notifications {
	if opts.Product == "" {
		opts.Product = "kycd"
	}
	if opts.KeyExpiryWarning <= 0 {
		opts.KeyExpiryWarning = DefaultKeyExpiryWarning
	}
	if opts.Logger == nil {
		opts.Logger = s.log
	}
	if opts.DashboardURL != "" && !strings.HasSuffix(opts.DashboardURL, "/") {
		opts.DashboardURL += "/"
	}
	n := &Notifications{svc: s, store: s.store, opts: opts}
	s.notify = n
	return n
}

// Notifications is the attached notifications (nil when not enabled).
func (s *Service) Notifications() *Notifications { return s.notify }

// ParseNotifyEvents reads a settings row's events object.
func ParseNotifyEvents(raw string) (map[string]string, error) {
	out := map[string]string{}
	if raw == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("notification events: %w", err)
	}
	return out, nil
}

// AdminOnlyNotification reports the kinds only admins receive: they are about the account's
// keys and webhook endpoints, which only admins manage.
func AdminOnlyNotification(kind string) bool {
	return kind == models.NotifyEndpointDisabled || kind == models.NotifyKeyExpiring
}

// notice is one event to tell the operators of an account about.
type notice struct {
	AccountID  string
	Mode       models.Mode
	Kind       string
	DedupeKey  string
	ObjectType string
	ObjectID   string
	Summary    string
	Data       map[string]any
}

// notifyEvent turns an event into a notice when it is one operators can ask for: a
// verification that entered needs_review (case_review) or a monitoring match
// (screening_match, which may also have moved the case into review: one notice, not two).
func (s *Service) notifyEvent(ctx context.Context, tx *db.Tx, ev *models.Event) error {
	if s.notify == nil || ev.ObjectType != "verification" {
		return nil
	}
	kind := ""
	switch {
	case ev.Type == EventScreeningMatch:
		kind = models.NotifyScreeningMatch
	case strings.Contains(ev.Data, `"needs_review"`):
		kind = models.NotifyCaseReview
	default:
		return nil
	}
	var p struct {
		Reference      string            `json:"reference"`
		Status         string            `json:"status"`
		PreviousStatus string            `json:"previous_status"`
		Hits           []json.RawMessage `json:"hits"`
		Cause          string            `json:"cause"`
	}
	if err := json.Unmarshal([]byte(ev.Data), &p); err != nil {
		return fmt.Errorf("notify: read event %s: %w", ev.ID, err)
	}
	data := map[string]any{"verification_id": ev.ObjectID, "reference": p.Reference, "status": p.Status, "event_id": ev.ID, "event_type": ev.Type}
	var summary string
	if kind == models.NotifyCaseReview {
		if p.Status != string(models.StatusNeedsReview) || p.PreviousStatus == "" || p.PreviousStatus == string(models.StatusNeedsReview) {
			return nil
		}
		summary = fmt.Sprintf("Case %s entered review", p.Reference)
	} else {
		data["matches"] = len(p.Hits)
		data["cause"] = p.Cause
		summary = fmt.Sprintf("Monitoring found %d new screening match(es) for case %s", len(p.Hits), p.Reference)
	}
	return s.notify.raise(ctx, tx, notice{AccountID: ev.AccountID, Mode: ev.Mode, Kind: kind, DedupeKey: "ev:" + ev.ID,
		ObjectType: "verification", ObjectID: ev.ObjectID, Summary: summary, Data: data})
}

// EndpointDisabled tells the account's admins that kycd disabled a failing webhook endpoint.
func (n *Notifications) EndpointDisabled(ctx context.Context, ep *models.WebhookEndpoint, at time.Time, lastError string) error {
	if n == nil {
		return nil
	}
	return n.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		return n.raise(ctx, tx, notice{AccountID: ep.AccountID, Mode: ep.Mode, Kind: models.NotifyEndpointDisabled,
			DedupeKey:  fmt.Sprintf("endpoint_disabled:%s:%d", ep.ID, at.Unix()),
			ObjectType: "webhook_endpoint", ObjectID: ep.ID,
			Summary: fmt.Sprintf("Webhook endpoint %s (%s) was disabled after deliveries kept failing", ep.ID, endpointHost(ep.URL)),
			Data:    map[string]any{"endpoint_id": ep.ID, "url": ep.URL, "disabled_at": at.UTC(), "last_error": truncate(lastError, 300)}})
	})
}

func endpointHost(u string) string {
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		rest = strings.TrimPrefix(u, "http://")
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// KeysExpiring tells admins about every unrevoked key that expires within the warning period
// of now, once per key and expiry time. It reports how many keys it found.
func (n *Notifications) KeysExpiring(ctx context.Context, now time.Time) (int, error) {
	keys, err := n.store.ExpiringAPIKeys(ctx, now, now.Add(n.opts.KeyExpiryWarning))
	if err != nil {
		return 0, err
	}
	for _, k := range keys {
		at := k.ExpiresAt.UTC()
		err := n.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return n.raise(ctx, tx, notice{AccountID: k.AccountID, Mode: k.Mode, Kind: models.NotifyKeyExpiring,
				DedupeKey:  fmt.Sprintf("key_expiring:%s:%d", k.ID, at.Unix()),
				ObjectType: "api_key", ObjectID: k.ID,
				Summary: fmt.Sprintf("API key %q (%s…, %s) expires at %s", k.Name, k.Prefix, k.Mode, at.Format(time.RFC3339)),
				Data:    map[string]any{"key_id": k.ID, "name": k.Name, "prefix": k.Prefix, "expires_at": at}})
		})
		if err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

// raise writes the notice's notifications for every operator of the account who asked for
// its kind, and enqueues those to send now, all in tx.
func (n *Notifications) raise(ctx context.Context, tx *db.Tx, nt notice) error {
	recipients, err := db.NotificationRecipients(ctx, tx.Tx, nt.AccountID)
	if err != nil || len(recipients) == 0 {
		return err
	}
	data, err := json.Marshal(nt.Data)
	if err != nil {
		return fmt.Errorf("notify: encode data: %w", err)
	}
	now := n.store.Now()
	var send []string
	for _, r := range recipients {
		choice, err := choiceFor(&r.Settings, nt.Kind, nt.Mode, r.User.Role)
		if err != nil {
			return err
		}
		if choice == models.NotifyOff {
			continue
		}
		status := models.NotificationPending
		if choice == models.NotifyDaily {
			status = models.NotificationDigest
		}
		for _, ch := range channels(&r.Settings) {
			row := &models.Notification{ID: db.NewID("ntf", now), AccountID: nt.AccountID, UserID: r.User.ID, Mode: nt.Mode,
				Kind: nt.Kind, Channel: ch, DedupeKey: nt.DedupeKey, ObjectType: nt.ObjectType, ObjectID: nt.ObjectID,
				Summary: nt.Summary, Data: string(data), Status: status, CreatedAt: now}
			fresh, err := db.InsertNotification(ctx, tx.Tx, row)
			if err != nil {
				return err
			}
			if fresh && status == models.NotificationPending {
				send = append(send, row.ID)
			}
		}
	}
	return n.enqueue(ctx, tx, send)
}

func (n *Notifications) enqueue(ctx context.Context, tx *db.Tx, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	q, err := n.svc.queue()
	if err != nil {
		return err
	}
	ne, ok := q.(NotificationEnqueuer)
	if !ok {
		return errors.New("notify: the queue cannot enqueue notifications")
	}
	return ne.EnqueueNotifications(ctx, tx, ids)
}

// choiceFor is what a user chose for kind in mode: off, immediate or digest. Test-mode events
// reach only users who asked for them; key and endpoint notices only admins.
func choiceFor(st *models.NotificationSettings, kind string, mode models.Mode, role string) (string, error) {
	if mode == models.ModeTest && !st.TestMode {
		return models.NotifyOff, nil
	}
	if AdminOnlyNotification(kind) && role != RoleAdmin {
		return models.NotifyOff, nil
	}
	events, err := ParseNotifyEvents(st.Events)
	if err != nil {
		return "", err
	}
	switch c := events[kind]; c {
	case models.NotifyImmediate, models.NotifyDaily:
		return c, nil
	}
	return models.NotifyOff, nil
}

func channels(st *models.NotificationSettings) []string {
	var out []string
	if st.Email {
		out = append(out, models.ChannelEmail)
	}
	if st.WebhookURL != "" {
		out = append(out, models.ChannelWebhook)
	}
	return out
}

// digestDue is the latest digest time at or before now for a user sending at hour (UTC).
func digestDue(now time.Time, hour int) time.Time {
	now = now.UTC()
	due := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, time.UTC)
	if due.After(now) {
		due = due.AddDate(0, 0, -1)
	}
	return due
}

// Digests batches, for every user whose daily digest time has come since their last one, the
// notifications waiting for it into one digest per channel, and enqueues those. It reports how
// many digests it made.
func (n *Notifications) Digests(ctx context.Context, now time.Time) (int, error) {
	users, err := n.store.UsersWithDigestItems(ctx)
	if err != nil {
		return 0, err
	}
	made := 0
	for _, uid := range users {
		st, err := n.store.NotificationSettings(ctx, uid)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return made, err
		}
		// Due when the digest hour passed since the last digest (or, before the first one, since
		// the settings were saved: a digest is never sent before the hour the operator chose).
		due := digestDue(now, st.DigestHour)
		last := st.UpdatedAt
		if st.LastDigestAt != nil {
			last = *st.LastDigestAt
		}
		if !last.Before(due) {
			continue
		}
		err = n.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			var send []string
			for _, ch := range []string{models.ChannelEmail, models.ChannelWebhook} {
				items, err := tx.DigestItems(ctx, uid, ch)
				if err != nil {
					return err
				}
				if len(items) == 0 {
					continue
				}
				ids := make([]string, len(items))
				kinds := map[string]int{}
				mode := models.ModeTest // a digest is live when anything in it is
				for i, it := range items {
					ids[i] = it.ID
					kinds[it.Kind]++
					if it.Mode == models.ModeLive {
						mode = models.ModeLive
					}
				}
				data, _ := json.Marshal(map[string]any{"count": len(items), "kinds": kinds})
				at := n.store.Now()
				d := &models.Notification{ID: db.NewID("ntf", at), AccountID: st.AccountID, UserID: uid, Mode: mode,
					Kind: models.NotifyDigest, Channel: ch, DedupeKey: "digest:" + due.Format(time.RFC3339),
					Summary: fmt.Sprintf("Daily digest: %d notification(s)", len(items)), Data: string(data),
					Status: models.NotificationPending, CreatedAt: at}
				fresh, err := db.InsertNotification(ctx, tx.Tx, d)
				if err != nil {
					return err
				}
				if !fresh {
					continue // made already by a concurrent sweep
				}
				if err := tx.BatchIntoDigest(ctx, d.ID, ids); err != nil {
					return err
				}
				send = append(send, d.ID)
			}
			if err := tx.SetLastDigest(ctx, uid, now); err != nil {
				return err
			}
			made += len(send)
			return n.enqueue(ctx, tx, send)
		})
		if err != nil {
			return made, err
		}
	}
	return made, nil
}

// Sweep is the periodic pass: due digests, then keys close to expiry.
func (n *Notifications) Sweep(ctx context.Context, now time.Time) error {
	if _, err := n.Digests(ctx, now); err != nil {
		return err
	}
	_, err := n.KeysExpiring(ctx, now)
	return err
}

// ErrNotificationRetry wraps a failed attempt River should retry.
var ErrNotificationRetry = errors.New("notification not delivered")

// Deliver makes one attempt at sending notification id; final says it is the last attempt
// River will make. A returned error asks for a retry.
func (n *Notifications) Deliver(ctx context.Context, id string, attempt int, final bool) error {
	row, err := n.store.GetNotification(ctx, id)
	if err != nil {
		return err
	}
	if row.Status != models.NotificationPending {
		return nil // sent already (a rescued duplicate run)
	}
	user, err := n.store.GetUser(ctx, row.AccountID, row.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return n.finish(ctx, row, models.NotificationSkipped, "the operator no longer exists")
	}
	if err != nil {
		return err
	}
	if user.DisabledAt != nil {
		return n.finish(ctx, row, models.NotificationSkipped, "the operator is disabled")
	}
	if AdminOnlyNotification(row.Kind) && user.Role != RoleAdmin {
		return n.finish(ctx, row, models.NotificationSkipped, "the operator is no longer an admin")
	}
	st, err := n.store.NotificationSettings(ctx, row.UserID)
	if errors.Is(err, db.ErrNotFound) {
		return n.finish(ctx, row, models.NotificationSkipped, "the operator removed their notification settings")
	}
	if err != nil {
		return err
	}
	var items []models.Notification
	if row.Kind == models.NotifyDigest {
		if items, err = n.store.NotificationsOfDigest(ctx, row.ID); err != nil {
			return err
		}
	}
	row.Attempts = attempt
	switch row.Channel {
	case models.ChannelEmail:
		if !st.Email {
			return n.finish(ctx, row, models.NotificationSkipped, "e-mail was turned off before sending")
		}
		if n.opts.Mailer == nil {
			return n.fail(ctx, row, true, errors.New("no SMTP server is configured (KYCD_SMTP_URL)"))
		}
		err = n.opts.Mailer.SendText(ctx, user.Email, n.renderMail(row, items))
		if _, bounced := otp.Bounced(err); bounced {
			return n.fail(ctx, row, true, err) // the mailbox is refused for good: retrying cannot help
		}
	case models.ChannelWebhook:
		if st.WebhookURL == "" || len(st.WebhookSecretSealed) == 0 {
			return n.finish(ctx, row, models.NotificationSkipped, "the webhook was removed before sending")
		}
		err = n.post(ctx, row, st, items)
	default:
		return n.finish(ctx, row, models.NotificationFailed, "unknown channel "+row.Channel)
	}
	if err != nil {
		return n.fail(ctx, row, final, err)
	}
	return n.finish(ctx, row, models.NotificationSent, "")
}

func (n *Notifications) finish(ctx context.Context, row *models.Notification, status, msg string) error {
	row.Status, row.LastError = status, msg
	cols := []string{"status", "last_error", "attempts"}
	if status == models.NotificationSent {
		now := n.store.Now()
		row.SentAt = &now
		cols = append(cols, "sent_at")
	}
	if err := n.store.UpdateNotification(ctx, row, cols...); err != nil {
		return err
	}
	if row.Kind == models.NotifyDigest && status != models.NotificationPending {
		return n.store.MarkDigestItems(ctx, row.ID, status, row.SentAt)
	}
	return nil
}

// fail records a failed attempt; the last one marks the notification failed, others retry.
func (n *Notifications) fail(ctx context.Context, row *models.Notification, final bool, cause error) error {
	msg := truncate(cause.Error(), 500)
	if final {
		n.opts.Logger.WarnContext(ctx, "notification failed", "notification", row.ID, "user", row.UserID, "channel", row.Channel, "err", msg)
		return n.finish(ctx, row, models.NotificationFailed, msg)
	}
	row.LastError = msg
	if err := n.store.UpdateNotification(ctx, row, "attempts", "last_error"); err != nil {
		return err
	}
	return fmt.Errorf("%w: %s attempt %d: %s", ErrNotificationRetry, row.ID, row.Attempts, msg)
}

// NotificationBody is the JSON a webhook-style notification posts, signed like kycd's
// webhooks (X-Kycd-Signature with the secret update_notification_settings returned).
type NotificationBody struct {
	ID         string             `json:"id"`
	Type       string             `json:"type"`
	AccountID  string             `json:"account_id"`
	UserID     string             `json:"user_id"`
	Mode       models.Mode        `json:"mode"`
	CreatedAt  time.Time          `json:"created_at"`
	Summary    string             `json:"summary"`
	ObjectType string             `json:"object_type,omitempty"`
	ObjectID   string             `json:"object_id,omitempty"`
	URL        string             `json:"url,omitempty"`
	Data       json.RawMessage    `json:"data"`
	Items      []NotificationBody `json:"items,omitempty"`
}

func (n *Notifications) body(row *models.Notification) NotificationBody {
	data := json.RawMessage(row.Data)
	if !json.Valid(data) {
		data = json.RawMessage("{}")
	}
	return NotificationBody{ID: row.ID, Type: "notification." + row.Kind, AccountID: row.AccountID, UserID: row.UserID,
		Mode: row.Mode, CreatedAt: row.CreatedAt.UTC(), Summary: row.Summary, ObjectType: row.ObjectType, ObjectID: row.ObjectID,
		URL: n.link(row), Data: data}
}

func (n *Notifications) post(ctx context.Context, row *models.Notification, st *models.NotificationSettings, items []models.Notification) error {
	if n.opts.Hooks == nil {
		return errors.New("no webhook client is configured")
	}
	secret, err := n.store.Keyring().Open(st.WebhookSecretSealed)
	if err != nil {
		return fmt.Errorf("open notification webhook secret: %w", err)
	}
	b := n.body(row)
	for i := range items {
		b.Items = append(b.Items, n.body(&items[i]))
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	hdr := http.Header{}
	hdr.Set(webhook.HeaderEvent, b.Type)
	hdr.Set(webhook.HeaderDelivery, row.ID)
	hdr.Set(webhook.HeaderSignature, webhook.SignatureHeader(time.Now(), raw, string(secret)))
	res := n.opts.Hooks.Post(ctx, st.WebhookURL, hdr, raw)
	if !res.Delivered() {
		return res.Err
	}
	return nil
}

// link is the dashboard page of the notification's object ("" without a dashboard URL).
func (n *Notifications) link(row *models.Notification) string {
	if n.opts.DashboardURL == "" {
		return ""
	}
	switch row.ObjectType {
	case "verification":
		return n.opts.DashboardURL + "cases/" + row.ObjectID
	case "webhook_endpoint":
		return n.opts.DashboardURL + "settings/webhooks?endpoint_id=" + row.ObjectID
	case "api_key":
		return n.opts.DashboardURL + "settings/keys"
	}
	return n.opts.DashboardURL + "settings/notifications"
}

// renderMail is the plain-text e-mail of a notification or digest.
func (n *Notifications) renderMail(row *models.Notification, items []models.Notification) otp.Text {
	var b strings.Builder
	mode := ""
	if row.Mode == models.ModeTest {
		mode = "[test] "
	}
	subject := fmt.Sprintf("%s%s: %s", mode, n.opts.Product, row.Summary)
	if row.Kind == models.NotifyDigest {
		fmt.Fprintf(&b, "Your daily %s digest: %d notification(s).\n\n", n.opts.Product, len(items))
		for _, it := range items {
			fmt.Fprintf(&b, "- %s %s", it.CreatedAt.UTC().Format("2006-01-02 15:04 MST"), it.Summary)
			if it.Mode == models.ModeTest {
				b.WriteString(" (test mode)")
			}
			if l := n.link(&it); l != "" {
				b.WriteString("\n  " + l)
			}
			b.WriteString("\n")
		}
	} else {
		fmt.Fprintf(&b, "%s.\n\n", row.Summary)
		fmt.Fprintf(&b, "When: %s\nMode: %s\n", row.CreatedAt.UTC().Format(time.RFC1123), row.Mode)
		if l := n.link(row); l != "" {
			fmt.Fprintf(&b, "\nOpen it: %s\n", l)
		}
	}
	b.WriteString("\nYou get this because of your notification settings")
	if n.opts.DashboardURL != "" {
		b.WriteString(" (" + n.opts.DashboardURL + "settings/notifications)")
	}
	b.WriteString(".\n")
	return otp.Text{Subject: subject, Body: b.String(), Lang: "en"}
}

// NotifyKindsFor lists the kinds an operator of role may turn on.
func NotifyKindsFor(role string) []string {
	if role == RoleAdmin {
		return slices.Clone(models.NotifyKinds)
	}
	return slices.DeleteFunc(slices.Clone(models.NotifyKinds), AdminOnlyNotification)
}
