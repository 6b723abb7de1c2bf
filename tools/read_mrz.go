package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/checks/mrz"
)

// ReadMRZInput is an MRZ as text, or a photo of a document to read it from.
type ReadMRZInput struct {
	Text  string `json:"text,omitempty" jsonschema:"the MRZ lines, newline-separated (2 or 3 lines of 30, 36 or 44 characters); give text or image" maxLength:"1000"`
	Image string `json:"image,omitempty" jsonschema:"a photo of the MRZ page, base64 or data URL (JPEG, PNG, WebP, ≤ 15 MB); text or image"`
	// Repair asks for check-digit-guided OCR repair (O/0, I/1, …) before validating.
	Repair bool `json:"repair,omitempty" jsonschema:"repair OCR confusions (O/0, I/1, …) the check digits confirm; listed"`
}

// ReadMRZ parses and validates a machine-readable zone. Stateless.
var ReadMRZ = Tool[ReadMRZInput, mrz.Result]{
	Name:        "read_mrz",
	Examples:    []string{`{"text":"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"}`},
	Need:        &Need{Fields: []string{"text", "image"}, Exclusive: true},
	Title:       "Read MRZ",
	Description: "Parse and validate a passport, ID card or visa MRZ (ICAO 9303 TD1, TD2, TD3, MRV-A/B, French ID), as text or from a photo: format, every check digit, the fields. Stores nothing.",
	Brief:       "parse and validate an ICAO 9303 MRZ (TD1/TD2/TD3/MRV/French ID) given as `text`, or read from a photo given as `image` (base64 or data URL); optional check-digit-guided OCR repair; stores nothing",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/mrz/read"},
	Summary: func(r mrz.Result) string {
		state := "valid"
		if !r.Valid {
			state = "INVALID"
		}
		return fmt.Sprintf("%s MRZ, %s: %s, %s (%s), document %s, born %s, expires %s.", r.Format, state,
			strings.TrimSpace(r.Surname), strings.TrimSpace(r.GivenNames), r.Nationality, r.DocumentNumber, r.DateOfBirth, r.ExpiryDate)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in ReadMRZInput) (mrz.Result, error) {
		switch {
		case in.Text != "" && in.Image != "":
			return mrz.Result{}, invalid("image", "give either text or image, not both")
		case in.Image != "":
			return readMRZImage(ctx, d, c, in.Image)
		case strings.TrimSpace(in.Text) == "":
			return mrz.Result{}, invalid("text", "is required (the MRZ lines), unless image is given")
		}
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

// readMRZImage reads the MRZ from a photo with the document engine.
func readMRZImage(ctx context.Context, d *Deps, c Caller, value string) (mrz.Result, error) {
	docs, err := documents(d)
	if err != nil {
		return mrz.Result{}, err
	}
	img, err := decodeImage("image", value, 0)
	if err != nil {
		return mrz.Result{}, err
	}
	r, err := docs.Engine(c.Mode).ReadMRZ(ctx, img)
	var ie *document.InputError
	if errors.As(err, &ie) {
		return mrz.Result{}, invalid("image", "%s", ie.Message)
	}
	if err != nil {
		return mrz.Result{}, err
	}
	if r == nil {
		return mrz.Result{}, invalid("image", "no machine-readable zone found: photograph the whole page flat, in focus and without glare")
	}
	return *r, nil
}
