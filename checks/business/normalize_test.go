package business_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/kycd/kycd/checks/business"
)

func TestNormalizeName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, core string
		forms    []string
	}{
		{"PUMA SE", "puma", []string{"se"}},
		{"Puma Societas Europaea", "puma", []string{"se"}},
		{"COMMERZBANK Aktiengesellschaft", "commerzbank", []string{"ag"}},
		{"Fraport AG Frankfurt Airport Services Worldwide", "fraport frankfurt airport services worldwide", []string{"ag"}},
		{"Bloomberg Finance L.P.", "bloomberg finance", []string{"lp"}},
		{"Nordic Legal Entity Identifier AB", "nordic legal entity identifier", []string{"ab"}},
		{"SHELL PLC", "shell", []string{"plc"}},
		{"Shell p.l.c.", "shell", []string{"plc"}},
		{"Amazon Digital UK Limited", "amazon digital uk", []string{"ltd"}},
		{"AMAZON.COM, INC.", "amazoncom", []string{"inc"}},
		{"Nestlé S.A.", "nestle", []string{"sa"}},
		{"Assicurazioni Generali S.p.A.", "assicurazioni generali", []string{"spa"}},
		{"A.P. Møller - Mærsk A/S", "ap moller maersk", []string{"as"}},
		{"Koninklijke Philips N.V.", "koninklijke philips", []string{"nv"}},
		{"Heineken B.V.", "heineken", []string{"bv"}},
		{"Toyota Motor K.K.", "toyota motor", []string{"kk"}},
		{"Nokia Oyj", "nokia", []string{"oy"}},
		{"Müller GmbH & Co. KG", "muller", []string{"gmbh co kg"}},
		{"Société Générale SA", "societe generale", []string{"sa"}},
		{"Carrefour S.A.S.", "carrefour", []string{"sas"}},
		{"Dupont SARL", "dupont", []string{"sarl"}},
		{"ООО «Газпром»", "gazprom", []string{"ooo"}},
		{"The Boeing Company", "boeing", []string{"co"}},
		{"Procter & Gamble Co", "procter and gamble", []string{"co"}},
		{"Limited", "limited", nil}, // only a legal word: kept rather than emptied
		{"AS Roma SpA", "as roma", []string{"spa"}},
	} {
		n := business.NormalizeName(tc.in)
		if n.Core != tc.core || !slices.Equal(n.LegalForms, tc.forms) {
			t.Errorf("NormalizeName(%q) = %q %q, want %q %q", tc.in, n.Core, n.LegalForms, tc.core, tc.forms)
		}
	}
}

func TestNameSimilarity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b     string
		min, max float64
	}{
		{"PUMA SE", "Puma Societas Europaea", 1, 1},
		{"Shell plc", "SHELL PLC", 1, 1},
		{"Shell plc", "Shell Limited", 1, 1}, // ltd ~ plc: same kind of form
		{"Bloomberg L.P.", "Bloomberg Inc.", 0.9, 0.96},
		{"Microsoft Corp", "MICROSOFT CORPORATION", 1, 1},
		{"Face Book Inc", "Facebook, Inc.", 0.95, 1},
		{"Commerzbank", "Comerzbank AG", 0.85, 0.99},
		{"Apple Inc.", "APPLE ENERGY LLC", 0, 0.8},
		{"Apple Inc.", "Maple Inc.", 0, 0.8},
		{"Roca Networks", "Nordic Legal Entity Identifier AB", 0, 0.3},
		{"", "Shell", 0, 0},
	} {
		s := business.NameSimilarity(tc.a, tc.b)
		if s < tc.min || s > tc.max {
			t.Errorf("NameSimilarity(%q, %q) = %.3f, want [%.2f, %.2f]", tc.a, tc.b, s, tc.min, tc.max)
		}
		if r := business.NameSimilarity(tc.b, tc.a); r != s {
			t.Errorf("not symmetric: %q/%q %.3f vs %.3f", tc.a, tc.b, s, r)
		}
	}
}

func TestHostileNames(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("Ünïcödé Holding GmbH ", 500) // ~11 KB
	n := business.NormalizeName(huge)
	if !n.Truncated || len(n.Core) > 4*business.MaxNameRunes {
		t.Fatalf("10 KB name: truncated=%v core %d bytes", n.Truncated, len(n.Core))
	}
	if s := business.NameSimilarity(huge, huge+"x"); s < 0.9 {
		t.Errorf("similarity of two 10 KB names %.2f", s)
	}
	cjk := strings.Repeat("株式会社東芝", 2000)
	_ = business.NameSimilarity(cjk, huge)
	_ = business.NormalizeName(strings.Repeat("\u0301", 20000)) // only combining marks
	_ = business.NormalizeName(string([]byte{0xff, 0xfe, 'A', 0xc3}))
}
