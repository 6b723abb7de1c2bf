package nfc

import (
	"crypto"
	"encoding/asn1"
)

// Object identifiers of ICAO 9303, CMS (RFC 5652), PKCS#1 (RFC 8017), X9.62,
// RFC 5639 (brainpool) and BSI TR-03110/TR-03111.
var (
	oidSignedData       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidData             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidLDSSecurityObj   = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 1}
	oidCSCAMasterList   = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 2}
	oidAttrContentType  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidAttrMessageDgst  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidAttrSigningTime  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	oidRSAEncryption    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSASSAPSS        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidMGF1             = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}
	oidECPublicKey      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidPrimeField       = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}
	oidExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtBasicConstr   = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtSubjectKeyID  = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtAuthorityKey  = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidAttrCountry      = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidActiveAuthInfo   = asn1.ObjectIdentifier{2, 23, 136, 1, 1, 5}
	oidBSIecdsaPlainPfx = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1}
)

// hashByOID maps digest algorithm identifiers to hashes.
var hashByOID = []struct {
	oid  asn1.ObjectIdentifier
	hash crypto.Hash
}{
	{asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}, crypto.SHA1},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 4}, crypto.SHA224},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}, crypto.SHA256},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}, crypto.SHA384},
	{asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}, crypto.SHA512},
}

func hashFromOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	for _, h := range hashByOID {
		if h.oid.Equal(oid) {
			return h.hash, true
		}
	}
	return 0, false
}

// hashFromAlg is hashFromOID for an AlgorithmIdentifier whose parameters
// must be absent or NULL (RFC 5754).
func hashFromAlg(a algID) (crypto.Hash, bool) {
	if len(a.Parameters.FullBytes) > 0 && !(a.Parameters.Class == 0 && a.Parameters.Tag == asn1.TagNull && len(a.Parameters.Bytes) == 0) {
		return 0, false
	}
	return hashFromOID(a.Algorithm)
}

func oidFromHash(h crypto.Hash) asn1.ObjectIdentifier {
	for _, e := range hashByOID {
		if e.hash == h {
			return e.oid
		}
	}
	return nil
}

// sigScheme is how a signature algorithm identifier is to be verified.
type sigScheme int

const (
	schemeUnknown sigScheme = iota
	schemePKCS1
	schemePSS
	schemeECDSA      // DER SEQUENCE{r,s}
	schemeECDSAPlain // r||s (BSI TR-03111)
)

// signatureAlgorithms maps signature OIDs to scheme and hash. A zero hash
// means "the digest algorithm named elsewhere" (rsaEncryption or
// id-ecPublicKey used as a signature algorithm, as some SODs do).
var signatureAlgorithms = []struct {
	oid    asn1.ObjectIdentifier
	scheme sigScheme
	hash   crypto.Hash
	name   string
}{
	{oidRSAEncryption, schemePKCS1, 0, "rsaEncryption"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}, schemePKCS1, crypto.SHA1, "sha1WithRSAEncryption"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 14}, schemePKCS1, crypto.SHA224, "sha224WithRSAEncryption"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}, schemePKCS1, crypto.SHA256, "sha256WithRSAEncryption"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}, schemePKCS1, crypto.SHA384, "sha384WithRSAEncryption"},
	{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}, schemePKCS1, crypto.SHA512, "sha512WithRSAEncryption"},
	{oidRSASSAPSS, schemePSS, 0, "RSASSA-PSS"},
	{oidECPublicKey, schemeECDSA, 0, "ecdsa"},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}, schemeECDSA, crypto.SHA1, "ecdsa-with-SHA1"},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 1}, schemeECDSA, crypto.SHA224, "ecdsa-with-SHA224"},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}, schemeECDSA, crypto.SHA256, "ecdsa-with-SHA256"},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}, schemeECDSA, crypto.SHA384, "ecdsa-with-SHA384"},
	{asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}, schemeECDSA, crypto.SHA512, "ecdsa-with-SHA512"},
	{append(append(asn1.ObjectIdentifier{}, oidBSIecdsaPlainPfx...), 1), schemeECDSAPlain, crypto.SHA1, "ecdsa-plain-SHA1"},
	{append(append(asn1.ObjectIdentifier{}, oidBSIecdsaPlainPfx...), 2), schemeECDSAPlain, crypto.SHA224, "ecdsa-plain-SHA224"},
	{append(append(asn1.ObjectIdentifier{}, oidBSIecdsaPlainPfx...), 3), schemeECDSAPlain, crypto.SHA256, "ecdsa-plain-SHA256"},
	{append(append(asn1.ObjectIdentifier{}, oidBSIecdsaPlainPfx...), 4), schemeECDSAPlain, crypto.SHA384, "ecdsa-plain-SHA384"},
	{append(append(asn1.ObjectIdentifier{}, oidBSIecdsaPlainPfx...), 5), schemeECDSAPlain, crypto.SHA512, "ecdsa-plain-SHA512"},
}

func hashName(h crypto.Hash) string {
	switch h {
	case crypto.SHA1:
		return "SHA-1"
	case crypto.SHA224:
		return "SHA-224"
	case crypto.SHA256:
		return "SHA-256"
	case crypto.SHA384:
		return "SHA-384"
	case crypto.SHA512:
		return "SHA-512"
	}
	return "unknown"
}
