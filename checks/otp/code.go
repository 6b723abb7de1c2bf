package otp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Policy constants: what DefaultPolicy uses.
const (
	CodeDigits      = 6
	CodeTTL         = 10 * time.Minute
	MaxAttempts     = 5
	ResendInterval  = 60 * time.Second
	MaxSendsPerHour = 5
	sendWindow      = time.Hour
)

// NewCode returns a uniformly random CodeDigits-digit code from crypto/rand, with leading
// zeros ("004211" is as likely as any other code).
func NewCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("generate code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// Hasher turns a code into what is stored and checks a candidate against it in constant
// time. The code alone has only 10^6 values, so the stored form is bound to its purpose
// (the address and what the code is for) and, for HMACHasher, to a server key.
type Hasher interface {
	Hash(code, binding string) (string, error)
	Verify(stored, code, binding string) bool
}

// HMACHasher is the recommended Hasher: HMAC-SHA256 under a server key. Someone who reads
// the database but not the key cannot test a single guess offline.
type HMACHasher struct {
	KeyID string // stored with the hash, so keys can rotate
	Key   []byte // at least 32 random bytes
	// Old keys still accepted by Verify, by key id.
	Old map[string][]byte
}

// SaltedSHA256 is the keyless Hasher: SHA-256 over a per-code random salt. The salt defeats
// precomputed tables, but 10^6 codes are brute-forced in milliseconds by anyone holding the
// row; use it only where no server key is available, and rely on CodeTTL.
type SaltedSHA256 struct{}

const (
	prefixHMAC = "hmac-sha256"
	prefixSHA  = "sha256"
)

var b64 = base64.RawURLEncoding

func mac(key []byte, code, binding string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(binding))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// Hash returns "hmac-sha256$<key id>$<mac>".
func (h HMACHasher) Hash(code, binding string) (string, error) {
	if len(h.Key) < 32 {
		return "", errors.New("otp: HMAC key must be at least 32 bytes")
	}
	if strings.Contains(h.KeyID, "$") {
		return "", errors.New("otp: key id must not contain $")
	}
	return prefixHMAC + "$" + h.KeyID + "$" + b64.EncodeToString(mac(h.Key, code, binding)), nil
}

// Verify checks code against a stored hash in constant time.
func (h HMACHasher) Verify(stored, code, binding string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 3 || parts[0] != prefixHMAC {
		return false
	}
	key := h.Key
	if parts[1] != h.KeyID {
		key = h.Old[parts[1]]
	}
	want, err := b64.DecodeString(parts[2])
	if err != nil || len(key) == 0 {
		return false
	}
	return hmac.Equal(want, mac(key, code, binding))
}

// Hash returns "sha256$<salt>$<digest>".
func (SaltedSHA256) Hash(code, binding string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("otp salt: %w", err)
	}
	return prefixSHA + "$" + b64.EncodeToString(salt) + "$" + b64.EncodeToString(saltedSum(salt, code, binding)), nil
}

func saltedSum(salt []byte, code, binding string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(binding))
	h.Write([]byte{0})
	h.Write([]byte(code))
	return h.Sum(nil)
}

// Verify checks code against a stored salted hash in constant time.
func (SaltedSHA256) Verify(stored, code, binding string) bool {
	parts := strings.Split(stored, "$")
	if len(parts) != 3 || parts[0] != prefixSHA {
		return false
	}
	salt, err1 := b64.DecodeString(parts[1])
	want, err2 := b64.DecodeString(parts[2])
	if err1 != nil || err2 != nil || len(salt) == 0 {
		return false
	}
	return subtle.ConstantTimeCompare(want, saltedSum(salt, code, binding)) == 1
}

// NormalizeCode strips the spaces and hyphens people type ("123 456", "123-456") and
// returns the code, or false when what is left is not CodeDigits ASCII digits.
func NormalizeCode(s string) (string, bool) {
	if len(s) > 32 {
		return "", false
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c == ' ' || c == '-' || c == '\t':
		default:
			return "", false
		}
	}
	if b.Len() != CodeDigits {
		return "", false
	}
	return b.String(), true
}
