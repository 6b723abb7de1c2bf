package db_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

// reopen opens the database of s again with another keyring (another process, or the same
// one after a configuration change).
func reopen(t *testing.T, s *db.Store, spec string) *db.Store {
	t.Helper()
	k, err := db.NewKeyring(spec)
	require.NoError(t, err)
	opts := db.Options{Keyring: k}
	if s.Dialect == db.SQLite {
		opts.DataDir = filepath.Dir(s.Location())
	} else {
		opts.URL, opts.Schema, opts.MaxConns = dbtest.URL(), s.Schema, 2
	}
	o, err := db.Open(context.Background(), opts)
	require.NoError(t, err)
	t.Cleanup(func() { o.Close() })
	return o
}

const (
	oldKey = "old:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	newKey = "new:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA="
)

func TestDataKeys(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, base *db.Store) {
		ctx := context.Background()
		s := reopen(t, base, oldKey)
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		require.NoError(t, s.EnsureAccount(ctx, sc.AccountID, "A"))
		var a, b *models.Applicant
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			var err error
			if a, err = tx.FindOrCreateApplicant(ctx, sc, nil, models.ApplicantData{Name: "Erika Mustermann"}); err != nil {
				return err
			}
			b, err = tx.FindOrCreateApplicant(ctx, sc, nil, models.ApplicantData{Name: "Jane Roe"})
			return err
		}))
		require.True(t, bytes.HasPrefix(a.PII, []byte("d1:"+a.ID+":")), "the applicant data is sealed with its own data key")
		require.NotContains(t, string(a.PII), "Erika")

		// Another process (no cache) opens it; text sealing round-trips; plain text passes through.
		other := reopen(t, base, oldKey)
		pt, err := other.Keyring().Open(a.PII)
		require.NoError(t, err)
		require.JSONEq(t, `{"name":"Erika Mustermann"}`, string(pt))
		st, err := s.Keyring().SealText(a.ID, `{"reason":"Erika"}`)
		require.NoError(t, err)
		require.True(t, db.IsSealedText(st))
		got, err := other.Keyring().OpenText(st)
		require.NoError(t, err)
		require.Equal(t, `{"reason":"Erika"}`, got)
		got, err = other.Keyring().OpenText(`{"plain":true}`)
		require.NoError(t, err)
		require.Equal(t, `{"plain":true}`, got)

		// A ciphertext moved to another owner does not open: the owner is authenticated.
		moved := append([]byte("d1:"+b.ID+":"), a.PII[len("d1:"+a.ID+":"):]...)
		_, err = s.Keyring().Open(moved)
		require.Error(t, err)
		// Nor does a wrapped key moved to another owner's row.
		var ka, kb models.DataKey
		require.NoError(t, s.DB.NewSelect().Model(&ka).Where("owner_id = ?", a.ID).Scan(ctx))
		require.NoError(t, s.DB.NewSelect().Model(&kb).Where("owner_id = ?", b.ID).Scan(ctx))
		_, err = s.DB.NewUpdate().Model((*models.DataKey)(nil)).Set("wrapped = ?", ka.Wrapped).Where("owner_id = ?", b.ID).Exec(ctx)
		require.NoError(t, err)
		_, err = reopen(t, base, oldKey).Keyring().Open(b.PII)
		require.ErrorContains(t, err, "unwrap data key")
		_, err = s.DB.NewUpdate().Model((*models.DataKey)(nil)).Set("wrapped = ?", kb.Wrapped).Where("owner_id = ?", b.ID).Exec(ctx)
		require.NoError(t, err)

		// Rotation: a new primary key, then rewrap; the data is untouched, the old key can go.
		rotated := reopen(t, base, newKey+","+oldKey)
		n, err := rotated.RewrapDataKeys(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		n, err = rotated.RewrapDataKeys(ctx)
		require.NoError(t, err)
		require.Zero(t, n, "already wrapped with the primary key")
		pt, err = reopen(t, base, newKey).Keyring().Open(a.PII)
		require.NoError(t, err, "the data opens without the old key")
		require.Contains(t, string(pt), "Erika")
		_, err = reopen(t, base, oldKey).Keyring().Open(a.PII)
		require.ErrorContains(t, err, `key "new" is not in the keyring`)

		// Shredding: a's key goes; in this process (which had it cached) and in a fresh one
		// nothing sealed with it opens any more, b's data is untouched. Sealing for an owner
		// without a key falls back to the keyring (rows from before data keys).
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			n, err := tx.ShredDataKeys(ctx, []string{a.ID})
			require.Equal(t, 1, n)
			return err
		}))
		for _, st := range []*db.Store{s, reopen(t, base, newKey)} {
			_, err = st.Keyring().Open(a.PII)
			require.ErrorIs(t, err, db.ErrShredded)
			_, err = st.Keyring().OpenText(got)
			require.NoError(t, err)
			pt, err = st.Keyring().Open(b.PII)
			require.NoError(t, err)
			require.Contains(t, string(pt), "Jane")
		}
		fallback, err := s.Keyring().SealFor(a.ID, []byte("late"))
		require.NoError(t, err)
		require.True(t, bytes.HasPrefix(fallback, []byte("v1:old:")))
	})
}
