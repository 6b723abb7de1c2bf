package screening

import (
	"math"
	"strings"
	"sync"

	"github.com/kycd/kycd/checks/screening/lists"
)

// vtok is one distinct token of the index vocabulary.
type vtok struct {
	s     string
	skel  string
	canon string  // romanisation-neutral spelling (translit.go)
	phon  string  // phonKey
	w     float32 // rarity weight in [0.05, 1]
	class uint8
	abjad bool
}

// nameRec is one indexed name of one entity; its tokens are nameToks[start:end].
type nameRec struct {
	ent   int32
	name  int16
	weak  bool
	start int32
	end   int32
	wsum  float32
	// mwsum is Σ missCost(role)·w over the name's tokens: what the name costs when the query
	// mentions none of it, used to rank candidates before the full alignment.
	mwsum float32
	// nNormal counts the ordinary tokens (not particles, initials or legal forms); hasSurname
	// says the name has a token known or taken to be the surname (see roleOf).
	nNormal    int8
	hasSurname bool
	etype      uint8
}

type idRef struct {
	ent int32
	idx int16
}

const (
	minSim   = 0.8 // token pairs below this do not align
	unknownW = 0.9 // weight of a query token the index has never seen: rare by definition
)

// Index is an immutable screening index over one or more lists. Build it with NewIndex; it is
// safe for concurrent use. To change lists, build a new Index and swap it (see Screener).
type Index struct {
	lists    []LoadedList
	versions []ListVersion
	ents     []*Entity
	vocab    []vtok
	vocabID  map[string]int32
	names    []nameRec
	nameToks []int32
	nameRole []uint8   // parallel to nameToks: roleGiven, roleMiddle, roleSurname or roleNone
	post     [][]int32 // vocab id → name ids containing it
	// Blocking keys for fuzzy token lookup (each maps a key to vocab ids): every one-letter
	// deletion of a token (catches one substitution, insertion, deletion or transposition), the
	// phonetic key (vowel variants, transliteration spellings) and its one-letter deletions.
	del1    map[string][]int32
	phon    map[string][]int32
	phonDel map[string][]int32
	// canon maps a romanisation-neutral spelling to the vocabulary tokens that have it.
	canon map[string][]int32
	// thirds maps each third of a token of 8+ letters (keyed by length and position) to the
	// tokens: two substituted letters leave at least one third intact (see twoTypoKeys).
	thirds map[string][]int32
	ids    map[string][]idRef
	// variants maps a vocabulary token to the spellings the lists give for it (variants.go).
	variants map[int32][]int32
	nEnt     int
	scratch  sync.Pool
	cache    lookupCache
}

// shortID is the length under which an identifier matches only one of the same type.
const shortID = 5

// lookupCacheMax bounds the fuzzy-lookup cache; at about 100 bytes an entry it stays under ~20 MB.
const lookupCacheMax = 200_000

// lookupCache memoises fuzzy token lookups. When full it is simply cleared: the working set of
// given names and surnames refills it within seconds, and no eviction bookkeeping slows the hits.
type lookupCache struct {
	mu sync.RWMutex
	m  map[string][]vmatch
}

func (c *lookupCache) get(k string) ([]vmatch, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

func (c *lookupCache) put(k string, v []vmatch) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= lookupCacheMax {
		c.m = make(map[string][]vmatch, 1024)
	}
	c.m[k] = v
	c.mu.Unlock()
}

// NewIndex builds an index over the given lists. Building is single-threaded and takes about a
// second for all official lists; see docs/benchmarks/screening.md.
func NewIndex(ls ...LoadedList) *Index {
	ix := &Index{
		vocabID: make(map[string]int32, 1<<15),
		del1:    make(map[string][]int32, 1<<18),
		phon:    make(map[string][]int32, 1<<15),
		phonDel: make(map[string][]int32, 1<<17),
		canon:   make(map[string][]int32, 1<<15),
		thirds:  make(map[string][]int32, 1<<15),
		ids:     make(map[string][]idRef),
	}
	ix.lists = append(ix.lists, ls...)
	df := []int32{}
	abj := []bool{}
	var seenInEnt []int32 // vocab id → last entity that counted it for df
	for li := range ix.lists {
		l := &ix.lists[li]
		ix.versions = append(ix.versions, l.Version)
		for ei := range l.Entities {
			e := &l.Entities[ei]
			eid := int32(len(ix.ents))
			ix.ents = append(ix.ents, e)
			for ni, n := range e.Names {
				if ni > math.MaxInt16 {
					break
				}
				toks := tokenize(n.Full)
				if len(toks) == 0 {
					continue
				}
				rec := nameRec{ent: eid, name: int16(ni), weak: n.Quality == lists.QualityWeak, start: int32(len(ix.nameToks)), etype: entType(e.Type)}
				ix.nameRole = append(ix.nameRole, tokenRoles(e.Type, n.Full, toks)...)
				for _, t := range toks {
					id, ok := ix.vocabID[t.s]
					if !ok {
						id = int32(len(ix.vocab))
						ix.vocabID[t.s] = id
						ix.vocab = append(ix.vocab, vtok{s: t.s, class: classOf(t.s)})
						df = append(df, 0)
						abj = append(abj, false)
						seenInEnt = append(seenInEnt, -1)
					}
					if t.abjad {
						abj[id] = true
					}
					if seenInEnt[id] != eid {
						seenInEnt[id] = eid
						df[id]++
					}
					ix.nameToks = append(ix.nameToks, id)
				}
				rec.end = int32(len(ix.nameToks))
				ix.names = append(ix.names, rec)
			}
			for k, id := range e.Identifiers {
				if key := identifierKey(id); key != "" && k <= math.MaxInt16 {
					ix.ids[key] = append(ix.ids[key], idRef{ent: eid, idx: int16(k)})
				}
			}
		}
	}
	ix.nEnt = len(ix.ents)
	// Rarity weights: inverse document frequency over entities (aliases of one entity count
	// once), scaled so a token unique to one entity weighs 1.
	logN := math.Log(float64(ix.nEnt) + 1)
	for id := range ix.vocab {
		v := &ix.vocab[id]
		v.abjad = abj[id]
		w := 1.0
		if logN > 0 {
			w = math.Log((float64(ix.nEnt)+1)/float64(df[id])) / logN
		}
		switch v.class {
		case classLegal:
			w = 0.05
		case classParticle, classInitial:
			w = 0.1
		default:
			w = math.Max(0.15, math.Min(1, w))
			if commonNames[v.s] {
				w = math.Min(w, commonNameW)
			}
		}
		v.w = float32(w)
		v.skel = skeleton(v.s)
		v.phon = phonKey(v.s)
		if v.class == classNormal {
			ix.addKeys(int32(id), v.s)
			v.canon = canon(v.s)
			ix.canon[v.canon] = append(ix.canon[v.canon], int32(id))
			twoTypoKeys(v.s, func(k string) { ix.thirds[k] = append(ix.thirds[k], int32(id)) })
		}
	}
	// Postings.
	ix.post = make([][]int32, len(ix.vocab))
	for ni := range ix.names {
		n := &ix.names[ni]
		var ws, mws float32
		for k, id := range ix.nameToks[n.start:n.end] {
			p := ix.post[id]
			if len(p) == 0 || p[len(p)-1] != int32(ni) {
				ix.post[id] = append(p, int32(ni))
			}
			v := &ix.vocab[id]
			ws += v.w
			role := ix.nameRole[int(n.start)+k]
			mws += missCost(role, v.class) * v.w
			if v.class == classNormal {
				n.nNormal = int8(min(int(n.nNormal)+1, 100))
				if role == roleSurname {
					n.hasSurname = true
				}
			}
		}
		n.wsum, n.mwsum = ws, mws
	}
	ix.learnVariants()
	ix.scratch.New = func() any {
		return &scratch{
			acc:   make([]float32, len(ix.names)),
			mark:  make([]uint32, len(ix.names)),
			vmark: make([]uint32, len(ix.vocab)),
			hitAt: make(map[int32]int),
		}
	}
	return ix
}

// Versions reports the lists the index was built from.
func (ix *Index) Versions() []ListVersion {
	return append([]ListVersion(nil), ix.versions...)
}

// Lists returns the loaded lists the index was built from (shared, read-only).
func (ix *Index) Lists() []LoadedList { return ix.lists }

// Stats describes the index size.
type Stats struct {
	Lists    int `json:"lists"`
	Entities int `json:"entities"`
	Names    int `json:"names"`
	Tokens   int `json:"tokens"`
	Vocab    int `json:"vocabulary"`
}

// Stats returns the index size.
func (ix *Index) Stats() Stats {
	return Stats{Lists: len(ix.lists), Entities: ix.nEnt, Names: len(ix.names), Tokens: len(ix.nameToks), Vocab: len(ix.vocab)}
}

// identifierKey normalises an identifier value for exact lookup: spaces and punctuation go,
// case folds except for base58/bech32 crypto addresses, where case is significant. Values
// shorter than shortID characters are indexed too (OFAC lists registration numbers such as
// "365"), but Screen matches them only against identifiers of the very type asked for.
func identifierKey(id Identifier) string {
	v := strings.TrimSpace(id.Value)
	if id.Type == lists.IDCrypto || looksLikeCrypto(v) {
		if strings.HasPrefix(v, "0x") || strings.HasPrefix(v, "0X") {
			v = strings.ToLower(v)
		}
		if len(v) < 20 {
			return ""
		}
		return "c:" + v
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(v) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if r > 127 {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "i:" + b.String()
}

// looksLikeCrypto spots an address given without a type (0x… or a long base58/bech32 string).
func looksLikeCrypto(v string) bool {
	if len(v) >= 40 && (strings.HasPrefix(v, "0x") || strings.HasPrefix(v, "0X")) {
		return true
	}
	if len(v) < 26 || strings.ContainsAny(v, " -./") {
		return false
	}
	upper, lower, digit := false, false, false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		default:
			return false
		}
	}
	return digit && (upper && lower || strings.HasPrefix(v, "bc1") || strings.HasPrefix(v, "ltc1"))
}

// twoTypoKeys calls fn with the three blocking keys of a token of 8 to 40 letters: its length,
// the third's position and the third itself. A token two substitutions away from another of the
// same length shares at least one key with it, which one-deletion keys cannot promise.
func twoTypoKeys(s string, fn func(string)) {
	n := len(s)
	if n < 8 || n > 40 {
		return
	}
	var buf [48]byte
	for k := 0; k < 3; k++ {
		lo, hi := k*n/3, (k+1)*n/3
		b := append(append(buf[:0], byte(n), byte('0'+k)), s[lo:hi]...)
		fn(string(b))
	}
}

// addKeys registers the blocking keys of vocabulary token id.
func (ix *Index) addKeys(id int32, s string) {
	if len(s) >= 4 && len(s) <= 40 {
		forDeletions(s, func(d []byte) { ix.del1[string(d)] = appendID(ix.del1[string(d)], id) })
	}
	p := phonKey(s)
	if len(p) >= 2 {
		ix.phon[p] = appendID(ix.phon[p], id)
	}
	if len(p) >= 4 && len(p) <= 40 {
		forDeletions(p, func(d []byte) { ix.phonDel[string(d)] = appendID(ix.phonDel[string(d)], id) })
	}
}

func appendID(l []int32, id int32) []int32 {
	if len(l) > 0 && l[len(l)-1] == id {
		return l
	}
	return append(l, id)
}

// forDeletions calls fn with each distinct string made by deleting one byte of s. The slice
// is reused between calls.
func forDeletions(s string, fn func([]byte)) {
	var buf [64]byte
	for i := 0; i < len(s) && len(s) <= 64; i++ {
		if i > 0 && s[i] == s[i-1] {
			continue // deleting either of a double letter gives the same string
		}
		b := append(append(buf[:0], s[:i]...), s[i+1:]...)
		fn(b)
	}
}

// phonKey is a coarse phonetic key: spelling variants folded ("sch"→"sh", "ph"→"f", "x"→"ks",
// "z"→"s", "w"→"v", a lone "h"→"g", a final "d"→"t"), an initial vowel made "a" (Osama/Usama,
// Omar/Umar, Ibrahim/Ebrahim), then the consonant skeleton.
func phonKey(s string) string {
	var buf [80]byte
	b := buf[:0]
	for i := 0; i < len(s) && len(b) < 78; i++ {
		c := s[i]
		switch {
		case c == 's' && i+2 < len(s) && s[i+1] == 'c' && s[i+2] == 'h':
			b = append(b, 's', 'h')
			i += 2
			continue
		case c == 'c' && i+1 < len(s) && s[i+1] == 'k':
			b = append(b, 'k')
			i++
			continue
		case c == 'x':
			b = append(b, 'k', 's')
			continue
		case c == 'z':
			c = 's'
		case c == 'w':
			c = 'v'
		case c == 'h' && (i == 0 || vowel(s[i-1]) || s[i-1] == 'r' || s[i-1] == 'l' || s[i-1] == 'n' || s[i-1] == 'm'):
			// A lone h is г in Ukrainian (SERHIY/SERGEY, YEVHEN/YEVGENY) and Arabic h in
			// Russian spelling (GASAN, MAGOMED): one sound class with g. Digraphs (kh, sh, th…) keep it.
			c = 'g'
		}
		if i == len(s)-1 && len(s) >= 4 {
			// Final consonants devoice (Turkish AHMET/AHMAD, MEHMET, HAMIT; German, Russian).
			switch c {
			case 'd':
				c = 't'
			case 'b':
				c = 'p'
			case 'v':
				c = 'f'
			}
		}
		if i == 0 && (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') {
			c = 'a'
		}
		b = append(b, c)
	}
	return skeleton(string(b))
}
