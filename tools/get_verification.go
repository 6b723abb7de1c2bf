package tools

import "context"

// GetVerificationInput names the verification to read.
type GetVerificationInput struct {
	ID string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
}

// GetVerification reads one verification with its result.
var GetVerification = Tool[GetVerificationInput, Verification]{
	Name:        "get_verification",
	Examples:    []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","wait_seconds":30}`},
	Title:       "Get verification",
	Description: "Read a verification: its status, the applicant data given, the hosted link and, once decided, the result with per-check evidence and reasons.",
	Brief:       "status, applicant data, hosted link, and the result with per-check evidence and reasons",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	Summary:     summarizeVerification,
	REST:        REST{Method: "GET", Path: "/verifications/{id}"},
	Wait:        waitForVerification,
	// The hosted flow reads its own verification to show progress and the outcome.
	SessionAllowed: true,
	Handle: func(ctx context.Context, d *Deps, c Caller, in GetVerificationInput) (Verification, error) {
		v, err := getVerification(ctx, d, c, in.ID)
		if err != nil {
			return Verification{}, err
		}
		out, err := toVerification(d, v)
		if err == nil {
			err = withQuestionnaire(ctx, d, v, &out)
		}
		if c.IsSession() {
			out.Signals = nil // fraud signals are for the integrator, not the applicant's page
		}
		return out, err
	},
}
