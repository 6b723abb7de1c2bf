package address

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kycd/kycd/checks/address/synth"
)

func needPoppler(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("poppler-utils not installed (scripts/setup/address.sh)")
	}
}

func declaredOf(t *testing.T, s synth.Sample) Address {
	t.Helper()
	a, err := ParseDeclared("", &Address{Line1: s.Declared.Line1, Line2: s.Declared.Line2, City: s.Declared.City,
		PostalCode: s.Declared.PostalCode, Region: s.Declared.Region, Country: s.Country})
	if err != nil {
		t.Fatalf("%s: %v", s.ID, err)
	}
	return a
}

// TestTextPDFs runs the engine on generated text-layer PDFs of every layout and language
// (seed 1, the development seed; the figures in docs/benchmarks/address.md use a fresh one).
// The text-layer cross-check is off here: it needs Tesseract and is tested on its own.
func TestTextPDFs(t *testing.T) {
	needPoppler(t)
	e, err := NewEngine(Config{SkipTextLayerCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	ss := synth.Generate(1, 72, synth.Options{Variants: []string{synth.VariantTextPDF}, Hostile: true})
	wrong, approvedHostile := 0, 0
	for _, s := range ss {
		if s.Hostile == synth.HostileTextMismatch {
			continue
		}
		res, err := e.Check(context.Background(), Input{Document: s.Bytes, DeclaredName: s.DeclaredName, DeclaredAddress: declaredOf(t, s),
			MaxAgeDays: synth.MaxAgeDays, Now: synth.Now})
		if err != nil {
			t.Fatalf("%s: %v", s.ID, err)
		}
		if res.Status != s.Expected {
			wrong++
			t.Logf("%s %s/%s/%s hostile=%q: got %s want %s; reasons %+v", s.ID, s.Layout, s.Lang, s.Country, s.Hostile, res.Status, s.Expected, res.Reasons)
		}
		if s.Hostile != "" && res.Status == StatusApproved {
			approvedHostile++
		}
		if s.Hostile == "" && res.DocumentDate != s.Issue.Format("2006-01-02") {
			t.Errorf("%s: date %s (%s), want %s", s.ID, res.DocumentDate, res.DateLabel, s.Issue.Format("2006-01-02"))
		}
	}
	if approvedHostile > 0 {
		t.Errorf("%d hostile documents approved", approvedHostile)
	}
	// At most 2 of 72 wrong (the goal is ≥ 95 %), and never an approval of a hostile one.
	if wrong > 2 {
		t.Errorf("%d of %d decisions wrong", wrong, len(ss))
	}
}

func TestPDFRefusals(t *testing.T) {
	needPoppler(t)
	e, err := NewEngine(Config{SkipTextLayerCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 3))
	page := synth.Compose(r, synth.Content{Layout: synth.LayoutBank, Lang: "en", Country: "GB", Person: synth.NewPerson(r, "en"),
		Addr: synth.NewAddr(r, "GB"), Issue: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	var many []synth.PageContent
	for range MaxPDFPages + 1 {
		many = append(many, synth.PageContent{Page: page})
	}
	good := synth.WritePDF([]synth.PageContent{{Page: page}})
	decl := Address{Line1: "1 High Street", City: "London", PostalCode: "SW4 7AB", Country: "GB"}
	cases := map[string]struct {
		doc  []byte
		code string
	}{
		"too many pages": {synth.WritePDF(many), CodeTooMany},
		"truncated":      {good[:len(good)/2], CodeMalformed},
		"garbage":        {append([]byte("%PDF-1.7\n"), make([]byte, 5000)...), CodeMalformed},
		"heic":           {append([]byte("\x00\x00\x00\x18ftypheic"), make([]byte, 100)...), CodeUnsupported},
		"text":           {[]byte("just some words"), CodeUnsupported},
		"empty":          {nil, CodeEmpty},
	}
	// A password-protected PDF: the standard security handler with a user password we do not
	// have (the O and U entries are not those of the empty password).
	enc := bytes.Replace(good, []byte("trailer\n<< "), []byte("trailer\n<< /Encrypt << /Filter /Standard /V 1 /R 2 /P -44 "+
		"/O <"+strings.Repeat("4f", 32)+"> /U <"+strings.Repeat("55", 32)+"> >> /ID [<00112233445566778899aabbccddeeff><00112233445566778899aabbccddeeff>] "), 1)
	cases["encrypted"] = struct {
		doc  []byte
		code string
	}{enc, CodeEncrypted}
	for name, c := range cases {
		_, err := e.Check(context.Background(), Input{Document: c.doc, DeclaredName: "A B", DeclaredAddress: decl})
		var ae *Error
		if !errors.As(err, &ae) || ae.Code != c.code || ae.Field != "document" {
			t.Errorf("%s: got %v, want %s on document", name, err, c.code)
		}
	}
}
