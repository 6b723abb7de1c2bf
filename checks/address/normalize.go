package address

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// umlauts folds the German spelling without umlauts ("Muenchen") onto the folded one
// ("Munchen"); applied to both sides of a comparison, never shown.
var umlauts = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u")

// dottedAbbrev joins Italian contractions written with an inner dot: "P.za" → "Pza", "V.le" → "Vle".
var dottedAbbrev = regexp.MustCompile(`\b([A-Za-z])\.([a-z]{2})\b`)

// fold lower-cases, transliterates to ASCII (ß → ss, é → e, ł → l) and turns punctuation
// other than "/" and "-" inside numbers into spaces.
func fold(s string) string {
	s = norm.NFKC.String(s)
	s = strings.NewReplacer("ß", "ss", "ẞ", "ss", "º", "o", "ª", "a", "°", "o").Replace(s)
	s = unidecode.Unidecode(s)
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '.':
			b.WriteString(". ")
		default:
			b.WriteByte(' ')
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// abbreviations expand, per country, the words streets are abbreviated to. Keys are folded and
// without their dot. "st" is Street at the end of a name and Saint at its start (expandStreet).
var abbreviations = map[string]map[string]string{
	"en": {"rd": "road", "ave": "avenue", "av": "avenue", "ln": "lane", "dr": "drive", "ct": "court", "pl": "place",
		"sq": "square", "blvd": "boulevard", "hwy": "highway", "cres": "crescent", "tce": "terrace", "terr": "terrace",
		"cl": "close", "gdns": "gardens", "gdn": "garden", "pk": "park", "pde": "parade", "wy": "way", "mt": "mount",
		"hts": "heights", "pkwy": "parkway", "cir": "circle", "ter": "terrace", "gr": "grove", "gro": "grove", "sta": "station",
		"apt": "apartment", "n": "north", "s": "south", "e": "east", "w": "west"},
	"de": {"str": "strasse", "pl": "platz", "weg": "weg", "g": "gasse"},
	"fr": {"av": "avenue", "ave": "avenue", "bd": "boulevard", "bld": "boulevard", "boul": "boulevard", "r": "rue", "pl": "place",
		"imp": "impasse", "ch": "chemin", "rte": "route", "fg": "faubourg", "sq": "square", "all": "allee", "crs": "cours",
		"pass": "passage", "ste": "sainte", "qu": "quai", "st": "saint"},
	"nl": {"str": "straat", "ln": "laan", "pln": "plein", "wg": "weg", "gr": "gracht", "kd": "kade"},
	"es": {"c": "calle", "cl": "calle", "av": "avenida", "avda": "avenida", "avd": "avenida", "pza": "plaza", "pl": "plaza",
		"plza": "plaza", "po": "paseo", "pso": "paseo", "ctra": "carretera", "cra": "carretera", "ronda": "ronda", "trav": "travesia",
		"gta": "glorieta", "urb": "urbanizacion", "cjon": "callejon", "s": "san", "sta": "santa"},
	"it": {"v": "via", "p": "piazza", "pza": "piazza", "p za": "piazza", "c so": "corso", "cso": "corso", "v le": "viale", "vle": "viale",
		"l go": "largo", "lgo": "largo", "p le": "piazzale", "ple": "piazzale", "vic": "vicolo", "s": "san"},
	"pt": {"r": "rua", "av": "avenida", "avda": "avenida", "pc": "praca", "pca": "praca", "tv": "travessa", "trav": "travessa",
		"al": "alameda", "lgo": "largo", "lg": "largo", "est": "estrada", "rod": "rodovia", "estr": "estrada", "pq": "parque", "s": "sao"},
	"pl": {"ul": "", "ulica": "", "al": "aleja", "pl": "plac", "os": "osiedle", "rondo": "rondo"},
}

var countryLangs = map[string][]string{
	"GB": {"en"}, "IE": {"en"}, "US": {"en"}, "CA": {"en", "fr"}, "DE": {"de"}, "AT": {"de"},
	"CH": {"de", "fr", "it"}, "FR": {"fr"}, "BE": {"fr", "nl"}, "NL": {"nl"}, "ES": {"es"}, "IT": {"it"},
	"PT": {"pt"}, "BR": {"pt"}, "PL": {"pl"},
}

// normalizeStreet folds a street name and expands its abbreviations by the country's
// languages, so "Hauptstr." = "Hauptstraße", "St John's Rd" = "Saint Johns Road",
// "Av. da Liberdade" = "Avenida da Liberdade", "ul. Marszałkowska" = "Marszalkowska".
func normalizeStreet(country, s string) string {
	s = dottedAbbrev.ReplaceAllString(s, "$1$2")
	s = strings.ReplaceAll(s, "'", "")
	s = strings.ReplaceAll(s, "’", "")
	f := strings.Fields(strings.ReplaceAll(fold(s), ".", ""))
	langs := countryLangs[strings.ToUpper(country)]
	var out []string
	for i, w := range f {
		exp, found := w, false
		for _, l := range langs {
			if w == "st" && l == "en" {
				if i == 0 && len(f) > 1 {
					exp, found = "saint", true
				} else {
					exp, found = "street", true
				}
				break
			}
			if e, ok := abbreviations[l][w]; ok {
				exp, found = e, true
				break
			}
		}
		_ = found
		// German compounds: "hauptstr" → "hauptstrasse", "bahnhofstr" too; Dutch "-str" → "-straat".
		for _, l := range langs {
			if l == "de" && strings.HasSuffix(exp, "str") && len(exp) > 3 {
				exp += "asse"
			}
			if l == "de" && strings.HasSuffix(exp, "strase") {
				exp = strings.TrimSuffix(exp, "strase") + "strasse"
			}
			if l == "nl" && strings.HasSuffix(exp, "str") && len(exp) > 3 {
				exp = strings.TrimSuffix(exp, "str") + "straat"
			}
		}
		if exp != "" {
			out = append(out, exp)
		}
	}
	// "Haupt Strasse" and "Hauptstrasse" are the same street: compare without spaces in German.
	joined := strings.Join(out, " ")
	for _, l := range langs {
		if l == "de" {
			joined = umlauts.Replace(joined)
		}
		if l == "de" || l == "nl" {
			joined = strings.ReplaceAll(joined, " strasse", "strasse")
			joined = strings.ReplaceAll(joined, "-strasse", "strasse")
		}
	}
	return joined
}

// normalizeCity folds a town name; "Cedex" suffixes and district numbers are kept, so
// "Paris Cedex 08" ≠ "Paris" (a matcher decides how much that matters).
func normalizeCity(s string) string {
	f := umlauts.Replace(fold(strings.ReplaceAll(s, ".", " ")))
	f = strings.TrimPrefix(f, "st ")
	return strings.ReplaceAll(f, "-", " ")
}

// countryNames maps folded country names (English and the countries' own languages) to codes.
var countryNames = map[string]string{
	"united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
	"northern ireland": "GB", "gb": "GB", "ireland": "IE", "eire": "IE", "republic of ireland": "IE", "ie": "IE",
	"united states": "US", "united states of america": "US", "usa": "US", "us": "US", "u s a": "US", "canada": "CA",
	"germany": "DE", "deutschland": "DE", "de": "DE", "austria": "AT", "osterreich": "AT", "oesterreich": "AT", "at": "AT",
	"switzerland": "CH", "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "ch": "CH", "france": "FR", "fr": "FR",
	"belgium": "BE", "belgique": "BE", "belgie": "BE", "belgien": "BE", "be": "BE", "netherlands": "NL", "nederland": "NL",
	"the netherlands": "NL", "nl": "NL", "holland": "NL", "spain": "ES", "espana": "ES", "es": "ES", "italy": "IT", "italia": "IT",
	"it": "IT", "portugal": "PT", "pt": "PT", "brazil": "BR", "brasil": "BR", "br": "BR", "poland": "PL", "polska": "PL", "pl": "PL",
	"ca": "CA",
}

// CountryFromName returns the ISO code of a country written out ("Deutschland", "UK") or
// as a code, or "".
func CountryFromName(s string) string {
	f := strings.ReplaceAll(fold(s), ".", "")
	f = strings.Join(strings.Fields(f), " ")
	return countryNames[f]
}
