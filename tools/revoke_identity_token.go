package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
)

// RevokeIdentityTokenInput names the reusable identity to revoke.
type RevokeIdentityTokenInput struct {
	IdentityToken string `json:"identity_token" jsonschema:"the reusable identity token (rid_…) to revoke" minLength:"1" maxLength:"100"`
}

// RevokedIdentity confirms a revocation.
type RevokedIdentity struct {
	ID             string    `json:"id" jsonschema:"the reusable identity (idt_…)"`
	VerificationID string    `json:"verification_id" jsonschema:"the verification that issued it"`
	ApplicantID    string    `json:"applicant_id" jsonschema:"its applicant"`
	RevokedAt      time.Time `json:"revoked_at" jsonschema:"when it was first revoked"`
}

// RevokeIdentityToken ends a reusable identity.
var RevokeIdentityToken = Tool[RevokeIdentityTokenInput, RevokedIdentity]{
	Name:     "revoke_identity_token",
	Examples: []string{`{"identity_token":"rid_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:    "Revoke identity token",
	Description: "Revoke a reusable identity token (rid_…): reverify refuses it from now on, face_match of a re-verification still in progress fails, " +
		"and the token is no longer shown on its verification. Revoking twice is harmless.",
	Brief:       "revoke a reusable identity token",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/identity-tokens/revoke"},
	Summary: func(r RevokedIdentity) string {
		return fmt.Sprintf("Reusable identity %s (from %s) revoked at %s.", r.ID, r.VerificationID, r.RevokedAt.Format(time.RFC3339))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in RevokeIdentityTokenInput) (RevokedIdentity, error) {
		if !strings.HasPrefix(in.IdentityToken, db.IdentityTokenPrefix) {
			return RevokedIdentity{}, invalid("identity_token", "reusable identity tokens start with %s", db.IdentityTokenPrefix)
		}
		t, err := d.Store.RevokeIdentityToken(ctx, c.scope(), in.IdentityToken)
		if errors.Is(err, db.ErrNotFound) {
			return RevokedIdentity{}, Errorf(CodeNotFound, "identity_token", "no reusable identity with this token for this API key's account and mode")
		}
		if err != nil {
			return RevokedIdentity{}, err
		}
		return RevokedIdentity{ID: t.ID, VerificationID: t.VerificationID, ApplicantID: t.ApplicantID, RevokedAt: *t.RevokedAt}, nil
	},
}
