package screening

import (
	"strings"

	"github.com/kycd/kycd/internal/textdist"
)

// jaroWinkler is the Jaro-Winkler similarity of two ASCII tokens (prefix scale 0.1, up to 4).
// Tokens are short, so fixed stack buffers avoid allocation.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > 64 || lb > 64 {
		return jaroWinklerLong(a, b)
	}
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb [64]bool
	matches := 0
	for i := 0; i < la; i++ {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > lb {
			hi = lb
		}
		for j := lo; j < hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	t, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	m := float64(matches)
	jaro := (m/float64(la) + m/float64(lb) + (m-float64(t)/2)/m) / 3
	prefix := 0
	for prefix < 4 && prefix < la && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}

// jaroWinklerLong handles the rare token longer than 64 bytes by comparing its first 64.
func jaroWinklerLong(a, b string) float64 {
	if len(a) > 64 {
		a = a[:64]
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return jaroWinkler(a, b)
}

// tokenSim is the similarity of two different tokens as the matcher uses it. Jaro-Winkler is
// too generous on short words ("bush"/"bash" 0.85), so tokens of four letters or fewer lose 0.1;
// for abjad transliterations the consonant skeletons are compared too (at most 0.86).
func tokenSim(a, b string, abjad bool) float64 {
	if !abjad {
		return tokenSimSk(a, b, false, "", "")
	}
	return tokenSimSk(a, b, true, skeleton(a), skeleton(b))
}

// tokenSimSk is tokenSim with the skeletons precomputed.
func tokenSimSk(a, b string, abjad bool, sa, sb string) float64 {
	if a == b {
		return 1
	}
	if len(a) < 2 || len(b) < 2 {
		return 0
	}
	// Jaro-Winkler cannot reach 0.8 when one token is under half the other's length (and the
	// skeleton cannot either), so skip the work.
	if 2*len(a) < len(b) || 2*len(b) < len(a) {
		return 0
	}
	s := jaroWinkler(a, b)
	if len(a) <= 4 || len(b) <= 4 {
		s -= 0.1
	}
	if !abjad && genderPair(a, b) {
		s = min(s, genderSim)
	} else if s < phonSim && s >= 0.7 && len(a) >= 5 && len(b) >= 5 {
		// Transliterations of one name often differ in every vowel ("VLADIMIR" / "VOLODYMYR",
		// "FAYSAL" / "FEISAL", "HOSSEIN" / "HUSAIN") but keep its consonants: equal phonetic
		// keys of three consonants or more make them variants, a little below a spelling match.
		if pa := phonKey(a); len(pa) >= 3 && pa == phonKey(b) {
			s = phonSim
		}
	}
	if abjad {
		// Abjad transliterations lack short vowels, so the consonant skeleton decides; but a
		// skeleton match is weaker evidence than a spelling match, and scores so.
		if len(sa) >= 3 && len(sb) >= 3 {
			k := 0.86
			if sa != sb {
				k *= jaroWinkler(sa, sb)
			}
			if k > s {
				s = k
			}
		}
	}
	return s
}

// genderSim is the similarity of two tokens that differ only by a Slavic (or Romance) feminine
// ending: "POTAPOVA" is the wife or daughter of "POTAPOV", "ALEKSANDRA" not "ALEKSANDR". They
// still align (≥ minSim), but no longer score as a spelling variant of each other.
const genderSim = 0.81

// phonSim is the similarity of two tokens of five letters or more with the same phonetic key.
const phonSim = 0.86

// genderPair reports whether one token is the other plus a feminine ending ("a", "ova", "eva",
// "ina") after a consonant.
func genderPair(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) < 4 || !strings.HasPrefix(b, a) {
		return false
	}
	switch c := a[len(a)-1]; c {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'h':
		return false
	}
	switch b[len(a):] {
	case "a", "ova", "eva", "ina":
		return true
	}
	return false
}

// editDistance is the optimal-string-alignment distance of two ASCII tokens, or max+1 once
// it exceeds max (textdist.OSA).
func editDistance(a, b string, max int) int { return textdist.OSA(a, b, max) }

// typoEdits is how many edits a mistyped token of n letters plausibly carries: one in a short
// word, two from eight letters on. Two tokens further apart than that are different names that
// happen to look alike to Jaro-Winkler ("GUREV"/"GUSEV" is a typo away, "KOZLOV"/"KOLOSOV" and
// "KLINGER"/"KLINPAUER" are not), unless their phonetic keys say they are one name spelt two ways.
func typoEdits(n int) int {
	if n >= 8 {
		return 2
	}
	return 1
}
