package tools

import (
	"context"
	"encoding/base64"
	"math/rand/v2"
	"strings"

	"github.com/kycd/kycd/checks/address/synth"
	"github.com/kycd/kycd/models"
)

// SampleAddress is the address a sample bill is made out to, as the hosted flow's form has it.
type SampleAddress struct {
	Line1, Line2, City, PostalCode, Country string
}

// sampleBillLang is the language of a sample bill for the country (the generator's six).
var sampleBillLang = map[string]string{"DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr", "ES": "es", "PT": "pt", "BR": "pt", "IT": "it"}

// SampleBill renders a sample utility bill for a test-mode caller (issue #27): a text-layer PDF
// dated ten days ago, made out to name at a (or, with otherPerson, to someone else at a, so the
// real check rejects it), as a data: URL that check_address reads like an upload. Live callers
// get permission_denied: samples never enter a live verification.
func SampleBill(_ context.Context, d *Deps, c Caller, name string, a SampleAddress, otherPerson bool) (string, error) {
	if c.Mode != models.ModeTest {
		return "", Errorf(CodePermissionDenied, "", "sample documents are for test-mode keys only")
	}
	country := strings.ToUpper(a.Country)
	lang := sampleBillLang[country]
	if lang == "" {
		lang = "en"
	}
	if otherPerson {
		name = "Alex Other-Person"
	}
	printed := []string{a.Line1}
	if a.Line2 != "" {
		printed = append(printed, a.Line2)
	}
	switch country {
	case "GB", "IE", "US", "CA":
		printed = append(printed, strings.TrimSpace(a.City+" "+a.PostalCode))
	default:
		printed = append(printed, strings.TrimSpace(a.PostalCode+" "+a.City))
	}
	r := rand.New(rand.NewPCG(7, 27))
	page := synth.Compose(r, synth.Content{Layout: synth.LayoutUtility, Lang: lang, Country: country,
		Person: synth.Person{Declared: name, Printed: name},
		Addr:   synth.Addr{Country: country, Printed: printed, Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode},
		Issue:  d.Store.Now().AddDate(0, 0, -10)})
	return "data:application/pdf;base64," + base64.StdEncoding.EncodeToString(synth.WritePDF([]synth.PageContent{{Page: page}})), nil
}
