package verify

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

// notifyQueue is the enqueued fake that also takes notifications.
type notifyQueue struct {
	enqueued
	nmu  sync.Mutex
	sent []string
}

func (q *notifyQueue) EnqueueNotifications(_ context.Context, _ *db.Tx, ids []string) error {
	q.nmu.Lock()
	defer q.nmu.Unlock()
	q.sent = append(q.sent, ids...)
	return nil
}

// Which events notify whom: a verification entering needs_review is a case_review; a
// monitoring match is a screening_match (and only that, even when it moved the case into
// review); staying in review, other statuses, test-mode events for a user who did not ask,
// and other accounts' events notify nobody. Every event notifies once per user and channel.
func TestNotifyEvents(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		svc := New(s, Options{})
		q := &notifyQueue{}
		svc.SetEnqueuer(q)
		svc.EnableNotifications(NotifyOptions{})
		for _, u := range []*models.User{
			{ID: "usr_ann", AccountID: "acct_a", Email: "ann@a.example", Role: RoleReviewer},
			{ID: "usr_dig", AccountID: "acct_a", Email: "dig@a.example", Role: RoleViewer},
		} {
			require.NoError(t, s.EnsureAccount(ctx, u.AccountID, u.AccountID))
			require.NoError(t, s.CreateUser(ctx, u))
		}
		require.NoError(t, s.PutNotificationSettings(ctx, &models.NotificationSettings{UserID: "usr_ann", AccountID: "acct_a", Email: true,
			WebhookURL: "https://hooks.example.com/ann", Events: `{"case_review":"immediate","screening_match":"immediate","key_expiring":"immediate"}`, DigestHour: 8}))
		require.NoError(t, s.PutNotificationSettings(ctx, &models.NotificationSettings{UserID: "usr_dig", AccountID: "acct_a", Email: true,
			Events: `{"case_review":"digest"}`, DigestHour: 8, TestMode: true}))

		emit := func(account string, mode models.Mode, typ string, data string) string {
			ev := &models.Event{AccountID: account, Mode: mode, ObjectType: "verification", ObjectID: "ver_" + typ, Type: typ, Data: data}
			require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error { return svc.Emit(ctx, tx, ev, "") }))
			return ev.ID
		}
		rows := func() []models.Notification {
			out, _, err := s.ListNotifications(ctx, db.NotificationFilter{AccountID: "acct_a", Limit: 100})
			require.NoError(t, err)
			return out
		}

		emit("acct_a", models.ModeLive, EventCompleted, `{"reference":"VRF-1","status":"needs_review","previous_status":"processing"}`)
		got := rows()
		require.Len(t, got, 3, "ann by e-mail and webhook, dig in the digest")
		kinds := map[string]int{}
		for _, n := range got {
			kinds[n.UserID+"/"+n.Channel+"/"+n.Status]++
			require.Equal(t, models.NotifyCaseReview, n.Kind)
			require.Contains(t, n.Summary, "VRF-1")
		}
		require.Equal(t, map[string]int{"usr_ann/email/pending": 1, "usr_ann/webhook/pending": 1, "usr_dig/email/digest": 1}, kinds)
		require.Len(t, q.sent, 2, "only the immediate ones are enqueued")

		// Nothing for: staying in review, approvals, another account; test mode only for dig.
		emit("acct_a", models.ModeLive, EventReviewed, `{"reference":"VRF-1","status":"needs_review","previous_status":"needs_review"}`)
		emit("acct_a", models.ModeLive, EventCompleted, `{"reference":"VRF-2","status":"approved","previous_status":"processing"}`)
		emit("acct_b", models.ModeLive, EventCompleted, `{"reference":"VRF-3","status":"needs_review","previous_status":"processing"}`)
		require.Len(t, rows(), 3)
		emit("acct_a", models.ModeTest, EventCompleted, `{"reference":"VRF-4","status":"needs_review","previous_status":"processing"}`)
		got = rows()
		require.Len(t, got, 4)
		require.Equal(t, "usr_dig", got[0].UserID)

		// A monitoring match that moved the case into review: one screening_match, no case_review.
		emit("acct_a", models.ModeLive, EventScreeningMatch, `{"reference":"VRF-5","status":"needs_review","previous_status":"approved","hits":[{"source":"ofac"},{"source":"un"}],"cause":"list_update"}`)
		got = rows()
		require.Len(t, got, 6)
		for _, n := range got[:2] {
			require.Equal(t, models.NotifyScreeningMatch, n.Kind)
			require.Equal(t, "usr_ann", n.UserID)
			require.Contains(t, n.Summary, "2 new screening match")
			require.NotContains(t, n.Data, "ofac", "no hit details (names) in a notification")
		}

		// The same notice raised twice (a rescued job) is stored once.
		nt := notice{AccountID: "acct_a", Mode: models.ModeLive, Kind: models.NotifyCaseReview, DedupeKey: "ev:dup", ObjectType: "verification", ObjectID: "ver_x", Summary: "x"}
		for range 2 {
			require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error { return svc.notify.raise(ctx, tx, nt) }))
		}
		require.Len(t, rows(), 9)

		// key_expiring reaches only admins: ann is a reviewer.
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return svc.notify.raise(ctx, tx, notice{AccountID: "acct_a", Mode: models.ModeLive, Kind: models.NotifyKeyExpiring, DedupeKey: "key:1", Summary: "k"})
		}))
		require.Len(t, rows(), 9)
	})
}
