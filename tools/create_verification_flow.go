package tools

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// AdditionalStep is an extra document asked for in one session, kept as evidence.
type AdditionalStep struct {
	Label    string `json:"label" jsonschema:"what to upload (bank card)" minLength:"1" maxLength:"100"`
	OCR      bool   `json:"ocr,omitempty" jsonschema:"also read its text"`
	Optional bool   `json:"optional,omitempty" jsonschema:"may be skipped"`
}

// CompareData are values the document's data must equal.
type CompareData struct {
	Name           string `json:"name,omitempty" jsonschema:"full name (case, punctuation ignored)" maxLength:"200"`
	DOB            string `json:"dob,omitempty" jsonschema:"YYYY-MM-DD" format:"date"`
	DocumentNumber string `json:"document_number,omitempty" jsonschema:"ignoring spaces and dashes" maxLength:"64"`
	IssuingCountry string `json:"issuing_country,omitempty" jsonschema:"ICAO code or alpha-2" maxLength:"3"`
	Nationality    string `json:"nationality,omitempty" jsonschema:"ICAO code or alpha-2" maxLength:"3"`
	OnMismatch     string `json:"on_mismatch,omitempty" jsonschema:"review (default) or reject" enumof:"models.AllRuleOutcomes"`
}

// FlowRef names the flow version a verification runs.
type FlowRef struct {
	ID      string `json:"id" jsonschema:"flow id"`
	Name    string `json:"name" jsonschema:"flow name"`
	Version int    `json:"version" jsonschema:"the version it runs"`
}

// SessionInfo is what a verification's session options say (the steps and branding the
// hosted flow shows are in get_verification_flow).
type SessionInfo struct {
	LengthSeconds int        `json:"length_seconds" jsonschema:"session_length; 0 = none"`
	Deadline      *time.Time `json:"deadline" jsonschema:"when the started session ends; null until started"`
	HasCode       bool       `json:"has_code" jsonschema:"an 8-digit code continues the session (generate_code)"`
	CompareFields []string   `json:"compare_fields" jsonschema:"fields compared with the document (values not shown)"`
}

// flowCreation is what a flow and the session options add to a new verification.
type flowCreation struct {
	opts    *models.SessionOptions
	flow    *models.Flow
	version int
	length  int
	code    bool
}

// applyFlow resolves the flow of a create_verification (named, or the key's default) and
// fills in what it decides: checks, document bounds, expiry and session options. in is
// changed in place; nil without a flow or session option.
func applyFlow(ctx context.Context, d *Deps, c Caller, in *CreateVerificationInput) (*flowCreation, error) {
	ref, field := in.Flow, "flow"
	if ref == "" && c.DefaultFlow != "" && len(in.Checks) == 0 {
		ref, field = c.DefaultFlow, "flow (the API key's default flow)"
	}
	fc := &flowCreation{opts: &models.SessionOptions{}}
	var def models.FlowDefinition
	if ref != "" {
		if len(in.Checks) > 0 {
			return nil, invalid("checks", "give flow or checks, not both: the flow's steps decide the checks")
		}
		var err error
		if fc.flow, fc.version, def, err = resolveFlow(ctx, d, c, ref, field, true); err != nil {
			return nil, err
		}
		if fc.flow.ArchivedAt != nil {
			return nil, invalid(field, "flow %s is archived and takes no new verifications", fc.flow.Name)
		}
		if err := flowInputs(c, in, def); err != nil {
			return nil, err
		}
		fc.opts.FlowName = fc.flow.Name
		fc.opts.Steps, fc.opts.Policy = def.Steps, &def.Policy
		if err := strictLiveness(ctx, d, c, fc.opts.Steps); err != nil {
			return nil, err
		}
		if b := def.Branding; b.Name != "" || b.LogoURL != "" || b.PrimaryColor != "" || len(b.Locales) > 0 || b.SupportEmail != "" || b.SupportURL != "" {
			b := def.Branding
			fc.opts.Branding = &b
		}
	}
	fc.length = cmpOr(in.SessionLength, def.Session.SessionLength)
	if in.SessionLength != 0 && (in.SessionLength < 60 || in.SessionLength > 3600) {
		return nil, invalid("session_length", "must be 60 to 3600 seconds")
	}
	fc.code = def.Session.GenerateCode
	if in.GenerateCode != nil {
		fc.code = *in.GenerateCode
	}
	for i, a := range in.AdditionalSteps {
		label := strings.Join(strings.Fields(a.Label), " ")
		if label == "" {
			return nil, invalid(fmt.Sprintf("additional_steps[%d].label", i), "required")
		}
		fc.opts.AdditionalSteps = append(fc.opts.AdditionalSteps, models.FlowStep{Type: models.StepAdditionalDocument, Label: label, OCR: a.OCR, Optional: a.Optional})
	}
	if in.Compare != nil {
		if err := compareInputs(in.Compare, fc.opts); err != nil {
			return nil, err
		}
	}
	if fc.flow == nil && fc.length == 0 && !fc.code && len(fc.opts.AdditionalSteps) == 0 && len(fc.opts.Compare) == 0 {
		return nil, nil
	}
	return fc, nil
}

// strictLiveness makes a flow's passive liveness step active when the server or the API key
// requires a passed active challenge (--liveness-require-active): the stricter rule wins, and
// the hosted flow then shows the challenge the check will wait for (it would otherwise show
// none, and the applicant could never submit). steps is the verification's own copy.
func strictLiveness(ctx context.Context, d *Deps, c Caller, steps []models.FlowStep) error {
	i := slices.IndexFunc(steps, func(st models.FlowStep) bool { return st.Type == models.StepLiveness && st.LivenessMode == "passive" })
	if i < 0 || d.Biometrics == nil {
		return nil
	}
	required, err := d.Biometrics.RequireActiveFor(ctx, c.KeyID)
	if err != nil || !required {
		return err
	}
	steps[i].LivenessMode = "active"
	return nil
}

// flowInputs applies a flow's definition to the creation's inputs: its checks, its document
// step's bounds (the caller may narrow them) and its session expiry.
func flowInputs(c Caller, in *CreateVerificationInput, def models.FlowDefinition) error {
	in.Checks = flowChecks(def.Steps)
	// The flow's questionnaire step and its policy's answer rules attach the questionnaire
	// (create_verification's own questionnaire and answer_rules win).
	for _, s := range def.Steps {
		if s.Type == models.StepQuestionnaire && in.Questionnaire == "" {
			in.Questionnaire = s.Questionnaire
		}
	}
	if in.Questionnaire != "" && len(in.AnswerRules) == 0 {
		in.AnswerRules = def.Policy.AnswerRules
	}
	if (in.MinAge != nil || in.MaxAge != nil) && slices.Contains(in.Checks, string(models.CheckDocument)) {
		in.Checks = append(in.Checks, string(models.CheckAge))
	}
	if len(in.Checks) == 0 {
		in.Checks = nil // a flow of consent, questionnaires and extra documents only
	}
	for _, s := range def.Steps {
		if s.Type != models.StepDocument {
			continue
		}
		if len(s.DocumentTypes) > 0 {
			switch {
			case in.DocumentType != "" && !slices.Contains(s.DocumentTypes, in.DocumentType):
				return invalid("document_type", "the flow accepts only %s", strings.Join(s.DocumentTypes, ", "))
			case in.DocumentType == "" && len(s.DocumentTypes) == 1:
				in.DocumentType = s.DocumentTypes[0]
			}
		}
		if len(s.Countries) > 0 {
			if len(in.AllowedCountries) == 0 {
				in.AllowedCountries = s.Countries
			} else {
				for i, cc := range in.AllowedCountries {
					norm, err := issuingStateField(fmt.Sprintf("allowed_countries[%d]", i), cc)
					if err != nil {
						return err
					}
					if !slices.Contains(s.Countries, norm) {
						return invalid(fmt.Sprintf("allowed_countries[%d]", i), "%s is not among the flow's issuing states (%s)", norm, strings.Join(s.Countries, ", "))
					}
				}
			}
		}
	}
	if in.ExpiresIn == 0 {
		in.ExpiresIn = def.Session.ExpiresIn
	}
	return nil
}

func compareInputs(cd *CompareData, o *models.SessionOptions) error {
	o.Compare = map[string]string{}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			o.Compare[k] = v
		}
	}
	set("name", cd.Name)
	set("document_number", cd.DocumentNumber)
	if cd.DOB != "" {
		if !isoDateRE.MatchString(cd.DOB) {
			return invalid("compare.dob", "must be a date as YYYY-MM-DD")
		}
		set("dob", cd.DOB)
	}
	for field, v := range map[string]string{"issuing_country": cd.IssuingCountry, "nationality": cd.Nationality} {
		norm, err := issuingStateField("compare."+field, v)
		if err != nil {
			return err
		}
		set(field, norm)
	}
	if len(o.Compare) == 0 {
		return invalid("compare", "give at least one value to compare")
	}
	o.CompareReason = cd.OnMismatch
	return nil
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// apply sets the flow's columns on the new row and the creation's options, and claims a
// code in the creating transaction when asked; *code receives it.
func (fc *flowCreation) apply(d *Deps, v *models.Verification, cr *verify.Creation, code *string) {
	if fc == nil {
		return
	}
	if fc.flow != nil {
		v.FlowID, v.FlowVersion = fc.flow.ID, fc.version
	}
	v.SessionLength = fc.length
	cr.Options = fc.opts
	fc.opts.HasCode = fc.code
	if fc.code {
		cr.Then = func(ctx context.Context, tx *db.Tx, v *models.Verification) error {
			var err error
			*code, err = d.Verify.ClaimSessionCode(ctx, tx, v)
			return err
		}
	}
}

// toSession renders a verification's flow and session options (nil, nil without any).
func toSession(d *Deps, v *models.Verification) (*FlowRef, *SessionInfo, error) {
	if v.FlowID == "" && v.SessionLength == 0 && v.Options == "" {
		return nil, nil, nil
	}
	o, err := verify.OpenOptions(d.Store, v)
	if err != nil {
		return nil, nil, err
	}
	var ref *FlowRef
	if v.FlowID != "" {
		ref = &FlowRef{ID: v.FlowID, Name: o.FlowName, Version: v.FlowVersion}
	}
	s := &SessionInfo{LengthSeconds: v.SessionLength, Deadline: v.SessionDeadline, HasCode: o.HasCode, CompareFields: []string{}}
	for _, k := range verify.CompareFields {
		if _, ok := o.Compare[k]; ok {
			s.CompareFields = append(s.CompareFields, k)
		}
	}
	return ref, s, nil
}

// checks are the verification's checks: the flow's (none for a flow without checks), else
// as resolveChecks says.
func (fc *flowCreation) checks(d *Deps, c Caller, asked []string) ([]string, error) {
	if fc != nil && fc.flow != nil && len(asked) == 0 {
		return []string{}, nil
	}
	return resolveChecks(d, c, asked)
}
