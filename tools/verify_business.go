package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// Bounds of a verify_business request.
const (
	maxOfficers        = 200
	maxOfficerNameLen  = 200
	maxCompanyNameLen  = 1000
	maxRegistrationLen = 100
)

// VerifyBusinessInput is what a caller says about a company to check.
type VerifyBusinessInput struct {
	LegalName          string         `json:"legal_name,omitempty" jsonschema:"the company's legal name as registered, in any script; required unless lei is given" maxLength:"1000"`
	LEI                string         `json:"lei,omitempty" jsonschema:"the company's Legal Entity Identifier (ISO 17442, 20 characters); checked before any register call" maxLength:"40"`
	Jurisdiction       string         `json:"jurisdiction,omitempty" jsonschema:"where the company is incorporated: ISO 3166-1 alpha-2 (US) or ISO 3166-2 (US-CA)" pattern:"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$"`
	RegistrationNumber string         `json:"registration_number,omitempty" jsonschema:"the number in the business register (HRB 32000, 03044498, …); separates companies of the same name" maxLength:"100"`
	Country            string         `json:"country,omitempty" jsonschema:"the country of the company's legal address; used as the jurisdiction when jurisdiction is not given" country:"alpha2"`
	ExternalRef        string         `json:"external_ref,omitempty" jsonschema:"your id for the company; list_businesses filters on it and screening verdicts recorded under it apply" maxLength:"128"`
	Metadata           map[string]any `json:"metadata,omitempty" jsonschema:"your key-value data (at most 16 KiB as JSON), returned as given"`
	Officers           []OfficerInput `json:"officers,omitempty" jsonschema:"the directors, beneficial owners, shareholders, officers and signatories to screen (at most 200)" maxItems:"200"`
}

// OfficerInput is one person named for the company.
type OfficerInput struct {
	Name             string   `json:"name" jsonschema:"the person's full name" minLength:"1" maxLength:"200"`
	Role             string   `json:"role" jsonschema:"the person's role" enum:"director,ubo,shareholder,officer,signatory"`
	DOB              string   `json:"dob,omitempty" jsonschema:"date of birth as YYYY-MM-DD, YYYY-MM or YYYY; sharpens the screening" pattern:"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"`
	Nationality      string   `json:"nationality,omitempty" jsonschema:"nationality" country:"alpha2"`
	OwnershipPercent *float64 `json:"ownership_percent,omitempty" jsonschema:"the share of the company the person owns, 0 to 100" minimum:"0" maximum:"100"`
}

// Business is a KYB check as every business tool returns it.
type Business struct {
	ID          string              `json:"id" jsonschema:"the business id (biz_…)"`
	Status      string              `json:"status" jsonschema:"processing (the register has not answered yet; a job retries), approved, needs_review or rejected" enum:"processing,approved,needs_review,rejected"`
	RiskLevel   string              `json:"risk_level,omitempty" jsonschema:"low, medium or high; absent while processing" enum:"low,medium,high"`
	ExternalRef *string             `json:"external_ref" jsonschema:"your id for the company, if given"`
	LEI         string              `json:"lei,omitempty" jsonschema:"the LEI of the company identified in the register"`
	Reasons     []BusinessReason    `json:"reasons" jsonschema:"every finding behind the decision, machine-readable"`
	Registry    map[string]any      `json:"registry,omitempty" jsonschema:"the company's LEI record as the register holds it: lei, legal_name, other_names, legal_address, headquarters_address, registered_as, jurisdiction, entity_status, registration (status, next_renewal_date, managing_lou, …)"`
	Candidates  []BusinessCandidate `json:"candidates,omitempty" jsonschema:"when the company could not be told apart: the plausible records, best first, each explained; no company is ever picked silently"`
	Ownership   map[string]any      `json:"ownership,omitempty" jsonschema:"the reported ownership: direct_parent and ultimate_parent (relationship and record) or the reporting exceptions saying why there is none, direct and ultimate children (up to 15), and the graph as nodes and edges"`
	Screening   []BusinessScreening `json:"screening" jsonschema:"every name screened against the loaded sanctions lists (the entity's names, its parents, the officers) with its hits"`
	Sources     *BusinessSources    `json:"sources,omitempty" jsonschema:"where the data came from, so the result can be reproduced; absent while processing"`
	Metadata    map[string]any      `json:"metadata" jsonschema:"your key-value data as given"`
	Attempts    int                 `json:"attempts" jsonschema:"how many times the register was asked"`
	LastError   string              `json:"last_error,omitempty" jsonschema:"while processing: why the register could not answer the last time"`
	CreatedAt   time.Time           `json:"created_at" jsonschema:"when the check was requested"`
	UpdatedAt   time.Time           `json:"updated_at" jsonschema:"when it last changed"`
	DecidedAt   *time.Time          `json:"decided_at" jsonschema:"when the decision was made; null while processing"`
	Forced      bool                `json:"forced,omitempty" jsonschema:"test mode: a sandbox LEI's register answered (list_sandbox_values); the pipeline ran on its records"`
	ForcedBy    string              `json:"forced_by,omitempty" jsonschema:"the sandbox LEI"`
	DeletedAt   *time.Time          `json:"deleted_at,omitempty" jsonschema:"when delete_business erased the check's personal data (input, result, metadata, external_ref); what stays is id, status, risk level, LEI and times"`
}

// BusinessReason is one finding of a business decision.
type BusinessReason struct {
	Code    string         `json:"code" jsonschema:"sanctions_hit_entity, sanctions_hit_parent, sanctions_hit_officer, lei_lapsed, entity_inactive, not_found, ambiguous_company, name_mismatch, jurisdiction_mismatch, reporting_exception, high_risk_jurisdiction, registry_unavailable or screening_unavailable"`
	Message string         `json:"message" jsonschema:"the finding in words"`
	Data    map[string]any `json:"data,omitempty" jsonschema:"the data that caused it"`
	Effect  string         `json:"effect" jsonschema:"what it did to the decision: info (nothing), review or reject" enum:"info,review,reject"`
}

// BusinessCandidate is one record the company could be.
type BusinessCandidate struct {
	LEI          string         `json:"lei" jsonschema:"the candidate's LEI; pass it as lei to check that company"`
	LegalName    string         `json:"legal_name" jsonschema:"its legal name"`
	Jurisdiction string         `json:"jurisdiction,omitempty" jsonschema:"its jurisdiction"`
	Score        float64        `json:"score" jsonschema:"how well it matches what was given, 0 to 1"`
	NameScore    float64        `json:"name_score" jsonschema:"how well its best name matches legal_name, 0 to 1"`
	Explanation  []string       `json:"explanation" jsonschema:"why it scored what it did, component by component"`
	Record       map[string]any `json:"record" jsonschema:"its LEI record"`
}

// BusinessScreening is one screened name with its hits.
type BusinessScreening struct {
	Name      string         `json:"name" jsonschema:"the name screened"`
	Role      string         `json:"role" jsonschema:"entity, direct_parent, ultimate_parent or officer" enum:"entity,direct_parent,ultimate_parent,officer"`
	LEI       string         `json:"lei,omitempty" jsonschema:"the LEI the name belongs to (entity and parents)"`
	Truncated bool           `json:"truncated,omitempty" jsonschema:"the name was cut to the screening length bound"`
	Hits      []ScreeningHit `json:"hits" jsonschema:"the listed entities that matched, best first"`
}

// BusinessSources say where a result's data came from.
type BusinessSources struct {
	Register    string                 `json:"register" jsonschema:"online (GLEIF's API) or offline (the Golden Copy register imported with kycd registry import)" enum:"online,offline"`
	RegisterURL string                 `json:"register_url,omitempty" jsonschema:"the API base URL, or the import the offline register came from"`
	Lists       []ScreeningListVersion `json:"lists" jsonschema:"the sanctions list versions screened against"`
	CheckedAt   time.Time              `json:"checked_at" jsonschema:"when the register and the lists were read"`
}

// VerifyBusiness checks a company: register, ownership, screening, decision.
var VerifyBusiness = Tool[VerifyBusinessInput, Business]{
	Name:     "verify_business",
	Examples: []string{`{"legal_name":"PUMA SE","jurisdiction":"DE","registration_number":"HRB 13085","external_ref":"customer-4711","officers":[{"name":"Arthur Hoeld","role":"director"}]}`},
	Title:    "Verify a business (KYB)",
	Brief:    "KYB: identify a company in the Global LEI System by `lei`, or by `legal_name` + `jurisdiction` (ISO 3166-1/-2) + `registration_number` (ambiguous → `needs_review` with ranked, explained `candidates`, never a silent pick), read its parents and children, screen it, its parents and up to 200 `officers` against the loaded lists, decide `approved` / `needs_review` / `rejected` with `risk_level` and `reasons`; a slow or failing register gives `processing` and a job finishes it; `business.completed` event (see [Businesses](#businesses-kyb))",
	Description: "Check a company: identify it in the Global LEI System (by LEI, or by name, jurisdiction and register number — " +
		"an ambiguous name gives needs_review with the candidates, never a silent pick), read its reported parents and children, " +
		"screen the company, its parents and the officers you name against the loaded sanctions lists, and decide approved, needs_review or rejected " +
		"with a risk level and machine-readable reasons (sanctions hits, lapsed LEI, inactive entity, not found, name or jurisdiction mismatch, " +
		"reporting exceptions, high-risk jurisdiction). Answers within about 20 s; when the register is slow or down the result is status processing " +
		"and a background job finishes it (wait with wait_seconds, or get_business). Emits business.completed.",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: true},
	REST:        REST{Method: "POST", Path: "/businesses", Status: 201},
	Creates:     true,
	Wait:        waitForBusiness,
	Summary:     summarizeBusiness,
	Handle:      verifyBusiness,
}

func verifyBusiness(ctx context.Context, d *Deps, c Caller, in VerifyBusinessInput) (Business, error) {
	svc, err := businessEngine(d)
	if err != nil {
		return Business{}, err
	}
	vin, err := businessInput(in)
	if err != nil {
		return Business{}, err
	}
	row, res, err := svc.Create(ctx, c.scope(), c.KeyID, vin)
	if err != nil {
		return Business{}, businessError(err)
	}
	return toBusiness(row, res, vin), nil
}

// businessInput validates a request and turns it into the service's input.
func businessInput(in VerifyBusinessInput) (verify.BusinessInput, error) {
	out := verify.BusinessInput{LegalName: strings.Join(strings.Fields(in.LegalName), " "),
		RegistrationNumber: strings.TrimSpace(in.RegistrationNumber), ExternalRef: strings.TrimSpace(in.ExternalRef), Metadata: in.Metadata}
	if in.LEI != "" {
		out.LEI = business.NormalizeLEI(in.LEI)
		if err := business.ValidateLEI(out.LEI); err != nil {
			return out, invalid("lei", "%v", err)
		}
	}
	if out.LEI == "" && out.LegalName == "" {
		return out, invalid("legal_name", "required unless lei is given")
	}
	if len(out.LegalName) > maxCompanyNameLen {
		return out, invalid("legal_name", "longer than %d bytes", maxCompanyNameLen)
	}
	country, err := countryField("country", in.Country)
	if err != nil {
		return out, err
	}
	out.Country = country
	out.Jurisdiction = strings.ToUpper(strings.TrimSpace(in.Jurisdiction))
	if out.Jurisdiction != "" {
		cc, _, _ := strings.Cut(out.Jurisdiction, "-")
		if !iso3166Alpha2[cc] {
			return out, invalid("jurisdiction", "%q does not start with an ISO 3166-1 alpha-2 country code", out.Jurisdiction)
		}
	} else {
		out.Jurisdiction = country
	}
	if _, err := metadata(in.Metadata); err != nil {
		return out, err
	}
	if len(in.Officers) > maxOfficers {
		return out, invalid("officers", "at most %d officers, got %d", maxOfficers, len(in.Officers))
	}
	for i, o := range in.Officers {
		field := fmt.Sprintf("officers[%d]", i)
		name := strings.Join(strings.Fields(o.Name), " ")
		switch {
		case name == "":
			return out, invalid(field+".name", "required: the person's name")
		case len([]rune(name)) > maxOfficerNameLen:
			return out, invalid(field+".name", "longer than %d characters", maxOfficerNameLen)
		}
		nat, err := countryField(field+".nationality", o.Nationality)
		if err != nil {
			return out, err
		}
		out.Officers = append(out.Officers, verify.Officer{Name: name, Role: o.Role, DOB: strings.TrimSpace(o.DOB),
			Nationality: nat, OwnershipPercent: o.OwnershipPercent})
	}
	return out, nil
}

// businessEngine returns the KYB service or says it is not there.
func businessEngine(d *Deps) (*verify.Business, error) {
	if d == nil || d.Business == nil {
		return nil, Errorf(CodeUnavailable, "", "business verification is not configured on this server")
	}
	return d.Business, nil
}

// businessError maps the service's errors to what a caller can act on.
func businessError(err error) error {
	switch {
	case errors.Is(err, db.ErrNotFound):
		return Errorf(CodeNotFound, "id", "no such business")
	case errors.Is(err, verify.ErrBusinessDeleted):
		return Errorf(CodeConflict, "id", "%v: the business was deleted (delete_business); nothing is left to check again", err)
	case errors.Is(err, business.ErrInvalidLEI):
		return invalid("lei", "%v", err)
	case errors.Is(err, business.ErrBadRequest):
		return invalid("legal_name", "%v", err)
	}
	return err
}

// getBusiness reads a business of the caller's account and mode.
func getBusiness(ctx context.Context, d *Deps, c Caller, id string) (Business, error) {
	svc, err := businessEngine(d)
	if err != nil {
		return Business{}, err
	}
	if !strings.HasPrefix(id, "biz_") {
		return Business{}, invalid("id", "business ids start with biz_")
	}
	row, res, err := svc.Get(ctx, c.scope(), id)
	if err != nil {
		return Business{}, businessError(err)
	}
	in, err := svc.Input(row)
	if err != nil {
		return Business{}, err
	}
	return toBusiness(row, res, in), nil
}

// waitForBusiness lets verify_business and get_business wait (wait_seconds) while the
// register is retried in the background.
var waitForBusiness = &Wait[Business]{
	Done: func(b Business) bool { return b.Status != models.BusinessProcessing },
	Reload: func(ctx context.Context, d *Deps, c Caller, b Business) (Business, error) {
		return getBusiness(ctx, d, c, b.ID)
	},
	Describe: func(b Business) string {
		if b.LastError != "" {
			return fmt.Sprintf("business %s is %s (attempt %d: %s)", b.ID, b.Status, b.Attempts, b.LastError)
		}
		return fmt.Sprintf("business %s is %s", b.ID, b.Status)
	},
}

func toBusiness(row *models.Business, res *verify.BusinessResult, in verify.BusinessInput) Business {
	out := Business{ID: row.ID, Status: row.Status, RiskLevel: row.RiskLevel, ExternalRef: row.ExternalRef, LEI: row.LEI,
		Reasons: []BusinessReason{}, Screening: []BusinessScreening{}, Metadata: in.Metadata, Attempts: row.Attempts,
		CreatedAt: row.CreatedAt.UTC(), UpdatedAt: row.UpdatedAt.UTC()}
	if out.Metadata == nil {
		out.Metadata = map[string]any{}
	}
	if row.DecidedAt != nil {
		t := row.DecidedAt.UTC()
		out.DecidedAt = &t
	}
	if row.Status == models.BusinessProcessing {
		out.LastError = row.LastError
	}
	if row.DeletedAt != nil {
		t := row.DeletedAt.UTC()
		out.DeletedAt = &t
	}
	if res == nil {
		return out
	}
	for _, r := range res.Reasons {
		out.Reasons = append(out.Reasons, BusinessReason(r))
	}
	if res.Registry != nil {
		out.Registry = asMap(res.Registry)
	}
	if res.Ownership != nil {
		out.Ownership = asMap(res.Ownership)
	}
	for _, c := range res.Candidates {
		out.Candidates = append(out.Candidates, BusinessCandidate{LEI: c.Record.LEI, LegalName: c.Record.LegalName.Name,
			Jurisdiction: c.Record.Jurisdiction, Score: c.Score, NameScore: c.NameScore, Explanation: c.Explanation, Record: asMap(c.Record)})
	}
	for _, s := range res.Screening {
		bs := BusinessScreening{Name: s.Name, Role: s.Role, LEI: s.LEI, Truncated: s.Truncated, Hits: make([]ScreeningHit, 0, len(s.Hits))}
		for i := range s.Hits {
			bs.Hits = append(bs.Hits, toHit(&s.Hits[i]))
		}
		out.Screening = append(out.Screening, bs)
	}
	out.Forced, out.ForcedBy = res.ForcedBy != "", res.ForcedBy
	out.Sources = &BusinessSources{Register: res.Sources.Register, RegisterURL: res.Sources.RegisterURL,
		Lists: listVersions(res.Sources.Lists), CheckedAt: res.Sources.CheckedAt.UTC()}
	return out
}

// asMap is v as its JSON object.
func asMap(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return m
}

func summarizeBusiness(b Business) string {
	if b.Status == models.BusinessProcessing {
		return fmt.Sprintf("Business %s is processing: the register has not answered yet (attempt %d); a job retries.", b.ID, b.Attempts)
	}
	codes := make([]string, 0, len(b.Reasons))
	for _, r := range b.Reasons {
		if r.Effect != "info" {
			codes = append(codes, r.Code)
		}
	}
	name := b.LEI
	if n, ok := b.Registry["legal_name"].(map[string]any); ok {
		name = fmt.Sprintf("%v (%s)", n["name"], b.LEI)
	}
	if name == "" {
		name = "no LEI record"
	}
	s := fmt.Sprintf("Business %s: %s, risk %s; %s.", b.ID, b.Status, b.RiskLevel, name)
	if len(codes) > 0 {
		s += " Reasons: " + strings.Join(codes, ", ") + "."
	}
	if len(b.Candidates) > 0 {
		s += fmt.Sprintf(" %d candidate record(s): pass one's lei to choose.", len(b.Candidates))
	}
	return s
}
