package nfc

import (
	"crypto"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// ActiveAuthResult is the outcome of checking an Active Authentication
// response.
type ActiveAuthResult struct {
	Valid     bool   `json:"valid"`
	Algorithm string `json:"algorithm,omitempty"`
	Error     string `json:"error,omitempty"`
}

// iso9796Hashes maps the ISO/IEC 10118 hash identifiers used in the
// two-byte trailer (0x..CC) to hashes.
var iso9796Hashes = map[byte]crypto.Hash{
	0x33: crypto.SHA1,
	0x34: crypto.SHA256,
	0x35: crypto.SHA512,
	0x36: crypto.SHA384,
	0x38: crypto.SHA224,
}

// VerifyActiveAuth checks a chip's INTERNAL AUTHENTICATE response to an
// 8-byte challenge with the DG15 key (ICAO 9303-11 section 6.1). RSA keys
// use ISO/IEC 9796-2 digital signature scheme 1 with partial message
// recovery (trailer 0xBC for SHA-1, or 0x..CC naming the hash); EC keys use
// ECDSA with the plain r||s format of BSI TR-03111, hashed with the
// algorithm DG14's ActiveAuthenticationInfo names (info may be nil: the
// hash is then chosen to match the curve size). It returns the algorithm
// used.
func VerifyActiveAuth(key *PublicKey, info *ActiveAuthInfo, challenge, response []byte) (string, error) {
	if len(challenge) != 8 {
		return "", fmt.Errorf("challenge has %d bytes, want 8", len(challenge))
	}
	switch key.Algorithm {
	case "RSA":
		return verify9796(key, challenge, response)
	case "EC":
		alg := sigAlg{scheme: schemeECDSAPlain}
		if info != nil && info.sigOID != nil {
			found := false
			for _, s := range signatureAlgorithms {
				if s.oid.Equal(info.sigOID) && (s.scheme == schemeECDSAPlain || s.scheme == schemeECDSA) && s.hash != 0 {
					alg.hash, alg.name, found = s.hash, s.name, true
				}
			}
			if !found {
				return "", fmt.Errorf("ActiveAuthenticationInfo names unsupported algorithm %v", info.sigOID)
			}
		} else {
			switch {
			case key.Bits <= 160:
				alg.hash = crypto.SHA1
			case key.Bits <= 224:
				alg.hash = crypto.SHA224
			case key.Bits <= 256:
				alg.hash = crypto.SHA256
			case key.Bits <= 384:
				alg.hash = crypto.SHA384
			default:
				alg.hash = crypto.SHA512
			}
			alg.name = "ecdsa-plain-" + hashName(alg.hash)
		}
		// The response is plain r||s; a DER SEQUENCE is tolerated since
		// some chips answer that way.
		if len(response) > 0 && response[0] == 0x30 {
			var rs struct{ R, S *big.Int }
			if rest, err := asn1.Unmarshal(response, &rs); err == nil && len(rest) == 0 {
				alg.scheme = schemeECDSA
			}
		} else if len(response) != 2*key.curve.ByteLen() && len(response) != 2*((key.curve.N.BitLen()+7)/8) {
			return alg.name, fmt.Errorf("plain ECDSA response has %d bytes, want %d", len(response), 2*key.curve.ByteLen())
		}
		return alg.name, key.verify(alg, challenge, response)
	}
	return "", errors.New("unsupported AA key")
}

// verify9796 is ISO/IEC 9796-2 scheme 1 verification with message M2 =
// challenge.
func verify9796(key *PublicKey, m2, sig []byte) (string, error) {
	name := "ISO/IEC 9796-2 scheme 1"
	k := (key.n.BitLen() + 7) / 8
	if len(sig) != k {
		return name, fmt.Errorf("response has %d bytes, modulus %d", len(sig), k)
	}
	s := new(big.Int).SetBytes(sig)
	if s.Sign() == 0 || s.Cmp(key.n) >= 0 {
		return name, errors.New("response out of range")
	}
	m := new(big.Int).Exp(s, key.e, key.n)
	// The signer may have sent min(s, n−s); then the representative is
	// n − m (ISO/IEC 9796-2 B.6). Valid ones end in the nibble 0xC.
	if m.Bit(0) != 0 || m.Bit(1) != 0 || m.Bit(2) != 1 || m.Bit(3) != 1 {
		m.Sub(key.n, m)
	}
	f := m.FillBytes(make([]byte, k))
	if f[0] != 0x6A {
		return name, fmt.Errorf("recovered header %#x, want 0x6A (partial recovery)", f[0])
	}
	var h crypto.Hash
	var t int
	switch {
	case f[k-1] == 0xBC:
		h, t = crypto.SHA1, 1
	case f[k-1] == 0xCC:
		var ok bool
		if h, ok = iso9796Hashes[f[k-2]]; !ok {
			return name, fmt.Errorf("unknown hash identifier %#x in the trailer", f[k-2])
		}
		t = 2
	default:
		return name, fmt.Errorf("bad trailer %#x", f[k-1])
	}
	name += " with " + hashName(h)
	hl := h.Size()
	if k < 1+hl+t+1 {
		return name, errors.New("modulus too small for the hash")
	}
	m1 := f[1 : k-t-hl]
	d := f[k-t-hl : k-t]
	hh := h.New()
	hh.Write(m1)
	hh.Write(m2)
	if subtle.ConstantTimeCompare(hh.Sum(nil), d) != 1 {
		return name, errBadSignature
	}
	return name, nil
}
