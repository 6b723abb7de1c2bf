package mrz

// Format names an MRZ layout from ICAO 9303 (and the French 1988 ID card).
type Format string

// The formats Parse recognises.
const (
	FormatTD1   Format = "TD1"    // ID-1 card: 3 lines of 30 (9303 part 5)
	FormatTD2   Format = "TD2"    // ID-2 card: 2 lines of 36 (9303 part 6)
	FormatTD3   Format = "TD3"    // passport: 2 lines of 44 (9303 part 4)
	FormatMRVA  Format = "MRVA"   // visa, format A: 2 lines of 44 (9303 part 7)
	FormatMRVB  Format = "MRVB"   // visa, format B: 2 lines of 36 (9303 part 7)
	FormatFRAID Format = "FRA_ID" // French national ID card (1988–2021): 2 lines of 36
)

// CheckDigit is the outcome of one check digit: the digit printed in the MRZ
// (Expected) against the one computed from the data it protects.
type CheckDigit struct {
	// Field is the protected field: document_number, date_of_birth,
	// expiry_date, personal_number or composite.
	Field string `json:"field" jsonschema:"protected field: document_number, date_of_birth, expiry_date, personal_number or composite"`
	// Expected is the character printed in the check-digit position.
	Expected string `json:"expected" jsonschema:"the digit printed in the check-digit position"`
	// Computed is the 7-3-1 digit of the data; "" when the data holds a
	// character that has no value.
	Computed string `json:"computed" jsonschema:"the 7-3-1 check digit of the data, empty when the data holds a character without a value"`
	// Valid is true when the printed digit agrees (or is a filler the
	// specification allows in its place).
	Valid bool `json:"valid" jsonschema:"whether it agrees"`
}

// Correction is one character Repair changed. Line and Col are 0-based and
// refer to Result.Lines. An insertion has From "", a deletion To "".
type Correction struct {
	Line int    `json:"line" jsonschema:"0-based line of the corrected character"`
	Col  int    `json:"col" jsonschema:"0-based column of the corrected character"`
	From string `json:"from" jsonschema:"the character as read"`
	To   string `json:"to" jsonschema:"the character after repair"`
}

// Result is a parsed and validated MRZ.
type Result struct {
	Format Format `json:"format" jsonschema:"MRZ format: TD1, TD2, TD3, MRVA, MRVB or FRA_ID"`
	// Valid is true only when every check digit agrees and no field has a
	// validation error (see Errors).
	Valid  bool         `json:"valid" jsonschema:"true only when every check digit agrees and no field has a validation error"`
	Checks []CheckDigit `json:"checks" jsonschema:"every check digit with its result"`

	DocumentCode   string `json:"document_code" jsonschema:"document code (P, I, ID, V, …)"`
	IssuingState   string `json:"issuing_state" jsonschema:"ICAO code of the issuing state or organisation"`
	Surname        string `json:"surname" jsonschema:"primary identifier (surname), with spaces for fillers"`
	GivenNames     string `json:"given_names" jsonschema:"secondary identifier (given names)"`
	DocumentNumber string `json:"document_number" jsonschema:"document number, including any overflow into optional data"`
	Nationality    string `json:"nationality" jsonschema:"ICAO nationality code"`
	// DateOfBirth is YYYY-MM-DD, "" when the MRZ marks it (or part of it) unknown.
	DateOfBirth string `json:"date_of_birth" jsonschema:"date of birth, YYYY-MM-DD; empty when the MRZ marks it unknown"`
	// Sex is "M", "F" or "X" (the MRZ's '<' means unspecified).
	Sex string `json:"sex" jsonschema:"M, F or X (unspecified)"`
	// ExpiryDate is YYYY-MM-DD, "" when the MRZ gives none.
	ExpiryDate string `json:"expiry_date" jsonschema:"date of expiry, YYYY-MM-DD"`
	// Expired is true when ExpiryDate is before today (see WithNow).
	Expired bool `json:"expired" jsonschema:"whether the expiry date has passed"`
	// IssueDate is YYYY-MM, only for FRA_ID whose MRZ carries the issue month.
	IssueDate string `json:"issue_date,omitempty" jsonschema:"issue month, YYYY-MM (French ID card only)"`
	// OptionalData is TD1 line 1 optional data (after any document-number
	// overflow), the TD3 personal number, TD2/MRV optional data, or the
	// FRA_ID administrative code. OptionalData2 is TD1 line 2 optional data.
	OptionalData  string `json:"optional_data" jsonschema:"optional data / personal number"`
	OptionalData2 string `json:"optional_data_2" jsonschema:"second optional data field (TD1 line 2)"`

	// Lines are the MRZ lines as parsed (after repair, for Repair).
	Lines       []string     `json:"lines" jsonschema:"the MRZ lines as parsed, after repair"`
	Corrections []Correction `json:"corrections" jsonschema:"characters changed by check-digit-guided OCR repair"`
	// Errors are human-readable validation problems, each starting with the
	// field it concerns ("expiry_date: …").
	Errors []string `json:"errors" jsonschema:"validation problems, each starting with the field it concerns"`
}

// check returns the named check, or nil.
func (r *Result) check(field string) *CheckDigit {
	for i := range r.Checks {
		if r.Checks[i].Field == field {
			return &r.Checks[i]
		}
	}
	return nil
}

// validChecks counts the check digits that agree; Repair ranks candidates by it.
func (r *Result) validChecks() int {
	n := 0
	for _, c := range r.Checks {
		if c.Valid {
			n++
		}
	}
	return n
}
