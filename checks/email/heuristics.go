package email

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kycd/kycd/internal/textdist"
)

// roleLocalParts are local parts that name a function, not a person. A KYC applicant's
// contact address should reach the applicant; a shared mailbox usually does not.
var roleLocalParts = toSet(
	"abuse", "accounting", "accounts", "admin", "administrator", "all", "billing", "careers",
	"contact", "contactus", "customerservice", "dev", "devnull", "donotreply", "enquiries",
	"enquiry", "everyone", "feedback", "finance", "help", "helpdesk", "hello", "hostmaster",
	"hr", "info", "information", "inquiries", "inquiry", "it", "jobs", "legal", "mail",
	"mailerdaemon", "marketing", "media", "news", "newsletter", "noc", "noreply", "notifications",
	"office", "operations", "orders", "postmaster", "press", "privacy", "reception", "root",
	"sales", "security", "service", "services", "spam", "staff", "support", "sysadmin", "team",
	"tech", "test", "usenet", "uucp", "webmaster", "www",
	// German and Portuguese variants seen on sign-up forms.
	"kontakt", "vertrieb", "buchhaltung", "verwaltung", "contato", "atendimento", "suporte",
	"financeiro", "vendas",
)

func toSet(v ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(v))
	for _, s := range v {
		m[s] = struct{}{}
	}
	return m
}

// IsRoleAccount reports whether a local part is a role mailbox. Sub-addresses (+tag) and
// the separators . - _ are ignored, so "no-reply+x" and "No.Reply" count as "noreply".
func IsRoleAccount(local string) bool {
	l := strings.ToLower(strings.Trim(local, `"`))
	if i := strings.IndexByte(l, '+'); i > 0 {
		l = l[:i]
	}
	var b strings.Builder
	for i := 0; i < len(l); i++ {
		switch l[i] {
		case '.', '-', '_':
		default:
			b.WriteByte(l[i])
		}
	}
	_, ok := roleLocalParts[b.String()]
	return ok
}

// popularDomains are the domains typos are measured against: the large consumer providers,
// whose misspellings are common and whose look-alikes are registered by squatters.
var popularDomains = []string{
	"gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de",
	"yahoo.com.br", "ymail.com", "hotmail.com", "hotmail.co.uk", "hotmail.fr", "hotmail.de",
	"hotmail.it", "hotmail.es", "outlook.com", "outlook.de", "live.com", "msn.com", "icloud.com",
	"me.com", "mac.com", "aol.com", "protonmail.com", "proton.me", "gmx.de", "gmx.net", "gmx.com",
	"web.de", "t-online.de", "orange.fr", "wanadoo.fr", "laposte.net", "libero.it", "uol.com.br",
	"bol.com.br", "sapo.pt", "yandex.ru", "mail.ru", "qq.com", "163.com", "naver.com",
	"comcast.net", "verizon.net", "sbcglobal.net", "btinternet.com", "rediffmail.com", "zoho.com",
}

var popularSet = toSet(popularDomains...)

// tldTypos are top-level domains that do not exist and are one slip away from one that does.
var tldTypos = map[string]string{
	"con": "com", "cmo": "com", "ocm": "com", "vom": "com", "xom": "com", "comm": "com",
	"coom": "com", "cpm": "com", "cim": "com", "clm": "com", "c0m": "com",
	"nte": "net", "ent": "net", "nett": "net", "bet": "net", "ner": "net",
	"ogr": "org", "orgg": "org", "rog": "org",
	"dee": "de", "ed": "de",
}

// embeddedFree is the curated provider list; SuggestDomain consults it (not a configured
// longer list, which also carries squatted typo domains such as gmial.com) so that a real
// provider one edit away from a popular one (email.com vs gmail.com) is not "corrected".
var embeddedFree = EmbeddedFreeProviders()

// SuggestDomain returns a likely intended domain for a mistyped one (gmial.com → gmail.com,
// example.con → example.com), or "".
func SuggestDomain(domain string) string {
	if _, ok := popularSet[domain]; ok || embeddedFree.Contains(domain) {
		return ""
	}
	best, bestDist := "", 3
	for _, p := range popularDomains {
		if absInt(len(p)-len(domain)) >= bestDist {
			continue
		}
		// A short provider name is one edit from many real domains (wp.pl, qq.com), so the
		// allowed distance grows with the provider's name.
		sld := p[:strings.IndexByte(p, '.')]
		limit := 1
		if len(sld) >= 9 {
			limit = 2
		} else if len(sld) < 4 {
			continue
		}
		if d := damerauLevenshtein(domain, p, limit); d <= limit && d < bestDist {
			best, bestDist = p, d
		}
	}
	if best != "" {
		return best
	}
	if i := strings.LastIndexByte(domain, '.'); i > 0 {
		if fix, ok := tldTypos[domain[i+1:]]; ok {
			return domain[:i+1] + fix
		}
	}
	return ""
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// damerauLevenshtein is the optimal-string-alignment distance between two ASCII strings, or
// limit+1 once it exceeds limit (textdist.OSA).
func damerauLevenshtein(a, b string, limit int) int { return textdist.OSA(a, b, limit) }

// confusables maps letters of other scripts that render like Latin letters to those
// letters (a small part of Unicode's confusables.txt: the Cyrillic and Greek letters used
// in homograph attacks on domains).
var confusables = map[rune]rune{
	'а': 'a', 'с': 'c', 'ԁ': 'd', 'е': 'e', 'һ': 'h', 'і': 'i', 'ј': 'j', 'ӏ': 'l', 'о': 'o',
	'р': 'p', 'ԛ': 'q', 'ѕ': 's', 'ԝ': 'w', 'х': 'x', 'у': 'y', 'ү': 'y', 'в': 'b', 'к': 'k',
	'м': 'm', 'н': 'h', 'т': 't', 'ɡ': 'g', 'ı': 'i',
	'α': 'a', 'ο': 'o', 'ν': 'v', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'κ': 'k', 'ι': 'i', 'χ': 'x',
	'ε': 'e',
}

var scriptTables = []struct {
	name string
	tab  *unicode.RangeTable
}{
	{"Latin", unicode.Latin}, {"Cyrillic", unicode.Cyrillic}, {"Greek", unicode.Greek},
	{"Armenian", unicode.Armenian}, {"Hebrew", unicode.Hebrew}, {"Arabic", unicode.Arabic},
	{"Han", unicode.Han}, {"Hiragana", unicode.Hiragana}, {"Katakana", unicode.Katakana},
	{"Hangul", unicode.Hangul}, {"Thai", unicode.Thai}, {"Devanagari", unicode.Devanagari},
	{"Georgian", unicode.Georgian}, {"Cherokee", unicode.Cherokee},
}

func scriptOf(r rune) string {
	for _, s := range scriptTables {
		if unicode.Is(s.tab, r) {
			return s.name
		}
	}
	if unicode.IsLetter(r) {
		return "Other"
	}
	return "" // digits, hyphen, marks: neutral
}

// allowedMix is true for script combinations that are normal in one writing system.
func allowedMix(scripts map[string]bool) bool {
	cjk := map[string]bool{"Han": true, "Hiragana": true, "Katakana": true, "Hangul": true, "Latin": true}
	for s := range scripts {
		if !cjk[s] {
			return false
		}
	}
	return true
}

// ScriptCheck describes the scripts of a Unicode domain.
type ScriptCheck struct {
	// MixedScript is true when one label mixes scripts that no single writing system
	// combines (Latin with Cyrillic, Greek with Latin …), the mark of a homograph.
	MixedScript bool
	// Skeleton is the domain with look-alike letters replaced by the Latin letters they
	// imitate, when that changes anything; "" otherwise.
	Skeleton string
}

// CheckScripts inspects the Unicode form of a domain for homograph tricks.
func CheckScripts(domain string) ScriptCheck {
	var sc ScriptCheck
	ascii := true
	for i := 0; i < len(domain); i++ {
		if domain[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return sc
	}
	var skel strings.Builder
	changed, skelASCII := false, true
	for _, label := range strings.Split(domain, ".") {
		scripts := map[string]bool{}
		for _, r := range label {
			if s := scriptOf(r); s != "" {
				scripts[s] = true
			}
		}
		if len(scripts) > 1 && !allowedMix(scripts) {
			sc.MixedScript = true
		}
	}
	for _, r := range domain {
		if l, ok := confusables[r]; ok {
			skel.WriteRune(l)
			changed = true
			continue
		}
		if r >= utf8.RuneSelf {
			skelASCII = false
		}
		skel.WriteRune(r)
	}
	// Only an all-Latin-looking result is a homograph; a Russian domain with one Latin-like
	// letter in a Cyrillic word is just Russian.
	if changed && skelASCII {
		sc.Skeleton = skel.String()
	}
	return sc
}
