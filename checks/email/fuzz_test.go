package email_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kycd/kycd/checks/email"
)

// FuzzParseAddress checks the parser's invariants on arbitrary input: no panic, errors are
// *SyntaxError with a short message, accepted addresses respect the length limits, carry no
// control characters, and parse again to the same result from either normalized form.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{
		"jane@example.com", `"john doe"@example.org`, "anna@bücher.de", "a@xn--bcher-kva.de",
		"jane@example.com\r\nBcc: x@y.z", "(c)a@b.c", "a@[1.2.3.4]", "a..b@c.d", `"a\"b"@c.d`,
		"ivan@пример.рф", "x@ｇｍａｉｌ．ｃｏｍ", strings.Repeat("a", 70) + "@b.c", "@", `"`, `"\`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := email.ParseAddress(s)
		if err != nil {
			se, ok := err.(*email.SyntaxError)
			if !ok {
				t.Fatalf("error %T is not *SyntaxError", err)
			}
			if se.Code == "" || len(se.Message) > 200 {
				t.Fatalf("bad error %+v", se)
			}
			return
		}
		full := a.ASCII()
		if len(a.Local) > email.MaxLocalLen || len(full) > email.MaxAddressLen || len(a.DomainASCII) > email.MaxDomainLen {
			t.Fatalf("limits exceeded: %q", full)
		}
		if strings.ContainsAny(full, "\r\n\x00") || strings.ContainsAny(a.String(), "\r\n\x00") {
			t.Fatalf("control characters accepted: %q", full)
		}
		if !utf8.ValidString(a.String()) {
			t.Fatalf("invalid UTF-8 out: %q", a.String())
		}
		if a.DomainASCII != strings.ToLower(a.DomainASCII) {
			t.Fatalf("domain not lower case: %q", a.DomainASCII)
		}
		for _, form := range []string{a.String(), full} {
			b, err := email.ParseAddress(form)
			if err != nil {
				t.Fatalf("normalized form %q of %q does not parse: %v", form, s, err)
			}
			if b != a {
				t.Fatalf("reparse of %q: %+v != %+v", form, b, a)
			}
		}
	})
}

// FuzzCheck runs the whole offline check (lists, role, typo and script heuristics) on
// arbitrary input: no panic, no error, and a risk level always set.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"jane@gmial.com", "info@аррӏе.com", "x@a.33mail.com", "a@例え.jp", "\"q\"@b.c"} {
		f.Add(s)
	}
	c, err := email.NewChecker(email.Config{SkipDNS: true, Disposable: email.NewDomainSet("t", []string{"mailinator.com"}, []string{"33mail.com"})})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := c.Check(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		if r.RiskLevel == "" || (!r.ValidSyntax && r.RiskLevel != email.RiskHigh) {
			t.Fatalf("risk %q for %q", r.RiskLevel, s)
		}
		if r.TypoSuggestion != "" {
			if _, err := email.ParseAddress(r.TypoSuggestion); err != nil {
				t.Fatalf("suggestion %q does not parse: %v", r.TypoSuggestion, err)
			}
		}
	})
}
