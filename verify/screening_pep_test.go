package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// A PEP list is its own source; its hits carry category pep and ask for review, even under a
// policy that fails strong sanctions hits (#19). The list is generated here.
func TestScreeningPEPIsReview(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "peps.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(
		`{"name":"Jana Testova-Novakova","aliases":["Jana Novakova"],"position":"Minister of Transport","country":"CZ","start_date":"2021-12","dob":"1970-03-04","source_url":"https://www.wikidata.org/wiki/Q4115189"}`+"\n"+
			`{"name":"Piet Voorbeeldmans","position":"Mayor of Voorbeeld","country":"NL","start_date":"2019","end_date":"2023"}`+"\n"), 0o600))
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		svc := verify.NewScreening(s, verify.ScreeningPolicy{StrongHit: models.OutcomeFail}, nil)
		v, err := svc.Import(ctx, "pep", path)
		require.NoError(t, err)
		require.Equal(t, 2, v.Entities)
		require.NoError(t, svc.Sync(ctx))
		out, err := svc.Run(ctx, &verify.CheckInput{Applicant: models.ApplicantData{Name: "Jana Novakova"}})
		require.NoError(t, err)
		require.Equal(t, models.OutcomeReview, out.Outcome, "a PEP is reviewed, not rejected")
		require.Equal(t, "screening_pep_hit", out.Reasons[0].Code)
		clean, err := svc.Run(ctx, &verify.CheckInput{Applicant: models.ApplicantData{Name: "Erika Mustermann"}})
		require.NoError(t, err)
		require.Equal(t, models.OutcomePass, clean.Outcome)
	})
}
