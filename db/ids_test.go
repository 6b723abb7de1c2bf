package db_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
)

// RandomString draws only from its alphabet, with every character equally likely: each of
// 62 (not a divisor of 256) or 32 characters stays within 5 % (≈ 5 standard deviations) of
// its expected count over 10,000 expected draws each.
func TestRandomStringUniform(t *testing.T) {
	t.Parallel()
	for _, alphabet := range []string{
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
		"23456789ABCDEFGHJKLMNPQRSTUVWXYZ",
	} {
		counts := map[rune]int{}
		for range 10_000 * len(alphabet) / 40 {
			s := db.RandomString(40, alphabet)
			require.Len(t, s, 40)
			for _, r := range s {
				require.True(t, strings.ContainsRune(alphabet, r), "%q is not in the alphabet", r)
				counts[r]++
			}
		}
		for _, r := range alphabet {
			require.InDelta(t, 10_000, counts[r], 500, "character %q", r)
		}
	}
	require.Len(t, db.RandomString(1, "x"), 1)
}
