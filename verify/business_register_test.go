package verify_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/checks/business/goldencopy"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/testfiles"
	"github.com/kycd/kycd/verify"
)

// The database register answers like the in-memory one for the same Golden Copy files.
func TestBusinessRegisterParity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		files, _, err := goldencopy.GenerateFiles(testfiles.Path(t, "lei", "gleif_api_v1"), t.TempDir(), false)
		require.NoError(t, err)
		mem := business.NewMemRegister()
		_, err = goldencopy.Load(ctx, mem, files, goldencopy.Options{})
		require.NoError(t, err)
		loader := &verify.RegisterLoader{Store: s, BatchRows: 7} // many small batches
		_, err = goldencopy.Load(ctx, loader, files, goldencopy.Options{})
		require.NoError(t, err)
		require.NoError(t, loader.Flush(ctx))
		// Loading twice changes nothing (an import upserts).
		_, err = goldencopy.Load(ctx, loader, files, goldencopy.Options{})
		require.NoError(t, err)
		require.NoError(t, loader.Flush(ctx))
		// Synthetic records make some name words common.
		for i := range 200 {
			r := goldencopy.SyntheticRecord(i)
			require.NoError(t, mem.PutRecord(ctx, r))
			require.NoError(t, loader.PutRecord(ctx, r))
		}
		require.NoError(t, loader.Flush(ctx))

		dbReg := verify.BusinessRegister{Store: s, WordLimit: 12}
		on, off := business.Offline{Register: mem}, business.Offline{Register: dbReg}
		for _, lei := range []string{"529900GRZ2BQY5ZM9N49", "5493001KJTIIGC8Y1R12", "335800CCCPHKUOXPC332", "254900LNRYNOQ9YPU758", "INR2EJN1ERAN0W5ZP974"} {
			a, err := on.Record(ctx, lei)
			require.NoError(t, err)
			b, err := off.Record(ctx, lei)
			require.NoError(t, err)
			require.Equal(t, a, b, lei)
			for _, lv := range []business.Level{business.Direct, business.Ultimate} {
				pa, err := on.Parent(ctx, lei, lv)
				require.NoError(t, err)
				pb, err := off.Parent(ctx, lei, lv)
				require.NoError(t, err)
				require.Equal(t, pa, pb, "%s %s parent", lei, lv)
				xa, err := on.ReportingException(ctx, lei, lv)
				require.NoError(t, err)
				xb, err := off.ReportingException(ctx, lei, lv)
				require.NoError(t, err)
				require.Equal(t, xa, xb, "%s %s exception", lei, lv)
				ca, err := on.Children(ctx, lei, lv, 3)
				require.NoError(t, err)
				cb, err := off.Children(ctx, lei, lv, 3)
				require.NoError(t, err)
				require.Equal(t, ca.Total, cb.Total, "%s %s children", lei, lv)
				require.Len(t, cb.Items, len(ca.Items))
			}
		}
		_, err = off.Record(ctx, "529900GRZ2BQY5ZM9N48")
		require.Error(t, err)
		_, err = off.Record(ctx, "5299009N55YRQC69CN08")
		require.ErrorIs(t, err, business.ErrNotFound)

		leis := func(rs []business.Record) []string {
			out := []string{}
			for _, r := range rs {
				out = append(out, r.LEI)
			}
			return out
		}
		for _, q := range []business.SearchQuery{
			{LegalName: "PUMA SE"},
			{LegalName: "Commerzbank", Jurisdiction: "DE"},
			{RegisteredAs: "HRB 32000"},
			{LegalName: "Nordic Alpine"},      // only common words: the names with both
			{LegalName: "Global Capital Ltd"}, // idem
		} {
			a, err := mem.Search(ctx, q)
			require.NoError(t, err)
			b, err := dbReg.Search(ctx, q)
			require.NoError(t, err)
			require.NotEmpty(t, b, "%+v", q)
			if q.LegalName == "Nordic Alpine" || q.LegalName == "Global Capital Ltd" {
				require.Subset(t, leis(a), leis(b), "%+v", q) // the database bounds common words
				continue
			}
			require.Equal(t, leis(a), leis(b), "%+v", q)
		}
	})
}
