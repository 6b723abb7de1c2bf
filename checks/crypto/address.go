package crypto

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/sha3"
)

// Address is a validated address with what its encoding says about it.
type Address struct {
	Chain Chain `json:"chain"`
	// Input is the string as given (surrounding white space removed).
	Input string `json:"input"`
	// Normalized is the canonical spelling used for list matching:
	// lower-case hex for EVM, lower-case bech32, "bitcoincash:"-prefixed
	// CashAddr (also for legacy BCH input), exact text for base58.
	Normalized string `json:"normalized"`
	// Type is p2pkh, p2sh, p2wpkh, p2wsh, p2tr, witness_vN, account,
	// standard, integrated, subaddress, sprout, sapling, unified or tex.
	Type string `json:"type"`
	// Encoding is base58check, bech32, bech32m, cashaddr, hex,
	// monero_base58 or ripple_base58check.
	Encoding string `json:"encoding"`
	// Network is mainnet, testnet, regtest or stagenet.
	Network string `json:"network"`
	// ChecksumVerified is false only for EVM addresses written all in one
	// case, which carry no EIP-55 checksum.
	ChecksumVerified bool `json:"checksum_verified"`
	// Shielded marks Zcash shielded addresses, whose transactions cannot
	// be screened on chain.
	Shielded bool `json:"shielded,omitempty"`
	// PaymentID is the 8-byte payment id of a Monero integrated address.
	PaymentID string `json:"payment_id,omitempty"`
	// Notes explain accepted-but-notable properties.
	Notes []string `json:"notes,omitempty"`

	// matchKey identifies the address on its chain; two spellings of the
	// same destination (legacy/CashAddr, Monero standard/integrated, EVM
	// case variants) share it.
	matchKey string
	// keyID identifies the key or script hash across chains: the same
	// hash160 behind a BTC P2PKH, a P2WPKH, an LTC L-address or an XRP
	// account means the same key pair; the same 20 bytes behind an EVM and
	// a Tron address means the same secp256k1 key.
	keyID string
}

// Validate checks address against chain's rules and returns what it is.
// Every failure is a *ValidationError naming the rule.
func Validate(chain Chain, address string) (*Address, error) {
	spec, ok := chainSpecs[chain]
	if !ok {
		return nil, fmt.Errorf("validate %q: chain %q: %w", truncate(address, 120), chain, ErrUnknownChain)
	}
	in := strings.TrimSpace(address)
	if in == "" {
		return nil, &ValidationError{Chain: chain, Address: address, Rule: RuleEmpty, Detail: "address is empty"}
	}
	if len(in) > 2048 {
		return nil, &ValidationError{Chain: chain, Address: address, Rule: RuleLength, Detail: fmt.Sprintf("%d characters, far longer than any address", len(in))}
	}
	var (
		a    *Address
		rerr *ruleError
	)
	switch spec.family {
	case famBitcoin:
		a, rerr = validateBitcoinLike(chain, spec, in)
	case famBCH:
		a, rerr = validateBCH(chain, spec, in)
	case famEVM:
		a, rerr = validateEVM(chain, in)
	case famTron:
		a, rerr = validateTron(chain, in)
	case famXRP:
		a, rerr = validateXRP(chain, in)
	case famMonero:
		a, rerr = validateMonero(chain, in)
	case famZcash:
		a, rerr = validateZcash(chain, in)
	}
	if rerr != nil {
		return nil, rerr.toValidation(chain, in)
	}
	a.Chain = chain
	a.Input = in
	if a.matchKey == "" {
		a.matchKey = a.Normalized
	}
	a.matchKey = string(chain) + "|" + a.matchKey
	return a, nil
}

// ValidateCode resolves a chain or token code (see ResolveChain) and validates.
func ValidateCode(code, address string) (*Address, error) {
	ch, _, err := ResolveChain(code, address)
	if err != nil {
		return nil, err
	}
	return Validate(ch, address)
}

func hash160Key(kind string, h []byte) string {
	switch {
	case kind == "p2pkh" && len(h) == 20:
		return "h160:" + hex.EncodeToString(h)
	case kind == "p2sh" && len(h) == 20:
		return "sh160:" + hex.EncodeToString(h)
	}
	return ""
}

// base58Versioned decodes base58check with a 1-byte version and a 20-byte hash.
func base58Versioned(spec chainSpec, s string) (*Address, *ruleError) {
	data, rerr := base58CheckDecode(btcBase58, s)
	if rerr != nil {
		return nil, rerr
	}
	if len(data) != 21 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("decodes to %d bytes, want 21 (version byte + 20-byte hash)", len(data))}
	}
	vi, ok := spec.versions[data[0]]
	if !ok {
		return nil, &ruleError{RuleVersion, fmt.Sprintf("version byte 0x%02x is not a %s address version", data[0], spec.name)}
	}
	return &Address{Normalized: s, Type: vi.kind, Encoding: "base58check", Network: vi.network, ChecksumVerified: true,
		keyID: hash160Key(vi.kind, data[1:])}, nil
}

func looksBech32(s string, hrps map[string]string) bool {
	l := strings.ToLower(s)
	for h := range hrps {
		if strings.HasPrefix(l, h+"1") {
			return true
		}
	}
	return false
}

func validateBitcoinLike(chain Chain, spec chainSpec, s string) (*Address, *ruleError) {
	// Longer than any base58 address, or starting with a known HRP: treat
	// as bech32 so the error names the bech32 rule that failed.
	if len(spec.hrps) > 0 && (looksBech32(s, spec.hrps) || len(s) > 35) {
		hrps := make([]string, 0, len(spec.hrps))
		for h := range spec.hrps {
			hrps = append(hrps, h)
		}
		sw, rerr := decodeSegwit(s, hrps)
		if rerr != nil {
			return nil, rerr
		}
		a := &Address{Normalized: strings.ToLower(s), Network: spec.hrps[sw.hrp], ChecksumVerified: true, Encoding: "bech32"}
		if sw.version != 0 {
			a.Encoding = "bech32m"
		}
		switch {
		case sw.version == 0 && len(sw.program) == 20:
			a.Type, a.keyID = "p2wpkh", "h160:"+hex.EncodeToString(sw.program)
		case sw.version == 0:
			a.Type, a.keyID = "p2wsh", "wsh:"+hex.EncodeToString(sw.program)
		case sw.version == 1 && len(sw.program) == 32:
			a.Type, a.keyID = "p2tr", "tr:"+hex.EncodeToString(sw.program)
		default:
			a.Type = fmt.Sprintf("witness_v%d", sw.version)
			a.Notes = append(a.Notes, fmt.Sprintf("witness version %d with a %d-byte program has no spending rules yet: coins sent there can be taken by anyone (or by no one)", sw.version, len(sw.program)))
		}
		return a, nil
	}
	if len(s) < 25 || len(s) > 35 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("%d characters; %s base58 addresses have 25 to 35", len(s), spec.name)}
	}
	a, rerr := base58Versioned(spec, s)
	if rerr != nil {
		return nil, rerr
	}
	if chain == LTC && strings.HasPrefix(s, "3") {
		a.Notes = append(a.Notes, "legacy Litecoin P2SH form (version 0x05, shared with Bitcoin); current wallets use M… (0x32)")
	}
	return a, nil
}

func validateBCH(chain Chain, spec chainSpec, s string) (*Address, *ruleError) {
	l := strings.ToLower(s)
	if strings.Contains(l, ":") || strings.HasPrefix(l, "q") || strings.HasPrefix(l, "p") || strings.HasPrefix(l, "z") || strings.HasPrefix(l, "r") {
		ca, rerr := decodeCashAddr(s)
		if rerr != nil {
			return nil, rerr
		}
		kind := "p2pkh"
		if ca.addrType&1 == 1 {
			kind = "p2sh"
		}
		a := &Address{Normalized: encodeCashAddr(ca.prefix, ca.addrType, ca.hash), Type: kind, Encoding: "cashaddr",
			Network: cashAddrPrefixes[ca.prefix], ChecksumVerified: true, keyID: hash160Key(kind, ca.hash)}
		if ca.addrType >= 2 {
			a.Notes = append(a.Notes, "token-aware CashAddr (CHIP-2022-02): same destination as the plain form")
		}
		if len(ca.hash) != 20 {
			a.Notes = append(a.Notes, fmt.Sprintf("%d-byte hash (P2SH32 or future type)", len(ca.hash)))
		}
		// Token-aware and plain forms pay the same script, so they share a key.
		a.matchKey = encodeCashAddr(ca.prefix, ca.addrType&1, ca.hash)
		return a, nil
	}
	if len(s) < 25 || len(s) > 35 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("%d characters; legacy Bitcoin Cash addresses have 25 to 35", len(s))}
	}
	a, rerr := base58Versioned(spec, s)
	if rerr != nil {
		return nil, rerr
	}
	data, _ := base58CheckDecode(btcBase58, s)
	prefix := "bitcoincash"
	if a.Network == "testnet" {
		prefix = "bchtest"
	}
	t := 0
	if a.Type == "p2sh" {
		t = 1
	}
	// Legacy and CashAddr spell the same destination; match on CashAddr.
	a.Normalized = encodeCashAddr(prefix, t, data[1:])
	a.matchKey = a.Normalized
	a.Notes = append(a.Notes, "legacy base58 form; CashAddr equivalent is "+a.Normalized)
	return a, nil
}

// keccak256 is Ethereum's hash (the pre-standard Keccak padding).
func keccak256(b []byte) []byte {
	h := sha3.NewLegacyKeccak256()
	h.Write(b)
	return h.Sum(nil)
}

// eip55 returns the EIP-55 mixed-case spelling of a lower-case 40-hex body.
func eip55(lowerHex string) string {
	h := keccak256([]byte(lowerHex))
	out := []byte(lowerHex)
	for i := range out {
		c := out[i]
		if c >= 'a' && c <= 'f' {
			nibble := h[i/2]
			if i%2 == 0 {
				nibble >>= 4
			}
			if nibble&0x0f >= 8 {
				out[i] = c - 'a' + 'A'
			}
		}
	}
	return "0x" + string(out)
}

func validateEVM(chain Chain, s string) (*Address, *ruleError) {
	if !strings.HasPrefix(s, "0x") {
		if strings.HasPrefix(s, "0X") {
			return nil, &ruleError{RulePrefix, "prefix must be lower-case \"0x\""}
		}
		return nil, &ruleError{RulePrefix, "EVM addresses start with \"0x\""}
	}
	body := s[2:]
	if len(body) != 40 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("%d hex digits after 0x, want 40", len(body))}
	}
	hasLower, hasUpper := false, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'f':
			hasLower = true
		case c >= 'A' && c <= 'F':
			hasUpper = true
		default:
			return nil, &ruleError{RuleAlphabet, fmt.Sprintf("character %q at position %d is not hexadecimal", c, i+2)}
		}
	}
	lower := strings.ToLower(body)
	raw, _ := hex.DecodeString(lower)
	a := &Address{Normalized: "0x" + lower, Type: "account", Encoding: "hex", Network: "mainnet",
		keyID: "acct20:" + lower}
	if hasLower && hasUpper {
		want := eip55(lower)
		if want != s {
			return nil, &ruleError{RuleChecksum, fmt.Sprintf("EIP-55 mixed-case checksum does not match (checksummed form is %s); a character was probably mistyped", want)}
		}
		a.ChecksumVerified = true
	} else {
		a.Notes = append(a.Notes, "not checksummed: all one case, so EIP-55 cannot catch a typo")
	}
	if bytes.Equal(raw, make([]byte, 20)) {
		a.Notes = append(a.Notes, "zero address: tokens sent here are burned")
	}
	if chain == ETC && !a.ChecksumVerified {
		a.Notes = append(a.Notes, "some ETC wallets use the EIP-1191 chain-id checksum; write such addresses in one case")
	}
	return a, nil
}

func validateTron(_ Chain, s string) (*Address, *ruleError) {
	// Tron APIs also print the 21-byte address as hex starting with 41.
	if len(s) == 42 && strings.HasPrefix(s, "41") {
		raw, err := hex.DecodeString(s)
		if err != nil {
			return nil, &ruleError{RuleAlphabet, "hex Tron address contains a non-hex character"}
		}
		t := base58CheckEncode(btcBase58, raw)
		return &Address{Normalized: t, Type: "account", Encoding: "hex", Network: "mainnet", ChecksumVerified: false,
			keyID: "acct20:" + hex.EncodeToString(raw[1:]), Notes: []string{"hex form; base58 form is " + t}}, nil
	}
	if !strings.HasPrefix(s, "T") {
		return nil, &ruleError{RulePrefix, "Tron mainnet addresses start with \"T\""}
	}
	if len(s) != 34 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("%d characters, want 34", len(s))}
	}
	data, rerr := base58CheckDecode(btcBase58, s)
	if rerr != nil {
		return nil, rerr
	}
	if len(data) != 21 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("decodes to %d bytes, want 21", len(data))}
	}
	if data[0] != 0x41 {
		return nil, &ruleError{RuleVersion, fmt.Sprintf("version byte 0x%02x, Tron uses 0x41", data[0])}
	}
	return &Address{Normalized: s, Type: "account", Encoding: "base58check", Network: "mainnet", ChecksumVerified: true,
		keyID: "acct20:" + hex.EncodeToString(data[1:])}, nil
}

func validateXRP(_ Chain, s string) (*Address, *ruleError) {
	if strings.HasPrefix(s, "X") || strings.HasPrefix(s, "T") && len(s) > 40 {
		return nil, &ruleError{RuleFormat, "X-address (XLS-5d) form is not supported; give the classic r… address and the destination tag separately"}
	}
	if !strings.HasPrefix(s, "r") {
		return nil, &ruleError{RulePrefix, "classic XRP addresses start with \"r\""}
	}
	if len(s) < 25 || len(s) > 35 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("%d characters; XRP addresses have 25 to 35", len(s))}
	}
	data, rerr := base58CheckDecode(rippleBase58, s)
	if rerr != nil {
		return nil, rerr
	}
	if len(data) != 21 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("decodes to %d bytes, want 21 (type byte + 20-byte account id)", len(data))}
	}
	if data[0] != 0x00 {
		return nil, &ruleError{RuleVersion, fmt.Sprintf("type byte 0x%02x is not an account id (0x00)", data[0])}
	}
	// The XRP account id is RIPEMD-160(SHA-256(public key)), the same
	// hash160 a Bitcoin P2PKH address carries.
	return &Address{Normalized: s, Type: "account", Encoding: "ripple_base58check", Network: "mainnet", ChecksumVerified: true,
		keyID: "h160:" + hex.EncodeToString(data[1:])}, nil
}

// moneroNetworks maps the address prefix (a varint, one byte for all
// current values) to network and type.
var moneroNetworks = map[byte]versionInfo{
	18: {"standard", "mainnet"}, 19: {"integrated", "mainnet"}, 42: {"subaddress", "mainnet"},
	53: {"standard", "testnet"}, 54: {"integrated", "testnet"}, 63: {"subaddress", "testnet"},
	24: {"standard", "stagenet"}, 25: {"integrated", "stagenet"}, 36: {"subaddress", "stagenet"},
}

func validateMonero(_ Chain, s string) (*Address, *ruleError) {
	if len(s) != 95 && len(s) != 106 {
		return nil, &ruleError{RuleLength, fmt.Sprintf("%d characters; Monero addresses have 95 (standard, subaddress) or 106 (integrated)", len(s))}
	}
	raw, rerr := moneroBase58Decode(s)
	if rerr != nil {
		return nil, rerr
	}
	data, sum := raw[:len(raw)-4], raw[len(raw)-4:]
	if want := keccak256(data)[:4]; !bytes.Equal(sum, want) {
		return nil, &ruleError{RuleChecksum, fmt.Sprintf("Keccak-256 checksum %x does not match %x", sum, want)}
	}
	vi, ok := moneroNetworks[data[0]]
	if !ok {
		return nil, &ruleError{RuleVersion, fmt.Sprintf("network byte %d is not a Monero address prefix", data[0])}
	}
	wantLen := 1 + 64
	if vi.kind == "integrated" {
		wantLen += 8
	}
	if len(data) != wantLen {
		return nil, &ruleError{RuleLength, fmt.Sprintf("%s address carries %d bytes, want %d", vi.kind, len(data), wantLen)}
	}
	keys := hex.EncodeToString(data[1:65])
	a := &Address{Normalized: s, Type: vi.kind, Encoding: "monero_base58", Network: vi.network, ChecksumVerified: true}
	if vi.kind == "integrated" {
		a.PaymentID = hex.EncodeToString(data[65:73])
		a.Notes = append(a.Notes, "integrated address: same wallet as the standard address with these keys, plus a payment id")
	}
	// Standard and integrated addresses with the same keys are the same
	// wallet; a subaddress has its own keys.
	if vi.kind == "subaddress" {
		a.matchKey = "sub:" + vi.network + ":" + keys
		a.keyID = "xmrsub:" + keys
	} else {
		a.matchKey = "std:" + vi.network + ":" + keys
		a.keyID = "xmr:" + keys
	}
	return a, nil
}

// zcashHRPNetworks maps Zcash bech32(m) HRPs to networks.
var zcashHRPNetworks = map[string]string{
	"zs": "mainnet", "ztestsapling": "testnet", "zregtestsapling": "regtest",
	"u": "mainnet", "utest": "testnet", "uregtest": "regtest",
	"tex": "mainnet", "textest": "testnet",
}

var zcashTransparent = map[[2]byte]versionInfo{
	{0x1c, 0xb8}: {"p2pkh", "mainnet"}, {0x1c, 0xbd}: {"p2sh", "mainnet"},
	{0x1d, 0x25}: {"p2pkh", "testnet"}, {0x1c, 0xba}: {"p2sh", "testnet"},
}

func validateZcash(_ Chain, s string) (*Address, *ruleError) {
	l := strings.ToLower(s)
	switch {
	case strings.HasPrefix(l, "zs1") || strings.HasPrefix(l, "ztestsapling1") || strings.HasPrefix(l, "zregtestsapling1"):
		// Zcash does not apply BIP-173's 90-character limit (regtest
		// Sapling addresses have 91).
		hrp, data, enc, rerr := bech32Decode(s, 256)
		if rerr != nil {
			return nil, rerr
		}
		if enc != encBech32 {
			return nil, &ruleError{RuleEncoding, "Sapling addresses use bech32, found bech32m"}
		}
		raw, rerr := convertBits(data, 5, 8, false)
		if rerr != nil {
			return nil, rerr
		}
		if len(raw) != 43 {
			return nil, &ruleError{RuleLength, fmt.Sprintf("Sapling payload of %d bytes, want 43 (11-byte diversifier + 32-byte pk_d)", len(raw))}
		}
		net := zcashHRPNetworks[hrp]
		if net == "" {
			return nil, &ruleError{RuleHRP, fmt.Sprintf("human-readable part %q is not a Sapling one (zs, ztestsapling, zregtestsapling)", hrp)}
		}
		return &Address{Normalized: l, Type: "sapling", Encoding: "bech32", Network: net, ChecksumVerified: true, Shielded: true}, nil
	case strings.HasPrefix(l, "u1") || strings.HasPrefix(l, "utest1") || strings.HasPrefix(l, "uregtest1"):
		// ZIP-316 lifts bech32's 90-character limit for unified addresses.
		hrp, data, enc, rerr := bech32Decode(s, 4096)
		if rerr != nil {
			return nil, rerr
		}
		if enc != encBech32m {
			return nil, &ruleError{RuleEncoding, "unified addresses use bech32m, found bech32"}
		}
		raw, rerr := convertBits(data, 5, 8, false)
		if rerr != nil {
			return nil, rerr
		}
		if len(raw) < 48 {
			return nil, &ruleError{RuleLength, fmt.Sprintf("unified address payload of %d bytes, below F4Jumble's 48-byte minimum", len(raw))}
		}
		net := zcashHRPNetworks[hrp]
		if net == "" {
			return nil, &ruleError{RuleHRP, fmt.Sprintf("human-readable part %q is not a unified-address one (u, utest, uregtest)", hrp)}
		}
		return &Address{Normalized: l, Type: "unified", Encoding: "bech32m", Network: net, ChecksumVerified: true, Shielded: true,
			Notes: []string{"unified address: checksum verified, receivers not decoded (F4Jumble not inverted); it may contain a transparent receiver"}}, nil
	case strings.HasPrefix(l, "tex1") || strings.HasPrefix(l, "textest1"):
		hrp, data, enc, rerr := bech32Decode(s, 90)
		if rerr != nil {
			return nil, rerr
		}
		if enc != encBech32m {
			return nil, &ruleError{RuleEncoding, "TEX addresses (ZIP-320) use bech32m, found bech32"}
		}
		raw, rerr := convertBits(data, 5, 8, false)
		if rerr != nil {
			return nil, rerr
		}
		if len(raw) != 20 {
			return nil, &ruleError{RuleLength, fmt.Sprintf("TEX payload of %d bytes, want 20", len(raw))}
		}
		net := zcashHRPNetworks[hrp]
		if net == "" {
			return nil, &ruleError{RuleHRP, fmt.Sprintf("human-readable part %q is not a TEX one (tex, textest)", hrp)}
		}
		return &Address{Normalized: l, Type: "tex", Encoding: "bech32m", Network: net, ChecksumVerified: true,
			keyID: "h160:" + hex.EncodeToString(raw)}, nil
	case strings.HasPrefix(s, "zc") || strings.HasPrefix(s, "zt"):
		data, rerr := base58CheckDecode(btcBase58, s)
		if rerr != nil {
			return nil, rerr
		}
		if len(data) != 66 {
			return nil, &ruleError{RuleLength, fmt.Sprintf("Sprout address decodes to %d bytes, want 66 (2-byte prefix + a_pk + pk_enc)", len(data))}
		}
		switch {
		case data[0] == 0x16 && data[1] == 0x9a:
			return &Address{Normalized: s, Type: "sprout", Encoding: "base58check", Network: "mainnet", ChecksumVerified: true, Shielded: true}, nil
		case data[0] == 0x16 && data[1] == 0xb6:
			return &Address{Normalized: s, Type: "sprout", Encoding: "base58check", Network: "testnet", ChecksumVerified: true, Shielded: true}, nil
		}
		return nil, &ruleError{RuleVersion, fmt.Sprintf("prefix 0x%02x%02x is not a Sprout address prefix", data[0], data[1])}
	case strings.HasPrefix(s, "t"):
		if len(s) != 35 {
			return nil, &ruleError{RuleLength, fmt.Sprintf("%d characters; transparent Zcash addresses have 35", len(s))}
		}
		data, rerr := base58CheckDecode(btcBase58, s)
		if rerr != nil {
			return nil, rerr
		}
		if len(data) != 22 {
			return nil, &ruleError{RuleLength, fmt.Sprintf("decodes to %d bytes, want 22 (2-byte prefix + 20-byte hash)", len(data))}
		}
		vi, ok := zcashTransparent[[2]byte{data[0], data[1]}]
		if !ok {
			return nil, &ruleError{RuleVersion, fmt.Sprintf("prefix 0x%02x%02x is not a transparent Zcash prefix (t1 1cb8, t3 1cbd)", data[0], data[1])}
		}
		return &Address{Normalized: s, Type: vi.kind, Encoding: "base58check", Network: vi.network, ChecksumVerified: true,
			keyID: hash160Key(vi.kind, data[2:])}, nil
	}
	return nil, &ruleError{RuleFormat, "not a Zcash address: expected t1/t3 (transparent), zs1 (Sapling), zc (Sprout), u1 (unified) or tex1"}
}

// Detect returns every chain on which address is valid, in Chains() order.
// EVM addresses are valid on every EVM chain; Detect reports them all.
func Detect(address string) []*Address {
	var out []*Address
	for _, c := range Chains() {
		if a, err := Validate(c, address); err == nil {
			out = append(out, a)
		}
	}
	return out
}
