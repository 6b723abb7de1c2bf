package lists

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The OFAC remarks grammar: label anywhere before the value, codes that belong to the value,
// trailing place names and qualifiers left out, the country from the last parenthesis.
func TestIdentifierGrammar(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ item, typ, value, label, country string }{
		{"UK Company Number 01126618 (United Kingdom)", IDRegistration, "01126618", "UK Company Number", "GB"},
		{"C.R. No. CH-217.0.135.719-4 (Switzerland)", IDRegistration, "CH-217.0.135.719-4", "C.R. No.", "CH"},
		{"RIF # J-31136071-9 (Venezuela)", IDTaxID, "J-31136071-9", "RIF #", "VE"},
		{"Public Registration Number 467323, Doc. 694710 (Panama)", IDRegistration, "467323", "Public Registration Number", ""},
		{"Folio Mercantil No. 293481 Distrito Federal", IDRegistration, "293481", "Folio Mercantil No.", ""},
		{"Registration Number HRA 738077 (Stuttgart) (Germany)", IDRegistration, "HRA 738077", "Registration Number", "DE"},
		{"Registration ID 0179427 (France)", IDRegistration, "0179427", "Registration ID", ""},
		{"Passport RL 1794375 (Lebanon)", IDPassport, "RL 1794375", "Passport", "LB"},
		{"Passport 008827 (Iran) issued 1999", IDPassport, "008827", "Passport", "IR"},
		{"Chinese Commercial Code 1728 4320", IDRegistration, "1728 4320", "Chinese Commercial Code", ""},
		{"SSN 523-33-8386 (United States)", IDNationalID, "523-33-8386", "SSN", "US"},
		{"License 2377", IDRegistration, "2377", "License", ""},
		{"SWIFT/BIC SABBSARI", IDSwiftBIC, "SABBSARI", "SWIFT/BIC", ""},
	} {
		var e Entity
		e.Remarks = tc.item
		applyOFACRemarks(&e, tc.item)
		require.Len(t, e.Identifiers, 1, tc.item)
		id := e.Identifiers[0]
		require.Equal(t, tc.typ, id.Type, tc.item)
		require.Equal(t, tc.value, id.Value, tc.item)
		require.Equal(t, tc.label, id.Label, tc.item)
		if tc.country != "" {
			require.Equal(t, tc.country, id.Country, tc.item)
		}
	}
	for _, item := range []string{"Linked To: COMPANIA GANADERA 5 MANANTIALES S. DE P.R. DE R.L.", "named in UNSCR 1483", "President since 1979"} {
		var e Entity
		applyOFACRemarks(&e, item)
		require.Empty(t, e.Identifiers, item)
	}
}
