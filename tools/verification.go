package tools

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// Verification is a verification as every surface shows it.
type Verification struct {
	ID               string                     `json:"id" jsonschema:"verification id (ver_…)"`
	Reference        string                     `json:"reference" jsonschema:"short human reference (VER-XXXXXXXX) to quote to the applicant or support"`
	Status           string                     `json:"status" jsonschema:"lifecycle status" enumof:"models.AllStatuses"`
	Mode             string                     `json:"mode" jsonschema:"live or test" enumof:"models.AllModes"`
	DocumentType     *string                    `json:"document_type" jsonschema:"expected document type, null when any is accepted"`
	Checks           []string                   `json:"checks" jsonschema:"the checks this verification runs"`
	ApplicantID      string                     `json:"applicant_id" jsonschema:"the applicant (app_…) this verification belongs to"`
	Applicant        *models.ApplicantData      `json:"applicant" jsonschema:"the applicant data given at creation, null when none"`
	ExternalRef      *string                    `json:"external_ref" jsonschema:"your reference for the applicant, null when none"`
	DeletedAt        *time.Time                 `json:"deleted_at,omitempty" jsonschema:"when the personal data of the verification was erased with its applicant (delete_applicant); absent otherwise"`
	Metadata         map[string]any             `json:"metadata" jsonschema:"your key-value data, returned as given"`
	HostedURL        string                     `json:"hosted_url" jsonschema:"link to send the applicant to; it carries a session token, so treat it as a secret"`
	RedirectURL      *string                    `json:"redirect_url" jsonschema:"where the hosted flow sends the applicant when done"`
	AllowedCountries []string                   `json:"allowed_countries" jsonschema:"issuing states the document check accepts for this verification; empty = any the server accepts"`
	SuccessURL       *string                    `json:"success_url" jsonschema:"where the hosted flow sends an approved applicant (else redirect_url)"`
	FailureURL       *string                    `json:"failure_url" jsonschema:"where the hosted flow sends the applicant of a rejected, expired or cancelled verification (else redirect_url)"`
	ReviewURL        *string                    `json:"review_url" jsonschema:"where the hosted flow sends the applicant of a verification in review (else redirect_url)"`
	CallbackURL      *string                    `json:"callback_url" jsonschema:"where this verification's events are posted"`
	MinAge           *int                       `json:"min_age" jsonschema:"minimum age required, null when none"`
	MaxAge           *int                       `json:"max_age" jsonschema:"maximum age allowed, null when none"`
	Locale           *string                    `json:"locale" jsonschema:"language of the hosted flow, null for the applicant's browser language"`
	ExpiresAt        time.Time                  `json:"expires_at" jsonschema:"when an unfinished session expires"`
	CreatedAt        time.Time                  `json:"created_at" jsonschema:"creation time"`
	UpdatedAt        time.Time                  `json:"updated_at" jsonschema:"last change"`
	SubmittedAt      *time.Time                 `json:"submitted_at" jsonschema:"when it was submitted for processing"`
	CompletedAt      *time.Time                 `json:"completed_at" jsonschema:"when a decision was made"`
	Result           *models.VerificationResult `json:"result" jsonschema:"the decision and its evidence; null until processed"`
	// ReusedFrom and IdentityToken belong to reusable identities (reverify).
	ReusedFrom    *string `json:"reused_from" jsonschema:"the verification whose reusable identity this one re-verified (reverify), null otherwise"`
	IdentityToken *string `json:"identity_token" jsonschema:"reusable identity token (rid_…) issued when the verification was approved with a face match: pass it to reverify later; a secret; null when none or revoked"`
	// Review is the latest manual decision (review_verification); the timeline keeps every one.
	Review *VerificationReview `json:"review" jsonschema:"the latest manual review decision on this verification (review_verification), null when none; result keeps the checks' own decision"`
	// Signals are the applicant's IP and device signals (issue #28), sealed at rest.
	// Questionnaire is read with the verification by id (not in lists).
	Questionnaire *VerificationQuestionnaire `json:"questionnaire,omitempty" jsonschema:"the questionnaire asked, its rules and answers; absent when none and in lists"`
	Signals       *VerificationSignals       `json:"signals" jsonschema:"the IP and device signals of the applicant's hosted-flow requests (latest at the top, first under first) with their reasons; null before the applicant opened the link or after erasure"`
	// Flow, Session and RestartedFrom: flows and session options (issue #22).
	Flow          *FlowRef     `json:"flow" jsonschema:"the flow version it runs; null when none"`
	Session       *SessionInfo `json:"session" jsonschema:"its session options; null when none"`
	RestartedFrom *string      `json:"restarted_from" jsonschema:"the attempt it replaced (restart_verification)"`
}

// VerificationReview is a person's (or an agent's) decision on a verification in needs_review.
type VerificationReview struct {
	Decision   string    `json:"decision" jsonschema:"approve, reject or request_resubmission" enum:"approve,reject,request_resubmission"`
	Reason     string    `json:"reason" jsonschema:"the reviewer's reason, for the audit trail"`
	ReviewedBy string    `json:"reviewed_by" jsonschema:"the API key id that recorded the decision"`
	ReviewedAt time.Time `json:"reviewed_at" jsonschema:"when it was recorded"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// toVerification renders a row, decrypting what the caller may see.
func toVerification(d *Deps, v *models.Verification) (Verification, error) {
	out := Verification{
		ID: v.ID, Reference: v.Reference, Status: string(v.Status), Mode: string(v.Mode),
		DocumentType: nullable(v.DocumentType), ApplicantID: v.ApplicantID, ExternalRef: v.ExternalRef, DeletedAt: v.DeletedAt,
		RedirectURL: nullable(v.RedirectURL), CallbackURL: nullable(v.CallbackURL),
		AllowedCountries: splitNonEmpty(v.AllowedCountries), SuccessURL: nullable(v.SuccessURL), FailureURL: nullable(v.FailureURL), ReviewURL: nullable(v.ReviewURL),
		MinAge: v.MinAge, MaxAge: v.MaxAge, Locale: nullable(v.Locale),
		ExpiresAt: v.ExpiresAt, CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
		SubmittedAt: v.SubmittedAt, CompletedAt: v.CompletedAt, ReusedFrom: v.ReusedFrom,
	}
	if v.IdentityToken != nil {
		tok, err := d.Store.Keyring().Open(v.IdentityToken)
		if err != nil {
			return out, fmt.Errorf("open identity token: %w", err)
		}
		s := string(tok)
		out.IdentityToken = &s
	}
	if err := json.Unmarshal([]byte(v.Checks), &out.Checks); err != nil {
		return out, fmt.Errorf("decode checks: %w", err)
	}
	out.Metadata = map[string]any{}
	if err := json.Unmarshal([]byte(v.Metadata), &out.Metadata); err != nil {
		return out, fmt.Errorf("decode metadata: %w", err)
	}
	if len(v.ApplicantPII) > 0 {
		var a models.ApplicantData
		if err := d.Store.Keyring().OpenJSON(v.ApplicantPII, &a); err != nil {
			return out, err
		}
		if a != (models.ApplicantData{}) {
			out.Applicant = &a
		}
	}
	token, err := d.Store.Keyring().Open(v.TokenSealed)
	if err != nil {
		return out, fmt.Errorf("open session token: %w", err)
	}
	out.HostedURL = verify.HostedURL(d.PublicURL, string(token))
	if v.ReviewedAt != nil {
		reason, err := d.Store.Keyring().Open(v.ReviewReason)
		if err != nil {
			return out, fmt.Errorf("open review reason: %w", err)
		}
		out.Review = &VerificationReview{Decision: v.ReviewDecision, Reason: string(reason), ReviewedBy: v.ReviewedBy, ReviewedAt: v.ReviewedAt.UTC()}
	}
	sig, err := toSignals(d, v)
	if err != nil {
		return out, fmt.Errorf("open signals: %w", err)
	}
	out.Signals = sig
	if out.Flow, out.Session, err = toSession(d, v); err != nil {
		return out, err
	}
	out.RestartedFrom = v.RestartedFrom
	if v.Result != nil {
		out.Result = new(models.VerificationResult)
		raw, err := d.Store.Keyring().OpenText(*v.Result)
		if err != nil {
			return out, fmt.Errorf("open result: %w", err)
		}
		if err := json.Unmarshal([]byte(raw), out.Result); err != nil {
			return out, fmt.Errorf("decode result: %w", err)
		}
	}
	return out, nil
}

// storeErr maps store errors to tool errors.
func storeErr(err error, what, field string) error {
	switch {
	case errors.Is(err, db.ErrNotFound):
		return Errorf(CodeNotFound, field, "no %s with that id for this API key's account and mode", what)
	case errors.Is(err, db.ErrConflict):
		return Errorf(CodeConflict, "", "%s: %v", what, strings.TrimSuffix(err.Error(), ": "+db.ErrConflict.Error()))
	case errors.Is(err, db.ErrLegalHold):
		return Errorf(CodeConflict, field, "a legal hold on this account and mode blocks deleting applicants; lift it with set_retention_policy first")
	case errors.Is(err, db.ErrScheduledForDeletion):
		return Errorf(CodeConflict, "external_ref", "the applicant with this external_ref is scheduled for deletion and frozen; restore it first (restore_applicant)")
	}
	return err
}

// Cursors are opaque to callers: base64 of the last id seen.
func encodeCursor(id string) *string {
	c := base64.RawURLEncoding.EncodeToString([]byte(id))
	return &c
}

func decodeCursor(c, prefix string) (string, error) {
	if c == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), prefix+"_") {
		return "", invalid("cursor", "not a cursor returned by this list; pass next_cursor back unchanged")
	}
	return string(b), nil
}

func pageLimit(n int) int {
	if n == 0 {
		return 20
	}
	return n
}

// getVerification reads a verification in the caller's account and mode.
func getVerification(ctx context.Context, d *Deps, c Caller, id string) (*models.Verification, error) {
	if !strings.HasPrefix(id, "ver_") {
		return nil, invalid("id", "verification ids start with ver_")
	}
	v, err := d.Store.GetVerification(ctx, c.scope(), id)
	if err != nil {
		return nil, storeErr(err, "verification", "id")
	}
	return v, nil
}

func summarizeVerification(v Verification) string {
	s := fmt.Sprintf("Verification %s (%s) is %s.", v.Reference, v.ID, v.Status)
	switch {
	case v.Result != nil:
		s += fmt.Sprintf(" Decision: %s", v.Result.Decision)
		if n := len(v.Result.Reasons); n > 0 {
			s += fmt.Sprintf(" (%d reason(s), first: %s)", n, v.Result.Reasons[0].Code)
		}
		s += "."
	case v.Status == "pending" || v.Status == "in_progress":
		s += " Send the applicant to " + v.HostedURL + " before " + v.ExpiresAt.Format(time.RFC3339) + "."
	}
	return s
}

func moreNote(more bool) string {
	if more {
		return "; more follow (pass next_cursor)"
	}
	return ""
}

// splitNonEmpty splits a stored comma-separated list; "" is an empty list, never [""].
func splitNonEmpty(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
