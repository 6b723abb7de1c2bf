package db_test

import (
	"crypto/rand"
	"math/big"
	"strings"
	"testing"
	"time"

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

// The ID encoder writes the same 26 base32 digits as big-number division would, for random
// values and the edges, and an ID's first 10 characters are its millisecond.
func TestEncodeIDMatchesBigInt(t *testing.T) {
	t.Parallel()
	const crockford = "0123456789abcdefghjkmnpqrstvwxyz"
	ref := func(hi, lo uint64) string {
		n := new(big.Int).Lsh(new(big.Int).SetUint64(hi), 64)
		n.Or(n, new(big.Int).SetUint64(lo))
		out := make([]byte, 26)
		mod := new(big.Int)
		for i := 25; i >= 0; i-- {
			n.DivMod(n, big.NewInt(32), mod)
			out[i] = crockford[mod.Int64()]
		}
		return string(out)
	}
	cases := [][2]uint64{{0, 0}, {0, 1}, {1, 0}, {^uint64(0), ^uint64(0)}, {1 << 63, 1 << 63}}
	for range 1000 {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
		lo := new(big.Int).And(n, new(big.Int).SetUint64(^uint64(0))).Uint64()
		cases = append(cases, [2]uint64{new(big.Int).Rsh(n, 64).Uint64(), lo})
	}
	for _, c := range cases {
		require.Equal(t, ref(c[0], c[1]), db.EncodeID(c[0], c[1]), "%x:%x", c[0], c[1])
	}
	at := time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC)
	id := db.NewID("ver", at)
	require.Equal(t, ref(uint64(at.UnixMilli())<<16, 0)[:10], id[4:14])
}
