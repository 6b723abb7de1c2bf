package mrz

import (
	"strings"
	"unicode"

	"github.com/mozillazg/go-unidecode"
	"golang.org/x/text/unicode/norm"
)

// latinICAO is ICAO 9303 part 3, section 6, Table A (multinational Latin
// characters), with the recommended (first) transliteration where the table
// offers a choice: Ä→AE (or A), Å→AA (or A), Ö→OE (or O), Ü→UE (or UXX or U),
// Ñ→N (or NXX). latinSimple holds the single-letter alternatives.
var latinICAO = map[rune]string{
	'À': "A", 'Á': "A", 'Â': "A", 'Ã': "A", 'Ä': "AE", 'Å': "AA", 'Æ': "AE",
	'Ç': "C", 'È': "E", 'É': "E", 'Ê': "E", 'Ë': "E", 'Ì': "I", 'Í': "I",
	'Î': "I", 'Ï': "I", 'Ð': "D", 'Ñ': "N", 'Ò': "O", 'Ó': "O", 'Ô': "O",
	'Õ': "O", 'Ö': "OE", 'Ø': "OE", 'Ù': "U", 'Ú': "U", 'Û': "U", 'Ü': "UE",
	'Ý': "Y", 'Þ': "TH", 'ß': "SS", 'ẞ': "SS",
	'Ā': "A", 'Ă': "A", 'Ą': "A", 'Ć': "C", 'Ĉ': "C", 'Ċ': "C", 'Č': "C",
	'Ď': "D", 'Đ': "D", 'Ē': "E", 'Ĕ': "E", 'Ė': "E", 'Ę': "E", 'Ě': "E",
	'Ĝ': "G", 'Ğ': "G", 'Ġ': "G", 'Ģ': "G", 'Ĥ': "H", 'Ħ': "H", 'Ĩ': "I",
	'Ī': "I", 'Ĭ': "I", 'Į': "I", 'İ': "I", 'ı': "I", 'Ĳ': "IJ", 'Ĵ': "J",
	'Ķ': "K", 'ĸ': "K", 'Ĺ': "L", 'Ļ': "L", 'Ľ': "L", 'Ŀ': "L", 'Ł': "L",
	'Ń': "N", 'Ņ': "N", 'Ň': "N", 'ŉ': "N", 'Ŋ': "N", 'Ō': "O", 'Ŏ': "O",
	'Ő': "O", 'Œ': "OE", 'Ŕ': "R", 'Ŗ': "R", 'Ř': "R", 'Ś': "S", 'Ŝ': "S",
	'Ş': "S", 'Š': "S", 'Ș': "S", 'Ţ': "T", 'Ť': "T", 'Ŧ': "T", 'Ț': "T",
	'Ũ': "U", 'Ū': "U", 'Ŭ': "U", 'Ů': "U", 'Ű': "U", 'Ų': "U", 'Ŵ': "W",
	'Ŷ': "Y", 'Ÿ': "Y", 'Ź': "Z", 'Ż': "Z", 'Ž': "Z",
}

// latinSimple are Table A's permitted single-letter readings, used by
// NameMatches because issuers differ in which one they print.
var latinSimple = map[rune]string{'Ä': "A", 'Å': "A", 'Ö': "O", 'Ü': "U"}

// cyrillicICAO is ICAO 9303 part 3, section 6, Table B. Ь is omitted.
var cyrillicICAO = map[rune]string{
	'А': "A", 'Б': "B", 'В': "V", 'Г': "G", 'Ґ': "G", 'Д': "D", 'Ђ': "D",
	'Ѓ': "G", 'Е': "E", 'Ё': "E", 'Є': "IE", 'Ж': "ZH", 'З': "Z", 'Ѕ': "DZ",
	'И': "I", 'І': "I", 'Ї': "I", 'Й': "I", 'Ј': "J", 'К': "K", 'Л': "L",
	'Љ': "LJ", 'М': "M", 'Н': "N", 'Њ': "NJ", 'О': "O", 'П': "P", 'Р': "R",
	'С': "S", 'Т': "T", 'Ћ': "C", 'Ќ': "K", 'У': "U", 'Ў': "U", 'Ф': "F",
	'Х': "KH", 'Ц': "TS", 'Ч': "CH", 'Џ': "DZ", 'Ш': "SH", 'Щ': "SHCH",
	'Ъ': "IE", 'Ы': "Y", 'Ь': "", 'Э': "E", 'Ю': "IU", 'Я': "IA",
}

// arabicICAO is ICAO 9303 part 3, section 6, Table C: a letter-for-letter
// scheme in which X escapes letters without a plain Latin equivalent. It
// covers Arabic and the Persian, Urdu and Pashto letters of the table.
var arabicICAO = map[rune]string{
	'ء': "XE", 'آ': "XAA", 'أ': "XAE", 'ؤ': "U", 'إ': "I", 'ئ': "XI",
	'ا': "A", 'ب': "B", 'ت': "T", 'ث': "XTH", 'ج': "J", 'ح': "XH",
	'خ': "XKH", 'د': "D", 'ذ': "XDH", 'ر': "R", 'ز': "Z", 'س': "S",
	'ش': "XSH", 'ص': "XSS", 'ض': "XDZ", 'ط': "XTT", 'ظ': "XZZ", 'ع': "E",
	'غ': "G", 'ف': "F", 'ق': "Q", 'ك': "K", 'ل': "L", 'م': "M", 'ن': "N",
	'ه': "H", 'و': "W", 'ى': "XAY", 'ي': "Y", 'ٱ': "XXA",
	'ٹ': "XXT", 'ټ': "XRT", 'پ': "P", 'ځ': "XKE", 'څ': "XXH", 'چ': "XC",
	'ڈ': "XXD", 'ډ': "XDR", 'ڑ': "XXR", 'ړ': "XRR", 'ږ': "XRX", 'ژ': "XJ",
	'ښ': "XXS", 'ک': "XKK", 'ګ': "XXK", 'ڭ': "XNG", 'گ': "XGG", 'ں': "XNN",
	'ڼ': "XXN", 'ھ': "XDO", 'ۀ': "XYH", 'ہ': "XXG", 'ۂ': "XGE", 'ۃ': "XTG",
	'ی': "XYA", 'ۍ': "XXY", 'ې': "Y", 'ے': "XYB", 'ۓ': "XBE",
}

const (
	arabicShadda      = 'ّ' // doubles the letter before it
	arabicTehMarbuta  = 'ة' // XTA, but XAH at the end of a name component
	arabicTatweel     = 'ـ'
	arabicSuperscript = 'ٰ'
)

// Transliterate converts a name as printed in the visual zone into MRZ form:
// upper-case A–Z with '<' for spaces and hyphens, apostrophes and other
// punctuation dropped, following ICAO 9303 part 3 section 6 for Latin
// diacritics and ligatures (Table A), Cyrillic (Table B) and Arabic script
// (Table C). Other scripts fall back to a generic ASCII transliteration,
// which ICAO does not define.
func Transliterate(name string) string {
	return transliterate(name, false)
}

// transliterate implements Transliterate; simple picks Table A's
// single-letter alternatives (Ä→A rather than AE).
func transliterate(name string, simple bool) string {
	runes := []rune(norm.NFC.String(name))
	var b strings.Builder
	sep := func() {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), "<") {
			b.WriteByte('<')
		}
	}
	last := ""
	for i, r := range runes {
		up := unicode.ToUpper(r)
		var out string
		switch {
		case up >= 'A' && up <= 'Z':
			out = string(up)
		case unicode.IsSpace(r) || r == '<' || r == '-' || r == '‐' || r == '‑' || r == '–' || r == ',':
			sep()
			last = ""
			continue
		case r == arabicShadda:
			out = last
		case r == arabicTehMarbuta:
			out = "XTA"
			if i+1 == len(runes) || !unicode.IsLetter(runes[i+1]) {
				out = "XAH"
			}
		case r == arabicTatweel || r == arabicSuperscript || (r >= 0x064B && r <= 0x0652):
			continue // harakat and elongation are not encoded
		default:
			if s, found := latinSimple[up]; found && simple {
				out = s
			} else if s, found := latinICAO[up]; found {
				out = s
			} else if s, found := latinICAO[r]; found {
				out = s
			} else if s, found := cyrillicICAO[up]; found {
				out = s
			} else if s, found := arabicICAO[r]; found {
				out = s
			} else {
				out = fallback(r)
			}
		}
		b.WriteString(out)
		last = out
	}
	return strings.TrimRight(b.String(), "<")
}

// fallback strips diacritics (NFD, drop marks), then asks unidecode for
// scripts ICAO does not cover, keeping only A–Z.
func fallback(r rune) string {
	if unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
		return ""
	}
	var base strings.Builder
	for _, d := range norm.NFD.String(string(r)) {
		if !unicode.IsMark(d) {
			base.WriteRune(d)
		}
	}
	s := base.String()
	if len(s) != 1 || s[0] >= 0x80 {
		s = unidecode.Unidecode(s)
	}
	var out strings.Builder
	for _, c := range strings.ToUpper(s) {
		if c >= 'A' && c <= 'Z' {
			out.WriteRune(c)
		}
	}
	return out.String()
}
