package nfc

import (
	"crypto"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"time"
)

// SOD is a parsed EF.SOD: the LDS Security Object and its CMS signature.
type SOD struct {
	// LDSVersion and UnicodeVersion come from the LDS v1.8 version info
	// ("0108", "040000"); empty for older objects.
	LDSVersion     string
	UnicodeVersion string
	// HashAlgorithm is the data-group hash (crypto.SHA256, …).
	HashAlgorithm crypto.Hash
	// Hashes maps data-group number to its hash.
	Hashes map[int][]byte
	// Certificates are the certificates embedded in the CMS structure
	// (normally exactly the Document Signer Certificate).
	Certificates []*Certificate
	// ContentTypeIDData is true when eContentType is id-data instead of
	// the LDS security object OID, a deviation real issuers make.
	ContentTypeIDData bool
	// SigningTime is the signed signingTime attribute, if present.
	SigningTime *time.Time

	sd             *signedData
	signer         *signerInfo
	badContentType bool
}

type ldsSecurityObject struct {
	Version        int
	HashAlgorithm  algID
	DataGroupHash  []dataGroupHash
	LDSVersionInfo ldsVersionInfo `asn1:"optional"`
}

type dataGroupHash struct {
	Number int
	Hash   []byte
}

type ldsVersionInfo struct {
	LDSVersion     string `asn1:"printable"`
	UnicodeVersion string `asn1:"printable"`
}

// ParseSOD parses EF.SOD as read from the chip: the ICAO application tag
// 0x77 around a CMS ContentInfo (a bare ContentInfo is accepted too).
func ParseSOD(b []byte) (*SOD, error) {
	if len(b) > 0 && b[0] == 0x77 {
		t, rest, err := readTLV(b, 0)
		if err != nil {
			return nil, fmt.Errorf("EF.SOD wrapper: %w", err)
		}
		if len(rest) != 0 {
			// Chips pad files; only zero or 0xFF padding is tolerated.
			for _, c := range rest {
				if c != 0 && c != 0xff {
					return nil, errors.New("EF.SOD: trailing data after the 0x77 object")
				}
			}
		}
		b = t.content
	}
	sd, err := parseSignedData(b)
	if err != nil {
		return nil, err
	}
	if len(sd.signers) != 1 {
		return nil, fmt.Errorf("EF.SOD has %d signer infos, want 1", len(sd.signers))
	}
	var lso ldsSecurityObject
	rest, err := asn1.Unmarshal(sd.content, &lso)
	if err != nil {
		return nil, fmt.Errorf("LDS security object: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("LDS security object: trailing data")
	}
	if lso.Version != 0 && lso.Version != 1 {
		return nil, fmt.Errorf("LDS security object version %d not supported", lso.Version)
	}
	h, ok := hashFromAlg(lso.HashAlgorithm)
	if !ok {
		return nil, fmt.Errorf("LDS security object: hash algorithm %v not supported", lso.HashAlgorithm.Algorithm)
	}
	s := &SOD{
		LDSVersion:     lso.LDSVersionInfo.LDSVersion,
		UnicodeVersion: lso.LDSVersionInfo.UnicodeVersion,
		HashAlgorithm:  h,
		Hashes:         map[int][]byte{},
		Certificates:   sd.certs,
		sd:             sd,
		signer:         &sd.signers[0],
	}
	s.SigningTime = s.signer.signingTime
	for _, d := range lso.DataGroupHash {
		if d.Number < 1 || d.Number > 16 {
			return nil, fmt.Errorf("LDS security object: data group number %d out of range", d.Number)
		}
		if _, dup := s.Hashes[d.Number]; dup {
			return nil, fmt.Errorf("LDS security object: data group %d listed twice", d.Number)
		}
		if len(d.Hash) != h.Size() {
			return nil, fmt.Errorf("LDS security object: data group %d hash has %d bytes, %s needs %d", d.Number, len(d.Hash), hashName(h), h.Size())
		}
		s.Hashes[d.Number] = d.Hash
	}
	if len(s.Hashes) == 0 {
		return nil, errors.New("LDS security object lists no data groups")
	}
	switch {
	case sd.contentType.Equal(oidLDSSecurityObj):
	case sd.contentType.Equal(oidData):
		// Chinese passports (and a few others) label the LDS security
		// object id-data. The signed content-type attribute must then say
		// id-data too, so a relabelled SOD still fails its signature.
		s.ContentTypeIDData = true
	default:
		// Kept parseable so the caller can see the hashes, but the
		// signature check reports it (see Verify).
		s.badContentType = true
	}
	return s, nil
}

// HashHex returns the SOD's hash for data group n in hex, "" if absent.
func (s *SOD) HashHex(n int) string {
	if h, ok := s.Hashes[n]; ok {
		return hex.EncodeToString(h)
	}
	return ""
}

// DataGroups lists the covered data-group numbers in order.
func (s *SOD) DataGroups() []int {
	var out []int
	for n := range s.Hashes {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// Signer returns the embedded certificate the signer info names (the
// Document Signer Certificate), or nil.
func (s *SOD) Signer() *Certificate {
	return s.sd.findSigner(s.signer)
}

// VerifySignature checks the SOD's CMS signature with the DSC's key and
// returns the signature algorithm's name.
func (s *SOD) VerifySignature(dsc *Certificate) (string, error) {
	if s.badContentType {
		return "", fmt.Errorf("eContentType %v is not the LDS security object", s.sd.contentType)
	}
	return s.sd.verifySigner(s.signer, dsc.PublicKey)
}
