package document

import (
	"context"
	"fmt"
	"image"
	"math"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/mrz"
)

// Side says which side of a document an image shows.
type Side string

// Accepted sides. SideUnknown lets the engine work it out.
const (
	SideFront   Side = "front"
	SideBack    Side = "back"
	SideUnknown Side = ""
)

// AllSides lists the sides a caller can name (SideUnknown is the absence of one).
var AllSides = []Side{SideFront, SideBack}

// Image is one uploaded photo or scan.
type Image struct {
	Side  Side   `json:"side,omitempty"`
	Bytes []byte `json:"-"`
}

// Prefill is applicant data given when the verification was created; the
// document must agree with it.
type Prefill struct {
	Name        string `json:"name,omitempty"`
	DOB         string `json:"dob,omitempty"` // YYYY-MM-DD
	DocNumber   string `json:"doc_number,omitempty"`
	Nationality string `json:"nationality,omitempty"` // ICAO/ISO alpha-3
}

// Policy is the per-key rule set the verdict is judged against. Empty lists
// and zero ages mean "no restriction".
type Policy struct {
	// AllowedCountries are issuing-state codes (alpha-3, "D" for Germany).
	AllowedCountries []string `json:"allowed_countries,omitempty"`
	// AllowedDocTypes are DocType values: passport, id_card, visa, other.
	AllowedDocTypes []string `json:"allowed_doc_types,omitempty"`
	MinAge          int      `json:"min_age,omitempty"`
	MaxAge          int      `json:"max_age,omitempty"`
	Prefill         Prefill  `json:"prefill,omitempty"`
	// Now overrides the engine clock for this call (zero: engine clock).
	Now time.Time `json:"-"`
}

// Document types derived from the MRZ document code.
const (
	DocPassport = "passport"
	DocIDCard   = "id_card"
	DocVisa     = "visa"
	DocOther    = "other"
)

// Verdict is the document check's decision.
type Verdict string

// Verdicts, from best to worst.
const (
	VerdictPass   Verdict = "pass"
	VerdictReview Verdict = "review"
	VerdictFail   Verdict = "fail"
)

// Reason codes of the verdict.
const (
	ReasonMRZMissing      = "mrz_missing"
	ReasonMRZInvalid      = "mrz_invalid"
	ReasonExpired         = "document_expired"
	ReasonCountry         = "country_not_allowed"
	ReasonDocType         = "document_type_not_allowed"
	ReasonAgeBelow        = "age_below_minimum"
	ReasonAgeAbove        = "age_above_maximum"
	ReasonPrefillMismatch = "prefill_mismatch"
	ReasonLowConfidence   = "low_confidence"
)

// ValidationError is one problem found, machine-readable by Code.
type ValidationError struct {
	Code    string `json:"code" jsonschema:"machine-readable problem, e.g. document_expired"`
	Field   string `json:"field,omitempty" jsonschema:"the document field concerned, e.g. expiry_date"`
	Message string `json:"message" jsonschema:"what is wrong, for a person"`
}

// Box is a rectangle in an image's pixel coordinates (after EXIF orientation).
type Box struct {
	X      int `json:"x"`
	Y      int `json:"y"`
	Width  int `json:"width"`
	Height int `json:"height"`
	// Image is the index of the image in the Analyze call.
	Image int `json:"image"`
}

func boxOf(r image.Rectangle, img int) *Box {
	return &Box{X: r.Min.X, Y: r.Min.Y, Width: r.Dx(), Height: r.Dy(), Image: img}
}

// Result is the document check's outcome.
type Result struct {
	DocumentType         string            `json:"document_type"`
	DocumentCode         string            `json:"document_code"`
	IssuingCountry       string            `json:"issuing_country"`
	IssuingCountryName   string            `json:"issuing_country_name,omitempty"`
	FullName             string            `json:"full_name"`
	GivenNames           string            `json:"given_names"`
	Surname              string            `json:"surname"`
	DateOfBirth          string            `json:"date_of_birth"`
	Age                  *int              `json:"age,omitempty"`
	Nationality          string            `json:"nationality"`
	Sex                  string            `json:"sex"`
	DocumentNumberMasked string            `json:"document_number_masked"`
	ExpiryDate           string            `json:"expiry_date"`
	Expired              bool              `json:"expired"`
	MRZValid             bool              `json:"mrz_valid"`
	IsValid              bool              `json:"is_valid"`
	ExtractionConfidence float64           `json:"extraction_confidence"`
	ValidationErrors     []ValidationError `json:"validation_errors"`
	Verdict              Verdict           `json:"verdict"`
	Reasons              []string          `json:"reasons"`
	Engine               Info              `json:"engine"`
	MRZ                  *mrz.Result       `json:"mrz,omitempty"`
	// MRZBox is where the MRZ was read; PortraitBox where the portrait is
	// expected by layout (no face detector is involved).
	MRZBox      *Box `json:"mrz_box,omitempty"`
	PortraitBox *Box `json:"portrait_box,omitempty"`
	// PrintedDates is what the visual-zone OCR read of the dates (nil when the MRZ was not
	// check-digit valid); Splice is the splice detector's look at the portrait's border.
	PrintedDates *PrintedDates `json:"printed_dates,omitempty"`
	Splice       *Splice       `json:"splice,omitempty"`
}

// Analyze reads the document in images (one to MaxImages photos: a passport
// data page, or an ID card's front and back) and judges it against policy.
// Input problems return an *InputError; an unreadable document is not an
// error but a result with the mrz_missing reason.
func (e *Engine) Analyze(ctx context.Context, images []Image, policy Policy) (*Result, error) {
	if len(images) == 0 {
		return nil, &InputError{ErrCodeNoImages, "images", "at least one image is required"}
	}
	if len(images) > e.cfg.MaxImages {
		return nil, &InputError{ErrCodeTooManyImgs, "images", fmt.Sprintf("%d images given, at most %d accepted", len(images), e.cfg.MaxImages)}
	}
	if err := policy.validate(); err != nil {
		return nil, err
	}
	decoded := make([]image.Image, len(images))
	for i, im := range images {
		if im.Side != SideFront && im.Side != SideBack && im.Side != SideUnknown {
			return nil, &InputError{ErrCodeBadSide, fmt.Sprintf("images[%d].side", i), fmt.Sprintf("side %q is not front, back or empty", im.Side)}
		}
		img, _, err := decodeImage(ctx, im.Bytes, e.cfg.MaxBytes, e.cfg.MaxPixels, fmt.Sprintf("images[%d].bytes", i))
		if err != nil {
			return nil, err
		}
		decoded[i] = img
	}
	now := policy.Now
	if now.IsZero() {
		now = e.cfg.Now()
	}
	// Backs first: a TD1's MRZ is on the back, a passport's on its only page.
	order := make([]int, 0, len(images))
	for i, im := range images {
		if im.Side == SideBack {
			order = append(order, i)
		}
	}
	for i, im := range images {
		if im.Side != SideBack {
			order = append(order, i)
		}
	}
	var best *mrzRead
	bestImg := -1
	for _, i := range order {
		rd, err := e.readMRZ(ctx, decoded[i])
		if err != nil {
			return nil, err
		}
		if rd != nil && (best == nil || better(rd, best)) {
			best, bestImg = rd, i
		}
		if best != nil && e.trusted(best) {
			break
		}
	}
	res := &Result{Engine: e.info(OCRClassifier), ValidationErrors: []ValidationError{}, Reasons: []string{}}
	if best != nil {
		res.Engine = e.info(best.ocr)
		res.MRZBox = boxOf(best.box, bestImg)
	}
	if best == nil || best.res == nil {
		res.addError(ReasonMRZMissing, "mrz", "no machine-readable zone found in the images")
		res.decide()
		return res, nil
	}
	m := best.res
	res.MRZ = m
	res.fill(m, now)
	res.MRZValid = checksOK(m)
	res.ExtractionConfidence = confidence(best)
	res.PortraitBox = e.portrait(decoded, images, best, bestImg, m)
	for _, msg := range m.Errors {
		field, text, ok := strings.Cut(msg, ": ")
		if !ok {
			field, text = "mrz", msg
		}
		res.addError(ReasonMRZInvalid, field, text)
	}
	if !res.MRZValid && len(m.Errors) == 0 {
		res.addError(ReasonMRZInvalid, "mrz", "check digits disagree")
	}
	if res.MRZValid {
		if need := e.requiredConfidence(best); best.minConf < need {
			msg := fmt.Sprintf("a character outside the check digits' protection was read with confidence %.2f, below %.2f", best.minConf, need)
			if best.pitch < fullResPitch {
				msg += fmt.Sprintf(" (low resolution: %.1f px per MRZ character)", best.pitch)
			}
			res.addError(ReasonLowConfidence, "mrz", msg)
		}
		// Field rules only run on a check-digit-valid reading: failing
		// someone on a misread date would be the engine's fault, not theirs.
		res.applyPolicy(m, policy)
		e.checkPrintedDates(ctx, decoded, images, best, bestImg, m, res)
	}
	if res.PortraitBox != nil {
		res.Splice = checkSplice(decoded[res.PortraitBox.Image], res.PortraitBox, res)
	}
	res.IsValid = res.MRZValid && m.Valid && !res.Expired
	res.decide()
	return res, nil
}

func (p Policy) validate() error {
	bad := func(field, msg string) error { return &InputError{ErrCodeBadPolicy, "policy." + field, msg} }
	if p.MinAge < 0 || p.MinAge > 150 {
		return bad("min_age", fmt.Sprintf("min age %d outside 0–150", p.MinAge))
	}
	if p.MaxAge < 0 || p.MaxAge > 150 {
		return bad("max_age", fmt.Sprintf("max age %d outside 0–150", p.MaxAge))
	}
	if p.MaxAge > 0 && p.MinAge > p.MaxAge {
		return bad("max_age", fmt.Sprintf("max age %d below min age %d", p.MaxAge, p.MinAge))
	}
	if p.Prefill.DOB != "" {
		if _, err := time.Parse("2006-01-02", p.Prefill.DOB); err != nil {
			return bad("prefill.dob", fmt.Sprintf("date of birth %q is not YYYY-MM-DD", p.Prefill.DOB))
		}
	}
	for i, c := range p.AllowedCountries {
		if n := len(strings.TrimSpace(c)); n < 1 || n > 3 {
			return bad(fmt.Sprintf("allowed_countries[%d]", i), fmt.Sprintf("%q is not an ICAO state code", c))
		}
	}
	for i, d := range p.AllowedDocTypes {
		switch strings.ToLower(strings.TrimSpace(d)) {
		case DocPassport, DocIDCard, DocVisa, DocOther:
		default:
			return bad(fmt.Sprintf("allowed_doc_types[%d]", i), fmt.Sprintf("%q is not passport, id_card, visa or other", d))
		}
	}
	return nil
}

func (r *Result) addError(code, field, msg string) {
	r.ValidationErrors = append(r.ValidationErrors, ValidationError{Code: code, Field: field, Message: msg})
	for _, c := range r.Reasons {
		if c == code {
			return
		}
	}
	r.Reasons = append(r.Reasons, code)
}

var failReasons = map[string]bool{
	ReasonExpired: true, ReasonCountry: true, ReasonDocType: true, ReasonAgeBelow: true, ReasonAgeAbove: true,
}

// decide turns reasons into the verdict: any hard rule fails, anything
// uncertain (no or invalid MRZ, low confidence, prefill mismatch) goes to a
// person, and a clean, valid document passes.
func (r *Result) decide() {
	r.Verdict = VerdictPass
	for _, c := range r.Reasons {
		if failReasons[c] {
			r.Verdict = VerdictFail
			return
		}
		r.Verdict = VerdictReview
	}
}

// DocTypeOf maps an MRZ document code to a DocType.
func DocTypeOf(code string) string {
	if code == "" {
		return DocOther
	}
	switch code[0] {
	case 'P':
		return DocPassport
	case 'I', 'A', 'C':
		return DocIDCard
	case 'V':
		return DocVisa
	}
	return DocOther
}

func (r *Result) fill(m *mrz.Result, now time.Time) {
	r.DocumentCode = strings.TrimRight(m.DocumentCode, "<")
	r.DocumentType = DocTypeOf(r.DocumentCode)
	r.IssuingCountry = strings.TrimRight(m.IssuingState, "<")
	if name, ok := mrz.CountryName(m.IssuingState); ok {
		r.IssuingCountryName = name
	}
	r.Surname, r.GivenNames = m.Surname, m.GivenNames
	r.FullName = strings.TrimSpace(m.GivenNames + " " + m.Surname)
	r.DateOfBirth, r.ExpiryDate = m.DateOfBirth, m.ExpiryDate
	r.Nationality = strings.TrimRight(m.Nationality, "<")
	r.Sex = m.Sex
	r.DocumentNumberMasked = MaskNumber(m.DocumentNumber)
	if dob, err := time.Parse("2006-01-02", m.DateOfBirth); err == nil {
		a := AgeOn(dob, now)
		r.Age = &a
	}
	if exp, err := time.Parse("2006-01-02", m.ExpiryDate); err == nil {
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		r.Expired = exp.Before(today)
	}
}

func (r *Result) applyPolicy(m *mrz.Result, p Policy) {
	if r.Expired {
		r.addError(ReasonExpired, "expiry_date", "document expired on "+r.ExpiryDate)
	}
	if len(p.AllowedCountries) > 0 && !containsCode(p.AllowedCountries, r.IssuingCountry) {
		r.addError(ReasonCountry, "issuing_country", fmt.Sprintf("issuing country %s is not allowed", r.IssuingCountry))
	}
	if len(p.AllowedDocTypes) > 0 && !containsFold(p.AllowedDocTypes, r.DocumentType) {
		r.addError(ReasonDocType, "document_type", fmt.Sprintf("document type %s is not allowed", r.DocumentType))
	}
	if r.Age != nil {
		if p.MinAge > 0 && *r.Age < p.MinAge {
			r.addError(ReasonAgeBelow, "date_of_birth", fmt.Sprintf("age %d is below the minimum %d", *r.Age, p.MinAge))
		}
		if p.MaxAge > 0 && *r.Age > p.MaxAge {
			r.addError(ReasonAgeAbove, "date_of_birth", fmt.Sprintf("age %d is above the maximum %d", *r.Age, p.MaxAge))
		}
	} else if p.MinAge > 0 || p.MaxAge > 0 {
		r.addError(ReasonMRZInvalid, "date_of_birth", "date of birth unknown, age cannot be checked")
	}
	pf := p.Prefill
	if pf.Name != "" {
		if _, ok := mrz.NameMatches(strings.TrimSpace(m.GivenNames+" "+m.Surname), pf.Name); !ok {
			r.addError(ReasonPrefillMismatch, "full_name", "name on the document does not match the applicant's")
		}
	}
	if pf.DOB != "" && pf.DOB != m.DateOfBirth {
		r.addError(ReasonPrefillMismatch, "date_of_birth", "date of birth on the document does not match the applicant's")
	}
	if pf.DocNumber != "" && normNumber(pf.DocNumber) != normNumber(m.DocumentNumber) {
		r.addError(ReasonPrefillMismatch, "document_number", "document number does not match the applicant's")
	}
	if pf.Nationality != "" && normCode(pf.Nationality) != normCode(m.Nationality) {
		r.addError(ReasonPrefillMismatch, "nationality", "nationality on the document does not match the applicant's")
	}
}

// AgeOn is the age in whole years on day now of someone born on dob.
func AgeOn(dob, now time.Time) int {
	a := now.Year() - dob.Year()
	if now.Month() < dob.Month() || (now.Month() == dob.Month() && now.Day() < dob.Day()) {
		a--
	}
	return a
}

// MaskNumber hides all but the last characters of a document number: the
// last 3 of numbers up to 8 characters, the last 4 of longer ones.
func MaskNumber(n string) string {
	n = strings.TrimRight(n, "<")
	keep := 3
	if len(n) > 8 {
		keep = 4
	}
	if len(n) <= keep {
		return strings.Repeat("*", len(n))
	}
	return strings.Repeat("*", len(n)-keep) + n[len(n)-keep:]
}

func normNumber(s string) string {
	s = strings.ToUpper(s)
	return strings.NewReplacer(" ", "", "-", "", "<", "").Replace(s)
}

// normCode folds Germany's MRZ code "D" and its ISO code "DEU" together.
func normCode(s string) string {
	s = strings.ToUpper(strings.TrimRight(strings.TrimSpace(s), "<"))
	if s == "D" {
		return "DEU"
	}
	return s
}

func containsCode(list []string, code string) bool {
	c := normCode(code)
	for _, l := range list {
		if normCode(l) == c {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(strings.TrimSpace(l), s) {
			return true
		}
	}
	return false
}

// confidence combines the classifier's character confidence with whether
// the check digits agree into one 0–1 figure.
func confidence(rd *mrzRead) float64 {
	c := rd.conf
	if !checksOK(rd.res) {
		n := max(1, len(rd.res.Checks))
		c *= 0.5 * float64(validCount(rd.res)) / float64(n)
	}
	return math.Round(c*1000) / 1000
}
