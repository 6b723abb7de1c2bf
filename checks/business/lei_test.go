package business_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kycd/kycd/checks/business"
)

func TestValidateLEI(t *testing.T) {
	t.Parallel()
	// Every LEI GLEIF gave us is valid, and CheckDigits recomputes its last two digits.
	for _, r := range multiRecords(t) {
		if err := business.ValidateLEI(r.LEI); err != nil {
			t.Errorf("%s: %v", r.LEI, err)
		}
		if got := business.CheckDigits(r.LEI[:18]); got != r.LEI[18:] {
			t.Errorf("CheckDigits(%s) = %s, want %s", r.LEI[:18], got, r.LEI[18:])
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"21380068P1DRHMJ8KU71", "check digits 71 do not match (expected 70"},
		{"21380068P1DRHMJ8UK70", "check digits"}, // transposed letters
		{"21380068P1DRHMJ8KU7", "must be 20 characters, got 19"},
		{"21380068p1drhmj8ku70", "is not 0-9 or A-Z"},
		{"21380068P1DRHMJ8KU-0", "character 19"},
		{"21380068P1DRHMJ8KUA0", "must be digits"},
		{"", "got 0"},
		{strings.Repeat("A", 10000), "got 10000"},
	} {
		err := business.ValidateLEI(tc.in)
		if err == nil || !errors.Is(err, business.ErrInvalidLEI) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ValidateLEI(%.30q) = %v, want error containing %q", tc.in, err, tc.want)
		}
		if len(err.Error()) > 200 {
			t.Errorf("error message not bounded: %d bytes", len(err.Error()))
		}
	}
	if got := business.NormalizeLEI(" 2138 0068 p1dr hmj8 ku70 "); got != "21380068P1DRHMJ8KU70" {
		t.Errorf("NormalizeLEI = %q", got)
	}
}
