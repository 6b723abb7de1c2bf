package address

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
)

// OCR confuses a few letters and digits in small print ("M14 OYT" for "M14 0YT", "D@2" for
// "D02"). A postcode format says which positions hold a digit and which a letter, so such a
// slip can be undone — but only towards the postcode the applicant declared, and only one
// character per postcode: a misread of the declared postcode is repaired, a different
// postcode never becomes the declared one (its other characters would differ too), and a
// reading that is already a valid postcode is never touched.

// ocrDigitFor maps characters OCR reads for a digit to that digit; ocrLetterFor maps digits
// read for a letter back to it.
var (
	ocrDigitFor  = map[byte]byte{'O': '0', 'Q': '0', 'D': '0', '@': '0', 'U': '0', 'I': '1', 'L': '1', '|': '1', '!': '1', 'Z': '2', 'S': '5', 'G': '6', 'B': '8', 'T': '7'}
	ocrLetterFor = map[byte]byte{'0': 'O', '1': 'I', '2': 'Z', '5': 'S', '6': 'G', '7': 'T', '8': 'B'}
)

var lenientOnce sync.Map // *rule → *regexp.Regexp

// lenient is the rule's postcode pattern with every character class widened by the characters
// OCR reads in its place: [0-9] also takes O, Q, D, @…; a letter class also takes 0, 1, 5….
func (r *rule) lenient() *regexp.Regexp {
	if re, ok := lenientOnce.Load(r); ok {
		return re.(*regexp.Regexp)
	}
	re := r.postcode
	if tree, err := syntax.Parse(r.postcode.String(), syntax.Perl); err == nil {
		widen(tree)
		if c, err := regexp.Compile(tree.String()); err == nil {
			re = c
		}
	}
	lenientOnce.Store(r, re)
	return re
}

func widen(re *syntax.Regexp) {
	if re.Op == syntax.OpCharClass {
		var extra []rune
		has := func(c rune) bool {
			for i := 0; i+1 < len(re.Rune); i += 2 {
				if re.Rune[i] <= c && c <= re.Rune[i+1] {
					return true
				}
			}
			return false
		}
		for ch, d := range ocrDigitFor {
			if has(rune(d)) && !has(rune(ch)) {
				extra = append(extra, rune(ch), rune(ch))
			}
		}
		for d, ch := range ocrLetterFor {
			if has(rune(ch)) && !has(rune(d)) {
				extra = append(extra, rune(d), rune(d))
			}
		}
		re.Rune = append(re.Rune, extra...)
	}
	for _, s := range re.Sub {
		widen(s)
	}
}

// repairPostcode returns line with one OCR confusion inside a postcode undone when that makes
// it the declared postcode want (canonical), and what was read there; ok is false when the
// line already holds a valid postcode or no single repair gives want.
func (r *rule) repairPostcode(line, want string) (fixed, read string, ok bool) {
	if want == "" {
		return "", "", false
	}
	if _, _, valid := r.findPostcode(line); valid {
		return "", "", false
	}
	up := strings.ToUpper(line)
	if len(up) != len(line) {
		return "", "", false // a case change moved bytes: offsets into line would be wrong
	}
	ms := r.lenient().FindAllStringIndex(up, -1)
	for i := len(ms) - 1; i >= 0; i-- {
		m := ms[i]
		cand := []byte(up[m[0]:m[1]])
		for j, ch := range cand {
			for _, sub := range [2]byte{ocrDigitFor[ch], ocrLetterFor[ch]} {
				if sub == 0 {
					continue
				}
				cand[j] = sub
				if c, valid := r.Postcode(string(cand)); valid && c == want {
					return line[:m[0]] + string(cand) + line[m[1]:], line[m[0]:m[1]], true
				}
				cand[j] = ch
			}
		}
	}
	return "", "", false
}
