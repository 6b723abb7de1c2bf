package main

import (
	"math/rand/v2"
	"strings"

	"github.com/kycd/kycd/checks/screening"
)

// listedPerson is a listed individual whose primary name is written "SURNAME, Given Middle…",
// so the bench knows which tokens are the surname without guessing.
type listedPerson struct {
	source, id string
	surname    []string
	given      []string
}

// listedPersons collects the OFAC SDN individuals (2019 and 2024 files) named in that form.
func listedPersons(ls []screening.LoadedList) []listedPerson {
	var out []listedPerson
	seen := map[string]bool{}
	for _, l := range ls {
		if l.Version.Source != "ofac_sdn" {
			continue
		}
		for _, e := range l.Entities {
			if e.Type != "person" || len(e.Names) == 0 {
				continue
			}
			full := e.Names[0].Full
			sur, giv, ok := strings.Cut(full, ",")
			if !ok {
				continue
			}
			p := listedPerson{source: e.Source, id: e.SourceID, surname: strings.Fields(sur), given: strings.Fields(giv)}
			if len(p.surname) == 0 || len(p.given) == 0 || seen[full] {
				continue
			}
			seen[full] = true
			out = append(out, p)
		}
	}
	return out
}

// firstSurname: the first given name and the surname, as a customer usually gives them.
func firstSurname(p listedPerson, _ *rand.Rand) string {
	return p.given[0] + " " + strings.Join(p.surname, " ")
}

// dropOneGiven: one given token other than the first left out (a middle name or patronymic).
func dropOneGiven(p listedPerson, r *rand.Rand) string {
	if len(p.given) < 2 {
		return ""
	}
	i := 1 + r.IntN(len(p.given)-1)
	g := append(append([]string(nil), p.given[:i]...), p.given[i+1:]...)
	return strings.Join(append(g, p.surname...), " ")
}

// variants are spellings of one name that transliteration tables and habit produce. A probe
// swaps one token of the listed name for another spelling of the same group.
var variants = [][]string{
	{"MOHAMMED", "MUHAMMAD", "MOHAMED", "MOHAMMAD", "MUHAMMED", "MOHAMAD", "MUHAMAD"},
	{"ABDUL", "ABD AL", "ABDEL", "ABDAL"},
	{"ABDULLAH", "ABDALLAH", "ABDULLA", "ABDALLA"},
	{"ALEKSANDR", "ALEXANDER", "ALEKSANDER", "OLEKSANDR", "ALEXANDR"},
	{"ALEKSEY", "ALEXEI", "ALEKSEI", "ALEXEY", "OLEKSIY"},
	{"SERGEY", "SERGEI", "SERHIY", "SERGIY"},
	{"YURIY", "YURI", "YURY", "IURII"},
	{"DMITRIY", "DMITRI", "DMITRY"},
	{"ANDREY", "ANDREI", "ANDRIY"},
	{"NIKOLAY", "NIKOLAI", "MYKOLA"},
	{"MIKHAIL", "MYKHAILO", "MICHAIL"},
	{"YEVGENIY", "EVGENY", "EVGENIY", "YEVGENY", "YEVHEN"},
	{"VLADIMIR", "VOLODYMYR", "WLADIMIR"},
	{"HUSSEIN", "HUSAYN", "HUSSAIN", "HUSEIN", "HOSSEIN", "HUSAIN"},
	{"HASSAN", "HASAN"},
	{"AHMED", "AHMAD", "AHMET"},
	{"MAHMOUD", "MAHMUD", "MAHMOOD"},
	{"MUSTAFA", "MOSTAFA", "MOUSTAFA"},
	{"YUSUF", "YOUSEF", "YOUSUF", "YOUSSEF", "YUSSEF"},
	{"IBRAHIM", "EBRAHIM", "IBRAHEEM"},
	{"QASIM", "QASSEM", "KASIM", "QASEM"},
	{"OSAMA", "USAMA"},
	{"OMAR", "UMAR"},
	{"JAFAR", "JAAFAR", "DJAFAR"},
	{"MUHAMMADI", "MOHAMMADI"},
	{"ABU BAKR", "ABUBAKAR", "ABU BAKER"},
	{"KHALID", "KHALED"},
	{"SAEED", "SAID", "SAEID"},
	{"HAMID", "HAMEED"},
	{"RASHID", "RASHEED"},
	{"FAISAL", "FAYSAL", "FEISAL"},
	{"HAYDAR", "HAIDAR", "HAIDER"},
	{"MOUSSA", "MUSA", "MOUSA"},
	{"YAHYA", "YAHIA"},
	{"ISSA", "ISA", "EISA"},
	{"JAMAL", "GAMAL"},
	{"NASRALLAH", "NASRULLAH"},
	{"ZHENG", "CHENG"},
}

var variantOf = func() map[string][]string {
	m := map[string][]string{}
	for _, g := range variants {
		for _, v := range g {
			m[v] = g
		}
	}
	return m
}()

// transliterate swaps one token that has another common spelling for that spelling.
func transliterate(p listedPerson, r *rand.Rand) string {
	toks := append(append([]string(nil), p.given...), p.surname...)
	var cand []int
	for i, t := range toks {
		if _, ok := variantOf[strings.ToUpper(t)]; ok {
			cand = append(cand, i)
		}
	}
	if len(cand) == 0 {
		return ""
	}
	i := cand[r.IntN(len(cand))]
	g := variantOf[strings.ToUpper(toks[i])]
	for {
		v := g[r.IntN(len(g))]
		if v != strings.ToUpper(toks[i]) {
			toks[i] = v
			break
		}
	}
	return strings.Join(toks, " ")
}

// typo2 makes two one-letter substitutions: in two different tokens of 5+ letters, or twice in
// one token of 8+ letters; never in the first letter.
func typo2(p listedPerson, r *rand.Rand) string {
	toks := append(append([]string(nil), p.given...), p.surname...)
	var long, longer []int
	for i, t := range toks {
		if letters(t) >= 5 {
			long = append(long, i)
		}
		if letters(t) >= 8 {
			longer = append(longer, i)
		}
	}
	var at []int
	switch {
	case len(long) >= 2:
		r.Shuffle(len(long), func(a, b int) { long[a], long[b] = long[b], long[a] })
		at = long[:2]
	case len(longer) >= 1:
		at = []int{longer[0], longer[0]}
	default:
		return ""
	}
	used := map[[2]int]bool{}
	for _, i := range at {
		b := []byte(toks[i])
		for tries := 0; tries < 20; tries++ {
			k := 1 + r.IntN(len(b)-1)
			if b[k]|0x20 < 'a' || b[k]|0x20 > 'z' || used[[2]int{i, k}] {
				continue
			}
			c := byte('A' + r.IntN(26))
			if c == b[k]&^0x20 {
				c = 'X'
				if b[k]&^0x20 == 'X' {
					c = 'Q'
				}
			}
			b[k] = c
			used[[2]int{i, k}] = true
			break
		}
		toks[i] = string(b)
	}
	return strings.Join(toks, " ")
}

func letters(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			n++
		}
	}
	return n
}

func personRun(ix *screening.Index, label string, ps []listedPerson, thr float64, mk func(listedPerson, *rand.Rand) string) {
	r := rand.New(rand.NewPCG(uint64(seed), 3))
	var pr []probe
	for _, p := range ps {
		if q := mk(p, r); q != "" {
			pr = append(pr, probe{name: q, source: p.source, id: p.id})
		}
	}
	recallRun(ix, label, pr, thr, nil)
}
