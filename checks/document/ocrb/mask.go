package ocrb

import "strings"

// Character classes of MRZ positions (ICAO 9303 parts 4–7).
const (
	setLetters = "<ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	setDigits  = "0123456789"
	setDigitsF = "<0123456789" // digits or filler (unknown dates, empty check digits)
	setSex     = "<FMX"
	setAny     = Alphabet
)

// span fills positions [from, to) of a mask with one set.
type span struct {
	from, to int
	set      string
}

func build(n int, spans ...span) []string {
	m := make([]string, n)
	for i := range m {
		m[i] = setAny
	}
	for _, s := range spans {
		for i := s.from; i < s.to && i < n; i++ {
			m[i] = s.set
		}
	}
	return m
}

// Masks returns the allowed characters of every position of an MRZ with the
// given line count and length, given the document code's first letter (read
// unconstrained first: P/I/A/C/V). Names and states can only be letters,
// dates only digits: deciding a cell among the allowed classes is where the
// classifier beats generic O/0 and I/1 substitution tables, since it knows
// how confident it was of each alternative.
func Masks(lines, n int, docCode byte, line1 string) [][]string {
	header := []span{{0, 1, setLetters[1:]}, {1, 2, setLetters}, {2, 5, setLetters}}
	switch {
	case lines == 3 && n == 30: // TD1
		return [][]string{
			build(30, append(header, span{14, 15, setDigitsF})...),
			build(30, span{0, 7, setDigitsF}, span{7, 8, setSex}, span{8, 15, setDigitsF},
				span{15, 18, setLetters}, span{29, 30, setDigits}),
			build(30, span{0, 30, setLetters}),
		}
	case lines == 2 && (n == 36 || n == 44):
		if n == 36 && strings.HasPrefix(line1, "IDFRA") {
			// French 1988 ID card: its own layout; only the header is fixed.
			return [][]string{build(36, header...), build(36)}
		}
		l1 := build(n, append(header, span{5, n, setLetters})...)
		l2 := []span{{9, 10, setDigitsF}, {10, 13, setLetters}, {13, 20, setDigitsF},
			{20, 21, setSex}, {21, 28, setDigitsF}}
		if docCode != 'V' {
			if n == 44 {
				l2 = append(l2, span{42, 43, setDigitsF}, span{43, 44, setDigits})
			} else {
				l2 = append(l2, span{35, 36, setDigits})
			}
		}
		return [][]string{l1, build(n, l2...)}
	}
	out := make([][]string, lines)
	for i := range out {
		out[i] = build(n)
	}
	return out
}

// lookalikes maps a character to the one it is drawn like in MRZ fonts
// that do not follow OCR-B closely (ICAO's own examples draw O as 0).
var lookalikes = map[byte]byte{
	'0': 'O', 'O': '0', '1': 'I', 'I': '1', '8': 'B', 'B': '8',
	'5': 'S', 'S': '5', '2': 'Z', 'Z': '2', '6': 'G', 'G': '6',
}

// Decode picks each cell's most probable class among those its mask allows.
// Conf is then the probability of the chosen class, plus that of the
// overall favourite when the mask forbids the favourite and the choice is
// its lookalike: a confident '0' where only letters may stand is an 'O'.
func (rd *Reading) Decode(masks [][]string) {
	rd.MinConf, rd.MeanConf = 1, 0
	var sum float64
	var cnt int
	for li := range rd.Lines {
		line := []byte(rd.Lines[li])
		for i := range line {
			allowed := setAny
			if li < len(masks) && i < len(masks[li]) {
				allowed = masks[li][i]
			}
			p := rd.Probs[li][i]
			best, top := -1, 0
			for k := 0; k < len(Alphabet); k++ {
				if p[k] > p[top] {
					top = k
				}
				if strings.IndexByte(allowed, Alphabet[k]) < 0 {
					continue
				}
				if best < 0 || p[k] > p[best] {
					best = k
				}
			}
			line[i] = Alphabet[best]
			conf := p[best]
			// Only the lookalike of the forbidden favourite inherits its
			// mass; choosing by the sum instead once turned a U the
			// classifier half-read as 0 into a confident O.
			if top != best && lookalikes[Alphabet[top]] == Alphabet[best] {
				conf = min(conf+p[top], 1)
			}
			rd.Conf[li][i] = conf
			sum += float64(conf)
			cnt++
			rd.MinConf = min(rd.MinConf, float64(conf))
		}
		rd.Lines[li] = string(line)
	}
	if cnt > 0 {
		rd.MeanConf = sum / float64(cnt)
	}
}
