package tools

import (
	"context"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Applicant is a person as every surface shows them.
type Applicant struct {
	ID            string                `json:"id" jsonschema:"applicant id (app_…)"`
	ExternalRef   *string               `json:"external_ref" jsonschema:"your id for the applicant, null when none"`
	Data          *models.ApplicantData `json:"data" jsonschema:"the data given when the applicant was first created, null when none"`
	Profile       *models.ApplicantData `json:"profile" jsonschema:"the profile as last verified (from an approved verification), null until then"`
	Verifications []VerificationSummary `json:"verifications" jsonschema:"the applicant's verifications, newest first (at most 50)"`
	// ConfirmedContacts are part of the verified profile: addresses the applicant controls.
	ConfirmedContacts []ConfirmedContact `json:"confirmed_contacts" jsonschema:"email addresses and phone numbers the applicant proved with a one-time code (confirm_code) on one of their verifications, newest first; empty when none (list_applicants leaves it empty: read one applicant for it)"`
	CreatedAt         time.Time          `json:"created_at" jsonschema:"creation time"`
	UpdatedAt         time.Time          `json:"updated_at" jsonschema:"last change"`
	DeletedAt         *time.Time         `json:"deleted_at,omitempty" jsonschema:"when the applicant's personal data was erased (delete_applicant); absent otherwise. An erased applicant has no data, profile or external_ref"`
}

// ConfirmedContact is an address or number the applicant proved they control.
type ConfirmedContact struct {
	Kind           string    `json:"kind" jsonschema:"email or phone" enum:"email,phone"`
	Address        string    `json:"address" jsonschema:"the email address (normalized) or phone number (E.164)"`
	ConfirmedAt    time.Time `json:"confirmed_at" jsonschema:"when the code was confirmed"`
	VerificationID string    `json:"verification_id" jsonschema:"the verification the code was sent for"`
}

// VerificationSummary is a line of an applicant's history.
type VerificationSummary struct {
	ID        string    `json:"id" jsonschema:"verification id"`
	Reference string    `json:"reference" jsonschema:"short reference"`
	Status    string    `json:"status" jsonschema:"lifecycle status"`
	CreatedAt time.Time `json:"created_at" jsonschema:"creation time"`
}

func toApplicant(ctx context.Context, d *Deps, c Caller, a *models.Applicant, withHistory bool) (Applicant, error) {
	out := Applicant{ID: a.ID, ExternalRef: a.ExternalRef, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, DeletedAt: a.DeletedAt,
		Verifications: []VerificationSummary{}, ConfirmedContacts: []ConfirmedContact{}}
	for _, f := range []struct {
		sealed []byte
		dst    **models.ApplicantData
	}{{a.PII, &out.Data}, {a.Profile, &out.Profile}} {
		if len(f.sealed) == 0 {
			continue
		}
		v := new(models.ApplicantData)
		if err := d.Store.Keyring().OpenJSON(f.sealed, v); err != nil {
			return out, err
		}
		*f.dst = v
	}
	if withHistory && a.DeletedAt == nil {
		contacts, err := d.Store.ApplicantContacts(ctx, c.scope(), a.ID)
		if err != nil {
			return out, err
		}
		for _, x := range contacts {
			out.ConfirmedContacts = append(out.ConfirmedContacts, ConfirmedContact{Kind: string(x.Kind), Address: x.Address, ConfirmedAt: x.ConfirmedAt, VerificationID: x.VerificationID})
		}
	}
	if withHistory {
		rows, _, err := d.Store.ListVerifications(ctx, db.VerificationFilter{Scope: c.scope(), ApplicantID: a.ID, Limit: 50})
		if err != nil {
			return out, err
		}
		for _, v := range rows {
			out.Verifications = append(out.Verifications, VerificationSummary{ID: v.ID, Reference: v.Reference, Status: string(v.Status), CreatedAt: v.CreatedAt})
		}
	}
	return out, nil
}
