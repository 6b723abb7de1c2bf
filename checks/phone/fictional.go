package phone

import "strings"

// fictionalRange is a block of numbers a regulator reserved for drama, films and examples:
// they are never assigned, so an applicant giving one is making it up (or testing).
type fictionalRange struct {
	prefix string // E.164 digits without the +
	length int    // total E.164 digits
	source string
}

// fictionalRanges lists the published reservations kycd knows about. Ofcom: "Telephone
// numbers for drama purposes"; ARCEP: numbers reserved for audiovisual works; ACMA:
// "Phone numbers for use in TV and film". NANP 555-0100…0199 is handled in fictional().
var fictionalRanges = []fictionalRange{
	{"447700900", 12, "Ofcom drama range, mobile 07700 900xxx"},
	{"442079460", 12, "Ofcom drama range, London 020 7946 0xxx"},
	{"441134960", 12, "Ofcom drama range, Leeds 0113 496 0xxx"},
	{"441144960", 12, "Ofcom drama range, Sheffield 0114 496 0xxx"},
	{"441154960", 12, "Ofcom drama range, Nottingham 0115 496 0xxx"},
	{"441164960", 12, "Ofcom drama range, Leicester 0116 496 0xxx"},
	{"441174960", 12, "Ofcom drama range, Bristol 0117 496 0xxx"},
	{"441184960", 12, "Ofcom drama range, Reading 0118 496 0xxx"},
	{"441214960", 12, "Ofcom drama range, Birmingham 0121 496 0xxx"},
	{"441314960", 12, "Ofcom drama range, Edinburgh 0131 496 0xxx"},
	{"441414960", 12, "Ofcom drama range, Glasgow 0141 496 0xxx"},
	{"441514960", 12, "Ofcom drama range, Liverpool 0151 496 0xxx"},
	{"441614960", 12, "Ofcom drama range, Manchester 0161 496 0xxx"},
	{"441914980", 12, "Ofcom drama range, Tyneside 0191 498 0xxx"},
	{"442920180", 12, "Ofcom drama range, Cardiff 029 2018 0xxx"},
	{"441632960", 12, "Ofcom drama range, no area 01632 960xxx"},
	{"448081570", 12, "Ofcom drama range, freephone 0808 157 0xxx"},
	{"449098790", 12, "Ofcom drama range, premium rate 0909 879 0xxx"},
	{"4430699900", 13, "Ofcom drama range, 03069 990xxx"},
	{"3319900", 11, "ARCEP fiction range 01 99 00 xx xx"},
	{"3326191", 11, "ARCEP fiction range 02 61 91 xx xx"},
	{"3335301", 11, "ARCEP fiction range 03 53 01 xx xx"},
	{"3346571", 11, "ARCEP fiction range 04 65 71 xx xx"},
	{"3353649", 11, "ARCEP fiction range 05 36 49 xx xx"},
	{"3363998", 11, "ARCEP fiction range 06 39 98 xx xx"},
	{"6125550", 11, "ACMA fiction range 02 5550 xxxx"},
	{"6135550", 11, "ACMA fiction range 03 5550 xxxx"},
	{"6175550", 11, "ACMA fiction range 07 5550 xxxx"},
	{"6185550", 11, "ACMA fiction range 08 5550 xxxx"},
	{"6127010", 11, "ACMA fiction range 02 7010 xxxx"},
	{"6137010", 11, "ACMA fiction range 03 7010 xxxx"},
	{"6177010", 11, "ACMA fiction range 07 7010 xxxx"},
	{"6187010", 11, "ACMA fiction range 08 7010 xxxx"},
}

// acmaMobile are the single mobile numbers ACMA set aside for fiction (0491 57x xxx).
var acmaMobile = strings.Fields(`570006 570156 570157 570158 570159 570110 570313 570737 571266
	571491 571804 572549 572665 572983 573770 573087 574118 574632 575254 575789 576398 576801
	577426 577644 578957 578148 578888 579212 579760 579455`)

// fictional reports whether an E.164 number is in a reserved fictional range, and which.
func fictional(e164 string) (string, bool) {
	d := strings.TrimPrefix(e164, "+")
	for _, f := range fictionalRanges {
		if len(d) == f.length && strings.HasPrefix(d, f.prefix) {
			return f.source, true
		}
	}
	// NANP: 555-0100 through 555-0199 in every area code are for fiction.
	if len(d) == 11 && d[0] == '1' && d[4:8] == "5550" && d[8] == '1' {
		return "NANP fiction range NXX-555-01xx", true
	}
	if len(d) == 11 && strings.HasPrefix(d, "61491") {
		for _, m := range acmaMobile {
			if d[5:] == m {
				return "ACMA fiction number 0491 " + m[:3] + " " + m[3:], true
			}
		}
	}
	return "", false
}

// Fictional reports whether an E.164 number ("+447700900123") is in a range reserved for
// fiction, and names the range.
func Fictional(e164 string) (source string, ok bool) { return fictional(e164) }
