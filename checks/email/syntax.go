package email

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Length limits from RFC 5321 §4.5.3.1 and RFC 5322/3696 erratum 1690: a mailbox is at most
// 254 octets, its local part at most 64, a domain at most 253 and a label at most 63.
const (
	MaxAddressLen = 254
	MaxLocalLen   = 64
	MaxDomainLen  = 253
	maxLabelLen   = 63
)

// SyntaxError says why an address was rejected. Code is stable and machine-readable; Message
// is for people and never echoes the (possibly huge or hostile) input.
type SyntaxError struct {
	Code    string
	Message string
}

func (e *SyntaxError) Error() string { return "invalid email address: " + e.Message }

func syntaxErr(code, format string, a ...any) *SyntaxError {
	return &SyntaxError{Code: code, Message: fmt.Sprintf(format, a...)}
}

// Address is a parsed, normalized addr-spec.
type Address struct {
	// Local is the local part as written: case is kept because RFC 5321 lets the receiving
	// system decide whether it matters. For a quoted local part it includes the quotes.
	Local string
	// Quoted is true when the local part is a quoted-string ("john doe"@example.com): legal,
	// but accepted by few providers and common in abuse.
	Quoted bool
	// UTF8Local is true when the local part has non-ASCII characters (RFC 6531 SMTPUTF8).
	UTF8Local bool
	// Domain is the lower-cased domain in Unicode form (IDNA ToUnicode).
	Domain string
	// DomainASCII is the same domain in its ASCII (punycode) form, the one DNS sees.
	DomainASCII string
}

// String is the normalized address with the Unicode domain.
func (a Address) String() string { return a.Local + "@" + a.Domain }

// ASCII is the normalized address with the punycode domain.
func (a Address) ASCII() string { return a.Local + "@" + a.DomainASCII }

// idnaProfile maps (case folding, width, NFC) and validates like a browser or mail client
// looking a name up, with the STD3 host-name rules (letters, digits, hyphen per label).
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(true),
	idna.Transitional(false),
	idna.VerifyDNSLength(true),
)

// ParseAddress checks s against the RFC 5322 addr-spec as mail providers accept it: a
// dot-atom local part, or a quoted-string one (accepted but reported through
// Address.Quoted); a domain of host-name labels, IDN allowed. Obsolete grammar (comments,
// folding white space, obs-local-part like "a"."b", domain literals such as [192.0.2.1])
// is rejected, as are control characters, so CR/LF can never reach a header.
func ParseAddress(s string) (Address, error) {
	var a Address
	if s == "" {
		return a, syntaxErr("empty", "the address is empty")
	}
	// Hostile input is bounded before any work proportional to it; the limit on the
	// Unicode form is a little looser because an IDN domain grows when encoded.
	if len(s) > 4*MaxAddressLen {
		return a, syntaxErr("too_long", "the address is %d bytes long; at most %d are allowed", len(s), MaxAddressLen)
	}
	if !utf8.ValidString(s) {
		return a, syntaxErr("invalid_utf8", "the address is not valid UTF-8")
	}
	for _, r := range s {
		switch {
		case r == '\r' || r == '\n':
			return a, syntaxErr("line_break", "the address contains a line break (CR or LF)")
		case unicode.IsControl(r) || r == utf8.RuneError:
			return a, syntaxErr("control_character", "the address contains a control character (U+%04X)", r)
		case r == ' ' || r == '\t' || unicode.IsSpace(r):
			if !strings.HasPrefix(s, `"`) {
				return a, syntaxErr("whitespace", "the address contains white space")
			}
		case unicode.Is(unicode.Cf, r):
			// Zero-width joiners, bidi overrides and the like hide what the address says.
			return a, syntaxErr("invisible_character", "the address contains an invisible formatting character (U+%04X)", r)
		}
	}

	var local, domain string
	if strings.HasPrefix(s, `"`) {
		end, err := scanQuoted(s)
		if err != nil {
			return a, err
		}
		local, a.Quoted = s[:end], true
		if end >= len(s) || s[end] != '@' {
			return a, syntaxErr("missing_at", "a quoted local part must be followed by @ and a domain")
		}
		domain = s[end+1:]
	} else {
		at := strings.IndexByte(s, '@')
		if at < 0 {
			return a, syntaxErr("missing_at", "the address has no @")
		}
		local, domain = s[:at], s[at+1:]
		if err := checkDotAtom(local); err != nil {
			return a, err
		}
	}
	if len(local) > MaxLocalLen {
		return a, syntaxErr("local_too_long", "the local part is %d bytes long; at most %d are allowed", len(local), MaxLocalLen)
	}
	for i := 0; i < len(local); i++ {
		if local[i] >= utf8.RuneSelf {
			a.UTF8Local = true
			break
		}
	}
	a.Local = local

	uni, ascii, err := normalizeDomain(domain)
	if err != nil {
		return a, err
	}
	a.Domain, a.DomainASCII = uni, ascii
	if n := len(local) + 1 + len(ascii); n > MaxAddressLen {
		return a, syntaxErr("too_long", "the address is %d bytes long; at most %d are allowed", n, MaxAddressLen)
	}
	return a, nil
}

// isAtext reports whether r may appear in an atom (RFC 5322 §3.2.3), extended by RFC 6532
// to non-ASCII letters, marks and digits.
func isAtext(r rune) bool {
	if r < utf8.RuneSelf {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			return true
		}
		return strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
	}
	return unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}

func checkDotAtom(local string) error {
	if local == "" {
		return syntaxErr("empty_local", "the local part before @ is empty")
	}
	if local[0] == '.' || local[len(local)-1] == '.' {
		return syntaxErr("dot_position", "the local part starts or ends with a dot")
	}
	if strings.Contains(local, "..") {
		return syntaxErr("consecutive_dots", "the local part has two dots in a row")
	}
	for _, r := range local {
		if r == '.' {
			continue
		}
		if r == '"' || r == '(' || r == ')' {
			return syntaxErr("obsolete_syntax", "quotes or comments inside the local part are obsolete syntax")
		}
		if !isAtext(r) {
			return syntaxErr("invalid_local_character", "the local part contains %q, which is not allowed unquoted", r)
		}
	}
	return nil
}

// scanQuoted returns the index just past the closing quote of the quoted-string at s[0].
func scanQuoted(s string) (int, error) {
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return 0, syntaxErr("unterminated_quote", "the quoted local part is not closed")
			}
			n := s[i+1]
			if n < 0x20 && n != '\t' || n == 0x7f {
				return 0, syntaxErr("invalid_quoted_pair", "a backslash in the quoted local part escapes a control character")
			}
			i++
		case c == '"':
			if i == 1 {
				return 0, syntaxErr("empty_local", "the quoted local part is empty")
			}
			return i + 1, nil
		case c < 0x20 && c != '\t' || c == 0x7f:
			return 0, syntaxErr("control_character", "the quoted local part contains a control character")
		}
	}
	return 0, syntaxErr("unterminated_quote", "the quoted local part is not closed")
}

// normalizeDomain returns the lower-cased Unicode and ASCII forms of a mail domain.
func normalizeDomain(d string) (uni, ascii string, err error) {
	if d == "" {
		return "", "", syntaxErr("empty_domain", "the domain after @ is empty")
	}
	if strings.HasPrefix(d, "[") {
		return "", "", syntaxErr("domain_literal", "IP-address domain literals are not accepted")
	}
	if strings.ContainsAny(d, "@\"()<>,;:\\") {
		return "", "", syntaxErr("invalid_domain_character", "the domain contains a character that is not allowed in host names")
	}
	if strings.HasSuffix(d, ".") {
		return "", "", syntaxErr("trailing_dot", "the domain ends with a dot")
	}
	ascii, err = idnaProfile.ToASCII(d)
	if err != nil {
		return "", "", syntaxErr("invalid_domain", "the domain is not a valid host name (%s)", idnaReason(err))
	}
	ascii = strings.ToLower(ascii)
	if len(ascii) > MaxDomainLen {
		return "", "", syntaxErr("domain_too_long", "the domain is %d bytes long; at most %d are allowed", len(ascii), MaxDomainLen)
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", "", syntaxErr("no_tld", "the domain has no top-level domain")
	}
	for _, l := range labels {
		if l == "" {
			return "", "", syntaxErr("empty_label", "the domain has an empty label")
		}
		if len(l) > maxLabelLen {
			return "", "", syntaxErr("label_too_long", "a domain label is longer than %d bytes", maxLabelLen)
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", "", syntaxErr("hyphen_position", "a domain label starts or ends with a hyphen")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return "", "", syntaxErr("invalid_domain_character", "the domain contains a character that is not allowed in host names")
			}
		}
	}
	tld := labels[len(labels)-1]
	if strings.Trim(tld, "0123456789") == "" {
		return "", "", syntaxErr("numeric_tld", "the top-level domain is all digits (an IP address is not a mail domain)")
	}
	uni, err = idnaProfile.ToUnicode(ascii)
	if err != nil {
		return "", "", syntaxErr("invalid_domain", "the domain is not a valid host name (%s)", idnaReason(err))
	}
	return uni, ascii, nil
}

// idnaReason says what x/net/idna objected to without quoting the input, which its errors do.
func idnaReason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "disallowed rune"):
		return "a character is not allowed in domain names"
	case strings.Contains(msg, "bidi"), strings.Contains(msg, "Bidi"):
		return "mixes right-to-left and left-to-right text in a way IDNA forbids"
	case strings.Contains(msg, "length"):
		return "a label or the whole name is too long"
	default:
		return "a label is not valid IDNA"
	}
}
