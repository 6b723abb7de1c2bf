package db_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

func TestNFCStore(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		require.NoError(t, s.EnsureAccount(ctx, "acct_b", "B"))
		a := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		b := db.Scope{AccountID: "acct_b", Mode: models.ModeTest}
		v := insert(t, s, a)
		other := insert(t, s, a)

		face := []byte("\xff\xd8\xff portrait")
		scan := &models.NFCScan{AccountID: a.AccountID, Mode: a.Mode, APIKeyID: "key_1", ActiveAuth: "passed",
			IssuingCountry: "UT", TrustStore: "database"}
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.InsertNFCScan(ctx, scan, map[string]any{"surname": "ERIKSSON"}, face)
		}))
		require.Regexp(t, `^nfc_`, scan.ID)
		require.False(t, bytes.Contains(scan.Details, []byte("ERIKSSON")), "sealed")
		require.False(t, bytes.Contains(scan.Face, []byte("portrait")), "sealed")

		got, err := s.GetNFCScan(ctx, a, scan.ID)
		require.NoError(t, err)
		var det map[string]any
		ok, err := s.NFCScanDetails(got, &det)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, "ERIKSSON", det["surname"])
		f, err := s.NFCScanFace(got)
		require.NoError(t, err)
		require.Equal(t, face, f)
		_, err = s.GetNFCScan(ctx, b, scan.ID)
		require.ErrorIs(t, err, db.ErrNotFound, "another account does not see it")

		_, err = s.LatestNFCScan(ctx, a, v.ID)
		require.ErrorIs(t, err, db.ErrNotFound)
		attach := func(id string) error {
			return s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error { return tx.AttachNFCScan(ctx, a, scan.ID, id) })
		}
		require.NoError(t, attach(v.ID))
		require.NoError(t, attach(v.ID), "again: a no-op")
		require.ErrorIs(t, attach(other.ID), db.ErrConflict)
		latest, err := s.LatestNFCScan(ctx, a, v.ID)
		require.NoError(t, err)
		require.Equal(t, scan.ID, latest.ID)

		rows, more, err := s.ListNFCScans(ctx, db.NFCScanFilter{Scope: a, Limit: 10})
		require.NoError(t, err)
		require.False(t, more)
		require.Len(t, rows, 1)
		rows, _, err = s.ListNFCScans(ctx, db.NFCScanFilter{Scope: b, Limit: 10})
		require.NoError(t, err)
		require.Empty(t, rows)

		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			n, err := tx.EraseNFCScans(ctx, a, []string{v.ID})
			require.Equal(t, 1, n)
			return err
		}))
		got, err = s.GetNFCScan(ctx, a, scan.ID)
		require.NoError(t, err)
		require.Nil(t, got.Details)
		require.Nil(t, got.Face)
		require.Equal(t, "passed", got.ActiveAuth, "the verdict stays")

		// Challenges answer once, before their deadline.
		ch := &models.NFCChallenge{AccountID: a.AccountID, Mode: a.Mode, VerificationID: &v.ID, Nonce: "0011223344556677",
			ExpiresAt: s.Now().Add(time.Minute)}
		require.NoError(t, s.InsertNFCChallenge(ctx, ch))
		use := func(sc db.Scope, id string, at time.Time) error {
			return s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				_, err := tx.UseNFCChallenge(ctx, sc, id, "nfc_x", at)
				return err
			})
		}
		require.ErrorIs(t, use(b, ch.ID, s.Now()), db.ErrNotFound)
		require.NoError(t, use(a, ch.ID, s.Now()))
		require.ErrorIs(t, use(a, ch.ID, s.Now()), db.ErrNFCChallengeUsed)
		late := &models.NFCChallenge{AccountID: a.AccountID, Mode: a.Mode, Nonce: "8899aabbccddeeff", ExpiresAt: s.Now().Add(time.Minute)}
		require.NoError(t, s.InsertNFCChallenge(ctx, late))
		require.ErrorIs(t, use(a, late.ID, s.Now().Add(2*time.Minute)), db.ErrNFCChallengeExpired)

		// The trust store: inserts are idempotent and move the version.
		v0, err := s.TrustStoreVersion(ctx)
		require.NoError(t, err)
		certs := []models.CSCACertificate{{ID: "aa", Country: "UT", Subject: "CN=CSCA", NotBefore: s.Now(), NotAfter: s.Now().Add(time.Hour),
			Source: "test", DER: []byte{1}}}
		n, err := s.InsertCSCACertificates(ctx, certs)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		n, err = s.InsertCSCACertificates(ctx, []models.CSCACertificate{{ID: "aa", Country: "UT", Subject: "CN=CSCA", NotBefore: s.Now(),
			NotAfter: s.Now(), Source: "again", DER: []byte{1}}})
		require.NoError(t, err)
		require.Zero(t, n)
		added, err := s.InsertCSCARevocationList(ctx, &models.CSCARevocationList{ID: "bb", Issuer: "CN=CSCA", ThisUpdate: s.Now(), Source: "x", DER: []byte{2}})
		require.NoError(t, err)
		require.True(t, added)
		v1, err := s.TrustStoreVersion(ctx)
		require.NoError(t, err)
		require.NotEqual(t, v0, v1)
		list, err := s.CSCACertificates(ctx)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, "test", list[0].Source)
		crls, err := s.CSCARevocationLists(ctx)
		require.NoError(t, err)
		require.Len(t, crls, 1)
	})
}
