package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

// Notification settings and rows: upserts keep the digest clock, recipients are the enabled
// users of the account, a dedupe key inserts once per user and channel, digests batch, and an
// API key stops working at its expiry.
func TestNotificationStore(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_n", "acct_n"))
		alice := &models.User{AccountID: "acct_n", Email: "alice@n.example", Role: "admin"}
		bob := &models.User{AccountID: "acct_n", Email: "bob@n.example", Role: "viewer"}
		other := &models.User{AccountID: "acct_o", Email: "olga@o.example", Role: "admin"}
		for _, u := range []*models.User{alice, bob, other} {
			require.NoError(t, s.EnsureAccount(ctx, u.AccountID, u.AccountID))
			require.NoError(t, s.CreateUser(ctx, u))
		}
		_, err := s.NotificationSettings(ctx, alice.ID)
		require.True(t, errors.Is(err, db.ErrNotFound))

		st := &models.NotificationSettings{UserID: alice.ID, AccountID: "acct_n", Email: true, Events: `{"case_review":"immediate"}`, DigestHour: 8, UpdatedBy: alice.ID}
		require.NoError(t, s.PutNotificationSettings(ctx, st))
		require.NoError(t, s.PutNotificationSettings(ctx, &models.NotificationSettings{UserID: bob.ID, AccountID: "acct_n", Events: "{}", DigestHour: 8}))
		require.NoError(t, s.PutNotificationSettings(ctx, &models.NotificationSettings{UserID: other.ID, AccountID: "acct_o", Events: "{}", DigestHour: 8}))
		at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error { return tx.SetLastDigest(ctx, alice.ID, at) }))
		st.WebhookURL, st.WebhookSecretSealed, st.DigestHour = "https://hooks.example.com/a", []byte{1, 2, 3}, 17
		require.NoError(t, s.PutNotificationSettings(ctx, st))
		got, err := s.NotificationSettings(ctx, alice.ID)
		require.NoError(t, err)
		require.Equal(t, 17, got.DigestHour)
		require.Equal(t, "https://hooks.example.com/a", got.WebhookURL)
		require.Equal(t, []byte{1, 2, 3}, got.WebhookSecretSealed)
		require.NotNil(t, got.LastDigestAt, "an update keeps the digest clock")
		require.True(t, got.LastDigestAt.Equal(at))

		// Recipients: the account's enabled users with settings.
		now := s.Now()
		bob.DisabledAt = &now
		require.NoError(t, s.UpdateUser(ctx, bob, "disabled_at"))
		rs, err := db.NotificationRecipients(ctx, s.DB, "acct_n")
		require.NoError(t, err)
		require.Len(t, rs, 1)
		require.Equal(t, alice.ID, rs[0].User.ID)

		// One row per user, channel and dedupe key.
		row := func(ch, key, status string) *models.Notification {
			return &models.Notification{ID: db.NewID("ntf", s.Now()), AccountID: "acct_n", UserID: alice.ID, Mode: models.ModeLive,
				Kind: models.NotifyCaseReview, Channel: ch, DedupeKey: key, Summary: "x", Data: "{}", Status: status, CreatedAt: s.Now()}
		}
		for _, c := range []struct {
			n    *models.Notification
			want bool
		}{
			{row("email", "ev:1", models.NotificationDigest), true},
			{row("email", "ev:1", models.NotificationDigest), false},
			{row("webhook", "ev:1", models.NotificationDigest), true},
			{row("email", "ev:2", models.NotificationDigest), true},
			{row("email", "ev:3", models.NotificationPending), true},
		} {
			ok, err := db.InsertNotification(ctx, s.DB, c.n)
			require.NoError(t, err)
			require.Equal(t, c.want, ok, c.n.DedupeKey+"/"+c.n.Channel)
		}
		users, err := s.UsersWithDigestItems(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{alice.ID}, users)

		var items []models.Notification
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			if items, err = tx.DigestItems(ctx, alice.ID, "email"); err != nil {
				return err
			}
			return tx.BatchIntoDigest(ctx, "ntf_digest", []string{items[0].ID, items[1].ID})
		}))
		require.Len(t, items, 2)
		of, err := s.NotificationsOfDigest(ctx, "ntf_digest")
		require.NoError(t, err)
		require.Len(t, of, 2)
		sent := s.Now()
		require.NoError(t, s.MarkDigestItems(ctx, "ntf_digest", models.NotificationSent, &sent))

		page, more, err := s.ListNotifications(ctx, db.NotificationFilter{AccountID: "acct_n", UserID: alice.ID, Limit: 2})
		require.NoError(t, err)
		require.True(t, more)
		require.Len(t, page, 2)
		rest, more, err := s.ListNotifications(ctx, db.NotificationFilter{AccountID: "acct_n", UserID: alice.ID, Before: page[1].ID, Limit: 10})
		require.NoError(t, err)
		require.False(t, more)
		require.Len(t, rest, 2)
		sentRows, _, err := s.ListNotifications(ctx, db.NotificationFilter{AccountID: "acct_n", Status: models.NotificationSent, Limit: 10})
		require.NoError(t, err)
		require.Len(t, sentRows, 2)
		none, _, err := s.ListNotifications(ctx, db.NotificationFilter{AccountID: "acct_o", Limit: 10})
		require.NoError(t, err)
		require.Empty(t, none, "another account sees none")

		// Key expiry: listed while due, refused once past.
		base := time.Now().UTC()
		clock := base
		s.SetClock(func() time.Time { return clock })
		_, _, err = s.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_n", Name: "past", Mode: models.ModeLive, ExpiresAt: ptrTime(base.Add(-time.Hour))})
		require.Error(t, err, "an expiry in the past is refused")
		secret, k, err := s.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_n", Name: "soon", Mode: models.ModeLive, ExpiresAt: ptrTime(base.Add(48 * time.Hour))})
		require.NoError(t, err)
		exp, err := s.ExpiringAPIKeys(ctx, base, base.Add(7*24*time.Hour))
		require.NoError(t, err)
		require.Len(t, exp, 1)
		require.Equal(t, k.ID, exp[0].ID)
		exp, err = s.ExpiringAPIKeys(ctx, base, base.Add(24*time.Hour))
		require.NoError(t, err)
		require.Empty(t, exp)
		_, err = s.LookupAPIKey(ctx, secret)
		require.NoError(t, err)
		clock = base.Add(49 * time.Hour)
		_, err = s.LookupAPIKey(ctx, secret)
		require.True(t, errors.Is(err, db.ErrNotFound), "an expired key no longer works: %v", err)
	})
}

func ptrTime(t time.Time) *time.Time { return &t }
