package screening

import (
	"strings"

	"github.com/kycd/kycd/checks/screening/lists"
)

// The list data model lives in the lists subpackage (the loaders fill it); these aliases let
// callers use one import.
type (
	// Entity is one listed person, organisation, vessel or aircraft.
	Entity = lists.Entity
	// Name is one name or alias of an entity.
	Name = lists.Name
	// Identifier is a document number, registry code or crypto address.
	Identifier = lists.Identifier
	// ListVersion records exactly which data a result was computed against.
	ListVersion = lists.ListVersion
	// LoadedList is one parsed list with its version.
	LoadedList = lists.LoadedList
)

// Load parses the list at path as the named source ("ofac_sdn", "ofac_cons", "un", "eu", "uk",
// "us_csl", "bis_dpl", "ftm", "senzing").
func Load(source, path string) ([]Entity, ListVersion, error) {
	l, err := lists.Load(source, path)
	if err != nil {
		return nil, ListVersion{}, err
	}
	return l.Entities, l.Version, nil
}

// LoadList is Load returning the LoadedList that NewIndex takes.
func LoadList(source, path string) (LoadedList, error) { return lists.Load(source, path) }

// DefaultThreshold is the score at or above which a name match is reported. It was chosen on the
// benchmark in docs/benchmarks/screening.md (recall of list aliases vs. false positives on
// generated non-listed names).
const DefaultThreshold = 0.85

// DefaultLimit caps the hits per query when Query.Limit is zero.
const DefaultLimit = 10

// Query is one subject to screen. Only Name or Identifiers is required; the rest sharpen the score.
type Query struct {
	Name        string       `json:"name,omitempty"`
	DOB         string       `json:"dob,omitempty"`        // YYYY-MM-DD, YYYY-MM or YYYY
	BirthYear   int          `json:"birth_year,omitempty"` // when only the year is known
	Nationality string       `json:"nationality,omitempty"`
	Country     string       `json:"country,omitempty"`
	Type        string       `json:"type,omitempty"` // person | organization | vessel | aircraft | any ("" = any)
	Identifiers []Identifier `json:"identifiers,omitempty"`
	Threshold   float64      `json:"threshold,omitempty"` // 0 = DefaultThreshold
	Limit       int          `json:"limit,omitempty"`     // 0 = DefaultLimit
	Sources     []string     `json:"sources,omitempty"`   // restrict to these list sources; empty = all
}

// Hit is one listed entity that matched, with everything needed to explain and record it.
type Hit struct {
	Source      string  `json:"source"`
	SourceID    string  `json:"source_id"`
	EntityType  string  `json:"entity_type"`
	EntityName  string  `json:"entity_name"`
	MatchedName string  `json:"matched_name"`
	MatchKind   string  `json:"match_kind"` // "name" or "identifier"
	Score       float64 `json:"score"`
	Threshold   float64 `json:"threshold"`
	Strong      bool    `json:"strong"` // the matched name is a strong alias (or an identifier matched)
	// Category is "sanction", or "pep" for a politically exposed person who is not also
	// sanctioned: policy treats a PEP hit as a review, never a rejection.
	Category    string      `json:"category"`
	Fingerprint string      `json:"fingerprint"`
	Explanation Explanation `json:"explanation"`
	Entity      *Entity     `json:"entity,omitempty"` // shared with the index: read-only
	// Decision is the analyst's earlier verdict on this hit for this subject (ApplyDecisions);
	// DecisionStale says the entity changed since, so the verdict needs review.
	Decision      *Decision `json:"decision,omitempty"`
	DecisionStale bool      `json:"decision_stale,omitempty"`
}

// Explanation says why a hit scored what it did.
type Explanation struct {
	Query       string       `json:"query"`        // the query name as normalised tokens
	Candidate   string       `json:"candidate"`    // the matched name as normalised tokens
	NameQuality string       `json:"name_quality"` // strong | weak
	NameKind    string       `json:"name_kind"`    // primary | aka | fka | nka | original_script
	Tokens      []TokenMatch `json:"tokens,omitempty"`
	// Matched lists the aligned pairs as "query~listed"; MissingFromQuery the listed tokens the
	// query does not mention (a left-out middle name costs little, a left-out surname much);
	// ExtraInQuery the query tokens the listed name lacks (they cost more than a missing one).
	Matched          []string    `json:"matched,omitempty"`
	MissingFromQuery []string    `json:"missing_from_query,omitempty"`
	ExtraInQuery     []string    `json:"extra_in_query,omitempty"`
	NameScore        float64     `json:"name_score"`
	Modifiers        []Modifier  `json:"modifiers,omitempty"`
	IdentifierMatch  *Identifier `json:"identifier_match,omitempty"`
	Score            float64     `json:"score"`
	Threshold        float64     `json:"threshold"`
}

// TokenMatch is one step of the token alignment. Unmatched tokens appear with an empty partner
// and similarity 0; Weight is what the token counted for in the score.
type TokenMatch struct {
	QueryToken   string  `json:"query_token"`
	MatchedToken string  `json:"matched_token"`
	Similarity   float64 `json:"similarity"`
	Weight       float64 `json:"weight"`
	Kind         string  `json:"kind"` // exact | fuzzy | phonetic | initial | joined | split | variant | unmatched_query | unmatched_candidate
	// Role is the listed token's part in a person's name (given, middle, surname), where known.
	Role string `json:"role,omitempty"`
}

// Modifier is an adjustment to the name score from data other than the name.
type Modifier struct {
	Name   string  `json:"name"` // dob | nationality | country | type | weak_alias | low_information | one_word_alias | surname_not_matched | no_exact_token
	Delta  float64 `json:"delta"`
	Detail string  `json:"detail"`
}

// Hit categories.
const (
	CategorySanction = "sanction"
	CategoryPEP      = "pep"
)

// categoryOf: a PEP list entry, or an entity tagged as a PEP and not as sanctioned, is a PEP.
func categoryOf(e *Entity) string {
	pep, sanction := false, false
	for _, t := range e.Topics {
		switch {
		case t == lists.TopicPEP:
			pep = true
		case t == "sanction" || strings.HasPrefix(t, "sanction."):
			sanction = true
		}
	}
	if pep && !sanction {
		return CategoryPEP
	}
	return CategorySanction
}
