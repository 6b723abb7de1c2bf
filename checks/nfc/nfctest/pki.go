package nfctest

import (
	"bytes"
	"crypto"
	_ "crypto/sha1" // registers SHA-1 for crypto.Hash
	"crypto/sha256"
	_ "crypto/sha512" // registers SHA-384/512
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/kycd/kycd/checks/nfc/internal/ec"
)

// Rand returns a deterministic byte stream for seed.
func Rand(seed string) io.Reader {
	return rand.NewChaCha8(sha256.Sum256([]byte("nfctest:" + seed)))
}

// Key is a test private key: RSA, or EC on a named curve (optionally
// encoded with explicit domain parameters).
type Key struct {
	Seed     string
	RSA      bool
	n, e, d  *big.Int
	curve    *ec.Curve
	priv     *big.Int
	x, y     *big.Int
	Explicit bool
	rnd      io.Reader
	mu       sync.Mutex
}

var keyCache sync.Map // seed+params → *Key

// RSAKey returns a deterministic RSA key of bits (e = 65537).
func RSAKey(seed string, bits int) *Key {
	id := fmt.Sprintf("rsa:%s:%d", seed, bits)
	if k, ok := keyCache.Load(id); ok {
		return k.(*Key)
	}
	r := Rand(id)
	e := big.NewInt(65537)
	var n, d *big.Int
	for {
		p := prime(r, bits/2, e)
		q := prime(r, bits-bits/2, e)
		if p.Cmp(q) == 0 {
			continue
		}
		n = new(big.Int).Mul(p, q)
		if n.BitLen() != bits {
			continue
		}
		phi := new(big.Int).Mul(new(big.Int).Sub(p, big.NewInt(1)), new(big.Int).Sub(q, big.NewInt(1)))
		d = new(big.Int).ModInverse(e, phi)
		if d != nil {
			break
		}
	}
	k := &Key{Seed: seed, RSA: true, n: n, e: e, d: d, rnd: Rand(id + ":sign")}
	actual, _ := keyCache.LoadOrStore(id, k)
	return actual.(*Key)
}

func prime(r io.Reader, bits int, e *big.Int) *big.Int {
	b := make([]byte, (bits+7)/8)
	for {
		io.ReadFull(r, b)
		p := new(big.Int).SetBytes(b)
		p.SetBit(p, bits-1, 1)
		p.SetBit(p, bits-2, 1)
		p.SetBit(p, 0, 1)
		for i := 0; i < 10000; i++ {
			if p.ProbablyPrime(20) {
				pm1 := new(big.Int).Sub(p, big.NewInt(1))
				if new(big.Int).GCD(nil, nil, e, pm1).Cmp(big.NewInt(1)) == 0 && p.BitLen() == bits {
					return p
				}
			}
			p.Add(p, big.NewInt(2))
		}
	}
}

// Curves by name for ECKey.
var curves = map[string]*ec.Curve{
	"P-256":           ec.P256,
	"P-384":           ec.P384,
	"brainpoolP256r1": ec.BrainpoolP256r1,
	"brainpoolP384r1": ec.BrainpoolP384r1,
	"brainpoolP512r1": ec.BrainpoolP512r1,
}

// ECKey returns a deterministic EC key on the named curve ("P-256",
// "brainpoolP256r1", …); explicit encodes its public key with explicit
// domain parameters, as the AT, DE, FI and RU CSCAs do.
func ECKey(seed, curve string, explicit bool) *Key {
	c := curves[curve]
	if c == nil {
		panic("nfctest: unknown curve " + curve)
	}
	id := fmt.Sprintf("ec:%s:%s:%v", seed, curve, explicit)
	if k, ok := keyCache.Load(id); ok {
		return k.(*Key)
	}
	r := Rand(id)
	d := randScalar(r, c.N)
	x, y := c.PublicKey(d)
	k := &Key{Seed: seed, curve: c, priv: d, x: x, y: y, Explicit: explicit, rnd: Rand(id + ":sign")}
	actual, _ := keyCache.LoadOrStore(id, k)
	return actual.(*Key)
}

func randScalar(r io.Reader, n *big.Int) *big.Int {
	b := make([]byte, (n.BitLen()+7)/8+8)
	for {
		io.ReadFull(r, b)
		k := new(big.Int).SetBytes(b)
		k.Mod(k, n)
		if k.Sign() > 0 {
			return k
		}
	}
}

// SPKI is the DER SubjectPublicKeyInfo.
func (k *Key) SPKI() []byte {
	if k.RSA {
		pub, _ := asn1.Marshal(struct{ N, E *big.Int }{k.n, k.e})
		return seq(seq(oid(oidRSA), null()), bitString(pub))
	}
	var params []byte
	if k.Explicit {
		c := k.curve
		l := c.ByteLen()
		params = seq(intBytes(big.NewInt(1)),
			seq(oid(asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}), intBytes(c.P)),
			seq(octets(c.A.FillBytes(make([]byte, l))), octets(c.B.FillBytes(make([]byte, l)))),
			octets(c.Marshal(c.Gx, c.Gy)),
			intBytes(c.N), intBytes(big.NewInt(c.H)))
	} else {
		params = oid(asn1.ObjectIdentifier(k.curve.OID))
	}
	return seq(seq(oid(asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}), params), bitString(k.curve.Marshal(k.x, k.y)))
}

// SigAlg is a signature algorithm the test PKI can sign with.
type SigAlg struct {
	Name    string
	Hash    crypto.Hash
	MGFHash crypto.Hash // PSS
	SaltLen int         // PSS
	kind    int         // 0 PKCS#1, 1 PSS, 2 ECDSA DER
	oid     asn1.ObjectIdentifier
}

// Signature algorithms.
var (
	SHA256WithRSA = SigAlg{Name: "sha256WithRSAEncryption", Hash: crypto.SHA256, kind: 0, oid: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}}
	// RSAPSSSHA256 is PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt,
	// as the MY, PH and SG passports use.
	RSAPSSSHA256 = SigAlg{Name: "RSASSA-PSS-SHA256", Hash: crypto.SHA256, MGFHash: crypto.SHA256, SaltLen: 32, kind: 1, oid: oidPSS}
	// RSAPSSSHA384MGF1SHA1 exercises a mask hash that differs from the
	// content hash and an unusual salt length.
	RSAPSSSHA384MGF1SHA1 = SigAlg{Name: "RSASSA-PSS-SHA384-MGF1-SHA1", Hash: crypto.SHA384, MGFHash: crypto.SHA1, SaltLen: 20, kind: 1, oid: oidPSS}
	ECDSAWithSHA256      = SigAlg{Name: "ecdsa-with-SHA256", Hash: crypto.SHA256, kind: 2, oid: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}}
	ECDSAWithSHA384      = SigAlg{Name: "ecdsa-with-SHA384", Hash: crypto.SHA384, kind: 2, oid: asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}}
)

var (
	oidRSA = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidPSS = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
)

var hashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 3, 14, 3, 2, 26},
	crypto.SHA224: {2, 16, 840, 1, 101, 3, 4, 2, 4},
	crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

func hashAlgID(h crypto.Hash) []byte { return seq(oid(hashOIDs[h]), null()) }

// AlgorithmIdentifier is the DER identifier of a.
func (a SigAlg) AlgorithmIdentifier() []byte {
	switch a.kind {
	case 0:
		return seq(oid(a.oid), null())
	case 1:
		mgf := seq(oid(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}), hashAlgID(a.MGFHash))
		return seq(oid(a.oid), seq(explicit(0, hashAlgID(a.Hash)), explicit(1, mgf), explicit(2, intBytes(big.NewInt(int64(a.SaltLen))))))
	}
	return seq(oid(a.oid))
}

func digest(h crypto.Hash, msg []byte) []byte {
	d := h.New()
	d.Write(msg)
	return d.Sum(nil)
}

// Sign signs msg with a (which must suit the key).
func (k *Key) Sign(a SigAlg, msg []byte) []byte {
	return k.SignDigest(a, digest(a.Hash, msg))
}

// SignDigest signs a precomputed digest.
func (k *Key) SignDigest(a SigAlg, dg []byte) []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	switch a.kind {
	case 0:
		t := append(seq(hashAlgID(a.Hash), octets(dg)), []byte{}...)
		size := (k.n.BitLen() + 7) / 8
		em := make([]byte, size)
		em[1] = 1
		for i := 2; i < size-len(t)-1; i++ {
			em[i] = 0xff
		}
		copy(em[size-len(t):], t)
		return k.rsaPrivate(em)
	case 1:
		return k.rsaPrivate(k.pssEncode(a, dg))
	case 2:
		r, s := k.ecSign(dg)
		out, _ := asn1.Marshal(struct{ R, S *big.Int }{r, s})
		return out
	}
	panic("nfctest: unknown algorithm")
}

func (k *Key) rsaPrivate(em []byte) []byte {
	m := new(big.Int).SetBytes(em)
	s := new(big.Int).Exp(m, k.d, k.n)
	return s.FillBytes(make([]byte, (k.n.BitLen()+7)/8))
}

func mgf1(h crypto.Hash, seed []byte, n int) []byte {
	var out []byte
	for i := uint32(0); len(out) < n; i++ {
		d := h.New()
		d.Write(seed)
		d.Write([]byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)})
		out = d.Sum(out)
	}
	return out[:n]
}

func (k *Key) pssEncode(a SigAlg, mHash []byte) []byte {
	emBits := k.n.BitLen() - 1
	emLen := (emBits + 7) / 8
	hLen := a.Hash.Size()
	salt := make([]byte, a.SaltLen)
	io.ReadFull(k.rnd, salt)
	h := digest(a.Hash, append(append(make([]byte, 8), mHash...), salt...))
	db := make([]byte, emLen-hLen-1)
	db[emLen-a.SaltLen-hLen-2] = 1
	copy(db[len(db)-a.SaltLen:], salt)
	mask := mgf1(a.MGFHash, h, len(db))
	for i := range db {
		db[i] ^= mask[i]
	}
	db[0] &= byte(0xff >> (8*emLen - emBits))
	em := append(append(db, h...), 0xbc)
	return em
}

func (k *Key) ecSign(dg []byte) (r, s *big.Int) {
	for {
		kk := randScalar(k.rnd, k.curve.N)
		r, s, err := k.curve.Sign(k.priv, kk, dg)
		if err == nil {
			return r, s
		}
	}
}

// CertSpec describes a certificate to issue.
type CertSpec struct {
	Subject   pkix.Name
	Serial    int64
	NotBefore time.Time
	NotAfter  time.Time
	// CA makes a CSCA (basicConstraints cA, keyCertSign and cRLSign);
	// otherwise the certificate gets digitalSignature only.
	CA bool
	// NoKeyUsage leaves the keyUsage extension out.
	NoKeyUsage bool
}

// Cert is an issued test certificate with its private key.
type Cert struct {
	DER     []byte
	Key     *Key
	Alg     SigAlg // the algorithm this certificate's key signs with
	Subject []byte // DER name
	Serial  *big.Int
	SKI     []byte
}

func (k *Key) ski() []byte {
	s := sha256.Sum256(k.SPKI())
	return s[:20]
}

// SelfSigned makes a CSCA root certificate.
func SelfSigned(key *Key, alg SigAlg, spec CertSpec) *Cert {
	subj, _ := asn1.Marshal(spec.Subject.ToRDNSequence())
	return issue(subj, key.ski(), key, alg, key, alg, spec)
}

// Issue makes c sign a certificate for key, which will sign with alg.
func (c *Cert) Issue(key *Key, alg SigAlg, spec CertSpec) *Cert {
	return issue(c.Subject, c.SKI, c.Key, c.Alg, key, alg, spec)
}

func issue(issuer, aki []byte, signer *Key, signAlg SigAlg, key *Key, alg SigAlg, spec CertSpec) *Cert {
	subj, _ := asn1.Marshal(spec.Subject.ToRDNSequence())
	serial := big.NewInt(spec.Serial)
	var exts [][]byte
	if !spec.NoKeyUsage {
		ku := asn1.BitString{Bytes: []byte{0x80}, BitLength: 1}
		if spec.CA {
			ku = asn1.BitString{Bytes: []byte{0x06}, BitLength: 7}
		}
		kub, _ := asn1.Marshal(ku)
		exts = append(exts, seq(oid(asn1.ObjectIdentifier{2, 5, 29, 15}), boolean(true), octets(kub)))
	}
	if spec.CA {
		exts = append(exts, seq(oid(asn1.ObjectIdentifier{2, 5, 29, 19}), boolean(true), octets(seq(boolean(true)))))
	}
	exts = append(exts, seq(oid(asn1.ObjectIdentifier{2, 5, 29, 14}), octets(octets(key.ski()))))
	exts = append(exts, seq(oid(asn1.ObjectIdentifier{2, 5, 29, 35}), octets(seq(tlv(0x80, aki)))))
	tbs := seq(
		explicit(0, intBytes(big.NewInt(2))),
		intBytes(serial),
		signAlg.AlgorithmIdentifier(),
		issuer,
		seq(timeBytes(spec.NotBefore), timeBytes(spec.NotAfter)),
		subj,
		key.SPKI(),
		explicit(3, seq(exts...)),
	)
	sig := signer.Sign(signAlg, tbs)
	der := seq(tbs, signAlg.AlgorithmIdentifier(), bitString(sig))
	return &Cert{DER: der, Key: key, Alg: alg, Subject: subj, Serial: serial, SKI: key.ski()}
}

// CRL makes c (a CSCA) sign a CRL revoking serials.
func (c *Cert) CRL(thisUpdate, nextUpdate time.Time, serials ...*big.Int) []byte {
	var entries [][]byte
	for _, s := range serials {
		entries = append(entries, seq(intBytes(s), timeBytes(thisUpdate)))
	}
	parts := [][]byte{intBytes(big.NewInt(1)), c.Alg.AlgorithmIdentifier(), c.Subject, timeBytes(thisUpdate), timeBytes(nextUpdate)}
	if len(entries) > 0 {
		parts = append(parts, seq(entries...))
	}
	tbs := seq(parts...)
	return seq(tbs, c.Alg.AlgorithmIdentifier(), bitString(c.Key.Sign(c.Alg, tbs)))
}

// SODSpec describes an EF.SOD to sign.
type SODSpec struct {
	Hash        crypto.Hash // data-group hash, default SHA-256
	DataGroups  map[int][]byte
	SigningTime time.Time // zero: no signingTime attribute
	// LDSVersion adds LDS 1.8 version info ("0108", "040000").
	LDSVersion bool
	// ReorderSignerName writes the signer's issuer RDNs in reverse order
	// in the SignerInfo, as Malaysia's SOD does.
	ReorderSignerName bool
	// Hashes overrides individual data-group hashes (for negative tests).
	Hashes map[int][]byte
}

// SignSOD makes the DSC sign an EF.SOD (0x77 wrapper) for spec.
func (c *Cert) SignSOD(spec SODSpec) []byte {
	h := spec.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	var nums []int
	for n := range spec.DataGroups {
		nums = append(nums, n)
	}
	for n := range spec.Hashes {
		if _, ok := spec.DataGroups[n]; !ok {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	var dgh [][]byte
	for _, n := range nums {
		v, ok := spec.Hashes[n]
		if !ok {
			v = digest(h, spec.DataGroups[n])
		}
		dgh = append(dgh, seq(intBytes(big.NewInt(int64(n))), octets(v)))
	}
	ver := int64(0)
	parts := [][]byte{nil, hashAlgID(h), seq(dgh...)}
	if spec.LDSVersion {
		ver = 1
		parts = append(parts, seq(printable("0108"), printable("040000")))
	}
	parts[0] = intBytes(big.NewInt(ver))
	lds := seq(parts...)
	return append([]byte{}, tlv(0x77, c.signedData(asn1.ObjectIdentifier{2, 23, 136, 1, 1, 1}, lds, h, spec.SigningTime, spec.ReorderSignerName, [][]byte{c.DER}))...)
}

// signedData builds a CMS ContentInfo(SignedData) signed by c.
func (c *Cert) signedData(contentType asn1.ObjectIdentifier, content []byte, h crypto.Hash, signingTime time.Time, reorder bool, certs [][]byte) []byte {
	attrs := [][]byte{
		seq(oid(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}), set(oid(contentType))),
		seq(oid(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}), set(octets(digest(h, content)))),
	}
	if !signingTime.IsZero() {
		attrs = append(attrs, seq(oid(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}), set(timeBytes(signingTime))))
	}
	signedAttrs := set(attrs...)
	sig := c.Key.Sign(c.withHash(h), signedAttrs)
	issuer := issuerOf(c.DER)
	if reorder {
		var rdn pkix.RDNSequence
		asn1.Unmarshal(issuer, &rdn)
		for i, j := 0, len(rdn)-1; i < j; i, j = i+1, j-1 {
			rdn[i], rdn[j] = rdn[j], rdn[i]
		}
		issuer, _ = asn1.Marshal(rdn)
	}
	si := seq(
		intBytes(big.NewInt(1)),
		seq(issuer, intBytes(c.Serial)),
		hashAlgID(h),
		append([]byte{0xA0}, signedAttrs[1:]...),
		c.withHash(h).AlgorithmIdentifier(),
		octets(sig),
	)
	sd := seq(
		intBytes(big.NewInt(3)),
		set(hashAlgID(h)),
		seq(oid(contentType), explicit(0, octets(content))),
		tlv(0xA0, bytes.Join(certs, nil)),
		set(si),
	)
	return seq(oid(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}), explicit(0, sd))
}

// withHash is the certificate's algorithm with the SOD's hash (ECDSA and
// PKCS#1 follow the content hash; PSS keeps its parameters).
func (c *Cert) withHash(h crypto.Hash) SigAlg {
	a := c.Alg
	switch a.kind {
	case 0:
		a.Hash = h
		a.oid = map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA1: {1, 2, 840, 113549, 1, 1, 5}, crypto.SHA256: {1, 2, 840, 113549, 1, 1, 11}, crypto.SHA384: {1, 2, 840, 113549, 1, 1, 12}, crypto.SHA512: {1, 2, 840, 113549, 1, 1, 13}}[h]
	case 2:
		a.Hash = h
		a.oid = map[crypto.Hash]asn1.ObjectIdentifier{crypto.SHA1: {1, 2, 840, 10045, 4, 1}, crypto.SHA256: {1, 2, 840, 10045, 4, 3, 2}, crypto.SHA384: {1, 2, 840, 10045, 4, 3, 3}, crypto.SHA512: {1, 2, 840, 10045, 4, 3, 4}}[h]
	}
	return a
}

// issuerOf extracts the issuer Name from a DER certificate.
func issuerOf(der []byte) []byte {
	var raw struct {
		TBS asn1.RawValue
	}
	asn1.Unmarshal(der, &raw)
	// version [0], serial, signature algorithm, issuer
	return splitSeq(raw.TBS.Bytes)[3]
}

func splitSeq(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(b, &v)
		if err != nil {
			return out
		}
		out = append(out, v.FullBytes)
		b = rest
	}
	return out
}

// MasterList makes c (a master-list signer) sign a CSCA master list of
// certs.
func (c *Cert) MasterList(signingTime time.Time, certs ...[]byte) []byte {
	sorted := append([][]byte(nil), certs...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	content := seq(intBytes(big.NewInt(0)), set(sorted...))
	return c.signedData(asn1.ObjectIdentifier{2, 23, 136, 1, 1, 2}, content, crypto.SHA256, signingTime, false, [][]byte{c.DER})
}

// DER helpers.

func tlv(tag byte, content []byte) []byte {
	n := len(content)
	var l []byte
	if n < 0x80 {
		l = []byte{byte(n)}
	} else {
		for v := n; v > 0; v >>= 8 {
			l = append([]byte{byte(v)}, l...)
		}
		l = append([]byte{0x80 | byte(len(l))}, l...)
	}
	return append(append([]byte{tag}, l...), content...)
}

// tlv2 encodes a two-byte tag (0x5F1F, 0x7F61, …).
func tlv2(tag uint16, content []byte) []byte {
	t := tlv(0, content)
	return append([]byte{byte(tag >> 8), byte(tag)}, t[1:]...)
}

func seq(parts ...[]byte) []byte { return tlv(0x30, bytes.Join(parts, nil)) }

// set encodes a DER SET OF (elements sorted).
func set(parts ...[]byte) []byte {
	s := append([][]byte(nil), parts...)
	sort.Slice(s, func(i, j int) bool { return bytes.Compare(s[i], s[j]) < 0 })
	return tlv(0x31, bytes.Join(s, nil))
}

func explicit(n int, inner []byte) []byte { return tlv(0xA0|byte(n), inner) }
func octets(b []byte) []byte              { return tlv(0x04, b) }
func null() []byte                        { return []byte{0x05, 0x00} }
func boolean(v bool) []byte {
	if v {
		return []byte{0x01, 0x01, 0xff}
	}
	return []byte{0x01, 0x01, 0x00}
}
func printable(s string) []byte { return tlv(0x13, []byte(s)) }
func bitString(b []byte) []byte { return tlv(0x03, append([]byte{0}, b...)) }
func oid(o asn1.ObjectIdentifier) []byte {
	b, _ := asn1.Marshal(o)
	return b
}
func intBytes(v *big.Int) []byte {
	b, _ := asn1.Marshal(v)
	return b
}
func timeBytes(t time.Time) []byte {
	b, _ := asn1.Marshal(t.UTC())
	return b
}
