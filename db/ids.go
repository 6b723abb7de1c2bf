package db

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"
)

const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// NewID returns prefix + "_" + 26 characters: 48 bits of milliseconds then 80 random bits,
// in Crockford base32. IDs sort by creation time, which is what cursor pagination and
// "latest artifact" order by. Within one process they are strictly increasing (ULID's
// monotonic rule): an ID made in the same millisecond as the previous one, or while the
// clock stepped back, reuses the previous millisecond and increments the random part.
func NewID(prefix string, now time.Time) string {
	idMu.Lock()
	ms := uint64(now.UnixMilli())
	if ms <= idLast.ms && idLast.ms-ms < 10_000 { // same ms or a small clock step back
		ms = idLast.ms
		idLast.lo++
		if idLast.lo == 0 { // carry; 80 bits overflowing is astronomically unlikely: wrap within the field
			idLast.hi = (idLast.hi + 1) & 0xffff
		}
	} else {
		var r [10]byte
		if _, err := rand.Read(r[:]); err != nil {
			idMu.Unlock()
			panic("crypto/rand failed: " + err.Error()) // the OS RNG does not fail on supported platforms
		}
		idLast.hi = uint64(binary.BigEndian.Uint16(r[:2]))
		idLast.lo = binary.BigEndian.Uint64(r[2:])
	}
	idLast.ms = ms
	hi, lo := ms<<16|idLast.hi, idLast.lo
	idMu.Unlock()
	return prefix + "_" + encodeID(hi, lo)
}

// encodeID writes the 128-bit value hi:lo as 26 Crockford base32 characters (the top two bits
// of the 130 are zero).
func encodeID(hi, lo uint64) string {
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

var (
	idMu   sync.Mutex
	idLast struct {
		ms     uint64
		hi, lo uint64 // the 80 random bits: 16 in hi, 64 in lo
	}
)

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// RandomString returns n characters drawn uniformly from alphabet with crypto/rand.
func RandomString(n int, alphabet string) string {
	if len(alphabet) == 0 || len(alphabet) > 256 {
		panic("RandomString: alphabet must have 1 to 256 characters")
	}
	// Bytes at or above limit are rejected so every character is equally likely.
	limit := 256 - 256%len(alphabet)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4+8)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic("crypto/rand failed: " + err.Error())
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// RandomBase62 returns n random base62 characters.
func RandomBase62(n int) string { return RandomString(n, base62) }

// HashSecret is the stored form of a secret (API key, session token): hex SHA-256.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewReference returns a verification's human-friendly reference: VER- and 8 characters
// without look-alikes (40 bits). References are unique; a creation that draws a taken one
// fails with ErrReferenceTaken and draws again.
func NewReference() string {
	return "VER-" + RandomString(8, "23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
}
