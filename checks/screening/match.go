package screening

import (
	"math"
	"sort"
	"strings"
)

// scratch is per-query working memory, pooled so concurrent queries never share it.
type scratch struct {
	acc     []float32 // per name: estimated matched query weight
	mark    []uint32  // per name: last token epoch that counted it
	epoch   uint32
	touched []int32
	vmark   []uint32 // per vocab token: last lookup that considered it
	vepoch  uint32
	cands   []cand
	hitAt   map[int32]int
}

type cand struct {
	name int32
	est  float32
}

// vmatch is a vocabulary token that a query token (or a join of query tokens) resembles.
type vmatch struct {
	vid  int32
	sim  float32
	kind uint8
}

const (
	kindExact uint8 = iota
	kindFuzzy
	kindPhonetic
	kindInitial
	kindJoined
	kindSplit
	kindVariant
	kindTranslit
)

var kindNames = [...]string{"exact", "fuzzy", "phonetic", "initial", "joined", "split", "variant", "transliteration"}

// qtok is one query token with its weight and the vocabulary tokens it resembles.
type qtok struct {
	s       string
	abjad   bool
	cjk     bool
	class   uint8
	w       float32
	matches []vmatch // shared with the lookup cache: read-only
}

func (q *qtok) match(vid int32) (vmatch, bool) {
	for _, m := range q.matches {
		if m.vid == vid {
			return m, true
		}
	}
	return vmatch{}, false
}

// split: query token i equals vocabulary tokens a+b written together ("JSCARGUMENT").
type splitAlt struct {
	i    int
	a, b int32
}

// join: query tokens i..i+k-1 written together resemble vocabulary token v ("XI JIN PING" → "JINPING").
type joinAlt struct {
	i, k int
	v    vmatch
}

type prepared struct {
	toks   []qtok
	wsum   float32
	splits []splitAlt
	joins  []joinAlt
	hasOrg bool // the query contains a legal-form word
}

// fuzzyLookup finds vocabulary tokens similar to s. Blocking keys propose (one-letter deletions
// of the token and of its phonetic key, the phonetic key itself); tokenSim ≥ minS disposes.
// Abjad-derived tokens with the same consonant skeleton as s are accepted at the floor.
// Results are cached per index (names repeat: a bulk run sees the same given names again and
// again), bounded by lookupCacheMax entries.
func (ix *Index) fuzzyLookup(sc *scratch, s string, abjad bool, minS float64) []vmatch {
	key := s
	if abjad {
		key += "\x01"
	}
	if minS != minSim {
		key += "\x02"
	}
	if v, ok := ix.cache.get(key); ok {
		return v
	}
	out := ix.fuzzyLookupUncached(sc, s, abjad, minS)
	ix.cache.put(key, out)
	return out
}

func (ix *Index) fuzzyLookupUncached(sc *scratch, s string, abjad bool, minS float64) []vmatch {
	var out []vmatch
	sc.vepoch++
	add := func(id int32, sim float32, kind uint8) {
		if sc.vmark[id] != sc.vepoch {
			sc.vmark[id] = sc.vepoch
			out = append(out, vmatch{vid: id, sim: sim, kind: kind})
		}
	}
	// The token itself, its other romanisations, and the spellings the lists give for any of
	// them (with their romanisations): "IURII" → YURIY, YURY; "OLEKSIY" → ALEKSEY → ALEXEY.
	if id, ok := ix.vocabID[s]; ok {
		add(id, 1, kindExact)
	}
	cs := canon(s)
	for _, id := range ix.canon[cs] {
		add(id, canonSim, kindTranslit)
	}
	for k, n := 0, len(out); k < n; k++ {
		for _, v := range ix.variants[out[k].vid] {
			add(v, variantSim, kindVariant)
			for _, w := range ix.canon[ix.vocab[v].canon] {
				add(w, variantSim, kindVariant)
			}
		}
	}
	if len(s) < 3 || len(s) > 64 {
		return out
	}
	sk := ""
	if abjad {
		sk = skeleton(s)
	}
	ps := ""
	consider := func(ids []int32, kind uint8) {
		for _, id := range ids {
			if sc.vmark[id] == sc.vepoch {
				continue
			}
			sc.vmark[id] = sc.vepoch
			v := &ix.vocab[id]
			ab := abjad || v.abjad
			if ab && sk == "" {
				sk = skeleton(s)
			}
			sim := tokenSimSk(s, v.s, ab, sk, v.skel)
			if sim >= minS {
				// Beyond typo distance and not one name by sound, or starting with another
				// sound other than by one mistyped letter: a different name, however alike the
				// letters look to Jaro-Winkler ("AREN"/"KAREN", "HUBERT"/"SHUBERT" are one letter
				// longer at the start, which typing rarely does). Romanisations that change the
				// first letter (IURII/YURY, EISA/ISSA, QASIM/KASIM) fold in canon or phonKey.
				pv := v.phon
				if ps == "" {
					ps = phonKey(s)
				}
				if len(ps) > 0 && len(pv) > 0 && ps[0] != pv[0] && (len(s) != len(v.s) || editDistance(s, v.s, 1) > 1) {
					continue
				}
				if n := max(len(s), len(v.s)); !ab && ps != pv && editDistance(s, v.s, typoEdits(n)) > typoEdits(n) {
					continue
				}
				if ab && nisbaDiffers(s, v.s) {
					continue
				}
			}
			if sim >= minS {
				k := kindFuzzy
				if ab && kind == kindPhonetic {
					k = kindPhonetic
				}
				out = append(out, vmatch{vid: id, sim: float32(sim), kind: k})
			}
		}
	}
	if len(s) >= 4 {
		consider(ix.del1[s], kindFuzzy) // s is a vocab token with one letter more... or less
		forDeletions(s, func(d []byte) {
			consider(ix.del1[string(d)], kindFuzzy)
			if id, ok := ix.vocabID[string(d)]; ok {
				consider([]int32{id}, kindFuzzy)
			}
		})
	}
	twoTypoKeys(s, func(k string) {
		for _, id := range ix.thirds[k] {
			// Two letters off in a long word: a typo only if nothing else differs.
			if sc.vmark[id] != sc.vepoch && editDistance(s, ix.vocab[id].s, 2) <= 2 {
				consider([]int32{id}, kindFuzzy)
			}
		}
	})
	p := phonKey(s)
	if len(p) >= 2 {
		consider(ix.phon[p], kindPhonetic)
	}
	if len(p) >= 4 {
		consider(ix.phonDel[p], kindPhonetic)
		forDeletions(p, func(d []byte) {
			consider(ix.phon[string(d)], kindPhonetic)
			consider(ix.phonDel[string(d)], kindPhonetic)
		})
	}
	return out
}

func (ix *Index) prepare(sc *scratch, name string) prepared {
	var p prepared
	raw := tokenize(name)
	if len(raw) > 24 {
		raw = raw[:24] // names longer than this are addresses or sentences, not names
	}
	for _, t := range raw {
		q := qtok{s: t.s, abjad: t.abjad, cjk: t.cjk, class: classOf(t.s)}
		if q.class == classLegal {
			p.hasOrg = true
		}
		if q.class == classNormal {
			// Romanised CJK syllables are whole units: "huang" is not "chang".
			m := minSim
			if q.cjk {
				m = 0.9
			}
			q.matches = ix.fuzzyLookup(sc, q.s, q.abjad, m)
		} else if id, ok := ix.vocabID[q.s]; ok {
			q.matches = []vmatch{{vid: id, sim: 1, kind: kindExact}}
		}
		switch {
		case q.class != classNormal:
			q.w = classWeight(q.class)
		default:
			if id, ok := ix.vocabID[q.s]; ok {
				q.w = ix.vocab[id].w
			} else {
				// Unknown token: as rare as the rarest, unless it is a close variant of a known one.
				q.w = unknownW
				if len(q.s) <= 2 && !q.cjk {
					// Two letters the lists never use are a mistyped particle or initial
					// ("AW-DURI" for "AL-DURI"), not a rare name.
					q.w = classWeight(classParticle)
				}
				best := float32(0)
				for _, m := range q.matches {
					if m.sim >= 0.9 && m.sim > best {
						best, q.w = m.sim, ix.vocab[m.vid].w
					}
				}
				if commonNames[q.s] {
					q.w = min(q.w, commonNameW)
				}
			}
		}
		p.toks = append(p.toks, q)
		p.wsum += q.w
	}
	// Joined words: a query token that is two vocabulary tokens written together.
	for i, q := range p.toks {
		if len(q.s) < 5 || q.class != classNormal {
			continue
		}
		if _, exact := ix.vocabID[q.s]; exact {
			continue
		}
		for k := 2; k <= len(q.s)-2; k++ {
			a, okA := ix.vocabID[q.s[:k]]
			b, okB := ix.vocabID[q.s[k:]]
			if okA && okB && ix.vocab[b].class == classNormal || okA && okB && ix.vocab[a].class == classNormal {
				p.splits = append(p.splits, splitAlt{i: i, a: a, b: b})
			}
		}
	}
	// Split words: consecutive query tokens that the list writes as one.
	for i := 0; i < len(p.toks)-1; i++ {
		for k := 2; k <= 3 && i+k <= len(p.toks); k++ {
			var b strings.Builder
			ok, cjk, normal := true, false, false
			for _, t := range p.toks[i : i+k] {
				b.WriteString(t.s)
				// Only words of one script join, ordinary words or particles ("ABU BAKR" is
				// "ABUBAKAR", "ABD AL" is "ABDUL"), never legal forms: "franz ug" is not "franzul".
				ok = ok && (t.class == classNormal || t.class == classParticle) && t.abjad == p.toks[i].abjad
				cjk = cjk || t.cjk
				normal = normal || t.class == classNormal
			}
			ok = ok && normal
			js := b.String()
			if len(js) < 5 || !ok {
				continue
			}
			for _, v := range ix.fuzzyLookup(sc, js, false, 0.88) {
				// A join must explain the whole concatenation: "george"+"bush" is not "george".
				d := len(ix.vocab[v.vid].s) - len(js)
				if cjk && v.kind != kindExact {
					continue // joined CJK syllables must spell the listed given name exactly
				}
				if ix.vocab[v.vid].class == classNormal && d >= -2 && d <= 2 && (v.sim >= 0.9 || v.kind == kindExact) {
					p.joins = append(p.joins, joinAlt{i: i, k: k, v: v})
				}
			}
		}
	}
	return p
}

func classWeight(c uint8) float32 {
	switch c {
	case classLegal:
		return 0.05
	case classParticle, classInitial:
		return 0.1
	}
	return 1
}

// candidates accumulates, for every name sharing a similar token with the query, the share of
// the query's weight it could match, and returns the most promising names.
func (ix *Index) candidates(sc *scratch, p *prepared, minEst float32, k int, allow func(int32) bool) []cand {
	sc.touched = sc.touched[:0]
	onlyWeak := true
	for _, q := range p.toks {
		if q.class == classNormal {
			onlyWeak = false
		}
	}
	add := func(vid int32, gain float32) {
		for _, n := range ix.post[vid] {
			if sc.mark[n] == sc.epoch {
				continue
			}
			sc.mark[n] = sc.epoch
			if sc.acc[n] == 0 {
				sc.touched = append(sc.touched, n)
			}
			sc.acc[n] += gain
		}
	}
	byDesc := make([]vmatch, 0, 16)
	for _, q := range p.toks {
		if q.class != classNormal && !onlyWeak {
			continue // legal forms and particles never propose candidates
		}
		sc.epoch++
		byDesc = append(byDesc[:0], q.matches...)
		sort.Slice(byDesc, func(a, b int) bool { return byDesc[a].sim > byDesc[b].sim })
		for _, m := range byDesc {
			add(m.vid, m.sim*q.w)
		}
	}
	for _, s := range p.splits {
		// Credit each half in proportion to its rarity, so names holding both halves outrank
		// the many holding only the common one ("ZAYDANMUHAMMAD").
		wa, wb := ix.vocab[s.a].w, ix.vocab[s.b].w
		sc.epoch++
		add(s.a, p.toks[s.i].w*wa/(wa+wb))
		sc.epoch++
		add(s.b, p.toks[s.i].w*wb/(wa+wb))
	}
	for _, j := range p.joins {
		sc.epoch++
		var w float32
		for _, t := range p.toks[j.i : j.i+j.k] {
			if t.class == classNormal {
				w += t.w // as for single tokens, particles never propose
			}
		}
		add(j.v.vid, j.v.sim*w)
	}
	sc.cands = sc.cands[:0]
	for _, n := range sc.touched {
		a := sc.acc[n]
		sc.acc[n] = 0
		if p.wsum <= 0 {
			continue
		}
		if a > p.wsum {
			a = p.wsum
		}
		est := a / p.wsum
		if est < minEst || !allow(ix.names[n].ent) {
			continue
		}
		// The listed tokens the query did not reach cost what their roles say (missCost); the
		// name's average cost factor stands in for the unknown mix of reached tokens.
		nr := &ix.names[n]
		extra := nr.wsum - a
		if extra < 0 {
			extra = 0
		}
		f := float32(missDefault)
		if nr.wsum > 0 {
			f = nr.mwsum / nr.wsum
		}
		sc.cands = append(sc.cands, cand{name: n, est: a / (p.wsum + f*extra)})
	}
	sort.Slice(sc.cands, func(a, b int) bool {
		if sc.cands[a].est != sc.cands[b].est {
			return sc.cands[a].est > sc.cands[b].est
		}
		return sc.cands[a].name < sc.cands[b].name
	})
	if len(sc.cands) > k {
		sc.cands = sc.cands[:k]
	}
	return sc.cands
}

// unit is one side of an alignment: a token, or tokens merged because one side wrote them joined.
type unit struct {
	label string
	w     float32
	class uint8
	role  uint8 // candidate side only: roleGiven, roleMiddle, roleSurname or roleNone
	cjk   bool  // query side only: a syllable written in Chinese, Korean or Japanese script
}

type pair struct {
	i, j int
	sim  float32
	kind uint8
}

type alignment struct {
	score        float64
	pairs        []pair
	q, c         []unit
	unmatchedQ   []int
	unmatchedC   []int
	anyNormalHit bool
	surnameHit   bool    // an ordinary token of the listed surname was matched
	exactHit     bool    // an ordinary token matched exactly (or as a spelling variant the lists give)
	info         float64 // evidence carried by the matched candidate tokens (see lowInformation)
	cjk          bool    // the query is written (at least partly) in CJK script
}

// scoreName aligns the query with one indexed name and returns the best alignment over the
// plain tokens and any applicable join/split alternative.
func (ix *Index) scoreName(p *prepared, n *nameRec) alignment {
	ct := ix.nameToks[n.start:n.end]
	cr := ix.nameRole[n.start:n.end]
	best := ix.align(p, ct, cr, -1, -1, nil)
	for _, s := range p.splits {
		for j := 0; j+1 < len(ct); j++ {
			if ct[j] == s.a && ct[j+1] == s.b {
				if a := ix.align(p, ct, cr, s.i, j, nil); a.score > best.score {
					best = a
				}
			}
		}
	}
	for k := range p.joins {
		jn := &p.joins[k]
		for j := range ct {
			if ct[j] == jn.v.vid {
				if a := ix.align(p, ct, cr, -1, j, jn); a.score > best.score {
					best = a
				}
			}
		}
	}
	return best
}

// align builds units (merging query token splitQ with candidate tokens splitC, splitC+1 for a
// split; query tokens jn.i.. with candidate token splitC for a join), fills the similarity
// matrix and solves the assignment.
func (ix *Index) align(p *prepared, ct []int32, cr []uint8, splitQ, splitC int, jn *joinAlt) alignment {
	var al alignment
	qIdx := make([]int, 0, len(p.toks)) // unit → first query token
	for i := 0; i < len(p.toks); i++ {
		t := p.toks[i]
		if jn != nil && i == jn.i {
			var b strings.Builder
			w := float32(0)
			for _, x := range p.toks[i : i+jn.k] {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(x.s)
				w = max(w, x.w)
			}
			al.q = append(al.q, unit{label: b.String(), w: w, class: classNormal})
			qIdx = append(qIdx, -1)
			i += jn.k - 1
			continue
		}
		al.q = append(al.q, unit{label: t.s, w: t.w, class: t.class, cjk: t.cjk})
		qIdx = append(qIdx, i)
		al.cjk = al.cjk || t.cjk
	}
	cIdx := make([]int, 0, len(ct))
	for j := 0; j < len(ct); j++ {
		v := &ix.vocab[ct[j]]
		if splitQ >= 0 && j == splitC {
			v2 := &ix.vocab[ct[j+1]]
			al.c = append(al.c, unit{label: v.s + " " + v2.s, w: max(v.w, v2.w), class: classNormal, role: max(cr[j], cr[j+1])})
			cIdx = append(cIdx, -1)
			j++
			continue
		}
		al.c = append(al.c, unit{label: v.s, w: v.w, class: v.class, role: cr[j]})
		cIdx = append(cIdx, j)
	}
	nq, nc := len(al.q), len(al.c)
	sim := make([]float32, nq*nc)
	kinds := make([]uint8, nq*nc)
	for a := 0; a < nq; a++ {
		for b := 0; b < nc; b++ {
			var s float32
			var kd uint8
			switch {
			case qIdx[a] < 0: // joined query tokens
				if cIdx[b] >= 0 && ct[cIdx[b]] == jn.v.vid {
					s, kd = jn.v.sim, kindJoined
				}
			case cIdx[b] < 0: // split query token vs merged candidate tokens
				if qIdx[a] == splitQ {
					s, kd = 1, kindSplit
				}
			default:
				q := &p.toks[qIdx[a]]
				vid := ct[cIdx[b]]
				if m, ok := q.match(vid); ok {
					s, kd = m.sim, m.kind
				} else if v := &ix.vocab[vid]; len(q.s) == 1 && v.s[0] == q.s[0] && len(v.s) > 1 ||
					v.class == classInitial && len(q.s) > 1 && q.s[0] == v.s[0] {
					s, kd = 0.75, kindInitial
				}
			}
			sim[a*nc+b], kinds[a*nc+b] = s, kd
		}
	}
	al.pairs = solve(al.q, al.c, sim, kinds)
	var num, den float64
	usedQ := make([]bool, nq)
	usedC := make([]bool, nc)
	for _, pr := range al.pairs {
		w := float64(al.q[pr.i].w + al.c[pr.j].w)
		num += float64(pr.sim) * w
		den += w
		usedQ[pr.i], usedC[pr.j] = true, true
		if al.c[pr.j].class == classNormal && al.q[pr.i].class == classNormal {
			al.anyNormalHit = true
			if al.c[pr.j].role == roleSurname {
				al.surnameHit = true
			}
			if pr.sim >= 0.999 || pr.kind == kindVariant || pr.kind == kindTranslit {
				al.exactHit = true
			}
		}
		// Evidence is measured on the query side, so that for one query an exact match always
		// carries at least as much as a fuzzy one.
		al.info += float64(pr.sim) * float64(al.q[pr.i].w) * math.Min(1, float64(len(strings.ReplaceAll(al.q[pr.i].label, " ", "")))/5)
	}
	// What is not matched costs by what its absence means: see missCost and extraCost.
	for i, u := range usedQ {
		if !u {
			den += float64(al.extraCost(i))
			al.unmatchedQ = append(al.unmatchedQ, i)
		}
	}
	for j, u := range usedC {
		if !u {
			den += float64(al.missCost(j))
			al.unmatchedC = append(al.unmatchedC, j)
		}
	}
	if den > 0 && al.anyNormalHit {
		al.score = num / den
	}
	return al
}

// extraCost is what unmatched query unit i adds to the denominator. A syllable of a name
// written in Chinese, Korean or Japanese script is a whole part of the given name or the
// family name (those names have no middle names): "潘文昊" is not "PAN, Hao".
func (al *alignment) extraCost(i int) float32 {
	if al.q[i].cjk && al.q[i].class == classNormal {
		return al.q[i].w
	}
	return extraCost * al.q[i].w
}

// missCost is what unmatched candidate unit j adds to the denominator: by its role, except
// against a query in CJK script, where every listed syllable is part of the name ("LI, Cheng He"
// is given name "Chenghe", not a middle name "He").
func (al *alignment) missCost(j int) float32 {
	c := al.c[j]
	if al.cjk && c.class == classNormal {
		return missDefault * c.w
	}
	return missCost(c.role, c.class) * c.w
}

// solve finds the assignment of query units to candidate units maximising Σ sim·(wq+wc):
// greedy, which is exact when no unit has two possible partners, otherwise an exact DP over
// the (small) set of contested candidate units.
func solve(q, c []unit, sim []float32, kinds []uint8) []pair {
	nq, nc := len(q), len(c)
	type edge struct {
		i, j int
		v    float32
	}
	var edges []edge
	degQ := make([]int, nq)
	degC := make([]int, nc)
	for i := 0; i < nq; i++ {
		for j := 0; j < nc; j++ {
			if s := sim[i*nc+j]; s > 0 {
				edges = append(edges, edge{i, j, s * (q[i].w + c[j].w)})
				degQ[i]++
				degC[j]++
			}
		}
	}
	conflict := false
	for _, d := range degQ {
		conflict = conflict || d > 1
	}
	for _, d := range degC {
		conflict = conflict || d > 1
	}
	if conflict {
		// Exact DP over query units and a bitmask of candidate units with edges.
		cols := []int{}
		colPos := make([]int, nc)
		for j := 0; j < nc; j++ {
			colPos[j] = -1
			if degC[j] > 0 {
				colPos[j] = len(cols)
				cols = append(cols, j)
			}
		}
		if len(cols) <= 10 && nq <= 16 {
			return solveDP(q, c, sim, kinds, cols, colPos)
		}
	}
	sort.Slice(edges, func(a, b int) bool { return edges[a].v > edges[b].v })
	usedQ := make([]bool, nq)
	usedC := make([]bool, nc)
	var pairs []pair
	for _, e := range edges {
		if usedQ[e.i] || usedC[e.j] {
			continue
		}
		usedQ[e.i], usedC[e.j] = true, true
		pairs = append(pairs, pair{i: e.i, j: e.j, sim: sim[e.i*nc+e.j], kind: kinds[e.i*nc+e.j]})
	}
	return pairs
}

func solveDP(q, c []unit, sim []float32, kinds []uint8, cols, colPos []int) []pair {
	nq, nc, k := len(q), len(c), len(cols)
	full := 1 << k
	// dp[i][mask]: best value using query units < i and candidate columns in mask.
	dp := make([]float32, (nq+1)*full)
	for i := range dp {
		dp[i] = -1
	}
	dp[0] = 0
	for i := 0; i < nq; i++ {
		for mask := 0; mask < full; mask++ {
			cur := dp[i*full+mask]
			if cur < 0 {
				continue
			}
			if nxt := &dp[(i+1)*full+mask]; cur > *nxt {
				*nxt = cur
			}
			for ci, j := range cols {
				if mask&(1<<ci) != 0 {
					continue
				}
				s := sim[i*nc+j]
				if s <= 0 {
					continue
				}
				v := cur + s*(q[i].w+c[j].w)
				if nxt := &dp[(i+1)*full+mask|1<<ci]; v > *nxt {
					*nxt = v
				}
			}
		}
	}
	bestMask, bestV := 0, float32(-1)
	for mask := 0; mask < full; mask++ {
		if v := dp[nq*full+mask]; v > bestV {
			bestV, bestMask = v, mask
		}
	}
	// Walk back.
	var pairs []pair
	mask := bestMask
	for i := nq - 1; i >= 0; i-- {
		target := dp[(i+1)*full+mask]
		if dp[i*full+mask] >= 0 && math.Abs(float64(dp[i*full+mask]-target)) < 1e-6 {
			continue
		}
		for ci, j := range cols {
			if mask&(1<<ci) == 0 {
				continue
			}
			s := sim[i*nc+j]
			if s <= 0 {
				continue
			}
			prev := dp[i*full+mask&^(1<<ci)]
			if prev >= 0 && math.Abs(float64(prev+s*(q[i].w+c[j].w)-target)) < 1e-5 {
				pairs = append(pairs, pair{i: i, j: j, sim: s, kind: kinds[i*nc+j]})
				mask &^= 1 << ci
				break
			}
		}
	}
	_ = colPos
	return pairs
}
