package synth

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Variants of how a document reaches kycd.
const (
	VariantTextPDF  = "text_pdf"  // a PDF with a text layer, as billers send them
	VariantImagePDF = "image_pdf" // a scanned page: one JPEG per page, no text
	VariantPhoto    = "photo"     // a phone photo of the printed page
)

// Hostile cases.
const (
	HostileNone         = ""
	HostileOld          = "too_old"             // dated before max_age_days
	HostileOtherName    = "other_name"          // made out to someone else
	HostileOtherAddr    = "other_address"       // at another address
	HostileTextMismatch = "text_layer_mismatch" // the picture shows one person, the text layer another
)

// Sample is one generated document with the truth about it.
type Sample struct {
	ID           string
	Layout       string
	Lang         string
	Country      string
	Variant      string
	Hostile      string
	Bytes        []byte
	DeclaredName string
	Declared     Addr // what the applicant declares (fields)
	Printed      Addr // what the document shows
	Issue        time.Time
	// Expected is the correct decision: approved for a genuine accepted document,
	// needs_review for an insurance letter (not accepted on its own), rejected for hostile cases.
	Expected string
	Kind     string
}

// Now is the reference date the samples are dated against (checks use it as "today").
var Now = time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)

// MaxAgeDays is the recency limit the samples are built around.
const MaxAgeDays = 90

// Options choose what Generate makes.
type Options struct {
	Variants []string // default all three
	Hostile  bool     // also make the hostile cases (one in five documents)
	PhotoDPI float64  // resolution of the page under the camera (default 240: a ~6 MP photo of an A4 page)
}

// Generate makes n samples from seed. The same seed gives the same documents.
func Generate(seed uint64, n int, o Options) []Sample {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	if len(o.Variants) == 0 {
		o.Variants = []string{VariantTextPDF, VariantImagePDF, VariantPhoto}
	}
	if o.PhotoDPI == 0 {
		o.PhotoDPI = 240
	}
	out := make([]Sample, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, one(r, i, seed, o))
	}
	return out
}

func one(r *rand.Rand, i int, seed uint64, o Options) Sample {
	lang := Languages[i%len(Languages)]
	country := pick(r, LangCountries[lang])
	layout := Layouts[(i/len(Languages))%len(Layouts)]
	variant := o.Variants[i%len(o.Variants)]
	if len(o.Variants) == 3 {
		variant = o.Variants[(i/(len(Languages)*len(Layouts))+i)%3]
	}
	s := Sample{ID: fmt.Sprintf("s%d-%04d", seed, i), Layout: layout, Lang: lang, Country: country, Variant: variant,
		Kind: ExpectedKind[layout]}
	person := NewPerson(r, lang)
	addr := NewAddr(r, country)
	s.DeclaredName, s.Declared, s.Printed = person.Declared, addr, addr
	s.Issue = Now.AddDate(0, 0, -(3 + r.IntN(75)))
	s.Expected = "approved"
	if layout == LayoutInsurance {
		s.Expected = "needs_review"
	}
	if o.Hostile && r.IntN(5) == 0 {
		hs := []string{HostileOld, HostileOtherName, HostileOtherAddr}
		if variant == VariantTextPDF {
			hs = append(hs, HostileTextMismatch)
		}
		s.Hostile = pick(r, hs)
		s.Expected = "rejected"
	}
	printedPerson := person
	switch s.Hostile {
	case HostileOld:
		s.Issue = Now.AddDate(0, 0, -(MaxAgeDays + 20 + r.IntN(300)))
	case HostileOtherName:
		for printedPerson.Declared == person.Declared || sameSurname(printedPerson.Declared, person.Declared) {
			printedPerson = NewPerson(r, lang)
		}
	case HostileOtherAddr:
		for s.Printed.PostalCode == addr.PostalCode {
			s.Printed = NewAddr(r, country)
		}
	}
	page := Compose(r, Content{Layout: layout, Lang: lang, Country: country, Person: printedPerson, Addr: s.Printed, Issue: s.Issue})
	switch {
	case s.Hostile == HostileTextMismatch:
		// The picture is someone else's bill; the invisible text layer is the applicant's.
		other := NewPerson(r, lang)
		for sameSurname(other.Declared, person.Declared) {
			other = NewPerson(r, lang)
		}
		otherAddr := NewAddr(r, country)
		shown := Compose(r, Content{Layout: layout, Lang: lang, Country: country, Person: other, Addr: otherAddr, Issue: s.Issue})
		g := Rasterize(shown, 150)
		s.Bytes = WritePDF([]PageContent{{Page: page, JPEG: JPEG(g, 80), JPEGW: g.Rect.Dx(), JPEGH: g.Rect.Dy()}})
	case variant == VariantTextPDF:
		s.Bytes = WritePDF([]PageContent{{Page: page}})
	case variant == VariantImagePDF:
		g := Rasterize(page, 200)
		s.Bytes = WritePDF([]PageContent{{JPEG: JPEG(g, 75), JPEGW: g.Rect.Dx(), JPEGH: g.Rect.Dy()}})
	default:
		g := Rasterize(page, o.PhotoDPI)
		s.Bytes = Photo(g, RandomPhoto(r), r)
	}
	return s
}

func sameSurname(a, b string) bool {
	la, lb := lastField(a), lastField(b)
	return la == lb
}

func lastField(s string) string {
	f := []rune(s)
	i := len(f) - 1
	for i >= 0 && f[i] != ' ' {
		i--
	}
	return string(f[i+1:])
}
