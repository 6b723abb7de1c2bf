package screening

import "sort"

// Spelling variants learnt from the lists. Lists give one person under several spellings
// ("VLADIMIR" and "VOLODYMYR", "SERGEI" and "SERHIY", "FAYSAL" and "FEISAL"): two names of one
// entity that differ in exactly one token pair those tokens as variants of each other. A pair
// seen on at least variantSupport different entities is trusted for every entity, so that a
// transliteration the list gives for one person finds another person written the other way.
// Spelling distance cannot find these pairs (Jaro-Winkler of "vladimir" and "volodymyr" is
// 0.78), and no hand-written table is needed: the list maintainers' own choices are the data.
const (
	variantSupport = 2
	variantSim     = 0.9 // similarity of a learnt variant pair: strong, but below an exact match
)

// learnVariants fills ix.variants from the indexed names (call after postings and weights).
func (ix *Index) learnVariants() {
	type pairKey struct{ a, b int32 }
	support := map[pairKey]int32{}
	lastEnt := map[pairKey]int32{}
	var toks [][]int32
	for lo := 0; lo < len(ix.names); {
		hi := lo
		for hi < len(ix.names) && ix.names[hi].ent == ix.names[lo].ent {
			hi++
		}
		ent := ix.names[lo].ent
		if hi-lo >= 2 && hi-lo <= 40 && ix.names[lo].etype == etPerson {
			toks = toks[:0]
			for k := lo; k < hi; k++ {
				toks = append(toks, ix.nameToks[ix.names[k].start:ix.names[k].end])
			}
			for i := 0; i < len(toks); i++ {
				for j := i + 1; j < len(toks); j++ {
					a, b, ok := ix.oneTokenDiff(toks[i], toks[j])
					if !ok {
						continue
					}
					if a > b {
						a, b = b, a
					}
					k := pairKey{a, b}
					if n, seen := lastEnt[k]; !seen || n != ent {
						lastEnt[k] = ent
						support[k]++
					}
				}
			}
		}
		lo = hi
	}
	ix.variants = map[int32][]int32{}
	for k, n := range support {
		if n >= variantSupport {
			ix.variants[k.a] = append(ix.variants[k.a], k.b)
			ix.variants[k.b] = append(ix.variants[k.b], k.a)
		}
	}
	for _, v := range ix.variants {
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	}
}

// oneTokenDiff reports the two tokens in which names x and y differ, when they differ in exactly
// one ordinary token each and share at least one other ordinary token.
func (ix *Index) oneTokenDiff(x, y []int32) (int32, int32, bool) {
	if len(x) != len(y) || len(x) < 2 {
		return 0, 0, false
	}
	in := func(v int32, s []int32) bool {
		for _, t := range s {
			if t == v {
				return true
			}
		}
		return false
	}
	var dx, dy []int32
	shared := false
	for _, t := range x {
		if !in(t, y) {
			dx = append(dx, t)
		} else if ix.vocab[t].class == classNormal {
			shared = true
		}
	}
	for _, t := range y {
		if !in(t, x) {
			dy = append(dy, t)
		}
	}
	if !shared || len(dx) != 1 || len(dy) != 1 {
		return 0, 0, false
	}
	a, b := &ix.vocab[dx[0]], &ix.vocab[dy[0]]
	if a.class != classNormal || b.class != classNormal || len(a.s) < 3 || len(b.s) < 3 || a.s[0] != b.s[0] && !vowel(a.s[0]) && !vowel(b.s[0]) {
		return 0, 0, false
	}
	// The two must still look like spellings of one name, not a name and a nickname or a
	// second surname ("OMAR" / "BINALSHIB").
	if jaroWinkler(a.s, b.s) < variantMinJW {
		return 0, 0, false
	}
	return dx[0], dy[0], true
}

// variantMinJW is the least spelling similarity of a learnt variant pair.
const variantMinJW = 0.7

func vowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}
