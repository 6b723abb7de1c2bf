package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// The periodic River job, not a direct call, expires open sessions past expires_at.
func TestPeriodicExpiry(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_x", "X"))
		sc := db.Scope{AccountID: "acct_x", Mode: models.ModeTest}
		now := s.Now()
		mk := func(expires time.Time) string { return insertVerification(t, s, sc, expires).ID }
		past, future := mk(now.Add(-time.Second)), mk(now.Add(time.Hour))

		q, err := newQueue(s, jobs.Options{Work: true, ExpiryInterval: 200 * time.Millisecond, PollInterval: 50 * time.Millisecond})
		require.NoError(t, err)
		require.NoError(t, q.Start(ctx))
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = q.Stop(sctx)
		})
		require.Eventually(t, func() bool {
			v, err := s.GetVerification(ctx, sc, past)
			return err == nil && v.Status == models.StatusExpired
		}, 30*time.Second, 100*time.Millisecond)
		v, err := s.GetVerification(ctx, sc, future)
		require.NoError(t, err)
		require.Equal(t, models.StatusPending, v.Status)
		evs, _, err := s.ListEvents(ctx, db.EventFilter{Scope: sc, ObjectID: past, Ascending: true, Limit: 10})
		require.NoError(t, err)
		require.Equal(t, verify.EventExpired, evs[len(evs)-1].Type)
	})
}

// The periodic purge deletes stored idempotent responses older than the TTL and expired
// hand-off links, and keeps younger ones.
func TestPeriodicIdempotencyPurge(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_x", "X"))
		sc := db.Scope{AccountID: "acct_x", Mode: models.ModeTest}
		s.SetClock(func() time.Time { return time.Now().Add(-2 * time.Hour) })
		_, err := s.ClaimIdempotencyKey(ctx, sc, "old", "h", time.Hour, time.Minute)
		require.NoError(t, err)
		s.SetClock(time.Now)
		_, err = s.ClaimIdempotencyKey(ctx, sc, "new", "h", time.Hour, time.Minute)
		require.NoError(t, err)
		v := insertVerification(t, s, sc, time.Now().Add(time.Hour))
		require.NoError(t, s.RecordHandoff(ctx, "vho_old", v.ID, time.Now().Add(-time.Minute)))
		require.NoError(t, s.RecordHandoff(ctx, "vho_live", v.ID, time.Now().Add(10*time.Minute)))
		// An approved verification that ended two hours ago, with an image: past retention.
		ended := insertVerification(t, s, sc, time.Now().Add(time.Hour))
		_, err = s.DB.NewUpdate().Model((*models.Verification)(nil)).Set("status = ?", models.StatusApproved).
			Set("updated_at = ?", time.Now().Add(-2*time.Hour)).Where("id = ?", ended.ID).Exec(ctx)
		require.NoError(t, err)
		art := models.Artifact{AccountID: sc.AccountID, Mode: sc.Mode, VerificationID: ended.ID, Kind: models.ArtifactDocumentFront, ContentType: "image/jpeg"}
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.InsertArtifact(ctx, &art, []byte("passport"), nil)
		}))

		q, err := newQueue(s, jobs.Options{Work: true, IdempotencyTTL: time.Hour, ImageRetention: time.Hour, PurgeInterval: 200 * time.Millisecond, PollInterval: 50 * time.Millisecond})
		require.NoError(t, err)
		require.NoError(t, q.Start(ctx))
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = q.Stop(sctx)
		})
		// kept tells whether the key's row is still stored: a claim that never expires rows itself
		// finds it (keys are stored hashed, so they are not looked up by their text).
		kept := func(key string) bool {
			claim, err := s.ClaimIdempotencyKey(ctx, sc, key, "h", 365*24*time.Hour, 365*24*time.Hour)
			require.NoError(t, err)
			return !claim.Claimed
		}
		imagePurged := func() bool {
			got, err := s.GetArtifact(ctx, sc, art.ID)
			if err != nil {
				return false
			}
			_, err = s.ArtifactImage(got)
			return errors.Is(err, db.ErrPurged)
		}
		// One sweep purges all three in turn: wait for the last.
		require.Eventually(t, imagePurged, 30*time.Second, 100*time.Millisecond, "the image is past retention")
		require.False(t, kept("old"))
		require.True(t, kept("new"))
		var handoffs int
		require.NoError(t, s.DB.NewRaw(`SELECT count(*) FROM handoffs WHERE verification_id = ?`, v.ID).Scan(ctx, &handoffs))
		require.Equal(t, 1, handoffs, "the expired hand-off is deleted, the live one kept")
		ok, err := s.UseHandoff(ctx, "vho_live")
		require.NoError(t, err)
		require.True(t, ok)
	})
}

// insertVerification writes a pending screening verification expiring at expires.
func insertVerification(t *testing.T, s *db.Store, sc db.Scope, expires time.Time) *models.Verification {
	t.Helper()
	now := s.Now()
	var v *models.Verification
	require.NoError(t, s.InTx(context.Background(), func(ctx context.Context, tx *db.Tx) error {
		a, err := tx.FindOrCreateApplicant(ctx, sc, nil, nil)
		if err != nil {
			return err
		}
		token := db.RandomBase62(20)
		sealed, _ := s.Keyring().Seal([]byte(token))
		v = &models.Verification{ID: db.NewID("ver", now), Reference: "VER-" + db.RandomBase62(8), AccountID: sc.AccountID,
			Mode: sc.Mode, APIKeyID: "key_x", ApplicantID: a.ID, Status: models.StatusPending, Checks: `["screening"]`,
			Metadata: "{}", TokenHash: db.HashSecret(token), TokenSealed: sealed, ExpiresAt: expires, CreatedAt: now, UpdatedAt: now}
		return tx.InsertVerification(ctx, v)
	}))
	return v
}

// newQueue is a queue over s wired to a verify.Service without check engines.
func newQueue(s *db.Store, opts jobs.Options) (*jobs.Queue, error) {
	svc := verify.New(s, verify.Options{Logger: opts.Logger})
	q, err := jobs.New(s, svc, opts)
	if err != nil {
		return nil, err
	}
	svc.SetEnqueuer(q)
	return q, nil
}
