package phone

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/kycd/kycd/checks/findings"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
)

// RiskLevel grades a result for the decision engine (shared with checks/email).
type RiskLevel = findings.Level

// Risk levels, in increasing order.
const (
	RiskLow    = findings.Low
	RiskMedium = findings.Medium
	RiskHigh   = findings.High
)

// Reason is one machine-readable finding with a sentence for people.
type Reason = findings.Reason

// Reason codes and the risk each carries.
const (
	ReasonUnparseable     = "unparseable"       // high: not a phone number at all
	ReasonInvalid         = "invalid_number"    // high: parses, but no such number exists
	ReasonFictional       = "fictional_number"  // high: a range reserved for films and examples
	ReasonPremiumRate     = "premium_rate"      // high
	ReasonVoIP            = "voip"              // medium
	ReasonCountryMismatch = "country_mismatch"  // medium
	ReasonNotPersonal     = "non_personal_type" // medium: toll-free, shared cost, UAN, pager…
	ReasonFixedLine       = "fixed_line"        // low: cannot receive SMS codes
)

var reasonLevel = map[string]RiskLevel{
	ReasonUnparseable: RiskHigh, ReasonInvalid: RiskHigh, ReasonFictional: RiskHigh,
	ReasonPremiumRate: RiskHigh, ReasonVoIP: RiskMedium, ReasonCountryMismatch: RiskMedium,
	ReasonNotPersonal: RiskMedium, ReasonFixedLine: RiskLow,
}

// Type is the kind of line a number belongs to.
type Type string

// Number types. libphonenumber's VOICEMAIL (a handful of access numbers) is reported as
// unknown.
const (
	TypeMobile            Type = "mobile"
	TypeFixedLine         Type = "fixed_line"
	TypeFixedLineOrMobile Type = "fixed_line_or_mobile"
	TypeVoIP              Type = "voip"
	TypeTollFree          Type = "toll_free"
	TypePremiumRate       Type = "premium_rate"
	TypeSharedCost        Type = "shared_cost"
	TypePersonalNumber    Type = "personal_number"
	TypePager             Type = "pager"
	TypeUAN               Type = "uan"
	TypeUnknown           Type = "unknown"
)

var typeNames = map[phonenumbers.PhoneNumberType]Type{
	phonenumbers.MOBILE: TypeMobile, phonenumbers.FIXED_LINE: TypeFixedLine,
	phonenumbers.FIXED_LINE_OR_MOBILE: TypeFixedLineOrMobile, phonenumbers.VOIP: TypeVoIP,
	phonenumbers.TOLL_FREE: TypeTollFree, phonenumbers.PREMIUM_RATE: TypePremiumRate,
	phonenumbers.SHARED_COST: TypeSharedCost, phonenumbers.PERSONAL_NUMBER: TypePersonalNumber,
	phonenumbers.PAGER: TypePager, phonenumbers.UAN: TypeUAN,
}

// Result is the outcome of one phone check.
type Result struct {
	Valid bool `json:"valid"`
	// E164 is the number in E.164 form (+4915123456789) when it parsed, valid or not.
	E164 string `json:"e164,omitempty"`
	// International is the human-readable international format.
	International string `json:"international,omitempty"`
	Type          Type   `json:"type"`
	// Region is the ISO 3166-1 alpha-2 code of the number's country, when known; for an
	// invalid number it is the main country of its calling code.
	Region      string `json:"region,omitempty"`
	CountryCode int    `json:"country_code,omitempty"`
	// ExpectedCountry is the alpha-2 form of Options.ExpectedCountry.
	ExpectedCountry string    `json:"expected_country,omitempty"`
	CountryMismatch bool      `json:"country_mismatch"`
	Fictional       bool      `json:"fictional"`
	RiskLevel       RiskLevel `json:"risk_level"`
	Reasons         []Reason  `json:"reasons"`
	// Metadata names the numbering-plan data used (the phonenumbers module version).
	Metadata string `json:"metadata"`
}

func (r *Result) add(code, format string, a ...any) {
	findings.Add(&r.RiskLevel, &r.Reasons, reasonLevel[code], code, format, a...)
}

// HasReason reports whether the result carries the reason code.
func (r *Result) HasReason(code string) bool { return findings.Has(r.Reasons, code) }

// Options are the per-call inputs besides the number.
type Options struct {
	// DefaultRegion (alpha-2 or alpha-3) is used for numbers written without a country
	// code; empty means such numbers are unparseable.
	DefaultRegion string
	// ExpectedCountry (alpha-2 or alpha-3) is the applicant's or document's country; when
	// set, a number of another country is a country_mismatch.
	ExpectedCountry string
}

// ErrCountry is returned for a DefaultRegion or ExpectedCountry that is not an ISO 3166-1
// country code: that is the caller's mistake, not a finding about the number.
var ErrCountry = errors.New("not an ISO 3166-1 country code")

// NormalizeCountry turns an ISO 3166-1 alpha-2 or alpha-3 code (any case, deprecated codes
// such as UK canonicalized) into alpha-2.
func NormalizeCountry(code string) (string, error) {
	code = strings.TrimSpace(code)
	if len(code) < 2 || len(code) > 3 {
		return "", fmt.Errorf("%q: %w", code, ErrCountry)
	}
	for _, c := range code {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return "", fmt.Errorf("%q: %w", code, ErrCountry)
		}
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return "", fmt.Errorf("%q: %w", code, ErrCountry)
	}
	r = r.Canonicalize()
	if !r.IsCountry() {
		return "", fmt.Errorf("%q: %w", code, ErrCountry)
	}
	return r.String(), nil
}

// MaxInputLen bounds the raw input; libphonenumber itself refuses more than 250 bytes.
const MaxInputLen = 250

var metadataVersion = sync.OnceValue(func() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/nyaruka/phonenumbers" {
				return "libphonenumber (github.com/nyaruka/phonenumbers " + d.Version + ")"
			}
		}
	}
	return "libphonenumber (github.com/nyaruka/phonenumbers)"
})

// Check parses and classifies one number. Problems with the number are findings in the
// Result; the error is ErrCountry for bad options, or ctx's. It never panics.
func Check(ctx context.Context, number string, o Options) (res *Result, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var def, expected string
	if o.DefaultRegion != "" {
		if def, err = NormalizeCountry(o.DefaultRegion); err != nil {
			return nil, fmt.Errorf("default region: %w", err)
		}
	}
	if o.ExpectedCountry != "" {
		if expected, err = NormalizeCountry(o.ExpectedCountry); err != nil {
			return nil, fmt.Errorf("expected country: %w", err)
		}
	}
	res = &Result{Type: TypeUnknown, RiskLevel: RiskLow, Reasons: []Reason{}, ExpectedCountry: expected, Metadata: metadataVersion()}
	if msg := screenInput(number); msg != "" {
		res.add(ReasonUnparseable, "%s", msg)
		return res, nil
	}
	defer func() {
		// libphonenumber is a port of a large Java library; a panic on some input must be a
		// finding, not a crashed worker.
		if p := recover(); p != nil {
			res = &Result{Type: TypeUnknown, RiskLevel: RiskLow, Reasons: []Reason{}, ExpectedCountry: expected, Metadata: metadataVersion()}
			res.add(ReasonUnparseable, "the number could not be parsed")
			err = nil
		}
	}()
	num, perr := phonenumbers.Parse(number, def)
	if perr != nil {
		res.add(ReasonUnparseable, "%s", parseMessage(perr, def))
		return res, nil
	}
	res.CountryCode = int(num.GetCountryCode())
	res.E164 = phonenumbers.Format(num, phonenumbers.E164)
	res.International = phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
	res.Valid = phonenumbers.IsValidNumber(num)
	if res.Valid {
		res.Region = phonenumbers.GetRegionCodeForNumber(num)
		if t, ok := typeNames[phonenumbers.GetNumberType(num)]; ok {
			res.Type = t
		}
	} else if rc := phonenumbers.GetRegionCodeForCountryCode(res.CountryCode); rc != "ZZ" && rc != "001" {
		res.Region = rc
	}
	if f, ok := fictional(res.E164); ok {
		res.Fictional = true
		res.add(ReasonFictional, "%s is in a range reserved for fiction and examples (%s)", res.E164, f)
	}
	if !res.Valid {
		res.add(ReasonInvalid, "%s is not a valid number in the numbering plan of %s", res.E164, orUnknown(res.Region))
	}
	switch res.Type {
	case TypePremiumRate:
		res.add(ReasonPremiumRate, "premium-rate numbers charge the caller and are a common fraud vector")
	case TypeVoIP:
		res.add(ReasonVoIP, "VoIP numbers are cheap to obtain in bulk and are not tied to a subscriber identity")
	case TypeTollFree, TypeSharedCost, TypePersonalNumber, TypePager, TypeUAN:
		res.add(ReasonNotPersonal, "a %s number is not a personal line that can receive verification codes", strings.ReplaceAll(string(res.Type), "_", "-"))
	case TypeFixedLine:
		res.add(ReasonFixedLine, "a fixed-line number cannot receive SMS codes")
	}
	if expected != "" && res.Region != "" && (res.Valid || res.Fictional) && !sameCountry(res.Region, expected) {
		res.CountryMismatch = true
		res.add(ReasonCountryMismatch, "the number is from %s, the applicant's country is %s", res.Region, expected)
	}
	return res, nil
}

// sameCountry treats territories that share a numbering plan with, and hold the citizenship
// of, a larger country as that country where it matters for KYC: Crown Dependencies use
// +44 (GG, JE, IM) and are commonly on British documents.
func sameCountry(region, expected string) bool {
	if region == expected {
		return true
	}
	crown := map[string]bool{"GB": true, "GG": true, "JE": true, "IM": true}
	return crown[region] && crown[expected]
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown country"
	}
	return s
}

// screenInput rejects what should never reach the parser, with a message that does not
// echo the input.
func screenInput(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "the number is empty"
	case len(s) > MaxInputLen:
		return fmt.Sprintf("the input is %d bytes long; a phone number is at most %d", len(s), MaxInputLen)
	case !utf8.ValidString(s):
		return "the input is not valid UTF-8"
	}
	for _, r := range s {
		if r == '\r' || r == '\n' {
			return "the input contains a line break"
		}
		if unicode.IsControl(r) && r != '\t' || unicode.Is(unicode.Cf, r) {
			return fmt.Sprintf("the input contains a control or invisible character (U+%04X)", r)
		}
	}
	return ""
}

func parseMessage(err error, def string) string {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		if def == "" {
			return "the number has no valid country code (+…) and no default region was given"
		}
		return "the number's country code is not valid"
	case errors.Is(err, phonenumbers.ErrNotANumber):
		return "the input is not a phone number"
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "the number is too short"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "the number is too long"
	}
	return "the number could not be parsed"
}
