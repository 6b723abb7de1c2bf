package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/testfiles"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// nfcRegistry is a registry over s whose nfc engine is n.
func nfcRegistry(t *testing.T, s *db.Store, n *verify.NFC) *tooltest.Env {
	return tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckNFC: n.Runner()},
		func(_ *jobs.Options, d *tools.Deps) { d.NFC = n })
}

// realSOD is the verify_nfc input for a real German passport's EF.SOD (no data groups: they
// are personal data and not published).
func realSOD(t *testing.T, country string) map[string]any {
	b, err := os.ReadFile(testfiles.Path(t, "epassport", "gmrtd_real_sod", country, "EF.SOD.bin"))
	require.NoError(t, err)
	return map[string]any{"sod": base64.StdEncoding.EncodeToString(b), "data_groups": map[string]any{}}
}

// The German CSCA master list imported with the CLI, verified against the German root; then a
// real German SOD chains to a CSCA from it.
func TestCSCAImportGermanMasterList(t *testing.T) {
	t.Parallel()
	dir := testfiles.Path(t, "epassport", "master_lists")
	ml := filepath.Join(dir, "DE_ML_2026-05-28-08-28-45.ml")
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		n, err := verify.NewNFC(s, verify.NFCConfig{}, nil)
		require.NoError(t, err)

		var out bytes.Buffer
		err = cscaImport(ctx, n, []string{ml}, &out)
		require.ErrorContains(t, err, "--trust", "a master list without a root is refused")
		err = cscaImport(ctx, n, []string{"--trust", filepath.Join(dir, "NL_ROOT_CA.cer"), ml}, &out)
		require.ErrorContains(t, err, "nothing imported", "the wrong root: refused")
		count, err := n.TrustStoreLen(ctx)
		require.NoError(t, err)
		require.Zero(t, count)

		out.Reset()
		require.NoError(t, cscaImport(ctx, n, []string{"--trust", filepath.Join(dir, "DE_ROOT_CA_CSCA07.cer"), ml}, &out))
		require.Contains(t, out.String(), "588 certificates")
		require.Contains(t, out.String(), "CSCA Master List Signer")
		count, err = n.TrustStoreLen(ctx)
		require.NoError(t, err)
		require.Greater(t, count, 500)

		// A single certificate, and a folder of them, are trusted as given.
		out.Reset()
		require.NoError(t, cscaImport(ctx, n, []string{filepath.Join(dir, "IDN_2010series_2020-10_CSCA.cer")}, &out))
		require.Contains(t, out.String(), "1 certificate(s)")

		// Another process (a second engine over the same database) sees the import.
		other, err := verify.NewNFC(s, verify.NFCConfig{}, nil)
		require.NoError(t, err)
		e := nfcRegistry(t, s, other)
		for _, c := range []tools.Caller{e.Live, e.Test} {
			var scan tools.NFCScan
			require.Nil(t, e.Call(t, c, "verify_nfc", realSOD(t, "DE"), &scan))
			require.True(t, scan.SODSignatureValid)
			require.True(t, scan.DSCTrusted, "%+v", scan.Reasons)
			require.False(t, scan.ChipAuthentic, "no DG1: an SOD alone proves nothing")
			require.Equal(t, verify.TrustStoreDatabase, scan.TrustStore)
			require.Len(t, scan.Chain, 2)
			require.Equal(t, "DE", scan.Chain[1].Country)
			require.Contains(t, scan.Chain[1].Source, "master list")
			require.True(t, hasReason(scan, "dg1_missing"))
		}
		var l tools.CSCAList
		require.Nil(t, e.Call(t, e.ReadOnly, "list_csca", map[string]any{"country": "de", "limit": 5}, &l))
		require.Equal(t, verify.TrustStoreDatabase, l.TrustStore)
		require.Len(t, l.Certificates, 5)
		require.True(t, l.HasMore)
		for _, c := range l.Certificates {
			require.Equal(t, "DE", c.Country)
			require.True(t, strings.HasPrefix(c.Source, "master list signed by"), c.Source)
		}
	})
}

func hasReason(s tools.NFCScan, code string) bool {
	for _, r := range s.Reasons {
		if r.Code == code {
			return true
		}
	}
	return false
}

// Test keys may use the shared master lists while the database has no CSCA; live keys never.
func TestNFCTestModeTrustStore(t *testing.T) {
	t.Parallel()
	dir := testfiles.Path(t, "epassport", "master_lists")
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		n, err := verify.NewNFC(s, verify.NFCConfig{TestTrustDir: dir}, nil)
		require.NoError(t, err)
		ok, err := n.Configured(context.Background())
		require.NoError(t, err)
		require.True(t, ok)
		e := nfcRegistry(t, s, n)

		var scan tools.NFCScan
		require.Nil(t, e.Call(t, e.Test, "verify_nfc", realSOD(t, "DE"), &scan))
		require.True(t, scan.DSCTrusted, "%+v", scan.Reasons)
		require.True(t, strings.HasPrefix(scan.TrustStore, "test: "), scan.TrustStore)
		require.Contains(t, scan.TrustStore, "DE_ML_")

		require.Nil(t, e.Call(t, e.Live, "verify_nfc", realSOD(t, "DE"), &scan))
		require.False(t, scan.DSCTrusted)
		require.Equal(t, verify.TrustStoreDatabase, scan.TrustStore)
		require.True(t, hasReason(scan, "dsc_not_trusted"))

		var l tools.CSCAList
		require.Nil(t, e.Call(t, e.Live, "list_csca", map[string]any{}, &l))
		require.Zero(t, l.Total)
		require.Contains(t, l.TrustStore, "empty")
	})
}
