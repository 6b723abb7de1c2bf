package tools

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ConfirmCodeInput is what the applicant typed for a code.
type ConfirmCodeInput struct {
	CodeID string `json:"code_id" jsonschema:"the code (otp_…) that verify_email or verify_phone sent" minLength:"1" maxLength:"64"`
	Code   string `json:"code" jsonschema:"the 6 digits the applicant received (spaces and hyphens are ignored)" minLength:"1" maxLength:"20"`
	// VerificationID binds the call to a verification: the hosted flow's session must name its
	// own (the registry checks that), and a code sent for another one is then not found.
	VerificationID string `json:"verification_id,omitempty" jsonschema:"the verification (ver_…) the code must have been sent for; a code of another verification is then not_found" maxLength:"64"`
}

// CodeConfirmation is a code proven right.
type CodeConfirmation struct {
	CodeID         string    `json:"code_id" jsonschema:"the code"`
	CheckID        string    `json:"check_id" jsonschema:"the email (eml_…) or phone (phn_…) check the code was sent for"`
	Kind           string    `json:"kind" jsonschema:"email or phone" enum:"email,phone"`
	Confirmed      bool      `json:"confirmed" jsonschema:"always true: a wrong, expired or used code is an error instead"`
	ConfirmedAt    time.Time `json:"confirmed_at" jsonschema:"when"`
	RiskLevel      string    `json:"risk_level" jsonschema:"the check's risk level" enum:"low,medium,high"`
	VerificationID string    `json:"verification_id,omitempty" jsonschema:"the verification the check is attached to; its timeline got email.confirmed or phone.confirmed"`
}

// ConfirmCode checks a one-time code the applicant typed.
var ConfirmCode = Tool[ConfirmCodeInput, CodeConfirmation]{
	Name:     "confirm_code",
	Examples: []string{`{"code_id":"otp_01kbx4r7c8d9e0f1g2h3j4k5m6","code":"123456"}`},
	Title:    "Confirm a one-time code",
	Brief:    "confirm a code sent by `verify_email` / `verify_phone`: right → confirmed (and `email.confirmed` / `phone.confirmed` on the attached verification); wrong → `invalid_argument` with the attempts left; expired (10 min), burnt (5 wrong attempts), used, or replaced by a newer code → `conflict`. Codes go out at most once a minute and 5 times an hour per address (`rate_limited` with `Retry-After`)",
	Description: "Confirm the one-time code sent by verify_email or verify_phone with what the applicant typed. A right code confirms the address (and records email.confirmed or phone.confirmed on an attached verification). " +
		"A wrong code is invalid_argument with the attempts left (5 in all); an expired code (10 minutes), one burnt by too many attempts, one already used, or one replaced by a newer code is conflict: send a new one.",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/codes/{code_id}/confirm"},
	// The applicant types the code in the hosted flow; the session names its verification
	// (verification_id), so it can confirm only its own verification's codes.
	SessionAllowed: true,
	Summary: func(c CodeConfirmation) string {
		return fmt.Sprintf("%s confirmed (%s %s, %s risk).", c.CodeID, c.Kind, c.CheckID, c.RiskLevel)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ConfirmCodeInput) (CodeConfirmation, error) {
		svc, err := contactService(d)
		if err != nil {
			return CodeConfirmation{}, err
		}
		vid := strings.TrimSpace(in.VerificationID)
		if c.IsSession() {
			vid = c.VerificationID // never unbound, whatever reached the handler
		}
		conf, err := svc.ConfirmFor(ctx, c.scope(), vid, strings.TrimSpace(in.CodeID), in.Code)
		if err != nil {
			return CodeConfirmation{}, contactErr(err, "code_id")
		}
		return CodeConfirmation{CodeID: conf.Code.ID, CheckID: conf.Check.ID, Kind: string(conf.Check.Kind), Confirmed: true,
			ConfirmedAt: conf.Code.ConfirmedAt.UTC(), RiskLevel: conf.Check.RiskLevel, VerificationID: optional(conf.Check.VerificationID)}, nil
	},
}
