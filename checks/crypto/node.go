package crypto

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// TxSource fetches a transaction's parties from a node the operator runs
// (or rents). Implementations: *EthereumRPC, *BitcoinRPC.
type TxSource interface {
	Transaction(ctx context.Context, chain Chain, hash string) (*Transaction, error)
}

// Transaction is what a node said about a transaction: the addresses that
// sent or received value, and what could not be resolved.
type Transaction struct {
	Hash    string    `json:"hash"`
	Parties []TxParty `json:"parties"`
	// Unresolved lists the parts whose address could not be learnt (an
	// input whose previous transaction the node would not return, a
	// non-standard output): their counterparties are unscreened.
	Unresolved []string `json:"unresolved,omitempty"`
	// Notes say what was skipped on purpose (coinbase input, OP_RETURN).
	Notes []string `json:"notes,omitempty"`
}

// TxParty is one address in a transaction. Role is from, to,
// token_contract, token_sender, token_recipient (EVM) or input, output
// (UTXO chains).
type TxParty struct {
	Address string `json:"address"`
	Role    string `json:"role"`
}

// Node errors. Every error a TxSource returns wraps one of them.
var (
	// ErrNodeUnavailable: the node could not be reached, timed out, or
	// answered with something that is not JSON-RPC.
	ErrNodeUnavailable = errors.New("node unavailable")
	// ErrNodeError: the node answered with a JSON-RPC error.
	ErrNodeError = errors.New("node returned an error")
	// ErrTxNotFound: the node does not know the transaction.
	ErrTxNotFound = errors.New("transaction not found")
	// ErrResponseTooLarge: the response exceeded the configured cap.
	ErrResponseTooLarge = errors.New("node response too large")
)

// Defaults for node clients.
const (
	DefaultNodeTimeout      = 15 * time.Second
	DefaultMaxResponseBytes = 8 << 20
	DefaultMaxPrevTxLookups = 25
)

// rpcEndpoint is the HTTP side shared by both node kinds.
type rpcEndpoint struct {
	url      string
	client   *http.Client
	timeout  time.Duration
	maxBytes int64
	header   http.Header
	user     string
	password string
	jsonrpc  string
	nextID   atomic.Int64
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

type rpcResponse struct {
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// call performs one JSON-RPC call and returns the raw result. A JSON-RPC
// error is returned as ErrNodeError with the node's code and message;
// HTTP failures, timeouts, oversize and non-JSON bodies as
// ErrNodeUnavailable / ErrResponseTooLarge.
func (e *rpcEndpoint) call(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	timeout := e.timeout
	if timeout <= 0 {
		timeout = DefaultNodeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": e.jsonrpc, "id": e.nextID.Add(1), "method": method, "params": params})
	if err != nil {
		return nil, fmt.Errorf("%s: encode request: %w", method, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: build request for node %s: %w: %v", method, redactURL(e.url), ErrNodeUnavailable, err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, vs := range e.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if e.user != "" || e.password != "" {
		req.SetBasicAuth(e.user, e.password)
	}
	client := e.client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: node %s: %w: %v", method, redactURL(e.url), ErrNodeUnavailable, err)
	}
	defer resp.Body.Close()
	maxBytes := e.maxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxResponseBytes
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: node %s: read response: %w: %v", method, redactURL(e.url), ErrNodeUnavailable, err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("%s: node %s: more than %d bytes: %w", method, redactURL(e.url), maxBytes, ErrResponseTooLarge)
	}
	var r rpcResponse
	if jerr := json.Unmarshal(data, &r); jerr != nil || (r.Error == nil && r.Result == nil) {
		// Bitcoin Core answers 401 with an empty body on bad credentials.
		return nil, fmt.Errorf("%s: node %s: HTTP %d, not a JSON-RPC response (%q): %w", method, redactURL(e.url), resp.StatusCode, truncate(string(data), 200), ErrNodeUnavailable)
	}
	if r.Error != nil {
		return nil, fmt.Errorf("%s: node %s: code %d: %s: %w", method, redactURL(e.url), r.Error.Code, r.Error.Message, ErrNodeError)
	}
	// Bitcoin Core sends JSON-RPC 1.0 errors with HTTP 500; with no error
	// object a non-2xx status still means the call failed.
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s: node %s: HTTP %d: %w", method, redactURL(e.url), resp.StatusCode, ErrNodeUnavailable)
	}
	return r.Result, nil
}

// redactURL drops credentials and query (API keys) from a URL for errors.
func redactURL(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if at := strings.LastIndex(strings.SplitN(rest, "/", 2)[0], "@"); at >= 0 {
			u = u[:i+3] + rest[at+1:]
		}
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	// Many hosted endpoints put the API key in the last path segment.
	if i := strings.Index(u, "://"); i >= 0 {
		parts := strings.SplitN(u[i+3:], "/", 2)
		if len(parts) == 2 && parts[1] != "" {
			u = u[:i+3] + parts[0] + "/…"
		}
	}
	return u
}

// NodeOptions tunes a node client. Zero values take the defaults.
type NodeOptions struct {
	// Client is the HTTP client; nil means http.DefaultClient. Set its
	// Transport for TLS or proxies; per-call timeouts come from Timeout.
	Client *http.Client
	// Timeout bounds each JSON-RPC call (DefaultNodeTimeout).
	Timeout time.Duration
	// MaxResponseBytes caps each response body (DefaultMaxResponseBytes).
	MaxResponseBytes int64
	// Header is added to every request (for a hosted endpoint's API key).
	Header http.Header
	// User and Password are sent as HTTP basic auth (Bitcoin Core rpcuser).
	User, Password string
	// MaxPrevTxLookups bounds how many previous transactions a Bitcoin
	// client fetches to learn input addresses when the node lacks
	// verbosity 2 (DefaultMaxPrevTxLookups); inputs beyond it are reported
	// unresolved.
	MaxPrevTxLookups int
}

func newEndpoint(url, jsonrpc string, o NodeOptions) *rpcEndpoint {
	return &rpcEndpoint{url: url, client: o.Client, timeout: o.Timeout, maxBytes: o.MaxResponseBytes,
		header: o.Header.Clone(), user: o.User, password: o.Password, jsonrpc: jsonrpc}
}

// EthereumRPC reads transactions from an Ethereum JSON-RPC node (geth,
// Nethermind, Erigon, or any EVM chain's node).
type EthereumRPC struct{ ep *rpcEndpoint }

// NewEthereumRPC returns a client for the node at url.
func NewEthereumRPC(url string, o NodeOptions) (*EthereumRPC, error) {
	if err := checkURL(url); err != nil {
		return nil, fmt.Errorf("ethereum node: %w", err)
	}
	return &EthereumRPC{ep: newEndpoint(url, "2.0", o)}, nil
}

func checkURL(u string) error {
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return fmt.Errorf("url %q must start with http:// or https://", redactURL(u))
	}
	return nil
}

// ethTx is the part of eth_getTransactionByHash's result we read.
type ethTx struct {
	Hash  string  `json:"hash"`
	From  string  `json:"from"`
	To    *string `json:"to"`
	Input string  `json:"input"`
	Value string  `json:"value"`
}

// ERC-20 function selectors: the first 4 bytes of keccak256 of the signature.
const (
	selTransfer     = "a9059cbb" // transfer(address,uint256)
	selTransferFrom = "23b872dd" // transferFrom(address,address,uint256)
)

// Transaction implements TxSource with eth_getTransactionByHash. For an
// ERC-20 transfer or transferFrom the token sender and recipient are
// decoded from the call data, because the tx's "to" is then the token
// contract, not the person paid.
func (c *EthereumRPC) Transaction(ctx context.Context, chain Chain, hash string) (*Transaction, error) {
	h, err := ValidateTxHash(chain, hash)
	if err != nil {
		return nil, err
	}
	if !chain.IsEVM() {
		return nil, fmt.Errorf("ethereum node asked for a %s transaction: %w", chain, ErrUnknownChain)
	}
	raw, err := c.ep.call(ctx, "eth_getTransactionByHash", h)
	if err != nil {
		return nil, fmt.Errorf("get %s transaction %s: %w", chain, h, err)
	}
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, fmt.Errorf("get %s transaction %s: %w", chain, h, ErrTxNotFound)
	}
	var tx ethTx
	if err := json.Unmarshal(raw, &tx); err != nil {
		return nil, fmt.Errorf("get %s transaction %s: decode result: %w: %v", chain, h, ErrNodeUnavailable, err)
	}
	if tx.From == "" {
		return nil, fmt.Errorf("get %s transaction %s: result has no \"from\": %w", chain, h, ErrNodeUnavailable)
	}
	out := &Transaction{Hash: h, Parties: []TxParty{{Address: tx.From, Role: "from"}}}
	if tx.To == nil || *tx.To == "" {
		out.Notes = append(out.Notes, "contract creation: no recipient")
		return out, nil
	}
	toRole := "to"
	input := strings.TrimPrefix(strings.ToLower(tx.Input), "0x")
	switch {
	case strings.HasPrefix(input, selTransfer) && len(input) >= 8+2*64:
		if rcpt, ok := abiAddress(input[8 : 8+64]); ok {
			toRole = "token_contract"
			out.Parties = append(out.Parties, TxParty{Address: rcpt, Role: "token_recipient"})
		} else {
			out.Unresolved = append(out.Unresolved, "transfer() call data has a malformed recipient word")
		}
	case strings.HasPrefix(input, selTransferFrom) && len(input) >= 8+3*64:
		from, ok1 := abiAddress(input[8 : 8+64])
		to, ok2 := abiAddress(input[8+64 : 8+128])
		if ok1 && ok2 {
			toRole = "token_contract"
			out.Parties = append(out.Parties, TxParty{Address: from, Role: "token_sender"}, TxParty{Address: to, Role: "token_recipient"})
		} else {
			out.Unresolved = append(out.Unresolved, "transferFrom() call data has a malformed address word")
		}
	case len(input) >= 8:
		out.Notes = append(out.Notes, "contract call with selector 0x"+input[:8]+": internal transfers are not traced")
	}
	out.Parties = append(out.Parties, TxParty{Address: *tx.To, Role: toRole})
	return out, nil
}

// abiAddress reads an ABI-encoded address word: 12 zero bytes then 20.
func abiAddress(word string) (string, bool) {
	if len(word) != 64 || strings.Trim(word[:24], "0") != "" {
		return "", false
	}
	for _, c := range word[24:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return "", false
		}
	}
	return "0x" + word[24:], true
}

// BitcoinRPC reads transactions from a Bitcoin Core JSON-RPC node (or a
// fork speaking the same RPC: Litecoin, Bitcoin Cash Node, Dash, Zcash).
// getrawtransaction needs -txindex for confirmed transactions.
type BitcoinRPC struct {
	ep          *rpcEndpoint
	maxPrevTxes int
}

// NewBitcoinRPC returns a client for the node at url.
func NewBitcoinRPC(url string, o NodeOptions) (*BitcoinRPC, error) {
	if err := checkURL(url); err != nil {
		return nil, fmt.Errorf("bitcoin node: %w", err)
	}
	n := o.MaxPrevTxLookups
	if n <= 0 {
		n = DefaultMaxPrevTxLookups
	}
	return &BitcoinRPC{ep: newEndpoint(url, "1.0", o), maxPrevTxes: n}, nil
}

type btcScriptPubKey struct {
	Address   string   `json:"address"`   // Core ≥ 22
	Addresses []string `json:"addresses"` // Core < 22
	Type      string   `json:"type"`
}

type btcVout struct {
	N            int             `json:"n"`
	ScriptPubKey btcScriptPubKey `json:"scriptPubKey"`
}

type btcVin struct {
	Coinbase string `json:"coinbase"`
	TxID     string `json:"txid"`
	Vout     int    `json:"vout"`
	Prevout  *struct {
		ScriptPubKey btcScriptPubKey `json:"scriptPubKey"`
	} `json:"prevout"`
}

type btcTx struct {
	TxID string    `json:"txid"`
	Vin  []btcVin  `json:"vin"`
	Vout []btcVout `json:"vout"`
}

func (s btcScriptPubKey) addrs() []string {
	if s.Address != "" {
		return []string{s.Address}
	}
	return s.Addresses
}

func (c *BitcoinRPC) getTx(ctx context.Context, txid string, verbosity int) (*btcTx, error) {
	raw, err := c.ep.call(ctx, "getrawtransaction", txid, verbosity)
	if err != nil {
		// -5: "No such mempool or blockchain transaction" (needs -txindex).
		if errors.Is(err, ErrNodeError) && strings.Contains(err.Error(), "code -5:") {
			return nil, fmt.Errorf("%w: %w", err, ErrTxNotFound)
		}
		return nil, err
	}
	var tx btcTx
	if err := json.Unmarshal(raw, &tx); err != nil {
		return nil, fmt.Errorf("getrawtransaction %s: decode result: %w: %v", txid, ErrNodeUnavailable, err)
	}
	if tx.TxID == "" {
		return nil, fmt.Errorf("getrawtransaction %s: result is not a verbose transaction: %w", txid, ErrNodeUnavailable)
	}
	return &tx, nil
}

// Transaction implements TxSource with getrawtransaction verbosity 2
// (inputs' addresses from "prevout", Bitcoin Core ≥ 25). Older nodes
// ignore the 2 and answer as verbosity 1; then each input's previous
// transaction is fetched, up to MaxPrevTxLookups of them.
func (c *BitcoinRPC) Transaction(ctx context.Context, chain Chain, hash string) (*Transaction, error) {
	h, err := ValidateTxHash(chain, hash)
	if err != nil {
		return nil, err
	}
	tx, err := c.getTx(ctx, h, 2)
	if err != nil {
		return nil, fmt.Errorf("get %s transaction %s: %w", chain, h, err)
	}
	out := &Transaction{Hash: h}
	for _, vo := range tx.Vout {
		as := vo.ScriptPubKey.addrs()
		if len(as) == 0 {
			if vo.ScriptPubKey.Type == "nulldata" {
				out.Notes = append(out.Notes, fmt.Sprintf("output %d is OP_RETURN data", vo.N))
			} else {
				out.Unresolved = append(out.Unresolved, fmt.Sprintf("output %d (%s) has no address", vo.N, vo.ScriptPubKey.Type))
			}
		}
		for _, a := range as {
			out.Parties = append(out.Parties, TxParty{Address: a, Role: "output"})
		}
	}
	prev := map[string]*btcTx{}
	lookups := 0
	for i, vi := range tx.Vin {
		if vi.Coinbase != "" {
			out.Notes = append(out.Notes, "coinbase input: newly mined coins, no sender")
			continue
		}
		if vi.Prevout != nil {
			as := vi.Prevout.ScriptPubKey.addrs()
			if len(as) == 0 {
				out.Unresolved = append(out.Unresolved, fmt.Sprintf("input %d spends a %s output with no address", i, vi.Prevout.ScriptPubKey.Type))
			}
			for _, a := range as {
				out.Parties = append(out.Parties, TxParty{Address: a, Role: "input"})
			}
			continue
		}
		p, ok := prev[vi.TxID]
		if !ok {
			if lookups >= c.maxPrevTxes {
				out.Unresolved = append(out.Unresolved, fmt.Sprintf("input %d (%s:%d): over the %d previous-transaction lookups allowed", i, vi.TxID, vi.Vout, c.maxPrevTxes))
				continue
			}
			lookups++
			p, err = c.getTx(ctx, vi.TxID, 1)
			if err != nil {
				if ctx.Err() != nil {
					return nil, fmt.Errorf("get %s transaction %s: previous transaction %s: %w", chain, h, vi.TxID, err)
				}
				out.Unresolved = append(out.Unresolved, fmt.Sprintf("input %d (%s:%d): %v", i, vi.TxID, vi.Vout, err))
				prev[vi.TxID] = nil
				continue
			}
			prev[vi.TxID] = p
		}
		if p == nil {
			out.Unresolved = append(out.Unresolved, fmt.Sprintf("input %d (%s:%d): previous transaction unavailable", i, vi.TxID, vi.Vout))
			continue
		}
		found := false
		for _, vo := range p.Vout {
			if vo.N == vi.Vout {
				found = true
				as := vo.ScriptPubKey.addrs()
				if len(as) == 0 {
					out.Unresolved = append(out.Unresolved, fmt.Sprintf("input %d spends a %s output with no address", i, vo.ScriptPubKey.Type))
				}
				for _, a := range as {
					out.Parties = append(out.Parties, TxParty{Address: a, Role: "input"})
				}
			}
		}
		if !found {
			out.Unresolved = append(out.Unresolved, fmt.Sprintf("input %d: previous transaction %s has no output %d", i, vi.TxID, vi.Vout))
		}
	}
	return out, nil
}
