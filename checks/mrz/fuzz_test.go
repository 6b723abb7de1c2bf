package mrz

import (
	"encoding/json"
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	strings.Join(td3Good, "\n"),
	strings.Join(td1Good, "\n"),
	"IDFRATEST<NAME<<<<<<<<<<<<<<<<0CHE02\n1710GVA123451ROBERTA<<<<<<<9112311F2",
	"1DFRATE5T<NAME<<<<<<<<<<<<<<<<0CHE02\nI7I0GVA123451RO8ERTA<<<<<<<9IIZ3IIF2",
	"I<UTOSTEVENSON<<PETER<JOHN<<<<<<<<<<\nD23145890<UTO3407127M95071227349<<<8",
	"I<UTOD23145890<7349<<<<<<<<<<<\n3407127M9507122UTO<<<<<<<<<<<2\nSTEVENSON<<PETER<JOHN<<<<<<<<<",
	"V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<",
	"VNUSATRAVELER<<HAPPY<<<<<<<<<<<<<<<<<<<<<<<<\n1234567897CAN6612120M1407282B3XLC000FD142955",
	"I<BEL<<<<<<<<<<<<<<<<<<<<<<<<<\n<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\n<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<",
	"p<uto eriksson«anna<maria<<<<<<<<<<<<<<<<<<\nL8989O2C36UTO740BIZZF12041S9ZE184226B<<<<<1O",
	"",
	"\x00\xff\n\n<<",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseText(text, WithNow(testToday))
		if err != nil {
			return
		}
		checkInvariants(t, r)
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("marshal: %v", err)
		}
	})
}

func FuzzRepair(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := Repair(strings.Split(text, "\n"), WithNow(testToday))
		if err != nil {
			return
		}
		checkInvariants(t, r)
		for _, c := range r.Corrections {
			if c.Line < 0 || c.Line >= len(r.Lines) || c.Col < 0 || c.Col > len(r.Lines[c.Line]) {
				t.Fatalf("correction %+v outside lines %q", c, r.Lines)
			}
		}
		again, err := Parse(r.Lines, WithNow(testToday))
		if err != nil {
			t.Fatalf("repaired lines %q do not parse: %v", r.Lines, err)
		}
		if again.Valid != r.Valid {
			t.Fatalf("repair says valid=%v, strict parse of its lines says %v", r.Valid, again.Valid)
		}
	})
}

func FuzzNames(f *testing.F) {
	f.Add("ERIKSSON<<ANNA<MARIA", "Anna María Eriksson")
	f.Add("ABW<BKR", "ابو بكر")
	f.Add("", "\x80")
	f.Fuzz(func(t *testing.T, mrzName, other string) {
		for _, s := range []string{Transliterate(mrzName), Transliterate(other)} {
			if strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ<") != "" || strings.Contains(s, "<<") {
				t.Fatalf("transliteration %q has characters outside A–Z and single '<'", s)
			}
		}
		score, ok := NameMatches(mrzName, other)
		if score < 0 || score > 1 || ok != (score >= NameMatchThreshold) {
			t.Fatalf("score %v ok %v", score, ok)
		}
	})
}

// checkInvariants holds for every Result: Valid mirrors Errors, the lines
// have the format's shape, and Valid implies every check digit agrees.
func checkInvariants(t *testing.T, r *Result) {
	t.Helper()
	if r == nil {
		t.Fatal("nil result without error")
	}
	if r.Valid != (len(r.Errors) == 0) {
		t.Fatalf("valid=%v with errors %v", r.Valid, r.Errors)
	}
	var l *layout
	for _, x := range allLayouts {
		if x.format == r.Format {
			l = x
		}
	}
	if l == nil || len(r.Lines) != l.lines {
		t.Fatalf("format %q with %d lines", r.Format, len(r.Lines))
	}
	for _, ln := range r.Lines {
		if len(ln) != l.width {
			t.Fatalf("line %q is not %d wide", ln, l.width)
		}
	}
	for _, c := range r.Checks {
		if r.Valid && !c.Valid {
			t.Fatalf("valid result with failing check %+v", c)
		}
	}
}
