package crypto

import (
	"fmt"
	"sort"
	"strings"
)

// Chain is a ledger kycd can validate addresses for, named by its ticker
// code ("BTC", "ETH", …). Tokens (USDT, USDC) are not chains: ResolveChain
// maps them onto the ledger the address belongs to.
type Chain string

// The chains kycd knows. EVM chains share one address format; they are kept
// apart because a listing is made per chain.
const (
	BTC  Chain = "BTC"  // Bitcoin
	ETH  Chain = "ETH"  // Ethereum mainnet
	ARB  Chain = "ARB"  // Arbitrum One (EVM)
	BSC  Chain = "BSC"  // BNB Smart Chain (EVM)
	ETC  Chain = "ETC"  // Ethereum Classic (EVM)
	POL  Chain = "POL"  // Polygon PoS (EVM)
	OP   Chain = "OP"   // Optimism (EVM)
	BASE Chain = "BASE" // Base (EVM)
	AVAX Chain = "AVAX" // Avalanche C-Chain (EVM)
	TRX  Chain = "TRX"  // Tron
	LTC  Chain = "LTC"  // Litecoin
	BCH  Chain = "BCH"  // Bitcoin Cash
	BSV  Chain = "BSV"  // Bitcoin SV
	BTG  Chain = "BTG"  // Bitcoin Gold
	XMR  Chain = "XMR"  // Monero
	XRP  Chain = "XRP"  // XRP Ledger
	ZEC  Chain = "ZEC"  // Zcash
	DASH Chain = "DASH" // Dash
	XVG  Chain = "XVG"  // Verge
)

type family int

const (
	famBitcoin family = iota + 1 // base58check 1-byte versions (+ optional segwit HRPs)
	famBCH                       // CashAddr + legacy base58check
	famEVM                       // 0x + 40 hex, EIP-55
	famTron                      // base58check with 0x41 version
	famXRP                       // Ripple-alphabet base58check
	famMonero                    // Monero block base58 + Keccak checksum
	famZcash                     // 2-byte-version base58check + Sapling/Unified/TEX bech32(m)
)

// versionInfo describes what a base58check version byte means on a chain.
type versionInfo struct {
	kind    string // p2pkh | p2sh
	network string
}

type chainSpec struct {
	name     string
	family   family
	versions map[byte]versionInfo
	hrps     map[string]string // segwit HRP → network
	evmID    int               // EVM chain id, for documentation and EIP-1191 notes
}

var chainSpecs = map[Chain]chainSpec{
	BTC: {name: "Bitcoin", family: famBitcoin,
		versions: map[byte]versionInfo{0x00: {"p2pkh", "mainnet"}, 0x05: {"p2sh", "mainnet"}, 0x6f: {"p2pkh", "testnet"}, 0xc4: {"p2sh", "testnet"}},
		hrps:     map[string]string{"bc": "mainnet", "tb": "testnet", "bcrt": "regtest"}},
	LTC: {name: "Litecoin", family: famBitcoin,
		versions: map[byte]versionInfo{0x30: {"p2pkh", "mainnet"}, 0x32: {"p2sh", "mainnet"}, 0x05: {"p2sh", "mainnet"}, 0x6f: {"p2pkh", "testnet"}, 0x3a: {"p2sh", "testnet"}, 0xc4: {"p2sh", "testnet"}},
		hrps:     map[string]string{"ltc": "mainnet", "tltc": "testnet", "rltc": "regtest"}},
	BCH: {name: "Bitcoin Cash", family: famBCH,
		versions: map[byte]versionInfo{0x00: {"p2pkh", "mainnet"}, 0x05: {"p2sh", "mainnet"}, 0x6f: {"p2pkh", "testnet"}, 0xc4: {"p2sh", "testnet"}}},
	BSV: {name: "Bitcoin SV", family: famBitcoin,
		versions: map[byte]versionInfo{0x00: {"p2pkh", "mainnet"}, 0x05: {"p2sh", "mainnet"}, 0x6f: {"p2pkh", "testnet"}, 0xc4: {"p2sh", "testnet"}}},
	BTG: {name: "Bitcoin Gold", family: famBitcoin,
		versions: map[byte]versionInfo{0x26: {"p2pkh", "mainnet"}, 0x17: {"p2sh", "mainnet"}, 0x6f: {"p2pkh", "testnet"}, 0xc4: {"p2sh", "testnet"}},
		hrps:     map[string]string{"btg": "mainnet", "tbtg": "testnet"}},
	DASH: {name: "Dash", family: famBitcoin,
		versions: map[byte]versionInfo{0x4c: {"p2pkh", "mainnet"}, 0x10: {"p2sh", "mainnet"}, 0x8c: {"p2pkh", "testnet"}, 0x13: {"p2sh", "testnet"}}},
	XVG: {name: "Verge", family: famBitcoin,
		versions: map[byte]versionInfo{0x1e: {"p2pkh", "mainnet"}, 0x21: {"p2sh", "mainnet"}, 0x6f: {"p2pkh", "testnet"}, 0xc4: {"p2sh", "testnet"}}},
	ZEC:  {name: "Zcash", family: famZcash},
	ETH:  {name: "Ethereum", family: famEVM, evmID: 1},
	ARB:  {name: "Arbitrum One", family: famEVM, evmID: 42161},
	BSC:  {name: "BNB Smart Chain", family: famEVM, evmID: 56},
	ETC:  {name: "Ethereum Classic", family: famEVM, evmID: 61},
	POL:  {name: "Polygon PoS", family: famEVM, evmID: 137},
	OP:   {name: "Optimism", family: famEVM, evmID: 10},
	BASE: {name: "Base", family: famEVM, evmID: 8453},
	AVAX: {name: "Avalanche C-Chain", family: famEVM, evmID: 43114},
	TRX:  {name: "Tron", family: famTron},
	XRP:  {name: "XRP Ledger", family: famXRP},
	XMR:  {name: "Monero", family: famMonero},
}

// chainAliases maps every accepted code (upper-case) to its chain. OFAC's
// SDN list writes Bitcoin as XBT, so both must work.
var chainAliases = map[string]Chain{
	"BTC": BTC, "XBT": BTC, "BITCOIN": BTC,
	"ETH": ETH, "ETHEREUM": ETH, "ERC20": ETH, "ERC-20": ETH,
	"ARB": ARB, "ARBITRUM": ARB,
	"BSC": BSC, "BNB": BSC, "BEP20": BSC, "BEP-20": BSC,
	"ETC": ETC,
	"POL": POL, "MATIC": POL, "POLYGON": POL,
	"OP": OP, "OPTIMISM": OP,
	"BASE": BASE,
	"AVAX": AVAX, "AVAXC": AVAX,
	"TRX": TRX, "TRON": TRX, "TRC20": TRX, "TRC-20": TRX,
	"LTC": LTC, "LITECOIN": LTC,
	"BCH": BCH, "BITCOINCASH": BCH,
	"BSV": BSV,
	"BTG": BTG,
	"XMR": XMR, "MONERO": XMR,
	"XRP": XRP, "RIPPLE": XRP,
	"ZEC": ZEC, "ZCASH": ZEC,
	"DASH": DASH,
	"XVG":  XVG, "VERGE": XVG,
}

// tokenChains lists, per token code, the ledgers it is issued on, tried in
// order against the address's shape. USDT on Bitcoin is the Omni Layer
// issue, which OFAC lists with 1…/3… addresses.
var tokenChains = map[string][]Chain{
	"USDT": {ETH, TRX, BTC},
	"USDC": {ETH, TRX},
}

// ResolveChain turns a caller's chain or token code into the ledger the
// address lives on. For a token (USDT, USDC) the ledger is chosen by the
// address's shape: 0x… is the ERC-20 token on Ethereum, T… the TRC-20 token
// on Tron, and for USDT a Bitcoin address is the Omni Layer token. The
// second result is the token code, empty for a chain.
func ResolveChain(code, address string) (Chain, string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if c == "" {
		return "", "", fmt.Errorf("chain: empty chain code: %w", ErrUnknownChain)
	}
	if ch, ok := chainAliases[c]; ok {
		return ch, "", nil
	}
	candidates, ok := tokenChains[c]
	if !ok {
		return "", "", fmt.Errorf("chain %q: %w (known: %s)", code, ErrUnknownChain, strings.Join(KnownCodes(), ", "))
	}
	a := strings.TrimSpace(address)
	for _, ch := range candidates {
		switch chainSpecs[ch].family {
		case famEVM:
			if strings.HasPrefix(a, "0x") || strings.HasPrefix(a, "0X") {
				return ch, c, nil
			}
		case famTron:
			if strings.HasPrefix(a, "T") || (len(a) == 42 && strings.HasPrefix(a, "41")) {
				return ch, c, nil
			}
		case famBitcoin:
			if strings.HasPrefix(a, "1") || strings.HasPrefix(a, "3") || strings.HasPrefix(strings.ToLower(a), "bc1") {
				return ch, c, nil
			}
		}
	}
	// Default to the first ledger so validation reports a precise error
	// against the most common form instead of a vague "unknown".
	return candidates[0], c, nil
}

// KnownCodes lists every accepted chain and token code, sorted.
func KnownCodes() []string {
	out := make([]string, 0, len(chainAliases)+len(tokenChains))
	for k := range chainAliases {
		out = append(out, k)
	}
	for k := range tokenChains {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Chains lists the ledgers kycd validates, sorted.
func Chains() []Chain {
	out := make([]Chain, 0, len(chainSpecs))
	for c := range chainSpecs {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// IsEVM reports whether c uses Ethereum's account format, so one private key
// controls the same address on every EVM chain.
func (c Chain) IsEVM() bool { return chainSpecs[c].family == famEVM }

// Name is the chain's human name ("Bitcoin").
func (c Chain) Name() string { return chainSpecs[c].name }
