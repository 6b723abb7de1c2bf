package crypto

import (
	"fmt"
	"strings"
)

// CashAddr (Bitcoin Cash, spec/cashaddr.md of bitcoincash.org) reuses the
// bech32 alphabet with a 40-bit BCH checksum, a ':' separator, and a version
// byte giving the address type and hash size.

var cashAddrPrefixes = map[string]string{
	"bitcoincash": "mainnet",
	"bchtest":     "testnet",
	"bchreg":      "regtest",
}

// cashAddrHashSizes maps the version byte's low 3 bits to the hash length.
var cashAddrHashSizes = [8]int{20, 24, 28, 32, 40, 48, 56, 64}

func cashAddrPolymod(values []byte) uint64 {
	c := uint64(1)
	for _, d := range values {
		c0 := byte(c >> 35)
		c = (c&0x07ffffffff)<<5 ^ uint64(d)
		if c0&0x01 != 0 {
			c ^= 0x98f2bc8e61
		}
		if c0&0x02 != 0 {
			c ^= 0x79b76d99e2
		}
		if c0&0x04 != 0 {
			c ^= 0xf33e5fb3c4
		}
		if c0&0x08 != 0 {
			c ^= 0xae2eabe2a8
		}
		if c0&0x10 != 0 {
			c ^= 0x1e4f43e470
		}
	}
	return c ^ 1
}

func cashAddrPrefixExpand(prefix string) []byte {
	out := make([]byte, 0, len(prefix)+1)
	for i := 0; i < len(prefix); i++ {
		out = append(out, prefix[i]&0x1f)
	}
	return append(out, 0)
}

// cashAddr is a decoded CashAddr.
type cashAddr struct {
	prefix   string
	addrType int // 0 P2PKH, 1 P2SH, 2 token-aware P2PKH, 3 token-aware P2SH
	hash     []byte
}

// decodeCashAddr accepts "bitcoincash:q…" or the bare payload; a bare
// payload is tried against each known prefix since the prefix is part of
// the checksum.
func decodeCashAddr(s string) (*cashAddr, *ruleError) {
	hasLower, hasUpper := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			hasLower = true
		}
		if c >= 'A' && c <= 'Z' {
			hasUpper = true
		}
	}
	if hasLower && hasUpper {
		return nil, &ruleError{RuleCase, "CashAddr mixes upper and lower case"}
	}
	s = strings.ToLower(s)
	var prefixes []string
	payload := s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		p := s[:i]
		if _, ok := cashAddrPrefixes[p]; !ok {
			return nil, &ruleError{RulePrefix, fmt.Sprintf("CashAddr prefix %q is not bitcoincash, bchtest or bchreg", p)}
		}
		prefixes = []string{p}
		payload = s[i+1:]
	} else {
		prefixes = []string{"bitcoincash", "bchtest", "bchreg"}
	}
	if len(payload) < 8+2 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("CashAddr payload of %d characters is too short", len(payload))}
	}
	data := make([]byte, 0, len(payload))
	for i := 0; i < len(payload); i++ {
		v := bech32Index[payload[i]]
		if v < 0 {
			return nil, &ruleError{RuleAlphabet, fmt.Sprintf("character %q at position %d is not in the CashAddr alphabet", payload[i], i)}
		}
		data = append(data, byte(v))
	}
	prefix := ""
	for _, p := range prefixes {
		if cashAddrPolymod(append(cashAddrPrefixExpand(p), data...)) == 0 {
			prefix = p
			break
		}
	}
	if prefix == "" {
		return nil, &ruleError{RuleChecksum, fmt.Sprintf("CashAddr checksum does not verify for prefix %s", strings.Join(prefixes, " or "))}
	}
	raw, rerr := convertBits(data[:len(data)-8], 5, 8, false)
	if rerr != nil {
		return nil, rerr
	}
	if len(raw) < 1 {
		return nil, &ruleError{RuleLength, "CashAddr payload has no version byte"}
	}
	ver := raw[0]
	if ver&0x80 != 0 {
		return nil, &ruleError{RuleVersion, fmt.Sprintf("CashAddr version byte 0x%02x has the reserved bit set", ver)}
	}
	size := cashAddrHashSizes[ver&0x07]
	if len(raw)-1 != size {
		return nil, &ruleError{RuleLength, fmt.Sprintf("CashAddr version byte announces a %d-byte hash, payload has %d", size, len(raw)-1)}
	}
	t := int(ver>>3) & 0x0f
	if t > 3 {
		return nil, &ruleError{RuleVersion, fmt.Sprintf("CashAddr type %d is not P2PKH (0), P2SH (1) or token-aware (2, 3)", t)}
	}
	return &cashAddr{prefix: prefix, addrType: t, hash: raw[1:]}, nil
}

// encodeCashAddr builds the canonical lower-case CashAddr with prefix.
func encodeCashAddr(prefix string, addrType int, hash []byte) string {
	sizeBits := 0
	for i, n := range cashAddrHashSizes {
		if n == len(hash) {
			sizeBits = i
		}
	}
	raw := append([]byte{byte(addrType<<3 | sizeBits)}, hash...)
	data, _ := convertBits(raw, 8, 5, true)
	values := append(cashAddrPrefixExpand(prefix), data...)
	values = append(values, make([]byte, 8)...)
	mod := cashAddrPolymod(values)
	var b strings.Builder
	b.WriteString(prefix)
	b.WriteByte(':')
	for _, d := range data {
		b.WriteByte(bech32Charset[d])
	}
	for i := 0; i < 8; i++ {
		b.WriteByte(bech32Charset[(mod>>uint(5*(7-i)))&0x1f])
	}
	return b.String()
}
