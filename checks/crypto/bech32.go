package crypto

import (
	"fmt"
	"strings"
)

// bech32Charset is shared by bech32, bech32m and CashAddr.
const bech32Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

var bech32Index = func() [256]int8 {
	var t [256]int8
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(bech32Charset); i++ {
		t[bech32Charset[i]] = int8(i)
	}
	return t
}()

// bechEncoding tells bech32 (BIP-173) from bech32m (BIP-350): they differ
// only in the constant the checksum polymod must equal.
type bechEncoding int

const (
	encBech32 bechEncoding = iota + 1
	encBech32m
)

const (
	bech32Const  = 1
	bech32mConst = 0x2bc830a3
)

func (e bechEncoding) String() string {
	if e == encBech32m {
		return "bech32m"
	}
	return "bech32"
}

func bech32Polymod(values []byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	chk := uint32(1)
	for _, v := range values {
		top := chk >> 25
		chk = (chk&0x1ffffff)<<5 ^ uint32(v)
		for i := 0; i < 5; i++ {
			if (top>>i)&1 == 1 {
				chk ^= gen[i]
			}
		}
	}
	return chk
}

func bech32HRPExpand(hrp string) []byte {
	out := make([]byte, 0, len(hrp)*2+1)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]>>5)
	}
	out = append(out, 0)
	for i := 0; i < len(hrp); i++ {
		out = append(out, hrp[i]&31)
	}
	return out
}

// bech32Decode parses a bech32 or bech32m string of at most maxLen
// characters (90 in BIP-173; Zcash unified addresses lift the limit) and
// returns the lower-case HRP, the 5-bit data without checksum, and which
// checksum constant matched.
func bech32Decode(s string, maxLen int) (string, []byte, bechEncoding, *ruleError) {
	if len(s) > maxLen {
		return "", nil, 0, &ruleError{RuleLength, fmt.Sprintf("%d characters, more than the maximum %d", len(s), maxLen)}
	}
	hasLower, hasUpper := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 {
			return "", nil, 0, &ruleError{RuleAlphabet, fmt.Sprintf("character 0x%02x at position %d is outside printable US-ASCII", c, i)}
		}
		if c >= 'a' && c <= 'z' {
			hasLower = true
		}
		if c >= 'A' && c <= 'Z' {
			hasUpper = true
		}
	}
	if hasLower && hasUpper {
		return "", nil, 0, &ruleError{RuleCase, "mixes upper and lower case"}
	}
	s = strings.ToLower(s)
	pos := strings.LastIndexByte(s, '1')
	if pos < 0 {
		return "", nil, 0, &ruleError{RuleSeparator, "no '1' separator between human-readable part and data"}
	}
	if pos == 0 {
		return "", nil, 0, &ruleError{RuleHRP, "empty human-readable part"}
	}
	if pos+7 > len(s) {
		return "", nil, 0, &ruleError{RuleLength, "data part shorter than the 6-character checksum"}
	}
	hrp := s[:pos]
	data := make([]byte, 0, len(s)-pos-1)
	for i := pos + 1; i < len(s); i++ {
		v := bech32Index[s[i]]
		if v < 0 {
			return "", nil, 0, &ruleError{RuleAlphabet, fmt.Sprintf("character %q at position %d is not in the bech32 alphabet", s[i], i)}
		}
		data = append(data, byte(v))
	}
	var enc bechEncoding
	switch bech32Polymod(append(bech32HRPExpand(hrp), data...)) {
	case bech32Const:
		enc = encBech32
	case bech32mConst:
		enc = encBech32m
	default:
		return "", nil, 0, &ruleError{RuleChecksum, "neither a bech32 nor a bech32m checksum"}
	}
	return hrp, data[:len(data)-6], enc, nil
}

// convertBits regroups bits; with pad=false it enforces BIP-173's rules that
// at most 4 padding bits remain and that they are zero.
func convertBits(data []byte, from, to uint, pad bool) ([]byte, *ruleError) {
	acc, bits := uint32(0), uint(0)
	maxv := uint32(1)<<to - 1
	out := make([]byte, 0, len(data)*int(from)/int(to)+1)
	for _, v := range data {
		if uint32(v)>>from != 0 {
			return nil, &ruleError{RuleAlphabet, fmt.Sprintf("value %d does not fit %d bits", v, from)}
		}
		acc = acc<<from | uint32(v)
		bits += from
		for bits >= to {
			bits -= to
			out = append(out, byte(acc>>bits&maxv))
		}
	}
	if pad {
		if bits > 0 {
			out = append(out, byte(acc<<(to-bits)&maxv))
		}
		return out, nil
	}
	if bits >= from {
		return nil, &ruleError{RulePadding, fmt.Sprintf("%d padding bits, more than 4", bits)}
	}
	if acc<<(to-bits)&maxv != 0 {
		return nil, &ruleError{RulePadding, "non-zero padding bits"}
	}
	return out, nil
}

// segwitAddress is a decoded BIP-173/BIP-350 address.
type segwitAddress struct {
	hrp     string
	version int
	program []byte
}

// decodeSegwit decodes s as a segwit address whose HRP must be one of hrps.
func decodeSegwit(s string, hrps []string) (*segwitAddress, *ruleError) {
	hrp, data, enc, rerr := bech32Decode(s, 90)
	if rerr != nil {
		return nil, rerr
	}
	known := false
	for _, h := range hrps {
		if h == hrp {
			known = true
		}
	}
	if !known {
		return nil, &ruleError{RuleHRP, fmt.Sprintf("human-readable part %q is not one of %v", hrp, hrps)}
	}
	if len(data) < 1 {
		return nil, &ruleError{RuleWitnessProgram, "empty data part: no witness version"}
	}
	ver := int(data[0])
	if ver > 16 {
		return nil, &ruleError{RuleWitnessVersion, fmt.Sprintf("witness version %d is above 16", ver)}
	}
	prog, rerr := convertBits(data[1:], 5, 8, false)
	if rerr != nil {
		return nil, rerr
	}
	if len(prog) < 2 || len(prog) > 40 {
		return nil, &ruleError{RuleWitnessProgram, fmt.Sprintf("witness program of %d bytes, must be 2 to 40", len(prog))}
	}
	if ver == 0 && len(prog) != 20 && len(prog) != 32 {
		return nil, &ruleError{RuleWitnessProgram, fmt.Sprintf("witness v0 program of %d bytes, must be 20 (P2WPKH) or 32 (P2WSH)", len(prog))}
	}
	if ver == 0 && enc != encBech32 {
		return nil, &ruleError{RuleEncoding, "witness v0 must use bech32 (BIP-173), found bech32m"}
	}
	if ver != 0 && enc != encBech32m {
		return nil, &ruleError{RuleEncoding, fmt.Sprintf("witness v%d must use bech32m (BIP-350), found bech32", ver)}
	}
	return &segwitAddress{hrp: hrp, version: ver, program: prog}, nil
}
