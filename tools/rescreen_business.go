package tools

import (
	"context"
	"errors"

	"github.com/kycd/kycd/verify"
)

// RescreenBusinessInput names the business to check again.
type RescreenBusinessInput struct {
	ID string `json:"id" jsonschema:"the business id (biz_…)" minLength:"1" maxLength:"64"`
}

// RescreenBusiness runs a business check again with the register's current data and the
// currently loaded sanctions lists.
var RescreenBusiness = Tool[RescreenBusinessInput, Business]{
	Name:     "rescreen_business",
	Examples: []string{`{"id":"biz_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:    "Re-check a business",
	Brief:    "run a business check again with the register's current data and the lists loaded now; a new decision and event",
	Description: "Run a business check again as it was requested: the register's current record and ownership, and the sanctions lists loaded now " +
		"(hits resolved as false positives for the business id or its external_ref are marked, not raised). Replaces the decision and emits business.completed; " +
		"when the register does not answer in time the business becomes processing and a job finishes it.",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: true},
	REST:        REST{Method: "POST", Path: "/businesses/{id}/rescreen"},
	Wait:        waitForBusiness,
	Summary:     summarizeBusiness,
	Handle: func(ctx context.Context, d *Deps, c Caller, in RescreenBusinessInput) (Business, error) {
		if _, err := getBusiness(ctx, d, c, in.ID); err != nil { // scope and id checks
			return Business{}, err
		}
		svc := d.Business
		_, _, err := svc.Resolve(ctx, c.scope(), in.ID, svc.Timeout(), true)
		if err != nil && !errors.Is(err, verify.ErrRegisterUnavailable) {
			return Business{}, businessError(err)
		}
		return getBusiness(ctx, d, c, in.ID)
	},
}
