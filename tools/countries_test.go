package tools

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Each country input takes alpha-2, alpha-3 or ICAO's D and normalises to its family's form (#20).
func TestCountryForms(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"DE": "DE", "de": "DE", "DEU": "DE", "D": "DE", " usa ": "US", "US": "US", "NLD": "NL", "GBR": "GB", "XK": "XK", "RKS": "XK"} {
		got, ok := countryAlpha2(in)
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "XY", "XXA", "EUE", "DEUT", "U", "1"} {
		_, ok := countryAlpha2(bad)
		require.False(t, ok, bad)
	}
	for in, want := range map[string]string{"DE": "D", "DEU": "D", "D": "D", "d": "D", "NL": "NLD", "NLD": "NLD", "US": "USA", "usa": "USA", "XK": "RKS", "RKS": "RKS", "XXA": "XXA", "EUE": "EUE"} {
		got, ok := countryICAO(in)
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "XY", "ZZZ", "DEUT", "1"} {
		_, ok := countryICAO(bad)
		require.False(t, ok, bad)
	}
}
