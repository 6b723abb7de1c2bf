package tools

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/jpeg"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/language"

	"github.com/kycd/kycd/checks/document/synth"
	"github.com/kycd/kycd/internal/samplefaces"
	"github.com/kycd/kycd/models"
)

// SampleDocument renders a sample passport data page for a test-mode caller's verification
// (issue #27): the applicant's name, date of birth and country in a valid MRZ, valid for five
// years or, with expired, expired a year ago, as a data: URL that submit_document reads like an
// upload. Live callers get permission_denied: samples never enter a live verification.
func SampleDocument(ctx context.Context, d *Deps, c Caller, verificationID string, expired bool) (string, error) {
	if c.Mode != models.ModeTest {
		return "", Errorf(CodePermissionDenied, "", "sample documents are for test-mode keys only")
	}
	id, err := sampleIdentity(ctx, d, c, verificationID, expired)
	if err != nil {
		return "", err
	}
	// The portrait is the sandbox's sample applicant, so a sample selfie of the same synthetic
	// person matches it and the mismatching one does not.
	portrait, err := jpeg.Decode(bytes.NewReader(samplefaces.Portrait()))
	if err != nil {
		return "", fmt.Errorf("sample portrait: %w", err)
	}
	doc, err := synth.Render(id, synth.Options{Width: 1400, Height: 1400 * 17 / 24, Fill: 0.86, JPEGQuality: 92, Portrait: portrait}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		return "", err
	}
	return "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(doc.Front), nil
}

// sampleIdentity is the sample passport's holder for a verification: the applicant's name,
// date of birth and country when given, valid for five years (or expired a year ago).
func sampleIdentity(ctx context.Context, d *Deps, c Caller, verificationID string, expired bool) (synth.Identity, error) {
	v, err := d.Store.GetVerification(ctx, c.scope(), verificationID)
	if err != nil {
		return synth.Identity{}, storeErr(err, "verification", "id")
	}
	var a models.ApplicantData
	if len(v.ApplicantPII) > 0 {
		if err := d.Store.Keyring().OpenJSON(v.ApplicantPII, &a); err != nil {
			return synth.Identity{}, err
		}
	}
	id := synth.Identity{Kind: synth.TD3, DocumentCode: "P", IssuingState: "UTO", Nationality: "UTO",
		Surname: "SAMPLE", GivenNames: "TEST", DocumentNumber: "L898902C3", DateOfBirth: "1990-01-01", Sex: "<"}
	if parts := strings.Fields(strings.ToUpper(unidecode.Unidecode(a.Name))); len(parts) > 0 {
		id.Surname = mrzLetters(parts[len(parts)-1])
		if len(parts) > 1 {
			id.GivenNames = mrzLetters(strings.Join(parts[:len(parts)-1], " "))
		}
	}
	if _, err := time.Parse("2006-01-02", a.DOB); err == nil {
		id.DateOfBirth = a.DOB
	}
	if r, err := language.ParseRegion(a.Country); err == nil && r.IsCountry() && r.ISO3() != "" {
		id.IssuingState, id.Nationality = r.ISO3(), r.ISO3()
		if id.IssuingState == "DEU" {
			id.IssuingState, id.Nationality = "D<<", "D<<" // ICAO writes Germany as D
		}
	}
	now := d.Store.Now()
	exp := now.AddDate(5, 0, 0)
	if expired {
		exp = now.AddDate(-1, 0, 0)
	}
	id.ExpiryDate = exp.UTC().Format("2006-01-02")
	return id, nil
}

// mrzLetters keeps the letters and spaces an MRZ name can carry.
func mrzLetters(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		if (r >= 'A' && r <= 'Z') || r == ' ' {
			b.WriteRune(r)
		}
	}
	if strings.TrimSpace(b.String()) == "" {
		return "SAMPLE"
	}
	return strings.TrimSpace(b.String())
}

// SessionProgress is what a hosted-flow session's verification still misses (as
// submit_verification would list it, with the active liveness step required) and whether its
// consent was recorded, for the flow's progress bar.
func SessionProgress(ctx context.Context, d *Deps, c Caller) (missing []string, consented bool, err error) {
	if d == nil || d.Verify == nil || d.Store == nil {
		return nil, false, Errorf(CodeUnavailable, "", "the domain service is not running")
	}
	v, err := d.Store.GetVerification(ctx, c.scope(), c.VerificationID)
	if err != nil {
		return nil, false, err
	}
	if missing, err = d.Verify.Missing(ctx, v, true); err != nil {
		return nil, false, err
	}
	consented, err = d.Verify.ConsentGiven(ctx, c.scope(), v.ID)
	return missing, consented, err
}
