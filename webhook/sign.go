package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// Header names sent with every delivery.
const (
	HeaderEvent     = "X-Kycd-Event"
	HeaderDelivery  = "X-Kycd-Delivery"
	HeaderSignature = "X-Kycd-Signature"
	// SecretPrefix starts every signing secret, so a leaked one is recognisable.
	SecretPrefix = "whsec_"
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewSecret returns whsec_ + 32 random base62 characters (~190 bits).
func NewSecret() (string, error) {
	out := make([]byte, 32)
	max := big.NewInt(int64(len(base62)))
	for i := range out {
		v, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", fmt.Errorf("generate webhook secret: %w", err)
		}
		out[i] = base62[v.Int64()]
	}
	return SecretPrefix + string(out), nil
}

// Sign is hex(HMAC-SHA256(secret, "<unix>.<body>")).
func Sign(secret string, unix int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(unix, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// SignatureHeader is the X-Kycd-Signature value: t=<unix>,v1=<sig>[,v1=<sig>…], one v1 per secret.
func SignatureHeader(at time.Time, body []byte, secrets ...string) string {
	unix := at.Unix()
	var b strings.Builder
	b.WriteString("t=")
	b.WriteString(strconv.FormatInt(unix, 10))
	for _, s := range secrets {
		b.WriteString(",v1=")
		b.WriteString(Sign(s, unix, body))
	}
	return b.String()
}

// Verification failures, for receivers written in Go.
var (
	ErrNoSignature  = errors.New("webhook: no valid v1 signature for this secret")
	ErrStale        = errors.New("webhook: signature timestamp outside the tolerance")
	ErrMalformedSig = errors.New("webhook: malformed X-Kycd-Signature header")
)

// Verify checks a delivery as a receiver should: some v1 matches HMAC(secret, t.body) in
// constant time, and t is within tolerance of now (replay protection; 5 minutes is typical).
func Verify(header string, body []byte, secret string, tolerance time.Duration, now time.Time) error {
	var ts int64 = -1
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrMalformedSig
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return ErrMalformedSig
			}
			ts = n
		case "v1":
			sigs = append(sigs, v)
		}
	}
	if ts < 0 || len(sigs) == 0 {
		return ErrMalformedSig
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	want, _ := hex.DecodeString(Sign(secret, ts, body))
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoSignature
}
