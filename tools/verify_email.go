package tools

import (
	"context"
	"strings"

	"github.com/kycd/kycd/checks/email"
)

// VerifyEmailInput is an email address to check, and whether to send it a code.
type VerifyEmailInput struct {
	Email          string `json:"email" jsonschema:"the email address as the applicant gave it" minLength:"1" maxLength:"320"`
	SendCode       bool   `json:"send_code,omitempty" jsonschema:"also send a 6-digit one-time code to the address, valid 10 minutes; confirm it with confirm_code. At most one code a minute and 5 an hour per address"`
	VerificationID string `json:"verification_id,omitempty" jsonschema:"attach the check to this verification (ver_…): a confirmation is then recorded on its timeline (email.confirmed)" maxLength:"64"`
	ExternalRef    string `json:"external_ref,omitempty" jsonschema:"your reference for the check" maxLength:"128"`
	Locale         string `json:"locale,omitempty" jsonschema:"language of the code's mail; default: the verification's locale, else en" enum:"en,de,pt"`
}

// EmailCheck is the outcome of verify_email.
type EmailCheck struct {
	ID              string          `json:"id" jsonschema:"the check (eml_…)"`
	Normalized      string          `json:"normalized" jsonschema:"the address with the domain lower-cased (Unicode form); empty when the syntax is invalid"`
	NormalizedASCII string          `json:"normalized_ascii" jsonschema:"the same with the domain in punycode"`
	ValidSyntax     bool            `json:"valid_syntax" jsonschema:"the address is an RFC 5322 addr-spec as mail providers accept it"`
	SyntaxError     string          `json:"syntax_error,omitempty" jsonschema:"why the syntax is invalid (a stable code)"`
	QuotedLocal     bool            `json:"quoted_local_part" jsonschema:"the local part is a quoted string: legal, rarely accepted, common in abuse"`
	Domain          EmailDomain     `json:"domain" jsonschema:"what DNS says about the domain (mailboxes are never probed over SMTP)"`
	Disposable      bool            `json:"disposable" jsonschema:"the domain is a disposable (throw-away) mail service"`
	FreeProvider    bool            `json:"free_provider" jsonschema:"the domain is a large free webmail provider"`
	RoleAccount     bool            `json:"role_account" jsonschema:"the mailbox is a role (info@, admin@, noreply@ …), not a person"`
	TypoSuggestion  string          `json:"typo_suggestion,omitempty" jsonschema:"the address probably meant (gmial.com → gmail.com)"`
	RiskLevel       string          `json:"risk_level" jsonschema:"low, medium or high: the highest level among the reasons" enum:"low,medium,high"`
	Reasons         []ContactReason `json:"reasons" jsonschema:"every finding, each with its code"`
	Lists           EmailLists      `json:"lists" jsonschema:"versions of the lists used, so the result can be reproduced"`
	// Forced and ForcedBy mark a result a test-mode magic value set (list_sandbox_values).
	Forced   bool   `json:"forced,omitempty" jsonschema:"test mode only: the result was forced by a magic value (forced_by)"`
	ForcedBy string `json:"forced_by,omitempty" jsonschema:"test mode only: the magic value that forced the result"`
	ContactRecord
}

// EmailDomain is the DNS part of an email check.
type EmailDomain struct {
	Name        string    `json:"name" jsonschema:"the domain, lower case, Unicode form"`
	Checked     bool      `json:"checked" jsonschema:"false when DNS was not asked (invalid syntax) or did not answer: exists and accepts_mail then say nothing"`
	Exists      bool      `json:"exists" jsonschema:"the domain exists in DNS"`
	MX          []EmailMX `json:"mx" jsonschema:"its mail exchangers, by preference"`
	AcceptsMail bool      `json:"accepts_mail" jsonschema:"mail to the domain can be delivered (MX, or an A/AAAA record without MX)"`
	NullMX      bool      `json:"null_mx" jsonschema:"the domain publishes RFC 7505's null MX: it takes no mail at all"`
	Error       string    `json:"error,omitempty" jsonschema:"why DNS gave no answer"`
}

// EmailMX is one mail exchanger.
type EmailMX struct {
	Host string `json:"host" jsonschema:"the exchanger's host name"`
	Pref uint16 `json:"pref" jsonschema:"its preference (lower first)"`
}

// EmailLists names the list versions an email check used.
type EmailLists struct {
	Disposable string `json:"disposable" jsonschema:"the disposable-domain list (package, version and content hash)"`
	Free       string `json:"free" jsonschema:"the free-provider list"`
}

// VerifyEmail checks an email address and optionally sends it a one-time code.
var VerifyEmail = Tool[VerifyEmailInput, EmailCheck]{
	Name:     "verify_email",
	Examples: []string{`{"email":"jane.doe@example.com","send_code":true,"locale":"de"}`},
	Title:    "Verify an email address",
	Brief:    "check an email address — syntax, the domain's MX / null MX in DNS, disposable and free-webmail providers, role mailboxes, typos and look-alike domains: `risk_level` and `reasons`, `id` `eml_…`; never probes mailboxes over SMTP. `send_code` also mails a 6-digit code (`code_id`, `expires_at`); `verification_id` attaches it; stored sealed",
	Description: "Check an email address: syntax, the domain's mail set-up in DNS (MX, null MX), disposable and free-webmail providers, role mailboxes, likely typos and look-alike domains, " +
		"graded low/medium/high risk with reasons. Mailboxes are never probed over SMTP: to prove the applicant reads the mailbox, set send_code and confirm the code with confirm_code. " +
		"Live keys need a configured mail server (--smtp-url); test keys without one get the code in the server log. The address is stored encrypted.",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: true},
	REST:        REST{Method: "POST", Path: "/email-checks", Status: 201},
	Creates:     true,
	// The applicant types the address in the hosted flow: a session may check one only to send it a
	// code for its own verification (verification_id; the registry checks it is the session's).
	SessionAllowed: true,
	Summary:        summarizeEmail,
	Handle: func(ctx context.Context, d *Deps, c Caller, in VerifyEmailInput) (EmailCheck, error) {
		svc, err := contactService(d)
		if err != nil {
			return EmailCheck{}, err
		}
		if strings.TrimSpace(in.Email) == "" {
			return EmailCheck{}, invalid("email", "required: the email address")
		}
		if c.IsSession() && !in.SendCode {
			return EmailCheck{}, invalid("send_code", "a hosted-flow session checks an address only to send it a code")
		}
		chk, err := svc.CheckEmail(ctx, c.scope(), contactRequest(c, in.Email, "", in.SendCode, strings.TrimSpace(in.VerificationID), in.ExternalRef, in.Locale))
		if err != nil {
			return EmailCheck{}, contactErr(err, "email")
		}
		out := toEmailCheck(chk.Result, chk.Check.ID, contactRecord(chk.Check, chk.Code))
		out.Forced, out.ForcedBy = chk.ForcedBy != "", chk.ForcedBy
		return out, nil
	},
}

func toEmailCheck(r *email.Result, id string, rec ContactRecord) EmailCheck {
	out := EmailCheck{ID: id, Normalized: r.Normalized, NormalizedASCII: r.NormalizedASCII, ValidSyntax: r.ValidSyntax,
		SyntaxError: r.SyntaxError, QuotedLocal: r.QuotedLocal, Disposable: r.Disposable, FreeProvider: r.FreeProvider,
		RoleAccount: r.RoleAccount, TypoSuggestion: r.TypoSuggestion, RiskLevel: string(r.RiskLevel), Reasons: contactReasons(r.Reasons),
		Lists: EmailLists(r.Lists), ContactRecord: rec,
		Domain: EmailDomain{Name: r.Domain.Name, Checked: r.Domain.Checked, Exists: r.Domain.Exists, MX: []EmailMX{},
			AcceptsMail: r.Domain.AcceptsMail, NullMX: r.Domain.NullMX, Error: r.Domain.Error}}
	for _, mx := range r.Domain.MX {
		out.Domain.MX = append(out.Domain.MX, EmailMX(mx))
	}
	return out
}

func summarizeEmail(e EmailCheck) string {
	extra := ""
	if e.TypoSuggestion != "" {
		extra = "; did they mean " + e.TypoSuggestion + "?"
	}
	return contactSummary(e.ID, e.RiskLevel, e.Reasons, extra, e.ContactRecord)
}
