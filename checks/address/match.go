package address

import (
	"math"
	"strings"

	"github.com/kycd/kycd/checks/screening"
)

// nameScore compares the declared name with a name read from the document, with the
// screening normaliser (diacritics, transliteration, honorifics dropped): word order is free,
// an initial matches a name starting with it, and middle names may be missing on either side.
// It matches when every word of the shorter name is found, the declared surname (last word)
// among them whenever the read name has it in full, and at least two words pair up when both
// names have two or more.
func nameScore(declared, read string) Match {
	best := nameScoreWords(nameWords(declared), nameWords(read))
	if best.Matched {
		return best
	}
	// OCR splits words ("JURG EN KOHLER"): try the read name with two neighbours joined
	// (before particles are dropped: the split-off piece may look like one).
	r := strings.Fields(strings.Join(screening.NameTokens(read), " "))
	for i := 0; i+1 < len(r) && len(r) <= 6; i++ {
		j := append(append(append([]string{}, r[:i]...), r[i]+r[i+1]), r[i+2:]...)
		if m := nameScoreWords(nameWords(declared), nameWords(strings.Join(j, " "))); m.Score > best.Score {
			best = m
		}
	}
	return best
}

func nameScoreWords(d, r []string) Match {
	if len(d) == 0 || len(r) == 0 {
		return Match{}
	}
	used := make([]bool, len(r))
	var pairs []namePair
	// Greedy on the best similarity: full words first, then initials.
	for {
		bi, bj, bs := -1, -1, 0.0
		for i, dw := range d {
			if pairedD(pairs, i) {
				continue
			}
			for j, rw := range r {
				if used[j] {
					continue
				}
				s := wordSim(dw, rw)
				if s > bs {
					bi, bj, bs = i, j, s
				}
			}
		}
		if bi < 0 || bs < 0.85 {
			break
		}
		pairs = append(pairs, namePair{bi, bj, bs})
		used[bj] = true
	}
	short := min(len(d), len(r))
	sum := 0.0
	surname := false
	for _, p := range pairs {
		sum += p.sim
		if p.di == len(d)-1 && len(r[p.ri]) > 1 {
			surname = true
		}
	}
	extra := float64(len(d)+len(r)-2*len(pairs)) * 0.04
	score := math.Max(0, sum/float64(short)-extra)
	score = math.Min(1, score)
	// A declared full name needs two words on the document: a bare "Smith" proves nothing.
	need := min(2, len(d))
	// A surname written as an initial is no surname: "John S." is not "John Smith".
	if !surname {
		// The read name may put the surname first ("SMITH John"): any full-word pair with the
		// declared last word counts; without one the surname is missing.
		for _, p := range pairs {
			if p.di == len(d)-1 && len(r[p.ri]) > 1 {
				surname = true
			}
		}
	}
	matched := len(pairs) >= short && len(pairs) >= need && surname && score >= 0.8
	return Match{Score: round2(score), Matched: matched}
}

type namePair struct {
	di, ri int
	sim    float64
}

func pairedD(ps []namePair, i int) bool {
	for _, p := range ps {
		if p.di == i {
			return true
		}
	}
	return false
}

// salutations the screening normaliser keeps (it sees names on lists, not on envelopes).
var salutations = map[string]bool{"herrn": true, "familie": true, "famille": true, "messrs": true, "dhr": true, "mevr": true,
	"heer": true, "mevrouw": true, "m": false, "sig": true, "sigra": true, "signor": true, "signora": true, "sg": true,
	"pan": true, "pani": true, "dona": true, "dom": true, "exmo": true, "exma": true, "ilmo": true, "ilma": true,
	"mx": true, "dna": true, "dra": true, "sgra": true, "gentile": true, "egr": true, "spett": true, "mrs": true, "mr": true, "ms": true, "miss": true, "dr": true, "srta": true}

func nameWords(s string) []string {
	var out []string
	toks := screening.NameTokens(s)
	// A leading one-letter title ("D. José Muñoz", "M. Jean Dupont") before a full name.
	for len(toks) > 2 && (toks[0] == "d" || toks[0] == "m") {
		toks = toks[1:]
	}
	for _, t := range toks {
		if salutations[t] {
			continue
		}
		if screening.IsNameParticle(t) && len(t) > 1 {
			continue
		}
		out = append(out, t)
	}
	return out
}

func wordSim(a, b string) float64 {
	if a == b {
		return 1
	}
	if len(a) == 1 || len(b) == 1 {
		if a[0] == b[0] {
			return 0.9
		}
		return 0
	}
	return screening.TokenSimilarity(a, b)
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// Component weights of the address score: the postcode and the house number pin an address
// down; the street and the city mostly confirm them.
var componentWeights = map[string]float64{"postal_code": 0.3, "house_number": 0.25, "street": 0.25, "city": 0.15, "country": 0.05}

// compareAddress compares the declared address with the one read.
func compareAddress(country string, declared, read Address) AddressMatch {
	c := map[string]Match{}
	// Postcodes are canonical on both sides.
	c["postal_code"] = exact(declared.PostalCode != "" && declared.PostalCode == read.PostalCode)
	if declared.PostalCode == "" && read.PostalCode == "" {
		c["postal_code"] = Match{Score: 1, Matched: true} // a country where none was given nor printed (IE)
	}
	switch dn, rn := normalizeNumber(declared.HouseNumber), normalizeNumber(read.HouseNumber); {
	case dn != "" && dn == rn:
		c["house_number"] = Match{Score: 1, Matched: true}
	case dn != "" && buildingNumber(dn) == buildingNumber(rn):
		// The same building, the flat written on one side only ("45/3/12" and "45").
		c["house_number"] = Match{Score: 0.9, Matched: true}
	default:
		c["house_number"] = Match{}
	}
	if declared.HouseNumber == "" && read.HouseNumber == "" {
		c["house_number"] = Match{Score: 1, Matched: true} // a named house ("Rose Cottage")
	}
	ds, rs := normalizeStreet(country, declared.Street), normalizeStreet(country, read.Street)
	if ds == "" {
		ds, rs = normalizeStreet(country, declared.Line1), normalizeStreet(country, read.Line1)
	}
	c["street"] = fuzzy(ds, rs, 0.92)
	if !c["street"].Matched && sameWithInitials(ds, rs) {
		c["street"] = Match{Score: 0.95, Matched: true} // "Via G. Garibaldi" = "Via Giuseppe Garibaldi"
	}
	dc, rc := normalizeCity(declared.City), normalizeCity(read.City)
	m := fuzzy(dc, rc, 0.92)
	if !m.Matched && dc != "" && (strings.HasPrefix(rc, dc+" ") || strings.HasPrefix(dc, rc+" ")) {
		m = Match{Score: 0.9, Matched: true} // "Paris" and "Paris Cedex 08", "Dublin" and "Dublin 4"
	}
	if !m.Matched && c["postal_code"].Matched && c["postal_code"].Score == 1 && m.Score >= 0.75 {
		// The postcode names the town already; a town read with a slip ("Li&ge") agrees.
		m.Matched = true
	}
	c["city"] = m
	c["country"] = exact(strings.EqualFold(declared.Country, read.Country))
	score, all := 0.0, true
	for k, w := range componentWeights {
		score += w * c[k].Score
		all = all && c[k].Matched
	}
	return AddressMatch{Score: round2(score), Matched: all, Components: c}
}

func exact(ok bool) Match {
	if ok {
		return Match{Score: 1, Matched: true}
	}
	return Match{}
}

// fuzzy compares two folded strings word by word with Jaro-Winkler (OCR drops and swaps
// letters), matching at min or above.
func fuzzy(a, b string, minScore float64) Match {
	if a == "" || b == "" {
		return Match{}
	}
	if a == b {
		return Match{Score: 1, Matched: true}
	}
	na, nb := strings.ReplaceAll(a, " ", ""), strings.ReplaceAll(b, " ", "")
	if na == nb {
		return Match{Score: 1, Matched: true}
	}
	s := screening.JaroWinkler(na, nb)
	// Length must agree closely too: JW forgives a missing suffix ("Hauptstrasse" vs "Haupt").
	la, lb := float64(len(na)), float64(len(nb))
	if r := math.Min(la, lb) / math.Max(la, lb); r < 0.85 {
		s *= r
	}
	return Match{Score: round2(s), Matched: s >= minScore}
}

// sameWithInitials: the same words, except that one side writes a word as its initial.
func sameWithInitials(a, b string) bool {
	fa, fb := strings.Fields(a), strings.Fields(b)
	if len(fa) != len(fb) || len(fa) < 2 {
		return false
	}
	initials := 0
	for i := range fa {
		x, y := fa[i], fb[i]
		switch {
		case x == y:
		case len(x) == 1 && strings.HasPrefix(y, x), len(y) == 1 && strings.HasPrefix(x, y):
			initials++
		default:
			return false
		}
	}
	return initials > 0 && initials < len(fa)
}

// sharesNameWord reports whether any full word of the two names is the same or nearly so.
func sharesNameWord(a, b string) bool {
	for _, x := range nameWords(a) {
		for _, y := range nameWords(b) {
			if len(x) > 1 && len(y) > 1 && wordSim(x, y) >= 0.85 {
				return true
			}
		}
	}
	return false
}
