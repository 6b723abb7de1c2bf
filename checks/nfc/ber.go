package nfc

import (
	"errors"
	"fmt"
)

// maxDepth bounds recursion in the BER walker so hostile input cannot
// exhaust the stack.
const maxDepth = 64

var errTruncated = errors.New("truncated ASN.1")

// tlv is one BER element as found in the input.
type tlv struct {
	class, tag  int
	constructed bool
	header      []byte // identifier and length octets
	content     []byte // content octets (without end-of-contents for indefinite)
	full        []byte // the whole element as in the input
	indefinite  bool
}

// readTLV reads one element from b. Indefinite lengths are resolved by
// walking the children.
func readTLV(b []byte, depth int) (tlv, []byte, error) {
	var t tlv
	if depth > maxDepth {
		return t, nil, errors.New("ASN.1 nested too deeply")
	}
	if len(b) < 2 {
		return t, nil, errTruncated
	}
	i := 0
	id := b[i]
	i++
	t.class = int(id >> 6)
	t.constructed = id&0x20 != 0
	t.tag = int(id & 0x1f)
	if t.tag == 0x1f {
		t.tag = 0
		for n := 0; ; n++ {
			if i >= len(b) || n > 3 {
				return t, nil, errTruncated
			}
			c := b[i]
			i++
			t.tag = t.tag<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if i >= len(b) {
		return t, nil, errTruncated
	}
	l := int(b[i])
	i++
	switch {
	case l == 0x80:
		if !t.constructed {
			return t, nil, errors.New("indefinite length on primitive element")
		}
		t.indefinite = true
		start := i
		rest := b[i:]
		for {
			if len(rest) >= 2 && rest[0] == 0 && rest[1] == 0 {
				t.header = b[:start]
				t.content = b[start : len(b)-len(rest)]
				t.full = b[:len(b)-len(rest)+2]
				return t, rest[2:], nil
			}
			var err error
			_, rest, err = readTLV(rest, depth+1)
			if err != nil {
				return t, nil, err
			}
		}
	case l > 0x80:
		n := l & 0x7f
		if n > 4 || i+n > len(b) {
			return t, nil, errTruncated
		}
		l = 0
		for k := 0; k < n; k++ {
			l = l<<8 | int(b[i])
			i++
		}
		if l < 0 {
			return t, nil, errTruncated
		}
	}
	if l > len(b)-i {
		return t, nil, errTruncated
	}
	t.header = b[:i]
	t.content = b[i : i+l]
	t.full = b[:i+l]
	return t, b[i+l:], nil
}

// toDER rewrites the BER constructs real chips use that encoding/asn1
// refuses — indefinite lengths and constructed OCTET STRINGs — into DER.
// Elements that need no change are copied byte for byte, so signed regions
// (certificates, signed attributes) keep their exact encoding.
func toDER(b []byte) ([]byte, error) {
	t, rest, err := readTLV(b, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d trailing bytes after ASN.1 element", len(rest))
	}
	out, _, err := normalise(t, 0)
	return out, err
}

// normalise returns the DER form of t and whether it differs from the input.
func normalise(t tlv, depth int) ([]byte, bool, error) {
	if depth > maxDepth {
		return nil, false, errors.New("ASN.1 nested too deeply")
	}
	if !t.constructed {
		return t.full, false, nil
	}
	var children [][]byte
	changed := t.indefinite
	rest := t.content
	for len(rest) > 0 {
		c, r, err := readTLV(rest, depth+1)
		if err != nil {
			return nil, false, err
		}
		rest = r
		d, ch, err := normalise(c, depth+1)
		if err != nil {
			return nil, false, err
		}
		changed = changed || ch
		children = append(children, d)
	}
	// A constructed OCTET STRING (universal 4) becomes one primitive string.
	if t.class == 0 && t.tag == 4 {
		var s []byte
		for _, c := range children {
			ct, _, err := readTLV(c, depth+1)
			if err != nil {
				return nil, false, err
			}
			if ct.class != 0 || ct.tag != 4 || ct.constructed {
				return nil, false, errors.New("constructed OCTET STRING holds a non-OCTET STRING")
			}
			s = append(s, ct.content...)
		}
		return encodeTLV(0x04, s), true, nil
	}
	if !changed {
		return t.full, false, nil
	}
	var content []byte
	for _, c := range children {
		content = append(content, c...)
	}
	id := t.header[:len(t.header)-lengthOctets(t.header, t.indefinite)]
	out := append([]byte{}, id...)
	out = append(out, encodeLength(len(content))...)
	return append(out, content...), true, nil
}

// lengthOctets counts the length octets at the end of a header.
func lengthOctets(header []byte, indefinite bool) int {
	// The identifier is 1 byte, or more for high tag numbers; find where
	// the length starts by re-parsing the identifier.
	i := 1
	if header[0]&0x1f == 0x1f {
		for header[i]&0x80 != 0 {
			i++
		}
		i++
	}
	return len(header) - i
}

func encodeLength(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	var l []byte
	for v := n; v > 0; v >>= 8 {
		l = append([]byte{byte(v)}, l...)
	}
	return append([]byte{0x80 | byte(len(l))}, l...)
}

// encodeTLV encodes a single-byte-tag element.
func encodeTLV(tag byte, content []byte) []byte {
	out := append([]byte{tag}, encodeLength(len(content))...)
	return append(out, content...)
}
