package tools

import (
	"context"
	"fmt"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// ListSandboxValuesInput takes nothing: every magic value is listed.
type ListSandboxValuesInput struct{}

// SandboxValues is the table of test mode's magic values (verify.SandboxRules).
type SandboxValues struct {
	// Active is whether the values act for the calling key: only test-mode keys force outcomes.
	Active bool `json:"active" jsonschema:"true when the calling key is a test-mode key (sk_test_…), the only kind the values act for"`
	// Values are the rules, in the order of the README's table.
	Values []verify.SandboxRule `json:"values" jsonschema:"every magic value: where it is read, what it forces and what the caller gets"`
}

// ListSandboxValues lists the magic values of test mode (issue #27).
var ListSandboxValues = Tool[ListSandboxValuesInput, SandboxValues]{
	Name:     "list_sandbox_values",
	Examples: []string{`{}`},
	Title:    "List sandbox values",
	Description: "List test mode's magic values: with a test-mode key (sk_test_…), an external_ref or applicant name starting with one (e.g. test_approve, test_reject_document, " +
		"test_face_match_review) forces that outcome through the real pipeline, marked forced: true with forced_by in the result; the checks still run where their inputs exist, " +
		"and a verification whose outcome is forced may be submitted without them. With a live key the values do nothing.",
	Brief:       "test mode's magic values (test_approve, test_CHECK_OUTCOME, …): where each is read and the outcome it forces; inert with a live key",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/sandbox"},
	Summary: func(r SandboxValues) string {
		if !r.Active {
			return fmt.Sprintf("%d magic value(s); they act only for test-mode keys, not this live key.", len(r.Values))
		}
		return fmt.Sprintf("%d magic value(s), active for this test-mode key.", len(r.Values))
	},
	Handle: func(_ context.Context, _ *Deps, c Caller, _ ListSandboxValuesInput) (SandboxValues, error) {
		return SandboxValues{Active: c.Mode == models.ModeTest, Values: verify.SandboxRules()}, nil
	},
}
