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
	Field string `json:"field"`
	// Expected is the character printed in the check-digit position.
	Expected string `json:"expected"`
	// Computed is the 7-3-1 digit of the data; "" when the data holds a
	// character that has no value.
	Computed string `json:"computed"`
	// Valid is true when the printed digit agrees (or is a filler the
	// specification allows in its place).
	Valid bool `json:"valid"`
}

// Correction is one character Repair changed. Line and Col are 0-based and
// refer to Result.Lines. An insertion has From "", a deletion To "".
type Correction struct {
	Line int    `json:"line"`
	Col  int    `json:"col"`
	From string `json:"from"`
	To   string `json:"to"`
}

// Result is a parsed and validated MRZ.
type Result struct {
	Format Format `json:"format"`
	// Valid is true only when every check digit agrees and no field has a
	// validation error (see Errors).
	Valid  bool         `json:"valid"`
	Checks []CheckDigit `json:"checks"`

	DocumentCode   string `json:"document_code"`
	IssuingState   string `json:"issuing_state"`
	Surname        string `json:"surname"`
	GivenNames     string `json:"given_names"`
	DocumentNumber string `json:"document_number"`
	Nationality    string `json:"nationality"`
	// DateOfBirth is YYYY-MM-DD, "" when the MRZ marks it (or part of it) unknown.
	DateOfBirth string `json:"date_of_birth"`
	// Sex is "M", "F" or "X" (the MRZ's '<' means unspecified).
	Sex string `json:"sex"`
	// ExpiryDate is YYYY-MM-DD, "" when the MRZ gives none.
	ExpiryDate string `json:"expiry_date"`
	// Expired is true when ExpiryDate is before today (see WithNow).
	Expired bool `json:"expired"`
	// IssueDate is YYYY-MM, only for FRA_ID whose MRZ carries the issue month.
	IssueDate string `json:"issue_date,omitempty"`
	// OptionalData is TD1 line 1 optional data (after any document-number
	// overflow), the TD3 personal number, TD2/MRV optional data, or the
	// FRA_ID administrative code. OptionalData2 is TD1 line 2 optional data.
	OptionalData  string `json:"optional_data"`
	OptionalData2 string `json:"optional_data_2"`

	// Lines are the MRZ lines as parsed (after repair, for Repair).
	Lines       []string     `json:"lines"`
	Corrections []Correction `json:"corrections"`
	// Errors are human-readable validation problems, each starting with the
	// field it concerns ("expiry_date: …").
	Errors []string `json:"errors"`
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
