package address

import "testing"

func TestRepairPostcode(t *testing.T) {
	cases := []struct {
		country, line, want, fixed, read string
	}{
		{"GB", "Manchester M14 OYT", "M14 0YT", "Manchester M14 0YT", "M14 OYT"},
		{"GB", "london sw1a 1aa", "SW1A 1AA", "", ""}, // already valid: never touched
		{"IE", "Dublin D@2 X285", "D02 X285", "Dublin D02 X285", "D@2 X285"},
		{"IE", "Dublin DQ6 F2X4", "D06 F2X4", "Dublin D06 F2X4", "DQ6 F2X4"},
		{"DE", "1O115 Berlin", "10115", "10115 Berlin", "1O115"},
		{"US", "Springfield, IL 627O4", "62704", "Springfield, IL 62704", "627O4"},
		{"NL", "1O12 AB Amsterdam", "1012 AB", "1012 AB Amsterdam", "1O12 AB"},
		{"CA", "Ottawa ON K1A OB1", "K1A 0B1", "Ottawa ON K1A 0B1", "K1A OB1"},
		// A letter read as a digit where the format wants a letter.
		{"CA", "Ottawa ON K1A 0BI", "K1A 0B1", "Ottawa ON K1A 0B1", "K1A 0BI"},
		// "L52 7UE" is itself a valid GB postcode: never taken for LS2 7UE.
		{"GB", "Leeds L52 7UE", "LS2 7UE", "", ""},
		// Two slips, or a different postcode: not repaired (review decides).
		{"GB", "Manchester M15 OYT", "M14 0YT", "", ""},
		{"DE", "1O1I5 Berlin", "10115", "", ""},
		{"DE", "20O95 Hamburg", "10115", "", ""},
		// A valid postcode that is not the declared one stays as read ("W1B" is a real district).
		{"GB", "London W1B 1AA", "W18 1AA", "", ""},
		// Nothing declared, nothing to repair towards.
		{"DE", "1O115 Berlin", "", "", ""},
		// Words are not postcodes.
		{"GB", "TO BEE OR NOT", "T0 8EE", "", ""},
	}
	for _, c := range cases {
		r := rules[c.country]
		fixed, read, ok := r.repairPostcode(c.line, c.want)
		if ok != (c.fixed != "") || fixed != c.fixed || read != c.read {
			t.Errorf("%s %q → %q: got %q %q %v, want %q %q", c.country, c.line, c.want, fixed, read, ok, c.fixed, c.read)
		}
	}
}
