package crypto

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/big"
)

// Base58 alphabets. Bitcoin's is used by every Bitcoin-derived chain, Tron
// and Monero; Ripple shuffled the same 58 characters so that XRP account
// addresses start with "r" (the digit zero maps to 'r').
const (
	bitcoinAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	rippleAlphabet  = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
)

// base58Codec decodes and encodes one base58 alphabet.
type base58Codec struct {
	alphabet string
	index    [256]int8
}

func newBase58Codec(alphabet string) *base58Codec {
	c := &base58Codec{alphabet: alphabet}
	for i := range c.index {
		c.index[i] = -1
	}
	for i := 0; i < len(alphabet); i++ {
		c.index[alphabet[i]] = int8(i)
	}
	return c
}

var (
	btcBase58    = newBase58Codec(bitcoinAlphabet)
	rippleBase58 = newBase58Codec(rippleAlphabet)
	bigRadix58   = big.NewInt(58)
)

// decode returns the bytes of s, or the position and character of the first
// character outside the alphabet.
func (c *base58Codec) decode(s string) ([]byte, error) {
	n := new(big.Int)
	for i := 0; i < len(s); i++ {
		v := c.index[s[i]]
		if v < 0 {
			return nil, fmt.Errorf("character %q at position %d is not in the base58 alphabet", s[i], i)
		}
		n.Mul(n, bigRadix58)
		n.Add(n, big.NewInt(int64(v)))
	}
	body := n.Bytes()
	// Each leading "zero digit" stands for one leading zero byte.
	zeros := 0
	for zeros < len(s) && s[zeros] == c.alphabet[0] {
		zeros++
	}
	out := make([]byte, zeros+len(body))
	copy(out[zeros:], body)
	return out, nil
}

// encode is the inverse of decode.
func (c *base58Codec) encode(b []byte) string {
	n := new(big.Int).SetBytes(b)
	var out []byte
	mod := new(big.Int)
	for n.Sign() > 0 {
		n.DivMod(n, bigRadix58, mod)
		out = append(out, c.alphabet[mod.Int64()])
	}
	for _, x := range b {
		if x != 0 {
			break
		}
		out = append(out, c.alphabet[0])
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// doubleSHA256Checksum is the 4-byte base58check checksum.
func doubleSHA256Checksum(b []byte) []byte {
	h1 := sha256.Sum256(b)
	h2 := sha256.Sum256(h1[:])
	return h2[:4]
}

// base58CheckDecode decodes s and verifies its trailing 4-byte double-SHA-256
// checksum, returning the data without the checksum. Errors carry the rule
// that failed so callers can wrap them into a ValidationError.
func base58CheckDecode(c *base58Codec, s string) ([]byte, *ruleError) {
	raw, err := c.decode(s)
	if err != nil {
		return nil, &ruleError{RuleAlphabet, err.Error()}
	}
	if len(raw) < 5 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("decodes to %d bytes, too short for a version byte and a 4-byte checksum", len(raw))}
	}
	data, sum := raw[:len(raw)-4], raw[len(raw)-4:]
	if want := doubleSHA256Checksum(data); !bytes.Equal(sum, want) {
		return nil, &ruleError{RuleChecksum, fmt.Sprintf("base58check checksum %x does not match %x", sum, want)}
	}
	return data, nil
}

// base58CheckEncode appends the checksum and encodes.
func base58CheckEncode(c *base58Codec, data []byte) string {
	buf := make([]byte, 0, len(data)+4)
	buf = append(buf, data...)
	buf = append(buf, doubleSHA256Checksum(data)...)
	return c.encode(buf)
}

// Monero's base58 works on 8-byte blocks, each encoded to exactly 11
// characters (the last, shorter block to a fixed shorter width), so that
// addresses have a fixed length and leading zero bytes need no special rule.
var (
	moneroEncodedBlockSizes = [...]int{0, 2, 3, 5, 6, 7, 9, 10, 11}
	moneroFullBlockSize     = 8
	moneroFullEncodedSize   = 11
)

// moneroBase58Decode decodes Monero's block-wise base58.
func moneroBase58Decode(s string) ([]byte, *ruleError) {
	full := len(s) / moneroFullEncodedSize
	rest := len(s) % moneroFullEncodedSize
	lastSize := -1
	for n, enc := range moneroEncodedBlockSizes {
		if enc == rest {
			lastSize = n
			break
		}
	}
	if lastSize < 0 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("length %d is not a valid Monero base58 length (last block of %d characters)", len(s), rest)}
	}
	out := make([]byte, 0, full*moneroFullBlockSize+lastSize)
	decodeBlock := func(block string, size int) error {
		var v big.Int
		for i := 0; i < len(block); i++ {
			d := btcBase58.index[block[i]]
			if d < 0 {
				return fmt.Errorf("character %q is not in the base58 alphabet", block[i])
			}
			v.Mul(&v, bigRadix58)
			v.Add(&v, big.NewInt(int64(d)))
		}
		if v.BitLen() > size*8 {
			return fmt.Errorf("block %q overflows %d bytes", block, size)
		}
		b := make([]byte, size)
		v.FillBytes(b)
		out = append(out, b...)
		return nil
	}
	for i := 0; i < full; i++ {
		if err := decodeBlock(s[i*moneroFullEncodedSize:(i+1)*moneroFullEncodedSize], moneroFullBlockSize); err != nil {
			return nil, &ruleError{RuleAlphabet, err.Error()}
		}
	}
	if rest > 0 {
		if err := decodeBlock(s[full*moneroFullEncodedSize:], lastSize); err != nil {
			return nil, &ruleError{RuleAlphabet, err.Error()}
		}
	}
	return out, nil
}

// moneroBase58Encode is the inverse of moneroBase58Decode.
func moneroBase58Encode(b []byte) string {
	var out []byte
	encodeBlock := func(block []byte) {
		width := moneroEncodedBlockSizes[len(block)]
		v := new(big.Int).SetBytes(block)
		enc := make([]byte, width)
		mod := new(big.Int)
		for i := width - 1; i >= 0; i-- {
			v.DivMod(v, bigRadix58, mod)
			enc[i] = bitcoinAlphabet[mod.Int64()]
		}
		out = append(out, enc...)
	}
	for len(b) >= moneroFullBlockSize {
		encodeBlock(b[:moneroFullBlockSize])
		b = b[moneroFullBlockSize:]
	}
	if len(b) > 0 {
		encodeBlock(b)
	}
	return string(out)
}
