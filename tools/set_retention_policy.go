package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// RetentionPolicy is how long an account keeps applicants (per mode).
type RetentionPolicy struct {
	Mode            string    `json:"mode" jsonschema:"the mode this policy applies to (the caller's)"`
	DeleteAfterDays int       `json:"delete_after_days" jsonschema:"applicants are erased this many days after their last verification ended; 0 = kept until deleted"`
	LegalHold       bool      `json:"legal_hold" jsonschema:"while true, no applicant of this account and mode is erased: not by delete_applicant, a scheduled deletion or this policy"`
	UpdatedAt       time.Time `json:"updated_at" jsonschema:"when the policy was last set (zero if never)"`
	UpdatedBy       string    `json:"updated_by,omitempty" jsonschema:"who set it (usr_… or key_…)"`
}

func toRetentionPolicy(p *models.RetentionPolicy) RetentionPolicy {
	return RetentionPolicy{Mode: string(p.Mode), DeleteAfterDays: p.DeleteAfterDays, LegalHold: p.LegalHold, UpdatedAt: p.UpdatedAt.UTC(), UpdatedBy: p.UpdatedBy}
}

// SetRetentionPolicyInput is the new policy.
type SetRetentionPolicyInput struct {
	DeleteAfterDays int  `json:"delete_after_days" jsonschema:"erase applicants this many days after their last verification ended (approved, rejected, expired or cancelled; a case in review is kept); 0 = never" minimum:"0" maximum:"11000"`
	LegalHold       bool `json:"legal_hold,omitempty" jsonschema:"true blocks every deletion in this account and mode until set false again"`
}

// SetRetentionPolicy sets the account's retention policy for the caller's mode.
var SetRetentionPolicy = Tool[SetRetentionPolicyInput, RetentionPolicy]{
	Name:     "set_retention_policy",
	Examples: []string{`{"delete_after_days":1825}`, `{"delete_after_days":0,"legal_hold":true}`},
	Title:    "Set retention policy",
	Description: "Set how long this account keeps applicants in this mode: delete_after_days erases an applicant (as delete_applicant does, " +
		"reason \"retention policy\") that many days after their last verification ended; legal_hold blocks every deletion until lifted. A background job applies it.",
	Brief:       "erase applicants N days after their last verification ended; a legal hold blocks every deletion",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "PUT", Path: "/retention-policy"},
	Summary: func(p RetentionPolicy) string {
		return fmt.Sprintf("Retention (%s): erase %d day(s) after the last verification; legal hold %v.", p.Mode, p.DeleteAfterDays, p.LegalHold)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in SetRetentionPolicyInput) (RetentionPolicy, error) {
		if in.DeleteAfterDays < 0 || in.DeleteAfterDays > verify.MaxRetentionDays {
			return RetentionPolicy{}, invalid("delete_after_days", "0 to %d", verify.MaxRetentionDays)
		}
		p := &models.RetentionPolicy{AccountID: c.AccountID, Mode: c.Mode, DeleteAfterDays: in.DeleteAfterDays, LegalHold: in.LegalHold, UpdatedBy: c.Actor()}
		if err := d.Store.SetRetentionPolicy(ctx, p); err != nil {
			return RetentionPolicy{}, err
		}
		return toRetentionPolicy(p), nil
	},
}

// GetRetentionPolicyInput takes no arguments.
type GetRetentionPolicyInput struct{}

// GetRetentionPolicy reads the account's retention policy for the caller's mode.
var GetRetentionPolicy = Tool[GetRetentionPolicyInput, RetentionPolicy]{
	Name:        "get_retention_policy",
	Examples:    []string{`{}`},
	Title:       "Get retention policy",
	Description: "Read how long this account keeps applicants in this mode (delete_after_days, 0 = until deleted) and whether a legal hold blocks deletions.",
	Brief:       "the account's retention period and legal hold",
	Scope:       ScopeApplicantsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/retention-policy"},
	Summary: func(p RetentionPolicy) string {
		return fmt.Sprintf("Retention (%s): %d day(s); legal hold %v.", p.Mode, p.DeleteAfterDays, p.LegalHold)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, _ GetRetentionPolicyInput) (RetentionPolicy, error) {
		p, err := d.Store.RetentionPolicy(ctx, c.scope())
		if err != nil {
			return RetentionPolicy{}, err
		}
		return toRetentionPolicy(p), nil
	},
}
