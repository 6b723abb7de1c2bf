package crypto

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kycd/kycd/internal/testfiles"
	"github.com/stretchr/testify/require"
)

// knownOFACOddities are the entries of the 2024-09-27 extraction that do
// not validate for the currency they are listed under, and why.
var knownOFACOddities = map[string]string{
	// Listed under XBT, but version byte 0x41 and the T prefix make it a
	// valid Tron address; indexed under TRX.
	"TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq": "XBT",
	// Listed under XMR, but 64 hex digits are not a Monero address (it has
	// the shape of a transaction hash or a view key); matched as text only.
	"5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320": "XMR",
}

func ofacDir(t *testing.T) string {
	t.Helper()
	return testfiles.Path(t, "sanctions", "ofac_crypto_addresses")
}

func loadOFAC(t *testing.T) (*Lists, *LoadReport) {
	t.Helper()
	l := NewLists()
	rep, err := l.LoadOFACDir(ofacDir(t))
	require.NoError(t, err)
	return l, rep
}

// readOFACFiles returns currency → addresses from the .txt files.
func readOFACFiles(t *testing.T) map[string][]string {
	t.Helper()
	dir := ofacDir(t)
	names, err := filepath.Glob(filepath.Join(dir, "sanctioned_addresses_*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, names)
	out := map[string][]string{}
	for _, n := range names {
		cur := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(n), "sanctioned_addresses_"), ".txt")
		f, err := os.Open(n)
		require.NoError(t, err)
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); s != "" {
				out[cur] = append(out[cur], s)
			}
		}
		require.NoError(t, sc.Err())
		f.Close()
	}
	return out
}

func TestEveryOFACAddressValidatesForItsChain(t *testing.T) {
	t.Parallel()
	files := readOFACFiles(t)
	total, bad := 0, map[string]string{}
	for cur, addrs := range files {
		for _, a := range addrs {
			total++
			if _, err := ValidateCode(cur, a); err != nil {
				bad[a] = cur
				t.Logf("does not validate: %s %s: %v", cur, a, err)
			}
		}
	}
	require.Equal(t, knownOFACOddities, bad, "the set of OFAC entries that do not validate changed")
	require.Equal(t, 654, total)
}

func TestLoadOFACDir(t *testing.T) {
	t.Parallel()
	l, rep := loadOFAC(t)
	require.Len(t, rep.Files, 17, "one file per currency, .json skipped when .txt exists")
	require.Equal(t, 654, rep.Entries)
	require.Equal(t, 654, l.Count())
	got := map[string]string{}
	for _, a := range rep.Anomalies {
		got[a.Address] = a.ListedAs
	}
	require.Equal(t, knownOFACOddities, got)
	for _, a := range rep.Anomalies {
		if a.ListedAs == "XBT" {
			require.Equal(t, []Chain{TRX}, a.IndexedAs)
		} else {
			require.Empty(t, a.IndexedAs)
		}
	}
	v := l.Versions()
	require.Len(t, v, 1)
	require.Equal(t, SourceOFACFiles, v[0].Source)
	require.Equal(t, 654, v[0].Count)
	require.True(t, strings.HasPrefix(v[0].Hash, "sha256:"))

	// The JSON form of the ETH list carries the same addresses.
	f, err := os.Open(filepath.Join(ofacDir(t), "sanctioned_addresses_ETH.json"))
	require.NoError(t, err)
	defer f.Close()
	before := l.Versions()[0].Hash
	n, anomalies, err := l.LoadOFACFile(f, "ETH", true)
	require.NoError(t, err)
	require.Empty(t, anomalies)
	require.Equal(t, 152, n)
	require.Equal(t, before, l.Versions()[0].Hash, "reloading the same entries must not change the version")
}

func TestListHashIsOrderIndependent(t *testing.T) {
	t.Parallel()
	entries := [][3]string{
		{"XBT", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "1001"},
		{"ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "1002"},
		{"TRX", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "1003"},
	}
	a, b := NewLists(), NewLists()
	for _, e := range entries {
		require.NoError(t, a.AddListed("ofac_sdn", e[0], e[1], e[2]))
	}
	for i := len(entries) - 1; i >= 0; i-- {
		require.NoError(t, b.AddListed("ofac_sdn", entries[i][0], entries[i][1], entries[i][2]))
	}
	require.Equal(t, a.Versions(), b.Versions())
	require.NoError(t, b.AddListed("ofac_sdn", "LTC", "LNf2JDiuunBz7GMDKFYHN4rq5meXWxiwfb", "1004"))
	require.NotEqual(t, a.Versions()[0].Hash, b.Versions()[0].Hash)
	require.Equal(t, 4, b.Versions()[0].Count)
}

func TestAddListedErrors(t *testing.T) {
	t.Parallel()
	l := NewLists()
	require.ErrorContains(t, l.AddListed("", "XBT", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", ""), "source is empty")
	require.ErrorContains(t, l.AddListed("ofac_sdn", " ", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", ""), "chain is empty")
	require.ErrorContains(t, l.AddListed("ofac_sdn", "XBT", "", ""), "address is empty")
	require.Equal(t, 0, l.Count())

	// An SDN remark for a currency kycd does not know is kept as text.
	err := l.AddListed("ofac_sdn", "SOL", "5vDq8tQJaXq6HeWbg5XPqJfTTfwrQGJHYRtT3o5jN3Kq", "9999")
	var ae *AnomalyError
	require.True(t, errors.As(err, &ae), "%v", err)
	require.ErrorIs(t, err, ae) // the error is the anomaly itself
	require.Contains(t, ae.Anomaly.Problem, "unknown chain")
	require.Equal(t, 1, l.Count())
	require.Len(t, l.lookupRaw("5vDq8tQJaXq6HeWbg5XPqJfTTfwrQGJHYRtT3o5jN3Kq"), 1)
}

var aliasesByListing = map[string][]string{
	"XBT":  {"XBT", "BTC", "btc", "Bitcoin"},
	"ETH":  {"ETH", "eth", "ETHEREUM", "ERC20"},
	"ARB":  {"ARB", "arbitrum"},
	"BSC":  {"BSC", "BNB", "BEP20"},
	"ETC":  {"ETC"},
	"TRX":  {"TRX", "TRON", "TRC20"},
	"LTC":  {"LTC", "litecoin"},
	"BCH":  {"BCH", "bitcoincash"},
	"BSV":  {"BSV"},
	"BTG":  {"BTG"},
	"DASH": {"DASH"},
	"XMR":  {"XMR", "monero"},
	"XRP":  {"XRP", "ripple"},
	"XVG":  {"XVG", "verge"},
	"ZEC":  {"ZEC", "zcash"},
}

func TestListedAddressFoundViaEveryAlias(t *testing.T) {
	t.Parallel()
	l, _ := loadOFAC(t)
	s, err := NewScreener(l, nil)
	require.NoError(t, err)
	files := readOFACFiles(t)
	ctx := context.Background()
	curs := make([]string, 0, len(files))
	for c := range files {
		curs = append(curs, c)
	}
	sort.Strings(curs)
	for _, cur := range curs {
		for _, addr := range files[cur] {
			if _, odd := knownOFACOddities[addr]; odd {
				continue
			}
			codes := aliasesByListing[cur]
			if cur == "USDT" || cur == "USDC" {
				// A token is found via the token code and via its ledger.
				ch, _, err := ResolveChain(cur, addr)
				require.NoError(t, err)
				codes = []string{cur, strings.ToLower(cur), string(ch)}
			}
			require.NotEmpty(t, codes, "no alias table for %s", cur)
			for _, code := range codes {
				res, err := s.Screen(ctx, Request{Chain: code, Address: addr})
				require.NoError(t, err, "%s %s", code, addr)
				require.Equal(t, RiskSevere, res.Risk, "%s %s via %s: %+v", cur, addr, code, res.Reasons)
				require.Equal(t, ReasonSanctionedAddress, res.Reasons[0].Code)
				found := false
				for _, m := range res.Matches {
					if m.Kind == "exact" && m.Entry.Address == addr && m.Entry.ListedAs == cur {
						found = true
					}
				}
				require.True(t, found, "%s %s via %s: listing not among matches %+v", cur, addr, code, res.Matches)
			}
		}
	}
}

func TestListedAddressFoundInOtherSpellings(t *testing.T) {
	t.Parallel()
	l, _ := loadOFAC(t)
	s, err := NewScreener(l, nil)
	require.NoError(t, err)
	ctx := context.Background()
	files := readOFACFiles(t)
	first := func(cur, prefix string) string {
		for _, a := range files[cur] {
			if strings.HasPrefix(a, prefix) {
				return a
			}
		}
		t.Fatalf("no %s address starting %q", cur, prefix)
		return ""
	}
	eth := first("ETH", "0x")
	bech := first("XBT", "bc1q")
	cash := first("BCH", "q")
	legacyBCH := first("BCH", "1")
	cases := []struct{ chain, addr string }{
		{"ETH", strings.ToLower(eth)},
		{"ETH", "0x" + strings.ToUpper(eth[2:])},
		{"ETH", "  " + eth + "\n"},
		{"BTC", strings.ToUpper(bech)},
		{"BCH", "bitcoincash:" + cash},
		{"BCH", strings.ToUpper("bitcoincash:" + cash)},
	}
	// The legacy-listed BCH address is found in its CashAddr spelling.
	la, err := Validate(BCH, legacyBCH)
	require.NoError(t, err)
	cases = append(cases, struct{ chain, addr string }{"BCH", la.Normalized})
	for _, tc := range cases {
		res, err := s.Screen(ctx, Request{Chain: tc.chain, Address: tc.addr})
		require.NoError(t, err)
		require.Equal(t, RiskSevere, res.Risk, "%s %q: %+v", tc.chain, tc.addr, res.Reasons)
	}
}

func TestOFACOdditiesAreStillMatched(t *testing.T) {
	t.Parallel()
	l, _ := loadOFAC(t)
	s, err := NewScreener(l, nil)
	require.NoError(t, err)
	ctx := context.Background()

	// The Tron-shaped address listed under XBT: found as a TRX address.
	res, err := s.Screen(ctx, Request{Chain: "TRX", Address: "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"})
	require.NoError(t, err)
	require.Equal(t, RiskSevere, res.Risk)
	require.Len(t, res.Matches, 1, "one listing, reported once")
	require.Equal(t, "XBT", res.Matches[0].Entry.ListedAs)
	require.Contains(t, res.Matches[0].Entry.Note, "listed under XBT")

	// Asked for as Bitcoin: invalid, but the exact listed text still matches.
	res, err = s.Screen(ctx, Request{Chain: "XBT", Address: "TUCsTq7TofTCJRRoHk6RvhMoS2mJLm5Yzq"})
	require.NoError(t, err)
	require.Equal(t, RiskSevere, res.Risk)
	require.Equal(t, RuleVersion, res.Validation.Rule)
	require.True(t, hasReason(res, ReasonInvalidAddress))

	// The 64-hex XMR entry.
	res, err = s.Screen(ctx, Request{Chain: "XMR", Address: "5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"})
	require.NoError(t, err)
	require.Equal(t, RiskSevere, res.Risk)
	require.True(t, hasReason(res, ReasonSanctionedAddress))
}

func TestSameKeyOnAnotherChainIsHigh(t *testing.T) {
	t.Parallel()
	l := NewLists()
	// A Bitcoin P2PKH listing (BIP-173's key) …
	require.NoError(t, l.AddListed("ofac_sdn", "XBT", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "1001"))
	// … and an Ethereum listing.
	require.NoError(t, l.AddListed("ofac_sdn", "ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "1002"))
	s, err := NewScreener(l, nil)
	require.NoError(t, err)
	ctx := context.Background()
	cases := []struct {
		chain, addr string
		ref         string
	}{
		{"BTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "1001"},                                                                  // P2WPKH of the same hash160
		{"BCH", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "1001"},                                                                          // same string on BCH
		{"BSC", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "1002"},                                                                  // same EVM key on BSC
		{"ARB", "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED", "1002"},                                                                  // and on Arbitrum
		{"TRX", base58CheckEncode(btcBase58, append([]byte{0x41}, mustHex(t, "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed")...)), "1002"}, // Tron address of that key
	}
	for _, tc := range cases {
		res, err := s.Screen(ctx, Request{Chain: tc.chain, Address: tc.addr})
		require.NoError(t, err)
		require.Equal(t, RiskHigh, res.Risk, "%s %s: %+v", tc.chain, tc.addr, res.Reasons)
		require.Equal(t, ReasonSanctionedKeyOtherForm, res.Reasons[0].Code)
		require.Equal(t, "same_key", res.Matches[0].Kind)
		require.Equal(t, tc.ref, res.Matches[0].Entry.EntityRef)
	}
}

func TestSDNRemarkEntityRefIsReported(t *testing.T) {
	t.Parallel()
	l := NewLists()
	require.NoError(t, l.AddListed("ofac_sdn", "XBT", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "36216"))
	s, err := NewScreener(l, nil)
	require.NoError(t, err)
	res, err := s.Screen(context.Background(), Request{Chain: "BTC", Address: "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH"})
	require.NoError(t, err)
	require.Equal(t, RiskSevere, res.Risk)
	require.Equal(t, "36216", res.Matches[0].Entry.EntityRef)
	require.Contains(t, res.Reasons[0].Detail, "entity 36216")
	require.Equal(t, []ListVersion{{Source: "ofac_sdn", Hash: res.Lists[0].Hash, Count: 1}}, res.Lists)
}

func TestListsConcurrentAddAndScreen(t *testing.T) {
	t.Parallel()
	l := NewLists()
	require.NoError(t, l.AddListed("seed", "ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", ""))
	s, err := NewScreener(l, nil)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				addr := fmt.Sprintf("0x%040x", g*1000+i+1)
				if err := l.AddListed("bulk", "ETH", addr, ""); err != nil {
					errs <- err
					return
				}
				res, err := s.Screen(context.Background(), Request{Chain: "ETH", Address: addr})
				if err != nil {
					errs <- err
					return
				}
				if res.Risk != RiskSevere {
					errs <- fmt.Errorf("%s not found right after AddListed: %+v", addr, res.Reasons)
					return
				}
				_ = l.Versions()
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Equal(t, 401, l.Count())
}

func hasReason(r *Result, code string) bool {
	for _, x := range r.Reasons {
		if x.Code == code {
			return true
		}
	}
	return false
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func TestMisfiledEVMAddressIsReportedOnce(t *testing.T) {
	t.Parallel()
	l := NewLists()
	err := l.AddListed("ofac_sdn", "XBT", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "77")
	var ae *AnomalyError
	require.True(t, errors.As(err, &ae))
	require.Len(t, ae.Anomaly.IndexedAs, 8, "valid on every EVM chain")
	s, err := NewScreener(l, nil)
	require.NoError(t, err)
	res, err := s.Screen(context.Background(), Request{Chain: "BSC", Address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"})
	require.NoError(t, err)
	require.Equal(t, RiskSevere, res.Risk)
	require.Len(t, res.Matches, 1)
	require.Equal(t, "exact", res.Matches[0].Kind)
}
