package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/kycd/kycd/models"
)

// GetApplicantInput names the applicant by id or by your external reference (exactly one).
type GetApplicantInput struct {
	ID          string `json:"id,omitempty" jsonschema:"applicant id (app_…)" maxLength:"64"`
	ExternalRef string `json:"external_ref,omitempty" jsonschema:"your id for the applicant" maxLength:"128"`
}

// GetApplicant reads an applicant with their verification history.
var GetApplicant = Tool[GetApplicantInput, Applicant]{
	Name:        "get_applicant",
	Examples:    []string{`{"id":"app_01kbx4r7c8d9e0f1g2h3j4k5m6"}`, `{"external_ref":"customer-4711"}`},
	Need:        &Need{Fields: []string{"id", "external_ref"}, Exclusive: true},
	Title:       "Get applicant",
	Description: "Read an applicant, by id or by your external_ref: the data given, the profile as last verified and their verification history.",
	Brief:       "an applicant by id or external_ref: data given, profile as last verified, history",
	Scope:       ScopeApplicantsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/applicants/lookup"},
	Summary: func(a Applicant) string {
		return fmt.Sprintf("Applicant %s with %d verification(s).", a.ID, len(a.Verifications))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in GetApplicantInput) (Applicant, error) {
		var (
			a   *models.Applicant
			err error
		)
		switch {
		case in.ID != "" && in.ExternalRef != "":
			return Applicant{}, invalid("external_ref", "give id or external_ref, not both")
		case in.ID != "":
			if !strings.HasPrefix(in.ID, "app_") {
				return Applicant{}, invalid("id", "applicant ids start with app_")
			}
			a, err = d.Store.GetApplicant(ctx, c.scope(), in.ID)
			if err != nil {
				return Applicant{}, storeErr(err, "applicant", "id")
			}
		case in.ExternalRef != "":
			a, err = d.Store.GetApplicantByRef(ctx, c.scope(), in.ExternalRef)
			if err != nil {
				return Applicant{}, storeErr(err, "applicant", "external_ref")
			}
		default:
			return Applicant{}, invalid("id", "give id or external_ref")
		}
		return toApplicant(ctx, d, c, a, true)
	},
}
