package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/crypto"
)

func TestScreeningSettings(t *testing.T) {
	t.Parallel()
	ok := ScreeningSettings{MonitorEvery: 24 * time.Hour, EthRPCURL: "http://user:secret@127.0.0.1:8545",
		BtcRPCURL: "http://rpc:pw@127.0.0.1:8332", ChainRPCURLs: "ARB=https://arb.example/rpc, ltc=http://127.0.0.1:9332"}
	require.NoError(t, ok.check(nil))
	nodes, err := ok.nodes()
	require.NoError(t, err)
	require.Len(t, nodes, 4)
	require.IsType(t, &crypto.EthereumRPC{}, nodes[crypto.ETH])
	require.IsType(t, &crypto.EthereumRPC{}, nodes[crypto.ARB])
	require.IsType(t, &crypto.BitcoinRPC{}, nodes[crypto.BTC])
	require.IsType(t, &crypto.BitcoinRPC{}, nodes[crypto.LTC])
	require.Equal(t, 24*time.Hour, ok.monitorInterval())
	require.Equal(t, time.Duration(-1), (&ScreeningSettings{}).monitorInterval(), "0 turns the schedule off")

	for _, tc := range []struct {
		s    ScreeningSettings
		says string
	}{
		{ScreeningSettings{Threshold: 1.2}, "screening-threshold"},
		{ScreeningSettings{MonitorEvery: time.Second}, "shorter than a minute"},
		{ScreeningSettings{EthRPCURL: "ftp://x"}, "eth-rpc-url"},
		{ScreeningSettings{BtcRPCURL: "http://u:topsecret@"}, "btc-rpc-url"},
		{ScreeningSettings{ChainRPCURLs: "ARB"}, "not CHAIN=URL"},
		{ScreeningSettings{ChainRPCURLs: "NOPE=http://x"}, "unknown chain"},
		{ScreeningSettings{ChainRPCURLs: "USDT=http://x"}, "token"},
		{ScreeningSettings{ChainRPCURLs: "XMR=http://x"}, "no node client for XMR"},
		{ScreeningSettings{EthRPCURL: "http://a", ChainRPCURLs: "ETH=http://b"}, "twice"},
	} {
		err := tc.s.check(nil)
		require.ErrorContains(t, err, tc.says)
		require.NotContains(t, err.Error(), "topsecret", "credentials never reach an error message")
	}
	require.NoError(t, (&ScreeningSettings{Threshold: 5}).check([]string{"data-dir"}), "not checked when not parsed")
}
