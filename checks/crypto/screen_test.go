package crypto

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// smallLists is a hand-made list so screening tests do not depend on the
// shared data.
func smallLists(t *testing.T) *Lists {
	t.Helper()
	l := NewLists()
	require.NoError(t, l.AddListed("test_list", "XBT", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "E1"))
	require.NoError(t, l.AddListed("test_list", "ETH", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "E2"))
	require.NoError(t, l.AddListed("test_list", "XMR", "49Xgwx3RfyV3ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyLDP5ucd", "E3"))
	return l
}

func TestScreenPatterns(t *testing.T) {
	t.Parallel()
	s, err := NewScreener(smallLists(t), nil)
	require.NoError(t, err)
	cases := []struct {
		name  string
		req   Request
		risk  Risk
		codes []string
	}{
		{"clean checksummed", Request{Chain: "ETH", Address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}, RiskLow, nil},
		{"clean but not checksummed", Request{Chain: "ETH", Address: "0xde709f2102306220921060314715629080e2fb77"}, RiskLow, []string{ReasonNonChecksummedAddress}},
		{"listed", Request{Chain: "XBT", Address: "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"}, RiskSevere, []string{ReasonSanctionedAddress}},
		{"listed key as P2WPKH", Request{Chain: "BTC", Address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}, RiskHigh, []string{ReasonSanctionedKeyOtherForm}},
		{"Monero integrated address of a listed wallet", Request{Chain: "XMR", Address: "4KEMxkrvHF13ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyVTr66Q8LFefPwwfA1t"}, RiskSevere, []string{ReasonSanctionedAddress, ReasonPrivacyCoin}},
		{"Monero subaddress", Request{Chain: "XMR", Address: "85cqdW5fHGvUQzGXzrRUHf6P6AJjJrYxa25v351wNJCrS3p1g8wL1gk35HjxyQGGJPY3SygtnFxKjHtVcA7rAM1JBHukQod"}, RiskMedium, []string{ReasonPrivacyCoin}},
		{"Zcash Sapling", Request{Chain: "ZEC", Address: "zs1z7rejlpsa98s2rrrfkwmaxu53e4ue0ulcrw0h4x5g8jl04tak0d3mm47vdtahatqrlkngh9slya"}, RiskMedium, []string{ReasonShieldedAddress}},
		{"Zcash transparent", Request{Chain: "ZEC", Address: "t1Hsc1LR8yKnbbe3twRp88p6vFfC5t7DLbs"}, RiskLow, nil},
		{"testnet", Request{Chain: "BTC", Address: "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c"}, RiskMedium, []string{ReasonTestnetAddress}},
		{"undefined witness version", Request{Chain: "BTC", Address: "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs"}, RiskMedium, []string{ReasonUndefinedWitnessVersion}},
		{"zero address", Request{Chain: "ETH", Address: "0x0000000000000000000000000000000000000000"}, RiskMedium, []string{ReasonBurnAddress, ReasonNonChecksummedAddress}},
		{"invalid", Request{Chain: "ETH", Address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"}, RiskHigh, []string{ReasonInvalidAddress}},
		{"listed counterparty", Request{Chain: "ETH", Address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", Counterparty: "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"}, RiskSevere, []string{ReasonSanctionedCounterparty}},
		{"invalid counterparty", Request{Chain: "ETH", Address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", Counterparty: "0x123"}, RiskMedium, []string{ReasonInvalidCounterparty, ReasonCounterpartyUnscreened}},
		{"tx hash, no node", Request{Chain: "ETH", Address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", TxHash: "0x" + strings.Repeat("ab", 32)}, RiskMedium, []string{ReasonCounterpartyUnscreened}},
		{"bad tx hash", Request{Chain: "BTC", Address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", TxHash: "0x" + strings.Repeat("ab", 32)}, RiskMedium, []string{ReasonInvalidTxHash, ReasonCounterpartyUnscreened}},
		{"USDT on Tron", Request{Chain: "USDT", Address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", Amount: "100.25"}, RiskLow, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := s.Screen(context.Background(), tc.req)
			require.NoError(t, err)
			require.Equal(t, tc.risk, res.Risk, "%+v", res.Reasons)
			var got []string
			for _, r := range res.Reasons {
				got = append(got, r.Code)
			}
			require.ElementsMatch(t, tc.codes, got, "%+v", res.Reasons)
			require.Len(t, res.Lists, 1)
			for i := 1; i < len(res.Reasons); i++ {
				require.GreaterOrEqual(t, res.Reasons[i-1].Risk.rank(), res.Reasons[i].Risk.rank(), "reasons must be most severe first")
			}
		})
	}
}

func TestScreenRequestErrors(t *testing.T) {
	t.Parallel()
	s, err := NewScreener(smallLists(t), nil)
	require.NoError(t, err)
	cases := []struct {
		req   Request
		field string
	}{
		{Request{Chain: "ETH", Address: "  "}, "address"},
		{Request{Chain: "DOGE", Address: "DH5yaieqoZN36fDVciNyRueRGvGLR3mr7L"}, "chain"},
		{Request{Chain: "", Address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"}, "chain"},
		{Request{Chain: "BTC", Address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Amount: "-1"}, "amount"},
		{Request{Chain: "BTC", Address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Amount: "1e9"}, "amount"},
		{Request{Chain: "BTC", Address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Amount: "1,5"}, "amount"},
	}
	for _, tc := range cases {
		_, err := s.Screen(context.Background(), tc.req)
		var re *RequestError
		require.True(t, errors.As(err, &re), "%+v: %v", tc.req, err)
		require.Equal(t, tc.field, re.Field)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Screen(ctx, Request{Chain: "BTC", Address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"})
	require.ErrorIs(t, err, context.Canceled)

	_, err = NewScreener(nil, nil)
	require.Error(t, err)
	_, err = NewScreener(NewLists(), map[Chain]TxSource{"NOPE": nil})
	require.ErrorIs(t, err, ErrUnknownChain)
	_, err = NewScreener(NewLists(), map[Chain]TxSource{ETH: nil})
	require.ErrorContains(t, err, "nil")
}

func TestScreenWithNoListsIsNotClean(t *testing.T) {
	t.Parallel()
	s, err := NewScreener(NewLists(), nil)
	require.NoError(t, err)
	res, err := s.Screen(context.Background(), Request{Chain: "BTC", Address: "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"})
	require.NoError(t, err)
	require.Equal(t, RiskHigh, res.Risk)
	require.Equal(t, ReasonListsNotLoaded, res.Reasons[0].Code)
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func collectKeys(v any, keys map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, vv := range x {
			keys[k] = true
			collectKeys(vv, keys)
		}
	case []any:
		for _, vv := range x {
			collectKeys(vv, keys)
		}
	}
}

func TestResultJSONIsSnakeCase(t *testing.T) {
	t.Parallel()
	s, err := NewScreener(smallLists(t), nil)
	require.NoError(t, err)
	res, err := s.Screen(context.Background(), Request{
		Chain: "ETH", Address: "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		Counterparty: "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359",
		TxHash:       "0x" + strings.Repeat("cd", 32), Amount: "1.5",
	})
	require.NoError(t, err)
	bad, err := s.Screen(context.Background(), Request{Chain: "BTC", Address: "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ"})
	require.NoError(t, err)
	keys := map[string]bool{}
	for _, r := range []*Result{res, bad} {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		var m any
		require.NoError(t, json.Unmarshal(b, &m))
		collectKeys(m, keys)
	}
	for _, k := range []string{"chain", "address", "risk", "reasons", "matches", "counterparties", "tx_hash", "tx_screened", "lists", "entity_ref", "listed_as", "checksum_verified", "validation", "rule", "hash", "count"} {
		require.True(t, keys[k], "key %q missing from JSON", k)
	}
	for k := range keys {
		require.Regexp(t, snakeCase, k)
	}
}
