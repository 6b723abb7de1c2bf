package mrz

import (
	"fmt"
	"strconv"
	"time"
)

// expiryHorizonYears is how far ahead an expiry date may lie before its
// two-digit year is read as the previous century. Passports run 10 years and
// some ID cards 15; 20 leaves room without swallowing old documents.
const expiryHorizonYears = 20

type dateKind uint8

const (
	dateBirth dateKind = iota + 1
	dateExpiry
	dateIssue // YYMM, FRA_ID
)

// parseDate reads an MRZ YYMMDD date (YYMM for dateIssue) and infers the
// century: birth and issue dates are never in the future, expiry dates may be
// up to expiryHorizonYears ahead. It returns "" with no error when the MRZ
// marks the date unknown with fillers ('<<' groups), and an error naming the
// problem when the characters do not form a date.
func parseDate(raw string, kind dateKind, today time.Time) (string, error) {
	allDigits, unknownOK := true, true
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c >= '0' && c <= '9' {
			continue
		}
		allDigits = false
		// ICAO lets an unknown year, month or day be filled with "<<";
		// a lone '<' or any other character is not a date.
		if c != '<' || raw[i^1] != '<' {
			unknownOK = false
		}
	}
	if !allDigits {
		if unknownOK {
			return "", nil
		}
		return "", fmt.Errorf("invalid date %q", raw)
	}
	yy, _ := strconv.Atoi(raw[0:2])
	mm, _ := strconv.Atoi(raw[2:4])
	dd := 1
	if kind != dateIssue {
		dd, _ = strconv.Atoi(raw[4:6])
	}
	if mm < 1 || mm > 12 {
		return "", fmt.Errorf("invalid month %02d in %q", mm, raw)
	}
	limit := today
	if kind == dateExpiry {
		limit = today.AddDate(expiryHorizonYears, 0, 0)
	}
	year := 2000 + yy
	if time.Date(year, time.Month(mm), 1, 0, 0, 0, 0, time.UTC).After(limit) ||
		(kind != dateIssue && time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC).After(limit)) {
		year -= 100
	}
	if kind == dateIssue {
		return fmt.Sprintf("%04d-%02d", year, mm), nil
	}
	t := time.Date(year, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if dd < 1 || t.Month() != time.Month(mm) {
		return "", fmt.Errorf("invalid day %02d in %q", dd, raw)
	}
	return t.Format("2006-01-02"), nil
}
