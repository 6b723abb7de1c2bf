package mrz

import (
	"fmt"
	"strconv"
	"strings"
)

// Compose writes the MRZ lines for the fields of r (Format, DocumentCode,
// IssuingState, Surname, GivenNames, DocumentNumber, Nationality,
// DateOfBirth, Sex, ExpiryDate, OptionalData, OptionalData2; IssueDate is
// ignored, FRA_ID carries it in DocumentNumber), computing every check digit.
// Names are transliterated and cut to the field (plain truncation, not the
// full ICAO truncation procedure); a TD1/TD2 document number longer than 9
// characters uses the overflow rule. It exists to generate test documents
// with a known ground truth and fails, naming the field, on anything that
// does not fit.
func Compose(r *Result) ([]string, error) {
	if r == nil {
		return nil, fmt.Errorf("compose: nil result")
	}
	var l *layout
	for _, x := range allLayouts {
		if x.format == r.Format {
			l = x
		}
	}
	if l == nil {
		return nil, fmt.Errorf("compose: format: unknown %q", r.Format)
	}
	lines := make([][]byte, l.lines)
	for i := range lines {
		lines[i] = []byte(strings.Repeat("<", l.width))
	}
	put := func(id fieldID, name, v string) error {
		fs := l.field(id)
		if len(v) > fs.end-fs.start {
			return fmt.Errorf("compose: %s: %q longer than %d characters", name, v, fs.end-fs.start)
		}
		for i := 0; i < len(v); i++ {
			if _, ok := charValue(v[i]); !ok {
				return fmt.Errorf("compose: %s: invalid character %q", name, v[i])
			}
		}
		copy(lines[fs.line][fs.start:], v)
		return nil
	}
	digit := func(id fieldID, data string) {
		v, _ := CheckDigitOf(data) // data was validated by put
		fs := l.field(id)
		lines[fs.line][fs.start] = byte('0' + v)
	}
	raw := func(id fieldID) string { return string(l.raw(strs2(lines), id)) }

	if err := put(fDocCode, "document_code", r.DocumentCode); err != nil {
		return nil, err
	}
	if err := put(fIssuing, "issuing_state", r.IssuingState); err != nil {
		return nil, err
	}
	dob, err := composeDate(r.DateOfBirth, "date_of_birth")
	if err != nil {
		return nil, err
	}
	if err := put(fDOB, "date_of_birth", dob); err != nil {
		return nil, err
	}
	digit(fDOBCD, dob)
	sex := r.Sex
	if sex == "X" || sex == "" {
		sex = "<"
	}
	if err := put(fSex, "sex", sex); err != nil {
		return nil, err
	}

	if l.format == FormatFRAID {
		if err := put(fSurname, "surname", cut(Transliterate(r.Surname), 25)); err != nil {
			return nil, err
		}
		if err := put(fGiven, "given_names", cut(strings.ReplaceAll(Transliterate(r.GivenNames), "<", "<<"), 14)); err != nil {
			return nil, err
		}
		if err := put(fFRAAdmin, "optional_data", r.OptionalData); err != nil {
			return nil, err
		}
		if len(r.DocumentNumber) != 12 {
			return nil, fmt.Errorf("compose: document_number: FRA_ID numbers have 12 characters, got %q", r.DocumentNumber)
		}
		copy(lines[1][0:12], r.DocumentNumber)
		if _, err := CheckDigitOf(r.DocumentNumber); err != nil {
			return nil, fmt.Errorf("compose: document_number: %w", err)
		}
		digit(fDocNumCD, r.DocumentNumber)
	} else {
		name := Transliterate(r.Surname) + "<<" + Transliterate(r.GivenNames)
		if err := put(fName, "name", cut(name, l.field(fName).end-l.field(fName).start)); err != nil {
			return nil, err
		}
		if err := put(fNationality, "nationality", r.Nationality); err != nil {
			return nil, err
		}
		exp, err := composeDate(r.ExpiryDate, "expiry_date")
		if err != nil {
			return nil, err
		}
		if err := put(fExpiry, "expiry_date", exp); err != nil {
			return nil, err
		}
		digit(fExpiryCD, exp)
		if err := composeNumber(l, r, put, digit, raw, lines); err != nil {
			return nil, err
		}
		if l.field(fOpt2) != nil {
			if err := put(fOpt2, "optional_data_2", r.OptionalData2); err != nil {
				return nil, err
			}
		}
		if l.field(fPersonal) != nil {
			if err := put(fPersonal, "optional_data", r.OptionalData); err != nil {
				return nil, err
			}
			if r.OptionalData != "" {
				digit(fPersonalCD, raw(fPersonal))
			}
		}
	}
	if l.composite != nil {
		var b strings.Builder
		for _, s := range l.composite {
			b.Write(lines[s.line][s.start:s.end])
		}
		digit(fComposite, b.String())
	}
	return strs2(lines), nil
}

// composeNumber writes the document number, its check digit and (except for
// TD3, whose optional data is the personal number) the optional data.
func composeNumber(l *layout, r *Result, put func(fieldID, string, string) error, digit func(fieldID, string), raw func(fieldID) string, lines [][]byte) error {
	num := r.DocumentNumber
	opt := r.OptionalData
	if len(num) > 9 && (l.format == FormatTD1 || l.format == FormatTD2) {
		v, err := CheckDigitOf(num)
		if err != nil {
			return fmt.Errorf("compose: document_number: %w", err)
		}
		opt = num[9:] + strconv.Itoa(v) + "<" + opt
		if err := put(fOpt1, "optional_data", strings.TrimRight(opt, "<")); err != nil {
			return err
		}
		return put(fDocNum, "document_number", num[:9]) // the check-digit position stays '<'
	}
	if err := put(fDocNum, "document_number", num); err != nil {
		return err
	}
	digit(fDocNumCD, raw(fDocNum))
	if l.field(fPersonal) == nil {
		return put(fOpt1, "optional_data", opt)
	}
	return nil
}

// composeDate turns YYYY-MM-DD into YYMMDD ("" → unknown, "<<<<<<").
func composeDate(d, field string) (string, error) {
	if d == "" {
		return "<<<<<<", nil
	}
	if len(d) != 10 || d[4] != '-' || d[7] != '-' {
		return "", fmt.Errorf("compose: %s: want YYYY-MM-DD, got %q", field, d)
	}
	return d[2:4] + d[5:7] + d[8:10], nil
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func strs2(b [][]byte) []string {
	out := make([]string, len(b))
	for i := range b {
		out[i] = string(b[i])
	}
	return out
}
