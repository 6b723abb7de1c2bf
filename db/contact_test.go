package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

// Contact rows: scoped reads, send counting by address and key, superseding and its undo,
// sealed addresses, erasure.
func TestContactChecksAndCodes(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		other := db.Scope{AccountID: "acct_b", Mode: models.ModeTest}
		k := s.Keyring()
		h := k.BlindIndex(models.ContactEmail, "jane@acme.example")
		require.Equal(t, h, k.BlindIndex(models.ContactEmail, "jane@acme.example"))
		require.NotEqual(t, h, k.BlindIndex(models.ContactPhone, "jane@acme.example"), "the kind is part of the index")

		require.NoError(t, s.EnsureAccount(ctx, sc.AccountID, "a"))
		var v *models.Verification
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			a, err := tx.FindOrCreateApplicant(ctx, sc, nil, nil)
			if err != nil {
				return err
			}
			v = dbtest.NewVerification(s, sc, a.ID)
			return tx.InsertVerification(ctx, v)
		}))

		now := s.Now()
		chk := &models.ContactCheck{ID: db.NewID("eml", now), AccountID: sc.AccountID, Mode: sc.Mode, APIKeyID: "key_1",
			Kind: models.ContactEmail, VerificationID: &v.ID, AddressHash: h, RiskLevel: "low", CreatedAt: now}
		code := func(id string, at time.Time) *models.ContactCode {
			return &models.ContactCode{ID: id, AccountID: sc.AccountID, Mode: sc.Mode, APIKeyID: "key_1", CheckID: chk.ID,
				Kind: models.ContactEmail, VerificationID: &v.ID, AddressHash: h, State: "{}", Channel: "log",
				ExpiresAt: at.Add(10 * time.Minute), CreatedAt: at, UpdatedAt: at}
		}
		c1, c2 := code("otp_1", now.Add(-2*time.Minute)), code("otp_2", now.Add(-time.Minute))
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			if err := tx.InsertContactCheck(ctx, chk, map[string]string{"normalized": "jane@acme.example"}); err != nil {
				return err
			}
			if err := tx.InsertContactCode(ctx, c1, "jane@acme.example"); err != nil {
				return err
			}
			return tx.InsertContactCode(ctx, c2, "jane@acme.example")
		}))
		require.NotContains(t, string(chk.Result), "acme")

		got, err := s.GetContactCheck(ctx, sc, chk.ID)
		require.NoError(t, err)
		var res map[string]string
		ok, err := s.OpenContactResult(got, &res)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "jane@acme.example", res["normalized"])
		_, err = s.GetContactCheck(ctx, other, chk.ID)
		require.ErrorIs(t, err, db.ErrNotFound)

		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			sends, keySends, err := tx.ContactSends(ctx, sc, h, "key_1", now.Add(-time.Hour))
			require.NoError(t, err)
			require.Len(t, sends, 2)
			require.True(t, sends[0].Before(sends[1]), "oldest first")
			require.Equal(t, 2, keySends)
			sends, _, err = tx.ContactSends(ctx, other, h, "key_2", now.Add(-time.Hour))
			require.NoError(t, err)
			require.Empty(t, sends, "another account's sends are its own")

			got, addr, err := tx.LockContactCode(ctx, sc, c1.ID)
			require.NoError(t, err)
			require.Equal(t, "jane@acme.example", addr)
			require.NotNil(t, got.SupersededAt, "the newer code supersedes the older")
			_, _, err = tx.LockContactCode(ctx, other, c1.ID)
			require.ErrorIs(t, err, db.ErrNotFound)
			return nil
		}))

		// An undelivered code goes, and the code it superseded is valid again.
		require.NoError(t, s.DeleteContactCode(ctx, c2))
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			got, _, err := tx.LockContactCode(ctx, sc, c1.ID)
			require.NoError(t, err)
			require.Nil(t, got.SupersededAt)
			_, _, err = tx.LockContactCode(ctx, sc, c2.ID)
			require.ErrorIs(t, err, db.ErrNotFound)

			chk2, v2, err := tx.ConfirmContactCheck(ctx, sc, chk.ID, now)
			require.NoError(t, err)
			require.NotNil(t, chk2.ConfirmedAt)
			require.Equal(t, v.ID, v2.ID)
			n, err := tx.EraseContacts(ctx, sc, []string{v.ID})
			require.NoError(t, err)
			require.Equal(t, 1, n)
			return nil
		}))
		confirmed, err := s.ConfirmedContacts(ctx, sc, v.ID, models.ContactEmail)
		require.NoError(t, err)
		require.Len(t, confirmed, 1)
		ok, err = s.OpenContactResult(&confirmed[0], &res)
		require.NoError(t, err)
		require.False(t, ok, "erased")
		require.Empty(t, confirmed[0].AddressHash)
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, addr, err := tx.LockContactCode(ctx, sc, c1.ID)
			require.NoError(t, err)
			require.Empty(t, addr)
			return nil
		}))
	})
}
