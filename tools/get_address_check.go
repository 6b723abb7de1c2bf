package tools

import (
	"context"
	"strings"
)

// GetAddressCheckInput names the check to read.
type GetAddressCheckInput struct {
	ID string `json:"id" jsonschema:"the check id (adr_…)" minLength:"1" maxLength:"64"`
}

// GetAddressCheck reads a proof-of-address check.
var GetAddressCheck = Tool[GetAddressCheckInput, AddressCheck]{
	Name:        "get_address_check",
	Examples:    []string{`{"id":"adr_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:       "Get an address check",
	Brief:       "a proof-of-address check: decision, address and name read, per-component match, document date and kind, reasons",
	Description: "Read a proof-of-address check (check_address): its decision, the address and addressee read from the document, the per-component match with the declared address, the document date and kind, and the reasons.",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/address-checks/{id}"},
	Summary:     summarizeAddressCheck,
	Handle: func(ctx context.Context, d *Deps, c Caller, in GetAddressCheckInput) (AddressCheck, error) {
		svc, err := addressEngine(d)
		if err != nil {
			return AddressCheck{}, err
		}
		if !strings.HasPrefix(in.ID, "adr_") {
			return AddressCheck{}, invalid("id", "address check ids start with adr_")
		}
		a, err := svc.Get(ctx, c.scope(), in.ID)
		if err != nil {
			return AddressCheck{}, addressError(err)
		}
		return toAddressCheck(a), nil
	},
}
