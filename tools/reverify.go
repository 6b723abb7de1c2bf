package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// ReverifyInput is a returning applicant's reusable identity and a fresh selfie.
type ReverifyInput struct {
	IdentityToken string         `json:"identity_token" jsonschema:"the reusable identity token (rid_…) of an earlier approved verification" minLength:"1" maxLength:"100"`
	Selfie        string         `json:"selfie" jsonschema:"a fresh selfie as base64 or a data URL (JPEG, PNG or WebP, at most 15 MB)" minLength:"1"`
	Submit        *bool          `json:"submit,omitempty" jsonschema:"submit now (default true); false, or active liveness required, leaves it in_progress for the capture"`
	Metadata      map[string]any `json:"metadata,omitempty" jsonschema:"your key-value data for the new verification (at most 16 KiB as JSON)"`
}

// Reverify re-verifies a returning applicant without a document.
var Reverify = Tool[ReverifyInput, Verification]{
	Name:        "reverify",
	Examples:    []string{`{"identity_token":"rid_01kbx4r7c8d9e0f1g2h3j4k5m6","selfie":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC"}`},
	Title:       "Re-verify with a reusable identity",
	Description: "Re-verify a returning applicant, no document: an approved verification's identity_token plus a fresh selfie make a new verification (reused_from) running face_match against the stored face, liveness (active if required) and, with lists, screening. Its face match is stricter (default 0.95 vs 0.946; between: needs_review). The applicant data is the original's; an unusable selfie creates nothing.",
	Brief:       "a reusable identity token (`rid_…`) + a fresh selfie → a new verification (`reused_from`) with face match against the stored face, liveness, and fresh screening when lists are loaded — no document",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/reverifications", Status: 201},
	Summary:     summarizeVerification,
	Handle:      reverify,
	Creates:     true,
	Wait:        waitForVerification,
}

func reverify(ctx context.Context, d *Deps, c Caller, in ReverifyInput) (Verification, error) {
	b, err := biometrics(d)
	if err != nil {
		return Verification{}, err
	}
	if !strings.HasPrefix(in.IdentityToken, db.IdentityTokenPrefix) {
		return Verification{}, invalid("identity_token", "reusable identity tokens start with %s", db.IdentityTokenPrefix)
	}
	tok, _, err := d.Store.LookupIdentityToken(ctx, c.scope(), in.IdentityToken)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return Verification{}, Errorf(CodeNotFound, "identity_token", "no reusable identity with this token for this API key's account and mode")
	case errors.Is(err, db.ErrConflict):
		return Verification{}, Errorf(CodeConflict, "identity_token", "this reusable identity was revoked")
	case err != nil:
		return Verification{}, err
	}
	orig, err := d.Store.GetVerification(ctx, c.scope(), tok.VerificationID)
	if err != nil {
		return Verification{}, storeErr(err, "verification", "identity_token")
	}
	meta, err := metadata(in.Metadata)
	if err != nil {
		return Verification{}, err
	}
	img, err := decodeImage("selfie", in.Selfie, 0)
	if err != nil {
		return Verification{}, err
	}
	fa, err := analyzeUpload(ctx, b, "selfie", img, face.KindSelfie)
	if err != nil {
		return Verification{}, err
	}
	if !fa.Quality.OK {
		return Verification{}, invalid("selfie", "%s (%s)", fa.Quality.Message, fa.Quality.Reason)
	}
	var applicant models.ApplicantData
	if err := d.Store.Keyring().OpenJSON(orig.ApplicantPII, &applicant); err != nil {
		return Verification{}, fmt.Errorf("open applicant data: %w", err)
	}
	checks := []string{string(models.CheckFaceMatch), string(models.CheckLiveness)}
	if screeningUsable(d, c) && applicant.Name != "" {
		checks = append(checks, string(models.CheckScreening))
	}
	for _, ch := range checks[:2] {
		if len(c.Checks) > 0 && !slices.Contains(c.Checks, models.Check(ch)) {
			return Verification{}, Errorf(CodePermissionDenied, "", "check %q is not enabled for this API key", ch)
		}
		if _, ok := d.Verify.Available()[models.Check(ch)]; !ok {
			return Verification{}, Errorf(CodeUnavailable, "", "the %s check is not available on this server", ch)
		}
	}
	// Liveness is required: the passive score of the fresh selfie at least, and a passed
	// active challenge when the server or the key asks for one. Then the verification waits
	// in_progress for the capture; asking to submit at once is refused, not ignored.
	active, err := b.RequireActiveFor(ctx, c.KeyID)
	if err != nil {
		return Verification{}, err
	}
	submit := in.Submit == nil || *in.Submit
	if active && in.Submit != nil && *in.Submit {
		return Verification{}, invalid("submit", "an active liveness capture is required before a re-verification is submitted: send submit false, then get_liveness_challenge, submit_liveness and submit_verification")
	}
	if active {
		submit = false
	}

	now := d.Store.Now()
	checksJSON, _ := json.Marshal(checks)
	origID := orig.ID
	v := &models.Verification{
		AccountID: c.AccountID, Mode: c.Mode, APIKeyID: c.KeyID, ApplicantID: tok.ApplicantID,
		Status: models.StatusPending, DocumentType: orig.DocumentType, Checks: string(checksJSON), ExternalRef: orig.ExternalRef,
		Metadata: meta, RedirectURL: orig.RedirectURL, SuccessURL: orig.SuccessURL,
		FailureURL: orig.FailureURL, AllowedCountries: orig.AllowedCountries, ReviewURL: orig.ReviewURL, CallbackURL: orig.CallbackURL,
		MinAge: orig.MinAge, MaxAge: orig.MaxAge, Locale: orig.Locale,
		ExpiresAt: now.Add(defaultExpiry), CreatedAt: now, ReusedFrom: &origID,
	}
	// In the creating transaction: the token is used, the selfie stored, and (unless an active
	// liveness capture must come first) the verification submitted.
	then := func(ctx context.Context, tx *db.Tx, v *models.Verification) error {
		if err := tx.TouchIdentityToken(ctx, tok.ID); err != nil {
			return err
		}
		if err := markStarted(ctx, d, tx, c, v, "selfie"); err != nil {
			return err
		}
		art := &models.Artifact{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID, Kind: models.ArtifactSelfie, ContentType: imaging.Sniff(img)}
		if err := tx.InsertArtifact(ctx, art, img, fa); err != nil {
			return err
		}
		if !submit {
			return nil
		}
		_, err := d.Verify.Submit(ctx, tx, c.scope(), v.ID)
		return err
	}
	var again any // the original's applicant data, sealed anew with the new verification's key
	if len(orig.ApplicantPII) > 0 {
		again = applicant
	}
	_, err = d.Verify.Create(ctx, verify.Creation{V: v, Applicant: again, Data: map[string]any{"checks": checks, "reused_from": origID}, Then: then})
	if err != nil {
		return Verification{}, fmt.Errorf("reverify: %w", err)
	}
	row, err := d.Store.GetVerification(ctx, c.scope(), v.ID)
	if err != nil {
		return Verification{}, err
	}
	return toVerification(d, row)
}

// screeningUsable reports whether a fresh screening can run for this caller.
func screeningUsable(d *Deps, c Caller) bool {
	r, ok := d.Verify.Available()[models.CheckScreening]
	if !ok {
		return false
	}
	if rd, ok := r.(interface{ Ready() error }); ok && rd.Ready() != nil {
		return false
	}
	return len(c.Checks) == 0 || slices.Contains(c.Checks, models.CheckScreening)
}
