package tools

import (
	"context"
	"errors"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// RestartVerificationInput names the verification to start again.
type RestartVerificationInput struct {
	ID     string `json:"id" jsonschema:"verification id (ver_…) of the attempt to replace" minLength:"1" maxLength:"64"`
	Reason string `json:"reason,omitempty" jsonschema:"why, for the timeline (the applicant's photo was blurred)" maxLength:"500"`
}

// RestartVerification starts a new attempt for the same applicant.
var RestartVerification = Tool[RestartVerificationInput, CreatedVerification]{
	Name:     "restart_verification",
	Examples: []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","reason":"the document photo was blurred"}`},
	Title:    "Restart verification",
	Description: "Start a new attempt for the same applicant with the same configuration (flow version, checks, options, URLs, metadata, applicant data) and a new hosted link. " +
		"The old verification stays in the applicant's timeline with a verification.restarted event naming the new one; when it was still open it is cancelled. " +
		"A verification being processed (wait for its decision) or erased cannot be restarted (conflict).",
	Brief:       "a new attempt for the same applicant and configuration; the old one gets `verification.restarted` (cancelled if open)",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/restart", Status: 201},
	Creates:     true,
	Summary:     summarizeCreated,
	Handle:      restartVerification,
}

func restartVerification(ctx context.Context, d *Deps, c Caller, in RestartVerificationInput) (CreatedVerification, error) {
	old, err := getVerification(ctx, d, c, in.ID)
	if err != nil {
		return CreatedVerification{}, err
	}
	switch {
	case old.DeletedAt != nil:
		return CreatedVerification{}, Errorf(CodeConflict, "id", "the verification's personal data was erased; create a new verification")
	case old.Status == models.StatusProcessing:
		return CreatedVerification{}, Errorf(CodeConflict, "id", "the verification is being processed; restart it once it is decided")
	}
	opts, err := verify.OpenOptions(d.Store, old)
	if err != nil {
		return CreatedVerification{}, err
	}
	now := d.Store.Now()
	validity := old.ExpiresAt.Sub(old.CreatedAt)
	if old.SessionDeadline != nil || validity < time.Minute {
		validity = defaultExpiry // the old one's expiry was cut short by its session; start afresh
	}
	restarted := old.ID
	v := &models.Verification{AccountID: c.AccountID, Mode: c.Mode, APIKeyID: c.KeyID, ApplicantID: old.ApplicantID,
		Status: models.StatusPending, DocumentType: old.DocumentType, Checks: old.Checks, ExternalRef: old.ExternalRef, Metadata: old.Metadata,
		AllowedCountries: old.AllowedCountries, RedirectURL: old.RedirectURL, SuccessURL: old.SuccessURL, FailureURL: old.FailureURL,
		ReviewURL: old.ReviewURL, CallbackURL: old.CallbackURL, MinAge: old.MinAge, MaxAge: old.MaxAge, Locale: old.Locale,
		FlowID: old.FlowID, FlowVersion: old.FlowVersion, SessionLength: old.SessionLength, RestartedFrom: &restarted,
		ExpiresAt: now.Add(validity), CreatedAt: now}
	var o *models.SessionOptions
	if old.Options != "" {
		opts.Simulated = nil // a new attempt: its checks run anew (simulate_check_outcome is per attempt)
		o = &opts
	}
	code, err := d.Verify.Restart(ctx, old, v, o, in.Reason)
	if errors.Is(err, db.ErrConflict) {
		return CreatedVerification{}, Errorf(CodeConflict, "id", "the verification changed meanwhile; read it again and retry")
	}
	if err != nil {
		return CreatedVerification{}, err
	}
	out, err := toVerification(d, v)
	return CreatedVerification{Verification: out, Code: code}, err
}
