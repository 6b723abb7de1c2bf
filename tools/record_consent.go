package tools

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/models"
)

// RecordConsentInput is the applicant's agreement to the processing of their data.
type RecordConsentInput struct {
	ID        string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	Statement string `json:"statement" jsonschema:"the exact text the applicant agreed to, in the language shown; only its SHA-256 is kept" minLength:"1" maxLength:"4000"`
	Locale    string `json:"locale,omitempty" jsonschema:"the language the statement was shown in, as a BCP 47 tag (en, pt-BR)" maxLength:"35"`
}

// ConsentRecord is what was recorded.
type ConsentRecord struct {
	VerificationID  string    `json:"verification_id" jsonschema:"the verification"`
	StatementSHA256 string    `json:"statement_sha256" jsonschema:"hex SHA-256 of the statement, to prove later which text was agreed to"`
	Locale          string    `json:"locale,omitempty" jsonschema:"the language of the statement"`
	RecordedAt      time.Time `json:"recorded_at" jsonschema:"when the consent was recorded"`
}

// RecordConsent writes the applicant's consent into the verification's timeline.
var RecordConsent = Tool[RecordConsentInput, ConsentRecord]{
	Name:        "record_consent",
	Examples:    []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","statement":"I agree that Example Ltd checks my identity document and face to open my account.","locale":"en"}`},
	Title:       "Record consent",
	Description: "Record that the applicant agreed to the processing of their data for this verification: a verification.consent_given event with the time, language and SHA-256 of the statement shown (not its text). The hosted flow records it itself; call it when you collect consent in your own interface (pending or in_progress only).",
	Brief:       "record that the applicant agreed to the processing: a `verification.consent_given` event with the time, language and SHA-256 of the statement (the hosted flow calls it at its consent step)",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/consent"},
	Summary: func(r ConsentRecord) string {
		return fmt.Sprintf("Consent recorded for %s at %s (statement %.12s…).", r.VerificationID, r.RecordedAt.Format(time.RFC3339), r.StatementSHA256)
	},
	Handle:         recordConsent,
	SessionAllowed: true,
}

func recordConsent(ctx context.Context, d *Deps, c Caller, in RecordConsentInput) (ConsentRecord, error) {
	if in.Locale != "" && !localeRE.MatchString(in.Locale) {
		return ConsentRecord{}, invalid("locale", "%q is not a BCP 47 language tag like en or pt-BR", in.Locale)
	}
	if strings.TrimSpace(in.Statement) == "" {
		return ConsentRecord{}, invalid("statement", "is blank; send the text the applicant agreed to")
	}
	v, err := getVerification(ctx, d, c, in.ID)
	if err != nil {
		return ConsentRecord{}, err
	}
	if v.Status != models.StatusPending && v.Status != models.StatusInProgress {
		return ConsentRecord{}, Errorf(CodeConflict, "id", "consent is recorded while a verification is pending or in_progress; this one is %s", v.Status)
	}
	sum := sha256.Sum256([]byte(in.Statement))
	out := ConsentRecord{VerificationID: v.ID, StatementSHA256: hex.EncodeToString(sum[:]), Locale: in.Locale, RecordedAt: d.Store.Now().UTC()}
	via := "api"
	if c.Has(ScopeSession) {
		via = "hosted_flow"
	}
	if err := d.Verify.RecordConsent(ctx, v, out.StatementSHA256, in.Locale, via); err != nil {
		return ConsentRecord{}, storeErr(err, "verification", "id")
	}
	return out, nil
}
