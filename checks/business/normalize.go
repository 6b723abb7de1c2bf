package business

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// MaxNameRunes bounds the part of a name that is normalised and compared. Company names
// in GLEIF stay under 500 characters; anything longer is hostile or broken input, and
// pairwise similarity must not grow with it.
const MaxNameRunes = 512

// NormalizedName is a company name folded for comparison.
type NormalizedName struct {
	// Core is the name without legal-form words, lower-case ASCII, single-spaced.
	Core string `json:"core"`
	// Tokens are Core's words.
	Tokens []string `json:"tokens"`
	// LegalForms are the canonical legal forms found ("ltd", "gmbh", "sa", …).
	LegalForms []string `json:"legal_forms,omitempty"`
	// Truncated is set when the input was longer than MaxNameRunes.
	Truncated bool `json:"truncated,omitempty"`
}

// legalPhrases map spelled-out or multi-word legal forms (as normalised token sequences)
// to a canonical abbreviation. Longest sequences are tried first.
var legalPhrases = map[string]string{
	"limited liability company":                    "llc",
	"limited liability partnership":                "llp",
	"limited partnership":                          "lp",
	"public limited company":                       "plc",
	"private limited company":                      "ltd",
	"private limited":                              "ltd",
	"pvt ltd":                                      "ltd",
	"pte ltd":                                      "ltd",
	"pty ltd":                                      "ltd",
	"sdn bhd":                                      "sdn bhd",
	"gesellschaft mit beschrankter haftung":        "gmbh",
	"gmbh co kg":                                   "gmbh co kg",
	"gmbh and co kg":                               "gmbh co kg",
	"ag co kg":                                     "ag co kg",
	"kommanditgesellschaft auf aktien":             "kgaa",
	"societe anonyme":                              "sa",
	"sociedad anonima":                             "sa",
	"societa per azioni":                           "spa",
	"societe par actions simplifiee":               "sas",
	"societe a responsabilite limitee":             "sarl",
	"societa a responsabilita limitata":            "srl",
	"sociedad de responsabilidad limitada":         "srl",
	"besloten vennootschap":                        "bv",
	"naamloze vennootschap":                        "nv",
	"societas europaea":                            "se",
	"kabushiki kaisha":                             "kk",
	"aktiebolag":                                   "ab",
	"aktieselskab":                                 "as",
	"aksjeselskap":                                 "as",
	"osakeyhtio":                                   "oy",
	"sa de cv":                                     "sa de cv",
	"s de rl de cv":                                "sa de cv",
	"public company limited":                       "plc",
	"joint stock company":                          "jsc",
	"obshchestvo s ogranichennoy otvetstvennostyu": "ooo",
	"limited company":                              "ltd",
}

// legalWords map single words (dots already removed) to a canonical legal form.
var legalWords = map[string]string{
	"inc": "inc", "incorporated": "inc", "corp": "corp", "corporation": "corp",
	"ltd": "ltd", "limited": "ltd", "ltda": "ltda", "llc": "llc", "llp": "llp", "lp": "lp",
	"plc": "plc", "co": "co", "company": "co", "gmbh": "gmbh", "mbh": "gmbh", "ag": "ag",
	"aktiengesellschaft": "ag", "kg": "kg", "kgaa": "kgaa", "ohg": "ohg", "ug": "ug", "ev": "ev",
	"sa": "sa", "sas": "sas", "sasu": "sas", "sarl": "sarl", "srl": "srl", "spa": "spa", "sca": "sca",
	"sl": "sl", "slu": "sl", "sau": "sa", "bv": "bv", "nv": "nv", "vof": "vof", "cv": "cv",
	"oy": "oy", "oyj": "oy", "ab": "ab", "publ": "ab", "as": "as", "asa": "asa", "aps": "aps",
	"se": "se", "kk": "kk", "gk": "gk", "pte": "pte", "pty": "pty", "pvt": "pvt", "bhd": "bhd",
	"sdn": "sdn", "tbk": "tbk", "jsc": "jsc", "pjsc": "jsc", "ojsc": "jsc", "cjsc": "jsc", "ooo": "ooo",
	"oao": "oao", "zao": "zao", "pao": "pao", "sro": "sro", "spzoo": "spzoo", "zoo": "zoo",
	"kft": "kft", "zrt": "zrt", "nyrt": "nyrt", "doo": "doo", "dd": "dd", "uab": "uab", "sia": "sia",
	"lda": "lda", "sac": "sac", "saa": "saa", "sab": "sab", "scs": "scs", "snc": "snc", "ltee": "ltd",
}

// ambiguousLegal are legal-form abbreviations that are also ordinary words or name parts;
// they are only taken as legal forms at the end of a name.
var ambiguousLegal = map[string]bool{"co": true, "as": true, "se": true, "sa": true, "ab": true,
	"cv": true, "dd": true, "kk": true, "lda": true, "sl": true, "sia": true, "ug": true, "ev": true,
	"company": true, "corporation": true, "limited": true, "pte": true, "pty": true, "sdn": true, "zoo": true}

// NormalizeName folds a company name: NFKC, diacritics and other scripts transliterated to
// ASCII, case folded, dots and apostrophes joined ("S.A." → "sa", "O'Neil" → "oneil"),
// "&" read as "and", other punctuation split, and legal-form words moved to LegalForms.
// Ambiguous short forms ("AS", "SA", "Co") count only at the end of the name.
func NormalizeName(name string) NormalizedName {
	var n NormalizedName
	toks, trunc := foldTokens(name)
	n.Truncated = trunc
	// Multi-word phrases first (longest match), replacing them by a marker token.
	var out []string
	forms := []string{}
	isForm := []bool{}
	for i := 0; i < len(toks); {
		matched := false
		for l := min(6, len(toks)-i); l >= 2; l-- {
			if canon, ok := legalPhrases[strings.Join(toks[i:i+l], " ")]; ok {
				out = append(out, canon)
				isForm = append(isForm, true)
				i += l
				matched = true
				break
			}
		}
		if !matched {
			out = append(out, toks[i])
			_, ok := legalWords[toks[i]]
			isForm = append(isForm, ok && !ambiguousLegal[toks[i]])
			i++
		}
	}
	// Trailing legal forms, including the ambiguous ones ("Nordic … AB", "X & Co").
	end := len(out)
	for end > 1 {
		t := out[end-1]
		if _, ok := legalWords[t]; ok || isForm[end-1] {
			isForm[end-1] = true
			end--
			continue
		}
		if t == "and" && end < len(out) { // "X and Co"
			isForm[end-1] = true
			end--
			continue
		}
		break
	}
	var core []string
	for i, t := range out {
		if isForm[i] && len(out) > 1 {
			if t != "and" {
				if c, ok := legalWords[t]; ok {
					t = c
				}
				forms = append(forms, t)
			}
			continue
		}
		core = append(core, t)
	}
	if len(core) == 0 { // a name that is only legal words ("Limited"): keep it
		core = out
		forms = nil
	}
	n.Tokens = core
	n.Core = strings.Join(core, " ")
	if len(forms) > 0 {
		n.LegalForms = forms
	}
	return n
}

// foldTokens turns a name into lower-case ASCII words.
func foldTokens(name string) ([]string, bool) {
	truncated := false
	if r := []rune(name); len(r) > MaxNameRunes {
		name = string(r[:MaxNameRunes])
		truncated = true
	}
	name = norm.NFKC.String(name)
	// A/S, A/B are legal forms written with a slash.
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		switch {
		case r < 128:
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
		case r == '’' || r == 'ʼ' || r == '‘' || r == '´' || r == '`':
			b.WriteByte('\'')
		default:
			s := unidecode.Unidecode(string(norm.NFD.String(string(r))))
			if s == "" {
				b.WriteByte(' ')
			}
			b.WriteString(s)
			if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
				b.WriteByte(' ')
			}
		}
	}
	s := strings.ToLower(b.String())
	s = strings.NewReplacer("a/s", "as", "a/b", "ab", "s/a", "sa", "&", " and ", "+", " and ").Replace(s)
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			cur.WriteByte(c)
		case c == '.' || c == '\'':
			// joiners: "S.p.A." → "spa"; a dot between words ("Inc.Ltd") is rare enough
		default:
			flush()
		}
	}
	flush()
	// "the" at the start carries nothing ("The Boeing Company").
	if len(toks) > 1 && toks[0] == "the" {
		toks = toks[1:]
	}
	return toks, truncated
}

// NameSimilarity scores two company names in [0,1] after NormalizeName: 1 when the cores
// are equal, otherwise a symmetric alignment of words scored by edit distance (words
// concatenated on one side and split on the other also align: "Face Book" / "Facebook").
// Edit distance rather than Jaro-Winkler: company names are short and a changed first
// letter ("Apple" / "Maple") is another company, not a typo. Legal forms do not count,
// except that clearly different forms ("Inc" vs "GmbH") cost a little, since they are
// usually different entities of one group.
func NameSimilarity(a, b string) float64 {
	return normSimilarity(NormalizeName(a), NormalizeName(b))
}

// containedFloor is the similarity of a name wholly contained in another.
const containedFloor = 0.75

func normSimilarity(a, b NormalizedName) float64 {
	if a.Core == "" || b.Core == "" {
		return 0
	}
	var s float64
	if a.Core == b.Core {
		s = 1
	} else if ja, jb := strings.ReplaceAll(a.Core, " ", ""), strings.ReplaceAll(b.Core, " ", ""); ja == jb {
		s = 0.97
	} else {
		ab, ba := directed(a.Tokens, b.Tokens), directed(b.Tokens, a.Tokens)
		s = (ab + ba) / 2
		if max(ab, ba) >= 0.95 {
			// One name is contained in the other ("Fraport AG" / "Fraport AG Frankfurt
			// Airport Services Worldwide"): a short form or a sister company. Enough to be
			// plausible with a matching register number, never on its own.
			s = max(s, containedFloor)
		}
		if len(ja) <= 64 && len(jb) <= 64 {
			if whole := editSim(ja, jb) * 0.95; whole > s {
				s = whole // a typo across a word boundary
			}
		}
	}
	if len(a.LegalForms) > 0 && len(b.LegalForms) > 0 && !formsCompatible(a.LegalForms, b.LegalForms) {
		s -= 0.05
	}
	if s < 0 {
		s = 0
	}
	return s
}

// equivalentForms groups forms that denote the same kind of entity in different spellings
// or countries' customs, so "Ltd" vs "Limited" vs "PLC" do not cost anything.
var equivalentForms = map[string]string{
	"ltd": "ltd", "plc": "ltd", "pte": "ltd", "pty": "ltd", "pvt": "ltd",
	"inc": "inc", "corp": "inc", "co": "inc",
	"gmbh": "gmbh", "ag": "ag", "se": "ag",
}

func formsCompatible(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
			gx, gy := equivalentForms[x], equivalentForms[y]
			if gx != "" && gx == gy {
				return true
			}
		}
	}
	return false
}

// directed: each word of q is matched to its best word in c, weighted by length.
func directed(q, c []string) float64 {
	var num, den float64
	for _, t := range q {
		best := 0.0
		for _, u := range c {
			if s := editSim(t, u); s > best {
				best = s
				if best == 1 {
					break
				}
			}
		}
		w := float64(min(len(t), 12))
		if best < 0.75 {
			best = 0 // a poor word match is no match
		}
		num += best * w
		den += w
	}
	if den == 0 {
		return 0
	}
	return num / den
}

// editSim is 1 - Levenshtein distance / longer length, on bytes (inputs are ASCII).
// Words longer than 64 bytes are compared for equality only: no company name needs more,
// and hostile input must not cost quadratic time.
func editSim(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 || la > 64 || lb > 64 {
		return 0
	}
	var prev, cur [65]int
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return 1 - float64(prev[lb])/float64(max(la, lb))
}
