package verify

import (
	"fmt"
	"strings"

	"github.com/kycd/kycd/checks/email"
	"github.com/kycd/kycd/checks/findings"
	"github.com/kycd/kycd/checks/phone"
	"github.com/kycd/kycd/models"
)

// Sandbox values of verify_email and verify_phone: addresses at example.test (a reserved
// domain that never resolves) and numbers in Ofcom's drama range +44 7700 900xxx, so that an
// integrator can test every risk level and the code flow with a test key. The real check runs
// first; the value then sets the domain's DNS answer or the number's risk.

const (
	sandboxEmailDomain = "example.test"
	// sandboxPhonePrefix is Ofcom's range for drama (+44 7700 900000–900999).
	sandboxPhonePrefix = "+447700900"
)

// sandboxEmailRule is one example.test local-part prefix (before "+").
type sandboxEmailRule struct {
	prefix string
	// reasons the forced result carries (their levels are the engine's); none = low risk.
	reasons []string
	// noMail: the domain exists but takes no mail (send_code is refused, as for a real one).
	noMail, nullMX, disposable bool
	desc                       string
}

var sandboxEmailRules = []sandboxEmailRule{
	{prefix: "ok", desc: "a deliverable address, low risk, no reasons: send_code works and the code can be confirmed"},
	{prefix: "disposable", reasons: []string{email.ReasonDisposable}, disposable: true, desc: "a disposable-mail address: high risk"},
	{prefix: "nomx", reasons: []string{email.ReasonNoMailServer}, noMail: true, desc: "a domain with no MX and no address record: high risk; send_code is refused"},
	{prefix: "nullmx", reasons: []string{email.ReasonNullMX}, noMail: true, nullMX: true, desc: "a domain with a null MX (RFC 7505): high risk; send_code is refused"},
	{prefix: "role", reasons: []string{email.ReasonRoleAccount}, desc: "a role mailbox: medium risk"},
}

// sandboxPhoneRule is one block of the drama range, by the number's last three digits. The
// rest of the range (900030–900999) keeps the engine's answer: fictional_number, high risk.
type sandboxPhoneRule struct {
	from, to int
	reasons  []string
	desc     string
}

var sandboxPhoneRules = []sandboxPhoneRule{
	{from: 0, to: 9, desc: "a valid mobile, low risk: send_code works and the code can be confirmed"},
	{from: 10, to: 19, reasons: []string{phone.ReasonVoIP}, desc: "a VoIP number: medium risk"},
	{from: 20, to: 29, reasons: []string{phone.ReasonPremiumRate}, desc: "a premium-rate number: high risk"},
}

func init() {
	for _, r := range sandboxEmailRules {
		risk := graded(email.RiskLow, r.reasons, email.ReasonLevel)
		result := fmt.Sprintf("risk_level %s", risk)
		if len(r.reasons) > 0 {
			result += ", reasons " + strings.Join(r.reasons, ", ")
		}
		AddSandboxRules(SandboxRule{Value: r.prefix + "+…@" + sandboxEmailDomain, Applies: "verify_email: email", Result: result, Description: r.desc})
	}
	for _, r := range sandboxPhoneRules {
		risk := graded(phone.RiskLow, r.reasons, phone.ReasonLevel)
		result := fmt.Sprintf("risk_level %s", risk)
		if len(r.reasons) > 0 {
			result += ", reasons " + strings.Join(r.reasons, ", ")
		}
		AddSandboxRules(SandboxRule{Value: fmt.Sprintf("+44 7700 900%03d–%03d", r.from, r.to), Applies: "verify_phone: phone", Result: result, Description: r.desc})
	}
}

// graded is the risk level reasons carry, as the engine grades them (level).
func graded(low findings.Level, reasons []string, level func(string) findings.Level) findings.Level {
	risk, rs := low, []findings.Reason{}
	for _, c := range reasons {
		findings.Add(&risk, &rs, level(c), c, "")
	}
	return risk
}

// sandboxEmail forces a test-mode email result for an example.test address with a known
// local-part prefix; it returns the rule's value, or "" when none acts (always in live mode).
func sandboxEmail(mode models.Mode, res *email.Result) string {
	if mode != models.ModeTest || res == nil || !res.ValidSyntax {
		return ""
	}
	local, domain, ok := strings.Cut(res.Normalized, "@")
	if !ok || domain != sandboxEmailDomain {
		return ""
	}
	prefix, _, _ := strings.Cut(strings.ToLower(local), "+")
	for _, r := range sandboxEmailRules {
		if r.prefix != prefix {
			continue
		}
		res.Domain = email.DomainResult{Name: domain, ASCII: domain, Checked: true, Exists: true, MX: []email.MX{},
			HasAddress: !r.noMail, AcceptsMail: !r.noMail, NullMX: r.nullMX}
		if !r.noMail {
			res.Domain.MX = []email.MX{{Host: "mx." + domain, Pref: 10}}
		}
		res.Disposable, res.RoleAccount, res.FreeProvider, res.TypoSuggestion = r.disposable, r.prefix == "role", false, ""
		res.RiskLevel, res.Reasons = email.RiskLow, []email.Reason{}
		value := r.prefix + "+…@" + sandboxEmailDomain
		for _, c := range r.reasons {
			findings.Add(&res.RiskLevel, &res.Reasons, email.ReasonLevel(c), c, "forced by the test-mode value %s", value)
		}
		return value
	}
	return ""
}

// sandboxPhone forces a test-mode phone result for a number in the drama range's sandbox
// blocks; it returns the rule's value, or "" when none acts (always in live mode).
func sandboxPhone(mode models.Mode, res *phone.Result) string {
	if mode != models.ModeTest || res == nil {
		return ""
	}
	rest, ok := strings.CutPrefix(res.E164, sandboxPhonePrefix)
	if !ok || len(rest) != 3 {
		return ""
	}
	var n int
	if _, err := fmt.Sscanf(rest, "%03d", &n); err != nil {
		return ""
	}
	for _, r := range sandboxPhoneRules {
		if n < r.from || n > r.to {
			continue
		}
		res.Valid, res.Type = true, phone.TypeMobile
		value := fmt.Sprintf("+44 7700 900%03d–%03d", r.from, r.to)
		// The number stays fictional, as it is; only its reasons are the rule's.
		kept := []phone.Reason{}
		res.RiskLevel = phone.RiskLow
		for _, x := range res.Reasons {
			if x.Code == phone.ReasonCountryMismatch { // the applicant's country still counts
				findings.Add(&res.RiskLevel, &kept, phone.ReasonLevel(x.Code), x.Code, "%s", x.Message)
			}
		}
		res.Reasons = kept
		for _, c := range r.reasons {
			findings.Add(&res.RiskLevel, &res.Reasons, phone.ReasonLevel(c), c, "forced by the test-mode value %s", value)
		}
		return value
	}
	return ""
}
