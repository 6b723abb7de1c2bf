package nfc

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"
)

// Certificate is an X.509 certificate parsed by this package rather than by
// crypto/x509, which refuses brainpool keys and explicit EC parameters.
type Certificate struct {
	Raw          []byte
	RawTBS       []byte
	RawSubject   []byte
	RawIssuer    []byte
	SerialNumber *big.Int
	Subject      pkix.Name
	Issuer       pkix.Name
	NotBefore    time.Time
	NotAfter     time.Time
	PublicKey    *PublicKey
	// SubjectKeyID and AuthorityKeyID are the key identifiers from the
	// extensions, nil when absent.
	SubjectKeyID   []byte
	AuthorityKeyID []byte
	// KeyUsage is the raw keyUsage bit string; HasKeyUsage tells whether the
	// extension is present.
	HasKeyUsage bool
	KeyUsage    asn1.BitString
	// IsCA is the basicConstraints cA flag; HasBasicConstraints whether
	// the extension is present.
	HasBasicConstraints bool
	IsCA                bool

	sigAlg    algID
	signature []byte
	subjKey   string // normalised subject for matching
	issKey    string
}

// Key-usage bits (RFC 5280 4.2.1.3).
const (
	kuDigitalSignature = 0
	kuKeyCertSign      = 5
	kuCRLSign          = 6
)

type rawCertificate struct {
	TBS       asn1.RawValue
	SigAlg    algID
	Signature asn1.BitString
}

type tbsCertificate struct {
	Version    int `asn1:"optional,explicit,default:0,tag:0"`
	Serial     asn1.RawValue
	SigAlg     algID
	Issuer     asn1.RawValue
	Validity   validity
	Subject    asn1.RawValue
	SPKI       asn1.RawValue
	IssuerUID  asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUID asn1.BitString   `asn1:"optional,tag:2"`
	Extensions []pkix.Extension `asn1:"optional,explicit,tag:3"`
}

type validity struct {
	NotBefore, NotAfter time.Time
}

type authorityKeyID struct {
	ID asn1.RawValue `asn1:"optional,tag:0"`
}

// parseBasicConstraints reads the cA flag. BER booleans are accepted (any
// non-zero octet is true): a CSCA in the German master list encodes TRUE
// as 0x01, which encoding/asn1 refuses.
func parseBasicConstraints(der []byte) (bool, error) {
	var seq asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) != 0 || seq.Tag != asn1.TagSequence {
		return false, errors.New("not a SEQUENCE")
	}
	if len(seq.Bytes) == 0 {
		return false, nil
	}
	var first asn1.RawValue
	if _, err := asn1.Unmarshal(seq.Bytes, &first); err != nil {
		return false, err
	}
	if first.Class == 0 && first.Tag == asn1.TagBoolean {
		if len(first.Bytes) != 1 {
			return false, errors.New("bad BOOLEAN")
		}
		return first.Bytes[0] != 0, nil
	}
	return false, nil
}

// ParseCertificate parses one DER certificate.
func ParseCertificate(der []byte) (*Certificate, error) {
	var rc rawCertificate
	rest, err := asn1.Unmarshal(der, &rc)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("certificate: trailing data")
	}
	var tbs tbsCertificate
	if _, err := asn1.Unmarshal(rc.TBS.FullBytes, &tbs); err != nil {
		return nil, fmt.Errorf("certificate body: %w", err)
	}
	if !bytes.Equal(tbs.SigAlg.Raw, rc.SigAlg.Raw) {
		return nil, errors.New("certificate: signature algorithm differs from the one in the signed body")
	}
	c := &Certificate{
		Raw:        der,
		RawTBS:     rc.TBS.FullBytes,
		RawSubject: tbs.Subject.FullBytes,
		RawIssuer:  tbs.Issuer.FullBytes,
		NotBefore:  tbs.Validity.NotBefore,
		NotAfter:   tbs.Validity.NotAfter,
		sigAlg:     rc.SigAlg,
		signature:  rc.Signature.RightAlign(),
	}
	if tbs.Serial.Class != 0 || tbs.Serial.Tag != asn1.TagInteger || len(tbs.Serial.Bytes) == 0 {
		return nil, errors.New("certificate: bad serial number")
	}
	// Serial numbers are compared as written; negative ones (seen in the
	// wild) keep their two's-complement magnitude bytes.
	c.SerialNumber = new(big.Int).SetBytes(tbs.Serial.Bytes)
	if c.Subject, c.subjKey, err = parseName(tbs.Subject.FullBytes); err != nil {
		return nil, fmt.Errorf("certificate subject: %w", err)
	}
	if c.Issuer, c.issKey, err = parseName(tbs.Issuer.FullBytes); err != nil {
		return nil, fmt.Errorf("certificate issuer: %w", err)
	}
	if c.PublicKey, err = ParsePublicKey(tbs.SPKI.FullBytes); err != nil {
		return nil, fmt.Errorf("certificate key: %w", err)
	}
	for _, e := range tbs.Extensions {
		switch {
		case e.Id.Equal(oidExtSubjectKeyID):
			var id []byte
			if _, err := asn1.Unmarshal(e.Value, &id); err == nil {
				c.SubjectKeyID = id
			}
		case e.Id.Equal(oidExtAuthorityKey):
			var a authorityKeyID
			if _, err := asn1.Unmarshal(e.Value, &a); err == nil && len(a.ID.Bytes) > 0 {
				c.AuthorityKeyID = a.ID.Bytes
			}
		case e.Id.Equal(oidExtKeyUsage):
			var ku asn1.BitString
			if _, err := asn1.Unmarshal(e.Value, &ku); err != nil {
				return nil, fmt.Errorf("certificate key usage: %w", err)
			}
			c.HasKeyUsage, c.KeyUsage = true, ku
		case e.Id.Equal(oidExtBasicConstr):
			isCA, err := parseBasicConstraints(e.Value)
			if err != nil {
				return nil, fmt.Errorf("certificate basic constraints: %w", err)
			}
			c.HasBasicConstraints, c.IsCA = true, isCA
		}
	}
	return c, nil
}

// Country is the subject's C attribute, upper case.
func (c *Certificate) Country() string { return nameCountry(c.Subject) }

// nameCountry is a name's C attribute, upper case.
func nameCountry(n pkix.Name) string {
	for _, a := range n.Names {
		if a.Type.Equal(oidAttrCountry) {
			if s, ok := a.Value.(string); ok {
				return strings.ToUpper(strings.TrimSpace(s))
			}
		}
	}
	return ""
}

// Fingerprint is the hex SHA-1 of the DER certificate (the form ICAO PKD
// tooling shows).
func (c *Certificate) Fingerprint() string {
	s := sha1.Sum(c.Raw)
	return hex.EncodeToString(s[:])
}

// hasUsage reports whether key usage allows bit; absent extension allows all.
func (c *Certificate) hasUsage(bit int) bool {
	return !c.HasKeyUsage || c.KeyUsage.At(bit) == 1
}

// CheckSignatureFrom verifies that parent's key signed c.
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	alg, err := resolveSigAlg(c.sigAlg, 0)
	if err != nil {
		return err
	}
	return parent.PublicKey.verify(alg, c.RawTBS, c.signature)
}

// SignatureAlgorithm names the certificate's signature algorithm.
func (c *Certificate) SignatureAlgorithm() string {
	alg, err := resolveSigAlg(c.sigAlg, 0)
	if err != nil {
		return c.sigAlg.Algorithm.String()
	}
	return alg.name
}

// parseName returns the name and its normalised key: attribute values
// trimmed, inner whitespace collapsed, case folded, and attributes sorted,
// so that two encodings of one name (different RDN order, PrintableString
// vs UTF8String, case) compare equal. Issuer matching on real chips needs
// this: Malaysia's SOD lists its signer's issuer in a different RDN order
// than the certificate.
func parseName(der []byte) (pkix.Name, string, error) {
	var seq pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &seq)
	if err != nil {
		return pkix.Name{}, "", err
	}
	if len(rest) != 0 {
		return pkix.Name{}, "", errors.New("trailing data")
	}
	var n pkix.Name
	n.FillFromRDNSequence(&seq)
	return n, nameKey(seq), nil
}

func nameKey(seq pkix.RDNSequence) string {
	var parts []string
	for _, rdn := range seq {
		for _, a := range rdn {
			v := fmt.Sprint(a.Value)
			v = strings.ToLower(strings.Join(strings.Fields(v), " "))
			parts = append(parts, a.Type.String()+"="+v)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "\x00")
}

// issuedBy reports whether c's issuer names parent (and, when both carry
// key identifiers, the identifiers agree).
func (c *Certificate) issuedBy(parent *Certificate) bool {
	if c.issKey != parent.subjKey {
		return false
	}
	if len(c.AuthorityKeyID) > 0 && len(parent.SubjectKeyID) > 0 {
		return bytes.Equal(c.AuthorityKeyID, parent.SubjectKeyID)
	}
	return true
}

// CertInfo describes a certificate for results and listings.
type CertInfo struct {
	Subject            string    `json:"subject"`
	Issuer             string    `json:"issuer"`
	Country            string    `json:"country"`
	SerialNumber       string    `json:"serial_number"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	KeyAlgorithm       string    `json:"key_algorithm"`
	Curve              string    `json:"curve,omitempty"`
	ExplicitECParams   bool      `json:"explicit_ec_params,omitempty"`
	KeyBits            int       `json:"key_bits"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	SubjectKeyID       string    `json:"subject_key_id,omitempty"`
	SHA1Fingerprint    string    `json:"sha1_fingerprint"`
	// Source says where a trust anchor came from: "master list <signer>
	// (<date>)", a file name, or "added".
	Source string `json:"source,omitempty"`
}

// Info summarises the certificate.
func (c *Certificate) Info() CertInfo {
	return CertInfo{
		Subject:            c.Subject.String(),
		Issuer:             c.Issuer.String(),
		Country:            c.Country(),
		SerialNumber:       hex.EncodeToString(c.SerialNumber.Bytes()),
		NotBefore:          c.NotBefore,
		NotAfter:           c.NotAfter,
		KeyAlgorithm:       c.PublicKey.Algorithm,
		Curve:              c.PublicKey.Curve,
		ExplicitECParams:   c.PublicKey.ExplicitParams,
		KeyBits:            c.PublicKey.Bits,
		SignatureAlgorithm: c.SignatureAlgorithm(),
		SubjectKeyID:       hex.EncodeToString(c.SubjectKeyID),
		SHA1Fingerprint:    c.Fingerprint(),
	}
}
