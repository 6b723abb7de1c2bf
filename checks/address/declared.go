package address

import (
	"fmt"
	"regexp"
	"strings"
)

// ParseDeclared turns what the applicant declared into an Address the document is compared
// with. Structured input is checked field by field (the postcode must be valid in the
// country); a one-line address is split at commas and line breaks and read by the country's
// parser, its country taken from its last part ("…, Germany", "…, DE") or, failing that,
// from a postcode format only one country uses. Errors name the field.
func ParseDeclared(oneLine string, structured *Address) (Address, error) {
	if structured != nil {
		a := *structured
		c := strings.ToUpper(strings.TrimSpace(a.Country))
		if c == "" {
			return a, &Error{Code: "invalid", Field: "declared_address.country", Message: "the country is required (ISO 3166-1 alpha-2)"}
		}
		if cn := CountryFromName(c); cn != "" {
			c = cn
		}
		r := rules[c]
		if r == nil {
			return a, &Error{Code: "unsupported_country", Field: "declared_address.country", Message: fmt.Sprintf("country %q is not supported; supported: %s", a.Country, strings.Join(Countries(), ", "))}
		}
		a.Country = c
		if strings.TrimSpace(a.Line1) == "" {
			return a, &Error{Code: "invalid", Field: "declared_address.line1", Message: "the first address line (street and house number) is required"}
		}
		if strings.TrimSpace(a.City) == "" {
			return a, &Error{Code: "invalid", Field: "declared_address.city", Message: "the city is required"}
		}
		if strings.TrimSpace(a.PostalCode) != "" || !r.optionalPostcode {
			pc, ok := r.Postcode(a.PostalCode)
			if !ok {
				return a, &Error{Code: "invalid", Field: "declared_address.postal_code", Message: fmt.Sprintf("%q is not a valid postcode in %s", a.PostalCode, c)}
			}
			a.PostalCode = pc
		}
		a.HouseNumber, a.Street, _ = r.splitStreet(a.Line1)
		if a.HouseNumber == "" && a.Line2 != "" {
			// "Flat 3" on line 1 and "12 High Street" on line 2.
			if n, s, _ := r.splitStreet(a.Line2); n != "" {
				a.HouseNumber, a.Street = n, s
			}
		}
		a.Lines = nil
		for _, l := range []string{a.Line1, a.Line2, strings.TrimSpace(a.PostalCode + " " + a.City)} {
			if strings.TrimSpace(l) != "" {
				a.Lines = append(a.Lines, strings.TrimSpace(l))
			}
		}
		return a, nil
	}
	s := strings.TrimSpace(oneLine)
	if s == "" {
		return Address{}, &Error{Code: "invalid", Field: "declared_address", Message: "the declared address is required"}
	}
	parts := splitDeclared(s)
	country := ""
	if n := len(parts); n > 1 {
		if c := CountryFromName(parts[n-1]); c != "" {
			country, parts = c, parts[:n-1]
		}
	}
	if country == "" {
		country = guessCountry(parts)
	}
	if country == "" {
		return Address{}, &Error{Code: "invalid", Field: "declared_address", Message: "the country could not be told from the address; end it with the country (\", Germany\" or \", DE\") or send it structured"}
	}
	r := rules[country]
	if r == nil {
		return Address{}, &Error{Code: "unsupported_country", Field: "declared_address", Message: fmt.Sprintf("country %q is not supported", country)}
	}
	a, ok := r.Parse(parts)
	if !ok || (a.PostalCode == "" && !r.optionalPostcode) {
		return Address{}, &Error{Code: "invalid", Field: "declared_address", Message: fmt.Sprintf("no valid %s postcode found in the address", country)}
	}
	if a.Line1 == "" {
		return Address{}, &Error{Code: "invalid", Field: "declared_address", Message: "no street line found in the address"}
	}
	a.Country = country
	return a, nil
}

var usZipLine = regexp.MustCompile(`\b[A-Z]{2}\s+[0-9]{5}(-[0-9]{4})?$`)

// splitDeclared splits a one-line address into lines at commas and line breaks, but keeps
// "Calle Mayor, 5" and "Rua Augusta, 15" (a part that is only a house number) with its street,
// and "Springfield, IL 62704" apart from its street.
func splitDeclared(s string) []string {
	var out []string
	for _, p := range regexp.MustCompile(`[,\n;]+`).Split(s, -1) {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if len(out) > 0 && regexp.MustCompile(`^(?:n[º°o.]\s*)?[0-9]{1,5}[A-Za-z]?(?:\s*[-/]\s*[0-9]+)?$`).MatchString(p) && len(out) == 1 {
			out[len(out)-1] += ", " + p
			continue
		}
		out = append(out, p)
	}
	return out
}

// guessCountry tells the country from postcode formats only one supported country uses.
func guessCountry(parts []string) string {
	joined := strings.ToUpper(strings.Join(parts, " , "))
	for _, c := range []string{"GB", "CA", "NL", "PT", "PL", "BR", "IE"} {
		if _, _, ok := rules[c].findPostcode(joined); ok {
			if c == "BR" && !strings.Contains(joined, "-") {
				continue
			}
			return c
		}
	}
	if usZipLine.MatchString(strings.TrimSpace(parts[len(parts)-1])) {
		return "US"
	}
	return ""
}
