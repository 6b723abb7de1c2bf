package screening

import (
	"fmt"
	"strings"

	"github.com/kycd/kycd/checks/screening/lists"
)

// Token roles in a listed person's name. A name's tokens do not all say the same thing when the
// query leaves them out: people are routinely written without their middle names, patronymics
// or second given names, but rarely without their surname. Roles come from the list's own
// structure where it has one ("SURNAME, Given Middle", as OFAC and most EU/UK aliases write
// them) and otherwise from the usual order (first token given, last surname).
const (
	roleNone    uint8 = iota // not a person, or a one-token name: every token counts alike
	roleGiven                // the first given name
	roleMiddle               // further given names, patronymics, second surnames written after the given name
	roleSurname              // the family name
)

var roleNames = [...]string{"", "given", "middle", "surname"}

// Entity types as small numbers for the name records.
const (
	etUnknown uint8 = iota
	etPerson
	etOrganization
	etVessel
	etAircraft
)

func entType(t string) uint8 {
	switch t {
	case lists.TypePerson:
		return etPerson
	case lists.TypeOrganization:
		return etOrganization
	case lists.TypeVessel:
		return etVessel
	case lists.TypeAircraft:
		return etAircraft
	}
	return etUnknown
}

// Costs of a listed-name token the query does not mention, as a share of its weight (the
// alignment adds cost·w to the denominator). A middle token or a particle left out is the
// normal way people write their names; a missing given name or surname is real doubt.
const (
	missMiddle   = 0.12
	missParticle = 0.12
	missDefault  = 0.5
	// extraCost is the share of its weight that a query token absent from the listed name
	// costs: more than a missing listed token, because the query then says something the list
	// does not (a different surname, a second person's name).
	extraCost = 0.65
)

func missCost(role, class uint8) float32 {
	switch {
	case class != classNormal:
		return missParticle
	case role == roleMiddle:
		return missMiddle
	}
	return missDefault
}

// tokenRoles assigns a role to each token of a listed name (toks = tokenize(full)).
func tokenRoles(etype, full string, toks []token) []uint8 {
	roles := make([]uint8, len(toks))
	if etype != lists.TypePerson || len(toks) < 2 {
		return roles
	}
	normal := func(i int) bool { return classOf(toks[i].s) == classNormal }
	if sur, _, ok := strings.Cut(full, ","); ok {
		k := len(tokenize(sur))
		if k > 0 && k < len(toks) {
			given := false
			for i := range toks {
				switch {
				case i < k:
					roles[i] = roleSurname
				case !given && normal(i):
					roles[i], given = roleGiven, true
				default:
					roles[i] = roleMiddle
				}
			}
			return roles
		}
	}
	var idx []int
	for i := range toks {
		if normal(i) {
			idx = append(idx, i)
		}
	}
	if len(idx) < 2 {
		return roles
	}
	for i := range roles {
		roles[i] = roleMiddle
	}
	if toks[idx[0]].cjk {
		// Chinese, Korean and Japanese names in their own script put the family name first.
		roles[idx[0]], roles[idx[1]] = roleSurname, roleGiven
		return roles
	}
	roles[idx[0]], roles[idx[len(idx)-1]] = roleGiven, roleSurname
	// A surname particle ("al-", "bin", "van") before the surname goes with it.
	for i := idx[len(idx)-1] - 1; i > idx[0] && !normal(i); i-- {
		roles[i] = roleSurname
	}
	return roles
}

// partialCap is the score a hit is held to when the query matched only part of what identifies
// the listed person (see partialName): below DefaultThreshold, so such a match is reported only
// to a caller who lowered the threshold, or with a matching date of birth or nationality.
const partialCap = 0.8

// noExactPenalty is taken off a match in which no query word equals a listed word (or a spelling
// variant the lists themselves give): two near-misses ("MARINA KARASOVA" for "KARINA KADYROVA")
// are much weaker evidence than one exact word and one near-miss.
const noExactPenalty = 0.04

// normalTokens counts the query's ordinary tokens (not particles, initials or legal forms).
func (p *prepared) normalTokens() int {
	n := 0
	for _, t := range p.toks {
		if t.class == classNormal {
			n++
		}
	}
	return n
}

// personShaped: the query is a person by its type, or, untyped, reads like one (two to four
// ordinary words and no legal form).
func personShaped(p *prepared, qType string) bool {
	if qType != "" {
		return qType == lists.TypePerson
	}
	k := p.normalTokens()
	return !p.hasOrg && k >= 2 && k <= 4
}

// partialName caps a match in which a query of several words reached only a fragment of what
// identifies the listed name:
//
//   - one_word_alias: the listed name is one word (OFAC's low-quality a.k.a.'s mostly are:
//     "JULIA", "NOAH") and the query says more than that word. OFAC's guidance is not to screen
//     on such aliases alone; the query being exactly that word is still reported. Organisations'
//     one-word names (acronyms, brands) are exempt unless the query is typed person.
//   - surname_not_matched: the listed person's surname was not matched by any query word, so
//     "Jiao Yang" does not hit "WEI, Jiao" on the given name alone.
//
// A matching date of birth or nationality lifts the cap: that is the corroboration an analyst
// would ask for.
func partialName(p *prepared, n *nameRec, al alignment, mods []Modifier, score float64, qType string) (Modifier, bool) {
	if score <= partialCap || p.normalTokens() < 2 {
		return Modifier{}, false
	}
	for _, m := range mods {
		if (m.Name == "dob" || m.Name == "nationality") && m.Delta > 0 {
			return Modifier{}, false
		}
	}
	switch {
	case n.nNormal == 1 && (n.etype != etOrganization || qType == lists.TypePerson):
		return Modifier{Name: "one_word_alias", Delta: round4(partialCap - score),
			Detail: fmt.Sprintf("the listed name is one word and the query says more: score capped at %.2f without a matching date of birth or nationality", partialCap)}, true
	case n.hasSurname && !al.surnameHit:
		return Modifier{Name: "surname_not_matched", Delta: round4(partialCap - score),
			Detail: fmt.Sprintf("no query word matches the listed surname: score capped at %.2f without a matching date of birth or nationality", partialCap)}, true
	}
	return Modifier{}, false
}
