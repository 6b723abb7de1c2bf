package mrz

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// letterToDigit are the OCR-B confusions of a letter for a digit. In a
// position that can only hold a digit (dates, check digits) the substitution
// is forced; elsewhere a check digit must confirm it.
var letterToDigit = map[byte]byte{'O': '0', 'D': '0', 'Q': '0', 'I': '1', 'B': '8', 'S': '5', 'Z': '2', 'G': '6'}

// digitToLetter is the reverse, for positions that can only hold letters.
var digitToLetter = map[byte]byte{'0': 'O', '1': 'I', '8': 'B', '5': 'S', '2': 'Z', '6': 'G'}

// fillerLookalikes are what OCR engines typically make of the '<' glyph.
const fillerLookalikes = "KXC"

// Repair reads OCR output of an MRZ. It normalises what OCR typically gets
// wrong — case, spaces inside lines, '«' for "<<", K/X/C read for fillers,
// lines one or two characters too long or short, stray text around the MRZ —
// and then fixes character confusions (O/0, I/1, B/8, S/5, Z/2, G/6, D/0,
// Q/0) only where the position's character class forces the fix or a check
// digit confirms it, preferring the fewest substitutions. Every substitution
// and every inserted or removed filler is listed in Result.Corrections
// (upper-casing, dropping whitespace and expanding '«' are normalisation and
// are not listed). The result is Valid only when all check
// digits agree after repair; otherwise it is returned invalid with the
// failing checks in Result.Errors. An error is returned only when no MRZ
// shape can be found in the input.
func Repair(lines []string, opts ...Option) (*Result, error) {
	cfg := newConfig(opts)
	work, width, err := selectLines(lines)
	if err != nil {
		return nil, err
	}
	var best *Result
	for _, cand := range lengthVariants(work, width) {
		r := repairExact(cand, cfg)
		if best == nil || better(r, best) {
			best = r
		}
	}
	return best, nil
}

// better ranks repair candidates: more agreeing check digits, then fewer
// validation errors, then fewer changes (prefer no change).
func better(a, b *Result) bool {
	if a.validChecks() != b.validChecks() {
		return a.validChecks() > b.validChecks()
	}
	if len(a.Errors) != len(b.Errors) {
		return len(a.Errors) < len(b.Errors)
	}
	return len(a.Corrections) < len(b.Corrections)
}

// workLine is a line under repair that remembers its corrections in the
// line's current coordinates.
type workLine struct {
	s    []byte
	corr []Correction
}

func (w *workLine) clone() *workLine {
	return &workLine{s: append([]byte(nil), w.s...), corr: append([]Correction(nil), w.corr...)}
}

func (w *workLine) set(col int, to byte) {
	from := w.s[col]
	if from == to {
		return
	}
	w.s[col] = to
	for i := range w.corr {
		if w.corr[i].Col == col && w.corr[i].To == string(from) && w.corr[i].From != "" {
			w.corr[i].To = string(to)
			return
		}
	}
	w.corr = append(w.corr, Correction{Col: col, From: string(from), To: string(to)})
}

func (w *workLine) insert(col int, ch byte) {
	w.s = append(w.s[:col], append([]byte{ch}, w.s[col:]...)...)
	for i := range w.corr {
		if w.corr[i].Col >= col {
			w.corr[i].Col++
		}
	}
	w.corr = append(w.corr, Correction{Col: col, From: "", To: string(ch)})
}

func (w *workLine) remove(col int) {
	ch := w.s[col]
	w.s = append(w.s[:col], w.s[col+1:]...)
	for i := range w.corr {
		if w.corr[i].Col > col {
			w.corr[i].Col--
		}
	}
	w.corr = append(w.corr, Correction{Col: col, From: string(ch), To: ""})
}

// cleaned is one input line in the two readings of its inner spaces.
type cleaned struct {
	dropped, asFiller *workLine
}

// cleanLine upper-cases, maps filler look-alike glyphs and drops characters
// that cannot occur in an MRZ. Spaces are either OCR noise (dropped) or a
// run of fillers read as blanks (asFiller); selectLines keeps whichever fits.
func cleanLine(s string) cleaned {
	s = strings.ToUpper(strings.TrimSpace(s))
	repl := strings.NewReplacer("«", "<<", "≪", "<<", "‹", "<", "＜", "<")
	s = repl.Replace(s)
	var a, b []byte
	for _, r := range s {
		switch {
		case r < unicode.MaxASCII && (r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '<'):
			a, b = append(a, byte(r)), append(b, byte(r))
		case unicode.IsSpace(r):
			b = append(b, '<')
		}
	}
	return cleaned{dropped: &workLine{s: a}, asFiller: &workLine{s: b}}
}

// maxLengthSlack is how many characters a line may be off its format width.
const maxLengthSlack = 2

type shape struct{ lines, width int }

var shapes = []shape{{3, 30}, {2, 36}, {2, 44}}

// selectLines finds the MRZ in OCR text: the last run of 2 or 3 lines whose
// lengths fit one format within maxLengthSlack. A single line of exactly
// 90, 72 or 88 characters (a concatenated MRZ) is split.
func selectLines(lines []string) ([]*workLine, int, error) {
	var cl []cleaned
	for _, ln := range lines {
		for _, part := range splitLines(ln) {
			if c := cleanLine(part); len(c.dropped.s) > 0 {
				cl = append(cl, c)
			}
		}
	}
	if len(cl) == 1 {
		s := cl[0].dropped.s
		for _, sh := range shapes {
			if len(s) == sh.lines*sh.width {
				out := make([]*workLine, sh.lines)
				for i := range out {
					out[i] = &workLine{s: append([]byte(nil), s[i*sh.width:(i+1)*sh.width]...)}
				}
				return out, sh.width, nil
			}
		}
	}
	var best []*workLine
	bestDev, bestWidth := -1, 0
	for start := range cl {
		for _, sh := range shapes {
			if start+sh.lines > len(cl) {
				continue
			}
			dev, ok := 0, true
			pick := make([]*workLine, sh.lines)
			for i := 0; i < sh.lines && ok; i++ {
				c := cl[start+i]
				d1, d2 := absInt(len(c.dropped.s)-sh.width), absInt(len(c.asFiller.s)-sh.width)
				// Spaces are usually OCR word breaks; read them as fillers
				// only when dropping them cannot give the format's width.
				pick[i], dev = c.dropped, dev+d1
				if d1 > maxLengthSlack && d2 < d1 {
					pick[i], dev = c.asFiller, dev-d1+d2
				}
				ok = min(d1, d2) <= maxLengthSlack
			}
			// The MRZ sits at the bottom of a document: on equal fit prefer the later run.
			if ok && (bestDev < 0 || dev <= bestDev) {
				best, bestDev, bestWidth = pick, dev, sh.width
				for i := range best {
					best[i] = best[i].clone()
				}
			}
		}
	}
	if best == nil {
		return nil, 0, shapeError(linesOf(cl))
	}
	return best, bestWidth, nil
}

func linesOf(cl []cleaned) []string {
	out := make([]string, len(cl))
	for i, c := range cl {
		out[i] = string(c.dropped.s)
	}
	return out
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// maxVariantsPerLine bounds the length-repair search (runs × lines).
const maxVariantsPerLine = 6

// lengthVariants brings every line to its format width by inserting or
// deleting fillers inside one run of '<' (where OCR most often miscounts)
// or, failing that, at the end of the line. All combinations are returned
// for the check digits to choose from.
func lengthVariants(work []*workLine, width int) [][]*workLine {
	perLine := make([][]*workLine, len(work))
	for i, w := range work {
		perLine[i] = lineVariants(w, width)
	}
	combos := [][]*workLine{nil}
	for _, vs := range perLine {
		var next [][]*workLine
		for _, c := range combos {
			for _, v := range vs {
				next = append(next, append(append([]*workLine(nil), c...), v))
			}
		}
		combos = next
	}
	return combos
}

func lineVariants(w *workLine, width int) []*workLine {
	d := width - len(w.s)
	if d == 0 {
		return []*workLine{w}
	}
	var out []*workLine
	runs := fillerRuns(w.s)
	// Longest runs first: a long filler run is where a miscount is likeliest.
	sort.SliceStable(runs, func(i, j int) bool { return runs[i][1]-runs[i][0] > runs[j][1]-runs[j][0] })
	for _, r := range runs {
		if len(out) == maxVariantsPerLine-1 {
			break
		}
		v := w.clone()
		if d > 0 {
			for k := 0; k < d; k++ {
				v.insert(r[1], '<')
			}
		} else {
			if r[1]-r[0] < -d {
				continue
			}
			for k := 0; k < -d; k++ {
				v.remove(r[1] - 1 - k)
			}
		}
		out = append(out, v)
	}
	v := w.clone()
	for len(v.s) < width {
		v.insert(len(v.s), '<')
	}
	for len(v.s) > width {
		v.remove(len(v.s) - 1)
	}
	return append(out, v)
}

// fillerRuns returns [start,end) of every maximal run of '<'.
func fillerRuns(s []byte) [][2]int {
	var runs [][2]int
	for i := 0; i < len(s); {
		if s[i] != '<' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '<' {
			j++
		}
		runs = append(runs, [2]int{i, j})
		i = j
	}
	return runs
}

// repairExact repairs lines that already have a format's exact shape.
func repairExact(in []*workLine, cfg *config) *Result {
	w := make([]*workLine, len(in))
	for i := range in {
		w[i] = in[i].clone()
	}
	l := layoutForRepair(w)
	normaliseFillers(w, l)
	orig := strs(w)
	forceClasses(w, l)
	fixCodes(w, l, orig)
	var notes []string
	for _, g := range checkGroups(w, l) {
		if n := searchGroup(w, l, g, cfg); n != "" {
			notes = append(notes, n)
		}
	}
	r := l.parse(strs(w), cfg)
	r.Errors = append(r.Errors, notes...)
	r.Valid = len(r.Errors) == 0
	for i, wl := range w {
		for _, c := range wl.corr {
			c.Line = i
			r.Corrections = append(r.Corrections, c)
		}
	}
	sort.SliceStable(r.Corrections, func(i, j int) bool {
		a, b := r.Corrections[i], r.Corrections[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return r
}

func strs(w []*workLine) []string {
	out := make([]string, len(w))
	for i := range w {
		out[i] = string(w[i].s)
	}
	return out
}

// layoutForRepair chooses the layout like Parse does, but reads the
// document code and issuer with digits mapped to letters, so "1DFRA" is
// recognised as the French card and "V" is not missed.
func layoutForRepair(w []*workLine) *layout {
	head := make([]byte, 5)
	for i := range head {
		c := w[0].s[i]
		if m, ok := digitToLetter[c]; ok {
			c = m
		}
		head[i] = c
	}
	probe := []string{string(head) + strings.Repeat("<", len(w[0].s)-5)}
	for _, x := range w[1:] {
		probe = append(probe, string(x.s))
	}
	return layoutFor(probe)
}

// normaliseFillers turns K/X/C runs that sit inside filler runs back into
// '<': at most 3 look-alikes, with at least two '<' before them and a '<' or
// the end of the field after. A single letter between single fillers is left
// alone, because names have initials ("KATIA<E<<").
func normaliseFillers(w []*workLine, l *layout) {
	for _, fs := range l.fields {
		if fs.cls == clsCheck || fs.cls == clsSex {
			continue
		}
		s := w[fs.line].s
		for i := fs.start; i < fs.end; {
			if !strings.ContainsRune(fillerLookalikes, rune(s[i])) {
				i++
				continue
			}
			j := i
			for j < fs.end && strings.ContainsRune(fillerLookalikes, rune(s[j])) {
				j++
			}
			leftOK := i-2 >= fs.start && s[i-1] == '<' && s[i-2] == '<'
			rightOK := j == fs.end || s[j] == '<'
			if leftOK && rightOK && j-i <= 3 {
				for k := i; k < j; k++ {
					w[fs.line].set(k, '<')
				}
			}
			i = j
		}
	}
}

// forceClasses applies the substitutions a position's class leaves no
// choice about: digits in names and codes become letters, letters in dates
// and check digits become digits, and a filler look-alike in a check-digit
// position becomes '<'.
func forceClasses(w []*workLine, l *layout) {
	for i, row := range l.grid {
		for c, cls := range row {
			ch := w[i].s[c]
			switch cls {
			case clsAlpha:
				if m, ok := digitToLetter[ch]; ok {
					w[i].set(c, m)
				}
			case clsNum:
				if m, ok := letterToDigit[ch]; ok {
					w[i].set(c, m)
				}
			case clsCheck:
				if m, ok := letterToDigit[ch]; ok {
					w[i].set(c, m)
				} else if strings.IndexByte(fillerLookalikes, ch) >= 0 {
					w[i].set(c, '<')
				}
			}
		}
	}
}

// fixCodes handles a 0 read in a state code, which forceClasses turned into
// O: D and Q are as likely, and the code list decides. The reading is
// changed only when exactly one of them gives a known code.
func fixCodes(w []*workLine, l *layout, orig []string) {
	for _, id := range []fieldID{fIssuing, fNationality} {
		fs := l.field(id)
		if fs == nil {
			continue
		}
		cur := string(w[fs.line].s[fs.start:fs.end])
		if _, ok := CountryName(cur); ok || IsSpecimenCode(cur) {
			continue
		}
		var zeros []int
		for c := fs.start; c < fs.end; c++ {
			if orig[fs.line][c] == '0' {
				zeros = append(zeros, c)
			}
		}
		if len(zeros) != 1 {
			continue
		}
		var hits []byte
		for _, alt := range []byte{'D', 'Q'} {
			b := []byte(cur)
			b[zeros[0]-fs.start] = alt
			if _, ok := CountryName(string(b)); ok {
				hits = append(hits, alt)
			}
		}
		if len(hits) == 1 {
			w[fs.line].set(zeros[0], hits[0])
		}
	}
}

type pos struct{ line, col int }

// group is a set of alphanumeric positions protected by one check digit.
type group struct {
	check     string
	positions []pos
}

// checkGroups lists the fields whose own check digit can arbitrate between
// a letter and a digit.
func checkGroups(w []*workLine, l *layout) []group {
	var gs []group
	add := func(check string, ps []pos) {
		gs = append(gs, group{check: check, positions: ps})
	}
	if l.format == FormatFRAID {
		add("document_number", spanPositions(l, span{1, 0, 12}))
		return gs
	}
	doc := l.field(fDocNum)
	ps := spanPositions(l, doc.span)
	if l.format == FormatTD1 || l.format == FormatTD2 {
		cd := l.field(fDocNumCD)
		opt := l.field(fOpt1)
		if w[cd.line].s[cd.start] == '<' {
			o := w[opt.line].s[opt.start:opt.end]
			if k := strings.IndexByte(string(o), '<'); k > 1 {
				ps = append(ps, spanPositions(l, span{opt.line, opt.start, opt.start + k - 1})...)
			}
		}
	}
	add("document_number", ps)
	if p := l.field(fPersonal); p != nil {
		add("personal_number", spanPositions(l, p.span))
	}
	return gs
}

// spanPositions lists the alphanumeric positions of s.
func spanPositions(l *layout, s span) []pos {
	var ps []pos
	for c := s.start; c < s.end; c++ {
		if l.grid[s.line][c] == clsAlnum {
			ps = append(ps, pos{s.line, c})
		}
	}
	return ps
}

// alternatives are the other readings OCR confusion allows for ch in an
// alphanumeric position. G↔6 is left out on purpose: the two differ by 10 in
// value, so no 7-3-1 check digit can tell them apart. A digit 0 is only read
// back as O (a letter D or Q printed as 0 is rare enough that offering it
// would mostly add chances for a wrong digit to agree).
func alternatives(ch byte) []byte {
	if ch == '6' || ch == 'G' {
		return nil
	}
	if m, ok := letterToDigit[ch]; ok {
		return []byte{m}
	}
	if m, ok := digitToLetter[ch]; ok {
		return []byte{m}
	}
	return nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// confusables lists the positions of ps holding a character with an OCR
// alternative. With isolatedOnly it keeps just the suspects: characters
// whose class disagrees with both neighbours inside the field (a letter
// between digits or a digit between letters), the pattern a misread leaves.
func confusables(w []*workLine, ps []pos, isolatedOnly bool) []pos {
	var out []pos
	for i, p := range ps {
		ch := w[p.line].s[p.col]
		if len(alternatives(ch)) == 0 {
			continue
		}
		isolated, besideFiller, neighbours := true, false, 0
		for _, j := range []int{i - 1, i + 1} {
			if j < 0 || j >= len(ps) {
				continue
			}
			n := w[ps[j].line].s[ps[j].col]
			if n == '<' {
				besideFiller = true
				continue
			}
			neighbours++
			if isDigit(n) == isDigit(ch) {
				isolated = false
			}
		}
		// Only an interior character has the context to look misread: at a
		// field edge a lone letter or digit is normal (prefixes, suffixes),
		// and trying edges doubles the chances of a chance agreement.
		isolated = isolated && neighbours == 2
		// '0' and '<' have the same value (0), so next to a filler a
		// letter read as 0 could as well be a filler: no digit decides.
		if besideFiller && letterToDigit[ch] == '0' {
			continue
		}
		if isolated || !isolatedOnly {
			out = append(out, p)
		}
	}
	return out
}

// maxSuspectsForPairs keeps the two-substitution search small.
const maxSuspectsForPairs = 6

type sub struct {
	p  pos
	to byte
}

// searchGroup repairs a field whose check digit fails. It tries the fewest
// substitutions among the field's suspects (one, then — as one systematic
// misreading — two) and applies a candidate only when the check digit
// singles it out: exactly one suspect candidate works, and no other reading
// of any confusable character in the field with as many substitutions works
// either. Otherwise the digit cannot decide and a note saying so is
// returned; the field stays as read and the result invalid.
func searchGroup(w []*workLine, l *layout, g group, cfg *config) string {
	if c := l.parse(strs(w), cfg).check(g.check); c == nil || c.Valid {
		return ""
	}
	sus := confusables(w, g.positions, true)
	limit := cfg.maxAlnumRepair
	if len(sus) > maxSuspectsForPairs && limit > 1 {
		limit = 1
	}
	broad := confusables(w, g.positions, false)
	for k := 1; k <= limit; k++ {
		found := solutions(w, l, g.check, sus, k, cfg, 2)
		if len(found) == 0 {
			continue
		}
		all := solutions(w, l, g.check, broad, k, cfg, 2)
		if len(found) > 1 || len(all) > 1 {
			return fmt.Sprintf("%s: several OCR readings with %d substitution(s) satisfy the check digit; not guessing", g.check, k)
		}
		for _, s := range found[0] {
			w[s.p.line].set(s.p.col, s.to)
		}
		return ""
	}
	return ""
}

// solutions returns up to max sets of k substitutions at positions ps that
// make check agree. Several substitutions must be one systematic misreading
// (the same character read the same wrong way); unrelated changes together
// are too likely to satisfy a digit by chance.
func solutions(w []*workLine, l *layout, check string, ps []pos, k int, cfg *config, max int) [][]sub {
	var opts []sub
	for _, p := range ps {
		for _, a := range alternatives(w[p.line].s[p.col]) {
			opts = append(opts, sub{p, a})
		}
	}
	var found [][]sub
	combos(len(opts), k, func(idx []int) {
		if len(found) >= max {
			return
		}
		subs := make([]sub, len(idx))
		for i, x := range idx {
			subs[i] = opts[x]
			if i > 0 && (subs[i].p == subs[0].p || subs[i].to != subs[0].to ||
				w[subs[i].p.line].s[subs[i].p.col] != w[subs[0].p.line].s[subs[0].p.col]) {
				return
			}
		}
		lines := strs(w)
		for _, s := range subs {
			b := []byte(lines[s.p.line])
			b[s.p.col] = s.to
			lines[s.p.line] = string(b)
		}
		if c := l.parse(lines, cfg).check(check); c != nil && c.Valid {
			found = append(found, subs)
		}
	})
	return found
}

// combos calls fn with every k-subset of [0,n) in lexicographic order.
func combos(n, k int, fn func([]int)) {
	idx := make([]int, k)
	var rec func(start, depth int)
	rec = func(start, depth int) {
		if depth == k {
			fn(idx)
			return
		}
		for i := start; i <= n-(k-depth); i++ {
			idx[depth] = i
			rec(i+1, depth+1)
		}
	}
	rec(0, 0)
}
