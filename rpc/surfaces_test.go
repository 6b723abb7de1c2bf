package rpc_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rpc"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

func engines() map[models.Check]verify.CheckRunner {
	return map[models.Check]verify.CheckRunner{models.CheckScreening: tooltest.Check{Outcome: models.OutcomePass}}
}

type env struct {
	*tooltest.Env
	srv  *httptest.Server
	keys map[string]string
	auth func(r *http.Request) (tools.Caller, *tools.Error)
}

func newEnv(t *testing.T, s *db.Store) *env {
	t.Helper()
	te := tooltest.New(t, s, engines())
	te.Reg.SetRateLimiter(tools.NewRateLimiter(1000, 1))
	e := &env{Env: te, keys: map[string]string{}}
	for name, k := range map[string]db.NewKey{
		"test":  {AccountID: "acct_a", Name: "t", Mode: models.ModeTest, Scopes: scopes(t, "")},
		"slow":  {AccountID: "acct_a", Name: "s", Mode: models.ModeTest, Scopes: scopes(t, ""), RateLimit: 2},
		"hooks": {AccountID: "acct_a", Name: "h", Mode: models.ModeTest, Scopes: scopes(t, "webhooks:read")},
		"write": {AccountID: "acct_a", Name: "w", Mode: models.ModeTest, Scopes: scopes(t, "verifications:write")},
	} {
		secret, _, err := s.CreateAPIKey(context.Background(), k)
		require.NoError(t, err)
		e.keys[name] = secret
	}
	auth := func(r *http.Request) (tools.Caller, *tools.Error) {
		c, err := tools.Authenticate(r.Context(), te.Reg.Deps(), tools.BearerToken(r))
		if err != nil {
			return c, tools.AsError(err)
		}
		return c, nil
	}
	e.auth = auth
	jr, err := rpc.NewJSONRPC(te.Reg, "test")
	require.NoError(t, err)
	jr.BodyLimit = 64 << 10
	mux := http.NewServeMux()
	mux.Handle("/rpc", jr.HTTPHandler(auth))
	mux.Handle("/rpc/ws", jr.WebSocketHandler(auth, nil))
	mux.Handle("/mcp", rpc.HTTPHandler(rpc.NewMCPServer(te.Reg, "test"), "/mcp", auth))
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func scopes(t *testing.T, s string) []string {
	sc, err := tools.ParseScopes(s)
	require.NoError(t, err)
	return sc
}

func (e *env) post(t *testing.T, key, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/rpc", strings.NewReader(body))
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+e.keys[key])
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

type rpcResp struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   *struct {
		Code    int64          `json:"code"`
		Message string         `json:"message"`
		Data    map[string]any `json:"data"`
	} `json:"error"`
}

func TestJSONRPCOverHTTP(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s)

		// One call.
		st, b := e.post(t, "test", `{"jsonrpc":"2.0","id":"a","method":"create_verification","params":{"checks":["screening"],"idempotency_key":"k1"}}`)
		require.Equal(t, 200, st, string(b))
		var one rpcResp
		require.NoError(t, json.Unmarshal(b, &one))
		require.Equal(t, "2.0", one.JSONRPC)
		require.JSONEq(t, `"a"`, string(one.ID))
		require.Nil(t, one.Error)
		var v tools.Verification
		require.NoError(t, json.Unmarshal(one.Result, &v))
		require.Equal(t, "pending", v.Status)

		// A batch: results in any order by id, notifications unanswered, each error its own.
		st, b = e.post(t, "test", `[
			{"jsonrpc":"2.0","id":1,"method":"get_verification","params":{"id":"`+v.ID+`"}},
			{"jsonrpc":"2.0","method":"list_verifications","params":{}},
			{"jsonrpc":"2.0","id":2,"method":"no_such_method"},
			{"jsonrpc":"2.0","id":3,"method":"get_verification","params":{"id":7}},
			{"jsonrpc":"2.0","id":4,"method":"get_verification","params":["x"]},
			{"jsonrpc":"1.0","id":5,"method":"get_verification"},
			{"jsonrpc":"2.0","id":6,"method":"get_verification","params":{"id":"ver_00000000000000000000000000"}},
			{"jsonrpc":"2.0","id":7,"method":"create_verification","params":{"checks":["document"],"idempotency_key":"k1"}},
			{"jsonrpc":"2.0","id":8,"method":"rpc.discover"},
			42
		]`)
		require.Equal(t, 200, st)
		var batch []rpcResp
		require.NoError(t, json.Unmarshal(b, &batch), string(b))
		require.Len(t, batch, 9, "the notification gets no answer")
		byID := map[string]rpcResp{}
		for _, r := range batch {
			byID[string(r.ID)] = r
		}
		require.Nil(t, byID["1"].Error)
		wantErr := map[string]struct {
			code  int64
			field string
		}{
			"2": {jsonrpc2.CodeMethodNotFound, ""}, "3": {jsonrpc2.CodeInvalidParams, "id"}, "4": {jsonrpc2.CodeInvalidParams, "params"},
			"5": {jsonrpc2.CodeInvalidRequest, ""}, "6": {rpc.CodeNotFound, "id"}, "7": {rpc.CodeConflict, "idempotency_key"},
			"null": {jsonrpc2.CodeInvalidRequest, ""},
		}
		for id, w := range wantErr {
			r, ok := byID[id]
			require.True(t, ok, "no answer for id %s", id)
			require.NotNil(t, r.Error, id)
			require.Equal(t, w.code, r.Error.Code, id)
			if w.field != "" {
				require.Equal(t, w.field, r.Error.Data["field"], id)
			}
		}
		var doc map[string]any
		require.NoError(t, json.Unmarshal(byID["8"].Result, &doc))
		require.Equal(t, "1.3.2", doc["openrpc"])
		names := map[string]bool{}
		for _, m := range doc["methods"].([]any) {
			names[m.(map[string]any)["name"].(string)] = true
		}
		for _, info := range e.Reg.Tools() {
			require.True(t, names[info.Name], "rpc.discover lacks %s", info.Name)
		}

		// Only notifications: 204 and no body.
		st, b = e.post(t, "test", `[{"jsonrpc":"2.0","method":"list_verifications"},{"jsonrpc":"2.0","method":"list_verifications"}]`)
		require.Equal(t, 204, st)
		require.Empty(t, b)
		st, _ = e.post(t, "test", `{"jsonrpc":"2.0","method":"list_verifications"}`)
		require.Equal(t, 204, st)

		// Whole-message errors.
		for body, code := range map[string]int64{`{"jsonrpc":`: jsonrpc2.CodeParseError, `[]`: jsonrpc2.CodeInvalidRequest, `"x"`: jsonrpc2.CodeInvalidRequest} {
			_, b = e.post(t, "test", body)
			var r rpcResp
			require.NoError(t, json.Unmarshal(b, &r), body)
			require.Equal(t, code, r.Error.Code, body)
			require.Equal(t, "null", string(r.ID))
		}
		st, b = e.post(t, "", `{"jsonrpc":"2.0","id":1,"method":"list_verifications"}`)
		require.Equal(t, 401, st)
		require.Contains(t, string(b), `"code":-32001`)
		st, _ = e.post(t, "test", `{"jsonrpc":"2.0","id":1,"method":"list_verifications","params":{"x":"`+strings.Repeat("a", 70<<10)+`"}}`)
		require.Equal(t, 413, st)

		// The rate limit counts each call of a batch.
		_, b = e.post(t, "slow", `[{"jsonrpc":"2.0","id":1,"method":"list_verifications"},{"jsonrpc":"2.0","id":2,"method":"list_verifications"},{"jsonrpc":"2.0","id":3,"method":"list_verifications"}]`)
		var limitedBatch []rpcResp
		require.NoError(t, json.Unmarshal(b, &limitedBatch))
		limited := 0
		for _, r := range limitedBatch {
			if r.Error != nil {
				require.Equal(t, int64(rpc.CodeRateLimited), r.Error.Code)
				require.GreaterOrEqual(t, r.Error.Data["retry_after_seconds"], float64(1))
				limited++
			}
		}
		require.Equal(t, 1, limited)
	})
}

// wsClient is a minimal RFC 6455 client (masked frames) for the test.
type wsClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialWS(t *testing.T, url, key string) (*wsClient, *http.Response) {
	t.Helper()
	addr := strings.TrimPrefix(url, "http://")
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	req := "GET /rpc/ws HTTP/1.1\r\nHost: " + addr + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
		base64.StdEncoding.EncodeToString(nonce) + "\r\n"
	if key != "" {
		req += "Authorization: Bearer " + key + "\r\n"
	}
	_, err = conn.Write([]byte(req + "\r\n"))
	require.NoError(t, err)
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return &wsClient{conn: conn, r: br}, res
}

func (c *wsClient) send(t *testing.T, op byte, payload []byte, fin bool) {
	t.Helper()
	b0 := op
	if fin {
		b0 |= 0x80
	}
	hdr := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		hdr = append(hdr, 0x80|byte(n))
	case n <= 0xFFFF:
		hdr = append(hdr, 0x80|126)
		hdr = binary.BigEndian.AppendUint16(hdr, uint16(n))
	default:
		hdr = append(hdr, 0x80|127)
		hdr = binary.BigEndian.AppendUint64(hdr, uint64(n))
	}
	mask := []byte{1, 2, 3, 4}
	masked := make([]byte, len(payload))
	for i := range payload {
		masked[i] = payload[i] ^ mask[i%4]
	}
	_, err := c.conn.Write(append(append(hdr, mask...), masked...))
	require.NoError(t, err)
}

func (c *wsClient) read(t *testing.T) (byte, []byte) {
	t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var h [2]byte
	_, err := io.ReadFull(c.r, h[:])
	require.NoError(t, err)
	n := uint64(h[1] & 0x7F)
	switch n {
	case 126:
		var b [2]byte
		_, _ = io.ReadFull(c.r, b[:])
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		_, _ = io.ReadFull(c.r, b[:])
		n = binary.BigEndian.Uint64(b[:])
	}
	p := make([]byte, n)
	_, err = io.ReadFull(c.r, p)
	require.NoError(t, err)
	return h[0] & 0x0F, p
}

func TestJSONRPCOverWebSocket(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s)
		_, res := dialWS(t, e.srv.URL, "")
		require.Equal(t, 401, res.StatusCode)

		c, res := dialWS(t, e.srv.URL, e.keys["test"])
		require.Equal(t, 101, res.StatusCode)
		c.send(t, 0x1, []byte(`{"jsonrpc":"2.0","id":1,"method":"create_verification","params":{"checks":["screening"]}}`), true)
		op, p := c.read(t)
		require.Equal(t, byte(0x1), op)
		var r rpcResp
		require.NoError(t, json.Unmarshal(p, &r), string(p))
		require.Nil(t, r.Error)
		var v tools.Verification
		require.NoError(t, json.Unmarshal(r.Result, &v))

		// A message in two fragments with a ping between them.
		msg := []byte(`{"jsonrpc":"2.0","id":2,"method":"get_verification","params":{"id":"` + v.ID + `"}}`)
		c.send(t, 0x1, msg[:10], false)
		c.send(t, 0x9, []byte("hi"), true)
		op, p = c.read(t)
		require.Equal(t, byte(0xA), op)
		require.Equal(t, "hi", string(p))
		c.send(t, 0x0, msg[10:], true)
		_, p = c.read(t)
		require.NoError(t, json.Unmarshal(p, &r))
		require.Nil(t, r.Error)
		require.Contains(t, string(r.Result), v.ID)

		// Errors carry the same codes as over HTTP; bad JSON is a parse error, the connection stays.
		c.send(t, 0x1, []byte(`{"jsonrpc":"2.0","id":3,"method":"get_verification","params":{"id":""}}`), true)
		_, p = c.read(t)
		require.NoError(t, json.Unmarshal(p, &r))
		require.Equal(t, int64(jsonrpc2.CodeInvalidParams), r.Error.Code)
		require.Equal(t, "id", r.Error.Data["field"])
		c.send(t, 0x1, []byte(`{nope`), true)
		_, p = c.read(t)
		require.NoError(t, json.Unmarshal(p, &r))
		require.Equal(t, int64(jsonrpc2.CodeParseError), r.Error.Code)

		// A batch is answered as one message with the array of answers.
		c.send(t, 0x1, []byte(`[{"jsonrpc":"2.0","id":10,"method":"get_verification","params":{"id":"`+v.ID+`"}},{"jsonrpc":"2.0","id":11,"method":"nope"},{"jsonrpc":"2.0","method":"list_verifications"}]`), true)
		_, p = c.read(t)
		var batch []rpcResp
		require.NoError(t, json.Unmarshal(p, &batch), string(p))
		require.Len(t, batch, 2)

		c.send(t, 0x8, binary.BigEndian.AppendUint16(nil, 1000), true)
		op, _ = c.read(t)
		require.Equal(t, byte(0x8), op)
	})
}

// A key revoked while its WebSocket is open stops working there as on REST (#17 §2): the
// next message is not served and the server closes with 1008 (policy violation); an idle
// connection is closed the same way at the next re-check.
func TestWebSocketClosesOnRevocation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		for _, idle := range []bool{false, true} {
			secret, k, err := s.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_a", Name: "ws", Mode: models.ModeTest, Scopes: scopes(t, "")})
			require.NoError(t, err)
			c, res := dialWS(t, e.srv.URL, secret)
			require.Equal(t, 101, res.StatusCode)
			c.send(t, 0x1, []byte(`{"jsonrpc":"2.0","id":1,"method":"list_verifications","params":{}}`), true)
			op, _ := c.read(t)
			require.Equal(t, byte(0x1), op, "served while the key is live")
			_, err = s.RevokeAPIKey(ctx, k.ID)
			require.NoError(t, err)
			if !idle {
				c.send(t, 0x1, []byte(`{"jsonrpc":"2.0","id":2,"method":"create_verification","params":{"checks":["screening"]}}`), true)
			}
			op, p := c.read(t) // idle: the periodic re-check (rpc.KeyRecheck) closes it
			require.Equal(t, byte(0x8), op, "idle=%v: a close frame, not an answer: %s", idle, p)
			require.Equal(t, uint16(1008), binary.BigEndian.Uint16(p[:2]))
			require.Contains(t, string(p[2:]), "revoked")
		}
		var n int
		require.NoError(t, s.DB.NewRaw(`SELECT count(*) FROM verifications`).Scan(ctx, &n))
		require.Zero(t, n, "nothing was created with the revoked key")
	})
}

func TestJSONRPCOverStdio(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s)
		jr, err := rpc.NewJSONRPC(e.Reg, "test")
		require.NoError(t, err)
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		done := make(chan error, 1)
		go func() { done <- jr.ServeStdio(context.Background(), e.Test, inR, outW, nil) }()
		client := jsonrpc2.NewConn(context.Background(), jsonrpc2.NewPlainObjectStream(pipeRW{outR, inW}), nil)
		var v tools.Verification
		require.NoError(t, client.Call(context.Background(), "create_verification", map[string]any{"checks": []string{"screening"}}, &v))
		require.Equal(t, "pending", v.Status)
		err = client.Call(context.Background(), "cancel_verification", map[string]any{"id": "ver_00000000000000000000000000"}, nil)
		var re *jsonrpc2.Error
		require.ErrorAs(t, err, &re)
		require.Equal(t, int64(rpc.CodeNotFound), re.Code)
		inW.Close()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("ServeStdio did not end when stdin closed")
		}
		client.Close()
	})
}

// startMCP connects mcp-go's Streamable HTTP client to url with the bearer key (none when
// empty) and returns it with the error of initialize; it closes when the test ends.
func startMCP(t *testing.T, url, key string) (*client.Client, error) {
	t.Helper()
	var opts []transport.StreamableHTTPCOption
	if key != "" {
		opts = append(opts, transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + key}))
	}
	c, err := client.NewStreamableHttpClient(url, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	require.NoError(t, c.Start(context.Background()))
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = "2025-11-25"
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "1"}
	_, err = c.Initialize(context.Background(), init)
	return c, err
}

type pipeRW struct {
	io.Reader
	io.WriteCloser
}

// MCP extras over Streamable HTTP with mcp-go's client: resource templates, prompts,
// progress while waiting, cancellation, rate limit.
func TestMCPExtras(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s)
		ctx := context.Background()
		connect := func(key string) *client.Client {
			c, err := startMCP(t, e.srv.URL+"/mcp", e.keys[key])
			require.NoError(t, err)
			return c
		}
		c := connect("test")
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ada Lovelace"}}, &v))

		templates, err := c.ListResourceTemplates(ctx, mcp.ListResourceTemplatesRequest{})
		require.NoError(t, err)
		uris := map[string]bool{}
		for _, tpl := range templates.ResourceTemplates {
			uris[tpl.URITemplate.Raw()] = true
		}
		require.True(t, uris["kycd://verifications/{id}"])
		require.True(t, uris["kycd://verifications/{id}/events"])

		read := func(uri string) (string, error) {
			req := mcp.ReadResourceRequest{}
			req.Params.URI = uri
			res, err := c.ReadResource(ctx, req)
			if err != nil {
				return "", err
			}
			return res.Contents[0].(mcp.TextResourceContents).Text, nil
		}
		body, err := read("kycd://verifications/" + v.ID)
		require.NoError(t, err)
		require.Contains(t, body, v.ID)
		body, err = read("kycd://verifications/" + v.ID + "/events")
		require.NoError(t, err)
		require.Contains(t, body, "verification.created")
		_, err = read("kycd://verifications/ver_00000000000000000000000000")
		require.Error(t, err)
		// The list resource is list_screening_lists; tooltest wires no screening engine, so the
		// tool's own error comes through.
		_, err = read("kycd://screening/lists")
		require.ErrorContains(t, err, "screening is not configured")

		prompts, err := c.ListPrompts(ctx, mcp.ListPromptsRequest{})
		require.NoError(t, err)
		var pnames []string
		for _, p := range prompts.Prompts {
			pnames = append(pnames, p.Name)
		}
		require.ElementsMatch(t, []string{"onboard_person", "review_case"}, pnames)
		gp := mcp.GetPromptRequest{}
		gp.Params.Name = "onboard_person"
		gp.Params.Arguments = map[string]string{"name": "Ada Lovelace", "country": "GB"}
		p, err := c.GetPrompt(ctx, gp)
		require.NoError(t, err)
		require.Contains(t, p.Messages[0].Content.(mcp.TextContent).Text, `"name":"Ada Lovelace"`)
		gp.Params.Name = "review_case"
		gp.Params.Arguments = map[string]string{"verification_id": v.ID}
		p, err = c.GetPrompt(ctx, gp)
		require.NoError(t, err)
		require.Len(t, p.Messages, 3, "instructions, the verification and its events")
		require.Contains(t, p.Messages[1].Content.(mcp.EmbeddedResource).Resource.(mcp.TextResourceContents).Text, v.ID)

		// Progress while get_verification waits; it ends when the verification is cancelled.
		var mu sync.Mutex
		var progress []float64
		c.OnNotification(func(n mcp.JSONRPCNotification) {
			if n.Method == "notifications/progress" {
				mu.Lock()
				progress = append(progress, n.Params.AdditionalFields["progress"].(float64))
				mu.Unlock()
			}
		})
		go func() {
			time.Sleep(1200 * time.Millisecond)
			_ = e.Call(t, e.Test, "cancel_verification", map[string]any{"id": v.ID}, nil)
		}()
		call := mcp.CallToolRequest{}
		call.Params.Name = "get_verification"
		call.Params.Arguments = map[string]any{"id": v.ID, "wait_seconds": 20}
		call.Params.Meta = &mcp.Meta{ProgressToken: "p1"}
		res, err := c.CallTool(ctx, call)
		require.NoError(t, err)
		require.False(t, res.IsError)
		require.Equal(t, "cancelled", res.StructuredContent.(map[string]any)["status"])
		mu.Lock()
		require.GreaterOrEqual(t, len(progress), 2, "progress notifications while waiting")
		for i := 1; i < len(progress); i++ {
			require.Greater(t, progress[i], progress[i-1])
		}
		mu.Unlock()

		// A client that gives up (cancels its context) ends the wait; the server keeps serving.
		var v2 tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, &v2))
		cctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		call.Params.Arguments = map[string]any{"id": v2.ID, "wait_seconds": 60}
		start := time.Now()
		_, err = c.CallTool(cctx, call)
		cancel()
		require.Error(t, err)
		require.Less(t, time.Since(start), 30*time.Second)
		call.Params.Arguments = map[string]any{"id": v2.ID}
		call.Params.Meta = nil
		res, err = c.CallTool(ctx, call)
		require.NoError(t, err)
		require.False(t, res.IsError)

		// The shared budget: the slow key (2/min) is refused on its third tools/call.
		slow := connect("slow")
		list := mcp.CallToolRequest{}
		list.Params.Name = "list_verifications"
		for range 2 {
			res, err = slow.CallTool(ctx, list)
			require.NoError(t, err)
			require.False(t, res.IsError)
		}
		res, err = slow.CallTool(ctx, list)
		require.NoError(t, err)
		require.True(t, res.IsError)
		require.Contains(t, res.Content[0].(mcp.TextContent).Text, "rate_limited")
	})
}

// tools/list shows a key only the tools its scopes let it call (#20): a webhooks:read key sees
// the webhook readers and nothing that creates or reviews; a key with every scope sees all.
func TestMCPToolsListFollowsScopes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	names := func(key string) []string {
		c, err := startMCP(t, e.srv.URL+"/mcp", e.keys[key])
		require.NoError(t, err)
		list, err := c.ListTools(context.Background(), mcp.ListToolsRequest{})
		require.NoError(t, err)
		var out []string
		for _, tl := range list.Tools {
			out = append(out, tl.Name)
		}
		return out
	}
	all, hooks := names("test"), names("hooks")
	keyTools := 0 // the dashboard-only scopes (keys:*) are no API key's
	for _, info := range e.Reg.Tools() {
		if slices.Contains(tools.AllScopes, info.Scope) {
			keyTools++
		}
	}
	require.Len(t, all, keyTools)
	require.Contains(t, hooks, "list_webhook_endpoints")
	require.NotContains(t, hooks, "create_verification")
	require.NotContains(t, hooks, "review_verification")
	require.Less(t, len(hooks), len(all))
	for _, n := range hooks {
		info, _ := e.Reg.Tool(n)
		require.Equal(t, tools.ScopeWebhooksRead, info.Scope, n)
	}
}

// A large WebSocket message waits for the process's upload budget like a large HTTP body
// (#17): while the budget is taken it is answered busy under its own id and the connection
// goes on; once memory is free the same message is served.
func TestWebSocketUploadBudget(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s)
		jr, err := rpc.NewJSONRPC(e.Reg, "test") // newEnv's 64 KiB limit is under tools.LargeBody
		require.NoError(t, err)
		srv := httptest.NewServer(jr.WebSocketHandler(e.auth, nil))
		t.Cleanup(srv.Close)
		c, res := dialWS(t, srv.URL, e.keys["test"])
		require.Equal(t, 101, res.StatusCode)
		old := rpc.UploadWait
		rpc.UploadWait = 200 * time.Millisecond
		defer func() { rpc.UploadWait = old }()
		hold, terr := tools.ReserveUpload(context.Background(), 1<<40, time.Second) // the whole budget
		require.Nil(t, terr)
		big := []byte(`{"jsonrpc":"2.0","id":7,"method":"get_verification","params":{"id":"ver_nope","pad":"` + strings.Repeat("A", tools.LargeBody) + `"}}`)
		c.send(t, 0x1, big, true)
		_, p := c.read(t)
		var r rpcResp
		require.NoError(t, json.Unmarshal(p, &r), string(p))
		require.NotNil(t, r.Error)
		require.Equal(t, rpc.ErrorCode(tools.CodeUnavailable), r.Error.Code, string(p))
		require.Equal(t, "7", string(r.ID))
		hold()
		c.send(t, 0x1, big, true)
		_, p = c.read(t)
		require.NoError(t, json.Unmarshal(p, &r), string(p))
		require.NotNil(t, r.Error)
		require.NotEqual(t, rpc.ErrorCode(tools.CodeUnavailable), r.Error.Code, "served once memory is free: %s", p)
	})
}
