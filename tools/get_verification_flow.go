package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// VerificationFlowInput names the verification.
type VerificationFlowInput struct {
	ID string `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
}

// VerificationFlow is what the applicant is shown of a verification: its steps in order and
// the look of the hosted flow.
type VerificationFlow struct {
	Flow     *FlowRef             `json:"flow" jsonschema:"the flow version; null when the verification runs none"`
	Steps    []models.FlowStep    `json:"steps" jsonschema:"the flow's steps, then additional_steps; empty without a flow (the checks decide the steps)"`
	Branding *models.FlowBranding `json:"branding" jsonschema:"the flow's branding; null for kycd's look"`
	Deadline *time.Time           `json:"deadline" jsonschema:"when the started session ends (session_length); null when it has none or has not started"`
}

// GetVerificationFlow reads the steps and branding a verification's applicant is shown.
var GetVerificationFlow = Tool[VerificationFlowInput, VerificationFlow]{
	Name:        "get_verification_flow",
	Examples:    []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:       "Get verification flow",
	Description: "Read the steps (the flow version's, then the session's additional_steps) and the branding a verification's applicant is shown, and when their session ends. The hosted flow and SDKs render from it.",
	Brief:       "the steps, branding and session deadline the applicant is shown",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/verifications/{id}/flow"},
	// The hosted flow renders its steps and look from it.
	SessionAllowed: true,
	Summary: func(f VerificationFlow) string {
		if f.Flow == nil {
			return fmt.Sprintf("No flow; %d extra step(s).", len(f.Steps))
		}
		return fmt.Sprintf("Flow %s version %d: %d step(s).", f.Flow.Name, f.Flow.Version, len(f.Steps))
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in VerificationFlowInput) (VerificationFlow, error) {
		v, err := getVerification(ctx, d, c, in.ID)
		if err != nil {
			return VerificationFlow{}, err
		}
		o, err := verify.OpenOptions(d.Store, v)
		if err != nil {
			return VerificationFlow{}, err
		}
		out := VerificationFlow{Branding: o.Branding, Deadline: v.SessionDeadline,
			Steps: append(append([]models.FlowStep{}, o.Steps...), o.AdditionalSteps...)}
		if v.FlowID != "" {
			out.Flow = &FlowRef{ID: v.FlowID, Name: o.FlowName, Version: v.FlowVersion}
		}
		return out, nil
	},
}
