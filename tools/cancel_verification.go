package tools

import (
	"context"
	"errors"

	"github.com/kycd/kycd/db"
)

// CancelVerificationInput names the verification to cancel.
type CancelVerificationInput struct {
	ID     string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	Reason string `json:"reason,omitempty" jsonschema:"why, for the timeline" maxLength:"500"`
}

// CancelVerification ends a verification that has not been submitted.
var CancelVerification = Tool[CancelVerificationInput, Verification]{
	Name:        "cancel_verification",
	Examples:    []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","reason":"the customer closed their account"}`},
	Title:       "Cancel verification",
	Description: "Cancel a verification that is pending or in progress; its hosted link stops working. A verification already submitted, decided, expired or cancelled cannot be cancelled (conflict).",
	Brief:       "cancel a pending / in-progress verification (otherwise a conflict error)",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: true, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/cancel"},
	Summary:     summarizeVerification,
	Handle: func(ctx context.Context, d *Deps, c Caller, in CancelVerificationInput) (Verification, error) {
		if _, err := getVerification(ctx, d, c, in.ID); err != nil {
			return Verification{}, err
		}
		v, err := d.Verify.Cancel(ctx, c.scope(), in.ID, in.Reason)
		if errors.Is(err, db.ErrConflict) && v != nil {
			return Verification{}, Errorf(CodeConflict, "id", "only pending or in_progress verifications can be cancelled; this one is %s", v.Status)
		}
		if err != nil {
			return Verification{}, storeErr(err, "verification", "id")
		}
		return toVerification(d, v)
	},
}
