package address

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/internal/textdist"
)

// Config tunes the engine. Zero values take the defaults.
type Config struct {
	// MinOCRConfidence is the mean word confidence under which a photo's reading only
	// supports needs_review (default 0.6).
	MinOCRConfidence float64
	// SkipTextLayerCheck turns off the comparison of a PDF's text layer with an OCR of its
	// rendered first page (on by default when Tesseract is linked; it costs one OCR).
	SkipTextLayerCheck bool
	// AcceptedKinds are the document kinds that may be approved; others go to review.
	// Default: utility_bill, bank_statement, tax_letter, government_letter.
	AcceptedKinds []string
	// TessdataLanguages lists the installed Tesseract models; nil = ask the system.
	TessdataLanguages []string
}

// Engine checks proof-of-address documents. It is safe for concurrent use.
type Engine struct {
	cfg    Config
	pdf    *poppler
	pdfErr error
	ocr    ocrEngine
	langs  map[string]bool
}

// NewEngine prepares the engine. A missing poppler-utils only fails PDFs (ErrNoPoppler), a
// build without Tesseract only fails images and image-only PDFs.
func NewEngine(cfg Config) (*Engine, error) {
	if cfg.MinOCRConfidence <= 0 {
		cfg.MinOCRConfidence = 0.6
	}
	if len(cfg.AcceptedKinds) == 0 {
		cfg.AcceptedKinds = []string{KindUtilityBill, KindBankStatement, KindTaxLetter, KindGovernmentLetter}
	}
	e := &Engine{cfg: cfg, langs: map[string]bool{}}
	e.pdf, e.pdfErr = findPoppler()
	o, err := newOCR()
	if err != nil {
		return nil, err
	}
	e.ocr = o
	ls := cfg.TessdataLanguages
	if ls == nil {
		ls = installedLanguages()
	}
	for _, l := range ls {
		e.langs[l] = true
	}
	return e, nil
}

// installedLanguages lists the traineddata files where Debian's tesseract-ocr-* put them.
func installedLanguages() []string {
	var out []string
	for _, dir := range []string{os.Getenv("TESSDATA_PREFIX"), "/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata"} {
		if dir == "" {
			continue
		}
		es, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range es {
			if n, ok := strings.CutSuffix(e.Name(), ".traineddata"); ok {
				out = append(out, n)
			}
		}
	}
	return out
}

// Versions says what read the documents, for reproducibility.
func (e *Engine) Versions() map[string]string {
	v := map[string]string{"parser": "rules-1"}
	if e.ocr.Version() != "" {
		v["tesseract"] = e.ocr.Version()
	}
	return v
}

// PDFAvailable reports whether poppler-utils were found, so PDFs can be read.
func (e *Engine) PDFAvailable() bool { return e.pdf != nil }

// OCRAvailable reports whether images and image-only PDFs can be read.
func (e *Engine) OCRAvailable() bool { return TesseractAvailable }

// ocrLangs: Tesseract models for a country's documents (its languages, English for the
// words banks print in English everywhere), limited to what is installed.
var ocrLangs = map[string][]string{
	"GB": {"eng"}, "IE": {"eng"}, "US": {"eng"}, "CA": {"eng", "fra"}, "DE": {"deu", "eng"}, "AT": {"deu", "eng"},
	"CH": {"deu", "fra", "ita"}, "FR": {"fra", "eng"}, "BE": {"fra", "nld"}, "NL": {"nld", "eng"}, "ES": {"spa", "eng"},
	"IT": {"ita", "eng"}, "PT": {"por", "eng"}, "BR": {"por", "eng"}, "PL": {"pol", "eng"},
}

func (e *Engine) languages(country string) string {
	var out []string
	for _, l := range ocrLangs[country] {
		if len(e.langs) == 0 || e.langs[l] {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		out = []string{"eng"}
	}
	return strings.Join(out, "+")
}

// Detect returns the document's media type by content: application/pdf, image/jpeg,
// image/png, image/webp, or an *Error (HEIC and anything else are refused by name).
func Detect(b []byte) (string, error) {
	if len(b) == 0 {
		return "", refuse(CodeEmpty, "the document is empty")
	}
	if i := bytes.Index(b[:min(len(b), 1024)], []byte("%PDF-")); i >= 0 {
		return "application/pdf", nil
	}
	if mt := imaging.Sniff(b); mt != "" {
		return mt, nil
	}
	if len(b) >= 12 && string(b[4:8]) == "ftyp" {
		switch string(b[8:12]) {
		case "heic", "heix", "hevc", "heim", "heis", "mif1", "msf1", "avif":
			return "", refuse(CodeUnsupported, "HEIC/HEIF photos cannot be read (no HEIC decoder is linked); send a JPEG (iPhone: Settings → Camera → Formats → Most Compatible), PNG, WebP or PDF")
		}
	}
	return "", refuse(CodeUnsupported, "the document is not a PDF, JPEG, PNG or WebP")
}

// Precheck refuses, cheaply and before any reading, what cannot be read at all: a format
// that is not a PDF, JPEG, PNG or WebP; a PDF poppler cannot open (malformed, encrypted,
// too large, too many pages) or cannot be opened on this server; an image that does not
// decode within the limits, or any image in a build without OCR. A document it passes may
// still turn out unreadable (a scanned PDF in a build without OCR). Refusals are *Error.
func (e *Engine) Precheck(ctx context.Context, doc []byte) error {
	mt, err := Detect(doc)
	if err != nil {
		return err
	}
	if mt != "application/pdf" {
		if !TesseractAvailable {
			return errNoOCR
		}
		if _, _, err := imaging.Decode(ctx, doc, "document", imaging.Limits{MinSide: 200}); err != nil {
			var ie *imaging.Error
			if errors.As(err, &ie) {
				return &Error{Code: ie.Code, Field: "document", Message: ie.Message}
			}
			return err
		}
		return nil
	}
	if e.pdf == nil {
		return e.pdfErr
	}
	d, err := e.pdf.open(ctx, doc)
	if err != nil {
		return err
	}
	d.close()
	return nil
}

// reading is the text of a document and how it was read.
type reading struct {
	lines     []string
	conf      float64
	engine    string
	pages     int
	mediaType string
	textLayer bool
	ocrLines  []string // OCR of the rendered first page of a text-layer PDF, for the cross-check
	truncated bool
}

func (e *Engine) read(ctx context.Context, doc []byte, country string) (reading, error) {
	mt, err := Detect(doc)
	if err != nil {
		return reading{}, err
	}
	r := reading{mediaType: mt}
	langs := e.languages(country)
	if mt != "application/pdf" {
		img, _, err := imaging.Decode(ctx, doc, "document", imaging.Limits{MinSide: 200})
		if err != nil {
			var ie *imaging.Error
			if errors.As(err, &ie) {
				return r, &Error{Code: ie.Code, Field: "document", Message: ie.Message}
			}
			return r, err
		}
		pg, err := e.ocr.Read(ctx, img, langs)
		if err != nil {
			return r, err
		}
		r.lines, r.conf, r.engine, r.pages = pg.lines, pg.conf, "tesseract", 1
		return r, nil
	}
	if e.pdf == nil {
		return r, e.pdfErr
	}
	d, err := e.pdf.open(ctx, doc)
	if err != nil {
		return r, err
	}
	defer d.close()
	r.pages = d.info.pages
	texts, err := e.pdf.text(ctx, d)
	if err != nil {
		return r, err
	}
	letters := 0
	for _, t := range texts {
		for _, c := range t {
			if c >= 'A' && c <= 'z' || c > 0xBF {
				letters++
			}
		}
	}
	if letters >= 40 {
		r.textLayer, r.engine, r.conf = true, "text_layer", 1
		for i, t := range texts {
			if i > 0 {
				r.lines = append(r.lines, "")
			}
			r.lines = append(r.lines, strings.Split(t, "\n")...)
		}
		r.truncated = d.info.pages > TextPages
		if TesseractAvailable && !e.cfg.SkipTextLayerCheck {
			imgs, err := e.pdf.render(ctx, d, 1, 1, 200)
			if err != nil {
				return r, err
			}
			img, err := decodePNG(imgs[0])
			if err != nil {
				return r, err
			}
			pg, err := e.ocr.Read(ctx, img, langs)
			if err != nil {
				return r, err
			}
			r.ocrLines = pg.lines
			r.engine = "text_layer+tesseract"
		}
		return r, nil
	}
	if !TesseractAvailable {
		return r, errNoOCR
	}
	last := min(d.info.pages, OCRPages)
	r.truncated = d.info.pages > OCRPages
	imgs, err := e.pdf.render(ctx, d, 1, last, 300)
	if err != nil {
		return r, err
	}
	r.engine = "tesseract"
	confSum, words := 0.0, 0
	for i, b := range imgs {
		img, err := decodePNG(b)
		if err != nil {
			return r, err
		}
		pg, err := e.ocr.Read(ctx, img, langs)
		if err != nil {
			return r, err
		}
		if i > 0 {
			r.lines = append(r.lines, "")
		}
		r.lines = append(r.lines, pg.lines...)
		confSum += pg.conf * float64(pg.words)
		words += pg.words
	}
	if words > 0 {
		r.conf = confSum / float64(words)
	}
	return r, nil
}

func decodePNG(b []byte) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode rendered page: %w", err)
	}
	return img, nil
}

// Check reads a document and decides whether it proves the declared name and address.
// Refusals the caller can fix (format, encryption, size) are *Error; the declared
// address must carry a supported country (ParseDeclared checks that).
func (e *Engine) Check(ctx context.Context, in Input) (Result, error) {
	country := strings.ToUpper(in.DeclaredAddress.Country)
	p, _ := ParserFor(country).(*rule)
	if p == nil {
		return Result{}, &Error{Code: "unsupported_country", Field: "declared_address.country", Message: fmt.Sprintf("country %q is not supported; supported: %s", in.DeclaredAddress.Country, strings.Join(Countries(), ", "))}
	}
	rd, err := e.read(ctx, in.Document, country)
	if err != nil {
		return Result{}, err
	}
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	maxAge := in.MaxAgeDays
	if maxAge <= 0 {
		maxAge = 90
	}
	return e.decide(rd, p, in, now, maxAge), nil
}

func (e *Engine) decide(rd reading, p *rule, in Input, now time.Time, maxAge int) Result {
	res := Result{Pages: rd.pages, MediaType: rd.mediaType, Reasons: []Reason{},
		OCR:  OCR{Engine: rd.engine, Confidence: round2(rd.conf), Version: e.ocr.Version()},
		Text: strings.Join(rd.lines, "\n")}
	if rd.engine != "text_layer" {
		res.OCR.Languages = e.languages(p.code)
	}
	add := func(code, effect, msg string, data map[string]any) {
		res.Reasons = append(res.Reasons, Reason{Code: code, Effect: effect, Message: msg, Data: data})
	}
	reliable := rd.textLayer || rd.conf >= e.cfg.MinOCRConfidence
	if strings.TrimSpace(res.Text) == "" {
		add(ReasonNoText, EffectReview, "no text could be read from the document", nil)
		res.DocumentKind = KindOther
		res.Status = StatusNeedsReview
		return res
	}
	if !reliable {
		add(ReasonLowOCRConfidence, EffectReview, fmt.Sprintf("the text was read with low confidence (%.2f)", rd.conf), map[string]any{"confidence": round2(rd.conf)})
	}
	if rd.truncated {
		add(ReasonPagesTruncated, EffectInfo, fmt.Sprintf("only the first %d pages were read", max(TextPages, OCRPages)), nil)
	}
	declared := in.DeclaredAddress
	declared.Country = p.code

	// One OCR slip inside the declared postcode ("M14 OYT") is undone before the block is
	// searched (ocrfix.go); a text layer is what was printed and is never repaired.
	if !rd.textLayer && declared.PostalCode != "" {
		var lines []string
		for i, l := range rd.lines {
			if fixed, read, ok := p.repairPostcode(l, declared.PostalCode); ok {
				if lines == nil {
					lines = slices.Clone(rd.lines)
				}
				lines[i] = fixed
				add(ReasonPostcodeRepaired, EffectInfo, fmt.Sprintf("the postcode was read as %q: one character OCR confuses, taken as %s", read, declared.PostalCode),
					map[string]any{"read": read, "as": declared.PostalCode})
			}
		}
		if lines != nil {
			rd.lines = lines
		}
	}
	// The addressee block: the declared country's rules first, then every other country's,
	// so an address abroad is read (and found not to match) rather than missed.
	b := findBlock(rd.lines, p, in.DeclaredName)
	if !b.ok {
		for _, c := range Countries() {
			if c == p.code {
				continue
			}
			if b = findBlock(rd.lines, rules[c], in.DeclaredName); b.ok {
				b.addr.Country = c
				break
			}
		}
	}
	skip := map[string]bool{}
	if b.ok {
		a := b.addr
		res.ExtractedAddress = &a
		res.AddresseeName = cleanName(b.name)
		skip[b.name] = true
		for _, l := range b.lines {
			skip[l] = true
		}
	}
	res.Issuer = findIssuer(rd.lines, skip)
	res.DocumentKind = classifyKind(res.Text)

	// The name.
	switch {
	case res.AddresseeName == "":
		add(ReasonNameNotFound, EffectReview, "no addressee name was found on the document", nil)
	default:
		res.NameMatch = nameScore(in.DeclaredName, res.AddresseeName)
		if !res.NameMatch.Matched {
			// A text layer is read exactly: a different name is another person. OCR drops and
			// swaps letters ("Groß" read "GROB"), so from a picture a name sharing a word with
			// the declared one goes to review; only an entirely different name rejects.
			eff := EffectReject
			if !reliable || res.NameMatch.Score >= 0.6 || (!rd.textLayer && sharesNameWord(in.DeclaredName, res.AddresseeName)) {
				eff = EffectReview
			}
			add(ReasonNameMismatch, eff, fmt.Sprintf("the document is addressed to %q, not %q", res.AddresseeName, in.DeclaredName),
				map[string]any{"score": res.NameMatch.Score})
		}
	}

	// From OCR, a block found by the fallback whose address is not the declared one may be no
	// addressee block at all (a table row over a line with digits): it proves nothing either
	// way, so what it disagrees with goes to a person. Over the declared address, it is the
	// addressee block, and a different name there is another person.
	guess := b.ok && !b.byName && !rd.textLayer
	if guess && !compareAddress(p.code, declared, b.addr).Matched {
		for i := range res.Reasons {
			if res.Reasons[i].Code == ReasonNameMismatch {
				res.Reasons[i].Effect = EffectReview
			}
		}
	}

	// The address.
	if !b.ok {
		add(ReasonAddressNotFound, EffectReview, "no postal address was found on the document", nil)
	} else {
		res.AddressMatch = compareAddress(p.code, declared, b.addr)
		c := res.AddressMatch.Components
		switch {
		case res.AddressMatch.Matched:
		case !c["country"].Matched:
			// From OCR, garbled lines under the name can parse as a scrap of another
			// country's address: only a whole one (street and postcode) is another country.
			eff := EffectReject
			if !reliable || guess || (!rd.textLayer && (b.addr.PostalCode == "" || b.addr.Street == "")) {
				eff = EffectReview
			}
			add(ReasonCountryMismatch, eff, fmt.Sprintf("the address on the document is in %s, not %s", b.addr.Country, declared.Country), nil)
		case !c["postal_code"].Matched || !c["house_number"].Matched:
			// From a text layer a different postcode or house number is another address. From
			// OCR one misread digit looks the same ("10" read "18"), so only an address that
			// differs in its postcode and in its street rejects; the rest goes to a person.
			eff := EffectReject
			if !reliable || guess || (!rd.textLayer && (c["postal_code"].Matched || c["street"].Matched)) {
				eff = EffectReview
			}
			add(ReasonAddressMismatch, eff, "the postcode or house number on the document differs from the declared address", componentData(c))
		default:
			add(ReasonAddressPartial, EffectReview, "the postcode and house number match but the street or town differs", componentData(c))
		}
	}

	// The date.
	ds := FindDates(withoutBlock(rd.lines, b), p.code)
	if d, ok := ChooseDate(ds); ok {
		res.DocumentDate = d.Date.Format("2006-01-02")
		res.DateLabel = d.Label
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		age := int(math.Round(today.Sub(d.Date).Hours() / 24))
		switch {
		case age < -1:
			add(ReasonDateInFuture, EffectReview, fmt.Sprintf("the document is dated %s, in the future", res.DocumentDate), nil)
		case age > maxAge:
			eff := EffectReject
			if !reliable {
				eff = EffectReview
			}
			add(ReasonDocumentTooOld, eff, fmt.Sprintf("the document is dated %s, %d days ago; at most %d are accepted", res.DocumentDate, age, maxAge),
				map[string]any{"age_days": age, "max_age_days": maxAge})
		default:
			res.IsRecent = true
		}
	} else {
		add(ReasonDateNotFound, EffectReview, "no issue or statement date was found on the document", nil)
	}

	// The kind.
	accepted := false
	for _, k := range e.cfg.AcceptedKinds {
		accepted = accepted || k == res.DocumentKind
	}
	if !accepted {
		add(ReasonKindNotAccepted, EffectReview, fmt.Sprintf("the document reads as %s, which is not accepted on its own", res.DocumentKind), nil)
	}

	// The text layer against the picture.
	if rd.textLayer && rd.ocrLines != nil {
		switch v, data := textLayerAgrees(rd.lines, rd.ocrLines, b, p); v {
		case layerDiffers:
			add(ReasonTextLayerMismatch, EffectReject, "the PDF's text layer says something other than its printed page", data)
		case layerNearMiss:
			add(ReasonTextLayerMismatch, EffectReview, "the printed page could not confirm the text layer's addressee or postcode (an OCR slip, or a changed document)", data)
		}
	} else if rd.textLayer && !e.cfg.SkipTextLayerCheck {
		add(ReasonTextLayerUnchecked, EffectInfo, "the text layer was not compared with the printed page (no OCR in this build)", nil)
	}

	res.Status = StatusApproved
	for _, r := range res.Reasons {
		switch r.Effect {
		case EffectReject:
			res.Status = StatusRejected
		case EffectReview:
			if res.Status == StatusApproved {
				res.Status = StatusNeedsReview
			}
		}
	}
	if res.Status == StatusApproved && (!res.NameMatch.Matched || !res.AddressMatch.Matched || !res.IsRecent) {
		res.Status = StatusNeedsReview // belt and braces: never approve without all three
	}
	return res
}

// withoutBlock blanks the addressee block's segments (its name and address lines) out of
// the rows, leaving what stands beside them: an Austrian "Hauptstraße 6/3/18" (house,
// stair, door) or a US "12/4" flat is not a date, and the issue date beside the window must
// still be found.
func withoutBlock(lines []string, b block) []string {
	if !b.ok {
		return lines
	}
	out := append([]string(nil), lines...)
	for _, seg := range append([]string{b.name}, b.lines...) {
		seg = strings.TrimSpace(seg)
		if len(seg) < 4 {
			continue
		}
		for i := max(b.nameLine, 0); i < len(out) && i <= b.nameLine+10; i++ {
			if j := strings.Index(out[i], seg); j >= 0 {
				out[i] = out[i][:j] + strings.Repeat(" ", len([]rune(seg))) + out[i][j+len(seg):]
				break
			}
		}
	}
	return out
}

func componentData(c map[string]Match) map[string]any {
	out := map[string]any{}
	for k, m := range c {
		out[k] = m.Matched
	}
	return out
}

func cleanName(s string) string {
	return strings.TrimSpace(strings.Trim(s, ",;:"))
}

// textLayerAgrees compares a PDF's text layer with an OCR of its first page as printed. A
// doctored PDF (an invisible text layer over a picture of someone else's bill, or the other
// way round) reads differently: most words of the text layer's first page, and the name and
// postcode of its address block above all, must appear in the OCR. Only a page that clearly
// says something else rejects (few shared words, or another postcode printed where the text
// layer's is missing); a surname or postcode the OCR merely missed is a near miss for review.
func textLayerAgrees(text, ocr []string, b block, p *rule) (layerVerdict, map[string]any) {
	page1 := text
	for i, l := range text {
		if strings.Contains(l, "\f") {
			page1 = text[:i]
			break
		}
	}
	ow := map[string]bool{}
	for _, l := range ocr {
		for _, w := range strings.Fields(fold(l)) {
			ow[strings.Trim(w, ".")] = true
		}
	}
	found, total := 0, 0
	for _, l := range page1 {
		for _, w := range strings.Fields(fold(l)) {
			w = strings.Trim(w, ".")
			if len(w) < 4 {
				continue
			}
			total++
			if ow[w] {
				found++
			}
		}
	}
	recall := 1.0
	if total > 0 {
		recall = float64(found) / float64(total)
	}
	data := map[string]any{"word_recall": round2(recall)}
	if recall < 0.5 {
		return layerDiffers, data
	}
	if !b.ok {
		return layerAgrees, data
	}
	verdict := layerAgrees
	ocrText := strings.ReplaceAll(fold(strings.Join(ocr, " ")), " ", "")
	// The postcode and every word of the addressee's name (a household's bills share the
	// surname: another member's differs only in the first name).
	for _, key := range append([]string{b.addr.PostalCode}, nameKeys(b.name)...) {
		k := strings.ReplaceAll(fold(key), " ", "")
		if len(k) < 3 || containsFuzzy(ocrText, k) {
			continue
		}
		data["missing"] = key
		verdict = layerNearMiss
		if key == b.addr.PostalCode {
			if other := otherPostcode(p, text, ocr, key); other != "" {
				data["printed_postcode"] = other
				return layerDiffers, data
			}
		} else if other := otherAddressee(p, text, ocr, b, key); other != "" {
			data["printed_name"] = other
			return layerDiffers, data
		}
	}
	return verdict, data
}

// Verdicts of the text layer against the OCR of the printed page.
type layerVerdict int

const (
	layerAgrees layerVerdict = iota
	// layerNearMiss: the page reads like the text layer, but the addressee's surname or
	// postcode was not found in the OCR — one slip too many, or a changed detail: review.
	layerNearMiss
	// layerDiffers: the page says something else — few of the text layer's words, or a
	// clearly different postcode where the text layer's is missing: reject.
	layerDiffers
)

// otherPostcode is a postcode the OCR reads on the page that the text layer has nowhere and
// that differs from the text layer's addressee postcode pc in at least half its characters —
// a different address printed, not a misread of the same one ("" when there is none).
func otherPostcode(p *rule, text, ocr []string, pc string) string {
	if p == nil {
		return ""
	}
	layer := strings.ReplaceAll(fold(strings.Join(text, " ")), " ", "")
	want := strings.ReplaceAll(fold(pc), " ", "")
	for _, l := range ocr {
		got, _, ok := p.findPostcode(l)
		if !ok {
			continue
		}
		g := strings.ReplaceAll(fold(got), " ", "")
		if containsFuzzy(layer, g) || charDiff(g, want)*2 < len(want) {
			continue
		}
		return got
	}
	return ""
}

// otherAddressee is the name printed in the page's addressee block when it is clearly someone
// else's: a full name none of whose words is even half like the text layer addressee's word the
// OCR missed (missing), over either the text layer's own address (another member of the
// household: the first name or the surname changed) or an address the text layer has nowhere
// (another person's bill in the same template; the issuer's address is in both, so its block
// never counts). A misread of the applicant's block keeps a word like the missing one ("" then).
func otherAddressee(p *rule, text, ocr []string, b block, missing string) string {
	if p == nil {
		return ""
	}
	ob := findBlock(ocr, p, "")
	if !ob.ok || ob.addr.PostalCode == "" {
		return ""
	}
	same := ob.addr.PostalCode == b.addr.PostalCode &&
		(ob.addr.HouseNumber == "" || b.addr.HouseNumber == "" || fold(ob.addr.HouseNumber) == fold(b.addr.HouseNumber))
	if !same {
		// Whole words only: "5000" inside an account number or "50,00" is no address.
		words := func(s string) string {
			return " " + strings.Join(strings.Fields(strings.ReplaceAll(fold(s), ".", " ")), " ") + " "
		}
		if strings.Contains(words(strings.Join(text, "\n")), words(ob.addr.PostalCode)) {
			return "" // an address the text layer prints too: the issuer's, not the addressee's
		}
	}
	printed, want := nameWords(ob.name), nameWords(missing)
	if len(printed) < 2 || len(want) != 1 || len(want[0]) < 2 {
		return ""
	}
	for _, a := range printed {
		// "Even half like": at most half the letters edited (a Jaro-style similarity finds
		// unrelated names half alike).
		half := max(len(a), len(want[0])) / 2
		if textdist.OSA(a, want[0], half) <= half {
			return ""
		}
	}
	return cleanName(ob.name)
}

// charDiff counts the positions at which a and b differ, and their difference in length.
func charDiff(a, b string) int {
	d := max(len(a), len(b)) - min(len(a), len(b))
	for i := 0; i < min(len(a), len(b)); i++ {
		if a[i] != b[i] {
			d++
		}
	}
	return d
}

// nameKeys are the words of a name worth looking for on a page (three letters or more),
// longest first.
func nameKeys(s string) []string {
	var out []string
	for _, w := range nameWords(s) {
		if len(w) >= 3 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// containsFuzzy reports whether key occurs in text with at most one substituted character
// per five (OCR reads "1S8" as "188" and "rn" as "m"; a doctored page differs in most).
func containsFuzzy(text, key string) bool {
	if strings.Contains(text, key) {
		return true
	}
	allowed := max(1, len(key)/5)
	for i := 0; i+len(key) <= len(text); i++ {
		d := 0
		for j := 0; j < len(key) && d <= allowed; j++ {
			if text[i+j] != key[j] {
				d++
			}
		}
		if d <= allowed {
			return true
		}
	}
	return false
}
