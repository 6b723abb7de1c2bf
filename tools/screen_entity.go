package tools

import (
	"context"
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/kycd/kycd/checks/screening"
	"github.com/kycd/kycd/checks/screening/lists"
)

// ScreenEntityInput is one organisation, vessel or aircraft to screen.
type ScreenEntityInput struct {
	Name                string   `json:"name,omitempty" jsonschema:"the legal or trading name, any script (legal-form words down-weighted); a name or an identifier is required" maxLength:"300"`
	Type                string   `json:"type,omitempty" jsonschema:"what it is; default organization (vessel when only an IMO number is given)" enum:"organization,vessel,aircraft,any"`
	Country             string   `json:"country,omitempty" jsonschema:"country of registration or operation" country:"alpha2"`
	LEI                 string   `json:"lei,omitempty" jsonschema:"Legal Entity Identifier (ISO 17442, 20 characters); an exact match scores 1" maxLength:"20"`
	IMO                 string   `json:"imo,omitempty" jsonschema:"IMO number of a ship (check digit enforced for vessels) or company, 7 digits; an exact match scores 1" maxLength:"11"`
	RegistrationNumbers []string `json:"registration_numbers,omitempty" jsonschema:"registry, tax or other official numbers; an exact match (spaces, punctuation ignored) scores 1" maxItems:"10" maxLength:"64"`
	CryptoAddresses     []string `json:"crypto_addresses,omitempty" jsonschema:"crypto addresses, matched exactly (screen_transaction matches per chain)" maxItems:"20" maxLength:"128"`
	Threshold           float64  `json:"threshold,omitempty" jsonschema:"score (0 < t ≤ 1) from which a name match is reported; default 0.85" exclusiveMinimum:"0" maximum:"1"`
	SubjectRef          string   `json:"subject_ref,omitempty" jsonschema:"your id for the entity; hits resolved as false positives for it are marked instead of raised" maxLength:"128"`
	Sources             []string `json:"sources,omitempty" jsonschema:"screen only against these lists; default: every loaded list" enumof:"lists.Sources" maxItems:"11"`
	Limit               int      `json:"limit,omitempty" jsonschema:"the most hits to return, best first; default 10" minimum:"1" maximum:"100"`
}

// ScreenEntity screens a company, vessel or aircraft by name and identifiers.
var ScreenEntity = Tool[ScreenEntityInput, ScreeningResult]{
	Name:     "screen_entity",
	Examples: []string{`{"name":"Banco Nacional de Cuba","country":"CU","subject_ref":"supplier-17"}`},
	Need:     &Need{Fields: []string{"name", "lei", "imo", "registration_numbers", "crypto_addresses"}},
	Title:    "Screen an entity",
	Description: "Screen a company, vessel or aircraft against the loaded sanctions lists by name (legal-form words such as LLC, JSC or GmbH are down-weighted) " +
		"and identifiers (LEI, IMO number, registration numbers, crypto addresses: an exact identifier match scores 1). " +
		"Returns every hit, explained, and the list versions used. Stores nothing.",
	Brief:       "screen a company, vessel or aircraft by name and identifiers (LEI, IMO, registration numbers, crypto addresses; an exact identifier match scores 1)",
	Scope:       ScopeVerificationsRead,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/screenings/entity"},
	Summary:     summarizeScreening,
	Handle:      screenEntity,
}

var (
	leiRE = regexp.MustCompile(`^[A-Z0-9]{18}[0-9]{2}$`)
	imoRE = regexp.MustCompile(`^(?:IMO\s*)?([0-9]{7})$`)
)

func screenEntity(ctx context.Context, d *Deps, c Caller, in ScreenEntityInput) (ScreeningResult, error) {
	country, err := countryField("country", in.Country)
	if err != nil {
		return ScreeningResult{}, err
	}
	q := screening.Query{Name: strings.TrimSpace(in.Name), Country: country, Type: in.Type, Threshold: in.Threshold, Limit: in.Limit, Sources: in.Sources}
	if lei := strings.ToUpper(strings.TrimSpace(in.LEI)); lei != "" {
		if err := checkLEI(lei); err != nil {
			return ScreeningResult{}, invalid("lei", "%v", err)
		}
		q.Identifiers = append(q.Identifiers, screening.Identifier{Type: lists.IDLEI, Value: lei})
	}
	if imo := strings.ToUpper(strings.TrimSpace(in.IMO)); imo != "" {
		num, err := checkIMO(imo, in.Type == lists.TypeVessel)
		if err != nil {
			return ScreeningResult{}, invalid("imo", "%v", err)
		}
		q.Identifiers = append(q.Identifiers, screening.Identifier{Type: lists.IDIMO, Value: num})
	}
	for i, r := range in.RegistrationNumbers {
		r = strings.TrimSpace(r)
		if alnum(r) == 0 {
			return ScreeningResult{}, invalid(fmt.Sprintf("registration_numbers[%d]", i), "%q holds no letter or digit", r)
		}
		q.Identifiers = append(q.Identifiers, screening.Identifier{Type: lists.IDRegistration, Value: r})
	}
	for i, a := range in.CryptoAddresses {
		a = strings.TrimSpace(a)
		if len(a) < 20 || strings.ContainsAny(a, " \t") {
			return ScreeningResult{}, invalid(fmt.Sprintf("crypto_addresses[%d]", i), "%q is not a cryptocurrency address", a)
		}
		q.Identifiers = append(q.Identifiers, screening.Identifier{Type: lists.IDCrypto, Value: a})
	}
	if q.Name == "" && len(q.Identifiers) == 0 {
		return ScreeningResult{}, invalid("name", "give a name or at least one identifier (lei, imo, registration_numbers, crypto_addresses)")
	}
	if q.Type == "" {
		q.Type = lists.TypeOrganization
		if q.Name == "" && in.IMO != "" && len(q.Identifiers) == 1 {
			q.Type = lists.TypeVessel
		}
	}
	return screen(ctx, d, c, q, in.SubjectRef)
}

// checkLEI validates an ISO 17442 LEI: 18 characters then two ISO 7064 MOD 97-10 check digits.
func checkLEI(lei string) error {
	if !leiRE.MatchString(lei) {
		return fmt.Errorf("%q is not an LEI: 20 characters, letters and digits, the last two digits", lei)
	}
	var digits strings.Builder
	for _, r := range lei {
		if r >= 'A' && r <= 'Z' {
			fmt.Fprintf(&digits, "%d", r-'A'+10)
		} else {
			digits.WriteRune(r)
		}
	}
	n, _ := new(big.Int).SetString(digits.String(), 10)
	if new(big.Int).Mod(n, big.NewInt(97)).Int64() != 1 {
		return fmt.Errorf("%q fails the LEI check digits (ISO 7064 MOD 97-10): a character is mistyped", lei)
	}
	return nil
}

// checkIMO validates an IMO number. A ship's carries a check digit (six digits weighted 7..2,
// the sum's last digit is the seventh); the IMO company and registered-owner numbers the
// sanctions lists also give (OFAC writes both as "IMO nnnnnnn") do not, so it is enforced only
// when the caller says the entity is a vessel.
func checkIMO(imo string, ship bool) (string, error) {
	m := imoRE.FindStringSubmatch(imo)
	if m == nil {
		return "", fmt.Errorf("%q is not an IMO number: 7 digits, optionally prefixed by IMO", imo)
	}
	num := m[1]
	if !ship {
		return num, nil
	}
	sum := 0
	for i := 0; i < 6; i++ {
		sum += int(num[i]-'0') * (7 - i)
	}
	if sum%10 != int(num[6]-'0') {
		return "", fmt.Errorf("%q fails the IMO check digit (expected %d): a digit is mistyped", imo, sum%10)
	}
	return num, nil
}

func alnum(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 {
			n++
		}
	}
	return n
}
