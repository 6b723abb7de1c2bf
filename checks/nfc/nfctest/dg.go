package nfctest

import (
	"bytes"
	"crypto"
	_ "embed"
	"encoding/asn1"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"math/big"
)

// SpecimenMRZ is the ICAO 9303 part 4 specimen passport MRZ (state UTO:
// parse it with mrz.WithSpecimenCodes).
var SpecimenMRZ = []string{
	"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
	"L898902C36UTO7408122F1204159ZE184226B<<<<<10",
}

// DG1 encodes MRZ lines as EF.DG1 (0x61 { 0x5F1F mrz }).
func DG1(lines ...string) []byte {
	var s string
	for _, l := range lines {
		s += l
	}
	return tlv(0x61, tlv2(0x5F1F, []byte(s)))
}

// FaceWidth and FaceHeight are the size of Face.
const (
	FaceWidth  = 60
	FaceHeight = 80
)

// Face draws a synthetic portrait (a grey oval on a light background).
func Face() image.Image {
	img := image.NewGray(image.Rect(0, 0, FaceWidth, FaceHeight))
	for y := 0; y < FaceHeight; y++ {
		for x := 0; x < FaceWidth; x++ {
			dx, dy := float64(x-FaceWidth/2)/22, float64(y-FaceHeight/2)/32
			v := uint8(225)
			if dx*dx+dy*dy < 1 {
				v = uint8(150 + (x+y)%20)
			}
			img.SetGray(x, y, color.Gray{Y: v})
		}
	}
	return img
}

// FaceJPEG is Face encoded as JPEG.
func FaceJPEG() []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, Face(), &jpeg.Options{Quality: 80}); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// FaceJP2 is Face as a JP2 file, produced once with OpenJPEG
// (opj_compress -i face.pgm -o face.jp2 -r 20) from the PGM of Face, since
// Go has no JPEG 2000 encoder.
//
//go:embed testdata/face.jp2
var FaceJP2 []byte

// DG2 encodes a face image as EF.DG2 with an ISO/IEC 19794-5 facial record
// (0x75 { 0x7F61 { 0x02 count, 0x7F60 { 0xA1 header, 0x5F2E block } } }).
// jpeg2000 sets the record's image data type.
func DG2(img []byte, jpeg2000 bool, width, height int) []byte {
	var face bytes.Buffer
	faceLen := 20 + 12 + len(img)
	binary.Write(&face, binary.BigEndian, uint32(faceLen))
	face.Write([]byte{0, 0})             // feature points
	face.Write([]byte{0, 0, 0})          // gender, eye, hair
	face.Write([]byte{0, 0, 0})          // property mask
	face.Write([]byte{0, 0})             // expression
	face.Write([]byte{0, 0, 0, 0, 0, 0}) // pose angles and uncertainty
	dataType := byte(0)
	if jpeg2000 {
		dataType = 1
	}
	face.Write([]byte{1, dataType})
	binary.Write(&face, binary.BigEndian, uint16(width))
	binary.Write(&face, binary.BigEndian, uint16(height))
	face.Write([]byte{1, 2, 0, 0, 0, 0}) // colour space, source, device, quality
	face.Write(img)

	var block bytes.Buffer
	block.WriteString("FAC\x00010\x00")
	binary.Write(&block, binary.BigEndian, uint32(14+face.Len()))
	block.Write([]byte{0, 1})
	block.Write(face.Bytes())

	header := tlv(0xA1, bytes.Join([][]byte{
		tlv(0x80, []byte{1, 1}), tlv(0x81, []byte{2}), tlv(0x87, []byte{1, 1}), tlv(0x88, []byte{0, 8}),
	}, nil))
	bit := tlv2(0x7F60, append(header, tlv2(0x5F2E, block.Bytes())...))
	return tlv(0x75, tlv2(0x7F61, append(tlv(0x02, []byte{1}), bit...)))
}

// DG2ISO39794 wraps an image in a 0x7F2E block shaped like ISO/IEC
// 39794-5 (nested context-tagged BER with the image in a primitive
// element). It exercises the 39794 path, not the full standard.
func DG2ISO39794(img []byte) []byte {
	rep := tlv(0xA0, bytes.Join([][]byte{
		tlv(0x80, []byte{0}),             // data format: JPEG
		tlv(0xA1, tlv(0x80, img)),        // representation data
		tlv(0x82, []byte{FaceWidth}),     // a size field
		tlv(0xA3, tlv(0x80, []byte{1})),  // capture device
		tlv(0x84, []byte{0x01, 0x02, 3}), // quality
	}, nil))
	bdb := tlv2(0x7F2E, tlv(0xA1, tlv(0xA0, tlv(0xA1, rep))))
	header := tlv(0xA1, tlv(0x81, []byte{2}))
	bit := tlv2(0x7F60, append(header, bdb...))
	return tlv(0x75, tlv2(0x7F61, append(tlv(0x02, []byte{1}), bit...)))
}

// DG15 encodes the key's public half as EF.DG15.
func DG15(k *Key) []byte { return tlv(0x6F, k.SPKI()) }

// DG14 encodes SecurityInfos with Chip Authentication (ECDH, AES-128),
// its brainpoolP256r1 public key, and — when aaSig is set — the
// ActiveAuthenticationInfo naming the ECDSA AA signature algorithm (e.g.
// ECDSAPlainSHA256).
func DG14(aaSig asn1.ObjectIdentifier) []byte {
	infos := [][]byte{
		seq(oid(asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 3, 2, 2}), intBytes(big.NewInt(1))),
		seq(oid(asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 1, 2}), ECKey("dg14-ca", "brainpoolP256r1", false).SPKI()),
		seq(oid(asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 2, 2, 2}), intBytes(big.NewInt(1))),
	}
	if aaSig != nil {
		infos = append(infos, seq(oid(asn1.ObjectIdentifier{2, 23, 136, 1, 1, 5}), intBytes(big.NewInt(1)), oid(aaSig)))
	}
	return tlv(0x6E, set(infos...))
}

// ECDSAPlainSHA256 is BSI TR-03111 ecdsa-plain-SHA256.
var ECDSAPlainSHA256 = asn1.ObjectIdentifier{0, 4, 0, 127, 0, 7, 1, 1, 4, 1, 3}

// iso9796IDs are the ISO/IEC 10118 hash identifiers of the 0x..CC trailer.
var iso9796IDs = map[crypto.Hash]byte{crypto.SHA1: 0x33, crypto.SHA256: 0x34, crypto.SHA512: 0x35, crypto.SHA384: 0x36, crypto.SHA224: 0x38}

// SignAA answers an Active Authentication challenge like a chip: RSA keys
// with ISO/IEC 9796-2 scheme 1 (SHA-1 uses the 0xBC trailer, other hashes
// 0x..CC), EC keys with plain r||s ECDSA over hash(challenge).
func (k *Key) SignAA(h crypto.Hash, challenge []byte) []byte {
	if !k.RSA {
		r, s := k.ecSign(digest(h, challenge))
		l := (k.curve.N.BitLen() + 7) / 8
		out := make([]byte, 2*l)
		r.FillBytes(out[:l])
		s.FillBytes(out[l:])
		return out
	}
	size := (k.n.BitLen() + 7) / 8
	trailer := []byte{0xBC}
	if h != crypto.SHA1 {
		trailer = []byte{iso9796IDs[h], 0xCC}
	}
	m1 := make([]byte, size-1-h.Size()-len(trailer))
	k.mu.Lock()
	io.ReadFull(k.rnd, m1)
	k.mu.Unlock()
	f := append([]byte{0x6A}, m1...)
	f = append(f, digest(h, append(append([]byte{}, m1...), challenge...))...)
	f = append(f, trailer...)
	return k.rsaPrivate(f)
}
