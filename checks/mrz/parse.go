package mrz

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrNoFormat is wrapped by every error Parse returns: the lines do not have
// the shape of any supported MRZ.
var ErrNoFormat = errors.New("no MRZ format fits")

// Parse validates MRZ lines strictly: the lines must already have one of the
// exact shapes (3×30, 2×36, 2×44). It returns an error only when no format
// fits; every other problem (a wrong check digit, an unknown country code, an
// impossible date, a stray character) is reported in Result.Errors with
// Result.Valid false.
func Parse(lines []string, opts ...Option) (*Result, error) {
	cfg := newConfig(opts)
	l := layoutFor(lines)
	if l == nil {
		return nil, shapeError(lines)
	}
	return l.parse(lines, cfg), nil
}

// ParseText is Parse for newline-separated text: surrounding whitespace of
// each line and blank lines are dropped (OCR output and copy-paste carry both).
func ParseText(text string, opts ...Option) (*Result, error) {
	return Parse(splitLines(text), opts...)
}

func splitLines(text string) []string {
	var out []string
	for _, ln := range strings.Split(strings.ReplaceAll(text, "\r", "\n"), "\n") {
		if ln = strings.TrimSpace(ln); ln != "" {
			out = append(out, ln)
		}
	}
	return out
}

// shapeError explains why no layout fits, naming the line count and lengths.
func shapeError(lines []string) error {
	if len(lines) == 0 {
		return fmt.Errorf("%w: no lines", ErrNoFormat)
	}
	lens := make([]string, len(lines))
	for i, ln := range lines {
		lens[i] = strconv.Itoa(utf8.RuneCountInString(ln))
	}
	return fmt.Errorf("%w: got %d line(s) of %s characters; want TD1 3×30, TD2/MRV-B/FRA_ID 2×36 or TD3/MRV-A 2×44",
		ErrNoFormat, len(lines), strings.Join(lens, ", "))
}

// parse extracts and validates every field of lines, which must match l's shape.
func (l *layout) parse(lines []string, cfg *config) *Result {
	r := &Result{
		Format:      l.format,
		Lines:       append([]string(nil), lines...),
		Checks:      []CheckDigit{},
		Corrections: []Correction{},
		Errors:      []string{},
	}
	for i, ln := range lines {
		for c := 0; c < len(ln); c++ {
			if _, ok := charValue(ln[c]); !ok {
				r.errorf("line %d: invalid character %q at column %d", i+1, ln[c], c)
			}
		}
	}
	for _, fs := range l.fields {
		if fs.cls != clsAlpha || fs.id == fIssuing || fs.id == fNationality {
			continue // codes are checked against the code list below
		}
		for c := fs.start; c < fs.end; c++ {
			if ch := lines[fs.line][c]; isDigit(ch) {
				r.errorf("%s: digit %q at line %d column %d where only letters belong", fieldNames[fs.id], ch, fs.line+1, c)
			}
		}
	}
	today := cfg.today()

	r.DocumentCode = strings.TrimRight(l.raw(lines, fDocCode), "<")
	l.validateDocCode(r)
	r.IssuingState = normaliseCode(l.raw(lines, fIssuing))
	r.validateCode("issuing_state", r.IssuingState, cfg)

	if l.format == FormatFRAID {
		r.Surname = joinFillers(l.raw(lines, fSurname))
		r.GivenNames = joinFillers(l.raw(lines, fGiven))
		r.Nationality = r.IssuingState // the card is only issued to French nationals
		r.OptionalData = strings.Trim(l.raw(lines, fFRAAdmin), "<")
		num := lines[1][0:12]
		r.DocumentNumber = strings.TrimRight(num, "<")
		r.addCheck("document_number", num, lines[1][12])
		if d, err := parseDate(l.raw(lines, fIssue), dateIssue, today); err != nil {
			r.errorf("issue_date: %v", err)
		} else {
			r.IssueDate = d
		}
	} else {
		r.Surname, r.GivenNames = splitName(l.raw(lines, fName))
		r.Nationality = normaliseCode(l.raw(lines, fNationality))
		r.validateCode("nationality", r.Nationality, cfg)
		l.documentNumber(lines, r)
	}

	dob := l.raw(lines, fDOB)
	r.addCheck("date_of_birth", dob, l.raw(lines, fDOBCD)[0])
	if d, err := parseDate(dob, dateBirth, today); err != nil {
		r.errorf("date_of_birth: %v", err)
	} else {
		r.DateOfBirth = d
	}

	switch sex := l.raw(lines, fSex); sex {
	case "M", "F", "X":
		r.Sex = sex
	case "<":
		r.Sex = "X"
	default:
		r.errorf("sex: invalid value %q (want M, F, X or <)", sex)
	}

	if l.field(fExpiry) != nil {
		exp := l.raw(lines, fExpiry)
		r.addCheck("expiry_date", exp, l.raw(lines, fExpiryCD)[0])
		if d, err := parseDate(exp, dateExpiry, today); err != nil {
			r.errorf("expiry_date: %v", err)
		} else if d != "" {
			r.ExpiryDate = d
			r.Expired = d < today.Format("2006-01-02")
			if r.Expired && cfg.rejectExpired {
				r.errorf("expiry_date: document expired on %s", d)
			}
		}
	}

	if l.field(fPersonal) != nil {
		pn := l.raw(lines, fPersonal)
		r.OptionalData = strings.Trim(pn, "<")
		cd := l.raw(lines, fPersonalCD)[0]
		if cd == '<' && strings.Trim(pn, "<") == "" {
			// 9303 part 4: an unused personal number may carry '<' as its check digit.
			r.Checks = append(r.Checks, CheckDigit{Field: "personal_number", Expected: "<", Computed: "0", Valid: true})
		} else {
			r.addCheck("personal_number", pn, cd)
		}
	}
	if l.field(fOpt2) != nil {
		r.OptionalData2 = strings.Trim(l.raw(lines, fOpt2), "<")
	}

	if l.composite != nil {
		var b strings.Builder
		for _, s := range l.composite {
			b.WriteString(lines[s.line][s.start:s.end])
		}
		r.addCheck("composite", b.String(), l.raw(lines, fComposite)[0])
	}

	for _, c := range r.Checks {
		if !c.Valid {
			r.errorf("%s: check digit %q does not match computed %q", c.Field, c.Expected, c.Computed)
		}
	}
	r.Valid = len(r.Errors) == 0
	return r
}

// fieldNames are the JSON names used in error messages.
var fieldNames = map[fieldID]string{
	fDocCode: "document_code", fName: "name", fSurname: "surname", fGiven: "given_names",
}

// documentNumber extracts the document number and its check. TD1 and TD2
// (9303 parts 5 and 6) let a number longer than 9 characters continue in the
// optional data: the check-digit position then holds '<', and the optional
// data starts with the rest of the number followed by its check digit.
func (l *layout) documentNumber(lines []string, r *Result) {
	num := l.raw(lines, fDocNum)
	cd := l.raw(lines, fDocNumCD)[0]
	opt := l.raw(lines, fOpt1)
	overflowOK := l.format == FormatTD1 || l.format == FormatTD2
	if !overflowOK || cd != '<' || opt == "" || opt[0] == '<' {
		r.DocumentNumber = strings.TrimRight(num, "<")
		r.addCheck("document_number", num, cd)
		r.OptionalData = strings.Trim(opt, "<")
		return
	}
	k := strings.IndexByte(opt, '<')
	if k < 0 {
		k = len(opt)
	}
	ext, digit := opt[:k-1], opt[k-1]
	r.DocumentNumber = strings.TrimRight(num+ext, "<")
	r.OptionalData = strings.Trim(opt[k:], "<")
	r.addCheck("document_number", num+ext, digit)
	// Belgian eID cards compute this digit over the number including the
	// filler in the check-digit position (seen on BEL-BO-03003); accept that
	// reading for BEL only, so other issuers keep the plain ICAO rule.
	if c := r.check("document_number"); !c.Valid && r.IssuingState == "BEL" {
		if v, err := CheckDigitOf(num + "<" + ext); err == nil && byte('0'+v) == digit {
			c.Computed, c.Valid = strconv.Itoa(v), true
		}
	}
}

// addCheck records the check of data against the printed digit.
func (r *Result) addCheck(field, data string, digit byte) {
	c := CheckDigit{Field: field, Expected: string(digit)}
	if v, err := CheckDigitOf(data); err == nil {
		c.Computed = strconv.Itoa(v)
		c.Valid = digit >= '0' && digit <= '9' && int(digit-'0') == v
	}
	r.Checks = append(r.Checks, c)
}

func (r *Result) errorf(format string, args ...any) {
	r.Errors = append(r.Errors, fmt.Sprintf(format, args...))
}

// validateDocCode applies the first-letter rules of 9303 parts 4–7.
func (l *layout) validateDocCode(r *Result) {
	code := r.DocumentCode
	if code == "" {
		r.errorf("document_code: missing")
		return
	}
	var allowed string
	switch l.format {
	case FormatTD3:
		allowed = "P"
	case FormatMRVA, FormatMRVB:
		allowed = "V"
	case FormatFRAID:
		if code != "ID" {
			r.errorf("document_code: %q, want ID for a French 1988 identity card", code)
		}
		return
	default:
		allowed = "ACI"
	}
	if !strings.ContainsRune(allowed, rune(code[0])) {
		r.errorf("document_code: %q must start with one of %q for %s", code, allowed, l.format)
	}
	if len(code) == 2 && (code[1] < 'A' || code[1] > 'Z') {
		r.errorf("document_code: second character %q must be a letter or <", code[1])
	}
}

// validateCode reports an unknown state/organisation code; it is a
// validation problem, not a reason to refuse the MRZ.
func (r *Result) validateCode(field, code string, cfg *config) {
	if _, ok := CountryName(code); ok {
		return
	}
	if IsSpecimenCode(code) {
		if !cfg.allowSpecimen {
			r.errorf("%s: %q is ICAO's specimen state Utopia, not a real issuer (see WithSpecimenCodes)", field, code)
		}
		return
	}
	r.errorf("%s: unknown ICAO state or organisation code %q", field, code)
}

// splitName splits an ICAO name field at the first "<<" into the primary
// identifier (surname) and the secondary identifiers (given names).
func splitName(field string) (surname, given string) {
	f := strings.TrimRight(field, "<")
	if i := strings.Index(f, "<<"); i >= 0 {
		return joinFillers(f[:i]), joinFillers(f[i+2:])
	}
	return joinFillers(f), ""
}

// joinFillers turns the '<' separators inside a name into single spaces.
func joinFillers(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' }), " ")
}
