package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// The sandbox (issue #27): with a test-mode key, documented magic values force an outcome
// deterministically, so integrators can build their webhook handlers and UI states before
// they have real documents to test with. The forcing happens through the real pipeline:
// the checks still run where their inputs exist, and the part that was forced is marked
// (forced, forced_by) in the result, with the engine's own outcome kept beside it. With a
// live key no magic value ever acts: every function here checks the mode first.
//
// SandboxRules is the one registry of magic values. The README's table, the kycd://sandbox
// MCP resource and the list_sandbox_values tool are all rendered from it, so they cannot
// drift from what the code does.

// Where a sandbox rule's value is read.
const (
	// SandboxOnVerification: the verification's external_ref or the applicant's name starts
	// with the value (then the end, or a character that is not a letter or digit, e.g.
	// test_approve_42).
	SandboxOnVerification = "external_ref or applicant.name"
)

// SandboxRule is one documented magic value of test mode.
type SandboxRule struct {
	// Value is the magic value (a prefix; see SandboxOnVerification).
	Value string `json:"value" jsonschema:"the magic value"`
	// Applies says where the value is read: the verification's external_ref or applicant
	// name, or a tool's input.
	Applies string `json:"applies" jsonschema:"where the value is read (external_ref or applicant.name of a verification, or a tool input)"`
	// Check is the check whose outcome the rule forces ("" when it forces the whole
	// verification).
	Check models.Check `json:"check,omitempty" jsonschema:"the check whose outcome it forces, when it forces one"`
	// Outcome is the outcome forced on Check (or on every check for test_approve).
	Outcome models.Outcome `json:"outcome,omitempty" jsonschema:"the check outcome it forces"`
	// Reason is the reason code the forced outcome carries.
	Reason string `json:"reason,omitempty" jsonschema:"the reason code of the forced outcome"`
	// Result is what the caller sees in the end: a verification status, or a tool's answer.
	Result string `json:"result" jsonschema:"what the caller gets: the verification's final status, or the tool's answer"`
	// Description says what the rule does, for a person.
	Description string `json:"description" jsonschema:"what it does"`

	// expire: the verification is created already due for expiry (test_expire).
	expire bool
	// webhookFail: the first attempt of each delivery fails (test_webhook_fail).
	webhookFail bool
}

// Sandbox rule values with behaviour beyond forcing a check outcome.
const (
	SandboxApprove = "test_approve"
	SandboxExpire  = "test_expire"
)

// sandboxReasons are the reason codes a forced failing or review outcome carries, per check:
// the codes the real engine gives for its most common such outcome, so an integrator's
// handler sees what it will see in live mode.
var sandboxReasons = map[models.Check]map[models.Outcome]string{
	models.CheckDocument:       {models.OutcomeFail: "document_unreadable", models.OutcomeReview: "document_review"},
	models.CheckFaceMatch:      {models.OutcomeFail: "face_mismatch", models.OutcomeReview: "face_match_uncertain"},
	models.CheckLiveness:       {models.OutcomeFail: "spoof_suspected", models.OutcomeReview: "liveness_uncertain"},
	models.CheckAge:            {models.OutcomeFail: "age_below_minimum", models.OutcomeReview: "age_estimate_uncertain"},
	models.CheckScreening:      {models.OutcomeFail: "sanctions_hit", models.OutcomeReview: "sanctions_hit"},
	models.CheckEmail:          {models.OutcomeFail: "email_high_risk", models.OutcomeReview: "email_unconfirmed"},
	models.CheckPhone:          {models.OutcomeFail: "phone_high_risk", models.OutcomeReview: "phone_unconfirmed"},
	models.CheckNFC:            {models.OutcomeFail: "chip_not_authentic", models.OutcomeReview: "chip_unverified"},
	models.CheckProofOfAddress: {models.OutcomeFail: "address_mismatch", models.OutcomeReview: "address_partial_match"},
}

func sandboxReason(c models.Check, o models.Outcome) string {
	if o == models.OutcomePass {
		return ""
	}
	if r := sandboxReasons[c][o]; r != "" {
		return r
	}
	return string(c) + "_" + string(o)
}

// decisionOf is the final status one forced check outcome (the others passing) gives.
func decisionOf(o models.Outcome) string {
	return string(Decide([]models.CheckOutcome{{Outcome: o}}))
}

// verificationRules are the verification-level rules: the named scenarios of issue #27,
// then test_<check>_<outcome> for every check and outcome.
func verificationRules() []SandboxRule {
	scenario := func(value string, c models.Check, o models.Outcome, reason, desc string) SandboxRule {
		return SandboxRule{Value: value, Applies: SandboxOnVerification, Check: c, Outcome: o, Reason: reason,
			Result: decisionOf(o), Description: desc}
	}
	rules := []SandboxRule{
		{Value: SandboxApprove, Applies: SandboxOnVerification, Outcome: models.OutcomePass, Result: string(models.StatusApproved),
			Description: "every check passes; checks without their inputs are not needed to submit"},
		scenario("test_reject_document", models.CheckDocument, models.OutcomeFail, "document_unreadable",
			"the document check fails, the other checks pass (needs the document check)"),
		scenario("test_review_face", models.CheckFaceMatch, models.OutcomeReview, "face_match_uncertain",
			"face_match needs a person's review, the other checks pass (needs the face_match check)"),
		scenario("test_screening_hit", models.CheckScreening, models.OutcomeReview, "sanctions_hit",
			"screening finds a sanctions hit for review, the other checks pass (needs the screening check)"),
		scenario("test_age_under", models.CheckAge, models.OutcomeFail, "age_below_minimum",
			"the applicant is below the minimum age: the age check fails (needs the age check)"),
		scenario("test_liveness_spoof", models.CheckLiveness, models.OutcomeFail, "spoof_suspected",
			"liveness detects a spoof: the liveness check fails (needs the liveness check)"),
		scenario("test_duplicate", models.CheckFaceMatch, models.OutcomeReview, "duplicate_face",
			"the face matches another applicant's: face_match needs review (needs the face_match check)"),
		{Value: SandboxWebhookFail, Applies: SandboxOnVerification, Result: "the verification's own", webhookFail: true,
			Description: "the checks run as without it; the first attempt of each of the verification's webhook deliveries is sent but recorded as failed, so the receiver gets it again on the retry (same delivery id)"},
		{Value: SandboxExpire, Applies: SandboxOnVerification, Result: string(models.StatusExpired), expire: true,
			Description: "the verification is created already past its expiry: the next expiry run (every minute) expires it, with its event and webhook"},
	}
	for _, c := range models.AllChecks {
		for _, o := range models.AllOutcomes {
			rules = append(rules, SandboxRule{Value: fmt.Sprintf("test_%s_%s", c, o), Applies: SandboxOnVerification,
				Check: c, Outcome: o, Reason: sandboxReason(c, o), Result: decisionOf(o),
				Description: fmt.Sprintf("the %s check's outcome is %s, the other checks pass (needs the %s check)", c, o, c)})
		}
	}
	return rules
}

// SandboxRules lists every magic value test mode knows, in the order of the README's table.
func SandboxRules() []SandboxRule {
	return append(verificationRules(), toolRules...)
}

// toolRules are the rules other tools register (AddSandboxRules) for their own inputs.
var toolRules []SandboxRule

// AddSandboxRules registers rules that act on a tool's own input (verify_email, verify_phone,
// screening, …) so they appear in the one table. Call it from an init function in verify.
func AddSandboxRules(rules ...SandboxRule) { toolRules = append(toolRules, rules...) }

// hasPrefixWord reports whether s starts with prefix followed by its end or by a character
// that is not a letter or digit (test_approve matches test_approve-42, not test_approved).
func hasPrefixWord(s, prefix string) bool {
	if !strings.HasPrefix(s, prefix) {
		return false
	}
	if len(s) == len(prefix) {
		return true
	}
	b := s[len(prefix)]
	return !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9')
}

// SandboxRuleFor returns the verification-level rule a test-mode verification's external_ref
// (first) or applicant name selects, the longest value matching; nil in live mode or when
// none matches.
func SandboxRuleFor(v *models.Verification, applicant models.ApplicantData) *SandboxRule {
	if v == nil || v.Mode != models.ModeTest {
		return nil
	}
	var fields []string
	if v.ExternalRef != nil {
		fields = append(fields, strings.TrimSpace(*v.ExternalRef))
	}
	fields = append(fields, strings.TrimSpace(applicant.Name))
	rules := verificationRules()
	for _, f := range fields {
		f = strings.ToLower(f)
		var best *SandboxRule
		for i := range rules {
			if hasPrefixWord(f, rules[i].Value) && (best == nil || len(rules[i].Value) > len(best.Value)) {
				best = &rules[i]
			}
		}
		if best != nil {
			return best
		}
	}
	return nil
}

// fires reports whether the rule forces check outcomes on a verification with checks: a rule
// for one check does only when the verification has that check.
func (r *SandboxRule) fires(checks []models.Check) bool {
	if r == nil || r.expire || r.webhookFail {
		return false
	}
	return r.Check == "" || slices.Contains(checks, r.Check)
}

// WaivesMissing reports whether the rule lets a verification with checks be submitted
// without every input: its checks' outcomes are forced, so nothing is needed to decide.
func (r *SandboxRule) WaivesMissing(checks []models.Check) bool { return r.fires(checks) }

// synthesise is the outcome of a check whose engine did not run (its inputs are missing, which
// only a firing rule or a simulated outcome allows); force or forceSimulated then sets it.
func synthesise(c models.Check) *models.CheckOutcome {
	return &models.CheckOutcome{Check: string(c), Outcome: models.OutcomePass,
		Details: map[string]any{"sandbox_engine_ran": false}, Versions: map[string]string{"engine": "sandbox"}}
}

// force sets the outcome the rule gives check c on out, keeping what the engine said under
// details.sandbox_engine_outcome / sandbox_engine_reasons, and marks it forced.
func (r *SandboxRule) force(c models.Check, out *models.CheckOutcome) {
	want, reason := models.OutcomePass, ""
	if r.Check == "" || r.Check == c {
		want, reason = r.Outcome, r.Reason
	}
	if out.Details == nil {
		out.Details = map[string]any{}
	}
	if _, synth := out.Details["sandbox_engine_ran"]; !synth {
		out.Details["sandbox_engine_outcome"] = out.Outcome
		if len(out.Reasons) > 0 {
			out.Details["sandbox_engine_reasons"] = out.Reasons
		}
	}
	out.Outcome, out.Forced, out.ForcedBy = want, true, r.Value
	out.Reasons = nil
	if reason != "" {
		out.Reasons = []models.Reason{{Code: reason, Check: string(c),
			Message: fmt.Sprintf("forced to %s by the test-mode value %s", want, r.Value)}}
	}
}

// SandboxWaives reports whether v may be submitted with inputs its checks still miss: in test
// mode, a magic value that forces its checks' outcomes needs none of them.
func (s *Service) SandboxWaives(v *models.Verification) (bool, error) {
	if v.Mode != models.ModeTest {
		return false, nil
	}
	var applicant models.ApplicantData
	if err := s.store.Keyring().OpenJSON(v.ApplicantPII, &applicant); err != nil {
		return false, fmt.Errorf("open applicant data: %w", err)
	}
	var checks []models.Check
	if err := json.Unmarshal([]byte(v.Checks), &checks); err != nil {
		return false, fmt.Errorf("decode checks: %w", err)
	}
	return SandboxRuleFor(v, applicant).WaivesMissing(checks), nil
}

// sandboxCreate applies a creation-time rule (test_expire: due for expiry at once) to a
// new verification.
func sandboxCreate(v *models.Verification, pii any) {
	var applicant models.ApplicantData
	switch a := pii.(type) {
	case *models.ApplicantData:
		if a != nil {
			applicant = *a
		}
	case models.ApplicantData:
		applicant = a
	}
	if r := SandboxRuleFor(v, applicant); r != nil && r.expire {
		v.ExpiresAt = v.CreatedAt
	}
}

// sandboxCompleted records what a forced outcome implies beyond the result, as the real
// engine would: test_duplicate's fraud.duplicate event.
func (s *Service) sandboxCompleted(ctx context.Context, tx *db.Tx, v *models.Verification, rule *SandboxRule) error {
	if rule == nil || rule.Reason != "duplicate_face" {
		return nil
	}
	return s.RecordEvent(ctx, tx, v, EventFraudDuplicate, "", map[string]any{"kind": "face",
		"other_verification_id": "", "forced": true, "forced_by": rule.Value})
}
