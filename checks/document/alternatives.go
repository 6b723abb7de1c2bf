package document

import (
	"math"
	"sort"
	"strings"

	"github.com/kycd/kycd/checks/document/ocrb"
	"github.com/kycd/kycd/checks/mrz"
)

// maxAltCost bounds how unlikely a substitution set may be, as the summed
// log-probability ratio of the chosen runner-ups (ln 1000 ≈ 6.9): beyond
// it, "fixing" the reading would be guessing.
const maxAltCost = 6.9

// altCandidates is how many of the least certain cells are considered.
const altCandidates = 10

type altCell struct {
	line, col int
	to        byte
	cost      float64
}

// searchAlternatives is check-digit-guided repair that knows what the
// classifier saw: it swaps the least certain cells of check-protected
// fields for their runner-up class (within the position's mask), one or two
// at a time, cheapest first, and returns the first reading whose check
// digits all agree. mrz.Repair only knows fixed confusion pairs (O/0, B/8…)
// and refuses ambiguous fixes; the classifier's probabilities break the tie.
func (e *Engine) searchAlternatives(rd ocrb.Reading, masks [][]string) *mrz.Result {
	var cells []altCell
	for li := range rd.Lines {
		for i := range rd.Lines[li] {
			if li >= len(masks) || i >= len(masks[li]) || !strings.ContainsAny(masks[li][i], "0123456789") {
				continue // names and state codes: no check digit can confirm a change
			}
			p := rd.Probs[li][i]
			cur := strings.IndexByte(ocrb.Alphabet, rd.Lines[li][i])
			alt := -1
			for k := range p {
				if k != cur && strings.IndexByte(masks[li][i], ocrb.Alphabet[k]) >= 0 && (alt < 0 || p[k] > p[alt]) {
					alt = k
				}
			}
			if alt < 0 || p[alt] <= 0 {
				continue
			}
			cost := math.Log(float64(p[cur])) - math.Log(float64(p[alt]))
			if cost < maxAltCost {
				cells = append(cells, altCell{li, i, ocrb.Alphabet[alt], cost})
			}
		}
	}
	sort.Slice(cells, func(a, b int) bool { return cells[a].cost < cells[b].cost })
	if len(cells) > altCandidates {
		cells = cells[:altCandidates]
	}
	type combo struct {
		idx  []int
		cost float64
	}
	var combos []combo
	for a := range cells {
		combos = append(combos, combo{[]int{a}, cells[a].cost})
		for b := a + 1; b < len(cells); b++ {
			if c := cells[a].cost + cells[b].cost; c < maxAltCost {
				combos = append(combos, combo{[]int{a, b}, c})
			}
		}
	}
	sort.SliceStable(combos, func(a, b int) bool { return combos[a].cost < combos[b].cost })
	for _, cb := range combos {
		lines := make([][]byte, len(rd.Lines))
		for li, l := range rd.Lines {
			lines[li] = []byte(l)
		}
		var corr []mrz.Correction
		for _, k := range cb.idx {
			c := cells[k]
			corr = append(corr, mrz.Correction{Line: c.line, Col: c.col, From: string(lines[c.line][c.col]), To: string(c.to)})
			lines[c.line][c.col] = c.to
		}
		strs := make([]string, len(lines))
		for li, l := range lines {
			strs[li] = string(l)
		}
		res, err := mrz.Parse(strs, e.mrzOpts...)
		if err == nil && checksOK(res) {
			res.Corrections = append(res.Corrections, corr...)
			return res
		}
	}
	return nil
}

// stateFields are the (line, column) starts of three-letter state codes.
func stateFields(lines, n int) [][2]int {
	switch {
	case lines == 3 && n == 30:
		return [][2]int{{0, 2}, {1, 15}}
	case lines == 2 && (n == 36 || n == 44):
		return [][2]int{{0, 2}, {1, 10}}
	}
	return nil
}

// fixStates replaces a state code that is not a known ICAO code with the
// most probable known code among each cell's three best letters. No check
// digit covers state codes, but the closed list of codes does.
func (e *Engine) fixStates(rd *ocrb.Reading, masks [][]string) {
	if len(rd.Lines) == 0 {
		return
	}
	known := func(code string) bool {
		if _, ok := mrz.CountryName(code); ok {
			return true
		}
		return e.cfg.AllowSpecimen && mrz.IsSpecimenCode(code)
	}
	for _, f := range stateFields(len(rd.Lines), len(rd.Lines[0])) {
		li, col := f[0], f[1]
		if li >= len(rd.Lines) || col+3 > len(rd.Lines[li]) {
			continue
		}
		if known(rd.Lines[li][col : col+3]) {
			continue
		}
		type opt struct {
			c    byte
			cost float64
		}
		var opts [3][]opt
		for k := 0; k < 3; k++ {
			p := rd.Probs[li][col+k]
			allowed := masks[li][col+k]
			cur := strings.IndexByte(ocrb.Alphabet, rd.Lines[li][col+k])
			for ci := 0; ci < len(ocrb.Alphabet); ci++ {
				if strings.IndexByte(allowed, ocrb.Alphabet[ci]) < 0 || p[ci] <= 0 {
					continue
				}
				opts[k] = append(opts[k], opt{ocrb.Alphabet[ci], math.Log(float64(p[cur])) - math.Log(float64(p[ci]))})
			}
			sort.Slice(opts[k], func(a, b int) bool { return opts[k][a].cost < opts[k][b].cost })
			if len(opts[k]) > 3 {
				opts[k] = opts[k][:3]
			}
		}
		best, bestCost := "", maxAltCost
		for _, a := range opts[0] {
			for _, b := range opts[1] {
				for _, c := range opts[2] {
					cost := a.cost + b.cost + c.cost
					code := string([]byte{a.c, b.c, c.c})
					if cost < bestCost && known(code) {
						best, bestCost = code, cost
					}
				}
			}
		}
		if best != "" {
			rd.Lines[li] = rd.Lines[li][:col] + best + rd.Lines[li][col+3:]
			for k := 0; k < 3; k++ {
				rd.Conf[li][col+k] = rd.Probs[li][col+k][strings.IndexByte(ocrb.Alphabet, best[k])]
			}
		}
	}
}

// unprotectedMinConf is the lowest confidence among characters no check
// digit covers (names, state codes, document code, sex): an error there
// would pass every check, so the reading is only trusted if all are sure.
func unprotectedMinConf(rd ocrb.Reading, masks [][]string) float64 {
	m := 1.0
	for li := range rd.Lines {
		for i := range rd.Lines[li] {
			if li < len(masks) && i < len(masks[li]) && strings.ContainsAny(masks[li][i], "0123456789") {
				continue
			}
			m = math.Min(m, float64(rd.Conf[li][i]))
		}
	}
	return m
}
