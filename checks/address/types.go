package address

import "time"

// Address is a postal address, structured and as read.
type Address struct {
	Line1       string   `json:"line1"`
	Line2       string   `json:"line2,omitempty"`
	City        string   `json:"city"`
	PostalCode  string   `json:"postal_code"`
	Region      string   `json:"region,omitempty"`
	Country     string   `json:"country"`
	HouseNumber string   `json:"house_number,omitempty"`
	Street      string   `json:"street,omitempty"`
	Lines       []string `json:"lines,omitempty"`
}

// Document kinds.
const (
	KindUtilityBill      = "utility_bill"
	KindBankStatement    = "bank_statement"
	KindTaxLetter        = "tax_letter"
	KindGovernmentLetter = "government_letter"
	KindOther            = "other"
)

// Decisions.
const (
	StatusApproved    = "approved"
	StatusNeedsReview = "needs_review"
	StatusRejected    = "rejected"
)

// Effects of a reason on the decision.
const (
	EffectInfo   = "info"
	EffectReview = "review"
	EffectReject = "reject"
)

// Reason codes.
const (
	ReasonNameMismatch       = "name_mismatch"
	ReasonNameNotFound       = "name_not_found"
	ReasonAddressMismatch    = "address_mismatch"
	ReasonAddressPartial     = "address_partial_match"
	ReasonAddressNotFound    = "address_not_found"
	ReasonDocumentTooOld     = "document_too_old"
	ReasonDateNotFound       = "document_date_not_found"
	ReasonDateInFuture       = "document_date_in_future"
	ReasonKindNotAccepted    = "document_kind_not_accepted"
	ReasonLowOCRConfidence   = "low_ocr_confidence"
	ReasonTextLayerMismatch  = "text_layer_mismatch"
	ReasonNoText             = "no_text"
	ReasonPagesTruncated     = "pages_truncated"
	ReasonCountryMismatch    = "country_mismatch"
	ReasonTextLayerUnchecked = "text_layer_unchecked"
	// ReasonPostcodeRepaired (info): one character of the declared postcode was read as a
	// character OCR confuses with it ("O" for "0") and taken as the declared one.
	ReasonPostcodeRepaired = "postcode_repaired"
)

// Reason is one finding behind a decision.
type Reason struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Effect  string         `json:"effect"`
	Data    map[string]any `json:"data,omitempty"`
}

// Match is a score and whether it passes.
type Match struct {
	Score   float64 `json:"score"`
	Matched bool    `json:"matched"`
}

// AddressMatch compares the declared address with the one read, component by component.
type AddressMatch struct {
	Score      float64          `json:"score"`
	Matched    bool             `json:"matched"`
	Components map[string]Match `json:"components"`
}

// OCR says how the text was read.
type OCR struct {
	Engine     string  `json:"engine"` // text_layer, tesseract or text_layer+tesseract
	Version    string  `json:"version,omitempty"`
	Languages  string  `json:"languages,omitempty"`
	Confidence float64 `json:"confidence"`
}

// Result is the outcome of one proof-of-address check.
type Result struct {
	Status           string       `json:"status"`
	ExtractedAddress *Address     `json:"extracted_address,omitempty"`
	AddresseeName    string       `json:"addressee_name,omitempty"`
	DocumentDate     string       `json:"document_date,omitempty"` // YYYY-MM-DD
	DateLabel        string       `json:"date_label,omitempty"`    // issue, letter, unlabelled, period_end, due
	Issuer           string       `json:"issuer,omitempty"`
	DocumentKind     string       `json:"document_kind"`
	IsRecent         bool         `json:"is_recent"`
	NameMatch        Match        `json:"name_match"`
	AddressMatch     AddressMatch `json:"address_match"`
	Reasons          []Reason     `json:"reasons"`
	OCR              OCR          `json:"ocr"`
	Pages            int          `json:"pages"`
	MediaType        string       `json:"media_type"`
	// Text is the text the decision was made on (for review; sealed at rest by the store).
	Text string `json:"text,omitempty"`
}

// Input is one document and what the applicant declared.
type Input struct {
	Document        []byte
	DeclaredName    string
	DeclaredAddress Address // Country required
	MaxAgeDays      int     // 0 = 90
	// Now is the reference time for recency; zero = time.Now().
	Now time.Time
}
