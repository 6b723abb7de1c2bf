package business

import (
	"strings"
	"time"
)

// Name is one name of an entity with its language and, for other names, its GLEIF type
// (ALTERNATIVE_LANGUAGE_LEGAL_NAME, PREVIOUS_LEGAL_NAME, TRADING_OR_OPERATING_NAME,
// AUTO_ASCII_TRANSLITERATED_LEGAL_NAME, …).
type Name struct {
	Name     string `json:"name"`
	Language string `json:"language,omitempty"`
	Type     string `json:"type,omitempty"`
}

// Address is a legal or headquarters address as GLEIF publishes it.
type Address struct {
	Language      string   `json:"language,omitempty"`
	Lines         []string `json:"lines,omitempty"`
	AddressNumber string   `json:"address_number,omitempty"`
	City          string   `json:"city,omitempty"`
	Region        string   `json:"region,omitempty"` // ISO 3166-2, e.g. US-DE
	Country       string   `json:"country,omitempty"`
	PostalCode    string   `json:"postal_code,omitempty"`
}

// Record is one LEI record (level 1): who the entity is and the state of its LEI.
// The API client and the Golden Copy reader produce the same Record for the same LEI.
type Record struct {
	LEI                 string       `json:"lei"`
	LegalName           Name         `json:"legal_name"`
	OtherNames          []Name       `json:"other_names,omitempty"`
	TransliteratedNames []Name       `json:"transliterated_names,omitempty"`
	LegalAddress        Address      `json:"legal_address"`
	HeadquartersAddress Address      `json:"headquarters_address"`
	RegisteredAt        string       `json:"registered_at,omitempty"`       // registration authority id (RA…)
	RegisteredAtOther   string       `json:"registered_at_other,omitempty"` // when the authority is not in GLEIF's list
	RegisteredAs        string       `json:"registered_as,omitempty"`       // the number in the business register
	Jurisdiction        string       `json:"jurisdiction,omitempty"`        // ISO 3166-1 or 3166-2
	Category            string       `json:"category,omitempty"`
	SubCategory         string       `json:"sub_category,omitempty"`
	LegalFormCode       string       `json:"legal_form_code,omitempty"` // ISO 20275 ELF code
	LegalFormOther      string       `json:"legal_form_other,omitempty"`
	EntityStatus        string       `json:"entity_status,omitempty"` // ACTIVE, INACTIVE, NULL
	CreationDate        time.Time    `json:"creation_date,omitzero"`
	ExpirationDate      time.Time    `json:"expiration_date,omitzero"`
	ExpirationReason    string       `json:"expiration_reason,omitempty"` // DISSOLVED, CORPORATE_ACTION, OTHER
	SuccessorLEI        string       `json:"successor_lei,omitempty"`
	SuccessorName       string       `json:"successor_name,omitempty"`
	Registration        Registration `json:"registration"`
	ConformityFlag      string       `json:"conformity_flag,omitempty"`
}

// Registration is the state of the LEI itself, kept by the managing LOU.
type Registration struct {
	InitialRegistrationDate time.Time `json:"initial_registration_date,omitzero"`
	LastUpdateDate          time.Time `json:"last_update_date,omitzero"`
	Status                  string    `json:"status,omitempty"` // ISSUED, LAPSED, RETIRED, MERGED, ANNULLED, …
	NextRenewalDate         time.Time `json:"next_renewal_date,omitzero"`
	ManagingLOU             string    `json:"managing_lou,omitempty"`
	CorroborationLevel      string    `json:"corroboration_level,omitempty"` // ValidationSources in the CDF
	ValidatedAt             string    `json:"validated_at,omitempty"`
	ValidatedAs             string    `json:"validated_as,omitempty"`
}

// Names returns the legal name followed by the other and transliterated names, without
// empty or repeated ones.
func (r *Record) Names() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	add(r.LegalName.Name)
	for _, n := range r.OtherNames {
		add(n.Name)
	}
	for _, n := range r.TransliteratedNames {
		add(n.Name)
	}
	return out
}

// Relationship types of the level-2 data (RR-CDF).
const (
	RelDirectParent   = "IS_DIRECTLY_CONSOLIDATED_BY"
	RelUltimateParent = "IS_ULTIMATELY_CONSOLIDATED_BY"
)

// Level says which consolidation relationship a question is about.
type Level int

// The two accounting-consolidation levels GLEIF reports.
const (
	Direct Level = iota
	Ultimate
)

// String is "direct" or "ultimate".
func (l Level) String() string {
	if l == Ultimate {
		return "ultimate"
	}
	return "direct"
}

// RelationshipType is the RR-CDF relationship type for the level.
func (l Level) RelationshipType() string {
	if l == Ultimate {
		return RelUltimateParent
	}
	return RelDirectParent
}

// ExceptionCategory is the reporting-exception category for the level.
func (l Level) ExceptionCategory() string {
	if l == Ultimate {
		return "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT"
	}
	return "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT"
}

// Period is a relationship or accounting period of a relationship.
type Period struct {
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
	Type  string    `json:"type,omitempty"` // RELATIONSHIP_PERIOD, ACCOUNTING_PERIOD, DOCUMENT_FILING_PERIOD
}

// Relationship is one level-2 relationship record: StartLEI (the child) is consolidated
// by EndLEI (the parent).
type Relationship struct {
	StartLEI            string    `json:"start_lei"`
	StartType           string    `json:"start_type,omitempty"`
	EndLEI              string    `json:"end_lei"`
	EndType             string    `json:"end_type,omitempty"`
	Type                string    `json:"type"`
	Status              string    `json:"status,omitempty"` // ACTIVE, INACTIVE
	Periods             []Period  `json:"periods,omitempty"`
	RegistrationStatus  string    `json:"registration_status,omitempty"` // PUBLISHED, LAPSED, …
	InitialRegistration time.Time `json:"initial_registration_date,omitzero"`
	LastUpdate          time.Time `json:"last_update_date,omitzero"`
	ManagingLOU         string    `json:"managing_lou,omitempty"`
	CorroborationLevel  string    `json:"corroboration_level,omitempty"`
}

// ReportingException is GLEIF's statement that an entity reports no parent of a level,
// with the reason (NATURAL_PERSONS, NON_CONSOLIDATING, NO_KNOWN_PERSON, NON_PUBLIC, …).
type ReportingException struct {
	LEI        string   `json:"lei"`
	Category   string   `json:"category"`
	Reason     string   `json:"reason"`
	References []string `json:"references,omitempty"`
}

// Parent is an entity's reported parent of one level: the relationship record and,
// when known, the parent's own record.
type Parent struct {
	Relationship Relationship `json:"relationship"`
	Record       *Record      `json:"record,omitempty"`
}

// Child is one reported child: the relationship and, when known, the child's record.
type Child struct {
	Relationship Relationship `json:"relationship"`
	Record       *Record      `json:"record,omitempty"`
}

// Children is one level of an entity's children, possibly cut at a limit: Total is how
// many the source knows of, len(Items) how many were read.
type Children struct {
	Items []Child `json:"items"`
	Total int     `json:"total"`
}

// Truncated reports whether fewer children were read than exist.
func (c Children) Truncated() bool { return len(c.Items) < c.Total }

// SearchQuery asks a Source for candidate records. At least one field must be set.
type SearchQuery struct {
	LegalName    string `json:"legal_name,omitempty"`
	Jurisdiction string `json:"jurisdiction,omitempty"`
	RegisteredAs string `json:"registered_as,omitempty"`
	Limit        int    `json:"limit,omitempty"` // default 20
}
