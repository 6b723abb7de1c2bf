package lists

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Entity types. Lists use many spellings; loaders map them onto these five.
const (
	TypePerson       = "person"
	TypeOrganization = "organization"
	TypeVessel       = "vessel"
	TypeAircraft     = "aircraft"
	TypeUnknown      = "unknown"
)

// Name kinds say how the list presents a name.
const (
	KindPrimary        = "primary"
	KindAKA            = "aka"
	KindFKA            = "fka"
	KindNKA            = "nka"
	KindOriginalScript = "original_script"
)

// Alias quality, where the list gives it. OFAC's "weak" aliases (quoted a.k.a.'s in the remarks),
// the UN's "Low" quality and the EU/UK "weak" flags map to QualityWeak; everything else is strong.
const (
	QualityStrong = "strong"
	QualityWeak   = "weak"
)

// Identifier types. Anything a list calls something else keeps its own label in Identifier.Label.
const (
	IDPassport     = "passport"
	IDNationalID   = "national_id"
	IDTaxID        = "tax_id"
	IDRegistration = "registration"
	IDLEI          = "lei"
	IDIMO          = "imo"
	IDCrypto       = "crypto_address"
	IDSwiftBIC     = "swift_bic"
	IDEmail        = "email"
	IDOther        = "other"
)

// Entity is one listed person, organisation, vessel or aircraft, in the same shape whatever the
// list it came from, so that the index and the API never care about the source format.
type Entity struct {
	Source        string       `json:"source"`
	SourceID      string       `json:"source_id"`
	Type          string       `json:"type"`
	Names         []Name       `json:"names"`
	DatesOfBirth  []string     `json:"dates_of_birth,omitempty"` // YYYY-MM-DD, YYYY-MM or YYYY
	PlacesOfBirth []string     `json:"places_of_birth,omitempty"`
	Nationalities []string     `json:"nationalities,omitempty"` // ISO 3166-1 alpha-2 where recognised, else as listed
	Countries     []string     `json:"countries,omitempty"`     // address and other linked countries, same coding
	Addresses     []string     `json:"addresses,omitempty"`
	Identifiers   []Identifier `json:"identifiers,omitempty"`
	Programs      []string     `json:"programs,omitempty"`
	Gender        string       `json:"gender,omitempty"`
	Topics        []string     `json:"topics,omitempty"` // e.g. "sanction", "role.pep" (FollowTheMoney topics)
	ListedOn      string       `json:"listed_on,omitempty"`
	Remarks       string       `json:"remarks,omitempty"`
	URL           string       `json:"url,omitempty"`
}

// Name is one name or alias of an entity.
type Name struct {
	Full    string `json:"full"`
	Kind    string `json:"kind"`
	Quality string `json:"quality"`
}

// Identifier is a document number, registry code or address that identifies an entity exactly.
type Identifier struct {
	Type     string `json:"type"`
	Value    string `json:"value"`
	Label    string `json:"label,omitempty"`    // the list's own wording, e.g. "Cedula No."
	Country  string `json:"country,omitempty"`  // issuing country
	Currency string `json:"currency,omitempty"` // for crypto addresses: XBT, ETH, USDT, ...
}

// ListVersion records exactly which data a screening result was computed against.
type ListVersion struct {
	Source    string    `json:"source"`
	Label     string    `json:"label,omitempty"` // distinguishes two snapshots of one source
	Path      string    `json:"path,omitempty"`
	URL       string    `json:"url,omitempty"`
	Files     []string  `json:"files,omitempty"`
	FetchedAt time.Time `json:"fetched_at,omitzero"`
	LoadedAt  time.Time `json:"loaded_at"`
	SHA256    string    `json:"sha256"`
	Entities  int       `json:"entities"`
}

// LoadedList is one parsed list with its version.
type LoadedList struct {
	Version  ListVersion `json:"version"`
	Entities []Entity    `json:"entities"`
}

// PrimaryName is the entity's first primary name, or its first name of any kind.
func (e *Entity) PrimaryName() string {
	for _, n := range e.Names {
		if n.Kind == KindPrimary {
			return n.Full
		}
	}
	if len(e.Names) > 0 {
		return e.Names[0].Full
	}
	return ""
}

// Fingerprint is a SHA-256 over the entity's content. A decision recorded on a hit
// ("false positive") stays valid only while the fingerprint is unchanged, so a list update
// that adds, say, a date of birth re-opens the hit for review.
func (e *Entity) Fingerprint() string {
	b, err := json.Marshal(e)
	if err != nil { // cannot happen for this plain struct; keep a deterministic fallback
		b = []byte(e.Source + "\x00" + e.SourceID)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
