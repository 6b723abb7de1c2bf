package address

import (
	"regexp"
	"strings"
)

// segment is one column of a line of `pdftotext -layout` or OCR output: text runs separated
// by three or more spaces are side-by-side columns (the address window and the account box).
type segment struct {
	col  int
	text string
}

var colGap = regexp.MustCompile(`\s{3,}`)

func splitColumns(line string) []segment {
	var out []segment
	line = strings.TrimRight(line, " \t")
	pos := 0
	for _, g := range colGap.FindAllStringIndex(line, -1) {
		if t := strings.TrimSpace(line[pos:g[0]]); t != "" {
			out = append(out, segment{col: runeCol(line, pos+leadingSpaces(line[pos:g[0]])), text: t})
		}
		pos = g[1]
	}
	if t := strings.TrimSpace(line[pos:]); t != "" {
		out = append(out, segment{col: runeCol(line, pos+leadingSpaces(line[pos:])), text: t})
	}
	return out
}

func leadingSpaces(s string) int { return len(s) - len(strings.TrimLeft(s, " \t")) }

func runeCol(s string, byteOff int) int { return len([]rune(s[:byteOff])) }

// block is the addressee block found on the page.
type block struct {
	byName   bool // found next to the declared name, not by the fallback
	name     string
	nameLine int
	lines    []string
	addr     Address
	ok       bool
}

// findBlock looks for the addressee: each line segment that scores as the declared name
// starts a candidate block made of the segments below it in the same column (±4 characters)
// up to and including the postcode line; the candidate whose address parses best wins. When
// the declared name is nowhere, the first block of 2–6 lines ending in a valid postcode (a
// window envelope's block, near the top) stands in, with its first line as the addressee, so
// a document made out to someone else is read and rejected rather than unreadable.
func findBlock(lines []string, p Parser, declaredName string) block {
	cols := make([][]segment, len(lines))
	for i, l := range lines {
		cols[i] = splitColumns(l)
	}
	// below collects the segments under the addressee in its column. Lines of a column beside
	// it (an account box with another line pitch) are interleaved by the layout and skipped;
	// a blank line after the block's first lines, or text running across the column, ends it.
	below := func(i, col int) []string {
		var out []string
		blank, skipped := 0, 0
		for j := i + 1; j < len(lines) && len(out) < 7; j++ {
			var seg *segment
			crosses := false
			for k := range cols[j] {
				sg := &cols[j][k]
				if abs(sg.col-col) <= 4 {
					seg = sg
					break
				}
				if sg.col < col && sg.col+len([]rune(sg.text)) > col {
					crosses = true
				}
			}
			switch {
			case seg != nil:
				out = append(out, seg.text)
				blank, skipped = 0, 0
				continue
			case len(cols[j]) == 0:
				blank++
				// An address block has no blank line inside it once it has begun.
				if blank >= 2 || len(out) >= 2 {
					return out
				}
				continue
			case crosses:
				return out
			}
			skipped++
			if skipped > 3 {
				return out
			}
		}
		return out
	}
	var best block
	bestScore := -1.0
	consider := func(i int, s segment, nameScore float64) {
		ls := below(i, s.col)
		// Cut at the first postcode line below the name (plus a country line): the block
		// never reaches past it into the text beneath.
		cut := 0
		for n := 1; n <= len(ls) && n <= 6; n++ {
			if a, ok := p.Parse(ls[:n]); ok && a.PostalCode != "" {
				cut = n
				if n < len(ls) && CountryFromName(ls[n]) != "" {
					cut = n + 1
				}
				break
			}
		}
		if cut == 0 {
			cut = min(len(ls), 4) // a country where postcodes are optional (IE): the town ends it
		}
		for n := cut; n >= 1; n-- {
			a, ok := p.Parse(ls[:n])
			if !ok {
				continue
			}
			score := nameScore
			if a.HouseNumber != "" {
				score += 0.3
			}
			if a.City != "" {
				score += 0.2
			}
			score -= 0.02 * float64(n)
			// Prefer the shortest block that still parses with a street: trailing lines
			// below the block belong to something else.
			if score > bestScore {
				best = block{name: s.text, nameLine: i, lines: ls[:n], addr: a, ok: true}
				bestScore = score
			}
			break
		}
	}
	if declaredName != "" {
		for i := range lines {
			for _, s := range cols[i] {
				if ns := nameScore(declaredName, s.text); ns.Matched {
					consider(i, s, 1+ns.Score)
				}
			}
		}
	}
	if best.ok {
		best.byName = true
		return best
	}
	// No line names the applicant: the first block that parses as an address, its first line
	// taken as the addressee when it looks like a person's name.
	for i := range lines {
		for _, s := range cols[i] {
			if !looksLikeName(s.text) {
				continue
			}
			consider(i, s, 0)
			if best.ok {
				return best
			}
		}
	}
	return best
}

var titleRe = regexp.MustCompile(`(?i)^(mr|mrs|ms|miss|dr|herr|frau|m\.|mme|mlle|monsieur|madame|sr\.?|sra\.?|señor|señora|sig\.?|sig\.ra|signor|signora|pan|pani|dhr\.?|mevr\.?|exmo\.?|exma\.?)\b`)

// looksLikeName: two to five words, letters only, not a heading of a document.
func looksLikeName(s string) bool {
	if strings.ContainsAny(s, "0123456789:@/€$£%") || legalFormRe.MatchString(s) {
		return false
	}
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 6 {
		return false
	}
	if titleRe.MatchString(s) {
		return true
	}
	for _, w := range f {
		r := []rune(w)
		if len(r) == 0 || !(r[0] >= 'A' && r[0] <= 'Z' || r[0] > 0xBF) {
			return false
		}
	}
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// kindWords classify a document by what it says about itself (folded, whole words).
var kindWords = []struct {
	kind  string
	words []string
}{
	// Insurance letters read as "other": most KYC policies do not take them on their own.
	{KindOther, []string{"insurance", "insurer", "policy", "premium", "policy schedule", "versicherung", "versicherungsschein", "versicherer",
		"beitrag", "jahresbeitrag", "assurance", "assurances", "assureur", "prime", "garanties", "poliza", "seguro", "seguros", "aseguradora",
		"prima", "apolice", "premio", "seguradora", "polizza", "assicurazione", "assicurazioni", "assicurativa", "verzekering", "polis",
		"polisa", "ubezpieczenie", "ubezpieczyciel"}},
	{KindTaxLetter, []string{"council tax", "hmrc", "tax", "taxes", "finanzamt", "steuer", "steuerbescheid", "grundsteuer", "impots", "impot",
		"taxe", "taxe d habitation", "taxe fonciere", "direction generale des finances", "agencia tributaria", "hacienda", "impuesto", "ibi",
		"agenzia delle entrate", "imposta", "tributi", "tari", "financas", "autoridade tributaria", "imposto", "imi", "belastingdienst",
		"belasting", "gemeentelijke belastingen", "urzad skarbowy", "podatek", "receita federal", "iptu", "irs", "revenue", "property tax"}},
	{KindBankStatement, []string{"account statement", "statement of account", "bank statement", "sort code", "iban", "bic", "opening balance",
		"closing balance", "kontoauszug", "girokonto", "releve de compte", "solde", "extracto", "extracto bancario", "saldo", "estratto conto",
		"extrato", "extrato bancario", "rekeningafschrift", "wyciag", "wyciag bankowy", "rachunek", "bank"}},
	{KindUtilityBill, []string{"electricity", "gas", "water", "energy", "kwh", "broadband", "mobile", "telephone", "phone bill", "internet",
		"strom", "stromrechnung", "erdgas", "wasser", "energie", "stadtwerke", "mobilfunk", "telefon", "festnetz", "electricite", "facture",
		"eau", "gaz", "telecom", "forfait", "box internet", "luz", "agua", "electricidad", "factura", "movil", "fibra", "bolletta", "luce",
		"acqua", "energia elettrica", "telefonia", "fattura", "eletricidade", "fatura", "telemovel", "telefone", "conta de luz", "elektriciteit",
		"water", "stroom", "energierekening", "prad", "energia", "faktura", "telefonia komorkowa", "utility", "utilities"}},
	{KindGovernmentLetter, []string{"council", "city of", "county", "department", "ministry", "ministerium", "bundesagentur", "burgeramt",
		"stadt", "gemeinde", "landratsamt", "prefecture", "mairie", "caisse d allocations", "ayuntamiento", "seguridad social", "comune",
		"ministero", "inps", "camara municipal", "seguranca social", "gemeente", "rijksoverheid", "urzad", "zus", "gov", "government",
		"social security", "dvla", "department for work and pensions", "service public", "prefeitura", "ministerio", "gobierno", "governo",
		"instituto", "prestaciones", "prestacoes", "pension", "pensao", "pensione", "allocations", "allocataire", "jobcenter", "benefits",
		"state pension", "rente", "rentenversicherung", "bescheid", "uwv", "svb", "duo", "zus", "gus"}},
}

// classifyKind reads the document kind from its words: the kind with the most distinct
// words wins, ties to the earlier in the list (insurance, then tax before bank before utility
// before government, since a council tax bill also says "council"), and at least two are
// needed.
func classifyKind(text string) string {
	f := " " + strings.ReplaceAll(fold(text), ".", "") + " "
	best, bestN := KindOther, 1 // one stray word is not enough to name a kind
	for _, k := range kindWords {
		n := 0
		for _, w := range k.words {
			if strings.Contains(f, " "+w+" ") {
				n++
			}
		}
		if n > bestN {
			best, bestN = k.kind, n
		}
	}
	return best
}

var legalFormRe = regexp.MustCompile(`(?i)\b(ltd|limited|plc|llc|inc|gmbh|ag|se|s\.?a\.?|s\.?p\.?a\.?|s\.?r\.?l\.?|b\.?v\.?|n\.?v\.?|sas|sarl|lda|ltda|sp\. z o\.o\.|bank|banque|banco|council|stadtwerke|finanzamt|hmrc)\b`)

// findIssuer guesses who issued the document: the first line with a legal form or an
// institution word above the addressee block, else the first line of the page.
func findIssuer(lines []string, skip map[string]bool) string {
	first := ""
	for _, l := range lines {
		for _, s := range splitColumns(l) {
			t := s.text
			if skip[t] || len([]rune(t)) < 3 || len(t) > 80 {
				continue
			}
			if first == "" && !strings.ContainsAny(t, "0123456789") {
				first = t
			}
			if legalFormRe.MatchString(t) {
				return t
			}
		}
	}
	return first
}
