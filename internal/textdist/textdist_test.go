package textdist

import "testing"

func TestOSA(t *testing.T) {
	for _, c := range []struct {
		a, b string
		max  int
		want int
	}{
		{"", "", 2, 0},
		{"gmail", "gmail", 2, 0},
		{"gmail", "gmial", 2, 1},  // adjacent transposition
		{"gmail", "gmaill", 2, 1}, // insertion
		{"gmail", "gmal", 2, 1},   // deletion
		{"gmail", "hmail", 2, 1},  // substitution
		{"ca", "abc", 3, 3},       // OSA, not true Damerau (which gives 2)
		{"kitten", "sitting", 5, 3},
		{"kitten", "sitting", 2, 3}, // past max: max+1
		{"a", "abcdef", 2, 3},       // lengths alone exceed max
		{string(make([]byte, 65)), string(make([]byte, 65)), 2, 3},
	} {
		if got := OSA(c.a, c.b, c.max); got != c.want {
			t.Errorf("OSA(%q, %q, %d) = %d, want %d", c.a, c.b, c.max, got, c.want)
		}
	}
}
