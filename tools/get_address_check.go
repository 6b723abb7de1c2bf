package tools

import "context"

// GetAddressCheckInput names the check to read.
type GetAddressCheckInput struct {
	ID string `json:"id" jsonschema:"the check id (adr_…)" minLength:"1" maxLength:"64"`
}

// GetAddressCheck reads a proof-of-address check.
var GetAddressCheck = Tool[GetAddressCheckInput, AddressCheck]{
	Name:        "get_address_check",
	Examples:    []string{`{"id":"adr_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:       "Get an address check",
	Brief:       "a proof-of-address check: decision, address and name read, per-component match, document date and kind, reasons; `wait_seconds` waits while processing",
	Description: "Read a proof-of-address check (check_address): its decision, the address and addressee read from the document, the per-component match with the declared address, the document date and kind, and the reasons. Pass wait_seconds to wait while it is processing.",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/address-checks/{id}"},
	Summary:     summarizeAddressCheck,
	Wait:        waitForAddressCheck,
	Handle: func(ctx context.Context, d *Deps, c Caller, in GetAddressCheckInput) (AddressCheck, error) {
		return getAddressCheck(ctx, d, c, in.ID)
	},
}
