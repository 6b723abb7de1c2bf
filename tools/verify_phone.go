package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/kycd/kycd/checks/phone"
)

// VerifyPhoneInput is a phone number to check, and whether to text it a code.
type VerifyPhoneInput struct {
	Phone          string `json:"phone" jsonschema:"the phone number as the applicant gave it, ideally with its country code (+49 151 …)" minLength:"1" maxLength:"250"`
	Country        string `json:"country,omitempty" jsonschema:"the country of a number written without a country code, ISO 3166-1 alpha-2 or alpha-3 (DE, DEU); default: the applicant's country when attached to a verification" pattern:"^[A-Za-z]{2,3}$"`
	SendCode       bool   `json:"send_code,omitempty" jsonschema:"also text a 6-digit one-time code to the number (mobile and VoIP numbers only), valid 10 minutes; confirm it with confirm_code. At most one code a minute and 5 an hour per number"`
	VerificationID string `json:"verification_id,omitempty" jsonschema:"attach the check to this verification (ver_…): the number's country is compared with the applicant's, and a confirmation is recorded on its timeline (phone.confirmed)" maxLength:"64"`
	ExternalRef    string `json:"external_ref,omitempty" jsonschema:"your reference for the check" maxLength:"128"`
	Locale         string `json:"locale,omitempty" jsonschema:"language of the code's text; default: the verification's locale, else en" enum:"en,de,pt"`
}

// PhoneCheck is the outcome of verify_phone.
type PhoneCheck struct {
	ID              string          `json:"id" jsonschema:"the check (phn_…)"`
	Valid           bool            `json:"valid" jsonschema:"the number is valid in its country's numbering plan"`
	E164            string          `json:"e164,omitempty" jsonschema:"the number in E.164 form (+4915123456789), when it parsed"`
	International   string          `json:"international,omitempty" jsonschema:"the number in international format, for people"`
	Type            string          `json:"type" jsonschema:"the line type" enum:"mobile,fixed_line,fixed_line_or_mobile,voip,toll_free,premium_rate,shared_cost,personal_number,pager,uan,unknown"`
	Region          string          `json:"region,omitempty" jsonschema:"the number's country, ISO 3166-1 alpha-2"`
	CountryCode     int             `json:"country_code,omitempty" jsonschema:"the international calling code"`
	ExpectedCountry string          `json:"expected_country,omitempty" jsonschema:"the applicant's country it was compared with (attached verifications)"`
	CountryMismatch bool            `json:"country_mismatch" jsonschema:"the number belongs to another country than the applicant's"`
	Fictional       bool            `json:"fictional" jsonschema:"the number is in a range reserved for drama and tests: nobody real has it"`
	RiskLevel       string          `json:"risk_level" jsonschema:"low, medium or high: the highest level among the reasons" enum:"low,medium,high"`
	Reasons         []ContactReason `json:"reasons" jsonschema:"every finding, each with its code"`
	Metadata        string          `json:"metadata" jsonschema:"the numbering-plan data used, so the result can be reproduced"`
	// Forced and ForcedBy mark a result a test-mode magic value set (list_sandbox_values).
	Forced   bool   `json:"forced,omitempty" jsonschema:"test mode only: the result was forced by a magic value (forced_by)"`
	ForcedBy string `json:"forced_by,omitempty" jsonschema:"test mode only: the magic value that forced the result"`
	ContactRecord
}

// VerifyPhone checks a phone number and optionally texts it a one-time code.
var VerifyPhone = Tool[VerifyPhoneInput, PhoneCheck]{
	Name:     "verify_phone",
	Examples: []string{`{"phone":"+49 151 23456789","send_code":true}`},
	Title:    "Verify a phone number",
	Brief:    "check a phone number (libphonenumber): `e164`, line `type`, `region`, validity, fictional ranges, `country_mismatch` against the attached verification's applicant: `risk_level` and `reasons`, `id` `phn_…`. `send_code` texts a 6-digit code to mobile/VoIP numbers",
	Description: "Check a phone number with libphonenumber's metadata: validity, E.164 form, line type (mobile, VoIP, premium rate …), country — compared with the applicant's when attached to a verification — and fictional ranges, " +
		"graded low/medium/high risk with reasons. To prove the applicant holds the number, set send_code and confirm the code with confirm_code. " +
		"Live keys need a configured SMS gateway (--sms-url); test keys without one get the code in the server log. The number is stored encrypted.",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: true},
	REST:        REST{Method: "POST", Path: "/phone-checks", Status: 201},
	Creates:     true,
	// The applicant types the number in the hosted flow: a session may check one only to send it a
	// code for its own verification (verification_id; the registry checks it is the session's).
	SessionAllowed: true,
	Summary:        summarizePhone,
	Handle: func(ctx context.Context, d *Deps, c Caller, in VerifyPhoneInput) (PhoneCheck, error) {
		svc, err := contactService(d)
		if err != nil {
			return PhoneCheck{}, err
		}
		if strings.TrimSpace(in.Phone) == "" {
			return PhoneCheck{}, invalid("phone", "required: the phone number")
		}
		if c.IsSession() && !in.SendCode {
			return PhoneCheck{}, invalid("send_code", "a hosted-flow session checks a number only to send it a code")
		}
		country := strings.TrimSpace(in.Country)
		if country != "" {
			if country, err = phone.NormalizeCountry(country); err != nil {
				return PhoneCheck{}, invalid("country", "%q is not an ISO 3166-1 alpha-2 or alpha-3 country code", in.Country)
			}
		}
		chk, err := svc.CheckPhone(ctx, c.scope(), contactRequest(c, in.Phone, country, in.SendCode, strings.TrimSpace(in.VerificationID), in.ExternalRef, in.Locale))
		if err != nil {
			return PhoneCheck{}, contactErr(err, "phone")
		}
		r := chk.Result
		return PhoneCheck{ID: chk.Check.ID, Valid: r.Valid, E164: r.E164, International: r.International, Type: string(r.Type),
			Region: r.Region, CountryCode: r.CountryCode, ExpectedCountry: r.ExpectedCountry, CountryMismatch: r.CountryMismatch,
			Fictional: r.Fictional, RiskLevel: string(r.RiskLevel), Reasons: contactReasons(r.Reasons), Metadata: r.Metadata,
			Forced: chk.ForcedBy != "", ForcedBy: chk.ForcedBy, ContactRecord: contactRecord(chk.Check, chk.Code)}, nil
	},
}

func summarizePhone(p PhoneCheck) string {
	head := fmt.Sprintf("%s: %s %s number", p.ID, p.Region, p.Type)
	if !p.Valid {
		head = p.ID + ": not a valid number"
	}
	return contactSummary(head, p.RiskLevel, p.Reasons, "", p.ContactRecord)
}
