// Package cryptobench measures checks/crypto: address validation per chain,
// loading the OFAC address files, and screening against them.
//
//	nice -n 10 go test -run XXX -bench . -benchmem ./bench/crypto/
package cryptobench

import (
	"context"
	"testing"

	"github.com/kycd/kycd/checks/crypto"
	"github.com/kycd/kycd/internal/testfiles"
)

var benchAddrs = []struct {
	chain crypto.Chain
	addr  string
}{
	{crypto.BTC, "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"},
	{crypto.BTC, "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"},
	{crypto.ETH, "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
	{crypto.TRX, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"},
	{crypto.BCH, "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"},
	{crypto.XMR, "49Xgwx3RfyV3ZMEVyrUNuUMzgQ1WHjkWL5T6Xk7QaTszggbtPbRPEkZQau9yACYEmUCHPNrU2MBdnJf4s4xLK5AyLDP5ucd"},
	{crypto.XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"},
	{crypto.ZEC, "t1Hsc1LR8yKnbbe3twRp88p6vFfC5t7DLbs"},
}

func BenchmarkValidate(b *testing.B) {
	for _, a := range benchAddrs {
		b.Run(string(a.chain)+"/"+a.addr[:6], func(b *testing.B) {
			for b.Loop() {
				if _, err := crypto.Validate(a.chain, a.addr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLoadOFACDir(b *testing.B) {
	dir := testfiles.Path(b, "sanctions", "ofac_crypto_addresses")
	for b.Loop() {
		l := crypto.NewLists()
		if _, err := l.LoadOFACDir(dir); err != nil {
			b.Fatal(err)
		}
	}
}

func loaded(b *testing.B) *crypto.Screener {
	b.Helper()
	l := crypto.NewLists()
	if _, err := l.LoadOFACDir(testfiles.Path(b, "sanctions", "ofac_crypto_addresses")); err != nil {
		b.Fatal(err)
	}
	s, err := crypto.NewScreener(l, nil)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkScreen(b *testing.B) {
	s := loaded(b)
	ctx := context.Background()
	reqs := map[string]crypto.Request{
		"ETH_hit":  {Chain: "ETH", Address: "0x01e2919679362dFBC9ee1644Ba9C6da6D6245BB1"},
		"ETH_miss": {Chain: "ETH", Address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
		"BTC_miss": {Chain: "BTC", Address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
		"BTC_hit":  {Chain: "XBT", Address: "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX"},
	}
	for name, req := range reqs {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Screen(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("parallel_ETH_miss", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Screen(ctx, reqs["ETH_miss"]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
