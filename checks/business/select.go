package business

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// CompanyQuery is what an applicant or integrator says about a company.
type CompanyQuery struct {
	Name               string `json:"name,omitempty"`
	Jurisdiction       string `json:"jurisdiction,omitempty"` // ISO 3166-1 alpha-2 ("US") or 3166-2 ("US-CA")
	RegistrationNumber string `json:"registration_number,omitempty"`
	LEI                string `json:"lei,omitempty"`
}

// Selection outcomes.
const (
	OutcomeMatched   = "matched"
	OutcomeAmbiguous = "ambiguous"
	OutcomeNotFound  = "not_found"
)

// Component verdicts in a candidate's explanation.
const (
	MatchExact    = "exact"
	MatchCountry  = "country"  // same country, one side without subdivision
	MatchPartial  = "partial"  // same country, other subdivision; or same digits in the number
	MatchMismatch = "mismatch" // different
	MatchUnknown  = "unknown"  // not given or not published
)

// Candidate is one ranked record with why it ranks where it does.
type Candidate struct {
	Record       Record   `json:"record"`
	Score        float64  `json:"score"`
	NameScore    float64  `json:"name_score"`
	MatchedName  string   `json:"matched_name"`
	Jurisdiction string   `json:"jurisdiction"` // MatchExact, MatchCountry, MatchPartial, MatchMismatch, MatchUnknown
	Registration string   `json:"registration"` // MatchExact, MatchPartial, MatchMismatch, MatchUnknown
	StatusScore  float64  `json:"status_score"`
	Plausible    bool     `json:"plausible"`
	Explanation  []string `json:"explanation"`
}

// Selection is the result of candidate selection. Winner is set only when Outcome is
// OutcomeMatched; Candidates are always ranked best first.
type Selection struct {
	Outcome    string      `json:"outcome"`
	Winner     *Candidate  `json:"winner,omitempty"`
	Candidates []Candidate `json:"candidates"`
	Reason     string      `json:"reason"`
}

// SelectOptions tune candidate selection; zero values mean the defaults.
type SelectOptions struct {
	MinName   float64 // a candidate's name must score this to be plausible (default 0.85)
	MinScore  float64 // the winner's total score (default 0.80)
	MinMargin float64 // the winner's lead over the runner-up plausible candidate (default 0.05)
	Max       int     // candidates returned (default 10)
}

func (o *SelectOptions) defaults() {
	if o.MinName <= 0 {
		o.MinName = 0.85
	}
	if o.MinScore <= 0 {
		o.MinScore = 0.80
	}
	if o.MinMargin <= 0 {
		o.MinMargin = 0.05
	}
	if o.Max <= 0 {
		o.Max = 10
	}
}

// Weights of the score components; a component the query does not give is left out and
// the others renormalised.
const (
	wName   = 0.55
	wJur    = 0.15
	wReg    = 0.20
	wStatus = 0.10
)

// Select ranks records against the query and takes a winner only when exactly one is
// clearly best: plausible (name, or registration number in the right jurisdiction), above
// MinScore, and MinMargin ahead of any other plausible candidate. Everything else is
// ambiguous (with the ranked candidates) or not found — never a silent pick.
func Select(q CompanyQuery, recs []Record, opt SelectOptions) Selection {
	opt.defaults()
	qn := NormalizeName(q.Name)
	seen := map[string]bool{}
	var cands []Candidate
	for _, r := range recs {
		if seen[r.LEI] {
			continue
		}
		seen[r.LEI] = true
		cands = append(cands, score(q, qn, r, opt))
	}
	slices.SortStableFunc(cands, func(a, b Candidate) int {
		if a.Plausible != b.Plausible {
			if a.Plausible {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Record.LEI, b.Record.LEI)
	})
	if len(cands) > opt.Max {
		cands = cands[:opt.Max]
	}
	sel := Selection{Candidates: cands}
	var plausible []int
	for i := range cands {
		if cands[i].Plausible {
			plausible = append(plausible, i)
		}
	}
	switch {
	case len(plausible) == 0:
		sel.Outcome = OutcomeNotFound
		if len(cands) == 0 {
			sel.Reason = "the source returned no records for the query"
		} else {
			sel.Reason = fmt.Sprintf("none of %d records is a plausible match (best: %q, name score %.2f)",
				len(cands), cands[0].Record.LegalName.Name, cands[0].NameScore)
		}
	case cands[0].Score < opt.MinScore:
		sel.Outcome = OutcomeAmbiguous
		sel.Reason = fmt.Sprintf("best candidate %s scores %.2f, below %.2f", cands[0].Record.LEI, cands[0].Score, opt.MinScore)
	case len(plausible) > 1 && cands[0].Score-cands[plausible[1]].Score < opt.MinMargin:
		sel.Outcome = OutcomeAmbiguous
		sel.Reason = fmt.Sprintf("%d plausible candidates; %s (%.2f) and %s (%.2f) are too close to choose",
			len(plausible), cands[0].Record.LEI, cands[0].Score, cands[plausible[1]].Record.LEI, cands[plausible[1]].Score)
	default:
		sel.Outcome = OutcomeMatched
		w := cands[0]
		sel.Winner = &w
		if len(plausible) > 1 {
			sel.Reason = fmt.Sprintf("%s leads the next plausible candidate %s by %.2f", w.Record.LEI,
				cands[plausible[1]].Record.LEI, w.Score-cands[plausible[1]].Score)
		} else {
			sel.Reason = fmt.Sprintf("%s is the only plausible candidate", w.Record.LEI)
		}
	}
	return sel
}

func score(q CompanyQuery, qn NormalizedName, r Record, opt SelectOptions) Candidate {
	c := Candidate{Record: r}
	var num, den float64
	// Name: the best of the record's names.
	if qn.Core != "" {
		for _, n := range r.Names() {
			if s := normSimilarity(qn, NormalizeName(n)); s > c.NameScore {
				c.NameScore, c.MatchedName = s, n
			}
		}
		c.NameScore = round2(c.NameScore)
		num += wName * c.NameScore
		den += wName
		which := "legal name"
		if c.MatchedName != r.LegalName.Name {
			which = "other name"
		}
		c.Explanation = append(c.Explanation, fmt.Sprintf("name %.2f against %s %q", c.NameScore, which, c.MatchedName))
	}
	// Jurisdiction: ISO 3166-1 or 3166-2 on either side.
	c.Jurisdiction = MatchUnknown
	if qj := strings.ToUpper(strings.TrimSpace(q.Jurisdiction)); qj != "" {
		rj := recordJurisdiction(r)
		var s float64
		c.Jurisdiction, s = compareJurisdiction(qj, rj)
		if c.Jurisdiction != MatchUnknown {
			num += wJur * s
			den += wJur
		}
		c.Explanation = append(c.Explanation, fmt.Sprintf("jurisdiction %s: query %s, record %s", c.Jurisdiction, qj, orDash(rj)))
	}
	// Registration number.
	c.Registration = MatchUnknown
	if q.RegistrationNumber != "" {
		var s float64
		c.Registration, s = compareRegNumber(q.RegistrationNumber, r.RegisteredAs)
		if c.Registration == MatchUnknown {
			c.Registration, s = compareRegNumber(q.RegistrationNumber, r.Registration.ValidatedAs)
		}
		if c.Registration != MatchUnknown {
			num += wReg * s
			den += wReg
		}
		c.Explanation = append(c.Explanation, fmt.Sprintf("registration number %s: query %q, record %q", c.Registration, q.RegistrationNumber, r.RegisteredAs))
	}
	// Status: active entities with an issued LEI are preferred.
	c.StatusScore = statusScore(r)
	num += wStatus * c.StatusScore
	den += wStatus
	c.Explanation = append(c.Explanation, fmt.Sprintf("status entity %s, LEI %s (%.1f)", orDash(r.EntityStatus), orDash(r.Registration.Status), c.StatusScore))
	if den > 0 {
		c.Score = round2(num / den)
	}
	regStrong := c.Registration == MatchExact && c.Jurisdiction != MatchMismatch
	c.Plausible = (c.NameScore >= opt.MinName && c.Jurisdiction != MatchMismatch && c.Registration != MatchMismatch) ||
		(regStrong && (qn.Core == "" || c.NameScore >= 0.6))
	if !c.Plausible {
		var why []string
		if qn.Core != "" && c.NameScore < opt.MinName {
			why = append(why, fmt.Sprintf("name below %.2f", opt.MinName))
		}
		if c.Jurisdiction == MatchMismatch {
			why = append(why, "other jurisdiction")
		}
		if c.Registration == MatchMismatch {
			why = append(why, "other registration number")
		}
		c.Explanation = append(c.Explanation, "not plausible: "+strings.Join(why, ", "))
	}
	return c
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// recordJurisdiction is the legal jurisdiction, or the legal address country when GLEIF
// has none.
func recordJurisdiction(r Record) string {
	if r.Jurisdiction != "" {
		return strings.ToUpper(r.Jurisdiction)
	}
	return strings.ToUpper(r.LegalAddress.Country)
}

// compareJurisdiction compares ISO 3166-1/3166-2 codes: "US" vs "US-DE" is a country match,
// "US-CA" vs "US-DE" partial, "US" vs "GB" a mismatch.
func compareJurisdiction(q, r string) (string, float64) {
	if q == "" || r == "" {
		return MatchUnknown, 0
	}
	if q == r {
		return MatchExact, 1
	}
	qc, qs, _ := strings.Cut(q, "-")
	rc, rs, _ := strings.Cut(r, "-")
	if qc != rc {
		return MatchMismatch, 0
	}
	if qs == "" || rs == "" {
		return MatchCountry, 0.9
	}
	return MatchPartial, 0.5
}

// compareRegNumber compares register numbers ignoring case, spaces and punctuation;
// equal digits with different prefixes ("HRB 13085" vs "13085") are partial.
func compareRegNumber(q, r string) (string, float64) {
	qa, ra := alnumUpper(q), alnumUpper(r)
	if qa == "" || ra == "" {
		return MatchUnknown, 0
	}
	if qa == ra || strings.TrimLeft(qa, "0") == strings.TrimLeft(ra, "0") {
		return MatchExact, 1
	}
	qd, rd := strings.TrimLeft(digits(qa), "0"), strings.TrimLeft(digits(ra), "0")
	if qd != "" && qd == rd {
		return MatchPartial, 0.8
	}
	return MatchMismatch, 0
}

// RegisterNumberKey is how register numbers are compared and indexed: the ASCII letters and
// digits, upper-cased ("HRB 32000" and "hrb32000" are one key).
func RegisterNumberKey(s string) string { return alnumUpper(s) }

func alnumUpper(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Registration statuses after which an LEI no longer identifies a live entity.
var deadRegistration = map[string]bool{"RETIRED": true, "MERGED": true, "ANNULLED": true,
	"DUPLICATE": true, "CANCELLED": true, "TRANSFERRED": false}

func statusScore(r Record) float64 {
	switch {
	case r.EntityStatus == "INACTIVE" || deadRegistration[r.Registration.Status]:
		return 0.2
	case r.Registration.Status == "LAPSED":
		return 0.7
	case r.EntityStatus == "ACTIVE" && (r.Registration.Status == "ISSUED" ||
		strings.HasPrefix(r.Registration.Status, "PENDING")):
		return 1
	}
	return 0.6
}

// MaxQueryNameBytes bounds a company name given to Identify; GLEIF's longest legal names
// are a few hundred characters, and the name goes into a URL.
const MaxQueryNameBytes = 1000

// Identify finds the company in src. With an LEI it reads that record (a name or
// jurisdiction given too is scored, and Assess reports a mismatch); otherwise it searches
// by name and by registration number and runs Select. A source failure is an error, never
// a not_found outcome.
func Identify(ctx context.Context, src Source, q CompanyQuery, opt SelectOptions) (Selection, error) {
	if q.LEI != "" {
		lei := NormalizeLEI(q.LEI)
		if err := ValidateLEI(lei); err != nil {
			return Selection{}, err
		}
		r, err := src.Record(ctx, lei)
		if errors.Is(err, ErrNotFound) {
			return Selection{Outcome: OutcomeNotFound, Candidates: []Candidate{}, Reason: "no LEI record " + lei}, nil
		}
		if err != nil {
			return Selection{}, err
		}
		opt.defaults()
		c := score(q, NormalizeName(q.Name), *r, opt)
		return Selection{Outcome: OutcomeMatched, Winner: &c, Candidates: []Candidate{c}, Reason: "looked up by LEI"}, nil
	}
	if len(q.Name) > MaxQueryNameBytes || len(q.RegistrationNumber) > 100 || len(q.Jurisdiction) > 10 {
		return Selection{}, fmt.Errorf("identify company: %w: name over %d bytes, registration number over 100 or jurisdiction over 10",
			ErrBadRequest, MaxQueryNameBytes)
	}
	if strings.TrimSpace(q.Name) == "" && strings.TrimSpace(q.RegistrationNumber) == "" {
		return Selection{}, fmt.Errorf("identify company: %w: give an LEI, a name or a registration number", ErrBadRequest)
	}
	var recs []Record
	if strings.TrimSpace(q.Name) != "" {
		rs, err := src.Search(ctx, SearchQuery{LegalName: q.Name, Limit: 50})
		if err != nil {
			return Selection{}, fmt.Errorf("search by name: %w", err)
		}
		recs = append(recs, rs...)
	}
	if strings.TrimSpace(q.RegistrationNumber) != "" {
		rs, err := src.Search(ctx, SearchQuery{RegisteredAs: q.RegistrationNumber, Limit: 50})
		if err != nil {
			return Selection{}, fmt.Errorf("search by registration number: %w", err)
		}
		recs = append(recs, rs...)
	}
	return Select(q, recs, opt), nil
}
