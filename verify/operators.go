package verify

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/argon2"
)

// The operator roles. Each maps to a set of tool scopes (tools.RoleScopes).
const (
	RoleAdmin    = "admin"
	RoleReviewer = "reviewer"
	RoleViewer   = "viewer"
)

// Roles lists the operator roles, most powerful first.
var Roles = []string{RoleAdmin, RoleReviewer, RoleViewer}

// ValidRole reports whether r is an operator role.
func ValidRole(r string) bool { return slices.Contains(Roles, r) }

// PasswordParams are argon2id's cost parameters.
type PasswordParams struct {
	Time    uint32
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultPasswordParams are OWASP's recommended minimum for argon2id (19 MiB, 2 passes, 1
// lane): about 30 ms a hash on one core, so a sign-in is cheap for a person and expensive for
// a guesser holding a stolen table.
var DefaultPasswordParams = PasswordParams{Time: 2, Memory: 19 * 1024, Threads: 1}

// Password length bounds: long enough to resist guessing, short enough that hashing is bounded.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// CheckNewPassword refuses a password that is too short or too long, or is the e-mail.
func CheckNewPassword(pw, email string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return fmt.Errorf("use at least %d characters", MinPasswordLength)
	case n > MaxPasswordLength:
		return fmt.Errorf("use at most %d characters", MaxPasswordLength)
	case strings.EqualFold(strings.TrimSpace(pw), strings.TrimSpace(email)):
		return errors.New("must not be your e-mail address")
	}
	return nil
}

// HashPassword is the argon2id PHC string of pw with a fresh salt:
// $argon2id$v=19$m=…,t=…,p=…$salt$hash (unpadded base64).
func HashPassword(pw string, p PasswordParams) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches the PHC string, in constant time. The parameters
// come from the string, so older hashes keep working after the defaults change.
func CheckPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p PasswordParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Threads == 0 || p.Time == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// TOTPPeriod is the RFC 6238 time step.
const TOTPPeriod = 30

// NewTOTPKey makes a fresh TOTP secret (SHA-1, 6 digits, 30 s: what every authenticator app
// reads) with its otpauth:// URI.
func NewTOTPKey(issuer, email string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: email, Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// TOTPURI is the otpauth:// URI of a secret (what the QR code holds), as NewTOTPKey makes it.
func TOTPURI(issuer, email, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	v.Set("period", strconv.Itoa(TOTPPeriod))
	return (&url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + email, RawQuery: v.Encode()}).String()
}

// ValidTOTPSecret reports whether s is an unpadded base32 secret of 16 to 64 characters.
func ValidTOTPSecret(s string) bool {
	if len(s) < 16 || len(s) > 64 {
		return false
	}
	_, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	return err == nil
}

// TOTPStep checks a six-digit code against the secret at now, one step of clock skew either
// way, and returns the time step it matched — the caller records it (a code is good once).
func TOTPStep(secret, code string, now time.Time) (int64, bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / TOTPPeriod
	for _, s := range []int64{step - 1, step, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*TOTPPeriod, 0), totp.ValidateOpts{Period: TOTPPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// RecoveryCodeCount is how many recovery codes an enrolment hands out.
const RecoveryCodeCount = 10

// NewRecoveryCodes returns fresh recovery codes (xxxxx-xxxxx, 50 bits each) and the stored
// form: the JSON array of their SHA-256 hashes.
func NewRecoveryCodes() ([]string, string) {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	plain := make([]string, RecoveryCodeCount)
	hashes := make([]string, RecoveryCodeCount)
	for i := range plain {
		b := make([]byte, 10)
		_, _ = rand.Read(b)
		for j := range b {
			b[j] = alphabet[int(b[j])%len(alphabet)]
		}
		plain[i] = string(b[:5]) + "-" + string(b[5:])
		hashes[i] = hashRecovery(plain[i])
	}
	out, _ := json.Marshal(hashes)
	return plain, string(out)
}

func hashRecovery(code string) string {
	code = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	sum := sha256.Sum256([]byte("kycd/recovery/v1\x00" + code))
	return hex.EncodeToString(sum[:])
}

// UseRecoveryCode finds code among the stored hashes and returns them without it.
func UseRecoveryCode(stored, code string) (string, bool) {
	var hashes []string
	if json.Unmarshal([]byte(stored), &hashes) != nil {
		return stored, false
	}
	h := hashRecovery(code)
	for i, x := range hashes {
		if subtle.ConstantTimeCompare([]byte(x), []byte(h)) == 1 {
			next, _ := json.Marshal(slices.Delete(hashes, i, i+1))
			return string(next), true
		}
	}
	return stored, false
}

// RecoveryCodesLeft counts the unused recovery codes.
func RecoveryCodesLeft(stored string) int {
	var hashes []string
	_ = json.Unmarshal([]byte(stored), &hashes)
	return len(hashes)
}

// SessionPolicy bounds operator sessions.
type SessionPolicy struct {
	// Idle ends a session after this long without a request.
	Idle time.Duration
	// Absolute ends a session this long after sign-in, however active.
	Absolute time.Duration
	// SecondFactor is how long the TOTP step of a sign-in may take.
	SecondFactor time.Duration
}

// DefaultSessionPolicy: 30 minutes idle, 12 hours absolute (a working day), 5 minutes for the code.
var DefaultSessionPolicy = SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour, SecondFactor: 5 * time.Minute}

// Expired reports whether a session created at created and last seen at seen has ended at now.
func (p SessionPolicy) Expired(created, seen, now time.Time, secondFactor bool) bool {
	if secondFactor {
		return now.Sub(created) > p.SecondFactor
	}
	return now.Sub(seen) > p.Idle || now.Sub(created) > p.Absolute
}

// LoginThrottle bounds failed sign-ins over a sliding window: per account (by the e-mail
// given, known or not, so probing does not tell them apart) and per client IP.
type LoginThrottle struct {
	PerAccount int
	PerIP      int
	Window     time.Duration
}

// DefaultLoginThrottle: 5 failures per account and 50 per IP in 15 minutes.
var DefaultLoginThrottle = LoginThrottle{PerAccount: 5, PerIP: 50, Window: 15 * time.Minute}

// LoginSubjects are the throttling subjects of a sign-in attempt: the account's (a hash of
// the lower-cased e-mail, so no address is stored for unknown ones) and the IP's.
func LoginSubjects(email, ip string) (account, byIP string) {
	sum := sha256.Sum256([]byte("kycd/login/v1\x00" + strings.ToLower(strings.TrimSpace(email))))
	return "acct:" + hex.EncodeToString(sum[:16]), "ip:" + ip
}
