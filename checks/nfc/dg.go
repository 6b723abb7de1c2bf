package nfc

import (
	"bytes"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/kycd/kycd/checks/mrz"
)

// tagID is a BER identifier as an integer, as ICAO writes tags (0x5F1F).
func tagID(t tlv) uint32 {
	id := t.header[:len(t.header)-lengthOctets(t.header, t.indefinite)]
	var v uint32
	for _, b := range id {
		v = v<<8 | uint32(b)
	}
	return v
}

// children splits BER content into its elements.
func children(b []byte) ([]tlv, error) {
	var out []tlv
	for len(b) > 0 {
		t, rest, err := readTLV(b, 0)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		b = rest
	}
	return out, nil
}

// unwrap reads a data group's outer template and checks its tag.
func unwrap(b []byte, tag uint32, name string) ([]byte, error) {
	t, _, err := readTLV(b, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if tagID(t) != tag {
		return nil, fmt.Errorf("%s: tag %X, want %X", name, tagID(t), tag)
	}
	return t.content, nil
}

// DG1MRZ returns the MRZ text of DG1 (tag 0x61 holding 0x5F1F) split into
// its lines by length: 3×30 (TD1), 2×36 (TD2, MRV-B) or 2×44 (TD3, MRV-A).
func DG1MRZ(dg1 []byte) ([]string, error) {
	c, err := unwrap(dg1, 0x61, "DG1")
	if err != nil {
		return nil, err
	}
	els, err := children(c)
	if err != nil {
		return nil, fmt.Errorf("DG1: %w", err)
	}
	for _, e := range els {
		if tagID(e) != 0x5F1F {
			continue
		}
		s := string(e.content)
		var width int
		switch len(s) {
		case 90:
			width = 30
		case 72:
			width = 36
		case 88:
			width = 44
		default:
			return nil, fmt.Errorf("DG1: MRZ of %d characters fits no format", len(s))
		}
		var lines []string
		for i := 0; i < len(s); i += width {
			lines = append(lines, s[i:i+width])
		}
		return lines, nil
	}
	return nil, errors.New("DG1: no MRZ data element (5F1F)")
}

// ParseDG1 parses and validates DG1's MRZ with checks/mrz.
func ParseDG1(dg1 []byte, opts ...mrz.Option) (*mrz.Result, error) {
	lines, err := DG1MRZ(dg1)
	if err != nil {
		return nil, err
	}
	r, err := mrz.Parse(lines, opts...)
	if err != nil {
		return nil, fmt.Errorf("DG1: %w", err)
	}
	return r, nil
}

// Image types in FaceImage.ImageType.
const (
	ImageJPEG     = "JPEG"
	ImageJPEG2000 = "JPEG2000"
)

// FaceImage is the portrait from DG2.
type FaceImage struct {
	// Container is "ISO/IEC 19794-5" or "ISO/IEC 39794-5".
	Container string `json:"container"`
	// ImageType is JPEG or JPEG2000, from the image's own signature bytes
	// (the container's declared type is checked against it).
	ImageType string `json:"image_type"`
	MIMEType  string `json:"mime_type"`
	Width     int    `json:"width,omitempty"`
	Height    int    `json:"height,omitempty"`
	// Faces is the number of biometric data blocks (images) in DG2; Data
	// holds the first.
	Faces int `json:"faces"`
	// Data is the image file (JPEG or JP2/J2K codestream). It is biometric
	// PII and left out of JSON on purpose.
	Data []byte `json:"-"`
	// JPEG is Data converted to JPEG when it is JPEG 2000 and the Verifier
	// has a JPEG2000Decoder; for JPEG images it is Data.
	JPEG []byte `json:"-"`
	// Notes record oddities (declared type differs from the bytes, …).
	Notes []string `json:"notes,omitempty"`
}

// JPEG2000Decoder converts a JPEG 2000 image (JP2 file or J2K codestream)
// to JPEG. kycd has no pure-Go JPEG 2000 decoder; an implementation can
// wrap OpenJPEG (libopenjp2) behind this interface.
type JPEG2000Decoder interface {
	ToJPEG(jp2 []byte) ([]byte, error)
}

var (
	magicJP2 = []byte{0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A}
	magicJ2K = []byte{0xFF, 0x4F, 0xFF, 0x51}
	magicJPG = []byte{0xFF, 0xD8, 0xFF}
)

func sniffImage(b []byte) string {
	switch {
	case bytes.HasPrefix(b, magicJPG):
		return ImageJPEG
	case bytes.HasPrefix(b, magicJP2), bytes.HasPrefix(b, magicJ2K):
		return ImageJPEG2000
	}
	return ""
}

// ParseDG2 extracts the first face image from DG2 (tag 0x75): the
// biometric information group template 0x7F61 with one 0x7F60 template
// per image, each holding an ISO/IEC 19794-5 block (0x5F2E) or an ISO/IEC
// 39794-5 block (0x7F2E).
func ParseDG2(dg2 []byte) (*FaceImage, error) {
	c, err := unwrap(dg2, 0x75, "DG2")
	if err != nil {
		return nil, err
	}
	groups, err := children(c)
	if err != nil {
		return nil, fmt.Errorf("DG2: %w", err)
	}
	var bits []tlv
	for _, g := range groups {
		if tagID(g) != 0x7F61 {
			continue
		}
		els, err := children(g.content)
		if err != nil {
			return nil, fmt.Errorf("DG2 group: %w", err)
		}
		for _, e := range els {
			if tagID(e) == 0x7F60 {
				bits = append(bits, e)
			}
		}
	}
	if len(bits) == 0 {
		return nil, errors.New("DG2: no biometric information template (7F60)")
	}
	els, err := children(bits[0].content)
	if err != nil {
		return nil, fmt.Errorf("DG2 template: %w", err)
	}
	for _, e := range els {
		var f *FaceImage
		switch tagID(e) {
		case 0x5F2E:
			f, err = parse19794(e.content)
		case 0x7F2E:
			f, err = parse39794(e.content)
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("DG2: %w", err)
		}
		f.Faces = len(bits)
		f.MIMEType = map[string]string{ImageJPEG: "image/jpeg", ImageJPEG2000: "image/jp2"}[f.ImageType]
		if f.ImageType == ImageJPEG {
			f.JPEG = f.Data
		}
		return f, nil
	}
	return nil, errors.New("DG2: no biometric data block (5F2E or 7F2E)")
}

// parse19794 reads an ISO/IEC 19794-5:2005 facial record.
func parse19794(b []byte) (*FaceImage, error) {
	f := &FaceImage{Container: "ISO/IEC 19794-5"}
	if len(b) < 14 || !bytes.Equal(b[:4], []byte("FAC\x00")) {
		return nil, errors.New("19794-5: missing FAC header")
	}
	if !bytes.Equal(b[4:8], []byte("010\x00")) {
		f.Notes = append(f.Notes, fmt.Sprintf("19794-5 version %q", strings.TrimRight(string(b[4:7]), "\x00")))
	}
	recLen := binary.BigEndian.Uint32(b[8:12])
	if uint64(recLen) > uint64(len(b)) || recLen < 14 {
		return nil, fmt.Errorf("19794-5: record length %d, block has %d bytes", recLen, len(b))
	}
	if binary.BigEndian.Uint16(b[12:14]) == 0 {
		return nil, errors.New("19794-5: no facial images")
	}
	p := b[14:recLen]
	if len(p) < 20 {
		return nil, errors.New("19794-5: facial record header truncated")
	}
	faceLen := int(binary.BigEndian.Uint32(p[0:4]))
	nFeat := int(binary.BigEndian.Uint16(p[4:6]))
	if faceLen > len(p) || faceLen < 20+12 {
		return nil, fmt.Errorf("19794-5: facial record length %d, %d bytes left", faceLen, len(p))
	}
	p = p[:faceLen]
	off := 20 + 8*nFeat
	if off+12 > len(p) {
		return nil, errors.New("19794-5: image information truncated")
	}
	info := p[off : off+12]
	declared := map[byte]string{0: ImageJPEG, 1: ImageJPEG2000}[info[1]]
	f.Width = int(binary.BigEndian.Uint16(info[2:4]))
	f.Height = int(binary.BigEndian.Uint16(info[4:6]))
	f.Data = p[off+12:]
	f.ImageType = sniffImage(f.Data)
	if f.ImageType == "" {
		return nil, errors.New("19794-5: image data is neither JPEG nor JPEG 2000")
	}
	if declared != f.ImageType {
		f.Notes = append(f.Notes, fmt.Sprintf("record declares image data type %d but the bytes are %s", info[1], f.ImageType))
	}
	return f, nil
}

// parse39794 finds the image in an ISO/IEC 39794-5 (BER-encoded) block:
// the largest primitive element whose content is a JPEG or JPEG 2000 file.
// Image width and height are left unset.
func parse39794(b []byte) (*FaceImage, error) {
	var best []byte
	var walk func([]byte, int) error
	walk = func(b []byte, depth int) error {
		if depth > 16 {
			return errors.New("39794-5: nested too deeply")
		}
		els, err := children(b)
		if err != nil {
			return err
		}
		for _, e := range els {
			if e.constructed {
				if err := walk(e.content, depth+1); err != nil {
					return err
				}
			} else if sniffImage(e.content) != "" && len(e.content) > len(best) {
				best = e.content
			}
		}
		return nil
	}
	if err := walk(b, 0); err != nil {
		return nil, fmt.Errorf("39794-5: %w", err)
	}
	if best == nil {
		return nil, errors.New("39794-5: no JPEG or JPEG 2000 image found")
	}
	return &FaceImage{Container: "ISO/IEC 39794-5", Data: best, ImageType: sniffImage(best)}, nil
}

// AAPublicKeyInfo describes the Active Authentication key from DG15.
type AAPublicKeyInfo struct {
	Algorithm string `json:"algorithm"`
	Curve     string `json:"curve,omitempty"`
	Bits      int    `json:"bits"`
}

// ParseDG15 returns the Active Authentication public key (tag 0x6F holding
// a SubjectPublicKeyInfo).
func ParseDG15(dg15 []byte) (*PublicKey, error) {
	c, err := unwrap(dg15, 0x6F, "DG15")
	if err != nil {
		return nil, err
	}
	t, _, err := readTLV(c, 0)
	if err != nil {
		return nil, fmt.Errorf("DG15: %w", err)
	}
	k, err := ParsePublicKey(t.full)
	if err != nil {
		return nil, fmt.Errorf("DG15: %w", err)
	}
	return k, nil
}

// SecurityInfos is DG14 (or EF.CardAccess) content: the protocols the chip
// offers beyond passive authentication.
type SecurityInfos struct {
	ChipAuthentication     []ChipAuthInfo    `json:"chip_authentication,omitempty"`
	ChipAuthenticationKeys []ChipAuthKeyInfo `json:"chip_authentication_keys,omitempty"`
	PACE                   []PACEInfo        `json:"pace,omitempty"`
	TerminalAuthentication []int             `json:"terminal_authentication_versions,omitempty"`
	ActiveAuthentication   *ActiveAuthInfo   `json:"active_authentication,omitempty"`
	Other                  []string          `json:"other_protocols,omitempty"`
}

// ChipAuthInfo is a ChipAuthenticationInfo (BSI TR-03110 A.1.1.2).
type ChipAuthInfo struct {
	Protocol string `json:"protocol"`
	Name     string `json:"name"`
	Version  int    `json:"version"`
	KeyID    *int   `json:"key_id,omitempty"`
}

// ChipAuthKeyInfo is a ChipAuthenticationPublicKeyInfo.
type ChipAuthKeyInfo struct {
	Protocol     string `json:"protocol"`
	Name         string `json:"name"`
	KeyAlgorithm string `json:"key_algorithm"`
	Curve        string `json:"curve,omitempty"`
	Bits         int    `json:"bits,omitempty"`
	KeyID        *int   `json:"key_id,omitempty"`
}

// PACEInfo is a PACEInfo.
type PACEInfo struct {
	Protocol    string `json:"protocol"`
	Name        string `json:"name"`
	Version     int    `json:"version"`
	ParameterID *int   `json:"parameter_id,omitempty"`
}

// ActiveAuthInfo is the ICAO ActiveAuthenticationInfo: the signature
// algorithm an ECDSA Active Authentication uses.
type ActiveAuthInfo struct {
	Version            int    `json:"version"`
	SignatureAlgorithm string `json:"signature_algorithm"`
	sigOID             asn1.ObjectIdentifier
}

type securityInfo struct {
	Protocol asn1.ObjectIdentifier
	Required asn1.RawValue
	Optional asn1.RawValue `asn1:"optional"`
}

var bsiProto = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2}

func under(oid, prefix asn1.ObjectIdentifier, sub ...int) bool {
	p := append(append(asn1.ObjectIdentifier{}, prefix...), sub...)
	return len(oid) >= len(p) && oid[:len(p)].Equal(p)
}

var caCiphers = map[int]string{1: "3DES-CBC-CBC", 2: "AES-CBC-CMAC-128", 3: "AES-CBC-CMAC-192", 4: "AES-CBC-CMAC-256"}

func protoName(oid asn1.ObjectIdentifier) string {
	if len(oid) == len(bsiProto)+3 && oid[:len(bsiProto)].Equal(bsiProto) {
		fam, kx, c := oid[len(bsiProto)], oid[len(bsiProto)+1], oid[len(bsiProto)+2]
		kxs := map[int]string{1: "DH", 2: "ECDH"}[kx]
		switch fam {
		case 3:
			return "id-CA-" + kxs + "-" + caCiphers[c]
		case 4:
			m := map[int]string{1: "DH-GM", 2: "ECDH-GM", 3: "DH-IM", 4: "ECDH-IM", 6: "ECDH-CAM"}[kx]
			return "id-PACE-" + m + "-" + caCiphers[c]
		}
	}
	if len(oid) == len(bsiProto)+2 && under(oid, bsiProto, 1) {
		return "id-PK-" + map[int]string{1: "DH", 2: "ECDH"}[oid[len(bsiProto)+1]]
	}
	if oid.Equal(oidActiveAuthInfo) {
		return "id-icao-mrtd-security-aaProtocolObject"
	}
	return oid.String()
}

func optInt(v asn1.RawValue) *int {
	if len(v.FullBytes) == 0 {
		return nil
	}
	var i int
	if _, err := asn1.Unmarshal(v.FullBytes, &i); err != nil {
		return nil
	}
	return &i
}

// ParseDG14 parses DG14 (tag 0x6E holding SecurityInfos).
func ParseDG14(dg14 []byte) (*SecurityInfos, error) {
	c, err := unwrap(dg14, 0x6E, "DG14")
	if err != nil {
		return nil, err
	}
	return ParseSecurityInfos(c)
}

// ParseSecurityInfos parses a DER SET OF SecurityInfo.
func ParseSecurityInfos(der []byte) (*SecurityInfos, error) {
	var set []securityInfo
	rest, err := asn1.UnmarshalWithParams(der, &set, "set")
	if err != nil {
		return nil, fmt.Errorf("SecurityInfos: %w", err)
	}
	if len(rest) != 0 {
		return nil, errors.New("SecurityInfos: trailing data")
	}
	out := &SecurityInfos{}
	for _, si := range set {
		p := si.Protocol
		switch {
		case under(p, bsiProto, 1): // ChipAuthenticationPublicKeyInfo
			k := ChipAuthKeyInfo{Protocol: p.String(), Name: protoName(p), KeyID: optInt(si.Optional)}
			if pk, err := ParsePublicKey(si.Required.FullBytes); err == nil {
				k.KeyAlgorithm, k.Curve, k.Bits = pk.Algorithm, pk.Curve, pk.Bits
			} else {
				var s struct{ Alg algID }
				if _, err := asn1.Unmarshal(si.Required.FullBytes, &s); err == nil {
					k.KeyAlgorithm = s.Alg.Algorithm.String()
				}
			}
			out.ChipAuthenticationKeys = append(out.ChipAuthenticationKeys, k)
		case under(p, bsiProto, 2):
			if v := optInt(si.Required); v != nil {
				out.TerminalAuthentication = append(out.TerminalAuthentication, *v)
			}
		case under(p, bsiProto, 3):
			ci := ChipAuthInfo{Protocol: p.String(), Name: protoName(p), KeyID: optInt(si.Optional)}
			if v := optInt(si.Required); v != nil {
				ci.Version = *v
			}
			out.ChipAuthentication = append(out.ChipAuthentication, ci)
		case under(p, bsiProto, 4):
			pi := PACEInfo{Protocol: p.String(), Name: protoName(p), ParameterID: optInt(si.Optional)}
			if v := optInt(si.Required); v != nil {
				pi.Version = *v
			}
			out.PACE = append(out.PACE, pi)
		case p.Equal(oidActiveAuthInfo):
			ai := &ActiveAuthInfo{}
			if v := optInt(si.Required); v != nil {
				ai.Version = *v
			}
			var alg asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(si.Optional.FullBytes, &alg); err == nil {
				ai.sigOID = alg
				ai.SignatureAlgorithm = alg.String()
				for _, s := range signatureAlgorithms {
					if s.oid.Equal(alg) {
						ai.SignatureAlgorithm = s.name
					}
				}
			}
			out.ActiveAuthentication = ai
		default:
			out.Other = append(out.Other, p.String())
		}
	}
	return out, nil
}
