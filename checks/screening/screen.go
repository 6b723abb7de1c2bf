package screening

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/kycd/kycd/checks/screening/lists"
)

// candidatesPerQuery bounds the names scored in full per query; the estimate that ranks them is
// an upper bound in all but join/split cases, so the best names are always among them.
const candidatesPerQuery = 48

// Screen returns the entities matching q at or above its threshold, best first, at most one hit
// per (source, source_id). A bad query (no name and no identifiers) yields no hits; use
// Validate to get the reason.
func (ix *Index) Screen(q Query) []Hit {
	if ix == nil {
		return nil
	}
	thr := q.Threshold
	if thr <= 0 {
		thr = DefaultThreshold
	}
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	allow := func(int32) bool { return true }
	if len(q.Sources) > 0 {
		set := map[string]bool{}
		for _, s := range q.Sources {
			set[s] = true
		}
		allow = func(e int32) bool { return set[ix.ents[e].Source] }
	}
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	clear(sc.hitAt)
	var hits []Hit
	add := func(h Hit, ent int32) {
		if k, ok := sc.hitAt[ent]; ok {
			if h.Score > hits[k].Score {
				hits[k] = h
			}
			return
		}
		sc.hitAt[ent] = len(hits)
		hits = append(hits, h)
	}
	qType := normalizeQueryType(q.Type)
	// Exact identifiers first: they score 1 whatever the name says.
	for _, qi := range q.Identifiers {
		key := identifierKey(qi)
		for _, ref := range ix.ids[key] {
			e := ix.ents[ref.ent]
			id := e.Identifiers[ref.idx]
			if !allow(ref.ent) || !compatibleID(qi.Type, id.Type) {
				continue
			}
			if len(key) < 2+shortID && (qi.Type == "" || qi.Type != id.Type) {
				continue // a short number matches by chance unless the types agree
			}
			add(Hit{
				Source: e.Source, SourceID: e.SourceID, EntityType: e.Type, EntityName: e.PrimaryName(),
				MatchedName: e.PrimaryName(), MatchKind: "identifier", Score: 1, Threshold: thr, Strong: true,
				Entity:      e,
				Explanation: Explanation{IdentifierMatch: &id, NameScore: 0, Score: 1, Threshold: thr},
			}, ref.ent)
		}
	}
	if strings.TrimSpace(q.Name) != "" {
		p := ix.prepare(sc, q.Name)
		if qType == "" && p.hasOrg {
			qType = "organization?" // inferred from a legal-form word: modifiers apply at half strength
		}
		minEst := float32(0.55 * thr)
		cands := ix.candidates(sc, &p, minEst, candidatesPerQuery+limit, allow)
		qd := parseQueryDOB(q)
		qNat, _ := lists.CountryCode(q.Nationality)
		qCountry, _ := lists.CountryCode(q.Country)
		for _, c := range cands {
			n := &ix.names[c.name]
			al := ix.scoreName(&p, n)
			if al.score <= 0 {
				continue
			}
			e := ix.ents[n.ent]
			nm := e.Names[n.name]
			mods := modifiers(e, nm, al.score, qd, qNat, qCountry, qType)
			if m, ok := lowInformation(al); ok {
				mods = append(mods, m)
			}
			if !al.exactHit {
				mods = append(mods, Modifier{Name: "no_exact_token", Delta: -noExactPenalty,
					Detail: "no word of the query matches a listed word exactly: every match is a spelling approximation"})
			}
			score := al.score
			for _, m := range mods {
				score += m.Delta
			}
			if m, ok := partialName(&p, n, al, mods, score, qType); ok {
				mods = append(mods, m)
				score += m.Delta
			}
			score = math.Max(0, math.Min(1, score))
			if score < thr {
				continue
			}
			if k, ok := sc.hitAt[n.ent]; ok && hits[k].Score >= score {
				continue
			}
			add(Hit{
				Source: e.Source, SourceID: e.SourceID, EntityType: e.Type, EntityName: e.PrimaryName(),
				MatchedName: nm.Full, MatchKind: "name", Score: round4(score), Threshold: thr,
				Strong:      nm.Quality != lists.QualityWeak && !(personShaped(&p, qType) && (n.etype == etVessel || n.etype == etAircraft)),
				Entity:      e,
				Explanation: explain(&p, al, nm, mods, score, thr),
			}, n.ent)
		}
	}
	// One hit per (source, source_id): two snapshots of one list name the same entity.
	byKey := map[string]int{}
	out := hits[:0]
	for _, h := range hits {
		key := h.Source + "\x00" + h.SourceID
		if k, ok := byKey[key]; ok {
			if h.Score > out[k].Score {
				out[k] = h
			}
			continue
		}
		byKey[key] = len(out)
		out = append(out, h)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Score != out[b].Score {
			return out[a].Score > out[b].Score
		}
		if out[a].Source != out[b].Source {
			return out[a].Source < out[b].Source
		}
		return out[a].SourceID < out[b].SourceID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	for i := range out {
		out[i].Fingerprint = out[i].Entity.Fingerprint()
		out[i].Category = categoryOf(out[i].Entity)
	}
	return out
}

// Validate reports what is wrong with a query, naming the field, or nil.
func Validate(q Query) error {
	if strings.TrimSpace(q.Name) == "" && len(q.Identifiers) == 0 {
		return fmt.Errorf("name: a name or at least one identifier is required")
	}
	if q.Threshold < 0 || q.Threshold > 1 {
		return fmt.Errorf("threshold: %v is outside [0, 1]", q.Threshold)
	}
	if q.Limit < 0 {
		return fmt.Errorf("limit: %d is negative", q.Limit)
	}
	if q.DOB != "" && len(lists.ParseDates(q.DOB)) == 0 {
		return fmt.Errorf("dob: %q is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)", q.DOB)
	}
	if q.BirthYear != 0 && (q.BirthYear < 1850 || q.BirthYear > 2100) {
		return fmt.Errorf("birth_year: %d is out of range", q.BirthYear)
	}
	if q.Type != "" && normalizeQueryType(q.Type) == "" && !strings.EqualFold(q.Type, "any") {
		return fmt.Errorf("type: %q is not person, organization, vessel, aircraft or any", q.Type)
	}
	for i, id := range q.Identifiers {
		if strings.TrimSpace(id.Value) == "" {
			return fmt.Errorf("identifiers[%d].value: empty", i)
		}
	}
	return nil
}

func normalizeQueryType(t string) string {
	switch strings.ToLower(strings.TrimSpace(t)) {
	case "person", "individual":
		return lists.TypePerson
	case "organization", "organisation", "company", "entity":
		return lists.TypeOrganization
	case "vessel", "ship":
		return lists.TypeVessel
	case "aircraft":
		return lists.TypeAircraft
	}
	return ""
}

// compatibleID: crypto addresses only match crypto addresses; document types may differ between
// lists (one calls a number a passport, another a national ID), so other types match freely.
func compatibleID(q, e string) bool {
	if q == "" || q == e {
		return true
	}
	return q != lists.IDCrypto && e != lists.IDCrypto
}

type queryDOB struct {
	full string // as given, normalised
	year int
}

func parseQueryDOB(q Query) queryDOB {
	var d queryDOB
	if ds := lists.ParseDates(q.DOB); len(ds) > 0 {
		d.full = ds[0]
		d.year, _ = strconv.Atoi(ds[0][:4])
	}
	if d.year == 0 && q.BirthYear > 0 {
		d.year = q.BirthYear
	}
	return d
}

// modifiers adjusts a name score with the non-name evidence. Absent data never counts against a
// hit; contradicting data does, because the same name with another birth year is usually
// another person.
func modifiers(e *Entity, nm Name, nameScore float64, qd queryDOB, qNat, qCountry, qType string) []Modifier {
	var mods []Modifier
	// A weak (low-quality) alias is trusted only when matched exactly: a fuzzy match on a name
	// the list itself calls unreliable is doubly uncertain. Exact matches keep their tie with the
	// same name listed strongly elsewhere.
	if nm.Quality == lists.QualityWeak && nameScore < 0.999 {
		mods = append(mods, Modifier{Name: "weak_alias", Delta: -0.05, Detail: "matched a low-quality alias"})
	}
	if qd.year > 0 && len(e.DatesOfBirth) > 0 {
		exact, near := false, false
		minDiff := 1000
		for _, d := range e.DatesOfBirth {
			y, err := strconv.Atoi(d[:4])
			if err != nil {
				continue
			}
			if qd.full != "" && len(qd.full) == 10 && d == qd.full {
				exact = true
			}
			diff := y - qd.year
			if diff < 0 {
				diff = -diff
			}
			minDiff = min(minDiff, diff)
			if diff <= 1 {
				near = true
			}
		}
		switch {
		case exact:
			mods = append(mods, Modifier{Name: "dob", Delta: 0.05, Detail: "date of birth " + qd.full + " matches"})
		case minDiff == 0:
			mods = append(mods, Modifier{Name: "dob", Delta: 0.02, Detail: fmt.Sprintf("birth year %d matches", qd.year)})
		case near:
			mods = append(mods, Modifier{Name: "dob", Delta: 0, Detail: fmt.Sprintf("birth year %d within one year of %s", qd.year, strings.Join(e.DatesOfBirth, ", "))})
		case minDiff < 1000:
			mods = append(mods, Modifier{Name: "dob", Delta: -0.15, Detail: fmt.Sprintf("birth year %d differs from listed %s", qd.year, strings.Join(e.DatesOfBirth, ", "))})
		}
	}
	if qNat != "" {
		switch {
		case containsFold(e.Nationalities, qNat):
			mods = append(mods, Modifier{Name: "nationality", Delta: 0.03, Detail: "nationality " + qNat + " matches"})
		case len(e.Nationalities) > 0:
			mods = append(mods, Modifier{Name: "nationality", Delta: -0.08, Detail: "nationality " + qNat + " not in listed " + strings.Join(e.Nationalities, ", ")})
		case containsFold(e.Countries, qNat):
			mods = append(mods, Modifier{Name: "nationality", Delta: 0.01, Detail: "nationality " + qNat + " is a listed country"})
		case len(e.Countries) > 0:
			mods = append(mods, Modifier{Name: "nationality", Delta: -0.03, Detail: "nationality " + qNat + " not among listed countries " + strings.Join(e.Countries, ", ")})
		}
	}
	if qCountry != "" && qCountry != qNat {
		all := append(append([]string(nil), e.Countries...), e.Nationalities...)
		switch {
		case containsFold(all, qCountry):
			mods = append(mods, Modifier{Name: "country", Delta: 0.02, Detail: "country " + qCountry + " is linked to the entity"})
		case len(all) > 0:
			mods = append(mods, Modifier{Name: "country", Delta: -0.03, Detail: "country " + qCountry + " not among " + strings.Join(all, ", ")})
		}
	}
	if qType != "" && e.Type != lists.TypeUnknown {
		half := strings.HasSuffix(qType, "?")
		t := strings.TrimSuffix(qType, "?")
		if t != e.Type {
			d := -0.2
			if half {
				d = -0.1
			}
			mods = append(mods, Modifier{Name: "type", Delta: d, Detail: "query is a " + t + ", entity is a " + e.Type})
		}
	}
	return mods
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

func explain(p *prepared, al alignment, nm Name, mods []Modifier, score, thr float64) Explanation {
	ex := Explanation{NameQuality: nm.Quality, NameKind: nm.Kind, NameScore: round4(al.score),
		Modifiers: mods, Score: round4(score), Threshold: thr}
	var qs, cs []string
	for _, u := range al.q {
		qs = append(qs, u.label)
	}
	for _, u := range al.c {
		cs = append(cs, u.label)
	}
	ex.Query, ex.Candidate = strings.Join(qs, " "), strings.Join(cs, " ")
	pairs := append([]pair(nil), al.pairs...)
	sort.Slice(pairs, func(a, b int) bool { return pairs[a].i < pairs[b].i })
	for _, pr := range pairs {
		ex.Tokens = append(ex.Tokens, TokenMatch{
			QueryToken: al.q[pr.i].label, MatchedToken: al.c[pr.j].label,
			Similarity: round4(float64(pr.sim)), Weight: round4(float64(al.q[pr.i].w+al.c[pr.j].w) / 2),
			Kind: kindNames[pr.kind], Role: roleNames[al.c[pr.j].role],
		})
		ex.Matched = append(ex.Matched, al.q[pr.i].label+"~"+al.c[pr.j].label)
	}
	for _, i := range al.unmatchedQ {
		ex.Tokens = append(ex.Tokens, TokenMatch{QueryToken: al.q[i].label, Weight: round4(float64(al.extraCost(i))), Kind: "unmatched_query"})
		ex.ExtraInQuery = append(ex.ExtraInQuery, al.q[i].label)
	}
	for _, j := range al.unmatchedC {
		c := al.c[j]
		ex.Tokens = append(ex.Tokens, TokenMatch{MatchedToken: c.label, Weight: round4(float64(al.missCost(j))),
			Kind: "unmatched_candidate", Role: roleNames[c.role]})
		ex.MissingFromQuery = append(ex.MissingFromQuery, c.label)
	}
	_ = p
	return ex
}

// ScreenBatch screens many queries on up to workers goroutines (0 = 1) and returns the hits in
// query order. The index is shared; each worker uses its own scratch memory.
func (ix *Index) ScreenBatch(qs []Query, workers int) [][]Hit {
	if workers < 1 {
		workers = 1
	}
	out := make([][]Hit, len(qs))
	var wg sync.WaitGroup
	next := make(chan int, 1024)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = ix.Screen(qs[i])
			}
		}()
	}
	for i := range qs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// lowInformation caps the name score of matches that rest on little evidence: two short
// syllables ("XU Bin"), or one common given name ("Abdullah"). Evidence is the matched candidate
// tokens' rarity weights, each scaled by length/5 (capped at 1); the name score is capped at
// 0.7 + 0.3·evidence. Such a hit needs a matching date of birth or nationality to reach the
// threshold, which is what an analyst would ask for anyway.
func lowInformation(al alignment) (Modifier, bool) {
	limit := 0.7 + 0.3*math.Min(1, al.info)
	// The query being exactly a listed name (every token on both sides matched exactly) is
	// reported whatever its length: a listed name must always be findable.
	if al.score >= 0.999 || al.score <= limit {
		return Modifier{}, false
	}
	return Modifier{Name: "low_information", Delta: round4(limit - al.score),
		Detail: fmt.Sprintf("matched tokens carry little evidence (%.2f): name score capped at %.2f", al.info, limit)}, true
}
