package db_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

func TestHandoffsAreSingleUse(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		var skew atomic.Int64
		s.SetClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		v := insert(t, s, db.Scope{AccountID: "acct_a", Mode: models.ModeTest})
		exp := s.Now().Add(10 * time.Minute)

		// Only the hash is stored.
		require.NoError(t, s.RecordHandoff(ctx, "vho_first", v.ID, exp))
		var rows []models.Handoff
		require.NoError(t, s.DB.NewSelect().Model(&rows).Scan(ctx))
		require.Len(t, rows, 1)
		require.Equal(t, db.HashSecret("vho_first"), rows[0].TokenHash)
		require.Nil(t, rows[0].RedeemedAt)

		for range 2 {
			usable, err := s.HandoffUsable(ctx, "vho_first")
			require.NoError(t, err)
			require.True(t, usable, "looking does not use it up")
		}
		ok, err := s.UseHandoff(ctx, "vho_first")
		require.NoError(t, err)
		require.True(t, ok, "the first use opens the session")
		usable, err := s.HandoffUsable(ctx, "vho_first")
		require.NoError(t, err)
		require.False(t, usable, "used")
		usable, err = s.HandoffUsable(ctx, "vho_never_issued")
		require.NoError(t, err)
		require.False(t, usable)
		ok, err = s.UseHandoff(ctx, "vho_first")
		require.NoError(t, err)
		require.False(t, ok, "a second use is refused")
		ok, err = s.UseHandoff(ctx, "vho_never_issued")
		require.NoError(t, err)
		require.False(t, ok, "a token that was never recorded is refused")

		// Two phones at once: exactly one wins, on both databases.
		for round := range 5 {
			tok := "vho_race_" + string(rune('a'+round))
			require.NoError(t, s.RecordHandoff(ctx, tok, v.ID, exp))
			var wins atomic.Int32
			var wg sync.WaitGroup
			start := make(chan struct{})
			for range 8 {
				wg.Go(func() {
					<-start
					ok, err := s.UseHandoff(ctx, tok)
					if err != nil {
						t.Error(err)
					}
					if ok {
						wins.Add(1)
					}
				})
			}
			close(start)
			wg.Wait()
			require.EqualValues(t, 1, wins.Load(), "round %d", round)
		}

		// Expired and unused: refused, and gone once the verification issues a new one.
		require.NoError(t, s.RecordHandoff(ctx, "vho_late", v.ID, exp))
		skew.Store(int64(11 * time.Minute))
		usable, err = s.HandoffUsable(ctx, "vho_late")
		require.NoError(t, err)
		require.False(t, usable, "expired")
		ok, err = s.UseHandoff(ctx, "vho_late")
		require.NoError(t, err)
		require.False(t, ok, "an expired hand-off is refused")
		require.NoError(t, s.RecordHandoff(ctx, "vho_next", v.ID, s.Now().Add(10*time.Minute)))
		rows = nil
		require.NoError(t, s.DB.NewSelect().Model(&rows).Scan(ctx))
		require.Len(t, rows, 1, "expired hand-offs of the verification are deleted when it issues a new one")
		require.Equal(t, db.HashSecret("vho_next"), rows[0].TokenHash)

		require.Error(t, s.RecordHandoff(ctx, "vho_x", "ver_unknown", exp), "the verification must exist")
	})
}
