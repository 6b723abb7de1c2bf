package mrz

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	td3Good = []string{"P<NLDERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36NLD7408122F1204159ZE184226B<<<<<10"}
	td1Good = []string{"I<NLDD231458907<<<<<<<<<<<<<<<", "7408122F1204159NLD<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}
)

// td1Two is a TD1 whose number D20145090 has two zeros among digits.
var td1Two = func() []string {
	in := sample(FormatTD1)
	in.DocumentNumber = "D20145090"
	lines, err := Compose(in)
	if err != nil {
		panic(err)
	}
	return lines
}()

func repairOK(t *testing.T, in []string, opts ...Option) *Result {
	t.Helper()
	r, err := Repair(in, append([]Option{WithNow(testToday)}, opts...)...)
	require.NoError(t, err)
	return r
}

func corr(line, col int, from, to string) Correction {
	return Correction{Line: line, Col: col, From: from, To: to}
}

// TestRepairUpstreamAutocorrect replays cheminfo/mrz's "Use autocorrect"
// vectors: the repaired MRZ must equal the clean one and the corrections
// must be the ones cheminfo lists for the same input.
func TestRepairUpstreamAutocorrect(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		bad, clean []string
		want       []Correction
	}{
		{"french id",
			[]string{"1DFRATE5T<NAME<<<<<<<<<<<<<<<<0CHE02", "I7I0GVA123451RO8ERTA<<<<<<<9IIZ3IIF2"},
			[]string{"IDFRATEST<NAME<<<<<<<<<<<<<<<<0CHE02", "1710GVA123451ROBERTA<<<<<<<9112311F2"},
			[]Correction{corr(0, 0, "1", "I"), corr(0, 7, "5", "S"), corr(1, 0, "I", "1"), corr(1, 2, "I", "1"),
				corr(1, 15, "8", "B"), corr(1, 28, "I", "1"), corr(1, 29, "I", "1"), corr(1, 30, "Z", "2"),
				corr(1, 32, "I", "1"), corr(1, 33, "I", "1")}},
		{"td2",
			[]string{"I<UTOERIK55ON<<ANNA<MAR1A<<<<<<<<<<<", "D231458907UT0740BIZZF12O4IS9<<<<<<<G"},
			[]string{"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"},
			[]Correction{corr(0, 9, "5", "S"), corr(0, 10, "5", "S"), corr(0, 23, "1", "I"), corr(1, 12, "0", "O"),
				corr(1, 16, "B", "8"), corr(1, 17, "I", "1"), corr(1, 18, "Z", "2"), corr(1, 19, "Z", "2"),
				corr(1, 23, "O", "0"), corr(1, 25, "I", "1"), corr(1, 26, "S", "5"), corr(1, 35, "G", "6")}},
		{"td3",
			[]string{"P<UT0ERIK55ON<<ANNA<MAR1A<<<<<<<<<<<<<<<<<<<", "L898902C36UTO740BIZZF12041S9ZE184226B<<<<<1O"},
			[]string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"},
			[]Correction{corr(0, 4, "0", "O"), corr(0, 9, "5", "S"), corr(0, 10, "5", "S"), corr(0, 23, "1", "I"),
				corr(1, 16, "B", "8"), corr(1, 17, "I", "1"), corr(1, 18, "Z", "2"), corr(1, 19, "Z", "2"),
				corr(1, 26, "S", "5"), corr(1, 43, "O", "0")}},
		{"td1",
			[]string{"IDCHEA1234567<6<<<<<<<<<<<<<<<", "7SIOZSGMZOO90IBCHE<<<<<<<<<<<B", "5M1TH<<J0HN<AL8ERT<<<<<<<<<<<<"},
			[]string{"IDCHEA1234567<6<<<<<<<<<<<<<<<", "7510256M2009018CHE<<<<<<<<<<<8", "SMITH<<JOHN<ALBERT<<<<<<<<<<<<"},
			nil},
	} {
		r := repairOK(t, tc.bad, WithSpecimenCodes())
		require.True(t, r.Valid, "%s: %v", tc.name, r.Errors)
		require.Equal(t, tc.clean, r.Lines, tc.name)
		if tc.want != nil {
			require.Equal(t, tc.want, r.Corrections, tc.name)
		}
		clean, err := Parse(tc.clean, WithNow(testToday), WithSpecimenCodes())
		require.NoError(t, err)
		clean.Corrections = r.Corrections
		require.Equal(t, clean, r, tc.name)
	}
}

func TestRepairRules(t *testing.T) {
	t.Parallel()
	set := func(lines []string, line, col int, s string) []string {
		out := append([]string(nil), lines...)
		out[line] = out[line][:col] + s + out[line][col+len(s):]
		return out
	}
	for _, tc := range []struct {
		name  string
		in    []string
		want  []string
		corrs []Correction
	}{
		{"clean input is untouched", td3Good, td3Good, []Correction{}},
		{"letters forced to digits in a date", set(td3Good, 1, 13, "74O8IZ"), td3Good,
			[]Correction{corr(1, 15, "O", "0"), corr(1, 17, "I", "1"), corr(1, 18, "Z", "2")}},
		{"D and Q read for 0 in a date", set(td3Good, 1, 21, "12D4"), td3Good, []Correction{corr(1, 23, "D", "0")}},
		{"digits forced to letters in codes and names", set(set(td3Good, 0, 2, "NL0"), 0, 5, "ER1K55ON"), td3Good,
			[]Correction{corr(0, 4, "0", "D"), corr(0, 7, "1", "I"), corr(0, 9, "5", "S"), corr(0, 10, "5", "S")}},
		{"letter among digits in a document number, confirmed by its check digit", set(td3Good, 1, 5, "O"), td3Good,
			[]Correction{corr(1, 5, "O", "0")}},
		{"two of the same misreading in a number", set(td1Two, 0, 5, "D2O145O90"), td1Two,
			[]Correction{corr(0, 7, "O", "0"), corr(0, 11, "O", "0")}},
		{"K read for fillers inside a name field", set(td3Good, 0, 28, "KK"), td3Good, []Correction{corr(0, 28, "K", "<"), corr(0, 29, "K", "<")}},
		{"C read for a filler at the end of a line", set(td1Good, 2, 29, "C"), td1Good, []Correction{corr(2, 29, "C", "<")}},
		{"filler look-alike in an empty personal number's check digit",
			[]string{"P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<", "C01X0006H1D<<6408125F1710319<<<<<<<<<<<<<<K0"},
			[]string{"P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<<<<<<<<<", "C01X0006H1D<<6408125F1710319<<<<<<<<<<<<<<<0"},
			[]Correction{corr(1, 42, "K", "<")}},
	} {
		r := repairOK(t, tc.in)
		require.True(t, r.Valid, "%s: %v %q", tc.name, r.Errors, r.Lines)
		require.Equal(t, tc.want, r.Lines, tc.name)
		if tc.corrs != nil {
			require.Equal(t, tc.corrs, r.Corrections, tc.name)
		}
	}
}

func TestRepairNormalisesText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []string
		want []string
	}{
		{"lower case and surrounding space", []string{"  " + strings.ToLower(td3Good[0]) + " ", td3Good[1]}, td3Good},
		{"spaces inside a line", []string{"P<NLD ERIKSSON<<ANNA <MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36 NLD7408122F1204159 ZE184226B<<<<<10"}, td3Good},
		{"guillemet for two fillers", []string{"P<NLDERIKSSON«ANNA<MARIA«<<<<<<<<<<<<<<<<<", td3Good[1]}, td3Good},
		{"text above and below the MRZ", []string{"PASSPORT", "Surname / Nom", "ERIKSSON", td3Good[0], td3Good[1]}, td3Good},
		{"one newline-separated string", []string{td1Good[0] + "\n" + td1Good[1] + "\r\n" + td1Good[2]}, td1Good},
		{"concatenated MRZ", []string{td3Good[0] + td3Good[1]}, td3Good},
		{"spaces read for fillers", []string{"P<NLDERIKSSON  ANNA MARIA<<<<<<<<<<<<<<<<<<<", td3Good[1]}, td3Good},
	} {
		r := repairOK(t, tc.in)
		require.True(t, r.Valid, "%s: %v %q", tc.name, r.Errors, r.Lines)
		require.Equal(t, tc.want, r.Lines, tc.name)
	}
}

func TestRepairLineLength(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []string
		corr Correction
	}{
		{"one filler too few in the name", []string{td3Good[0][:30] + td3Good[0][31:], td3Good[1]}, corr(0, 43, "", "<")},
		{"two fillers too many", []string{td3Good[0] + "<<", td3Good[1]}, corr(0, 44, "<", "")}, // deleted at the end
		{"filler lost in the personal number run", []string{td3Good[0], td3Good[1][:38] + td3Good[1][39:]}, corr(1, 41, "", "<")},
		{"extra filler in a TD1 optional field", []string{td1Good[0][:20] + "<" + td1Good[0][20:], td1Good[1], td1Good[2]}, corr(0, 30, "<", "")},
	} {
		r := repairOK(t, tc.in)
		require.True(t, r.Valid, "%s: %v %q", tc.name, r.Errors, r.Lines)
		want := td3Good
		if len(tc.in) == 3 {
			want = td1Good
		}
		require.Equal(t, want, r.Lines, tc.name)
		require.Contains(t, r.Corrections, tc.corr, tc.name)
	}

	_, err := Repair([]string{td3Good[0] + "<<<", td3Good[1]}, WithNow(testToday))
	require.ErrorIs(t, err, ErrNoFormat, "three characters off is not a clear format")
	_, err = Repair([]string{"hello", "world"})
	require.ErrorIs(t, err, ErrNoFormat)
	_, err = Repair(nil)
	require.ErrorIs(t, err, ErrNoFormat)
}

// TestRepairDoesNotGuess holds the line the brief draws: a repair that the
// check digits do not single out is not made.
func TestRepairDoesNotGuess(t *testing.T) {
	t.Parallel()
	t.Run("wrong check digit with no OCR confusion stays invalid", func(t *testing.T) {
		t.Parallel()
		in := []string{td3Good[0], strings.Replace(td3Good[1], "7408122", "7408123", 1)}
		r := repairOK(t, in)
		require.False(t, r.Valid)
		require.Equal(t, in, r.Lines)
		require.Empty(t, r.Corrections)
		require.True(t, hasPrefix(r.Errors, "date_of_birth: check digit \"3\" does not match computed \"2\""), r.Errors)
	})
	t.Run("gmrtd error vectors stay invalid", func(t *testing.T) {
		t.Parallel()
		for _, in := range [][]string{
			{"I<UTOD231458905<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"},
			{"I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204151UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"},
			{"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458906UTO7408122F1204159<<<<<<<6"},
			{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C34UTO7408122F1204159ZE184226B<<<<<10"},
			{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<12"},
		} {
			r := repairOK(t, in, WithSpecimenCodes())
			require.False(t, r.Valid, "%q", in)
			require.Equal(t, in, r.Lines)
		}
	})
	t.Run("G and 6 are never swapped in a number", func(t *testing.T) {
		t.Parallel()
		in := sample(FormatTD3)
		in.DocumentNumber = "L898962C3"
		lines, err := Compose(in)
		require.NoError(t, err)
		lines[1] = strings.Replace(lines[1], "L898962C3", "L8989G2C3", 1)
		// value(G) = value(6)+10, so the digit agrees either way and
		// nothing tells which was printed.
		r := repairOK(t, lines)
		require.True(t, r.Valid)
		require.Equal(t, "L8989G2C3", r.DocumentNumber)
		require.Empty(t, r.Corrections)
	})
	t.Run("two readings satisfy the digit", func(t *testing.T) {
		t.Parallel()
		// 1 and I, 8 and B are both suspects and each alone fixes the digit.
		in := []string{td3Good[0], "A1B8I8A2C1NLD7408122F1204159ZE184226B<<<<<10"}
		r := repairOK(t, in)
		require.False(t, r.Valid)
		require.Empty(t, r.Corrections)
		require.True(t, hasPrefix(r.Errors, "document_number: several OCR readings"), r.Errors)
	})
	t.Run("only a letter between digits is a suspect", func(t *testing.T) {
		t.Parallel()
		num := func(n string) []string {
			in := sample(FormatTD1)
			in.DocumentNumber = n
			lines, err := Compose(in)
			require.NoError(t, err)
			return lines
		}
		in := num("D20145090")
		in[0] = strings.Replace(in[0], "D20145090", "D2O145090", 1)
		r := repairOK(t, in)
		require.True(t, r.Valid, "O between digits: %v", r.Errors)
		require.Equal(t, "D20145090", r.DocumentNumber)

		// At the end of the number, next to a filler: '0' and '<' weigh
		// the same, so the digit cannot tell "…0" from "…<".
		in = num("D2014500")
		in[0] = strings.Replace(in[0], "D2014500<", "D201450O<", 1)
		r = repairOK(t, in)
		require.False(t, r.Valid)
		require.Empty(t, r.Corrections)

		// At the edge of the field a lone letter is a normal prefix.
		in = num("520145090")
		in[0] = strings.Replace(in[0], "520145090", "S20145090", 1)
		r = repairOK(t, in)
		require.False(t, r.Valid)
		require.Empty(t, r.Corrections)
	})
	t.Run("no guessing when disabled", func(t *testing.T) {
		t.Parallel()
		r := repairOK(t, []string{td3Good[0], "L8989O2C36NLD7408122F1204159ZE184226B<<<<<10"}, WithMaxAlphanumericRepairs(0))
		require.False(t, r.Valid)
	})
}

// TestRepairRandomCorruption corrupts valid MRZs at random (deterministic
// seed). Digit-for-digit errors in dates and check digits are outside every
// OCR confusion, so Repair must never turn them valid. A random character in
// the document number can satisfy its check digit by chance after a
// plausible-looking repair; the rate at which Repair then reports a
// different number is bounded per number style (see docs/benchmarks/mrz.md
// for the measured values).
func TestRepairRandomCorruption(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(9303))
	const digits = "0123456789"
	alnum := "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + digits
	pick := func(set string, n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = set[rng.Intn(len(set))]
		}
		return string(b)
	}
	styles := []string{"digits", "letter prefix", "uniform alphanumeric"}
	limits := []float64{0.01, 0.01, 0.08}
	var wrong, detectable [3]int
	for n := 0; n < 1500; n++ {
		f := []Format{FormatTD1, FormatTD2, FormatTD3}[n%3]
		style := (n / 3) % 3
		in := sample(f)
		in.DocumentNumber = []string{pick(digits, 9), pick("ABCDEFGHJKLMNPRTUVWXY", 2) + pick(digits, 7), pick(alnum, 9)}[style]
		in.DateOfBirth = fmt.Sprintf("19%02d-%02d-%02d", rng.Intn(100), 1+rng.Intn(12), 1+rng.Intn(28))
		lines, err := Compose(in)
		require.NoError(t, err)
		orig, err := Parse(lines, WithNow(testToday))
		require.NoError(t, err)
		require.True(t, orig.Valid, orig.Errors)

		// A digit of a date or check digit replaced by another digit.
		var digitPos [][2]int
		l := layoutFor(lines)
		for li, row := range l.grid {
			for c, cls := range row {
				if (cls == clsNum || cls == clsCheck) && isDigit(lines[li][c]) {
					digitPos = append(digitPos, [2]int{li, c})
				}
			}
		}
		p := digitPos[rng.Intn(len(digitPos))]
		bad := append([]string(nil), lines...)
		b := []byte(bad[p[0]])
		for old := b[p[1]]; b[p[1]] == old; {
			b[p[1]] = digits[rng.Intn(10)]
		}
		bad[p[0]] = string(b)
		r := repairOK(t, bad)
		require.False(t, r.Valid, "digit corruption %q repaired into %q", bad, r.Lines)

		// Any character of the document number replaced by any other.
		doc := l.field(fDocNum)
		bad = append([]string(nil), lines...)
		b = []byte(bad[doc.line])
		col := doc.start + rng.Intn(doc.end-doc.start)
		for old := b[col]; b[col] == old; {
			b[col] = alnum[rng.Intn(len(alnum))]
		}
		bad[doc.line] = string(b)
		if strict, _ := Parse(bad, WithNow(testToday)); strict.Valid {
			continue // e.g. G for 6: invisible to the digit
		}
		detectable[style]++
		if r := repairOK(t, bad); r.Valid && r.DocumentNumber != orig.DocumentNumber {
			wrong[style]++
		}
	}
	for i, s := range styles {
		rate := float64(wrong[i]) / float64(detectable[i])
		t.Logf("%s: %d of %d detectable corruptions repaired into another number (%.2f%%)", s, wrong[i], detectable[i], 100*rate)
		require.Greater(t, detectable[i], 400, s)
		require.Less(t, rate, limits[i], s)
	}
}

// TestRepairOCRConfusions applies the confusions Repair is built for
// (O/0, I/1, B/8, S/5, Z/2; one or two per MRZ) and requires that Repair
// almost never reports a different identity and restores most.
func TestRepairOCRConfusions(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(6))
	swap := map[byte]byte{'O': '0', '0': 'O', 'I': '1', '1': 'I', 'B': '8', '8': 'B', 'S': '5', '5': 'S', 'Z': '2', '2': 'Z'}
	restored, wrong, detectable := 0, 0, 0
	for n := 0; n < 900; n++ {
		in := sample([]Format{FormatTD1, FormatTD2, FormatTD3}[n%3])
		in.DocumentNumber = fmt.Sprintf("%c%c%07d", 'A'+rng.Intn(26), 'A'+rng.Intn(26), rng.Intn(10000000))
		in.DateOfBirth = fmt.Sprintf("19%02d-%02d-%02d", rng.Intn(100), 1+rng.Intn(12), 1+rng.Intn(28))
		lines, err := Compose(in)
		require.NoError(t, err)
		bad := append([]string(nil), lines...)
		for k := 0; k < 1+rng.Intn(2); k++ {
			li := rng.Intn(len(bad))
			var cand []int
			for i := 0; i < len(bad[li]); i++ {
				if _, ok := swap[bad[li][i]]; ok {
					cand = append(cand, i)
				}
			}
			if len(cand) == 0 {
				continue
			}
			b := []byte(bad[li])
			c := cand[rng.Intn(len(cand))]
			b[c] = swap[b[c]]
			bad[li] = string(b)
		}
		if strict, _ := Parse(bad, WithNow(testToday)); strict.Valid {
			continue
		}
		detectable++
		r := repairOK(t, bad)
		switch {
		case r.Valid && strings.Join(r.Lines, "") == strings.Join(lines, ""):
			restored++
		case r.Valid:
			wrong++
		}
	}
	t.Logf("OCR confusions: %d detectable, %d restored, %d wrong", detectable, restored, wrong)
	require.Greater(t, detectable, 700)
	require.Greater(t, float64(restored)/float64(detectable), 0.7)
	require.Less(t, float64(wrong)/float64(detectable), 0.005)
}
