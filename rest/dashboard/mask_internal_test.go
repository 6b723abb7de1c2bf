package dashboard

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// maskCase leaves none of the applicant's personal data in what the case page renders: not
// the declared data, not what the document or the screening read (quoted in reasons), not in
// comments, signals or images; scores, outcomes and codes stay.
func TestMaskCase(t *testing.T) {
	t.Parallel()
	score := 0.91
	c := models.CheckOutcome{Check: "document", Outcome: models.OutcomeReview, Score: &score,
		Reasons: []models.Reason{{Code: "name_mismatch", Message: `the document says "MUSTERMANN ERIKA GABRIELE", declared Erika Mustermann`}},
		Details: map[string]any{"document_type": "passport", "issuing_country": "D", "document_number_masked": "C01X•••47",
			"date_of_birth": "1964-08-12", "mrz": map[string]any{"lines": []any{"P<D<<MUSTERMANN<<ERIKA<<<<", "C01X00T478D<<6408125F"}, "valid": true},
			"holder": map[string]any{"full_name": "ERIKA MUSTERMANN", "address": "HEIDESTRASSE 17, 51147 KÖLN"}, "extraction_confidence": 0.93}}
	d := caseData{
		V: tools.Verification{ID: "ver_1", Applicant: &models.ApplicantData{Name: "Erika Mustermann", DOB: "1964-08-12", Email: "erika@example.org", Country: "DE"},
			Signals: &tools.VerificationSignals{}, Review: &tools.VerificationReview{Reason: "Erika's MRZ is fine"}},
		Review: tools.ReviewCase{Comments: []tools.ReviewComment{{Body: "called erika mustermann, born 1964-08-12", CreatedAt: time.Now()}}},
		Images: map[string][]tools.CaseImage{"selfie": {{ID: "art_1"}}},
		Checks: []checkView{toCheckView(c)},
	}
	d.Face = &faceView{Selfie: &tools.CaseImage{ID: "art_1"}}
	maskCase(&d)
	b, err := json.Marshal(d)
	require.NoError(t, err)
	for _, pii := range []string{"Erika", "ERIKA", "Mustermann", "MUSTERMANN", "GABRIELE", "1964-08-12", "erika@example.org", "C01X00T47",
		"HEIDESTRASSE", "KÖLN", "art_1"} {
		require.NotContains(t, string(b), pii)
	}
	require.True(t, d.Masked)
	require.True(t, d.SignalsHidden)
	require.Nil(t, d.V.Signals)
	require.Nil(t, d.Face)
	require.Equal(t, "E•••• M•••••••••", d.V.Applicant.Name)
	require.Equal(t, "DE", d.V.Applicant.Country)
	require.Equal(t, "name_mismatch", d.Checks[0].Reasons[0].Code)
	require.Equal(t, 0.91, *d.Checks[0].Score)
	fields := map[string]string{}
	for _, f := range d.Checks[0].Fields {
		fields[f[0]] = f[1]
	}
	require.Equal(t, "passport", fields["document_type"])
	require.Equal(t, "0.930", fields["extraction_confidence"])
	require.Contains(t, fields["mrz"], "valid: yes")
	// The outcome's details are masked as rendered, and the original map is not shown at all.
	require.Equal(t, c.Details["document_type"], "passport")
}

func TestMaskText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"Anna Schmidt": "A••• S••••••", "anna.schmidt@example.org": "a•••.s••••••@e••••••.o••", "": "",
		"Jean-Luc O'Neil": "J•••-L•• O'N•••"} {
		require.Equal(t, want, maskText(in), in)
	}
	require.Equal(t, "••••-••-••", maskAll("1988-04-12"))
	require.Equal(t, "L• N• is on the list by name", newRedactor(&models.ApplicantData{Name: "Li Na"}).text("Li Na is on the list by name"))
	require.Equal(t, `A••• S•••••• matches "S••••••, A•••"`, newRedactor(&models.ApplicantData{Name: "anna schmidt"}).text(`Anna SCHMIDT matches "SCHMIDT, Anna"`))
}
