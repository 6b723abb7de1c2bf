package business

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidLEI is matched (errors.Is) by every LEI validation error.
var ErrInvalidLEI = errors.New("invalid LEI")

// LEIError says why a string is not a valid ISO 17442 LEI, in words a caller can act on.
type LEIError struct {
	LEI    string
	Reason string
}

// Error gives the LEI (cut to 40 characters) and the reason.
func (e *LEIError) Error() string { return fmt.Sprintf("invalid LEI %q: %s", e.LEI, e.Reason) }

// Is makes errors.Is(err, ErrInvalidLEI) true.
func (e *LEIError) Is(target error) bool { return target == ErrInvalidLEI }

// NormalizeLEI upper-cases and trims an LEI as typed by a person (spaces inside are
// removed: LEIs are often printed in groups of four).
func NormalizeLEI(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// ValidateLEI checks an LEI against ISO 17442: 20 characters from [0-9A-Z] whose last
// two are ISO 7064 MOD 97-10 check digits. It does not normalise; call NormalizeLEI first
// for user input.
func ValidateLEI(lei string) error {
	quoted := lei
	if len(quoted) > 40 {
		quoted = quoted[:40] + "…"
	}
	if len(lei) != 20 {
		return &LEIError{LEI: quoted, Reason: fmt.Sprintf("must be 20 characters, got %d", len(lei))}
	}
	for i := 0; i < len(lei); i++ {
		c := lei[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return &LEIError{LEI: quoted, Reason: fmt.Sprintf("character %d (%q) is not 0-9 or A-Z", i+1, rune(c))}
		}
	}
	if c := lei[18]; c < '0' || c > '9' || lei[19] < '0' || lei[19] > '9' {
		return &LEIError{LEI: quoted, Reason: "the last two characters (check digits) must be digits"}
	}
	if mod97(lei) != 1 {
		want := CheckDigits(lei[:18])
		return &LEIError{LEI: quoted, Reason: fmt.Sprintf("check digits %s do not match (expected %s for %s): probably a typo", lei[18:], want, lei[:18])}
	}
	return nil
}

// CheckDigits returns the two ISO 7064 MOD 97-10 check digits for an 18-character LEI
// prefix (upper-case alphanumerics).
func CheckDigits(prefix18 string) string {
	r := mod97(prefix18 + "00")
	return fmt.Sprintf("%02d", 98-r)
}

// mod97 computes the value mod 97 of s with letters expanded to 10..35, digit by digit.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
		}
	}
	return r
}
