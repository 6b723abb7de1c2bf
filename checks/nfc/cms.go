package nfc

import (
	"bytes"
	"crypto"
	"crypto/subtle"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// signedData is a parsed CMS SignedData (RFC 5652 5.1) reduced to what
// ICAO 9303 uses: one encapsulated content, embedded certificates and
// signer infos.
type signedData struct {
	contentType asn1.ObjectIdentifier
	content     []byte
	certs       []*Certificate
	signers     []signerInfo
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"tag:0"` // [0] EXPLICIT, unwrapped by hand
}

type rawSignedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo encapContentInfo
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      asn1.RawValue
}

type encapContentInfo struct {
	EContentType asn1.ObjectIdentifier
	EContent     asn1.RawValue `asn1:"optional,tag:0"` // [0] EXPLICIT OCTET STRING
}

type rawSignerInfo struct {
	Version            int
	SID                asn1.RawValue
	DigestAlgorithm    algID
	SignedAttrs        asn1.RawValue `asn1:"optional,tag:0"`
	SignatureAlgorithm algID
	Signature          []byte
	UnsignedAttrs      asn1.RawValue `asn1:"optional,tag:1"`
}

type issuerAndSerial struct {
	Issuer asn1.RawValue
	Serial asn1.RawValue
}

type attribute struct {
	Type   asn1.ObjectIdentifier
	Values asn1.RawValue
}

// signerInfo is one parsed SignerInfo.
type signerInfo struct {
	sidIssuer    []byte   // DER issuer name, when sid is issuerAndSerialNumber
	sidIssuerKey string   // its normalised form
	sidSerial    *big.Int // serial, when sid is issuerAndSerialNumber
	sidSKI       []byte   // when sid is subjectKeyIdentifier
	digest       crypto.Hash
	sigAlg       algID
	signature    []byte
	signedAttrs  []byte // DER with the SET OF tag (0x31), as signed
	attrs        []attribute
	signingTime  *time.Time
}

// parseSignedData parses a ContentInfo holding SignedData. The input is
// normalised from BER first (New Zealand's SOD uses indefinite lengths).
func parseSignedData(b []byte) (*signedData, error) {
	der, err := toDER(b)
	if err != nil {
		return nil, fmt.Errorf("content info: %w", err)
	}
	var ci contentInfo
	if rest, err := asn1.Unmarshal(der, &ci); err != nil {
		return nil, fmt.Errorf("content info: %w", err)
	} else if len(rest) != 0 {
		return nil, errors.New("content info: trailing data")
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("content type %v is not signedData", ci.ContentType)
	}
	var rsd rawSignedData
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &rsd); err != nil {
		return nil, fmt.Errorf("signedData: %w", err)
	} else if len(rest) != 0 {
		return nil, errors.New("signedData: trailing data")
	}
	if rsd.Version < 1 || rsd.Version > 5 {
		return nil, fmt.Errorf("signedData: version %d", rsd.Version)
	}
	var digestAlgs []algID
	if rest, err := asn1.UnmarshalWithParams(rsd.DigestAlgorithms.FullBytes, &digestAlgs, "set"); err != nil || len(rest) != 0 {
		return nil, errors.New("signedData: digestAlgorithms is not a SET OF AlgorithmIdentifier")
	}
	sd := &signedData{contentType: rsd.EncapContentInfo.EContentType}
	if len(rsd.EncapContentInfo.EContent.FullBytes) == 0 {
		return nil, errors.New("signedData: detached content not supported")
	}
	var ec asn1.RawValue
	if rest, err := asn1.Unmarshal(rsd.EncapContentInfo.EContent.Bytes, &ec); err != nil || len(rest) != 0 {
		return nil, errors.New("signedData: bad eContent")
	}
	if ec.Class != 0 || ec.Tag != asn1.TagOctetString || ec.IsCompound {
		return nil, errors.New("signedData: eContent is not an OCTET STRING")
	}
	sd.content = ec.Bytes
	if len(rsd.Certificates.FullBytes) > 0 {
		if !rsd.Certificates.IsCompound {
			return nil, errors.New("signedData: bad certificates field")
		}
		rest := rsd.Certificates.Bytes
		for len(rest) > 0 {
			var raw asn1.RawValue
			var err error
			if rest, err = asn1.Unmarshal(rest, &raw); err != nil {
				return nil, fmt.Errorf("signedData certificates: %w", err)
			}
			if raw.Class != 0 || raw.Tag != asn1.TagSequence {
				continue // other certificate formats (attribute certs) are ignored
			}
			c, err := ParseCertificate(raw.FullBytes)
			if err != nil {
				return nil, fmt.Errorf("signedData certificate: %w", err)
			}
			sd.certs = append(sd.certs, c)
		}
	}
	if rsd.SignerInfos.Class != 0 || rsd.SignerInfos.Tag != asn1.TagSet {
		return nil, errors.New("signedData: signerInfos is not a SET")
	}
	rest := rsd.SignerInfos.Bytes
	for len(rest) > 0 {
		var rsi rawSignerInfo
		var err error
		if rest, err = asn1.Unmarshal(rest, &rsi); err != nil {
			return nil, fmt.Errorf("signerInfo: %w", err)
		}
		si, err := parseSignerInfo(rsi)
		if err != nil {
			return nil, err
		}
		sd.signers = append(sd.signers, si)
	}
	if len(sd.signers) == 0 {
		return nil, errors.New("signedData: no signerInfo")
	}
	// RFC 5652 5.1: digestAlgorithms lists every signer's digest.
	for _, si := range sd.signers {
		found := false
		for _, a := range digestAlgs {
			if h, ok := hashFromAlg(a); ok && h == si.digest {
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("signedData: digestAlgorithms does not list the signer's %s", hashName(si.digest))
		}
	}
	return sd, nil
}

func parseSignerInfo(r rawSignerInfo) (signerInfo, error) {
	si := signerInfo{sigAlg: r.SignatureAlgorithm, signature: r.Signature}
	if r.Version != 1 && r.Version != 3 {
		return si, fmt.Errorf("signerInfo: version %d", r.Version)
	}
	h, ok := hashFromAlg(r.DigestAlgorithm)
	if !ok {
		return si, fmt.Errorf("signerInfo: digest algorithm %v not supported", r.DigestAlgorithm.Algorithm)
	}
	si.digest = h
	switch {
	case r.SID.Class == 0 && r.SID.Tag == asn1.TagSequence:
		var ias issuerAndSerial
		if _, err := asn1.Unmarshal(r.SID.FullBytes, &ias); err != nil {
			return si, fmt.Errorf("signerInfo sid: %w", err)
		}
		if ias.Serial.Tag != asn1.TagInteger || len(ias.Serial.Bytes) == 0 {
			return si, errors.New("signerInfo sid: bad serial number")
		}
		si.sidIssuer = ias.Issuer.FullBytes
		_, key, err := parseName(ias.Issuer.FullBytes)
		if err != nil {
			return si, fmt.Errorf("signerInfo sid issuer: %w", err)
		}
		si.sidIssuerKey = key
		si.sidSerial = new(big.Int).SetBytes(ias.Serial.Bytes)
	case r.SID.Class == 2 && r.SID.Tag == 0:
		si.sidSKI = r.SID.Bytes
	default:
		return si, errors.New("signerInfo: unknown signer identifier")
	}
	if len(r.SignedAttrs.FullBytes) > 0 {
		// The signature covers the attributes re-tagged as a SET OF.
		si.signedAttrs = append([]byte{0x31}, r.SignedAttrs.FullBytes[1:]...)
		rest := r.SignedAttrs.Bytes
		for len(rest) > 0 {
			var a attribute
			var err error
			if rest, err = asn1.Unmarshal(rest, &a); err != nil {
				return si, fmt.Errorf("signed attributes: %w", err)
			}
			si.attrs = append(si.attrs, a)
		}
		if v, ok := si.attr(oidAttrSigningTime); ok {
			var t time.Time
			if _, err := asn1.Unmarshal(v, &t); err == nil {
				si.signingTime = &t
			}
		}
	}
	return si, nil
}

// attr returns the single value of a signed attribute.
func (si *signerInfo) attr(oid asn1.ObjectIdentifier) ([]byte, bool) {
	for _, a := range si.attrs {
		if a.Type.Equal(oid) {
			var v asn1.RawValue
			if _, err := asn1.Unmarshal(a.Values.Bytes, &v); err != nil {
				return nil, false
			}
			return v.FullBytes, true
		}
	}
	return nil, false
}

// findSigner picks the embedded certificate the signer info names: by
// issuer and serial (names compared normalised), by subject key
// identifier, or — when exactly one certificate is embedded and its serial
// or key identifier agrees — that one.
func (sd *signedData) findSigner(si *signerInfo) *Certificate {
	for _, c := range sd.certs {
		if si.sidSerial != nil && c.SerialNumber.Cmp(si.sidSerial) == 0 && c.issKey == si.sidIssuerKey {
			return c
		}
		if si.sidSKI != nil && bytes.Equal(c.SubjectKeyID, si.sidSKI) {
			return c
		}
	}
	if len(sd.certs) == 1 {
		c := sd.certs[0]
		if si.sidSerial != nil && c.SerialNumber.Cmp(si.sidSerial) == 0 {
			return c
		}
	}
	return nil
}

// verifySigner checks the signer info over the encapsulated content with
// key: with signed attributes, the content-type attribute must equal the
// eContentType and the message-digest attribute the content's digest, and
// the signature covers the DER attributes; without them, the signature
// covers the content directly.
func (sd *signedData) verifySigner(si *signerInfo, key *PublicKey) (string, error) {
	alg, err := resolveSigAlg(si.sigAlg, si.digest)
	if err != nil {
		return "", err
	}
	if si.signedAttrs == nil {
		return alg.name, key.verify(alg, sd.content, si.signature)
	}
	ct, ok := si.attr(oidAttrContentType)
	if !ok {
		return alg.name, errors.New("signed attributes lack content-type")
	}
	var oid asn1.ObjectIdentifier
	if _, err := asn1.Unmarshal(ct, &oid); err != nil || !oid.Equal(sd.contentType) {
		return alg.name, fmt.Errorf("content-type attribute %v does not match eContentType %v", oid, sd.contentType)
	}
	md, ok := si.attr(oidAttrMessageDgst)
	if !ok {
		return alg.name, errors.New("signed attributes lack message-digest")
	}
	var want []byte
	if _, err := asn1.Unmarshal(md, &want); err != nil {
		return alg.name, errors.New("message-digest attribute is not an OCTET STRING")
	}
	h := si.digest.New()
	h.Write(sd.content)
	if subtle.ConstantTimeCompare(h.Sum(nil), want) != 1 {
		return alg.name, errors.New("message-digest attribute does not match the content")
	}
	return alg.name, key.verify(alg, si.signedAttrs, si.signature)
}
