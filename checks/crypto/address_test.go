package crypto

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type validCase struct {
	chain      Chain
	addr       string
	typ        string
	network    string
	normalized string // empty: not checked
}

// Valid vectors. Sources: BIP-350's test vectors (sipa/bech32
// ref/python/tests.py), EIP-55, the CashAddr spec (bitcoincash.org
// spec/cashaddr.md), librustzcash zcash_address encoding tests, Monero
// vectors from mrtnetwork/blockchain_utils, well-known chain addresses.
var validVectors = []validCase{
	// Bitcoin base58check.
	{BTC, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "p2pkh", "mainnet", ""},
	{BTC, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "p2pkh", "mainnet", ""},
	{BTC, "3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC", "p2sh", "mainnet", ""},
	{BTC, "mzBc4XEFSdzCDcTxAgf6EZXgsZWpztRhef", "p2pkh", "testnet", ""},
	{BTC, "2MxKEf2su6FGAUfCEAHreGFQvEYrfYNHvL7", "p2sh", "testnet", ""},
	// BIP-350 valid segwit addresses.
	{BTC, "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "p2wpkh", "mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
	{BTC, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "p2wsh", "testnet", ""},
	{BTC, "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", "witness_v1", "mainnet", ""},
	{BTC, "BC1SW50QGDZ25J", "witness_v16", "mainnet", "bc1sw50qgdz25j"},
	{BTC, "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "witness_v2", "mainnet", ""},
	{BTC, "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy", "p2wsh", "testnet", ""},
	{BTC, "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "p2tr", "testnet", ""},
	{BTC, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "p2tr", "mainnet", ""},
	// EIP-55: mixed case, all caps, all lower.
	{ETH, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "account", "mainnet", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"},
	{ETH, "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "account", "mainnet", ""},
	{ETH, "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "account", "mainnet", ""},
	{ETH, "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "account", "mainnet", ""},
	{ETH, "0x52908400098527886E0F7030069857D2E4169EE7", "account", "mainnet", ""},
	{ETH, "0x8617E340B3D01FA5F11F306F4090FD50E238070D", "account", "mainnet", ""},
	{ETH, "0xde709f2102306220921060314715629080e2fb77", "account", "mainnet", ""},
	{ETH, "0x27b1fdb04752bbc536007a920d24acb045561c26", "account", "mainnet", ""},
	{BSC, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "account", "mainnet", ""},
	{ARB, "0xde709f2102306220921060314715629080e2fb77", "account", "mainnet", ""},
	// Tron: the USDT TRC-20 contract, in base58 and hex form.
	{TRX, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "account", "mainnet", ""},
	{TRX, "41a614f803b6fd780986a42c78ec9c7f77e6ded13c", "account", "mainnet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
	// Litecoin.
	{LTC, "LNf2JDiuunBz7GMDKFYHN4rq5meXWxiwfb", "p2pkh", "mainnet", ""},
	{LTC, "M8yFL6SFC6TreATegTyuSYkDfDRbisdpT3", "p2sh", "mainnet", ""},
	{LTC, "3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC", "p2sh", "mainnet", ""},
	// Bitcoin Cash: CashAddr spec vectors, with and without prefix, and legacy.
	{BCH, "bitcoincash:qr6m7j9njldwwzlg9v7v53unlr4jkmx6eylep8ekg2", "p2pkh", "mainnet", ""},
	{BCH, "bchtest:pr6m7j9njldwwzlg9v7v53unlr4jkmx6eyvwc0uz5t", "p2sh", "testnet", ""},
	{BCH, "bitcoincash:q9adhakpwzztepkpwp5z0dq62m6u5v5xtyj7j3h2ws4mr9g0", "p2pkh", "mainnet", ""},
	{BCH, "bitcoincash:qvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq5nlegake", "p2pkh", "mainnet", ""},
	{BCH, "bchtest:pvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq7fqng6m6", "p2sh", "testnet", ""},
	{BCH, "bitcoincash:qnq8zwpj8cq05n7pytfmskuk9r4gzzel8qtsvwz79zdskftrzxtar994cgutavfklv39gr3uvz", "p2pkh", "mainnet", ""},
	{BCH, "bchtest:plg0x333p4238k0qrc5ej7rzfw5g8e4a4r6vvzyrcy8j3s5k0en7calvclhw46hudk5flttj6ydvjc0pv3nchp52amk97tqa5zygg96mc773cwez", "p2sh", "testnet", ""},
	{BCH, "qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", "p2pkh", "mainnet", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"},
	{BCH, "BITCOINCASH:QPM2QSZNHKS23Z7629MMS6S4CWEF74VCWVY22GDX6A", "p2pkh", "mainnet", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"},
	{BCH, "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu", "p2pkh", "mainnet", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"},
	{BCH, "1KXrWXciRDZUpQwQmuM1DbwsKDLYAYsVLR", "p2pkh", "mainnet", "bitcoincash:qr95sy3j9xwd2ap32xkykttr4cvcu7as4y0qverfuy"},
	{BCH, "16w1D5WRVKJuZUsSRzdLp9w3YGcgoxDXb", "p2pkh", "mainnet", "bitcoincash:qqq3728yw0y47sqn6l2na30mcw6zm78dzqre909m2r"},
	{BCH, "3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC", "p2sh", "mainnet", "bitcoincash:ppm2qsznhks23z7629mms6s4cwef74vcwvn0h829pq"},
	{BCH, "3LDsS579y7sruadqu11beEJoTjdFiFCdX4", "p2sh", "mainnet", "bitcoincash:pr95sy3j9xwd2ap32xkykttr4cvcu7as4yc93ky28e"},
	{BCH, "31nwvkZwyPdgzjBJZXfDmSWsC4ZLKpYyUw", "p2sh", "mainnet", "bitcoincash:pqq3728yw0y47sqn6l2na30mcw6zm78dzq5ucqzc37"},
	// Monero: primary, integrated (payment id 2b1a3c54591708cb) and subaddress of one wallet.
	{XMR, "49Xgwx3RfyV3ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyLDP5ucd", "standard", "mainnet", ""},
	{XMR, "4KEMxkrvHF13ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyVTr66Q8LFefPwwfA1t", "integrated", "mainnet", ""},
	{XMR, "85cqdW5fHGvUQzGXzrRUHf6P6AJjJrYxa25v351wNJCrS3p1g8wL1gk35HjxyQGGJPY3SygtnFxKjHtVcA7rAM1JBHukQod", "subaddress", "mainnet", ""},
	// XRP: genesis account, ACCOUNT_ZERO, ACCOUNT_ONE.
	{XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "account", "mainnet", ""},
	{XRP, "rrrrrrrrrrrrrrrrrrrrrhoLvTp", "account", "mainnet", ""},
	{XRP, "rrrrrrrrrrrrrrrrrrrrBZbvji", "account", "mainnet", ""},
	// Zcash (librustzcash zcash_address tests).
	{ZEC, "t1Hsc1LR8yKnbbe3twRp88p6vFfC5t7DLbs", "p2pkh", "mainnet", ""},
	{ZEC, "tm9iMLAuYMzJ6jtFLcA7rzUmfreGuKvr7Ma", "p2pkh", "testnet", ""},
	{ZEC, "t3JZcvsuaXE6ygokL4XUiZSTrQBUoPYFnXJ", "p2sh", "mainnet", ""},
	{ZEC, "t26YoyZ1iPgiMEWL4zGUm74eVWfhyDMXzY2", "p2sh", "testnet", ""},
	{ZEC, "zc8E5gYid86n4bo2Usdq1cpr7PpfoJGzttwBHEEgGhGkLUg7SPPVFNB2AkRFXZ7usfphup5426dt1buMmY3fkYeRrQGLa8y", "sprout", "mainnet", ""},
	{ZEC, "ztJ1EWLKcGwF2S4NA17pAJVdco8Sdkz4AQPxt1cLTEfNuyNswJJc2BbBqYrsRZsp31xbVZwhF7c7a2L9jsF3p3ZwRWpqqyS", "sprout", "testnet", ""},
	{ZEC, "zs1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqpq6d8g", "sapling", "mainnet", ""},
	{ZEC, "zs1z7rejlpsa98s2rrrfkwmaxu53e4ue0ulcrw0h4x5g8jl04tak0d3mm47vdtahatqrlkngh9slya", "sapling", "mainnet", ""},
	{ZEC, "ztestsapling1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqfhgwqu", "sapling", "testnet", ""},
	{ZEC, "zregtestsapling1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqknpr3m", "sapling", "regtest", ""},
	{ZEC, "u1qpatys4zruk99pg59gcscrt7y6akvl9vrhcfyhm9yxvxz7h87q6n8cgrzzpe9zru68uq39uhmlpp5uefxu0su5uqyqfe5zp3tycn0ecl", "unified", "mainnet", ""},
	{ZEC, "utest10c5kutapazdnf8ztl3pu43nkfsjx89fy3uuff8tsmxm6s86j37pe7uz94z5jhkl49pqe8yz75rlsaygexk6jpaxwx0esjr8wm5ut7d5s", "unified", "testnet", ""},
	{ZEC, "tex1s2rt77ggv6q989lr49rkgzmh5slsksa9khdgte", "tex", "mainnet", ""},
	{ZEC, "textest1qyqszqgpqyqszqgpqyqszqgpqyqszqgpfcjgfy", "tex", "testnet", ""},
	// Dash, Bitcoin Gold, Verge, Bitcoin SV (OFAC-listed real addresses).
	{DASH, "XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2", "p2pkh", "mainnet", ""},
	{BTG, "GPwg61XoHqQPNmAucFACuQ5H9sGCDv9TpS", "p2pkh", "mainnet", ""},
	{XVG, "DFFJhnQNZf8rf67tYnesPu7MuGUpYtzv7Z", "p2pkh", "mainnet", ""},
	{BSV, "12sjrrhoFEsedNRhtgwvvRqjFTh8fZTDX9", "p2pkh", "mainnet", ""},
}

func TestValidateValidVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range validVectors {
		t.Run(string(tc.chain)+"/"+tc.addr, func(t *testing.T) {
			t.Parallel()
			a, err := Validate(tc.chain, tc.addr)
			require.NoError(t, err)
			require.Equal(t, tc.chain, a.Chain)
			require.Equal(t, tc.typ, a.Type)
			require.Equal(t, tc.network, a.Network)
			if tc.normalized != "" {
				require.Equal(t, tc.normalized, a.Normalized)
			}
		})
	}
}

type invalidCase struct {
	chain Chain
	addr  string
	rule  Rule
	why   string
}

// Invalid vectors: BIP-350 INVALID_ADDRESS (with the BIP's stated
// reason), BIP-173's invalid addresses, CashAddr and EIP-55 mutations,
// and cross-chain confusions.
var invalidVectors = []invalidCase{
	{BTC, "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut", RuleHRP, "BIP-350: invalid HRP"},
	{BTC, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd", RuleEncoding, "BIP-350: bech32 instead of bech32m"},
	{BTC, "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf", RuleEncoding, "BIP-350: bech32 instead of bech32m"},
	{BTC, "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL", RuleEncoding, "BIP-350: bech32 instead of bech32m"},
	{BTC, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh", RuleEncoding, "BIP-350: bech32m instead of bech32"},
	{BTC, "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47", RuleEncoding, "BIP-350: bech32m instead of bech32"},
	{BTC, "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4", RuleAlphabet, "BIP-350: invalid character in checksum"},
	{BTC, "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R", RuleWitnessVersion, "BIP-350: invalid witness version"},
	{BTC, "bc1pw5dgrnzv", RuleWitnessProgram, "BIP-350: program length 1 byte"},
	{BTC, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav", RuleWitnessProgram, "BIP-350: program length 41 bytes"},
	{BTC, "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P", RuleWitnessProgram, "BIP-350: v0 program length 16"},
	{BTC, "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq", RuleCase, "BIP-350: mixed case"},
	{BTC, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf", RulePadding, "BIP-350: more than 4 padding bits"},
	{BTC, "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j", RulePadding, "BIP-350: non-zero padding"},
	{BTC, "bc1gmk9yu", RuleWitnessProgram, "BIP-350: empty data section"},
	{BTC, "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty", RuleHRP, "BIP-173: invalid HRP"},
	{BTC, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", RuleChecksum, "BIP-173: invalid checksum"},
	{BTC, "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2", RuleWitnessVersion, "BIP-173: invalid witness version"},
	{BTC, "bc1rw5uspcuh", RuleWitnessProgram, "BIP-173: invalid program length"},
	{BTC, "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90", RuleWitnessProgram, "BIP-173: invalid program length"},
	{BTC, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7", RuleCase, "BIP-173: mixed case"},
	{BTC, "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du", RulePadding, "BIP-173: zero padding of more than 4 bits"},
	{BTC, "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv", RulePadding, "BIP-173: non-zero padding in 8-to-5"},
	{BTC, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ", RuleChecksum, "base58check: last character changed"},
	{BTC, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAM0", RuleAlphabet, "base58 has no 0"},
	{BTC, "1BgGZ9tcN4rm9KB", RuleLength, "truncated"},
	{BTC, "LNf2JDiuunBz7GMDKFYHN4rq5meXWxiwfb", RuleVersion, "a Litecoin address"},
	{BTC, "XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz2", RuleVersion, "a Dash address"},
	{BTC, "ltc1qw508d6qejxtdg4y5r3zarvary0c5xw7kgmn4n9", RuleHRP, "a Litecoin bech32 address"},
	{BTC, "", RuleEmpty, "empty"},
	// EIP-55.
	{ETH, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", RuleChecksum, "EIP-55: case of one letter flipped"},
	{ETH, "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", RuleChecksum, "EIP-55: case of one letter flipped"},
	{ETH, "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", RulePrefix, "no 0x"},
	{ETH, "0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", RulePrefix, "upper-case 0X"},
	{ETH, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe", RuleLength, "39 hex digits"},
	{ETH, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd", RuleLength, "41 hex digits"},
	{ETH, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg", RuleAlphabet, "non-hex g"},
	{ETH, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", RulePrefix, "a Tron address"},
	// Tron.
	{TRX, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", RuleChecksum, "last character changed"},
	{TRX, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6", RuleLength, "33 characters"},
	{TRX, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", RulePrefix, "a Bitcoin address"},
	{TRX, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", RulePrefix, "an EVM address"},
	// Litecoin.
	{LTC, "LNf2JDiuunBz7GMDKFYHN4rq5meXWxiwfc", RuleChecksum, "last character changed"},
	{LTC, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", RuleVersion, "a Bitcoin P2PKH address"},
	{LTC, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", RuleHRP, "a Bitcoin bech32 address"},
	// Bitcoin Cash.
	{BCH, "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6q", RuleChecksum, "last character changed"},
	{BCH, "bchtest:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", RuleChecksum, "mainnet payload with testnet prefix"},
	{BCH, "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6!", RuleAlphabet, "! is not in the alphabet"},
	{BCH, "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6o", RuleAlphabet, "o is not in the alphabet"},
	{BCH, "bitcoincash:QPM2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a", RuleCase, "mixed case"},
	{BCH, "ecash:qpm2qsznhks23z7629mms6s4cwef74vcwva87rkuu2", RulePrefix, "an eCash address"},
	{BCH, "1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggv", RuleChecksum, "legacy, last character changed"},
	// Monero.
	{XMR, "49Xgwx3RfyV3ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyLDP5uce", RuleChecksum, "last character changed"},
	{XMR, "49Xgwx3RfyV3ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyLDP5uc", RuleLength, "94 characters"},
	{XMR, "49Xgwx3RfyV3ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyLDP5uc0", RuleAlphabet, "0 is not base58"},
	{XMR, "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320", RuleLength, "a 64-hex string (the OFAC XMR list's oddity)"},
	// XRP.
	{XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTi", RuleChecksum, "last character changed"},
	{XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdty0h", RuleAlphabet, "the Ripple alphabet has no 0"},
	{XRP, "X7qvLs7gSnNoKvZzNWUT2e8st17QPY64PPe7zriLNuJszeg", RuleFormat, "an X-address"},
	{XRP, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", RulePrefix, "a Bitcoin address"},
	// Zcash.
	{ZEC, "t1Hsc1LR8yKnbbe3twRp88p6vFfC5t7DLbt", RuleChecksum, "last character changed"},
	{ZEC, "t1Hsc1LR8yKnbbe3twRp88p6vFfC5t7DLb", RuleLength, "34 characters"},
	{ZEC, "zs1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqpq6d8h", RuleChecksum, "Sapling, last character changed"},
	{ZEC, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", RuleFormat, "a Bitcoin address"},
	// Quoted in zcash_address's doc example one character short; the doc
	// test only compares two parse results, so it never noticed.
	{ZEC, "zs1z7rejlpsa98s2rrrfkwmaxu53e4ue0ulcrw0h4x5g8jl04tak0d3mm47vdtahatqrlkngh9sly", RuleChecksum, "Sapling, truncated by one character"},
	{ZEC, "uinvalid1ck5navqwcng43gvsxwrxsplc22p7uzlcag6qfa0zh09e87efq6rq8wsnv25umqjjravw70rl994n5ueuhza2fghge5gl7zrl2qp6cwmp", RuleFormat, "librustzcash: unknown HRP"},
	// Dash.
	{DASH, "XnPFsRWTaSgiVauosEwQ6dEitGYXgwznz3", RuleChecksum, "last character changed"},
	{DASH, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", RuleVersion, "a Bitcoin address"},
}

func TestValidateInvalidVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range invalidVectors {
		t.Run(string(tc.chain)+"/"+tc.why, func(t *testing.T) {
			t.Parallel()
			a, err := Validate(tc.chain, tc.addr)
			require.Error(t, err, "accepted %q as %+v", tc.addr, a)
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "error %v is not a ValidationError", err)
			require.Equal(t, tc.rule, ve.Rule, "%s: %v", tc.why, err)
			require.Equal(t, tc.chain, ve.Chain)
		})
	}
}

func TestEIP55SpellsTheSpecVectors(t *testing.T) {
	t.Parallel()
	for _, want := range []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	} {
		require.Equal(t, want, eip55(strings.ToLower(want[2:])))
	}
}

func TestEVMChecksumNotes(t *testing.T) {
	t.Parallel()
	mixed, err := Validate(ETH, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
	require.NoError(t, err)
	require.True(t, mixed.ChecksumVerified)
	require.Empty(t, mixed.Notes)
	for _, s := range []string{"0x52908400098527886E0F7030069857D2E4169EE7", "0xde709f2102306220921060314715629080e2fb77"} {
		a, err := Validate(ETH, s)
		require.NoError(t, err)
		require.False(t, a.ChecksumVerified)
		require.Contains(t, strings.Join(a.Notes, " "), "not checksummed")
	}
}

func TestCashAddrLegacyEquivalence(t *testing.T) {
	t.Parallel()
	pairs := [][2]string{
		{"1BpEi6DfDAUFd7GtittLSdBeYJvcoaVggu", "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"},
		{"3LDsS579y7sruadqu11beEJoTjdFiFCdX4", "bitcoincash:pr95sy3j9xwd2ap32xkykttr4cvcu7as4yc93ky28e"},
	}
	for _, p := range pairs {
		legacy, err := Validate(BCH, p[0])
		require.NoError(t, err)
		cash, err := Validate(BCH, p[1])
		require.NoError(t, err)
		require.Equal(t, cash.matchKey, legacy.matchKey)
		require.Equal(t, cash.keyID, legacy.keyID)
	}
	// Spec "larger" vectors decode to the spec's payload hash.
	ca, rerr := decodeCashAddr("bitcoincash:qvch8mmxy0rtfrlarg7ucrxxfzds5pamg73h7370aa87d80gyhqxq5nlegake")
	require.Nil(t, rerr)
	require.Equal(t, "3173ef6623c6b48ffd1a3dcc0cc6489b0a07bb47a37f47cfef4fe69de825c060", hex.EncodeToString(ca.hash))
	require.Equal(t, 0, ca.addrType)
}

func TestMoneroIntegratedSharesWalletWithStandard(t *testing.T) {
	t.Parallel()
	std, err := Validate(XMR, "49Xgwx3RfyV3ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyLDP5ucd")
	require.NoError(t, err)
	integ, err := Validate(XMR, "4KEMxkrvHF13ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyVTr66Q8LFefPwwfA1t")
	require.NoError(t, err)
	require.Equal(t, "2b1a3c54591708cb", integ.PaymentID)
	require.Equal(t, std.matchKey, integ.matchKey)
	// The vector's published public spend and view keys.
	require.Equal(t, "XMR|std:mainnet:d0a42991d6f8640f4aae2bd58e509f7d848a3daea4fce11a9ab57f925eef4ded3f741b80e6c1e28d0098a194d32e0f437428861bc03c8d698f6c3926eecdf2aa", std.matchKey)
	sub, err := Validate(XMR, "85cqdW5fHGvUQzGXzrRUHf6P6AJjJrYxa25v351wNJCrS3p1g8wL1gk35HjxyQGGJPY3SygtnFxKjHtVcA7rAM1JBHukQod")
	require.NoError(t, err)
	require.NotEqual(t, std.matchKey, sub.matchKey)
}

func TestMoneroBase58RoundTrip(t *testing.T) {
	t.Parallel()
	s := "49Xgwx3RfyV3ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyLDP5ucd"
	raw, rerr := moneroBase58Decode(s)
	require.Nil(t, rerr)
	require.Len(t, raw, 69)
	require.Equal(t, s, moneroBase58Encode(raw))
}

func TestSameKeyAcrossForms(t *testing.T) {
	t.Parallel()
	// BIP-173's P2WPKH vector and 1BgGZ9… both carry hash160 751e76e8….
	p2pkh, err := Validate(BTC, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH")
	require.NoError(t, err)
	p2wpkh, err := Validate(BTC, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
	require.NoError(t, err)
	require.Equal(t, "h160:751e76e8199196d454941c45d1b3a323f1433bd6", p2pkh.keyID)
	require.Equal(t, p2pkh.keyID, p2wpkh.keyID)
	require.NotEqual(t, p2pkh.matchKey, p2wpkh.matchKey)
	// Zcash TEX and t1 of the same hash (librustzcash tex test).
	t1, err := Validate(ZEC, "t1VmmGiyjVNeCjxDZzg7vZmd99WyzVby9yC")
	require.NoError(t, err)
	tex, err := Validate(ZEC, "tex1s2rt77ggv6q989lr49rkgzmh5slsksa9khdgte")
	require.NoError(t, err)
	require.Equal(t, t1.keyID, tex.keyID)
	// Tron hex form and base58 form, and the EVM address of the same 20 bytes.
	tr, err := Validate(TRX, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
	require.NoError(t, err)
	evm, err := Validate(ETH, "0xa614f803b6fd780986a42c78ec9c7f77e6ded13c")
	require.NoError(t, err)
	require.Equal(t, tr.keyID, evm.keyID)
}

func TestResolveChainAliasesAndTokens(t *testing.T) {
	t.Parallel()
	cases := []struct {
		code, addr string
		chain      Chain
		token      string
	}{
		{"XBT", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", BTC, ""},
		{"btc", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", BTC, ""},
		{"USDT", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", ETH, "USDT"},
		{"USDT", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", TRX, "USDT"},
		{"USDT", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", BTC, "USDT"},
		{"usdc", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", ETH, "USDC"},
		{"USDC", "garbage", ETH, "USDC"},
		{"TRC20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", TRX, ""},
		{"MATIC", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", POL, ""},
	}
	for _, tc := range cases {
		ch, tok, err := ResolveChain(tc.code, tc.addr)
		require.NoError(t, err, tc.code)
		require.Equal(t, tc.chain, ch, tc.code+" "+tc.addr)
		require.Equal(t, tc.token, tok)
	}
	_, _, err := ResolveChain("DOGE", "D…")
	require.ErrorIs(t, err, ErrUnknownChain)
	_, _, err = ResolveChain("", "x")
	require.ErrorIs(t, err, ErrUnknownChain)
	_, err = Validate(Chain("NOPE"), "x")
	require.ErrorIs(t, err, ErrUnknownChain)
}

func TestValidateTxHash(t *testing.T) {
	t.Parallel()
	h64 := "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
	good := []struct {
		chain Chain
		in    string
		want  string
	}{
		{ETH, "0x" + strings.ToUpper(h64), "0x" + h64},
		{BSC, "0x" + h64, "0x" + h64},
		{BTC, h64, h64},
		{BTC, strings.ToUpper(h64), h64},
		{XRP, h64, strings.ToUpper(h64)},
		{TRX, h64, h64},
	}
	for _, tc := range good {
		got, err := ValidateTxHash(tc.chain, tc.in)
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
	bad := []struct {
		chain Chain
		in    string
		want  string
	}{
		{ETH, h64, "0x"},
		{BTC, "0x" + h64, "without"},
		{BTC, h64[:63], "63 hex digits"},
		{ETH, "0x" + h64 + "00", "66 hex digits"},
		{BTC, h64[:63] + "g", "not hexadecimal"},
		{LTC, "", "empty"},
	}
	for _, tc := range bad {
		_, err := ValidateTxHash(tc.chain, tc.in)
		require.ErrorIs(t, err, ErrInvalidTxHash)
		require.Contains(t, err.Error(), tc.want)
	}
}

// FuzzValidate checks that no input makes a validator panic, and that what
// validates also validates in its normalized form.
func FuzzValidate(f *testing.F) {
	for _, v := range validVectors {
		f.Add(string(v.chain), v.addr)
	}
	for _, v := range invalidVectors {
		f.Add(string(v.chain), v.addr)
	}
	f.Fuzz(func(t *testing.T, chain, addr string) {
		ch, _, err := ResolveChain(chain, addr)
		if err != nil {
			return
		}
		a, err := Validate(ch, addr)
		if err != nil {
			return
		}
		b, err := Validate(ch, a.Normalized)
		if err != nil {
			t.Fatalf("%s %q validates but its normalized form %q does not: %v", ch, addr, a.Normalized, err)
		}
		if a.matchKey != b.matchKey {
			t.Fatalf("%s %q: normalized form changes the match key", ch, addr)
		}
	})
}
