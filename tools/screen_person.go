package tools

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/verify"
)

// ScreenPersonInput is one person to screen against the loaded sanctions and PEP lists.
type ScreenPersonInput struct {
	Name        string   `json:"name" jsonschema:"the person's full name, in any script (it is transliterated for matching)" minLength:"1" maxLength:"200"`
	DOB         string   `json:"dob,omitempty" jsonschema:"date of birth (YYYY-MM-DD, YYYY-MM or YYYY); a match raises the score, a mismatch lowers it" maxLength:"10"`
	BirthYear   int      `json:"birth_year,omitempty" jsonschema:"year of birth, when only the year is known" minimum:"1850" maximum:"2100"`
	Nationality string   `json:"nationality,omitempty" jsonschema:"nationality" country:"alpha2"`
	Country     string   `json:"country,omitempty" jsonschema:"country of residence" country:"alpha2"`
	Threshold   float64  `json:"threshold,omitempty" jsonschema:"score (0 < t ≤ 1) from which a name match is reported; default 0.85" exclusiveMinimum:"0" maximum:"1"`
	SubjectRef  string   `json:"subject_ref,omitempty" jsonschema:"your id for the person (app_…, an external_ref or your own); hits cleared as false positives for it are marked, not raised" maxLength:"128"`
	Sources     []string `json:"sources,omitempty" jsonschema:"screen only against these lists; default: every loaded list" enumof:"lists.Sources" maxItems:"11"`
	Limit       int      `json:"limit,omitempty" jsonschema:"the most hits to return, best first; default 10" minimum:"1" maximum:"100"`
}

// ScreenPerson screens a person by name, with date of birth and nationality as evidence.
var ScreenPerson = Tool[ScreenPersonInput, ScreeningResult]{
	Name:     "screen_person",
	Examples: []string{`{"name":"Ayman al-Zawahiri","dob":"1951-06-19","nationality":"EG","subject_ref":"customer-4711"}`},
	Title:    "Screen a person",
	Description: "Screen a person against the loaded sanctions and PEP lists. Returns every hit at or above the threshold, " +
		"explained token by token, and the list versions used. Give subject_ref to have hits already resolved as false positives for that person marked instead of raised. Stores nothing.",
	Brief:       "screen a name (+ dob / birth_year, nationality, country) against the loaded sanctions/PEP lists: hits with list, `source_id`, matched name, score and explanation, plus the list versions; hits cleared for `subject_ref` are marked",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/screenings/person"},
	Summary:     summarizeScreening,
	Handle: func(ctx context.Context, d *Deps, c Caller, in ScreenPersonInput) (ScreeningResult, error) {
		nat, err := countryField("nationality", in.Nationality)
		if err != nil {
			return ScreeningResult{}, err
		}
		country, err := countryField("country", in.Country)
		if err != nil {
			return ScreeningResult{}, err
		}
		q := screening.Query{Name: strings.TrimSpace(in.Name), DOB: strings.TrimSpace(in.DOB), BirthYear: in.BirthYear,
			Nationality: nat, Country: country, Type: "person", Threshold: in.Threshold, Limit: in.Limit, Sources: in.Sources}
		if q.Name == "" {
			return ScreeningResult{}, invalid("name", "required: the person's name")
		}
		return screen(ctx, d, c, q, in.SubjectRef)
	},
}

// ScreeningResult is the outcome of screen_person or screen_entity.
type ScreeningResult struct {
	Hits       []ScreeningHit         `json:"hits" jsonschema:"the listed entities that matched, best first (at most one per list entry)"`
	Raised     int                    `json:"raised" jsonschema:"how many hits need attention: all but those cleared as false positives for subject_ref on the entity's current data"`
	SubjectRef string                 `json:"subject_ref,omitempty" jsonschema:"the subject_ref the hits were checked against for earlier verdicts"`
	Threshold  float64                `json:"threshold" jsonschema:"the score threshold applied"`
	Lists      []ScreeningListVersion `json:"lists" jsonschema:"the list versions screened against, so the result can be reproduced"`
	Forced     bool                   `json:"forced,omitempty" jsonschema:"test mode: a hit comes from the sandbox list (list_sandbox_values)"`
	ForcedBy   string                 `json:"forced_by,omitempty" jsonschema:"the sandbox entity that hit"`
}

// ScreeningHit is one listed entity that matched, explained.
type ScreeningHit struct {
	Source      string  `json:"source" jsonschema:"the list: ofac_sdn, ofac_cons, un, eu, uk, us_csl, bis_dpl, ftm or senzing"`
	SourceID    string  `json:"source_id" jsonschema:"the list's own id of the entity (the OFAC ent_num, the UN reference number, …)"`
	EntityType  string  `json:"entity_type" jsonschema:"person, organization, vessel, aircraft or unknown"`
	Name        string  `json:"name" jsonschema:"the entity's primary name on the list"`
	MatchedName string  `json:"matched_name" jsonschema:"the name or alias of the entity that matched (or the identifier, for an identifier match)"`
	MatchKind   string  `json:"match_kind" jsonschema:"name or identifier (an exact passport, LEI, IMO, registration or crypto address match scores 1)" enum:"name,identifier"`
	Score       float64 `json:"score" jsonschema:"the final score from 0 to 1"`
	Threshold   float64 `json:"threshold" jsonschema:"the threshold the score was compared with"`
	Strong      bool    `json:"strong" jsonschema:"true when the matched name is a strong alias or an identifier matched; a weak alias (a nickname or low-quality a.k.a.) gives false"`
	Category    string  `json:"category" jsonschema:"sanction, or pep for a politically exposed person who is not also sanctioned (a PEP hit asks for review, never rejects)" enum:"sanction,pep"`
	Fingerprint string  `json:"fingerprint" jsonschema:"hash of the entity's list data; a verdict holds only while it is unchanged"`
	Status      string  `json:"status" jsonschema:"new (no verdict), false_positive, true_match or escalated (the current verdict for subject_ref), or decision_stale (a verdict exists but the entity's data changed since)" enum:"new,false_positive,true_match,escalated,decision_stale"`
	Raised      bool    `json:"raised" jsonschema:"false only for a hit cleared as a false positive on the entity's current data"`
	// Decision is the verdict recorded for subject_ref on this entity, if any.
	Decision    *HitDecision   `json:"decision,omitempty" jsonschema:"the verdict recorded for subject_ref on this entity, if any"`
	Entity      HitEntity      `json:"entity" jsonschema:"what the list says about the entity beyond its names"`
	Explanation HitExplanation `json:"explanation" jsonschema:"why the hit scored what it did"`
}

// HitDecision is a recorded verdict as shown on a hit.
type HitDecision struct {
	Verdict     string    `json:"verdict" jsonschema:"true_match, false_positive or escalated" enumof:"models.AllVerdicts"`
	Reason      string    `json:"reason" jsonschema:"the analyst's reason"`
	SubjectRef  string    `json:"subject_ref" jsonschema:"the subject reference the verdict was recorded under"`
	Fingerprint string    `json:"fingerprint" jsonschema:"the entity fingerprint the verdict was made on"`
	DecidedBy   string    `json:"decided_by" jsonschema:"the API key id that recorded it"`
	DecidedAt   time.Time `json:"decided_at" jsonschema:"when it was recorded"`
	Stale       bool      `json:"stale" jsonschema:"true when the entity's data changed since: the verdict no longer applies"`
}

// HitEntity is the listed entity's data other than its names.
type HitEntity struct {
	Programs      []string `json:"programs,omitempty" jsonschema:"sanctions programmes or regimes"`
	DatesOfBirth  []string `json:"dates_of_birth,omitempty" jsonschema:"dates of birth as listed (YYYY-MM-DD, YYYY-MM or YYYY)"`
	Nationalities []string `json:"nationalities,omitempty" jsonschema:"nationalities, ISO 3166-1 alpha-2 where recognised"`
	Countries     []string `json:"countries,omitempty" jsonschema:"address and other linked countries"`
	Identifiers   []HitID  `json:"identifiers,omitempty" jsonschema:"document numbers, registry codes and crypto addresses on the list"`
	ListedOn      string   `json:"listed_on,omitempty" jsonschema:"date of listing, where the list gives it"`
	URL           string   `json:"url,omitempty" jsonschema:"the entry on the publisher's site, where there is one"`
}

// HitID is an identifier of a listed entity.
type HitID struct {
	Type     string `json:"type" jsonschema:"passport, national_id, tax_id, registration, lei, imo, crypto_address, swift_bic, email or other"`
	Value    string `json:"value" jsonschema:"the identifier as listed"`
	Label    string `json:"label,omitempty" jsonschema:"the list's own wording for it"`
	Country  string `json:"country,omitempty" jsonschema:"issuing country"`
	Currency string `json:"currency,omitempty" jsonschema:"for a crypto address: the currency code as listed (XBT, ETH, USDT, …)"`
}

// HitExplanation says why a hit scored what it did.
type HitExplanation struct {
	Query       string          `json:"query" jsonschema:"the query name as normalised tokens"`
	Candidate   string          `json:"candidate" jsonschema:"the matched name as normalised tokens"`
	NameQuality string          `json:"name_quality" jsonschema:"strong or weak: the list's quality of the matched alias"`
	NameKind    string          `json:"name_kind" jsonschema:"primary, aka, fka, nka or original_script"`
	Tokens      []HitTokenMatch `json:"tokens,omitempty" jsonschema:"the token alignment, step by step"`
	Matched     []string        `json:"matched,omitempty" jsonschema:"the aligned token pairs, as query~listed"`
	Missing     []string        `json:"missing_from_query,omitempty" jsonschema:"tokens of the listed name the query does not mention: a left-out middle name or patronymic costs little, a left-out surname much"`
	Extra       []string        `json:"extra_in_query,omitempty" jsonschema:"query tokens the listed name lacks: they cost more than a missing listed token"`
	NameScore   float64         `json:"name_score" jsonschema:"the name similarity before modifiers"`
	Modifiers   []HitModifier   `json:"modifiers,omitempty" jsonschema:"adjustments from date of birth, nationality, entity type and alias quality, and caps: low_information, one_word_alias (a one-word listed alias reached by a longer query), surname_not_matched, no_exact_token"`
	Identifier  *HitID          `json:"identifier_match,omitempty" jsonschema:"the identifier that matched exactly, for an identifier match"`
	Score       float64         `json:"score" jsonschema:"the final score"`
	Threshold   float64         `json:"threshold" jsonschema:"the threshold applied"`
}

// HitTokenMatch is one step of the token alignment.
type HitTokenMatch struct {
	QueryToken   string  `json:"query_token" jsonschema:"the token of the query (empty for an unmatched candidate token)"`
	MatchedToken string  `json:"matched_token" jsonschema:"the token of the listed name it aligned with (empty when unmatched)"`
	Similarity   float64 `json:"similarity" jsonschema:"0 to 1"`
	Weight       float64 `json:"weight" jsonschema:"what the token counted for: rare names weigh more, legal-form words almost nothing"`
	Kind         string  `json:"kind" jsonschema:"exact, fuzzy, phonetic, initial, joined, split, variant (a spelling the lists give for the same name), unmatched_query or unmatched_candidate"`
	Role         string  `json:"role,omitempty" jsonschema:"the listed token's part in a person's name, where known: given, middle or surname"`
}

// HitModifier is an adjustment to the name score from data other than the name.
type HitModifier struct {
	Name   string  `json:"name" jsonschema:"dob, nationality, type or weak_alias"`
	Delta  float64 `json:"delta" jsonschema:"what it added to (or took from) the score"`
	Detail string  `json:"detail" jsonschema:"what was compared"`
}

// ScreeningListVersion identifies one loaded list version.
type ScreeningListVersion struct {
	Source    string     `json:"source" jsonschema:"the list: ofac_sdn, ofac_cons, un, eu, uk, us_csl, bis_dpl, ftm or senzing"`
	SHA256    string     `json:"sha256" jsonschema:"hash of the list files as loaded"`
	Entities  int        `json:"entities" jsonschema:"how many entities the list holds"`
	LoadedAt  time.Time  `json:"loaded_at" jsonschema:"when the list was parsed and stored"`
	FetchedAt *time.Time `json:"fetched_at,omitempty" jsonschema:"when it was downloaded from its publisher (absent for a local import)"`
}

// screeningEngine returns the screening service or says it is not there.
func screeningEngine(d *Deps) (*verify.Screening, error) {
	if d == nil || d.Screening == nil {
		return nil, Errorf(CodeUnavailable, "", "screening is not configured on this server")
	}
	if err := d.Screening.Ready(); err != nil {
		return nil, Errorf(CodeUnavailable, "", "%v", err)
	}
	return d.Screening, nil
}

// screen runs a query, marks earlier verdicts for subjectRef, and shapes the result.
func screen(ctx context.Context, d *Deps, c Caller, q screening.Query, subjectRef string) (ScreeningResult, error) {
	s, err := screeningEngine(d)
	if err != nil {
		return ScreeningResult{}, err
	}
	subjectRef = strings.TrimSpace(subjectRef)
	if err := screening.Validate(q); err != nil {
		return ScreeningResult{}, engineFieldError(err)
	}
	loaded := map[string]bool{}
	for _, v := range s.Screener().Versions() {
		loaded[v.Source] = true
	}
	for i, src := range q.Sources {
		if !loaded[src] {
			return ScreeningResult{}, invalid(fmt.Sprintf("sources[%d]", i), "list %q is not loaded on this server", src)
		}
	}
	idx := s.Screener().Index() // one index for the hits and the versions named with them
	hits := idx.Screen(q)
	versions := idx.Versions()
	forcedBy := ""
	if sb := verify.SandboxScreen(c.Mode, q); len(sb) > 0 {
		forcedBy = sb[0].EntityName
		hits = mergeHits(hits, sb, q.Limit)
		versions = append(versions, verify.SandboxListVersion())
	}
	if subjectRef != "" {
		if hits, err = s.ApplyDecisions(ctx, c.scope(), []string{subjectRef}, hits); err != nil {
			return ScreeningResult{}, err
		}
	}
	th := q.Threshold
	if th == 0 {
		th = screening.DefaultThreshold
	}
	out := ScreeningResult{Hits: make([]ScreeningHit, 0, len(hits)), SubjectRef: subjectRef, Threshold: th, Lists: listVersions(versions),
		Forced: forcedBy != "", ForcedBy: forcedBy}
	for i := range hits {
		h := toHit(&hits[i])
		if h.Raised {
			out.Raised++
		}
		out.Hits = append(out.Hits, h)
	}
	return out, nil
}

// mergeHits adds the sandbox hits to the list's, best first, within the query's limit.
func mergeHits(hits, sandbox []screening.Hit, limit int) []screening.Hit {
	out := append(slices.Clone(hits), sandbox...)
	slices.SortStableFunc(out, func(a, b screening.Hit) int { return cmp.Compare(b.Score, a.Score) })
	if limit <= 0 {
		limit = screening.DefaultLimit
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// engineFieldError turns an engine validation error ("field: problem") into invalid_argument
// on that field.
func engineFieldError(err error) *Error {
	msg := err.Error()
	if field, rest, ok := strings.Cut(msg, ": "); ok && !strings.Contains(field, " ") {
		return invalid(field, "%s", rest)
	}
	return invalid("", "%s", msg)
}

func listVersions(vs []screening.ListVersion) []ScreeningListVersion {
	out := make([]ScreeningListVersion, 0, len(vs))
	for _, v := range vs {
		lv := ScreeningListVersion{Source: v.Source, SHA256: v.SHA256, Entities: v.Entities, LoadedAt: v.LoadedAt.UTC()}
		if !v.FetchedAt.IsZero() {
			t := v.FetchedAt.UTC()
			lv.FetchedAt = &t
		}
		out = append(out, lv)
	}
	slices.SortFunc(out, func(a, b ScreeningListVersion) int { return strings.Compare(a.Source, b.Source) })
	return out
}

func toHit(h *screening.Hit) ScreeningHit {
	out := ScreeningHit{Source: h.Source, SourceID: h.SourceID, EntityType: h.EntityType, Name: h.EntityName,
		MatchedName: h.MatchedName, MatchKind: h.MatchKind, Score: h.Score, Threshold: h.Threshold, Strong: h.Strong, Category: h.Category,
		Fingerprint: h.Fingerprint, Status: "new", Raised: !verify.Cleared(h)}
	if d := h.Decision; d != nil {
		out.Decision = &HitDecision{Verdict: d.Verdict, Reason: d.Note, SubjectRef: d.SubjectRef, Fingerprint: d.Fingerprint,
			DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt.UTC(), Stale: h.DecisionStale}
		out.Status = d.Verdict
		if h.DecisionStale {
			out.Status = "decision_stale"
		}
	}
	if e := h.Entity; e != nil {
		out.Entity = HitEntity{Programs: e.Programs, DatesOfBirth: e.DatesOfBirth, Nationalities: e.Nationalities,
			Countries: e.Countries, ListedOn: e.ListedOn, URL: e.URL}
		for _, id := range e.Identifiers {
			out.Entity.Identifiers = append(out.Entity.Identifiers, HitID(id))
		}
	}
	x := h.Explanation
	out.Explanation = HitExplanation{Query: x.Query, Candidate: x.Candidate, NameQuality: x.NameQuality, NameKind: x.NameKind,
		NameScore: x.NameScore, Score: x.Score, Threshold: x.Threshold,
		Matched: x.Matched, Missing: x.MissingFromQuery, Extra: x.ExtraInQuery}
	for _, t := range x.Tokens {
		out.Explanation.Tokens = append(out.Explanation.Tokens, HitTokenMatch(t))
	}
	for _, m := range x.Modifiers {
		out.Explanation.Modifiers = append(out.Explanation.Modifiers, HitModifier(m))
	}
	if x.IdentifierMatch != nil {
		id := HitID(*x.IdentifierMatch)
		out.Explanation.Identifier = &id
	}
	return out
}

func summarizeScreening(r ScreeningResult) string {
	if len(r.Hits) == 0 {
		return fmt.Sprintf("No hit at threshold %.2f on %d list(s).", r.Threshold, len(r.Lists))
	}
	top := r.Hits[0]
	return fmt.Sprintf("%d hit(s), %d raised; best: %s %s %q via %q, score %.2f (%s).", len(r.Hits), r.Raised,
		top.Source, top.SourceID, top.Name, top.MatchedName, top.Score, top.Status)
}
