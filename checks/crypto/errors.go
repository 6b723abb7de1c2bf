package crypto

import (
	"errors"
	"fmt"
)

// Rule names the check an address failed, so a caller (or an operator
// reading a log) knows whether the user mistyped a character, pasted an
// address of another chain, or sent a testnet address.
type Rule string

// The rules an address can fail.
const (
	RuleEmpty          Rule = "empty"           // nothing to validate
	RuleLength         Rule = "length"          // wrong number of characters or decoded bytes
	RuleAlphabet       Rule = "alphabet"        // a character outside the encoding's alphabet
	RuleCase           Rule = "case"            // mixed case where the encoding forbids it
	RuleChecksum       Rule = "checksum"        // checksum does not verify
	RuleVersion        Rule = "version"         // version/prefix byte not one this chain uses
	RulePrefix         Rule = "prefix"          // textual prefix (0x, T, r, bitcoincash:) wrong or missing
	RuleHRP            Rule = "hrp"             // bech32 human-readable part not one this chain uses
	RuleSeparator      Rule = "separator"       // bech32 "1" / CashAddr ":" separator missing or misplaced
	RuleEncoding       Rule = "encoding"        // bech32 used where bech32m is required, or vice versa
	RuleWitnessVersion Rule = "witness_version" // segwit witness version out of range
	RuleWitnessProgram Rule = "witness_program" // segwit witness program length invalid
	RulePadding        Rule = "padding"         // non-zero or excess padding bits in 5↔8 bit conversion
	RuleFormat         Rule = "format"          // shape matches no address type of the chain
)

// ValidationError says why an address is not a valid address of a chain.
type ValidationError struct {
	Chain   Chain  `json:"chain"`
	Address string `json:"address"`
	Rule    Rule   `json:"rule"`
	Detail  string `json:"detail"`
}

// Error implements error.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid %s address %q: %s: %s", e.Chain, truncate(e.Address, 120), e.Rule, e.Detail)
}

// ErrUnknownChain is wrapped by every error about a chain code kycd does not know.
var ErrUnknownChain = errors.New("unknown chain")

// ErrInvalidTxHash is wrapped by every error about a malformed transaction hash.
var ErrInvalidTxHash = errors.New("invalid transaction hash")

// ruleError is the internal form of a failed rule before the chain and
// address are attached.
type ruleError struct {
	rule   Rule
	detail string
}

func (r *ruleError) toValidation(c Chain, addr string) *ValidationError {
	return &ValidationError{Chain: c, Address: addr, Rule: r.rule, Detail: r.detail}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
