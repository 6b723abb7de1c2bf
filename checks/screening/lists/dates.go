package lists

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

var months = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var (
	reISO     = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})`)
	reISOYM   = regexp.MustCompile(`^(\d{4})-(\d{1,2})$`)
	reDMY     = regexp.MustCompile(`^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$`)
	reDMonY   = regexp.MustCompile(`^(\d{1,2})[ -]([A-Za-z]+)\.?[ -](\d{4})$`)
	reMonY    = regexp.MustCompile(`^([A-Za-z]+)\.?[ -](\d{4})$`)
	reYear    = regexp.MustCompile(`^(\d{4})$`)
	reRange   = regexp.MustCompile(`^(\d{4})\s*(?:to|-|–)\s*(\d{4})$`)
	reDateSep = regexp.MustCompile(`\s*(?:;|,| and |\(\d\)\s*)\s*`)
)

// ParseDates reads the date-of-birth notations the lists use ("10 Dec 1948", "Dec 1948",
// "circa 1958", "1960 to 1962", "21/02/1924", "00/00/1943", "1924-02-21") and returns them as
// YYYY-MM-DD, YYYY-MM or YYYY. A range becomes its years (at most 11), because screening compares
// years. Unreadable text yields nothing rather than a guess.
func ParseDates(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var out []string
	for _, part := range reDateSep.Split(s, -1) {
		out = append(out, parseOneDate(part)...)
	}
	return out
}

func parseOneDate(s string) []string {
	s = strings.TrimSpace(strings.Trim(s, "()."))
	low := strings.ToLower(s)
	for _, p := range []string{"circa ", "approximately ", "approx. ", "approx ", "about ", "ca. ", "c. "} {
		low = strings.TrimPrefix(low, p)
	}
	low = strings.TrimSpace(low)
	if m := reISO.FindStringSubmatch(low); m != nil {
		return ymd(m[1], m[2], m[3])
	}
	if m := reISOYM.FindStringSubmatch(low); m != nil {
		return ymd(m[1], m[2], "0")
	}
	if m := reDMY.FindStringSubmatch(low); m != nil {
		return ymd(m[3], m[2], m[1])
	}
	if m := reDMonY.FindStringSubmatch(low); m != nil {
		if mo, ok := months[m[2]]; ok {
			return ymd(m[3], strconv.Itoa(mo), m[1])
		}
		return nil
	}
	if m := reMonY.FindStringSubmatch(low); m != nil {
		if mo, ok := months[m[1]]; ok {
			return ymd(m[2], strconv.Itoa(mo), "0")
		}
		return nil
	}
	if m := reYear.FindStringSubmatch(low); m != nil {
		return ymd(m[1], "0", "0")
	}
	if m := reRange.FindStringSubmatch(low); m != nil {
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		if a > b || b-a > 10 {
			return nil
		}
		var out []string
		for y := a; y <= b; y++ {
			out = append(out, strconv.Itoa(y))
		}
		return out
	}
	return nil
}

// ymd formats a date, dropping a zero day or month ("00/00/1943" is year-only on the UK list).
func ymd(y, m, d string) []string {
	yi, err1 := strconv.Atoi(y)
	mi, err2 := strconv.Atoi(m)
	di, err3 := strconv.Atoi(d)
	if err1 != nil || err2 != nil || err3 != nil || yi < 1850 || yi > 2100 || mi < 0 || mi > 12 || di < 0 || di > 31 {
		return nil
	}
	switch {
	case mi == 0:
		return []string{fmt.Sprintf("%04d", yi)}
	case di == 0:
		return []string{fmt.Sprintf("%04d-%02d", yi, mi)}
	}
	return []string{fmt.Sprintf("%04d-%02d-%02d", yi, mi, di)}
}
