package address

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// months maps folded month names and abbreviations in the supported languages to 1–12.
var months = map[string]int{}

func init() {
	add := func(m int, names ...string) {
		for _, n := range names {
			months[n] = m
		}
	}
	add(1, "january", "jan", "januar", "janner", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro", "januari", "stycznia", "styczen", "sty")
	add(2, "february", "feb", "februar", "feber", "fevrier", "fevr", "fev", "febrero", "febbraio", "fevereiro", "februari", "lutego", "luty", "lut")
	add(3, "march", "mar", "marz", "maerz", "mars", "marzo", "marco", "maart", "marca", "marzec")
	add(4, "april", "apr", "avril", "avr", "abril", "abr", "aprile", "kwietnia", "kwiecien", "kwi")
	add(5, "may", "mai", "mayo", "maggio", "mag", "maio", "mei", "maja", "maj")
	add(6, "june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho", "czerwca", "czerwiec", "cze")
	add(7, "july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipca", "lipiec", "lip")
	add(8, "august", "aug", "aout", "agosto", "ago", "augustus", "sierpnia", "sierpien", "sie")
	add(9, "september", "sep", "sept", "septembre", "septiembre", "settembre", "set", "setembro", "wrzesnia", "wrzesien", "wrz")
	add(10, "october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro", "out", "pazdziernika", "pazdziernik", "paz")
	add(11, "november", "nov", "novembre", "noviembre", "novembro", "listopada", "listopad", "lis")
	add(12, "december", "dec", "dezember", "dez", "decembre", "diciembre", "dic", "dicembre", "dezembro", "grudnia", "grudzien", "gru")
}

// FoundDate is one date on the page with what its context says it is.
type FoundDate struct {
	Date  time.Time
	Label string // issue, letter, unlabelled, period, due
	Line  int
	Text  string
}

// Labels, by preference for "the date of the document".
const (
	dateIssue      = "issue"
	dateLetter     = "letter"
	dateUnlabelled = "unlabelled"
	datePeriod     = "period_end"
	dateDue        = "due"
	dateOther      = "other" // birth dates, meter readings, "customer since"
)

var (
	monthWord = `([A-Za-zÀ-ÿŁłŚśŹźŻżĄąĘęÓóĆćŃń]{3,12})\.?`
	reISO     = regexp.MustCompile(`\b(20[0-9]{2}|19[0-9]{2})[-./](0?[1-9]|1[0-2])[-./](0?[1-9]|[12][0-9]|3[01])\b`)
	reNum     = regexp.MustCompile(`\b([0-9]{1,2})[./-]([0-9]{1,2})[./-]([0-9]{4}|[0-9]{2})\b`)
	reDMY     = regexp.MustCompile(`(?i)\b([0-9]{1,2})(?:st|nd|rd|th|er|º|°)?\.?\s*(?:de\s+)?` + monthWord + `\s*(?:de\s+|,\s*)?([0-9]{4})\b`)
	reMDY     = regexp.MustCompile(`(?i)\b` + monthWord + `\s+([0-9]{1,2})(?:st|nd|rd|th)?,?\s+([0-9]{4})\b`)
)

// Context words (folded). A line's label comes from words on it before the date, or from the
// line above when the date stands alone under a label.
var (
	issueWords = []string{"statement date", "date of statement", "bill date", "billing date", "invoice date", "date of issue",
		"issue date", "issued on", "issued", "date issued", "letter date", "date:", "date ", "dated",
		"rechnungsdatum", "ausstellungsdatum", "datum", "erstellt am", "vom",
		"date d emission", "date d edition", "date d etablissement", "date de facture", "date de la facture", "date du releve", "emis le", "date",
		"fecha de emision", "fecha de factura", "fecha del extracto", "fecha", "emitida el",
		"data di emissione", "data emissione", "data fattura", "data documento", "data",
		"data de emissao", "data da fatura", "data do extrato", "emitido em",
		"factuurdatum", "datum", "data wystawienia", "data dokumentu", "wystawiono"}
	dueWords = []string{"due", "next", "nachste", "naechste", "prochain", "proximo", "prossimo", "instalment", "installment", "collected",
		"prelevee", "preleve", "cargo", "cobranca", "addebito", "debit", "abbuchung", "rata", "pay by", "payment by", "payable by", "direct debit on", "will be collected", "collected on",
		"fallig", "faellig", "zahlbar bis", "abbuchung am", "zahlungsziel", "echeance", "a payer avant", "payer avant", "preleve le", "date limite",
		"vencimiento", "pagar antes", "fecha limite", "fecha de cargo", "cargo el", "scadenza", "entro il", "pagare entro", "addebito",
		"vencimento", "pagar ate", "data limite", "debito em", "uiterlijk", "vervaldatum", "te betalen voor", "termin platnosci", "platne do", "zaplac do"}
	otherWords = []string{"birth", "geboren", "naissance", "nacimiento", "nascita", "nascimento", "customer since", "kunde seit",
		"client depuis", "reading", "ablesung", "releve du compteur", "lectura", "lettura", "leitura", "valid until", "gultig bis", "expires"}
)

// letterPlace is the place before a letter's date: "London, ", "Berlin, den ", "Paris, le ",
// "Madrid, a ", "Lisboa, em ", "Roma, li ", "Warszawa, dnia ".
var letterPlace = regexp.MustCompile(`(?:^|\s{3,})[A-ZÀ-Ý][\p{L}.' -]{1,30},\s*(?:den|le|el|a|em|il|li|dnia)?\s*$`)

// FindDates finds every date on the page. US documents write month first (03/12/2026 is
// March 12), everyone else day first; a first number over 12 is a day everywhere.
func FindDates(lines []string, country string) []FoundDate {
	var out []FoundDate
	monthFirst := strings.EqualFold(country, "US")
	for i, line := range lines {
		type hit struct {
			d          time.Time
			start, end int
		}
		var hits []hit
		taken := func(s, e int) bool {
			for _, h := range hits {
				if s < h.end && e > h.start {
					return true
				}
			}
			return false
		}
		for _, m := range reISO.FindAllStringSubmatchIndex(line, -1) {
			y, _ := strconv.Atoi(line[m[2]:m[3]])
			mo, _ := strconv.Atoi(line[m[4]:m[5]])
			d, _ := strconv.Atoi(line[m[6]:m[7]])
			if t, ok := mkDate(y, mo, d); ok {
				hits = append(hits, hit{t, m[0], m[1]})
			}
		}
		for _, m := range reDMY.FindAllStringSubmatchIndex(line, -1) {
			mo, ok := months[foldWord(line[m[4]:m[5]])]
			if !ok || taken(m[0], m[1]) {
				continue
			}
			d, _ := strconv.Atoi(line[m[2]:m[3]])
			y, _ := strconv.Atoi(line[m[6]:m[7]])
			if t, ok := mkDate(y, mo, d); ok {
				hits = append(hits, hit{t, m[0], m[1]})
			}
		}
		for _, m := range reMDY.FindAllStringSubmatchIndex(line, -1) {
			mo, ok := months[foldWord(line[m[2]:m[3]])]
			if !ok || taken(m[0], m[1]) {
				continue
			}
			d, _ := strconv.Atoi(line[m[4]:m[5]])
			y, _ := strconv.Atoi(line[m[6]:m[7]])
			if t, ok := mkDate(y, mo, d); ok {
				hits = append(hits, hit{t, m[0], m[1]})
			}
		}
		for _, m := range reNum.FindAllStringSubmatchIndex(line, -1) {
			if taken(m[0], m[1]) {
				continue
			}
			// Not part of a longer number (an IBAN, a phone number, a meter).
			if m[0] > 0 && (isDigitByte(line[m[0]-1]) || line[m[0]-1] == '/' || line[m[0]-1] == '.') && m[0] > 1 && isDigitByte(line[m[0]-2]) {
				continue
			}
			a, _ := strconv.Atoi(line[m[2]:m[3]])
			b, _ := strconv.Atoi(line[m[4]:m[5]])
			ys := line[m[6]:m[7]]
			y, _ := strconv.Atoi(ys)
			if len(ys) == 2 {
				y += 2000
			}
			d, mo := a, b
			if monthFirst && a <= 12 {
				d, mo = b, a
			}
			if a > 12 {
				d, mo = a, b
			}
			if t, ok := mkDate(y, mo, d); ok {
				hits = append(hits, hit{t, m[0], m[1]})
			}
		}
		sort.Slice(hits, func(a, b int) bool { return hits[a].start < hits[b].start })
		for k, h := range hits {
			before := foldLabel(line[:h.start])
			if k > 0 {
				before = foldLabel(line[hits[k-1].end:h.start])
			}
			label := classify(before, k > 0, len(hits) > 1)
			if label == dateUnlabelled && k == 0 && letterPlace.MatchString(line[:h.start]) {
				label = dateLetter
			}
			if label == dateUnlabelled && k == 0 && i > 0 {
				if col, alone := segmentStart(line, h.start); alone {
					// A date alone under its label ("Statement date\n12 March 2026"), in its column.
					if l := classify(foldLabel(segmentAt(lines[i-1], col)), false, false); l != dateUnlabelled && l != dateLetter {
						label = l
					}
				}
			}
			out = append(out, FoundDate{Date: h.d, Label: label, Line: i, Text: line[h.start:h.end]})
		}
	}
	return out
}

// segmentStart returns the column where the text at byte offset off starts its segment, and
// whether the segment starts with it (nothing but spaces since the last column gap).
func segmentStart(line string, off int) (int, bool) {
	before := line[:off]
	gap := colGap.FindAllStringIndex(before, -1)
	start := 0
	if len(gap) > 0 {
		start = gap[len(gap)-1][1]
	}
	if strings.TrimSpace(before[start:]) != "" {
		return 0, false
	}
	return runeCol(line, off), true
}

// segmentAt returns the segment of line starting within a few columns of col.
func segmentAt(line string, col int) string {
	for _, s := range splitColumns(line) {
		if abs(s.col-col) <= 6 {
			return s.text
		}
	}
	return ""
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func mkDate(y, m, d int) (time.Time, bool) {
	if y < 1990 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

func foldWord(s string) string { return strings.ReplaceAll(fold(s), ".", "") }

// foldLabel keeps the text just before a date (its last column, the last 40 characters).
func foldLabel(s string) string {
	segs := splitColumns(s)
	if len(segs) > 0 {
		s = segs[len(segs)-1].text
	}
	if len(s) > 48 {
		s = s[len(s)-48:]
	}
	f := strings.ToLower(unidecodeASCII(s))
	return " " + strings.Join(strings.Fields(f), " ") + " "
}

func unidecodeASCII(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		b.WriteRune(r)
	}
	// keep ":" and "-" which fold removed: they matter for labels
	return strings.NewReplacer().Replace(b.String())
}

func containsWord(hay, w string) bool {
	return strings.Contains(hay, " "+strings.TrimSpace(w)+" ") || strings.HasSuffix(strings.TrimSpace(hay), " "+strings.TrimSpace(w)) ||
		strings.TrimSpace(hay) == strings.TrimSpace(w) || (strings.Contains(w, " ") && strings.Contains(hay, w))
}

// classify labels a date by the words before it.
func classify(before string, second, several bool) string {
	for _, w := range otherWords {
		if strings.Contains(before, w) {
			return dateOther
		}
	}
	for _, w := range dueWords {
		if containsWord(before, w) {
			return dateDue
		}
	}
	if second {
		// "01/02/2026 - 28/02/2026", "du 1 au 28 février": the second date of a pair ends a period.
		return datePeriod
	}
	for _, w := range []string{"period", "zeitraum", "periode", "periodo", "okres", "from", "von", "du", "desde", "dal", "van", "od", "de"} {
		if containsWord(before, w) && several {
			return datePeriod
		}
	}
	for _, w := range []string{"period", "zeitraum", "periode", "periodo", "okres", "charges for", "cover", "copertura", "cobertura", "garantie"} {
		if strings.Contains(before, w) {
			return datePeriod
		}
	}
	for _, w := range issueWords {
		if containsWord(before, strings.TrimSpace(w)) {
			return dateIssue
		}
	}
	return dateUnlabelled
}

// ChooseDate picks the document's date: an issue or statement date, then a letter's date
// line, then an unlabelled date, then the end of a billing period; due dates and other dates
// never stand for the document's date. Ties go to the earliest on the page.
func ChooseDate(ds []FoundDate) (FoundDate, bool) {
	rank := map[string]int{dateIssue: 0, dateLetter: 1, dateUnlabelled: 2, datePeriod: 3}
	best, ok := FoundDate{}, false
	for _, d := range ds {
		r, in := rank[d.Label]
		if !in {
			continue
		}
		if !ok || r < rank[best.Label] || (r == rank[best.Label] && d.Label == datePeriod && d.Date.After(best.Date)) {
			best, ok = d, true
		}
	}
	return best, ok
}
