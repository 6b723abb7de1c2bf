package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/address"
	"github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// MaxAddressDocumentBytes bounds a proof-of-address document: what fits, base64-encoded, in
// a request body (rest.DefaultBodyLimit, 20 MB). The engine itself takes PDFs up to 20 MB.
const MaxAddressDocumentBytes = 15 << 20

// CheckAddressInput is a proof-of-address document and what the applicant declared.
type CheckAddressInput struct {
	Document        string `json:"document" jsonschema:"the document as base64 or a data URL: a PDF (text layer read directly; scanned pages OCR'd, first 3), or a JPEG, PNG or WebP photo; at most 15 MB and 20 pages; encrypted PDFs and HEIC are refused" minLength:"1"`
	DeclaredName    string `json:"declared_name" jsonschema:"the applicant's full name, as declared; compared with the addressee (order, initials, middle names and diacritics forgiven)" minLength:"1" maxLength:"200"`
	DeclaredAddress any    `json:"declared_address" jsonschema:"the address the applicant declared: one string ending with the country (\"10 Downing Street, London SW1A 2AA, GB\") or an object {line1, line2, city, postal_code, region, country}; country one of AT BE BR CA CH DE ES FR GB IE IT NL PL PT US"`
	MaxAgeDays      int    `json:"max_age_days,omitempty" jsonschema:"how old the document may be, in days from its issue or statement date; default 90" minimum:"1" maximum:"3660"`
	VerificationID  string `json:"verification_id,omitempty" jsonschema:"attach the result to this verification (ver_…), which must run the proof_of_address check and be open" maxLength:"64"`
	ExternalRef     string `json:"external_ref,omitempty" jsonschema:"your id for the applicant or the check; list_address_checks filters on it" maxLength:"128"`
}

// AddressFields is a postal address, structured.
type AddressFields struct {
	Line1       string   `json:"line1" jsonschema:"street line: house number and street"`
	Line2       string   `json:"line2,omitempty" jsonschema:"other lines: flat, building, district"`
	City        string   `json:"city" jsonschema:"town or city"`
	PostalCode  string   `json:"postal_code" jsonschema:"postcode in its country's canonical form"`
	Region      string   `json:"region,omitempty" jsonschema:"state or province code (US, CA)"`
	Country     string   `json:"country" jsonschema:"ISO 3166-1 alpha-2"`
	HouseNumber string   `json:"house_number,omitempty" jsonschema:"the house number read from line1 by the country's rules"`
	Street      string   `json:"street,omitempty" jsonschema:"the street name read from line1"`
	Lines       []string `json:"lines,omitempty" jsonschema:"the address block's lines as printed"`
}

// AddressComponentMatch is one component's comparison.
type AddressComponentMatch struct {
	Score   float64 `json:"score" jsonschema:"similarity 0 to 1 after normalisation (abbreviations, diacritics, case)"`
	Matched bool    `json:"matched" jsonschema:"whether the component agrees"`
}

// AddressMatchResult compares the declared address with the one read.
type AddressMatchResult struct {
	Score      float64                          `json:"score" jsonschema:"weighted score 0 to 1 (postcode 0.3, house number 0.25, street 0.25, city 0.15, country 0.05)"`
	Matched    bool                             `json:"matched" jsonschema:"every component agrees"`
	Components map[string]AddressComponentMatch `json:"components" jsonschema:"house_number, street, postal_code, city, country"`
}

// AddressReason is one finding behind a proof-of-address decision.
type AddressReason struct {
	Code    string         `json:"code" jsonschema:"name_mismatch, name_not_found, address_mismatch, address_partial_match, address_not_found, country_mismatch, document_too_old, document_date_not_found, document_date_in_future, document_kind_not_accepted, low_ocr_confidence, text_layer_mismatch, text_layer_unchecked, no_text, pages_truncated or postcode_repaired"`
	Message string         `json:"message" jsonschema:"the finding in words"`
	Effect  string         `json:"effect" jsonschema:"what it did to the decision" enum:"info,review,reject"`
	Data    map[string]any `json:"data,omitempty" jsonschema:"the figures behind it"`
}

// AddressOCR says how the document's text was read.
type AddressOCR struct {
	Engine     string  `json:"engine" jsonschema:"text_layer (the PDF's own text), tesseract (OCR of a photo or scanned pages), or text_layer+tesseract (the text layer, checked against an OCR of the printed first page)"`
	Version    string  `json:"version,omitempty" jsonschema:"the Tesseract version"`
	Languages  string  `json:"languages,omitempty" jsonschema:"the Tesseract models used"`
	Confidence float64 `json:"confidence" jsonschema:"mean word confidence 0 to 1 (1 for a text layer)"`
}

// NameMatchResult compares the declared name with the addressee.
type NameMatchResult struct {
	Score   float64 `json:"score" jsonschema:"similarity 0 to 1"`
	Matched bool    `json:"matched" jsonschema:"whether the addressee is the applicant"`
}

// AddressCheck is a proof-of-address check as every address tool returns it.
type AddressCheck struct {
	ID               string             `json:"id" jsonschema:"the check id (adr_…)"`
	Status           string             `json:"status" jsonschema:"processing while a job reads the document (wait_seconds waits), then the decision" enum:"processing,approved,needs_review,rejected"`
	VerificationID   *string            `json:"verification_id" jsonschema:"the verification it is attached to; null when standalone"`
	ExternalRef      *string            `json:"external_ref" jsonschema:"your id, if given"`
	ExtractedAddress *AddressFields     `json:"extracted_address" jsonschema:"the addressee's address as read; null when none was found"`
	AddresseeName    string             `json:"addressee_name,omitempty" jsonschema:"the name the document is addressed to, as printed"`
	DocumentDate     string             `json:"document_date,omitempty" jsonschema:"the issue or statement date (YYYY-MM-DD), chosen over due dates and billing periods"`
	Issuer           string             `json:"issuer,omitempty" jsonschema:"who issued the document, as printed (best effort)"`
	DocumentKind     string             `json:"document_kind" jsonschema:"what the document reads as; empty while processing" enum:"utility_bill,bank_statement,tax_letter,government_letter,other,"`
	IsRecent         bool               `json:"is_recent" jsonschema:"the document date is within max_age_days"`
	NameMatch        NameMatchResult    `json:"name_match" jsonschema:"the declared name against the addressee"`
	AddressMatch     AddressMatchResult `json:"address_match" jsonschema:"the declared address against the one read"`
	Reasons          []AddressReason    `json:"reasons" jsonschema:"every finding behind the decision"`
	OCR              AddressOCR         `json:"ocr" jsonschema:"how the text was read"`
	Pages            int                `json:"pages" jsonschema:"pages in the document"`
	Declared         *AddressFields     `json:"declared_address,omitempty" jsonschema:"the declared address as parsed; absent once erased"`
	MaxAgeDays       int                `json:"max_age_days" jsonschema:"the recency limit applied"`
	Erased           bool               `json:"erased,omitempty" jsonschema:"the personal data of this check was erased with its applicant"`
	CreatedAt        time.Time          `json:"created_at" jsonschema:"when the check ran"`
}

// CheckAddress reads a proof-of-address document and decides.
var CheckAddress = Tool[CheckAddressInput, AddressCheck]{
	Name:  "check_address",
	Title: "Check a proof of address",
	Brief: "proof of address: a utility bill, bank statement, tax or government letter (PDF — text layer, or scanned pages OCR'd — or a photo) against `declared_name` and `declared_address` (string or structured; GB IE US CA DE AT CH FR BE NL ES IT PT BR PL); reads the addressee block, the issue date (not due dates or periods), the kind; `approved` / `needs_review` / `rejected` with per-component `address_match`, `name_match`, `reasons` (too old, other name or address, a PDF text layer unlike its picture); `verification_id` attaches it; a job reads the document: `processing` until decided, `wait_seconds` waits; `address_check.completed` event (see [Proof of address](#proof-of-address))",
	Description: "Check a proof-of-address document: read a PDF's text layer (or OCR its scanned pages, or a photo), find the addressee block near " +
		"the declared name, parse the address by its country's rules (postcode formats, abbreviations, house-number position), choose the " +
		"issue or statement date over due dates and billing periods, tell the document kind, and decide approved, needs_review or rejected " +
		"with machine-readable reasons: document older than max_age_days, another person's name, another address, a PDF whose text layer " +
		"differs from its printed page. Attach it to a verification with verification_id. A background job reads the document: the answer " +
		"is status processing unless wait_seconds waits for the decision (or read it later with get_address_check). Emits address_check.completed when decided.",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/address-checks", Status: 201},
	// A real (tiny) text-layer PDF, so the example runs as given.
	Examples: []string{`{"document":"data:application/pdf;base64,JVBERi0xLjQKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4KZW5kb2JqCjIgMCBvYmoKPDwgL1R5cGUgL1BhZ2VzIC9LaWRzIFszIDAgUl0gL0NvdW50IDEgPj4KZW5kb2JqCjMgMCBvYmoKPDwgL1R5cGUgL1BhZ2UgL1BhcmVudCAyIDAgUiAvTWVkaWFCb3ggWzAgMCA1OTUgODQyXSAvUmVzb3VyY2VzIDw8IC9Gb250IDw8IC9GMSA0IDAgUiA+PiA+PiAvQ29udGVudHMgNSAwIFIgPj4KZW5kb2JqCjQgMCBvYmoKPDwgL1R5cGUgL0ZvbnQgL1N1YnR5cGUgL1R5cGUxIC9CYXNlRm9udCAvSGVsdmV0aWNhIC9FbmNvZGluZyAvV2luQW5zaUVuY29kaW5nID4+CmVuZG9iago1IDAgb2JqCjw8IC9MZW5ndGggMjM1ID4+CnN0cmVhbQpCVCAvRjEgMTEgVGYgNzIgNzYwIFRkIDE0IFRMCihUaGFtZXMgV2F0ZXIgVXRpbGl0aWVzIEx0ZCkgJwooKSAnCihNciBKb2huIFNtaXRoKSAnCigxMiBIaWdoIFN0cmVldCkgJwooTG9uZG9uKSAnCihTVzFBIDFBQSkgJwooVW5pdGVkIEtpbmdkb20pICcKKCkgJwooU3RhdGVtZW50IGRhdGU6IDEgRGVjZW1iZXIgMjAyNikgJwooWW91ciB3YXRlciBiaWxsKSAnCihBbW91bnQgZHVlOiBHQlAgNDIuMTApICcKRVQKZW5kc3RyZWFtCmVuZG9iagp4cmVmCjAgNgowMDAwMDAwMDAwIDY1NTM1IGYgCjAwMDAwMDAwMDkgMDAwMDAgbiAKMDAwMDAwMDA1OCAwMDAwMCBuIAowMDAwMDAwMTE1IDAwMDAwIG4gCjAwMDAwMDAyNDEgMDAwMDAgbiAKMDAwMDAwMDMzOCAwMDAwMCBuIAp0cmFpbGVyCjw8IC9TaXplIDYgL1Jvb3QgMSAwIFIgPj4Kc3RhcnR4cmVmCjYyMwolJUVPRgo=","declared_name":"John Smith","declared_address":"12 High Street, London SW1A 1AA, GB","max_age_days":90}`},
	Creates:  true,
	// The hosted flow's upload step calls it for the session's own verification_id.
	SessionAllowed: true,
	Summary:        summarizeAddressCheck,
	Wait:           waitForAddressCheck,
	Handle:         checkAddress,
}

func summarizeAddressCheck(a AddressCheck) string {
	if a.Status == models.AddressProcessing {
		return fmt.Sprintf("Address check %s is processing: a job is reading the document (get_address_check with wait_seconds).", a.ID)
	}
	return fmt.Sprintf("Address check %s: %s (%s, dated %s).", a.ID, a.Status, a.DocumentKind, orDash(a.DocumentDate))
}

// waitForAddressCheck lets check_address and get_address_check wait (wait_seconds) while
// the address.read job reads the document.
var waitForAddressCheck = &Wait[AddressCheck]{
	Done: func(a AddressCheck) bool { return a.Status != models.AddressProcessing },
	Reload: func(ctx context.Context, d *Deps, c Caller, a AddressCheck) (AddressCheck, error) {
		return getAddressCheck(ctx, d, c, a.ID)
	},
	Describe: func(a AddressCheck) string { return fmt.Sprintf("address check %s is %s", a.ID, a.Status) },
}

func getAddressCheck(ctx context.Context, d *Deps, c Caller, id string) (AddressCheck, error) {
	svc, err := addressEngine(d)
	if err != nil {
		return AddressCheck{}, err
	}
	if !strings.HasPrefix(id, "adr_") {
		return AddressCheck{}, invalid("id", "address check ids start with adr_")
	}
	a, err := svc.Get(ctx, c.scope(), id)
	if err != nil {
		return AddressCheck{}, addressError(err)
	}
	return toAddressCheck(a), nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func addressEngine(d *Deps) (*verify.Address, error) {
	if d == nil || d.Address == nil {
		return nil, Errorf(CodeUnavailable, "", "proof-of-address checks are not configured on this server")
	}
	return d.Address, nil
}

func checkAddress(ctx context.Context, d *Deps, c Caller, in CheckAddressInput) (AddressCheck, error) {
	svc, err := addressEngine(d)
	if err != nil {
		return AddressCheck{}, err
	}
	name := strings.Join(strings.Fields(in.DeclaredName), " ")
	if name == "" {
		return AddressCheck{}, invalid("declared_name", "required: the applicant's full name")
	}
	decl, err := declaredAddress(in.DeclaredAddress)
	if err != nil {
		return AddressCheck{}, err
	}
	doc, err := decodeDocument("document", in.Document)
	if err != nil {
		return AddressCheck{}, err
	}
	var v *models.Verification
	if in.VerificationID != "" {
		if v, _, err = openForUpload(ctx, d, c, in.VerificationID, models.CheckProofOfAddress); err != nil {
			return AddressCheck{}, renameField(err, "verification_id")
		}
	}
	maxAge := in.MaxAgeDays
	if maxAge == 0 {
		maxAge = 90
	}
	vin := verify.AddressInput{DeclaredName: name, DeclaredAddress: decl, MaxAgeDays: maxAge, ExternalRef: strings.TrimSpace(in.ExternalRef)}
	res, err := svc.Check(ctx, d.Verify, c.scope(), c.KeyID, vin, doc, v)
	if err != nil {
		return AddressCheck{}, addressError(err)
	}
	return toAddressCheck(res), nil
}

// declaredAddress validates declared_address: a string or an object with the address fields.
func declaredAddress(v any) (address.Address, error) {
	switch x := v.(type) {
	case nil:
		return address.Address{}, invalid("declared_address", "required: the address as one string or an object {line1, city, postal_code, country}")
	case string:
		if len(x) > 500 {
			return address.Address{}, invalid("declared_address", "longer than 500 characters")
		}
		a, err := address.ParseDeclared(x, nil)
		return a, addressError(err)
	case map[string]any:
		raw, _ := json.Marshal(x)
		var f struct {
			Line1      string `json:"line1"`
			Line2      string `json:"line2"`
			City       string `json:"city"`
			PostalCode string `json:"postal_code"`
			Region     string `json:"region"`
			Country    string `json:"country"`
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return address.Address{}, invalid("declared_address", "the object takes line1, line2, city, postal_code, region and country, all strings: %v", err)
		}
		for k, s := range map[string]string{"line1": f.Line1, "line2": f.Line2, "city": f.City, "postal_code": f.PostalCode, "region": f.Region, "country": f.Country} {
			if len(s) > 200 {
				return address.Address{}, invalid("declared_address."+k, "longer than 200 characters")
			}
		}
		a, err := address.ParseDeclared("", &address.Address{Line1: f.Line1, Line2: f.Line2, City: f.City, PostalCode: f.PostalCode, Region: f.Region, Country: f.Country})
		return a, addressError(err)
	default:
		return address.Address{}, invalid("declared_address", "must be a string or an object, not %T", v)
	}
}

// documentTypes are the media types a document data URL may declare.
var documentTypes = map[string]bool{"application/pdf": true, "image/jpeg": true, "image/png": true, "image/webp": true,
	"image/heic": true, "image/heif": true}

// decodeDocument turns base64 or a data URL into document bytes, refusing what is too large
// or not a PDF/JPEG/PNG/WebP by content. Every refusal names field.
func decodeDocument(field, value string) ([]byte, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return nil, invalid(field, "is empty; send the document as base64 or a data URL (data:application/pdf;base64,…)")
	}
	if strings.HasPrefix(value, "data:") {
		meta, payload, ok := strings.Cut(value[len("data:"):], ",")
		if !ok {
			return nil, invalid(field, "data URL has no comma before the data")
		}
		parts := strings.Split(meta, ";")
		declared := strings.ToLower(strings.TrimSpace(parts[0]))
		if !documentTypes[declared] {
			return nil, invalid(field, "data URL type %q is not accepted; send application/pdf, image/jpeg, image/png or image/webp", declared)
		}
		if !strings.Contains(strings.ToLower(meta), "base64") {
			return nil, invalid(field, "data URL must be base64-encoded")
		}
		value = payload
	}
	if est := len(value) / 4 * 3; est > MaxAddressDocumentBytes+MaxAddressDocumentBytes/64+16 {
		return nil, Errorf(CodeTooLarge, field, "is about %s; the limit is %s", byteSize(est), byteSize(MaxAddressDocumentBytes))
	}
	data, err := decodeBase64(value)
	if err != nil {
		return nil, invalid(field, "is not valid base64: %v", err)
	}
	if len(data) > MaxAddressDocumentBytes {
		return nil, Errorf(CodeTooLarge, field, "is %s; the limit is %s", byteSize(len(data)), byteSize(MaxAddressDocumentBytes))
	}
	if _, err := address.Detect(data); err != nil {
		return nil, addressError(err)
	}
	return data, nil
}

// addressError maps engine and service errors to what a caller can act on.
func addressError(err error) error {
	if err == nil {
		return nil
	}
	var ae *address.Error
	if errors.As(err, &ae) {
		switch ae.Code {
		case address.CodeTooLarge, address.CodeTooMany, imaging.CodeTooLarge, imaging.CodeTooMany:
			return Errorf(CodeTooLarge, ae.Field, "%s", ae.Message)
		}
		return invalid(ae.Field, "%s", ae.Message)
	}
	var ie *imaging.Error
	if errors.As(err, &ie) {
		return imageError("document", err)
	}
	switch {
	case errors.Is(err, address.ErrNoPoppler):
		return Errorf(CodeUnavailable, "document", "PDF reading is not installed on this server (poppler-utils)")
	case address.IsNoOCR(err):
		return Errorf(CodeUnavailable, "document", "%v", err)
	case errors.Is(err, context.DeadlineExceeded):
		return Errorf(CodeUnavailable, "document", "reading the document took too long; send the page with the address only, or a smaller photo")
	case errors.Is(err, verify.ErrAddressBusy):
		e := Errorf(CodeUnavailable, "", "%v", err)
		e.RetryAfterSeconds = 5
		return e
	case errors.Is(err, db.ErrNotFound):
		return Errorf(CodeNotFound, "id", "no such address check")
	case errors.Is(err, verify.ErrNotTakingUploads):
		return Errorf(CodeConflict, "verification_id", "%v", err)
	}
	return err
}

func toAddressCheck(a *verify.AddressCheck) AddressCheck {
	row := a.Row
	out := AddressCheck{ID: row.ID, Status: row.Status, VerificationID: row.VerificationID, ExternalRef: row.ExternalRef,
		DocumentKind: row.DocumentKind, Reasons: []AddressReason{}, CreatedAt: row.CreatedAt, MaxAgeDays: a.Input.MaxAgeDays,
		AddressMatch: AddressMatchResult{Components: map[string]AddressComponentMatch{}}}
	if a.Processing() {
		return out
	}
	if a.Result == nil {
		out.Erased = true
		return out
	}
	r := a.Result
	if r.ExtractedAddress != nil {
		f := addressFields(*r.ExtractedAddress)
		out.ExtractedAddress = &f
	}
	if a.Input.DeclaredAddress.Country != "" {
		f := addressFields(a.Input.DeclaredAddress)
		out.Declared = &f
	}
	out.AddresseeName, out.DocumentDate, out.Issuer, out.IsRecent = r.AddresseeName, r.DocumentDate, r.Issuer, r.IsRecent
	out.NameMatch = NameMatchResult{Score: r.NameMatch.Score, Matched: r.NameMatch.Matched}
	out.AddressMatch.Score, out.AddressMatch.Matched = r.AddressMatch.Score, r.AddressMatch.Matched
	for k, m := range r.AddressMatch.Components {
		out.AddressMatch.Components[k] = AddressComponentMatch{Score: m.Score, Matched: m.Matched}
	}
	for _, x := range r.Reasons {
		out.Reasons = append(out.Reasons, AddressReason{Code: x.Code, Message: x.Message, Effect: x.Effect, Data: x.Data})
	}
	out.OCR = AddressOCR{Engine: r.OCR.Engine, Version: r.OCR.Version, Languages: r.OCR.Languages, Confidence: r.OCR.Confidence}
	out.Pages = r.Pages
	return out
}

func addressFields(a address.Address) AddressFields {
	return AddressFields{Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Region: a.Region, Country: a.Country,
		HouseNumber: a.HouseNumber, Street: a.Street, Lines: a.Lines}
}
