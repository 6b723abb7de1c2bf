package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/verify"
)

// DeleteApplicantInput names the applicant to erase, by id or by your external reference
// (exactly one), with an optional reason for the audit trail.
type DeleteApplicantInput struct {
	ID          string `json:"id,omitempty" jsonschema:"applicant id (app_…); give id or external_ref" maxLength:"64"`
	ExternalRef string `json:"external_ref,omitempty" jsonschema:"your id for the applicant; give id or external_ref" maxLength:"128"`
	Reason      string `json:"reason,omitempty" jsonschema:"why, for the audit trail (kept in the event: no personal data), e.g. erasure request by email" maxLength:"500"`
}

// ErasedData counts what an erasure cleared, table by table.
type ErasedData struct {
	Verifications       int `json:"verifications" jsonschema:"verifications whose applicant data, external_ref, metadata, identity token and the personal parts of the result were cleared"`
	Artifacts           int `json:"artifacts" jsonschema:"uploaded images whose bytes, analysis (document reading, face embedding) and hash were deleted"`
	LivenessChallenges  int `json:"liveness_challenges" jsonschema:"liveness challenges whose stored verdict was deleted"`
	FaceEnrollments     int `json:"face_enrollments" jsonschema:"faces removed from duplicate-face search"`
	IdentityTokens      int `json:"identity_tokens" jsonschema:"reusable identity tokens revoked, with their reference face deleted"`
	DocumentUses        int `json:"document_uses" jsonschema:"recorded document numbers (hashed) deleted"`
	ScreeningDecisions  int `json:"screening_decisions" jsonschema:"analyst verdicts on screening hits whose reason and entity name were cleared (the verdicts stay)"`
	Events              int `json:"events" jsonschema:"timeline events whose data was reduced to ids, statuses, decisions and reason codes"`
	IdempotentResponses int `json:"idempotent_responses" jsonschema:"stored responses of idempotent requests that repeated the applicant data, deleted (a replay of the request is then refused)"`
	DataKeys            int `json:"data_keys" jsonschema:"data keys of the applicant and its verifications destroyed (crypto-shredding): every copy of what they sealed, in backups or the database's write-ahead log, can no longer be decrypted"`
}

// DeletedApplicant is the receipt of an erasure.
type DeletedApplicant struct {
	ID                     string     `json:"id" jsonschema:"the erased applicant (app_…); the id stays valid and get_applicant shows it as erased"`
	DeletedAt              time.Time  `json:"deleted_at" jsonschema:"when the personal data was erased"`
	CancelledVerifications []string   `json:"cancelled_verifications" jsonschema:"verifications that were still open (pending, in_progress or processing) and were cancelled"`
	Erased                 ErasedData `json:"erased" jsonschema:"what was erased, counted per kind of record"`
	EventID                string     `json:"event_id" jsonschema:"the applicant.deleted event (evt_…) recorded for the audit trail and sent to subscribed webhook endpoints"`
}

// DeleteApplicant erases an applicant's personal data (the right to erasure).
var DeleteApplicant = Tool[DeleteApplicantInput, DeletedApplicant]{
	Name:        "delete_applicant",
	Examples:    []string{`{"id":"app_01kbx4r7c8d9e0f1g2h3j4k5m6","reason":"erasure request under GDPR art. 17"}`, `{"external_ref":"customer-4711"}`},
	Need:        &Need{Fields: []string{"id", "external_ref"}, Exclusive: true},
	Title:       "Delete applicant (erase personal data)",
	Description: "Erase an applicant's personal data (right to erasure), by id or external_ref, in one transaction: open verifications are cancelled; data, profile, images, readings, face templates, liveness data, identity tokens and the external_ref are destroyed with their data keys. Ids, statuses, decisions and reason codes stay; reads show deleted_at. Sends applicant.deleted. Cannot be undone.",
	Brief:       "erase an applicant's personal data (right to erasure), by `id` or `external_ref` (REST: `DELETE /applicants?external_ref=…`), with an optional `reason`: open verifications are cancelled, PII, images, readings, face templates, identity tokens, screening reasons and the `external_ref` are deleted; ids, statuses and decisions stay; receipt with counts; an `applicant.deleted` event. Again: conflict (by id) / not found (by external_ref)",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "DELETE", Path: "/applicants/{id}", Also: []REST{{Method: "DELETE", Path: "/applicants"}}},
	Summary: func(r DeletedApplicant) string {
		return fmt.Sprintf("Applicant %s erased at %s: %d verification(s) cleared, %d cancelled, %d image(s), %d face template(s).",
			r.ID, r.DeletedAt.Format(time.RFC3339), r.Erased.Verifications, len(r.CancelledVerifications), r.Erased.Artifacts, r.Erased.FaceEnrollments)
	},
	Handle: deleteApplicant,
}

func deleteApplicant(ctx context.Context, d *Deps, c Caller, in DeleteApplicantInput) (DeletedApplicant, error) {
	field := "id"
	switch {
	case in.ID != "" && in.ExternalRef != "":
		return DeletedApplicant{}, invalid("external_ref", "give id or external_ref, not both")
	case in.ID != "":
		if !strings.HasPrefix(in.ID, "app_") {
			return DeletedApplicant{}, invalid("id", "applicant ids start with app_")
		}
	case in.ExternalRef != "":
		field = "external_ref"
	default:
		return DeletedApplicant{}, invalid("id", "give id or external_ref")
	}
	var er *verify.Erasure
	err := d.Store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		var err error
		er, err = d.Verify.EraseApplicant(ctx, tx, c.scope(), in.ID, in.ExternalRef, in.Reason, c.Actor())
		return err
	})
	switch {
	case errors.Is(err, db.ErrConflict) && er != nil && er.Applicant != nil && er.Applicant.DeletedAt != nil:
		return DeletedApplicant{}, Errorf(CodeConflict, field, "applicant %s was already erased at %s; there is nothing more to erase",
			er.Applicant.ID, er.Applicant.DeletedAt.UTC().Format(time.RFC3339))
	case errors.Is(err, db.ErrNotFound) && field == "external_ref":
		return DeletedApplicant{}, Errorf(CodeNotFound, field, "no applicant with this external_ref for this API key's account and mode (an erased applicant's external_ref is not kept)")
	case err != nil:
		return DeletedApplicant{}, storeErr(err, "applicant", field)
	}
	e := er.Erased
	return DeletedApplicant{ID: er.Applicant.ID, DeletedAt: er.Applicant.DeletedAt.UTC(), CancelledVerifications: er.Cancelled,
		EventID: er.Event.ID,
		Erased: ErasedData{Verifications: e.Verifications, Artifacts: e.Artifacts, LivenessChallenges: e.LivenessChallenges,
			FaceEnrollments: e.FaceEnrollments, IdentityTokens: e.IdentityTokens, DocumentUses: e.DocumentUses,
			ScreeningDecisions: e.ScreeningDecisions, Events: e.Events, IdempotentResponses: e.IdempotentResponses,
			DataKeys: e.DataKeys}}, nil
}
