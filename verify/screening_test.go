package verify_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/testfiles"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// The screening check on the real OFAC SDN list: imported once into the database, picked up by
// a second process's index through Sync, and turned into outcomes with explained reasons.
func TestScreeningCheckOnOFAC(t *testing.T) {
	t.Parallel()
	dir := testfiles.Path(t, "sanctions", "ofac_sdn")
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		importer := verify.NewScreening(s, verify.ScreeningPolicy{}, nil)
		v, err := importer.Import(ctx, "ofac_sdn", dir)
		require.NoError(t, err)
		require.Greater(t, v.Entities, 7000)

		_, err = importer.Import(ctx, "ofac_sdn", t.TempDir())
		require.Error(t, err, "an empty folder must not replace the stored list")

		empty := verify.NewScreening(dbtest.SQLite(t), verify.ScreeningPolicy{}, nil)
		err = empty.Ready()
		require.Error(t, err, "no list in that database")
		require.Contains(t, err.Error(), "last checked at 20", "the message says when the database was read")

		// A running server whose index is empty reads the database on a miss: a list imported
		// a moment ago is used at once, not at the next periodic sync.
		svc := verify.NewScreening(s, verify.ScreeningPolicy{}, nil)
		require.NoError(t, svc.Ready(), "the import is picked up on the miss")
		require.NoError(t, svc.Sync(ctx))
		require.Equal(t, v.SHA256, svc.Screener().Versions()[0].SHA256)

		run := func(a models.ApplicantData) *models.CheckOutcome {
			out, err := svc.Run(ctx, &verify.CheckInput{Applicant: a})
			require.NoError(t, err)
			require.Equal(t, v.SHA256, out.Versions["list:ofac_sdn"])
			return out
		}
		hit := run(models.ApplicantData{Name: "Ayman al Zawahiri", DOB: "1951-06-19"})
		require.Equal(t, models.OutcomeReview, hit.Outcome)
		require.NotEmpty(t, hit.Reasons)
		require.Contains(t, hit.Reasons[0].Message, "2676")

		clean := run(models.ApplicantData{Name: "Erika Mustermann", DOB: "1964-08-12", Country: "DE"})
		require.Equal(t, models.OutcomePass, clean.Outcome, "%+v", clean.Reasons)

		strict := verify.NewScreening(s, verify.ScreeningPolicy{StrongHit: models.OutcomeFail}, nil)
		require.NoError(t, strict.Sync(ctx))
		out, err := strict.Run(ctx, &verify.CheckInput{Applicant: models.ApplicantData{Name: "Ayman al-Zawahiri"}})
		require.NoError(t, err)
		require.Equal(t, models.OutcomeFail, out.Outcome)

		require.Equal(t, []string{"the applicant's name (applicant.name when creating the verification)"}, svc.Missing(&verify.CheckInput{}))
	})
}

// The name, date of birth and nationality read from a check-digit-valid document win over
// what the integrator typed; without a document reading the typed data is screened.
func TestSubjectPrefersTheDocument(t *testing.T) {
	t.Parallel()
	in := &verify.CheckInput{Applicant: models.ApplicantData{Name: "Typed Name", DOB: "1990-01-01", Country: "DE"}}
	require.Equal(t, verify.ScreeningSubject{Name: "Typed Name", DOB: "1990-01-01", Nationality: "DE", From: "applicant"}, verify.SubjectOf(in))
	in.Document = &verify.DocumentFacts{FullName: "ERIKA MUSTERMANN", DateOfBirth: "1964-08-12", Nationality: "D"}
	require.Equal(t, verify.ScreeningSubject{Name: "ERIKA MUSTERMANN", DOB: "1964-08-12", Nationality: "DEU", From: "document"}, verify.SubjectOf(in))
}
