package crypto

import (
	"fmt"
	"strings"
)

// ValidateTxHash checks a transaction hash's format for chain and returns
// the form nodes expect: "0x" + 64 lower-case hex for EVM chains, 64
// lower-case hex for the others (XRP's is conventionally upper-case; nodes
// accept either, and we return upper-case for it).
func ValidateTxHash(chain Chain, hash string) (string, error) {
	spec, ok := chainSpecs[chain]
	if !ok {
		return "", fmt.Errorf("validate tx hash: chain %q: %w", chain, ErrUnknownChain)
	}
	h := strings.TrimSpace(hash)
	if h == "" {
		return "", fmt.Errorf("%s tx hash: empty: %w", chain, ErrInvalidTxHash)
	}
	hasPrefix := strings.HasPrefix(h, "0x") || strings.HasPrefix(h, "0X")
	if spec.family == famEVM {
		if !strings.HasPrefix(h, "0x") {
			return "", fmt.Errorf("%s tx hash %q: must start with \"0x\": %w", chain, truncate(h, 80), ErrInvalidTxHash)
		}
		h = h[2:]
	} else if hasPrefix {
		return "", fmt.Errorf("%s tx hash %q: %s transaction ids are 64 hex digits without \"0x\": %w", chain, truncate(h, 80), spec.name, ErrInvalidTxHash)
	}
	if len(h) != 64 {
		return "", fmt.Errorf("%s tx hash %q: %d hex digits, want 64: %w", chain, truncate(hash, 80), len(h), ErrInvalidTxHash)
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return "", fmt.Errorf("%s tx hash: character %q at position %d is not hexadecimal: %w", chain, c, i, ErrInvalidTxHash)
		}
	}
	switch spec.family {
	case famEVM:
		return "0x" + strings.ToLower(h), nil
	case famXRP:
		return strings.ToUpper(h), nil
	}
	return strings.ToLower(h), nil
}
