package main

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/crypto"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// ScreeningSettings configure the screening check, ongoing monitoring and the blockchain nodes
// screen_transaction reads transactions from.
type ScreeningSettings struct {
	// Threshold is the name-match score at which a hit is reported (0 = the matcher's default).
	Threshold float64
	// MonitorEvery is how often monitored applicants are re-screened without a list change
	// (0 = only on list changes).
	MonitorEvery time.Duration
	// EthRPCURL and BtcRPCURL are the Ethereum and Bitcoin Core JSON-RPC nodes.
	EthRPCURL, BtcRPCURL string
	// ChainRPCURLs adds nodes for other chains as CHAIN=URL,….
	ChainRPCURLs string
	// NodeTimeout bounds one node call.
	NodeTimeout time.Duration
}

// bitcoinRPCChains speak Bitcoin Core's JSON-RPC (getrawtransaction); EVM chains speak Ethereum's.
var bitcoinRPCChains = map[crypto.Chain]bool{crypto.BTC: true, crypto.LTC: true, crypto.BCH: true, crypto.BSV: true,
	crypto.BTG: true, crypto.DASH: true, crypto.ZEC: true}

func (s *ScreeningSettings) check(only []string) error {
	if len(only) > 0 && !contains(only, "screening-threshold") {
		return nil
	}
	if s.Threshold < 0 || s.Threshold > 1 {
		return fmt.Errorf("screening-threshold: %v is outside 0 to 1", s.Threshold)
	}
	if s.MonitorEvery < 0 {
		return fmt.Errorf("screening-monitor-every: %v is negative", s.MonitorEvery)
	}
	if s.MonitorEvery > 0 && s.MonitorEvery < time.Minute {
		return fmt.Errorf("screening-monitor-every: %v is shorter than a minute; re-screening every applicant that often is a mistake", s.MonitorEvery)
	}
	_, err := s.nodes()
	return err
}

// monitorInterval is jobs.Options.MonitorInterval: negative turns the schedule off.
func (s *ScreeningSettings) monitorInterval() time.Duration {
	if s.MonitorEvery == 0 {
		return -1
	}
	return s.MonitorEvery
}

// policy is the screening check's policy under strongHit (review or fail).
func (s *ScreeningSettings) policy(strongHit string) verify.ScreeningPolicy {
	return verify.ScreeningPolicy{StrongHit: models.Outcome(strongHit), Threshold: s.Threshold}
}

// nodes builds the node clients from the URLs. Credentials in a URL's user part become basic
// auth and are taken out of the URL, so it can be logged.
func (s *ScreeningSettings) nodes() (map[crypto.Chain]crypto.TxSource, error) {
	type spec struct {
		chain crypto.Chain
		url   string
		from  string
	}
	var specs []spec
	if s.EthRPCURL != "" {
		specs = append(specs, spec{crypto.ETH, s.EthRPCURL, "eth-rpc-url"})
	}
	if s.BtcRPCURL != "" {
		specs = append(specs, spec{crypto.BTC, s.BtcRPCURL, "btc-rpc-url"})
	}
	for _, item := range strings.Split(s.ChainRPCURLs, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		code, u, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("chain-rpc-urls: %q is not CHAIN=URL", item)
		}
		chain, token, err := crypto.ResolveChain(strings.TrimSpace(code), "")
		if err != nil {
			return nil, fmt.Errorf("chain-rpc-urls: %w", err)
		}
		if token != "" {
			return nil, fmt.Errorf("chain-rpc-urls: %s is a token, not a chain: configure the node of its ledger (ETH, TRX, …)", token)
		}
		specs = append(specs, spec{chain, strings.TrimSpace(u), "chain-rpc-urls"})
	}
	nodes := map[crypto.Chain]crypto.TxSource{}
	for _, sp := range specs {
		if _, dup := nodes[sp.chain]; dup {
			return nil, fmt.Errorf("%s: a node for %s is configured twice", sp.from, sp.chain)
		}
		u, err := url.Parse(sp.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%s: %q is not an http(s) URL", sp.from, redactURL(sp.url))
		}
		opt := crypto.NodeOptions{Timeout: s.NodeTimeout}
		if u.User != nil {
			opt.User = u.User.Username()
			opt.Password, _ = u.User.Password()
			u.User = nil
		}
		var node crypto.TxSource
		switch {
		case sp.chain.IsEVM():
			node, err = crypto.NewEthereumRPC(u.String(), opt)
		case bitcoinRPCChains[sp.chain]:
			node, err = crypto.NewBitcoinRPC(u.String(), opt)
		default:
			return nil, fmt.Errorf("%s: kycd has no node client for %s (Ethereum JSON-RPC for EVM chains, Bitcoin Core RPC for BTC, LTC, BCH, BSV, BTG, DASH, ZEC)", sp.from, sp.chain)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sp.from, err)
		}
		nodes[sp.chain] = node
	}
	return nodes, nil
}

// redactURL hides a password in a URL for error messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	return u.Redacted()
}
