package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kycd/kycd/checks/mrz"
)

// ReadMRZInput is an MRZ as text.
type ReadMRZInput struct {
	Text string `json:"text" jsonschema:"the MRZ lines, newline-separated (2 or 3 lines of 30, 36 or 44 characters)" minLength:"1" maxLength:"1000"`
	// Repair asks for check-digit-guided OCR repair (O/0, I/1, …) before validating.
	Repair bool `json:"repair,omitempty" jsonschema:"repair OCR confusions (O/0, I/1, B/8, …) where the check digits confirm them; corrections are listed"`
}

// ReadMRZ parses and validates a machine-readable zone. Stateless.
var ReadMRZ = Tool[ReadMRZInput, mrz.Result]{
	Name:  "read_mrz",
	Title: "Read MRZ",
	Description: "Parse and validate the machine-readable zone of a passport, ID card or visa (ICAO 9303 TD1, TD2, TD3, MRV-A/B, French ID): " +
		"format, every check digit, and the fields with their ICAO names. Stores nothing.",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	Summary: func(r mrz.Result) string {
		state := "valid"
		if !r.Valid {
			state = "INVALID"
		}
		return fmt.Sprintf("%s MRZ, %s: %s, %s (%s), document %s, born %s, expires %s.", r.Format, state,
			strings.TrimSpace(r.Surname), strings.TrimSpace(r.GivenNames), r.Nationality, r.DocumentNumber, r.DateOfBirth, r.ExpiryDate)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ReadMRZInput) (mrz.Result, error) {
		lines := strings.Split(strings.ReplaceAll(strings.TrimSpace(in.Text), "\r\n", "\n"), "\n")
		var (
			r   *mrz.Result
			err error
		)
		if in.Repair {
			r, err = mrz.Repair(lines, mrz.WithNow(d.Store.Now()))
		} else {
			r, err = mrz.Parse(lines, mrz.WithNow(d.Store.Now()))
		}
		if errors.Is(err, mrz.ErrNoFormat) {
			return mrz.Result{}, invalid("text", "%v", err)
		}
		if err != nil {
			return mrz.Result{}, invalid("text", "%v", err)
		}
		return *r, nil
	},
}
