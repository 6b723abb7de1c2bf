package screening

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// token is one normalised word of a name. abjad marks words transliterated from Arabic,
// Persian or Hebrew script, whose Latin forms lack most vowels and so are compared by their
// consonant skeleton as well.
type token struct {
	s     string
	abjad bool
	cjk   bool // a romanised CJK syllable: exact units, never fuzzily joined
}

// Token classes drive weights: a legal form or particle must never carry a match on its own.
const (
	classNormal uint8 = iota
	classLegal
	classParticle
	classInitial
)

// Honorifics are dropped: they are not part of the identity and lists use them inconsistently.
var honorifics = setOf("mr", "mrs", "ms", "miss", "mister", "dr", "prof", "professor", "sir", "dame",
	"sheikh", "shaikh", "shaykh", "sheik", "cheikh", "haji", "hajji", "hadji", "alhaj", "alhajj", "hajj",
	"maulana", "maulvi", "mawlawi", "maulavi", "mawlana", "mullah", "mulla", "herr", "frau", "madame",
	"monsieur", "mme", "mlle", "senor", "senora", "sra", "sr", "gospodin")

// Legal-form words are kept (they help tell "X LLC" from "X Foundation") but weigh almost nothing.
var legalForms = setOf("llc", "llp", "lp", "ltd", "limited", "inc", "incorporated", "corp", "corporation",
	"co", "company", "plc", "gmbh", "mbh", "ag", "kg", "ohg", "ug", "sa", "sas", "sarl", "srl", "spa", "sca",
	"bv", "nv", "vof", "oy", "oyj", "ab", "asa", "aps", "sl", "slu", "sau", "pte", "pty", "pvt", "jsc", "ojsc",
	"cjsc", "pjsc", "ooo", "oao", "zao", "pao", "ao", "tov", "pp", "fzc", "fze", "fzco", "fzllc", "dmcc",
	"est", "establishment", "sdn", "bhd", "tbk", "kft", "zrt", "nyrt", "doo", "dd", "ad", "eood", "ood",
	"sp", "zoo", "sro", "as", "ltda", "cia", "sac", "saa", "eirl", "cv", "sab", "sapi", "rl", "de", "jv",
	"gie", "scs", "snc", "sci", "lda", "ltee", "se", "kk", "yk", "gk", "pt", "cc", "ip", "chp", "uab", "sia",
	"ou", "mmc", "qsc", "wll", "spc", "psc", "pjs", "ojs", "cjs",
	"kommanditgesellschaft", "aktiengesellschaft", "gesellschaft", "sociedad", "anonima", "societe",
	"anonyme", "obshchestvo", "otvetstvennostyu", "ogranichennoy", "aktsionernoe", "zakrytoe", "otkrytoe",
	"publichnoe", "tovarystvo")

// Particles (articles, patronymic markers, connectives) are common inside names and carry little.
var particles = setOf("al", "el", "ul", "ol", "bin", "ben", "ibn", "bint", "binti", "bte", "abu", "abou",
	"da", "do", "dos", "das", "del", "della", "di", "du", "la", "le", "les", "lo", "van", "von", "der",
	"den", "ter", "ten", "y", "e", "i", "the", "of", "and", "und", "et", "for", "fur", "des", "en", "zu", "a")

// legalDe: "de" is a particle in person names but part of "S.A. de C.V."; both classes weigh little.
func init() { delete(legalForms, "de") }

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

func classOf(s string) uint8 {
	switch {
	case len(s) == 1:
		return classInitial
	case legalForms[s]:
		return classLegal
	case particles[s]:
		return classParticle
	}
	return classNormal
}

// tokenize turns a name in any script into lower-case ASCII tokens: NFKC (folds presentation
// forms and full-width letters), Arabic/Persian by our own table (unidecode drops alif and
// long vowels), everything else by unidecode, then punctuation: dots and apostrophes join
// ("S.A." → "sa", "O'Brien" → "obrien"), other punctuation splits.
func tokenize(name string) []token {
	if name == "" {
		return nil
	}
	if !isASCII(name) {
		name = norm.NFKC.String(name)
	}
	var toks []token
	var cur strings.Builder
	abjad, cjk := false, false
	flush := func() {
		if cur.Len() > 0 {
			s := cur.String()
			if !honorifics[s] {
				toks = append(toks, token{s: s, abjad: abjad, cjk: cjk})
			}
			cur.Reset()
		}
		abjad, cjk = false, false
	}
	rs := []rune(name)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r < utf8.RuneSelf:
			c := byte(r)
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				cur.WriteByte(c)
			case c >= 'A' && c <= 'Z':
				cur.WriteByte(c + 32)
			case c == '.' || c == '\'' || c == '`':
				// joiners
			default:
				flush()
			}
		case isArabic(r):
			if !abjad && cur.Len() > 0 {
				flush()
			}
			start := i
			for i < len(rs) && (isArabic(rs[i]) || isArabicMark(rs[i])) {
				i++
			}
			word := rs[start:i]
			i--
			for _, part := range arabicWord(word) {
				if cur.Len() > 0 {
					flush()
				}
				cur.WriteString(part)
				abjad = true
			}
			flush()
		case r == '’' || r == 'ʼ' || r == 'ʻ' || r == '‘' || r == '´':
			// apostrophe-like: join
		case unicode.Is(unicode.Hebrew, r):
			s := unidecode.Unidecode(string(r))
			for j := 0; j < len(s); j++ {
				if c := lowerAlnum(s[j]); c != 0 {
					cur.WriteByte(c)
				}
			}
			abjad = true
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			if unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana) {
				cjk = true
			}
			s := unidecode.Unidecode(string(r))
			// CJK syllables come out as "Xi " — one token per character, as lists write them.
			for j := 0; j < len(s); j++ {
				if c := lowerAlnum(s[j]); c != 0 {
					cur.WriteByte(c)
				} else if s[j] == ' ' {
					flush()
				}
			}
		default:
			flush()
		}
	}
	flush()
	// Codes written with separators ("1-P", "G-9", "A.B.C") are one token, not initials.
	if len(toks) > 1 {
		allShort := true
		for _, t := range toks {
			allShort = allShort && len(t.s) == 1
		}
		if allShort {
			var b strings.Builder
			for _, t := range toks {
				b.WriteString(t.s)
			}
			toks = []token{{s: b.String()}}
		}
	}
	if len(toks) == 0 {
		// A name made only of honorifics ("Sheikh"): keep them rather than match nothing.
		for _, f := range strings.Fields(strings.ToLower(name)) {
			toks = append(toks, token{s: f})
		}
	}
	return toks
}

func lowerAlnum(c byte) byte {
	switch {
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return c
	case c >= 'A' && c <= 'Z':
		return c + 32
	}
	return 0
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isArabic(r rune) bool {
	return (r >= 0x0621 && r <= 0x064A) || (r >= 0x0671 && r <= 0x06D3) || r == 0x06CC || r == 0x06A9 || r == 0x06AF
}

func isArabicMark(r rune) bool { return (r >= 0x064B && r <= 0x0652) || r == 0x0640 || r == 0x0670 }

// arabicLatin is a simple, consistent Arabic/Persian → Latin table: long vowels are kept (they
// are the only vowels written), emphatics fold onto their plain letters as lists write them.
var arabicLatin = map[rune]string{
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ٱ': "a", 'ء': "", 'ئ': "i", 'ؤ': "u",
	'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h", 'خ': "kh", 'د': "d", 'ذ': "dh", 'ر': "r",
	'ز': "z", 'س': "s", 'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z", 'ع': "", 'غ': "gh",
	'ف': "f", 'ق': "q", 'ك': "k", 'ک': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "h", 'ة': "a", 'ۀ': "a",
	'و': "u", 'ي': "i", 'ی': "i", 'ى': "a", 'پ': "p", 'چ': "ch", 'ژ': "zh", 'گ': "g",
	'َ': "a", 'ِ': "i", 'ُ': "u",
}

// arabicWord transliterates one Arabic-script word; the article "ال" becomes its own token
// "al" as Latin lists write "AL-TIKRITI".
func arabicWord(w []rune) []string {
	var parts []string
	if len(w) > 3 && w[0] == 'ا' && w[1] == 'ل' {
		parts = append(parts, "al")
		w = w[2:]
	}
	var b strings.Builder
	for i, r := range w {
		switch r {
		case 'ع':
			if i == 0 {
				b.WriteString("a") // word-initial ayn is written A/O/E in Latin lists
			}
			continue
		case 'و':
			if i == 0 {
				b.WriteString("w")
				continue
			}
		case 'ي', 'ی':
			if i == 0 {
				b.WriteString("y")
				continue
			}
		}
		b.WriteString(arabicLatin[r])
	}
	if b.Len() > 0 {
		parts = append(parts, b.String())
	}
	return parts
}

// skeleton is a token's consonant skeleton: first letter kept, vowels and semivowels dropped,
// common digraphs and spelling variants folded, doubles collapsed. "saddam"/"sdam" → "sdm",
// "hussein"/"hsin" → "hsn", "muhammad"/"mohammed"/"mhmd" → "mhmd".
func skeleton(s string) string {
	if s == "" {
		return ""
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i+1 < len(s) && s[i+1] == 'h' {
			switch c {
			case 'k', 'g', 'd', 't':
				i++ // kh→k, gh→g, dh→d, th→t
			case 'p':
				c = 'f'
				i++
			}
		}
		switch c {
		case 'q', 'c':
			c = 'k'
		case 'a', 'e', 'i', 'o', 'u', 'y', 'w':
			if len(b) > 0 {
				continue
			}
		}
		if len(b) > 0 && b[len(b)-1] == c {
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

// commonNames are given names and surnames that are frequent in the world's population. List
// frequencies alone miss this ("smith" is rare on sanctions lists, common among customers), so
// these tokens' weights are capped at commonNameW: on their own they cannot carry a match.
var commonNames = setOf(
	// given names
	"john", "james", "robert", "michael", "william", "david", "richard", "joseph", "thomas", "charles",
	"george", "paul", "peter", "mark", "daniel", "anthony", "steven", "andrew", "kevin", "brian",
	"mary", "patricia", "jennifer", "linda", "elizabeth", "barbara", "susan", "jessica", "sarah", "karen",
	"maria", "ana", "anna", "jose", "juan", "carlos", "luis", "jorge", "pedro", "manuel", "antonio",
	"francisco", "miguel", "angel", "rafael", "fernando", "javier", "alejandro", "carmen", "rosa",
	"mohammed", "mohammad", "muhammad", "mohamed", "muhammed", "mohamad", "ahmed", "ahmad", "ali",
	"hassan", "hasan", "hussein", "husain", "hossein", "omar", "umar", "abdullah", "abdallah", "ibrahim",
	"mahmoud", "mustafa", "mostafa", "khalid", "khaled", "yusuf", "youssef", "said", "saeed", "salem",
	"fatima", "aisha", "reza", "mehdi", "mahdi", "amir", "hamid", "javad", "abbas", "karim", "rahman",
	"ivan", "sergey", "sergei", "alexander", "aleksandr", "alexey", "aleksei", "andrei", "andrey",
	"dmitry", "dmitri", "vladimir", "nikolai", "nikolay", "mikhail", "pavel", "igor", "oleg", "yuri",
	"olga", "elena", "natalia", "natalya", "tatiana", "tatyana", "irina", "svetlana", "anastasia",
	"wei", "li", "ming", "jun", "hua", "ying", "yan", "hong", "jian", "lei", "jie", "fang", "min",
	"raj", "ram", "kumar", "amit", "sunil", "anil", "vijay", "rahul", "priya", "deepak", "sanjay",
	"jean", "pierre", "michel", "marie", "hans", "klaus", "jan", "piotr", "giuseppe", "giovanni",
	// surnames
	"smith", "johnson", "williams", "brown", "jones", "miller", "davis", "wilson", "anderson", "taylor",
	"thomas", "moore", "martin", "jackson", "thompson", "white", "harris", "clark", "lewis", "lee",
	"garcia", "rodriguez", "martinez", "hernandez", "lopez", "gonzalez", "perez", "sanchez", "ramirez",
	"torres", "flores", "rivera", "gomez", "diaz", "cruz", "morales", "reyes", "gutierrez", "ortiz",
	"silva", "santos", "oliveira", "souza", "pereira", "costa", "ferreira", "alves", "rocha",
	"wang", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu",
	"hu", "guo", "he", "lin", "luo", "gao", "zheng", "kim", "park", "choi", "nguyen", "tran", "le", "pham",
	"ivanov", "smirnov", "kuznetsov", "popov", "petrov", "sokolov", "volkov", "ivanova", "petrova",
	"muller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner", "becker", "schulz",
	"rossi", "russo", "ferrari", "esposito", "bianchi", "romano", "dubois", "bernard", "moreau",
	"singh", "sharma", "patel", "shah", "gupta", "khan", "hussain", "rahman", "islam", "hosseini",
	"ahmadi", "mohammadi", "rezaei", "karimi", "yilmaz", "kaya", "demir", "celik", "sahin", "ozturk",
)

// commonNameW is the weight ceiling of a common name token.
const commonNameW = 0.35
