// Package screening screens names and identifiers against sanctions and PEP lists and explains
// every hit.
//
// Lists are parsed by the lists subpackage (OFAC SDN and consolidated CSV, UN XML, EU FSF XML in
// the current and legacy formats, UK Sanctions List and legacy OFSI CSV, US CSL, BIS DPL,
// FollowTheMoney and Senzing JSON) into one Entity model. NewIndex builds an immutable index;
// Screener swaps indexes atomically so a failed download never leaves the service without one.
//
// Design choices that are not obvious:
//   - Token weights are rarity on the lists (IDF over entities) capped by a small prior of names
//     common in the population ("smith" is rare on the lists, common among customers); legal-form
//     words and particles weigh almost nothing, so "CORP" can never carry a match.
//   - Matches that rest on little evidence (two short syllables, one given name) are capped below
//     the default threshold unless the query is exactly the listed name; a DOB or nationality
//     match then decides. Candidate generation uses exact, one-deletion and phonetic-key lookups,
//     and joined/split words are handled by explicit split and join alternatives in the alignment.
//   - What a missing word means depends on its role in a person's name (roles.go): a listed middle
//     name, patronymic or particle the query leaves out costs little, a query word the listed name
//     lacks costs more. A longer query that reaches only a one-word alias, or a listed person's
//     given name without the surname, is capped below the threshold unless the date of birth or
//     nationality matches. Each hit says which words matched, which were missing from the query
//     and which were extra in it.
//   - Spelling variants come from the lists themselves (variants.go): the aliases of one entity
//     that differ in one word teach "SERGEY"/"SERHIY"-style pairs for everyone. Romanisation
//     systems are folded by a key (translit.go: "IURII"/"YURY", "MOUSSA"/"MUSA"), and a variant
//     reaches every romanisation of its partner ("OLEKSIY" → ALEKSEY → ALEXEY).
//   - Typo model: two words pair only if one could be a typo of the other (one edit, two from
//     eight letters on, never an added or dropped first letter) or they sound alike by phonetic
//     key; Jaro-Winkler alone calls "KOZLOV"/"KOLOSOV" and "KLINGER"/"KLINPAUER" close.
//   - Hits carry a category: "pep" for politically exposed persons (the pep source, or FTM
//     entities tagged role.pep and not sanctioned), else "sanction".
//
// Example:
//
//	l, err := screening.LoadList("un", "consolidated.xml")
//	s := screening.NewScreener(l)
//	hits := s.Screen(screening.Query{Name: "Saddam Husein", BirthYear: 1937, Type: "person"})
//	for _, h := range hits { fmt.Println(h.Source, h.SourceID, h.Score, h.Explanation.Tokens) }
package screening
