package tools

import "context"

// GetBusinessInput names the business to read.
type GetBusinessInput struct {
	ID string `json:"id" jsonschema:"the business id (biz_…)" minLength:"1" maxLength:"64"`
}

// GetBusiness reads a business check, with wait_seconds to wait while it is processing.
var GetBusiness = Tool[GetBusinessInput, Business]{
	Name:        "get_business",
	Examples:    []string{`{"id":"biz_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:       "Get a business",
	Brief:       "a business check: status, risk, reasons, register record, ownership, screening, sources; `wait_seconds` waits while processing",
	Description: "Read a business check (verify_business): its status, risk level, reasons, register record, ownership and screening. Pass wait_seconds to wait while it is processing.",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/businesses/{id}"},
	Wait:        waitForBusiness,
	Summary:     summarizeBusiness,
	Handle: func(ctx context.Context, d *Deps, c Caller, in GetBusinessInput) (Business, error) {
		return getBusiness(ctx, d, c, in.ID)
	},
}
