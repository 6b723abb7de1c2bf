package mrz

import "fmt"

// checkWeights are the ICAO 9303 part 3 (4.9) weights, repeated over the data.
var checkWeights = [3]int{7, 3, 1}

// charValue is the numeric value ICAO assigns to an MRZ character:
// digits are themselves, A–Z are 10–35 and the filler '<' is 0.
func charValue(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10, true
	case c == '<':
		return 0, true
	}
	return 0, false
}

// CheckDigitOf computes the ICAO 9303 7-3-1 check digit of s. It fails, naming
// the position, when s holds a character outside A–Z, 0–9 and '<'.
func CheckDigitOf(s string) (int, error) {
	sum := 0
	for i := 0; i < len(s); i++ {
		v, ok := charValue(s[i])
		if !ok {
			return 0, fmt.Errorf("check digit: invalid character %q at position %d", s[i], i)
		}
		sum += v * checkWeights[i%3]
	}
	return sum % 10, nil
}
