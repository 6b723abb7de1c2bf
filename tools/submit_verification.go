package tools

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// SubmitVerificationInput names the verification whose inputs are complete.
type SubmitVerificationInput struct {
	ID string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
}

// SubmitVerification says "done": the checks run in the background.
var SubmitVerification = Tool[SubmitVerificationInput, Verification]{
	Name:        "submit_verification",
	Examples:    []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:       "Submit verification",
	Description: "Say the applicant is done: once every input the checks need is there, the verification moves to processing and its checks run in the background (poll get_verification or use webhooks); otherwise the error lists what is missing.",
	Brief:       "the applicant is done: checks what is missing, then processes in the background",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/submit"},
	Summary:     summarizeVerification,
	Handle:      submitVerification,
	// The applicant finishes the hosted flow with it.
	SessionAllowed: true,
}

// documentReadingWait is how long a submit right after a document upload waits for the
// upload's reading to extract the portrait face match needs.
const documentReadingWait = 30 * time.Second

func submitVerification(ctx context.Context, d *Deps, c Caller, in SubmitVerificationInput) (Verification, error) {
	v, err := getVerification(ctx, d, c, in.ID)
	if err != nil {
		return Verification{}, err
	}
	if v.Status != models.StatusPending && v.Status != models.StatusInProgress {
		return Verification{}, Errorf(CodeConflict, "id", "only pending or in_progress verifications can be submitted; this one is %s", v.Status)
	}
	if !d.Store.Now().Before(v.ExpiresAt) {
		return Verification{}, Errorf(CodeConflict, "id", "the verification expired at %s", v.ExpiresAt.Format("2006-01-02T15:04:05Z"))
	}
	missing, err := d.Verify.MissingAfterReading(ctx, v, c.IsSession(), documentReadingWait)
	var ue *verify.UnavailableError
	if errors.As(err, &ue) {
		return Verification{}, Errorf(CodeUnavailable, "", "the %s check is no longer available on this server", ue.Check)
	}
	if err != nil {
		return Verification{}, err
	}
	if len(missing) > 0 {
		// In test mode a magic value that forces the outcome needs no inputs (the sandbox).
		if waived, err := d.Verify.SandboxWaives(v); err != nil {
			return Verification{}, err
		} else if waived {
			missing = nil
		}
	}
	if len(missing) > 0 {
		return Verification{}, Errorf(CodeConflict, "", "cannot submit yet; missing: %s", strings.Join(missing, "; "))
	}
	err = d.Store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		var err error
		v, err = d.Verify.Submit(ctx, tx, c.scope(), v.ID)
		return err
	})
	if errors.Is(err, db.ErrConflict) && v != nil {
		return Verification{}, Errorf(CodeConflict, "id", "the verification changed meanwhile; it is now %s", v.Status)
	}
	if err != nil {
		return Verification{}, storeErr(err, "verification", "id")
	}
	return toVerification(d, v)
}
