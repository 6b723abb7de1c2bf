package flow

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/mozillazg/go-unidecode"

	"github.com/kycd/kycd/checks/document/synth"
	"github.com/kycd/kycd/models"
)

// Test mode (issue #27): a session of a test-mode key shows a banner, and the document step
// offers a sample passport — rendered here by the synthetic document generator, with the
// applicant's name and date of birth in a valid MRZ — or an expired one, so an integrator can
// click through the whole flow on a laptop without a camera or a real passport. The sample goes
// through submit_document like any upload: the real engine reads it. Live keys never see any
// of this (the API answers 404).

// testMode reports whether the session belongs to a test-mode key.
func (s *session) testMode() bool { return s.caller.Mode == models.ModeTest }

// samplePassport renders a clean passport data page for the verification's applicant as a
// data: URL; expired dates it a year in the past.
func (s *session) samplePassport(now time.Time, expired bool) (string, error) {
	id := synth.Identity{Kind: synth.TD3, DocumentCode: "P", IssuingState: "UTO", Nationality: "UTO",
		Surname: "SAMPLE", GivenNames: "TEST", DocumentNumber: "L898902C3", DateOfBirth: "1990-01-01", Sex: "<"}
	if a := s.v.Applicant; a != nil {
		if parts := strings.Fields(strings.ToUpper(unidecode.Unidecode(a.Name))); len(parts) > 0 {
			id.Surname = clean(parts[len(parts)-1])
			if len(parts) > 1 {
				id.GivenNames = clean(strings.Join(parts[:len(parts)-1], " "))
			}
		}
		if _, err := time.Parse("2006-01-02", a.DOB); err == nil {
			id.DateOfBirth = a.DOB
		}
		if r, err := language.ParseRegion(a.Country); err == nil && r.IsCountry() {
			if c := r.ISO3(); c != "" {
				id.IssuingState, id.Nationality = c, c
				if c == "DEU" {
					id.IssuingState, id.Nationality = "D<<", "D<<" // ICAO writes Germany as D
				}
			}
		}
	}
	exp := now.AddDate(5, 0, 0)
	if expired {
		exp = now.AddDate(-1, 0, 0)
	}
	id.ExpiryDate = exp.UTC().Format("2006-01-02")
	doc, err := synth.Render(id, synth.Options{Width: 1400, Height: 1400 * 17 / 24, Fill: 0.86, JPEGQuality: 92}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return "", err
	}
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(doc.Front), nil
}

// clean keeps the letters and spaces an MRZ name can carry.
func clean(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		if (r >= 'A' && r <= 'Z') || r == ' ' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "SAMPLE"
	}
	return strings.TrimSpace(b.String())
}
