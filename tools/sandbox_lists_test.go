package tools_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/tools"
)

// The sandbox names and crypto addresses hit with a test key — through the real matcher and
// the real crypto screener, over the sandbox list — and never with a live key.
func TestSandboxScreeningValues(t *testing.T) {
	t.Parallel()
	e, _ := screeningEnv(t, dbtest.SQLite(t), nil)
	cases := []struct {
		tool, name, category string
		strong               bool
	}{
		{"screen_person", "Test Sanctioned Person", "sanction", true},
		{"screen_person", "Tset Sanctioned Person", "sanction", true}, // a typo: the matcher scores it
		{"screen_person", "Test Politically Exposed", "pep", true},
		{"screen_entity", "Test Sanctioned Company Ltd", "sanction", true},
	}
	for _, tc := range cases {
		r := screenCall(t, e, e.Test, tc.tool, map[string]any{"name": tc.name})
		require.True(t, r.Forced, tc.name)
		require.NotEmpty(t, r.Hits, tc.name)
		h := r.Hits[0]
		require.Equal(t, "sandbox", h.Source, tc.name)
		require.Equal(t, tc.category, h.Category, tc.name)
		require.True(t, h.Raised, tc.name)
		require.Contains(t, listSources(r), "sandbox")

		live := screenCall(t, e, e.Live, tc.tool, map[string]any{"name": tc.name})
		require.False(t, live.Forced, tc.name)
		require.NotContains(t, listSources(live), "sandbox")
		for _, lh := range live.Hits {
			require.NotEqual(t, "sandbox", lh.Source, tc.name)
		}
	}
	// Another name gets no sandbox hit in test mode either.
	r := screenCall(t, e, e.Test, "screen_person", map[string]any{"name": "Jane Q Example"})
	require.False(t, r.Forced)

	addrs := []struct{ address, risk, reason string }{
		{"0x7e57000000000000000000000000000000000003", "severe", "sanctioned_address"},
		{"0x7e57000000000000000000000000000000000002", "high", "sanctioned_key_other_chain"},
	}
	for _, tc := range addrs {
		var out tools.TransactionScreening
		require.Nil(t, e.Call(t, e.Test, "screen_transaction", map[string]any{"chain": "ETH", "address": tc.address}, &out), tc.address)
		require.Equal(t, tc.risk, out.Risk, tc.address)
		require.Equal(t, tc.reason, out.Reasons[0].Code, tc.address)
		require.True(t, out.Forced)
		require.Equal(t, "Test Sanctioned Company Ltd", out.Matches[0].EntityName)

		var live tools.TransactionScreening
		require.Nil(t, e.Call(t, e.Live, "screen_transaction", map[string]any{"chain": "ETH", "address": tc.address}, &live), tc.address)
		require.Equal(t, "low", live.Risk, tc.address)
		require.False(t, live.Forced)
	}
	var low tools.TransactionScreening
	require.Nil(t, e.Call(t, e.Test, "screen_transaction", map[string]any{"chain": "ETH", "address": "0x7e57000000000000000000000000000000000001"}, &low))
	require.Equal(t, "low", low.Risk)
	require.False(t, low.Forced, "the low value is any unlisted address: nothing is forced")
}

func listSources(r tools.ScreeningResult) []string {
	var out []string
	for _, l := range r.Lists {
		out = append(out, l.Source)
	}
	return out
}

// The sandbox LEIs are answered by the sandbox register with a test key, and the real
// pipeline decides on its records; with a live key they go to the configured register.
func TestSandboxBusinessLEIs(t *testing.T) {
	t.Parallel()
	e := newBizEnv(t, dbtest.SQLite(t), bizOpts{})
	cases := []struct{ lei, status, code string }{
		{"7E5700ACTIVE00000188", "approved", ""},
		{"7E5700LAPSED00000250", "needs_review", "lei_lapsed"},
		{"7E5700DISSOLVED00368", "rejected", "entity_inactive"},
		{"7E5700WITHHELD000421", "needs_review", "reporting_exception"},
		{"7E5700HIGHRISK000579", "needs_review", "high_risk_jurisdiction"},
	}
	for _, tc := range cases {
		b, te := e.verify(t, e.Test, map[string]any{"lei": tc.lei})
		require.Nil(t, te, tc.lei)
		require.Equal(t, tc.status, b.Status, "%s: %v", tc.lei, codes(b))
		require.True(t, b.Forced, tc.lei)
		require.Equal(t, tc.lei, b.ForcedBy)
		require.Equal(t, "sandbox", b.Sources.Register)
		if tc.code != "" {
			require.True(t, hasCode(b, tc.code), "%s: %v", tc.lei, codes(b))
		}

		live, te := e.verify(t, e.Live, map[string]any{"lei": tc.lei})
		require.Nil(t, te, tc.lei)
		require.False(t, live.Forced, tc.lei)
		require.NotEqual(t, "sandbox", live.Sources.Register)
		require.True(t, hasCode(live, "not_found"), "%s: the real register does not know it: %v", tc.lei, codes(live))
	}
}
