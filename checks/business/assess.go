package business

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Reason codes of an Assessment.
const (
	ReasonLEILapsed            = "lei_lapsed"
	ReasonEntityInactive       = "entity_inactive"
	ReasonNotFound             = "not_found"
	ReasonAmbiguousCompany     = "ambiguous_company"
	ReasonNameMismatch         = "name_mismatch"
	ReasonJurisdictionMismatch = "jurisdiction_mismatch"
	ReasonReportingException   = "reporting_exception"
	ReasonHighRiskJurisdiction = "high_risk_jurisdiction"
)

// Reason is one finding with the data that caused it, so a reviewer (or the risk engine)
// can see why without re-querying GLEIF.
type Reason struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Data    map[string]any `json:"data,omitempty"`
}

// AssessInput is what Assess looks at. Graph is optional (no ownership reasons without it).
type AssessInput struct {
	Query     CompanyQuery
	Selection Selection
	Graph     *Graph
	// HighRiskJurisdictions: ISO 3166-1 alpha-2 codes (or 3166-2 for a subdivision only),
	// checked against the entity's and its parents' jurisdictions and addresses.
	HighRiskJurisdictions []string
	// MinNameScore below which a company looked up by LEI is a name mismatch (default 0.85).
	MinNameScore float64
}

// Assessment is the engine's verdict material: the identified record (if any) and reasons.
// It decides nothing; the risk engine turns reasons into a decision.
type Assessment struct {
	Outcome    string      `json:"outcome"` // a Selection outcome
	LEI        string      `json:"lei,omitempty"`
	Record     *Record     `json:"record,omitempty"`
	Reasons    []Reason    `json:"reasons"`
	Candidates []Candidate `json:"candidates,omitempty"`
	AssessedAt time.Time   `json:"assessed_at,omitzero"`
}

// Has reports whether a reason code is present.
func (a *Assessment) Has(code string) bool {
	return slices.ContainsFunc(a.Reasons, func(r Reason) bool { return r.Code == code })
}

// Assess turns a selection (and, optionally, the ownership graph) into reasons.
func Assess(in AssessInput) Assessment {
	if in.MinNameScore <= 0 {
		in.MinNameScore = 0.85
	}
	a := Assessment{Outcome: in.Selection.Outcome, Reasons: []Reason{}, Candidates: in.Selection.Candidates}
	switch in.Selection.Outcome {
	case OutcomeNotFound, "":
		a.Outcome = OutcomeNotFound
		a.Reasons = append(a.Reasons, Reason{Code: ReasonNotFound, Message: "no LEI record matches the company",
			Data: map[string]any{"query": in.Query, "detail": in.Selection.Reason, "candidates_seen": len(in.Selection.Candidates)}})
		return a
	case OutcomeAmbiguous:
		var ranked []map[string]any
		for _, c := range in.Selection.Candidates {
			if !c.Plausible {
				continue
			}
			ranked = append(ranked, map[string]any{"lei": c.Record.LEI, "name": c.Record.LegalName.Name,
				"jurisdiction": c.Record.Jurisdiction, "score": c.Score, "explanation": c.Explanation})
		}
		a.Reasons = append(a.Reasons, Reason{Code: ReasonAmbiguousCompany,
			Message: fmt.Sprintf("%d records could be the company; a person must choose", len(ranked)),
			Data:    map[string]any{"query": in.Query, "detail": in.Selection.Reason, "candidates": ranked}})
		return a
	}
	w := in.Selection.Winner
	if w == nil {
		a.Outcome = OutcomeNotFound
		a.Reasons = append(a.Reasons, Reason{Code: ReasonNotFound, Message: "selection matched without a winner"})
		return a
	}
	r := w.Record
	a.LEI, a.Record = r.LEI, &r
	a.Reasons = append(a.Reasons, recordReasons(r)...)
	if in.Query.Name != "" && w.NameScore < in.MinNameScore {
		a.Reasons = append(a.Reasons, Reason{Code: ReasonNameMismatch,
			Message: fmt.Sprintf("the name given does not match the LEI record (%.2f)", w.NameScore),
			Data: map[string]any{"given": in.Query.Name, "legal_name": r.LegalName.Name,
				"best_matching_name": w.MatchedName, "score": w.NameScore}})
	}
	if w.Jurisdiction == MatchMismatch || w.Jurisdiction == MatchPartial {
		a.Reasons = append(a.Reasons, Reason{Code: ReasonJurisdictionMismatch,
			Message: "the jurisdiction given differs from the LEI record's",
			Data: map[string]any{"given": in.Query.Jurisdiction, "record": recordJurisdiction(r),
				"legal_address_country": r.LegalAddress.Country, "verdict": w.Jurisdiction}})
	}
	if g := in.Graph; g != nil && g.Entity.LEI == r.LEI {
		for _, x := range []*ReportingException{g.DirectException, g.UltimateException} {
			if x == nil {
				continue
			}
			a.Reasons = append(a.Reasons, Reason{Code: ReasonReportingException,
				Message: fmt.Sprintf("no %s reported: %s", strings.ToLower(strings.ReplaceAll(x.Category, "_", " ")), x.Reason),
				Data:    map[string]any{"lei": x.LEI, "category": x.Category, "reason": x.Reason, "references": x.References}})
		}
	}
	a.Reasons = append(a.Reasons, highRisk(in, r)...)
	return a
}

// recordReasons are the findings on the record itself.
func recordReasons(r Record) []Reason {
	var out []Reason
	data := func() map[string]any {
		return map[string]any{"lei": r.LEI, "registration_status": r.Registration.Status,
			"entity_status": r.EntityStatus, "next_renewal_date": r.Registration.NextRenewalDate,
			"last_update_date": r.Registration.LastUpdateDate}
	}
	if r.Registration.Status == "LAPSED" {
		d := data()
		out = append(out, Reason{Code: ReasonLEILapsed,
			Message: "the LEI has lapsed: its data was not renewed and may be out of date", Data: d})
	}
	if r.EntityStatus == "INACTIVE" || deadRegistration[r.Registration.Status] || !r.ExpirationDate.IsZero() || r.ExpirationReason != "" {
		d := data()
		d["expiration_date"], d["expiration_reason"] = r.ExpirationDate, r.ExpirationReason
		if r.SuccessorLEI != "" || r.SuccessorName != "" {
			d["successor_lei"], d["successor_name"] = r.SuccessorLEI, r.SuccessorName
		}
		msg := "the entity is no longer active"
		switch {
		case r.ExpirationReason == "DISSOLVED":
			msg = "the entity was dissolved"
		case r.ExpirationReason == "CORPORATE_ACTION" || r.Registration.Status == "MERGED":
			msg = "the entity ceased by a corporate action (merger or acquisition)"
		case r.Registration.Status == "RETIRED":
			msg = "the LEI was retired"
		case r.Registration.Status == "ANNULLED" || r.Registration.Status == "DUPLICATE":
			msg = "the LEI was annulled or is a duplicate"
		}
		out = append(out, Reason{Code: ReasonEntityInactive, Message: msg, Data: d})
	}
	return out
}

func highRisk(in AssessInput, r Record) []Reason {
	if len(in.HighRiskJurisdictions) == 0 {
		return nil
	}
	list := map[string]bool{}
	for _, j := range in.HighRiskJurisdictions {
		if j = strings.ToUpper(strings.TrimSpace(j)); j != "" {
			list[j] = true
		}
	}
	hit := func(code string) string {
		code = strings.ToUpper(code)
		if code == "" {
			return ""
		}
		if list[code] {
			return code
		}
		if c, _, ok := strings.Cut(code, "-"); ok && list[c] {
			return c
		}
		return ""
	}
	var out []Reason
	check := func(role, lei, name string, rec *Record) {
		for _, f := range []struct{ field, code string }{
			{"jurisdiction", rec.Jurisdiction},
			{"legal_address", rec.LegalAddress.Country},
			{"legal_address_region", rec.LegalAddress.Region},
			{"headquarters_address", rec.HeadquartersAddress.Country},
			{"headquarters_address_region", rec.HeadquartersAddress.Region},
		} {
			if m := hit(f.code); m != "" {
				out = append(out, Reason{Code: ReasonHighRiskJurisdiction,
					Message: fmt.Sprintf("%s %s is in %s (%s), a high-risk jurisdiction", role, name, f.code, f.field),
					Data:    map[string]any{"role": role, "lei": lei, "name": name, "field": f.field, "code": f.code, "listed": m}})
				return // one reason per entity: the first field that hits
			}
		}
	}
	check(RoleEntity, r.LEI, r.LegalName.Name, &r)
	if g := in.Graph; g != nil && g.Entity.LEI == r.LEI {
		for _, p := range g.parents() {
			if p.Record != nil {
				check(p.role, p.Record.LEI, p.Record.LegalName.Name, p.Record)
			}
		}
	}
	return out
}
