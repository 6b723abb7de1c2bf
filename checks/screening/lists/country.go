package lists

import (
	"strings"

	"sync"
	"unicode"

	"github.com/mozillazg/go-unidecode"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// Country aliases and demonyms the lists use that CLDR's English region names do not cover.
var countryExtra = map[string]string{
	"democratic republic of the congo": "CD", "congo democratic republic": "CD", "drc": "CD",
	"congo kinshasa": "CD", "republic of the congo": "CG", "congo": "CG", "congo brazzaville": "CG",
	"iran islamic republic of": "IR", "islamic republic of iran": "IR", "persia": "IR",
	"syrian arab republic": "SY", "russian federation": "RU", "russia": "RU", "ussr": "RU",
	"north korea": "KP", "korea north": "KP", "democratic people s republic of korea": "KP",
	"korea democratic people s republic of": "KP", "dprk": "KP",
	"south korea": "KR", "korea south": "KR", "republic of korea": "KR", "korea republic of": "KR",
	"united kingdom": "GB", "uk": "GB", "great britain": "GB", "england": "GB", "britain": "GB",
	"united states": "US", "united states of america": "US", "usa": "US", "us": "US",
	"burma": "MM", "myanmar": "MM", "ivory coast": "CI", "cote d ivoire": "CI",
	"lao people s democratic republic": "LA", "laos": "LA", "viet nam": "VN", "vietnam": "VN",
	"bolivia plurinational state of": "BO", "venezuela bolivarian republic of": "VE",
	"tanzania united republic of": "TZ", "united republic of tanzania": "TZ",
	"libyan arab jamahiriya": "LY", "libya": "LY", "palestinian territories": "PS", "palestine": "PS",
	"west bank": "PS", "gaza": "PS", "gaza strip": "PS", "the occupied palestinian territories": "PS",
	"macedonia": "MK", "the former yugoslav republic of macedonia": "MK", "north macedonia": "MK",
	"moldova republic of": "MD", "republic of moldova": "MD", "czech republic": "CZ",
	"turkey": "TR", "turkiye": "TR", "holland": "NL", "the netherlands": "NL",
	"uae": "AE", "kyrgyz republic": "KG", "bosnia": "BA", "bosnia herzegovina": "BA",
	"hong kong": "HK", "macau": "MO", "macao": "MO", "taiwan": "TW", "crimea": "UA",
	"vatican": "VA", "holy see": "VA", "east timor": "TL", "swaziland": "SZ", "cape verde": "CV",
	"yugoslavia": "RS", "serbia and montenegro": "RS", "kosovo": "XK", "region crimea": "UA",
	"sudan south": "SS", "the gambia": "GM", "gambia": "GM", "the bahamas": "BS", "bahamas": "BS",
	// demonyms (nationality columns often hold these)
	"afghan": "AF", "albanian": "AL", "algerian": "DZ", "american": "US", "angolan": "AO",
	"argentine": "AR", "argentinian": "AR", "armenian": "AM", "australian": "AU", "austrian": "AT",
	"azerbaijani": "AZ", "bahraini": "BH", "bangladeshi": "BD", "belarusian": "BY", "belgian": "BE",
	"bosnian": "BA", "brazilian": "BR", "british": "GB", "bulgarian": "BG", "burmese": "MM",
	"burundian": "BI", "cambodian": "KH", "cameroonian": "CM", "canadian": "CA", "central african": "CF",
	"chadian": "TD", "chilean": "CL", "chinese": "CN", "colombian": "CO", "congolese": "CD",
	"croatian": "HR", "cuban": "CU", "cypriot": "CY", "czech": "CZ", "danish": "DK", "dutch": "NL",
	"ecuadorian": "EC", "egyptian": "EG", "emirati": "AE", "eritrean": "ER", "estonian": "EE",
	"ethiopian": "ET", "filipino": "PH", "finnish": "FI", "french": "FR", "georgian": "GE",
	"german": "DE", "ghanaian": "GH", "greek": "GR", "guinean": "GN", "haitian": "HT",
	"honduran": "HN", "hungarian": "HU", "indian": "IN", "indonesian": "ID", "iranian": "IR",
	"iraqi": "IQ", "irish": "IE", "israeli": "IL", "italian": "IT", "ivorian": "CI", "jamaican": "JM",
	"japanese": "JP", "jordanian": "JO", "kazakh": "KZ", "kazakhstani": "KZ", "kenyan": "KE",
	"korean": "KR", "north korean": "KP", "kosovar": "XK", "kuwaiti": "KW", "kyrgyz": "KG",
	"lao": "LA", "latvian": "LV", "lebanese": "LB", "liberian": "LR", "libyan": "LY",
	"lithuanian": "LT", "macedonian": "MK", "malaysian": "MY", "malian": "ML", "mauritanian": "MR",
	"mexican": "MX", "moldovan": "MD", "mongolian": "MN", "montenegrin": "ME", "moroccan": "MA",
	"mozambican": "MZ", "namibian": "NA", "nepalese": "NP", "nicaraguan": "NI", "nigerian": "NG",
	"nigerien": "NE", "norwegian": "NO", "omani": "OM", "pakistani": "PK", "palestinian": "PS",
	"panamanian": "PA", "peruvian": "PE", "polish": "PL", "portuguese": "PT", "qatari": "QA",
	"romanian": "RO", "russian": "RU", "rwandan": "RW", "saudi": "SA", "saudi arabian": "SA",
	"senegalese": "SN", "serbian": "RS", "sierra leonean": "SL", "singaporean": "SG", "slovak": "SK",
	"slovenian": "SI", "somali": "SO", "south african": "ZA", "south sudanese": "SS", "spanish": "ES",
	"sri lankan": "LK", "sudanese": "SD", "swedish": "SE", "swiss": "CH", "syrian": "SY",
	"taiwanese": "TW", "tajik": "TJ", "tanzanian": "TZ", "thai": "TH", "tunisian": "TN",
	"turkish": "TR", "turkmen": "TM", "ugandan": "UG", "ukrainian": "UA", "uruguayan": "UY",
	"uzbek": "UZ", "venezuelan": "VE", "vietnamese": "VN", "yemeni": "YE", "zambian": "ZM",
	"zimbabwean": "ZW", "bruneian": "BN", "djiboutian": "DJ", "gabonese": "GA", "malagasy": "MG",
	"maldivian": "MV", "togolese": "TG", "beninese": "BJ", "burkinabe": "BF", "gambian": "GM",
}

var (
	countryOnce sync.Once
	countryMap  map[string]string
)

func countryKey(s string) string {
	var b strings.Builder
	space := false
	if !isASCIIString(s) {
		s = unidecode.Unidecode(s) // "Türkiye" → "Turkiye", "Côte d'Ivoire" → "Cote d'Ivoire"
	}
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		} else {
			space = true
		}
	}
	k := b.String()
	k = strings.TrimPrefix(k, "the ")
	return k
}

func buildCountries() {
	countryMap = make(map[string]string, 1200)
	names := display.English.Regions()
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.String() != code {
				continue
			}
			countryMap[strings.ToLower(code)] = code
			if iso3 := r.ISO3(); iso3 != "" {
				countryMap[strings.ToLower(iso3)] = code
			}
			if n := names.Name(r); n != "" {
				countryMap[countryKey(n)] = code
				// CLDR writes "Congo - Kinshasa", "Myanmar (Burma)": index the parts too.
				if i := strings.IndexAny(n, "(-"); i > 0 {
					countryMap[countryKey(n[:i])] = code
				}
			}
		}
	}
	for k, v := range countryExtra {
		countryMap[countryKey(k)] = v
	}
	// Ambiguous short forms that must not be guessed.
	delete(countryMap, "congo")
	countryMap["congo"] = "CG"
}

// CountryCode returns the ISO 3166-1 alpha-2 code for a country name, demonym, alpha-2 or
// alpha-3 code, and false when it does not recognise the text.
func CountryCode(s string) (string, bool) {
	countryOnce.Do(buildCountries)
	k := countryKey(s)
	if k == "" {
		return "", false
	}
	if c, ok := countryMap[k]; ok {
		return c, true
	}
	return "", false
}

// countryOrText returns the ISO code, or the cleaned text when the country is unknown, so no
// information is dropped.
func countryOrText(s string) string {
	s = clean(s)
	if s == "" {
		return ""
	}
	if c, ok := CountryCode(s); ok {
		return c
	}
	return s
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
