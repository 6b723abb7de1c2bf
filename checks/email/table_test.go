package email_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/email"
)

// want is what one table row expects; zero fields are not asserted except where noted.
type want struct {
	addr       string
	valid      bool
	syntaxCode string
	normalized string
	ascii      string
	disposable bool
	free       bool
	role       bool
	typo       string
	risk       email.RiskLevel // asserted when set
	reason     string          // must be among the reasons when set
	noReasons  bool            // no reasons at all
}

// buildTable generates the rows from small lists crossed with each other, so the table
// covers many countries' providers and scripts without a hand-written row for each.
func buildTable(t *testing.T) []want {
	var rows []want
	locals := []string{"maria.silva", "jan_novak", "o'brien", "li.wei+kyc", "ahmed-hassan", "x", "user1984", "Anna.Müller"}
	// Providers across 25+ countries: free, low risk, valid MX from the test zone.
	freeDomains := []string{
		"gmail.com", "yahoo.co.jp", "yahoo.com.br", "web.de", "gmx.at", "gmx.ch", "orange.fr", "libero.it",
		"uol.com.br", "sapo.pt", "seznam.cz", "wp.pl", "yandex.ru", "mail.ru", "ukr.net", "abv.bg", "qq.com",
		"163.com", "naver.com", "daum.net", "rediffmail.com", "comcast.net", "btinternet.com", "bigpond.com",
		"shaw.ca", "xtra.co.nz", "inbox.lv", "hotmail.es", "outlook.com.br", "yahoo.com.mx", "yahoo.co.in",
		"yahoo.com.sg", "yahoo.gr", "yahoo.se", "yahoo.dk", "yahoo.no",
	}
	for i, d := range freeDomains {
		l := locals[i%len(locals)]
		w := want{addr: l + "@" + d, valid: true, normalized: l + "@" + d, free: true, risk: email.RiskLow}
		if strings.ContainsRune(l, 'ü') {
			w.reason = email.ReasonInternationalUse
		}
		rows = append(rows, w)
		// Upper-case domains normalise to lower case; the local part keeps its case.
		rows = append(rows, want{addr: "Applicant." + strings.ToUpper(l[:1]) + "@" + strings.ToUpper(d), valid: true,
			normalized: "Applicant." + strings.ToUpper(l[:1]) + "@" + d, free: true})
	}
	// Company domains under 20+ ccTLDs: not free, low risk, no reasons.
	tlds := []string{"de", "fr", "it", "es", "pt", "nl", "be", "ch", "at", "pl", "cz", "se", "no", "dk", "fi",
		"ie", "co.uk", "com.br", "com.mx", "co.jp", "com.au", "co.nz", "ca", "in", "sg", "za", "ng", "ke", "ae", "tr"}
	for i, tld := range tlds {
		d := "acme-" + string(rune('a'+i%26)) + "." + tld
		rows = append(rows, want{addr: "j.doe@" + d, valid: true, normalized: "j.doe@" + d, risk: email.RiskLow, noReasons: true})
		rows = append(rows, want{addr: "first_last+tag@mail." + d, valid: true, risk: email.RiskLow, noReasons: true})
	}
	// IDN domains: Unicode and punycode forms.
	idn := []struct{ in, uni, ascii string }{
		{"anna@bücher.de", "bücher.de", "xn--bcher-kva.de"},
		{"anna@BÜCHER.DE", "bücher.de", "xn--bcher-kva.de"},
		{"anna@xn--bcher-kva.de", "bücher.de", "xn--bcher-kva.de"},
		{"hans@münchen.de", "münchen.de", "xn--mnchen-3ya.de"},
		{"yuki@例え.jp", "例え.jp", "xn--r8jz45g.jp"},
		{"ivan@пример.рф", "пример.рф", "xn--e1afmkfd.xn--p1ai"},
		{"nikos@παράδειγμα.gr", "παράδειγμα.gr", "xn--hxajbheg2az3al.gr"},
		{"jose@españa.es", "españa.es", "xn--espaa-rta.es"},
		{"joao@ação.com.br", "ação.com.br", "xn--ao-siap.com.br"},
		{"kim@한국.kr", "한국.kr", "xn--3e0b707e.kr"},
		{"ali@مثال.شبكة", "مثال.شبكة", "xn--mgbh0fb.xn--ngbc5azd"},
		{"anna@ｇｍａｉｌ．ｃｏｍ", "gmail.com", "gmail.com"}, // full-width forms map to ASCII
	}
	for _, c := range idn {
		local := c.in[:strings.IndexByte(c.in, '@')]
		rows = append(rows, want{addr: c.in, valid: true, normalized: local + "@" + c.uni, ascii: local + "@" + c.ascii})
	}
	// Role mailboxes.
	for i, l := range []string{"admin", "info", "support", "noreply", "no-reply", "No.Reply", "postmaster", "abuse",
		"sales", "webmaster", "hostmaster", "billing", "contact", "hello", "security", "privacy", "kontakt", "contato",
		"do_not_reply", "Info+kyc"} {
		d := tlds[i%len(tlds)]
		rows = append(rows, want{addr: l + "@company." + d, valid: true, role: true, risk: email.RiskMedium, reason: email.ReasonRoleAccount})
	}
	// Personal names that merely contain a role word are not role accounts.
	for _, l := range []string{"information.officer.smith", "adminah", "salesforce.fan", "supporter", "infodesk2"} {
		rows = append(rows, want{addr: l + "@company.de", valid: true, risk: email.RiskLow, noReasons: true})
	}
	// Typos of popular providers (zone: gmial.com and example.con do not exist; others default to an MX).
	typos := map[string]string{
		"gmial.com": "gmail.com", "gmsil.com": "gmail.com", "gnail.com": "gmail.com", "gmaill.com": "gmail.com",
		"gmail.co": "gmail.com", "gmail.cm": "gmail.com", "hotmial.com": "hotmail.com", "hotmal.com": "hotmail.com",
		"hotamil.com": "hotmail.com", "yaho.com": "yahoo.com", "yahooo.com": "yahoo.com", "outlok.com": "outlook.com",
		"outloo.com": "outlook.com", "iclod.com": "icloud.com", "icloud.co": "icloud.com", "protonmial.com": "protonmail.com",
		"googlemial.com": "googlemail.com", "comcats.net": "comcast.net", "yandex.ry": "yandex.ru", "hotmail.fe": "hotmail.fr",
		"example.con": "example.com", "company.cmo": "company.com", "firma.dee": "firma.de", "school.ogr": "school.org",
		"provider.nte": "provider.net",
	}
	for d, s := range typos {
		w := want{addr: "maria@" + d, valid: true, typo: "maria@" + s, reason: email.ReasonTypo}
		rows = append(rows, w)
	}
	// Real domains that must not be "corrected".
	for _, d := range []string{"email.com", "mail.com", "ymail.com", "gmx.com", "me.com", "mac.com", "live.com",
		"proton.me", "op.pl", "o2.pl", "gmx.net", "wp.pl", "qq.com", "web.de", "hotmail.fr", "ya.ru"} {
		rows = append(rows, want{addr: "maria@" + d, valid: true})
	}
	// Disposable: exact entries and subdomains of wildcard entries.
	for _, d := range []string{"mailinator.com", "10minutemail.com", "guerrillamail.com", "yopmail.com", "trashmail.com",
		"sharklasers.com", "temp-mail.org", "dispostable.com", "maildrop.cc", "getnada.com"} {
		rows = append(rows, want{addr: "kyc.test@" + d, valid: true, disposable: true, risk: email.RiskHigh, reason: email.ReasonDisposable})
	}
	for _, d := range []string{"33mail.com", "anonaddy.me", "33m.co"} {
		rows = append(rows, want{addr: "kyc@alias." + d, valid: true, disposable: true, risk: email.RiskHigh, reason: email.ReasonDisposable})
	}
	// Quoted local parts: valid but flagged.
	for _, a := range []string{`"john doe"@example.org`, `"john..doe"@example.org`, `"a@b"@example.org`, `"esc\"aped"@example.org`, `".leading"@example.org`} {
		rows = append(rows, want{addr: a, valid: true, risk: email.RiskMedium, reason: email.ReasonQuotedLocal})
	}
	// Unusual but legal dot-atoms.
	for _, a := range []string{"a!b#c$d%e&f'g*h+i-j/k=l?m^n_o`p{q|r}s~t@example.org", "1234567890@example.org",
		"_@example.org", "a.b.c.d.e@sub.sub.sub.example.org", "x@a-b.example.org", "x@123.example.org",
		"user@example.museum", "user@example.photography"} {
		rows = append(rows, want{addr: a, valid: true})
	}
	// Invalid syntax with the code the parser gives.
	invalid := map[string]string{
		"":                                              "empty",
		"plainaddress":                                  "missing_at",
		"@example.com":                                  "empty_local",
		"jane@":                                         "empty_domain",
		"jane@@example.com":                             "invalid_domain_character",
		"jane@exa@mple.com":                             "invalid_domain_character",
		".jane@example.com":                             "dot_position",
		"jane.@example.com":                             "dot_position",
		"ja..ne@example.com":                            "consecutive_dots",
		"jane doe@example.com":                          "whitespace",
		" jane@example .com":                            "whitespace",
		"jane@example":                                  "no_tld",
		"jane@localhost":                                "no_tld",
		"jane@example.com.":                             "trailing_dot",
		"jane@.example.com":                             "invalid_domain",
		"jane@example..com":                             "invalid_domain",
		"jane@-example.com":                             "invalid_domain",
		"jane@example-.com":                             "invalid_domain",
		"jane@exa_mple.com":                             "invalid_domain",
		"jane@[192.0.2.1]":                              "domain_literal",
		"jane@[IPv6:2001:db8::1]":                       "domain_literal",
		"jane@192.0.2.1":                                "numeric_tld",
		"(comment)jane@example.com":                     "obsolete_syntax",
		"jane(comment)@example.com":                     "obsolete_syntax",
		`"a"."b"@example.com`:                           "missing_at",
		`a."b"@example.com`:                             "obsolete_syntax",
		`"unterminated@example.com`:                     "unterminated_quote",
		`""@example.com`:                                "empty_local",
		"jane@example.com>":                             "invalid_domain_character",
		"<jane@example.com>":                            "invalid_local_character",
		"Jane Doe <jane@example.com>":                   "whitespace",
		"jane,doe@example.com":                          "invalid_local_character",
		"jane;doe@example.com":                          "invalid_local_character",
		"jane[1]@example.com":                           "invalid_local_character",
		"jane\\@example.com":                            "invalid_local_character",
		"jane@exam ple.com":                             "whitespace",
		"jane@example.com\r\nBcc: x@y.z":                "line_break",
		"jane\n@example.com":                            "line_break",
		"jane\x00@example.com":                          "control_character",
		"jane@exa\x7fmple.com":                          "control_character",
		"ja\u200bne@example.com":                        "invisible_character",
		"jane@exam\u202eple.com":                        "invisible_character",
		"jane@\xff.com":                                 "invalid_utf8",
		strings.Repeat("a", 65) + "@example.com":        "local_too_long",
		"a@" + strings.Repeat("b", 64) + ".com":         "invalid_domain",
		"a@" + strings.Repeat("abcdefghi.", 25) + "com": "too_long",
		"a@" + strings.Repeat("abcdefghi.", 26) + "com": "invalid_domain",
		strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 63) + ".com": "too_long",
		strings.Repeat("x", 10*1024) + "@example.com":   "too_long",
		"jane@" + strings.Repeat("x", 10*1024) + ".com": "too_long",
		strings.Repeat("@", 10*1024):                    "too_long",
		"jane@example.com\r\n":                          "line_break",
		"jane@ex\tample.com":                            "control_character",
		"jane@xn--zz.com":                               "invalid_domain",
		"jane@xn--.com":                                 "invalid_domain",
		"jane@exam\u00adple.com":                        "invisible_character",
	}
	for a, code := range invalid {
		rows = append(rows, want{addr: a, syntaxCode: code, risk: email.RiskHigh, reason: email.ReasonInvalidSyntax})
	}
	// Homographs: Cyrillic or Greek letters posing as Latin ones.
	for _, d := range []string{"gmаil.com", "аррӏе.com", "pаypal.com", "miсrosoft.com", "gοοgle.com", "раураl.com"} {
		rows = append(rows, want{addr: "victim@" + d, valid: true, risk: email.RiskHigh, reason: email.ReasonConfusable})
	}
	for _, d := range []string{"gmаil.com", "pаypal.com", "miсrosoft.com", "gοοgle.com"} {
		rows = append(rows, want{addr: "x@" + d, valid: true, reason: email.ReasonMixedScript})
	}
	// DNS outcomes through the same table.
	rows = append(rows,
		want{addr: "jane@nullmx.test", valid: true, risk: email.RiskHigh, reason: email.ReasonNullMX},
		want{addr: "jane@no-such-company.example", valid: true, risk: email.RiskHigh, reason: email.ReasonDomainNotFound},
		want{addr: "jane@aonly.test", valid: true, risk: email.RiskMedium, reason: email.ReasonImplicitMX},
		want{addr: "jane@servfail.test", valid: true, risk: email.RiskMedium, reason: email.ReasonDNSUnavailable},
	)
	return rows
}

func TestTable(t *testing.T) {
	t.Parallel()
	c, _ := newChecker(t, zone())
	rows := buildTable(t)
	require.GreaterOrEqual(t, len(rows), 300)
	ctx := context.Background()
	for _, w := range rows {
		name := w.addr
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, err := c.Check(ctx, w.addr)
			require.NoError(t, err)
			require.Equal(t, w.valid, r.ValidSyntax, "valid_syntax (%s) %+v", r.SyntaxError, r.Reasons)
			if w.syntaxCode != "" {
				require.Equal(t, w.syntaxCode, r.SyntaxError, "%+v", r.Reasons)
				require.Empty(t, r.Normalized)
				for _, x := range r.Reasons {
					require.LessOrEqual(t, len(x.Message), 200, "messages never echo huge input")
					require.NotContains(t, x.Message, "\n")
				}
			}
			if w.normalized != "" {
				require.Equal(t, w.normalized, r.Normalized)
			}
			if w.ascii != "" {
				require.Equal(t, w.ascii, r.NormalizedASCII)
			}
			require.Equal(t, w.disposable, r.Disposable, "disposable")
			require.Equal(t, w.role, r.RoleAccount, "role_account")
			if w.free {
				require.True(t, r.FreeProvider, "free_provider")
			}
			require.Equal(t, w.typo, r.TypoSuggestion, "typo_suggestion")
			if w.risk != "" {
				require.Equal(t, w.risk, r.RiskLevel, "%+v", r.Reasons)
			}
			if w.reason != "" {
				require.True(t, r.HasReason(w.reason), "want %s in %+v", w.reason, r.Reasons)
			}
			if w.noReasons {
				require.Empty(t, r.Reasons)
			}
			if r.ValidSyntax {
				require.NotContains(t, r.Normalized, "\r")
				require.NotContains(t, r.Normalized, "\n")
			}
		})
	}
}
