package mrz

import (
	"strings"
)

// NameMatchThreshold is the score at or above which NameMatches reports a
// match. It admits diacritic/transliteration variants, spacing, hyphens, ICAO
// truncation and a missing middle name, but not a different letter in a short
// name (SMITH vs SMYTH scores 0.89).
const NameMatchThreshold = 0.9

// Scoring weights (see nameScore).
const (
	truncatedSim         = 0.9  // MRZ token is a prefix of the visual one (ICAO truncation, initials)
	missingMRZGivenCost  = 0.25 // weight of an MRZ given name the other side lacks
	missingMRZFamilyCost = 1.0  // weight of an MRZ surname token the other side lacks
	missingOtherCost     = 0.5  // weight of a token the MRZ lacks
	minSurnameTokenSim   = 0.8
)

// NameMatches compares a name from the MRZ with a name from the visual zone
// or from an integrator, and returns a similarity in [0,1] and whether it
// reaches NameMatchThreshold.
//
// mrzName may be in MRZ form ("ERIKSSON<<ANNA<MARIA", surname first) or
// plain text ("Eriksson Anna Maria"); other is free text in any order and
// script ("Anna María Eriksson"). Case, diacritics (both ICAO readings, Ä as
// AE or A, Ü as UE, UXX or U), spacing, hyphens and apostrophes, word order,
// ICAO truncation of long names (a truncated or initial-only MRZ name
// matches its full form) and a given name missing on the other side are
// tolerated; a different letter is penalised.
func NameMatches(mrzName, other string) (score float64, ok bool) {
	mrzName, other = clip(mrzName), clip(other)
	surname, given := mrzTokens(mrzName)
	if len(surname)+len(given) == 0 {
		return 0, false
	}
	for _, mv := range mrzVariants(surname, given) {
		for _, simple := range []bool{false, true} {
			ov := tokens(transliterate(other, simple))
			if len(ov) == 0 {
				continue
			}
			if s := nameScore(mv[0], mv[1], ov); s > score {
				score = s
			}
		}
	}
	return score, score >= NameMatchThreshold
}

// mrzTokens splits an MRZ-form name at "<<" into surname and given-name
// tokens; plain text is transliterated and kept as one undivided group.
func mrzTokens(s string) (surname, given []string) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "<") {
		s = strings.ToUpper(s)
		if i := strings.Index(strings.Trim(s, "<"), "<<"); i >= 0 {
			t := strings.Trim(s, "<")
			return tokens(transliterate(t[:i], false)), tokens(transliterate(t[i+2:], false))
		}
		if strings.HasPrefix(s, "<<") {
			return nil, tokens(transliterate(s, false))
		}
		return tokens(transliterate(s, false)), nil
	}
	return nil, tokens(Transliterate(s))
}

// mrzVariants undoes the ICAO "XX" marks for Ü and Ñ (UXX, NXX) as an
// alternative reading of the MRZ name.
func mrzVariants(surname, given []string) [][2][]string {
	out := [][2][]string{{surname, given}}
	strip := func(ts []string) ([]string, bool) {
		changed := false
		res := make([]string, len(ts))
		for i, t := range ts {
			res[i] = strings.NewReplacer("UXX", "U", "NXX", "N").Replace(t)
			changed = changed || res[i] != t
		}
		return res, changed
	}
	s2, c1 := strip(surname)
	g2, c2 := strip(given)
	if c1 || c2 {
		out = append(out, [2][]string{s2, g2})
	}
	return out
}

// Bounds on what NameMatches compares: real names are far shorter, and the
// alignment is quadratic in length times the number of tokens.
const (
	maxNameChars  = 120
	maxNameTokens = 12
)

// clip bounds raw input before transliteration (a few characters can
// expand to several, hence the margin over maxNameChars).
func clip(s string) string {
	if len(s) > 8*maxNameChars {
		return s[:8*maxNameChars]
	}
	return s
}

func tokens(mrzForm string) []string {
	if len(mrzForm) > maxNameChars {
		mrzForm = mrzForm[:maxNameChars]
	}
	ts := strings.FieldsFunc(mrzForm, func(r rune) bool { return r == '<' })
	if len(ts) > maxNameTokens {
		ts = ts[:maxNameTokens]
	}
	return ts
}

// nameScore is the better of two alignments: token by token (any order) and
// the whole name run together (which absorbs split or joined parts such as
// JEAN<PIERRE vs JEANPIERRE).
func nameScore(surname, given, other []string) float64 {
	tok := tokenScore(surname, given, other)
	mrzAll := strings.Join(append(append([]string(nil), surname...), given...), "")
	best := tok
	for r := range other {
		rot := strings.Join(append(append([]string(nil), other[r:]...), other[:r]...), "")
		if s := similarity(mrzAll, rot); s > best {
			best = s
		}
	}
	return best
}

// tokenScore matches each token of other with the most similar unused MRZ
// token, weighting by length. MRZ tokens left over cost a fraction of their
// length (a given name omitted by the integrator is common; a missing
// surname is not), and so do tokens of other left over.
func tokenScore(surname, given, other []string) float64 {
	type mt struct {
		s       string
		surname bool
		used    bool
	}
	var m []mt
	for _, s := range surname {
		m = append(m, mt{s: s, surname: true})
	}
	for _, g := range given {
		m = append(m, mt{s: g})
	}
	var num, den float64
	surnameHit := len(surname) == 0
	for _, o := range other {
		bi, bs := -1, 0.0
		for i := range m {
			if m[i].used {
				continue
			}
			if s := tokenSim(m[i].s, o); s > bs {
				bi, bs = i, s
			}
		}
		w := float64(len(o))
		if bi < 0 || bs < 0.5 {
			den += w * missingOtherCost
			continue
		}
		m[bi].used = true
		if m[bi].surname && bs >= minSurnameTokenSim {
			surnameHit = true
		}
		num += bs * w
		den += w
	}
	for _, x := range m {
		if x.used {
			continue
		}
		c := missingMRZGivenCost
		if x.surname {
			c = missingMRZFamilyCost
		}
		den += c * float64(len(x.s))
	}
	if den == 0 || !surnameHit {
		return 0
	}
	return num / den
}

// tokenSim compares one MRZ token with one token of the other name.
func tokenSim(mrz, other string) float64 {
	if mrz == other {
		return 1
	}
	if len(mrz) < len(other) && strings.HasPrefix(other, mrz) {
		return truncatedSim
	}
	return similarity(mrz, other)
}

// similarity is 1 − Levenshtein distance / longer length.
func similarity(a, b string) float64 {
	if a == b {
		return 1
	}
	n := max(len(a), len(b))
	if n == 0 {
		return 1
	}
	return 1 - float64(levenshtein(a, b))/float64(n)
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
