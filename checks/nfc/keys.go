package nfc

import (
	"bytes"
	"crypto"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"sync"

	"github.com/kycd/kycd/checks/nfc/internal/ec"
)

// PublicKey is an RSA or EC public key from a SubjectPublicKeyInfo,
// including EC keys on brainpool curves or with explicit domain parameters.
type PublicKey struct {
	// Algorithm is "RSA" or "EC".
	Algorithm string
	// Curve names the EC curve ("brainpoolP256r1", "secp256r1", or
	// "explicit" for unnamed explicit parameters); empty for RSA.
	Curve string
	// ExplicitParams is true when the key carried explicit EC domain
	// parameters (even if they match a named curve).
	ExplicitParams bool
	// Bits is the RSA modulus or EC order size.
	Bits int

	n, e   *big.Int // RSA
	curve  *ec.Curve
	qx, qy *big.Int
	raw    []byte
}

// Raw returns the DER SubjectPublicKeyInfo.
func (k *PublicKey) Raw() []byte { return k.raw }

type spki struct {
	Algorithm algID
	PublicKey asn1.BitString
}

// algID is AlgorithmIdentifier with parameters kept raw.
type algID struct {
	Raw        asn1.RawContent
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

func (a algID) hasParams() bool {
	return len(a.Parameters.FullBytes) > 0 && !(a.Parameters.Tag == asn1.TagNull && a.Parameters.Class == 0)
}

type ecParameters struct {
	Version  int
	FieldID  fieldID
	Curve    ecCurve
	Base     []byte
	Order    asn1.RawValue
	Cofactor asn1.RawValue `asn1:"optional"`
}

type fieldID struct {
	FieldType asn1.ObjectIdentifier
	Prime     asn1.RawValue
}

type ecCurve struct {
	A, B []byte
	Seed asn1.BitString `asn1:"optional"`
}

// intFrom reads an INTEGER leniently (non-minimal encodings occur in real
// certificates); negative values are rejected.
func intFrom(v asn1.RawValue) (*big.Int, error) {
	if v.Class != 0 || v.Tag != asn1.TagInteger || v.IsCompound || len(v.Bytes) == 0 {
		return nil, errors.New("not an INTEGER")
	}
	if v.Bytes[0]&0x80 != 0 {
		return nil, errors.New("negative INTEGER")
	}
	return new(big.Int).SetBytes(v.Bytes), nil
}

// ParsePublicKey parses a DER SubjectPublicKeyInfo.
func ParsePublicKey(der []byte) (*PublicKey, error) {
	var s spki
	rest, err := asn1.Unmarshal(der, &s)
	if err != nil {
		return nil, fmt.Errorf("subjectPublicKeyInfo: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("subjectPublicKeyInfo: trailing data")
	}
	k := &PublicKey{raw: der}
	key := s.PublicKey.RightAlign()
	switch {
	case s.Algorithm.Algorithm.Equal(oidRSAEncryption), s.Algorithm.Algorithm.Equal(oidRSASSAPSS):
		var rk struct{ N, E asn1.RawValue }
		if _, err := asn1.Unmarshal(key, &rk); err != nil {
			return nil, fmt.Errorf("RSA public key: %w", err)
		}
		if k.n, err = intFrom(rk.N); err != nil {
			return nil, fmt.Errorf("RSA modulus: %w", err)
		}
		if k.e, err = intFrom(rk.E); err != nil {
			return nil, fmt.Errorf("RSA exponent: %w", err)
		}
		if k.n.BitLen() < 512 || k.n.BitLen() > 16384 || k.n.Bit(0) == 0 {
			return nil, fmt.Errorf("RSA modulus of %d bits not supported", k.n.BitLen())
		}
		if k.e.Cmp(big.NewInt(3)) < 0 || k.e.Bit(0) == 0 || k.e.Cmp(k.n) >= 0 {
			return nil, errors.New("RSA exponent out of range")
		}
		k.Algorithm, k.Bits = "RSA", k.n.BitLen()
	case s.Algorithm.Algorithm.Equal(oidECPublicKey):
		c, explicit, err := parseECParams(s.Algorithm.Parameters)
		if err != nil {
			return nil, err
		}
		if k.qx, k.qy, err = c.Unmarshal(key); err != nil {
			return nil, err
		}
		if c.H > 1 {
			// With a cofactor, a point on the curve may lie outside the
			// prime-order subgroup.
			if _, _, finite := c.ScalarMult(k.qx, k.qy, c.N); finite {
				return nil, errors.New("EC public key not in the prime-order subgroup")
			}
		}
		k.Algorithm, k.Curve, k.ExplicitParams, k.Bits, k.curve = "EC", c.Name, explicit, c.N.BitLen(), c
	default:
		return nil, fmt.Errorf("public key algorithm %v not supported", s.Algorithm.Algorithm)
	}
	return k, nil
}

// explicitCache keeps curves built from explicit parameters: checking
// primality on every verification would dominate its cost, and a trust
// store sees the same few parameter sets over and over. It is bounded so
// hostile input with ever-new parameters cannot grow it without limit.
var explicitCache = struct {
	sync.Mutex
	m map[string]*ec.Curve
}{m: map[string]*ec.Curve{}}

const explicitCacheMax = 256

func explicitLoad(k string) (*ec.Curve, bool) {
	explicitCache.Lock()
	defer explicitCache.Unlock()
	c, ok := explicitCache.m[k]
	return c, ok
}

func explicitStore(k string, c *ec.Curve) {
	explicitCache.Lock()
	defer explicitCache.Unlock()
	if len(explicitCache.m) < explicitCacheMax {
		explicitCache.m[k] = c
	}
}

func parseECParams(p asn1.RawValue) (*ec.Curve, bool, error) {
	switch {
	case p.Class == 0 && p.Tag == asn1.TagOID:
		var oid asn1.ObjectIdentifier
		if _, err := asn1.Unmarshal(p.FullBytes, &oid); err != nil {
			return nil, false, fmt.Errorf("EC named curve: %w", err)
		}
		c := ec.ByOID(oid)
		if c == nil {
			return nil, false, fmt.Errorf("EC curve %v not supported", oid)
		}
		return c, false, nil
	case p.Class == 0 && p.Tag == asn1.TagSequence:
		if c, ok := explicitLoad(string(p.FullBytes)); ok {
			return c, true, nil
		}
		var e ecParameters
		if _, err := asn1.Unmarshal(p.FullBytes, &e); err != nil {
			return nil, false, fmt.Errorf("EC explicit parameters: %w", err)
		}
		if !e.FieldID.FieldType.Equal(oidPrimeField) {
			return nil, false, errors.New("EC explicit parameters: only prime fields are supported")
		}
		prime, err := intFrom(e.FieldID.Prime)
		if err != nil {
			return nil, false, fmt.Errorf("EC prime: %w", err)
		}
		order, err := intFrom(e.Order)
		if err != nil {
			return nil, false, fmt.Errorf("EC order: %w", err)
		}
		h := int64(1)
		if len(e.Cofactor.FullBytes) > 0 {
			hv, err := intFrom(e.Cofactor)
			if err != nil || !hv.IsInt64() {
				return nil, false, errors.New("EC cofactor invalid")
			}
			h = hv.Int64()
		}
		a, b := new(big.Int).SetBytes(e.Curve.A), new(big.Int).SetBytes(e.Curve.B)
		n := (prime.BitLen() + 7) / 8
		if len(e.Base) != 1+2*n || e.Base[0] != 4 {
			// Compressed base points are legal but unseen; keep it simple.
			return nil, false, errors.New("EC base point must be uncompressed")
		}
		gx, gy := new(big.Int).SetBytes(e.Base[1:1+n]), new(big.Int).SetBytes(e.Base[1+n:])
		c, err := ec.Explicit(prime, a, b, gx, gy, order, h)
		if err != nil {
			return nil, false, err
		}
		explicitStore(string(p.FullBytes), c)
		return c, true, nil
	case p.Class == 0 && p.Tag == asn1.TagNull:
		return nil, false, errors.New("EC implicitlyCA parameters not supported")
	}
	return nil, false, errors.New("EC parameters missing")
}

// sigAlg is a resolved signature algorithm.
type sigAlg struct {
	scheme  sigScheme
	hash    crypto.Hash
	mgfHash crypto.Hash // PSS
	saltLen int         // PSS
	name    string
}

type pssParams struct {
	Hash    algID `asn1:"optional,explicit,tag:0"`
	MGF     algID `asn1:"optional,explicit,tag:1"`
	SaltLen int   `asn1:"optional,explicit,tag:2,default:20"`
	Trailer int   `asn1:"optional,explicit,tag:3,default:1"`
}

// resolveSigAlg turns an AlgorithmIdentifier into a verification recipe;
// digest is the hash to use when the identifier names none.
func resolveSigAlg(a algID, digest crypto.Hash) (sigAlg, error) {
	for _, s := range signatureAlgorithms {
		if !s.oid.Equal(a.Algorithm) {
			continue
		}
		r := sigAlg{scheme: s.scheme, hash: s.hash, name: s.name}
		if r.hash == 0 {
			r.hash = digest
		}
		if s.scheme == schemePSS {
			return resolvePSS(a)
		}
		if r.hash == 0 {
			return r, fmt.Errorf("%s without a digest algorithm", s.name)
		}
		return r, nil
	}
	return sigAlg{}, fmt.Errorf("signature algorithm %v not supported", a.Algorithm)
}

func resolvePSS(a algID) (sigAlg, error) {
	r := sigAlg{scheme: schemePSS, hash: crypto.SHA1, mgfHash: crypto.SHA1, saltLen: 20, name: "RSASSA-PSS"}
	if !a.hasParams() {
		return r, nil
	}
	var p pssParams
	if rest, err := asn1.Unmarshal(a.Parameters.FullBytes, &p); err != nil {
		return r, fmt.Errorf("RSASSA-PSS parameters: %w", err)
	} else if len(rest) != 0 {
		return r, errors.New("RSASSA-PSS parameters: trailing data")
	}
	if p.Hash.Algorithm != nil {
		h, ok := hashFromAlg(p.Hash)
		if !ok {
			return r, fmt.Errorf("RSASSA-PSS hash %v not supported", p.Hash.Algorithm)
		}
		r.hash = h
	}
	if p.MGF.Algorithm != nil {
		if !p.MGF.Algorithm.Equal(oidMGF1) {
			return r, fmt.Errorf("RSASSA-PSS mask generation %v not supported", p.MGF.Algorithm)
		}
		var mh algID
		if _, err := asn1.Unmarshal(p.MGF.Parameters.FullBytes, &mh); err != nil {
			return r, fmt.Errorf("RSASSA-PSS MGF1 hash: %w", err)
		}
		h, ok := hashFromAlg(mh)
		if !ok {
			return r, fmt.Errorf("RSASSA-PSS MGF1 hash %v not supported", mh.Algorithm)
		}
		r.mgfHash = h
	}
	if p.SaltLen < 0 || p.SaltLen > 1024 {
		return r, errors.New("RSASSA-PSS salt length out of range")
	}
	if p.Trailer != 1 {
		return r, errors.New("RSASSA-PSS trailer field must be 1")
	}
	r.saltLen = p.SaltLen
	r.name = fmt.Sprintf("RSASSA-PSS(%s, MGF1-%s, salt %d)", hashName(r.hash), hashName(r.mgfHash), r.saltLen)
	return r, nil
}

// verify checks sig over msg (hashing it with the algorithm's hash).
func (k *PublicKey) verify(alg sigAlg, msg, sig []byte) error {
	if !alg.hash.Available() {
		return errors.New("hash not available")
	}
	h := alg.hash.New()
	h.Write(msg)
	return k.verifyDigest(alg, h.Sum(nil), sig)
}

var errBadSignature = errors.New("signature does not verify")

func (k *PublicKey) verifyDigest(alg sigAlg, digest, sig []byte) error {
	switch alg.scheme {
	case schemePKCS1, schemePSS:
		if k.Algorithm != "RSA" {
			return fmt.Errorf("%s signature with an %s key", alg.name, k.Algorithm)
		}
		em, err := k.rsaOpen(sig)
		if err != nil {
			return err
		}
		if alg.scheme == schemePKCS1 {
			return checkPKCS1(em, alg.hash, digest)
		}
		return checkPSS(em, k.n.BitLen()-1, alg, digest)
	case schemeECDSA, schemeECDSAPlain:
		if k.Algorithm != "EC" {
			return fmt.Errorf("%s signature with an %s key", alg.name, k.Algorithm)
		}
		var r, s *big.Int
		if alg.scheme == schemeECDSA {
			var rs struct{ R, S asn1.RawValue }
			rest, err := asn1.Unmarshal(sig, &rs)
			if err != nil || len(rest) != 0 {
				return errors.New("ECDSA signature is not a DER SEQUENCE of two INTEGERs")
			}
			if r, err = intFrom(rs.R); err != nil {
				return errBadSignature
			}
			if s, err = intFrom(rs.S); err != nil {
				return errBadSignature
			}
		} else {
			if len(sig) == 0 || len(sig)%2 != 0 {
				return errors.New("plain ECDSA signature has odd length")
			}
			r = new(big.Int).SetBytes(sig[:len(sig)/2])
			s = new(big.Int).SetBytes(sig[len(sig)/2:])
		}
		if !k.curve.Verify(k.qx, k.qy, digest, r, s) {
			return errBadSignature
		}
		return nil
	}
	return errors.New("unsupported signature scheme")
}

// rsaOpen applies the public exponent: m = s^e mod n, as k bytes.
func (k *PublicKey) rsaOpen(sig []byte) ([]byte, error) {
	size := (k.n.BitLen() + 7) / 8
	if len(sig) != size {
		// Some encoders drop leading zero bytes; accept shorter, never longer.
		if len(sig) > size || len(sig) == 0 {
			return nil, errors.New("RSA signature length does not match the modulus")
		}
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(k.n) >= 0 {
		return nil, errors.New("RSA signature representative out of range")
	}
	m := new(big.Int).Exp(s, k.e, k.n)
	return m.FillBytes(make([]byte, size)), nil
}

// digestInfoPrefix is the DER DigestInfo header for each hash (RFC 8017
// 9.2 note 1), with and without the NULL parameters.
func digestInfo(h crypto.Hash, digest []byte, withNull bool) []byte {
	alg := []byte{}
	o, _ := asn1.Marshal(oidFromHash(h))
	alg = append(alg, o...)
	if withNull {
		alg = append(alg, 0x05, 0x00)
	}
	algSeq := encodeTLV(0x30, alg)
	return encodeTLV(0x30, append(algSeq, encodeTLV(0x04, digest)...))
}

func checkPKCS1(em []byte, h crypto.Hash, digest []byte) error {
	if oidFromHash(h) == nil {
		return errors.New("PKCS#1 v1.5: unsupported hash")
	}
	for _, withNull := range []bool{true, false} {
		t := digestInfo(h, digest, withNull)
		if len(em) < len(t)+11 {
			return errors.New("PKCS#1 v1.5: modulus too short")
		}
		want := make([]byte, len(em))
		want[1] = 1
		for i := 2; i < len(em)-len(t)-1; i++ {
			want[i] = 0xff
		}
		copy(want[len(em)-len(t):], t)
		if subtle.ConstantTimeCompare(em, want) == 1 {
			return nil
		}
	}
	return errBadSignature
}

func mgf1(h crypto.Hash, seed []byte, n int) []byte {
	out := make([]byte, 0, n+h.Size())
	var ctr [4]byte
	for i := uint32(0); len(out) < n; i++ {
		ctr = [4]byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}
		d := h.New()
		d.Write(seed)
		d.Write(ctr[:])
		out = d.Sum(out)
	}
	return out[:n]
}

// checkPSS is EMSA-PSS-VERIFY (RFC 8017 9.1.2) with separate content and
// MGF1 hashes.
func checkPSS(k []byte, emBits int, alg sigAlg, mHash []byte) error {
	emLen := (emBits + 7) / 8
	// k has the modulus length; the encoded message is its last emLen bytes.
	if len(k) < emLen {
		return errBadSignature
	}
	for _, b := range k[:len(k)-emLen] {
		if b != 0 {
			return errBadSignature
		}
	}
	em := k[len(k)-emLen:]
	hLen, sLen := alg.hash.Size(), alg.saltLen
	if len(mHash) != hLen || emLen < hLen+sLen+2 {
		return errBadSignature
	}
	if em[emLen-1] != 0xbc {
		return errBadSignature
	}
	masked := em[:emLen-hLen-1]
	hv := em[emLen-hLen-1 : emLen-1]
	topMask := byte(0xff >> (8*emLen - emBits))
	if masked[0]&^topMask != 0 {
		return errBadSignature
	}
	db := mgf1(alg.mgfHash, hv, len(masked))
	for i := range db {
		db[i] ^= masked[i]
	}
	db[0] &= topMask
	ps := emLen - hLen - sLen - 2
	for _, b := range db[:ps] {
		if b != 0 {
			return errBadSignature
		}
	}
	if db[ps] != 1 {
		return errBadSignature
	}
	salt := db[len(db)-sLen:]
	d := alg.hash.New()
	d.Write(make([]byte, 8))
	d.Write(mHash)
	d.Write(salt)
	if !bytes.Equal(d.Sum(nil), hv) {
		return errBadSignature
	}
	return nil
}
