package verify

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/mrz"
	"github.com/kycd/kycd/models"
)

// The chip's MRZ against the photographed one: another document fails, a differing name (not
// check-digit protected in the photo) goes to a person, no reading compares nothing.
func TestNFCCompareMRZ(t *testing.T) {
	t.Parallel()
	chip := &mrz.Result{DocumentNumber: "L898902C3", DateOfBirth: "1974-08-12", IssuingState: "UTO", Nationality: "UTO",
		Surname: "ERIKSSON", GivenNames: "ANNA MARIA"}
	same := DocumentFacts{Number: "L898902C3", DateOfBirth: "1974-08-12", IssuingCountry: "UTO", Nationality: "UTO", FullName: "Anna Maria Eriksson"}
	for _, tc := range []struct {
		name   string
		checks []models.Check
		doc    *DocumentFacts
		want   models.Outcome
		code   string
	}{
		{"no document check", []models.Check{models.CheckNFC}, &same, models.OutcomePass, ""},
		{"no valid reading", []models.Check{models.CheckDocument, models.CheckNFC}, nil, models.OutcomePass, ""},
		{"same document", []models.Check{models.CheckDocument, models.CheckNFC}, &same, models.OutcomePass, ""},
		{"another number", []models.Check{models.CheckDocument, models.CheckNFC}, func() *DocumentFacts { d := same; d.Number = "X1234567"; return &d }(), models.OutcomeFail, "nfc_mrz_mismatch"},
		{"another birth date", []models.Check{models.CheckDocument, models.CheckNFC}, func() *DocumentFacts { d := same; d.DateOfBirth = "1975-08-12"; return &d }(), models.OutcomeFail, "nfc_mrz_mismatch"},
		{"another name", []models.Check{models.CheckDocument, models.CheckNFC}, func() *DocumentFacts { d := same; d.FullName = "Anna Svensson"; return &d }(), models.OutcomeReview, "nfc_name_mismatch"},
	} {
		out := &models.CheckOutcome{Outcome: models.OutcomePass, Details: map[string]any{}}
		(&NFCCheck{}).compareMRZ(&CheckInput{Checks: tc.checks, Document: tc.doc}, chip, out)
		require.Equal(t, tc.want, out.Outcome, tc.name)
		if tc.code != "" {
			require.Equal(t, tc.code, out.Reasons[0].Code, tc.name)
		}
	}
}
