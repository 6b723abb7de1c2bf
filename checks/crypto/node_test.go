package crypto

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// rpcReq is a JSON-RPC request as both node kinds receive it.
type rpcReq struct {
	JSONRPC string            `json:"jsonrpc"`
	ID      json.RawMessage   `json:"id"`
	Method  string            `json:"method"`
	Params  []json.RawMessage `json:"params"`
}

// ---- fake Ethereum node (geth's response shapes) ----

type fakeEth struct {
	txs   map[string]any // hash → result object (nil entry: JSON null)
	calls atomic.Int64
}

func (f *fakeEth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	var req rpcReq
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil || req.JSONRPC != "2.0" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request"}}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if req.Method != "eth_getTransactionByHash" {
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32601,"message":"the method %s does not exist/is not available"}}`, req.ID, req.Method)
		return
	}
	var hash string
	if len(req.Params) != 1 || json.Unmarshal(req.Params[0], &hash) != nil {
		fmt.Fprintf(w, `{"jsonrpc":"2.0","id":%s,"error":{"code":-32602,"message":"missing value for required argument 0"}}`, req.ID)
		return
	}
	res, ok := f.txs[hash]
	if !ok {
		res = nil
	}
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": json.RawMessage(req.ID), "result": res})
	_, _ = w.Write(b)
}

// ethTxResult builds an eth_getTransactionByHash result of an EIP-1559 tx.
func ethTxResult(hash, from string, to any, input string) map[string]any {
	return map[string]any{
		"blockHash":            "0x1d59ff54b1eb26b013ce3cb5fc9dab3705b415a67127a003c3e61eb445bb8df2",
		"blockNumber":          "0x12a05f2",
		"from":                 from,
		"gas":                  "0x186a0",
		"gasPrice":             "0x4a817c800",
		"maxFeePerGas":         "0x6fc23ac00",
		"maxPriorityFeePerGas": "0x3b9aca00",
		"hash":                 hash,
		"input":                input,
		"nonce":                "0x2a",
		"to":                   to,
		"transactionIndex":     "0x5",
		"value":                "0x0",
		"type":                 "0x2",
		"accessList":           []any{},
		"chainId":              "0x1",
		"v":                    "0x0",
		"yParity":              "0x0",
		"r":                    "0x88ff6cf0fefd94db46111149ae4bfc179e9b94721fffd821d38d16464b3f71d0",
		"s":                    "0x45e0aff800961cfce805daef7016b9b675c137a6a41a548f7b60a3484c06a33a",
	}
}

const (
	usdtContract = "0xdac17f958d2ee523a2206206994597c13d831ec7"
	customer     = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
	listedEVM    = "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"
	cleanEVM     = "0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb"
)

func word(addr string) string { return strings.Repeat("0", 24) + strings.TrimPrefix(addr, "0x") }

func hashN(n int) string { return fmt.Sprintf("0x%064x", n) }

func newEthScreener(t *testing.T, h http.Handler, o NodeOptions) (*Screener, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	node, err := NewEthereumRPC(srv.URL, o)
	require.NoError(t, err)
	s, err := NewScreener(smallLists(t), map[Chain]TxSource{ETH: node})
	require.NoError(t, err)
	return s, srv
}

func TestEthereumTransactionScreening(t *testing.T) {
	t.Parallel()
	amount := fmt.Sprintf("%064x", 100_000_000)
	fe := &fakeEth{txs: map[string]any{
		hashN(1): ethTxResult(hashN(1), customer, usdtContract, "0xa9059cbb"+word(listedEVM)+amount),
		hashN(2): ethTxResult(hashN(2), customer, cleanEVM, "0x"),
		hashN(3): ethTxResult(hashN(3), cleanEVM, "0x27b1fdb04752bbc536007a920d24acb045561c26", "0x"),
		hashN(4): ethTxResult(hashN(4), customer, nil, "0x6080604052"),
		hashN(5): ethTxResult(hashN(5), cleanEVM, usdtContract, "0x23b872dd"+word(listedEVM)+word(customer)+amount),
		hashN(6): ethTxResult(hashN(6), customer, usdtContract, "0xa9059cbb"+"ff"+word(listedEVM)[2:]+amount),
	}}
	s, _ := newEthScreener(t, fe, NodeOptions{})
	cases := []struct {
		name       string
		chain      string
		hash       string
		risk       Risk
		codes      []string
		screened   bool
		wantRoles  []string
		listedRole string
	}{
		{"USDT transfer to a listed address", "USDT", hashN(1), RiskSevere, []string{ReasonSanctionedCounterparty}, true,
			[]string{"from", "token_recipient", "token_contract"}, "token_recipient"},
		{"plain transfer to a clean address", "ETH", hashN(2), RiskLow, nil, true, []string{"from", "to"}, ""},
		{"transaction not involving the customer", "ETH", hashN(3), RiskMedium, []string{ReasonAddressNotInTransaction}, true, []string{"from", "to"}, ""},
		{"contract creation", "ETH", hashN(4), RiskLow, nil, true, []string{"from"}, ""},
		{"transferFrom out of a listed address", "ETH", hashN(5), RiskSevere, []string{ReasonSanctionedCounterparty}, true,
			[]string{"from", "token_sender", "token_recipient", "token_contract"}, "token_sender"},
		{"malformed transfer call data", "ETH", hashN(6), RiskMedium, []string{ReasonCounterpartyUnscreened}, false, []string{"from", "to"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := s.Screen(context.Background(), Request{Chain: tc.chain, Address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", TxHash: tc.hash})
			require.NoError(t, err)
			require.Equal(t, tc.risk, res.Risk, "%+v", res.Reasons)
			var codes, roles []string
			for _, r := range res.Reasons {
				codes = append(codes, r.Code)
			}
			for _, p := range res.Counterparties {
				roles = append(roles, p.Role)
			}
			require.ElementsMatch(t, tc.codes, codes, "%+v", res.Reasons)
			require.Equal(t, tc.wantRoles, roles)
			require.Equal(t, tc.screened, res.TxScreened)
			if tc.listedRole != "" {
				require.Equal(t, tc.listedRole, res.Matches[0].Role)
				require.Equal(t, "E2", res.Matches[0].Entry.EntityRef)
			}
		})
	}
}

func TestEthereumNodeFailuresAreUnscreened(t *testing.T) {
	t.Parallel()
	fe := &fakeEth{txs: map[string]any{}}
	errNode := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = w.Write([]byte(`{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"header not found"}}`))
	})
	proxy502 := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><body>502 Bad Gateway</body></html>"))
	})
	huge := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"jsonrpc":"2.0","id":1,"result":{"input":"0x` + strings.Repeat("00", 4096) + `"}}`))
	})
	release := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Reading the body lets the server notice the client hang up.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })
	down := httptest.NewServer(fe)
	downURL := down.URL
	down.Close()

	cases := []struct {
		name    string
		handler http.Handler
		url     string
		opts    NodeOptions
		codes   []string
		detail  string
	}{
		{"unknown transaction", fe, "", NodeOptions{}, []string{ReasonTxNotFound, ReasonCounterpartyUnscreened}, "transaction not found"},
		{"JSON-RPC error", errNode, "", NodeOptions{}, []string{ReasonCounterpartyUnscreened}, "header not found"},
		{"proxy error page", proxy502, "", NodeOptions{}, []string{ReasonCounterpartyUnscreened}, "HTTP 502"},
		{"oversized response", huge, "", NodeOptions{MaxResponseBytes: 1024}, []string{ReasonCounterpartyUnscreened}, "too large"},
		{"timeout", slow, "", NodeOptions{Timeout: 50 * time.Millisecond}, []string{ReasonCounterpartyUnscreened}, "node unavailable"},
		{"node down", nil, downURL, NodeOptions{}, []string{ReasonCounterpartyUnscreened}, "node unavailable"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := tc.url
			if tc.handler != nil {
				srv := httptest.NewServer(tc.handler)
				t.Cleanup(srv.Close)
				url = srv.URL
			}
			node, err := NewEthereumRPC(url, tc.opts)
			require.NoError(t, err)
			s, err := NewScreener(smallLists(t), map[Chain]TxSource{ETH: node})
			require.NoError(t, err)
			res, err := s.Screen(context.Background(), Request{Chain: "ETH", Address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", TxHash: hashN(9)})
			require.NoError(t, err)
			require.Equal(t, RiskMedium, res.Risk)
			require.False(t, res.TxScreened)
			var codes []string
			for _, r := range res.Reasons {
				codes = append(codes, r.Code)
			}
			require.ElementsMatch(t, tc.codes, codes)
			var all []string
			for _, r := range res.Reasons {
				all = append(all, r.Detail)
			}
			require.Contains(t, strings.Join(all, " | "), tc.detail)
		})
	}
}

func TestEthereumRPCErrorsWrapSentinels(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&fakeEth{txs: map[string]any{}})
	t.Cleanup(srv.Close)
	node, err := NewEthereumRPC(srv.URL, NodeOptions{})
	require.NoError(t, err)
	_, err = node.Transaction(context.Background(), ETH, hashN(1))
	require.ErrorIs(t, err, ErrTxNotFound)
	_, err = node.Transaction(context.Background(), ETH, "0x1234")
	require.ErrorIs(t, err, ErrInvalidTxHash)
	_, err = node.Transaction(context.Background(), BTC, strings.Repeat("ab", 32))
	require.ErrorIs(t, err, ErrUnknownChain)
	_, err = NewEthereumRPC("ftp://node", NodeOptions{})
	require.ErrorContains(t, err, "http://")
}

func TestCancelledContextDuringNodeCallIsAnError(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		once.Do(func() { close(started) })
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	t.Cleanup(func() { close(release) })
	s, _ := newEthScreener(t, h, NodeOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := s.Screen(ctx, Request{Chain: "ETH", Address: customer, TxHash: hashN(1)})
	require.ErrorIs(t, err, context.Canceled)
}

// ---- fake Bitcoin Core node ----

type fakeBTC struct {
	user, pass string
	// v2 is true for Bitcoin Core ≥ 25 (getrawtransaction verbosity 2
	// with prevout); false mimics older nodes that treat 2 as "true".
	v2 bool
	// legacyAddresses uses the pre-22 scriptPubKey "addresses" array.
	legacyAddresses bool
	txs             map[string]btcFixture
	calls           atomic.Int64
}

type btcOut struct {
	addr  string // empty: OP_RETURN
	value float64
}

type btcFixture struct {
	coinbase bool
	ins      [][2]any // {prev txid, vout}
	outs     []btcOut
}

func scriptPubKey(addr string, legacy bool) map[string]any {
	if addr == "" {
		return map[string]any{"asm": "OP_RETURN 6f6d6e69", "desc": "raw(6a046f6d6e69)#2x2yyj4v", "hex": "6a046f6d6e69", "type": "nulldata"}
	}
	typ := "pubkeyhash"
	if strings.HasPrefix(addr, "bc1q") {
		typ = "witness_v0_keyhash"
	}
	if legacy {
		return map[string]any{"asm": "OP_DUP OP_HASH160 00 OP_EQUALVERIFY OP_CHECKSIG", "hex": "76a914", "reqSigs": 1, "type": typ, "addresses": []string{addr}}
	}
	return map[string]any{"asm": "OP_DUP OP_HASH160 00 OP_EQUALVERIFY OP_CHECKSIG", "desc": "addr(" + addr + ")#0000000", "hex": "76a914", "address": addr, "type": typ}
}

func (f *fakeBTC) render(txid string, verbosity int) map[string]any {
	fx := f.txs[txid]
	var vin []any
	for _, in := range fx.ins {
		v := map[string]any{"txid": in[0], "vout": in[1], "scriptSig": map[string]any{"asm": "", "hex": ""}, "txinwitness": []string{"3044", "02"}, "sequence": 4294967293}
		prev, known := f.txs[in[0].(string)]
		if verbosity >= 2 && f.v2 && known {
			o := prev.outs[in[1].(int)]
			v["prevout"] = map[string]any{"generated": false, "height": 800000, "value": o.value, "scriptPubKey": scriptPubKey(o.addr, f.legacyAddresses)}
		}
		vin = append(vin, v)
	}
	if fx.coinbase {
		vin = append(vin, map[string]any{"coinbase": "03a0bb0d", "txinwitness": []string{"00"}, "sequence": 4294967295})
	}
	var vout []any
	for n, o := range fx.outs {
		vout = append(vout, map[string]any{"value": o.value, "n": n, "scriptPubKey": scriptPubKey(o.addr, f.legacyAddresses)})
	}
	res := map[string]any{
		"txid": txid, "hash": txid, "version": 2, "size": 225, "vsize": 144, "weight": 573, "locktime": 0,
		"vin": vin, "vout": vout, "hex": "02000000000101",
		"blockhash": "00000000000000000002a7c4c1e48d76c5a37902165a270156b7a8d72728a054", "confirmations": 10, "time": 1700000000, "blocktime": 1700000000,
	}
	if verbosity >= 2 && f.v2 {
		res["fee"] = 0.0000144
	}
	return res
}

func (f *fakeBTC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.calls.Add(1)
	u, p, ok := r.BasicAuth()
	if !ok || u != f.user || p != f.pass {
		// Bitcoin Core: 401 with an empty body.
		w.Header().Set("WWW-Authenticate", `Basic realm="jsonrpc"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var req rpcReq
	if json.NewDecoder(r.Body).Decode(&req) != nil {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"result":null,"error":{"code":-32700,"message":"Parse error"},"id":null}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if req.Method != "getrawtransaction" {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"result":null,"error":{"code":-32601,"message":"Method not found"},"id":%s}`, req.ID)
		return
	}
	var txid string
	var verbosity int
	if len(req.Params) < 2 || json.Unmarshal(req.Params[0], &txid) != nil || json.Unmarshal(req.Params[1], &verbosity) != nil {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"result":null,"error":{"code":-1,"message":"bad params"},"id":%s}`, req.ID)
		return
	}
	if _, ok := f.txs[txid]; !ok {
		// JSON-RPC 1.0 errors come with HTTP 500.
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, `{"result":null,"error":{"code":-5,"message":"No such mempool or blockchain transaction. Use gettransaction for wallet transactions."},"id":%s}`, req.ID)
		return
	}
	b, _ := json.Marshal(map[string]any{"result": f.render(txid, verbosity), "error": nil, "id": json.RawMessage(req.ID)})
	_, _ = w.Write(b)
}

func txid(n int) string { return fmt.Sprintf("%064x", n) }

func btcFixtures() map[string]btcFixture {
	return map[string]btcFixture{
		// Funding transactions.
		txid(100): {coinbase: true, outs: []btcOut{{"1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", 6.25}}}, // listed (E1)
		txid(101): {ins: [][2]any{{txid(100), 0}}, outs: []btcOut{{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", 1}, {"3CWFddi6m4ndiGyKqzYvsFYagqDLPVMTzC", 2}}},
		// Customer receives from the listed address, with an OP_RETURN.
		txid(1): {ins: [][2]any{{txid(100), 0}}, outs: []btcOut{{"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 0.5}, {"", 0}}},
		// Customer receives from two clean inputs.
		txid(2): {ins: [][2]any{{txid(101), 0}, {txid(101), 1}}, outs: []btcOut{{"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 2.9}}},
		// An input whose previous transaction the node does not have.
		txid(3): {ins: [][2]any{{txid(999), 0}}, outs: []btcOut{{"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 1}}},
	}
}

const btcCustomer = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"

func TestBitcoinTransactionScreening(t *testing.T) {
	t.Parallel()
	for _, node := range []struct {
		name            string
		v2, legacyAddrs bool
	}{
		{"Core 25+ (verbosity 2)", true, false},
		{"Core 22-24 (prev tx lookups)", false, false},
		{"Core <22 (addresses array)", false, true},
	} {
		t.Run(node.name, func(t *testing.T) {
			t.Parallel()
			fb := &fakeBTC{user: "kycd", pass: "s3cret", v2: node.v2, legacyAddresses: node.legacyAddrs, txs: btcFixtures()}
			srv := httptest.NewServer(fb)
			t.Cleanup(srv.Close)
			rpc, err := NewBitcoinRPC(srv.URL, NodeOptions{User: "kycd", Password: "s3cret"})
			require.NoError(t, err)
			s, err := NewScreener(smallLists(t), map[Chain]TxSource{BTC: rpc})
			require.NoError(t, err)
			ctx := context.Background()

			res, err := s.Screen(ctx, Request{Chain: "XBT", Address: btcCustomer, TxHash: txid(1)})
			require.NoError(t, err)
			require.Equal(t, RiskSevere, res.Risk, "%+v", res.Reasons)
			require.Equal(t, ReasonSanctionedCounterparty, res.Reasons[0].Code)
			require.Equal(t, "input", res.Matches[0].Role)
			require.True(t, res.TxScreened)
			require.Contains(t, strings.Join(res.Transaction.Notes, " "), "OP_RETURN")

			before := fb.calls.Load()
			res, err = s.Screen(ctx, Request{Chain: "BTC", Address: btcCustomer, TxHash: txid(2)})
			require.NoError(t, err)
			require.Equal(t, RiskLow, res.Risk, "%+v", res.Reasons)
			require.True(t, res.TxScreened)
			require.Len(t, res.Counterparties, 3)
			calls := fb.calls.Load() - before
			if node.v2 {
				require.Equal(t, int64(1), calls, "verbosity 2 needs no previous-tx lookups")
			} else {
				require.Equal(t, int64(2), calls, "one lookup per distinct previous transaction")
			}

			res, err = s.Screen(ctx, Request{Chain: "BTC", Address: btcCustomer, TxHash: txid(3)})
			require.NoError(t, err)
			require.Equal(t, RiskMedium, res.Risk)
			require.False(t, res.TxScreened)
			require.True(t, hasReason(res, ReasonCounterpartyUnscreened))
			require.Contains(t, res.Transaction.Unresolved[0], "transaction not found")
		})
	}
}

func TestBitcoinNodeErrors(t *testing.T) {
	t.Parallel()
	fb := &fakeBTC{user: "kycd", pass: "s3cret", v2: true, txs: btcFixtures()}
	srv := httptest.NewServer(fb)
	t.Cleanup(srv.Close)
	ctx := context.Background()

	good, err := NewBitcoinRPC(srv.URL, NodeOptions{User: "kycd", Password: "s3cret"})
	require.NoError(t, err)
	_, err = good.Transaction(ctx, BTC, txid(42))
	require.ErrorIs(t, err, ErrTxNotFound)
	require.ErrorIs(t, err, ErrNodeError)
	require.ErrorContains(t, err, "No such mempool")

	wrong, err := NewBitcoinRPC(srv.URL, NodeOptions{User: "kycd", Password: "nope"})
	require.NoError(t, err)
	_, err = wrong.Transaction(ctx, BTC, txid(1))
	require.ErrorIs(t, err, ErrNodeUnavailable)
	require.ErrorContains(t, err, "HTTP 401")

	s, err := NewScreener(smallLists(t), map[Chain]TxSource{BTC: wrong})
	require.NoError(t, err)
	res, err := s.Screen(ctx, Request{Chain: "BTC", Address: btcCustomer, TxHash: txid(1)})
	require.NoError(t, err)
	require.Equal(t, RiskMedium, res.Risk)
	require.False(t, res.TxScreened)
	require.Equal(t, ReasonCounterpartyUnscreened, res.Reasons[0].Code)

	s, err = NewScreener(smallLists(t), map[Chain]TxSource{BTC: good})
	require.NoError(t, err)
	res, err = s.Screen(ctx, Request{Chain: "BTC", Address: btcCustomer, TxHash: txid(42)})
	require.NoError(t, err)
	require.True(t, hasReason(res, ReasonTxNotFound))
	require.True(t, hasReason(res, ReasonCounterpartyUnscreened))
}

func TestBitcoinPrevTxLookupCap(t *testing.T) {
	t.Parallel()
	txs := btcFixtures()
	var ins [][2]any
	for i := 0; i < 5; i++ {
		id := txid(200 + i)
		txs[id] = btcFixture{coinbase: true, outs: []btcOut{{"1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", 1}}}
		ins = append(ins, [2]any{id, 0})
	}
	txs[txid(4)] = btcFixture{ins: ins, outs: []btcOut{{btcCustomer, 4.9}}}
	fb := &fakeBTC{user: "u", pass: "p", v2: false, txs: txs}
	srv := httptest.NewServer(fb)
	t.Cleanup(srv.Close)
	rpc, err := NewBitcoinRPC(srv.URL, NodeOptions{User: "u", Password: "p", MaxPrevTxLookups: 3})
	require.NoError(t, err)
	tx, err := rpc.Transaction(context.Background(), BTC, txid(4))
	require.NoError(t, err)
	require.Len(t, tx.Unresolved, 2)
	require.Contains(t, tx.Unresolved[0], "over the 3 previous-transaction lookups")
	require.Equal(t, int64(4), fb.calls.Load())
}

func TestRedactURL(t *testing.T) {
	t.Parallel()
	require.Equal(t, "https://node.example/…", redactURL("https://user:pw@node.example/v3/abcdef0123456789"))
	require.Equal(t, "http://127.0.0.1:8332", redactURL("http://rpc:pw@127.0.0.1:8332?x=1"))
	require.False(t, strings.Contains(redactURL("https://mainnet.infura.io/v3/SECRETKEY"), "SECRETKEY"))
}
