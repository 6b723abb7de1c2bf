package tools

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/kycd/kycd/models"
)

// FlowProblem is one thing wrong with a flow definition.
type FlowProblem struct {
	Path    string `json:"path" jsonschema:"where, as a JSON path into the input (steps[2].countries[0], policy.thresholds.face_match)"`
	Message string `json:"message" jsonschema:"what is wrong and how to fix it"`
}

// QuestionnaireExists, when set, says whether a questionnaire of that name exists for the
// caller; validate_flow and create_flow then refuse a step naming one that does not. It is a
// hook rather than a store read so flows do not depend on how questionnaires are stored.
var QuestionnaireExists func(ctx context.Context, d *Deps, c Caller, name string) (bool, error)

var (
	flowNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)
	colorRE    = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// flowCheckSteps maps a step to the check it runs ("" for steps without one).
var flowCheckSteps = map[models.StepType]models.Check{
	models.StepDocument: models.CheckDocument, models.StepSelfie: models.CheckFaceMatch,
	models.StepLiveness: models.CheckLiveness,
	models.StepEmail:    models.CheckEmail, models.StepPhone: models.CheckPhone, models.StepProofOfAddress: models.CheckProofOfAddress,
	models.StepNFC: models.CheckNFC, models.StepScreening: models.CheckScreening,
}

// policyChecks are the checks a flow's policy may set a threshold for.
var policyChecks = []string{string(models.CheckFaceMatch), string(models.CheckLiveness), string(models.CheckScreening)}

// flowChecks are the checks a flow's steps run, in step order, without repeats.
func flowChecks(steps []models.FlowStep) []string {
	var out []string
	for _, s := range steps {
		if ch, ok := flowCheckSteps[s.Type]; ok && !slices.Contains(out, string(ch)) {
			out = append(out, string(ch))
		}
	}
	return out
}

// problems collects FlowProblems.
type problems []FlowProblem

func (p *problems) add(path, format string, args ...any) {
	*p = append(*p, FlowProblem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// validateFlow checks a flow definition and normalises it in place (country codes to ICAO,
// trimmed labels). It lists every problem rather than stopping at the first, so a team can
// fix a flow in one go. name is checked when nameRequired or given.
func validateFlow(ctx context.Context, d *Deps, c Caller, name string, nameRequired bool, def *models.FlowDefinition) ([]FlowProblem, error) {
	var p problems
	switch {
	case name == "" && nameRequired:
		p.add("name", "required")
	case name != "" && !flowNameRE.MatchString(name):
		p.add("name", "use 1 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit (it is how create_verification names the flow)")
	}
	if err := validateSteps(ctx, d, c, def, &p); err != nil {
		return nil, err
	}
	validatePolicy(def, &p)
	validateSession(def.Session, &p)
	validateBranding(&def.Branding, &p)
	return p, nil
}

func validateSteps(ctx context.Context, d *Deps, c Caller, def *models.FlowDefinition, p *problems) error {
	if len(def.Steps) == 0 {
		p.add("steps", "a flow needs at least one step")
	}
	if len(def.Steps) > 20 {
		p.add("steps", "at most 20 steps, got %d", len(def.Steps))
	}
	seen := map[models.StepType]int{}
	for i := range def.Steps {
		s := &def.Steps[i]
		at := fmt.Sprintf("steps[%d]", i)
		if !slices.Contains(models.AllStepTypes, s.Type) {
			p.add(at+".type", "%q is not a step type; use one of %s", s.Type, joinSteps(models.AllStepTypes))
			continue
		}
		if j, dup := seen[s.Type]; dup && s.Type != models.StepAdditionalDocument && s.Type != models.StepQuestionnaire {
			p.add(at+".type", "%s is already step %d; a step type appears once (only additional_document and questionnaire may repeat)", s.Type, j)
		}
		if _, ok := seen[s.Type]; !ok {
			seen[s.Type] = i
		}
		if s.Type == models.StepConsent && i != 0 {
			p.add(at+".type", "consent must be the first step: nothing may be collected before the applicant agrees")
		}
		// Settings of another step type are refused, so a typo'd flow does not silently ignore them.
		only := func(field string, given bool, types ...models.StepType) {
			if given && !slices.Contains(types, s.Type) {
				p.add(at+"."+field, "applies to %s steps only", joinSteps(types))
			}
		}
		only("document_types", len(s.DocumentTypes) > 0, models.StepDocument)
		only("countries", len(s.Countries) > 0, models.StepDocument)
		only("sides", s.Sides != "", models.StepDocument)
		only("liveness_mode", s.LivenessMode != "", models.StepLiveness)
		only("challenges", s.Challenges != 0, models.StepLiveness)
		only("questionnaire", s.Questionnaire != "", models.StepQuestionnaire)
		only("label", s.Label != "", models.StepAdditionalDocument)
		only("ocr", s.OCR, models.StepAdditionalDocument)
		only("optional", s.Optional, models.StepAdditionalDocument, models.StepQuestionnaire)
		switch s.Type {
		case models.StepDocument:
			if len(s.DocumentTypes) > 4 {
				p.add(at+".document_types", "at most 4")
			}
			for j, t := range s.DocumentTypes {
				if !slices.Contains(models.AllDocumentTypes, models.DocumentType(t)) {
					p.add(fmt.Sprintf("%s.document_types[%d]", at, j), "%q is not one of %v", t, models.AllDocumentTypes)
				} else if len(c.DocumentTypes) > 0 && !slices.Contains(c.DocumentTypes, t) {
					p.add(fmt.Sprintf("%s.document_types[%d]", at, j), "this API key accepts only %s", strings.Join(c.DocumentTypes, ", "))
				}
			}
			for j, cc := range s.Countries {
				field := fmt.Sprintf("%s.countries[%d]", at, j)
				norm, err := issuingStateField(field, cc)
				if err != nil || norm == "" {
					p.add(field, "unknown country code %q; give an ICAO issuing-state code (NLD, D for Germany) or ISO 3166-1 alpha-2 (NL, DE)", cc)
					continue
				}
				s.Countries[j] = norm
			}
			if s.Sides != "" && s.Sides != "front" && s.Sides != "front_and_back" {
				p.add(at+".sides", "%q: use front or front_and_back", s.Sides)
			}
		case models.StepSelfie:
			if !hasStepBefore(def.Steps, i, models.StepDocument) {
				p.add(at, "selfie needs document: the selfie is matched to the document's portrait, so a document step must come before it")
			}
		case models.StepSelfieWithDocument:
			if !hasStepBefore(def.Steps, i, models.StepDocument) {
				p.add(at, "selfie_with_document needs document: the held document is matched to the photographed one, so a document step must come before it")
			}
		case models.StepLiveness:
			if !hasStepBefore(def.Steps, i, models.StepSelfie) {
				p.add(at, "liveness needs a selfie step before it: the selfie is what liveness judges")
			}
			if s.LivenessMode != "" && s.LivenessMode != "passive" && s.LivenessMode != "active" {
				p.add(at+".liveness_mode", "%q: use passive or active", s.LivenessMode)
			}
			if s.Challenges < 0 || s.Challenges > 5 {
				p.add(at+".challenges", "%d is outside 1 to 5", s.Challenges)
			} else if s.Challenges > 0 && s.LivenessMode == "passive" {
				p.add(at+".challenges", "a passive liveness step has no challenges; set liveness_mode active or drop challenges")
			}
		case models.StepNFC:
			if !hasStepBefore(def.Steps, i, models.StepDocument) {
				p.add(at, "nfc needs document: the chip is opened with the keys printed in the document's MRZ, so a document step must come before it")
			}
		case models.StepQuestionnaire:
			s.Questionnaire = strings.TrimSpace(s.Questionnaire)
			switch {
			case s.Questionnaire == "":
				p.add(at+".questionnaire", "required: the name of the questionnaire to show")
			case len(s.Questionnaire) > 100:
				p.add(at+".questionnaire", "longer than 100 characters")
			case QuestionnaireExists != nil:
				ok, err := QuestionnaireExists(ctx, d, c, s.Questionnaire)
				if err != nil {
					return err
				}
				if !ok {
					p.add(at+".questionnaire", "no questionnaire named %q exists (create_questionnaire first)", s.Questionnaire)
				}
			}
		case models.StepAdditionalDocument:
			s.Label = strings.Join(strings.Fields(s.Label), " ")
			if s.Label == "" {
				p.add(at+".label", "required: what the applicant uploads (bank card, residence permit back)")
			} else if len(s.Label) > 100 {
				p.add(at+".label", "longer than 100 characters")
			}
		}
	}
	return nil
}

func hasStepBefore(steps []models.FlowStep, i int, t models.StepType) bool {
	return slices.ContainsFunc(steps[:i], func(s models.FlowStep) bool { return s.Type == t })
}

func joinSteps(ts []models.StepType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

func validatePolicy(def *models.FlowDefinition, p *problems) {
	checks := flowChecks(def.Steps)
	if hasStepBefore(def.Steps, len(def.Steps), models.StepSelfieWithDocument) {
		checks = append(checks, string(models.StepSelfieWithDocument)) // its outcome is the flow's own
	}
	pol := def.Policy
	for _, ch := range sortedKeys(pol.Thresholds) {
		t := pol.Thresholds[ch]
		at := "policy.thresholds." + ch
		switch {
		case !slices.Contains(policyChecks, ch):
			p.add(at, "thresholds apply to %s", strings.Join(policyChecks, ", "))
		case t != t || t < 0 || t > 1:
			p.add(at, "threshold %v is outside 0..1", t)
		case !slices.Contains(checks, ch):
			p.add(at, "the flow has no step that runs the %s check", ch)
		}
	}
	for _, ch := range sortedKeys(pol.OnFailure) {
		at := "policy.on_failure." + ch
		if v := pol.OnFailure[ch]; v != "reject" && v != "review" {
			p.add(at, "%q: use reject or review", v)
		}
		if !slices.Contains(checks, ch) {
			p.add(at, "the flow has no step that runs the %s check (its checks: %s)", ch, strings.Join(checks, ", "))
		}
	}
	hasQ := slices.ContainsFunc(def.Steps, func(s models.FlowStep) bool { return s.Type == models.StepQuestionnaire })
	if len(pol.AnswerRules) > 50 {
		p.add("policy.answer_rules", "at most 50 rules")
	}
	for i, r := range pol.AnswerRules {
		at := fmt.Sprintf("policy.answer_rules[%d]", i)
		if !hasQ {
			p.add(at, "answer rules need a questionnaire step")
		}
		if strings.TrimSpace(r.Question) == "" || len(r.Question) > 100 {
			p.add(at+".question", "required: the question id (at most 100 characters)")
		}
		switch r.Equals.(type) {
		case string, bool, float64:
		default:
			p.add(at+".equals", "give the answer as a string, number or boolean")
		}
		if r.Outcome != "review" && r.Outcome != "reject" {
			p.add(at+".outcome", "%q: use review or reject", r.Outcome)
		}
	}
}

func validateSession(s models.FlowSession, p *problems) {
	if s.ExpiresIn != 0 && (s.ExpiresIn < 60 || s.ExpiresIn > 2592000) {
		p.add("session.expires_in", "%d is outside 60 to 2592000 seconds", s.ExpiresIn)
	}
	if s.SessionLength != 0 && (s.SessionLength < 60 || s.SessionLength > 3600) {
		p.add("session.session_length", "%d is outside 60 to 3600 seconds", s.SessionLength)
	}
}

func validateBranding(b *models.FlowBranding, p *problems) {
	b.Name = strings.Join(strings.Fields(b.Name), " ")
	if len(b.Name) > 100 {
		p.add("branding.name", "longer than 100 characters")
	}
	if b.LogoURL != "" {
		if err := checkURL("branding.logo_url", b.LogoURL, true); err != nil || len(b.LogoURL) > 2048 {
			p.add("branding.logo_url", "must be an absolute https URL of at most 2048 characters")
		}
	}
	if b.PrimaryColor != "" && !colorRE.MatchString(b.PrimaryColor) {
		p.add("branding.primary_color", "%q: give a colour as #rrggbb", b.PrimaryColor)
	}
	if len(b.Locales) > 20 {
		p.add("branding.locales", "at most 20")
	}
	for i, l := range b.Locales {
		if !localeRE.MatchString(l) || len(l) > 35 {
			p.add(fmt.Sprintf("branding.locales[%d]", i), "%q is not a BCP 47 language tag (en, pt-BR)", l)
		}
	}
	if b.SupportEmail != "" && (!emailRE.MatchString(b.SupportEmail) || len(b.SupportEmail) > 254) {
		p.add("branding.support_email", "not an email address")
	}
	if b.SupportURL != "" {
		if err := checkURL("branding.support_url", b.SupportURL, false); err != nil || len(b.SupportURL) > 2048 {
			p.add("branding.support_url", "must be an absolute http(s) URL of at most 2048 characters")
		}
	}
}

// flowError is the tool error for a flow with problems: the first problem's path is the
// field, the message lists them all.
func flowError(ps []FlowProblem) error {
	msgs := make([]string, len(ps))
	for i, pr := range ps {
		msgs[i] = pr.Path + ": " + pr.Message
	}
	return invalid(ps[0].Path, "the flow has %d problem(s) (validate_flow lists them): %s", len(ps), strings.Join(msgs, "; "))
}

// sortedKeys are a map's keys in order, so problems come out the same every time.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// CheckFlow is create_flow's validation for callers outside the registry (kycd flows
// import): every problem, and def normalised in place as it would be stored.
func CheckFlow(ctx context.Context, d *Deps, c Caller, name string, def *models.FlowDefinition) ([]FlowProblem, error) {
	return validateFlow(ctx, d, c, name, true, def)
}
