package rpc_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sourcegraph/jsonrpc2"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/rpc"
)

// answer is what the test checks of one response: its id, verbatim, and its error code
// (0 for a result).
type answer struct {
	id   string
	code int64
}

// specCase is one message and what every transport must answer: nothing (none), one
// response (one) or an array (batch, in any order).
type specCase struct {
	name  string
	msg   string
	none  bool
	one   *answer
	batch []answer
}

func ok(id string) *answer               { return &answer{id, 0} }
func fail(id string, code int64) *answer { return &answer{id, code} }

// specCases are the examples of the JSON-RPC 2.0 specification, section 7, with kycd's
// methods (list_verifications for subtract/sum, get_verification for get_data), and the
// cases that the transports used to answer differently.
var specCases = []specCase{
	{name: "named params", msg: `{"jsonrpc":"2.0","method":"list_verifications","params":{"limit":1},"id":3}`, one: ok("3")},
	{name: "positional params", msg: `{"jsonrpc":"2.0","method":"list_verifications","params":[42,23],"id":1}`, one: fail("1", jsonrpc2.CodeInvalidParams)},
	{name: "notification", msg: `{"jsonrpc":"2.0","method":"list_verifications","params":{}}`, none: true},
	{name: "notification of no method", msg: `{"jsonrpc":"2.0","method":"foobar"}`, none: true},
	{name: "non-existent method", msg: `{"jsonrpc":"2.0","method":"foobar","id":"1"}`, one: fail(`"1"`, jsonrpc2.CodeMethodNotFound)},
	{name: "invalid JSON", msg: `{"jsonrpc":"2.0","method":"foobar,"params":"bar","baz]`, one: fail("null", jsonrpc2.CodeParseError)},
	{name: "invalid request object", msg: `{"jsonrpc":"2.0","method":1,"params":"bar"}`, one: fail("null", jsonrpc2.CodeInvalidRequest)},
	{name: "batch, invalid JSON", msg: `[{"jsonrpc":"2.0","method":"list_verifications","params":{},"id":"1"},{"jsonrpc":"2.0","method"]`, one: fail("null", jsonrpc2.CodeParseError)},
	{name: "empty array", msg: `[]`, one: fail("null", jsonrpc2.CodeInvalidRequest)},
	{name: "invalid batch of one", msg: `[1]`, batch: []answer{{"null", jsonrpc2.CodeInvalidRequest}}},
	{name: "invalid batch", msg: `[1,2,3]`, batch: []answer{{"null", jsonrpc2.CodeInvalidRequest}, {"null", jsonrpc2.CodeInvalidRequest}, {"null", jsonrpc2.CodeInvalidRequest}}},
	{name: "batch", msg: `[
		{"jsonrpc":"2.0","method":"list_verifications","params":{"limit":2},"id":"1"},
		{"jsonrpc":"2.0","method":"list_verifications","params":{}},
		{"jsonrpc":"2.0","method":"list_verifications","params":{"limit":3},"id":"2"},
		{"foo":"boo"},
		{"jsonrpc":"2.0","method":"foo.get","params":{"name":"myself"},"id":"5"},
		{"jsonrpc":"2.0","method":"get_verification","params":{"id":"ver_00000000000000000000000000"},"id":"9"}
	]`, batch: []answer{{`"1"`, 0}, {`"2"`, 0}, {"null", jsonrpc2.CodeInvalidRequest}, {`"5"`, jsonrpc2.CodeMethodNotFound}, {`"9"`, rpc.CodeNotFound}}},
	{name: "batch of notifications", msg: `[{"jsonrpc":"2.0","method":"list_verifications","params":{}},{"jsonrpc":"2.0","method":"foobar"}]`, none: true},

	{name: "null id is a request", msg: `{"jsonrpc":"2.0","method":"list_verifications","id":null}`, one: ok("null")},
	{name: "fractional id echoed", msg: `{"jsonrpc":"2.0","method":"list_verifications","id":1.5}`, one: ok("1.5")},
	{name: "exponent id echoed verbatim", msg: `{"jsonrpc":"2.0","method":"list_verifications","id":-2.50e3}`, one: ok("-2.50e3")},
	{name: "huge id echoed verbatim", msg: `{"jsonrpc":"2.0","method":"list_verifications","id":123456789012345678901234567890}`, one: ok("123456789012345678901234567890")},
	{name: "boolean id", msg: `{"jsonrpc":"2.0","method":"list_verifications","id":true}`, one: fail("null", jsonrpc2.CodeInvalidRequest)},
	{name: "object id", msg: `{"jsonrpc":"2.0","method":"list_verifications","id":{}}`, one: fail("null", jsonrpc2.CodeInvalidRequest)},
	{name: "method not a string", msg: `{"jsonrpc":"2.0","method":1,"id":4}`, one: fail("4", jsonrpc2.CodeInvalidRequest)},
	{name: "jsonrpc 1.0", msg: `{"jsonrpc":"1.0","method":"list_verifications","id":5}`, one: fail("5", jsonrpc2.CodeInvalidRequest)},
	{name: "jsonrpc missing", msg: `{"method":"list_verifications","id":5}`, one: fail("5", jsonrpc2.CodeInvalidRequest)},
	{name: "jsonrpc a number", msg: `{"jsonrpc":2.0,"method":"list_verifications","id":5}`, one: fail("5", jsonrpc2.CodeInvalidRequest)},
	{name: "params a string", msg: `{"jsonrpc":"2.0","method":"list_verifications","params":"x","id":6}`, one: fail("6", jsonrpc2.CodeInvalidRequest)},
	{name: "params null", msg: `{"jsonrpc":"2.0","method":"list_verifications","params":null,"id":6}`, one: fail("6", jsonrpc2.CodeInvalidRequest)},
	{name: "invalid notification is answered", msg: `{"jsonrpc":"1.0","method":"list_verifications"}`, one: fail("null", jsonrpc2.CodeInvalidRequest)},
	{name: "bare method only", msg: `{"method":1}`, one: fail("null", jsonrpc2.CodeInvalidRequest)},
	{name: "a string", msg: `"x"`, one: fail("null", jsonrpc2.CodeInvalidRequest)},
	{name: "a number", msg: `42`, one: fail("null", jsonrpc2.CodeInvalidRequest)},
	{name: "empty method", msg: `{"jsonrpc":"2.0","method":"","id":7}`, one: fail("7", jsonrpc2.CodeMethodNotFound)},
	{name: "tool error", msg: `{"jsonrpc":"2.0","method":"get_verification","params":{"id":7},"id":8}`, one: fail("8", jsonrpc2.CodeInvalidParams)},
	{name: "discover", msg: `{"jsonrpc":"2.0","method":"rpc.discover","id":"d"}`, one: ok(`"d"`)},
}

// parseAnswers reads an answer: nil for no answer, else the responses (batch tells which form).
func parseAnswers(t *testing.T, raw []byte) (answers []answer, batch bool) {
	t.Helper()
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	var list []json.RawMessage
	if batch = raw[0] == '['; batch {
		require.NoError(t, json.Unmarshal(raw, &list), string(raw))
	} else {
		list = []json.RawMessage{raw}
	}
	for _, el := range list {
		var r rpcResp
		var members map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(el, &members), string(el))
		require.Contains(t, members, "id", "a response always has an id: %s", el)
		_, hasResult := members["result"]
		_, hasError := members["error"]
		require.True(t, hasResult != hasError, "exactly one of result and error: %s", el)
		require.NoError(t, json.Unmarshal(el, &r))
		require.Equal(t, "2.0", r.JSONRPC)
		a := answer{id: string(r.ID)}
		if r.Error != nil {
			a.code = r.Error.Code
			require.NotEmpty(t, r.Error.Message)
		}
		answers = append(answers, a)
	}
	return answers, batch
}

func checkAnswer(t *testing.T, c specCase, raw []byte) {
	t.Helper()
	got, batch := parseAnswers(t, raw)
	switch {
	case c.none:
		require.Empty(t, raw, "no answer expected")
	case c.one != nil:
		require.False(t, batch, "one response, not an array: %s", raw)
		require.Equal(t, []answer{*c.one}, got, string(raw))
	default:
		require.True(t, batch, "an array: %s", raw)
		sortAnswers(got)
		want := append([]answer(nil), c.batch...)
		sortAnswers(want)
		require.Equal(t, want, got, string(raw))
	}
}

func sortAnswers(a []answer) {
	sort.Slice(a, func(i, j int) bool { return fmt.Sprint(a[i]) < fmt.Sprint(a[j]) })
}

// sender sends one message on a fresh connection and returns all it answered.
type sender func(t *testing.T, msg string) []byte

// TestJSONRPCSpec runs the specification's examples on every transport: each must answer
// every message alike, and a bad message never ends the stream.
func TestJSONRPCSpec(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := newEnv(t, s)
		jr, err := rpc.NewJSONRPC(e.Reg, "test")
		require.NoError(t, err)
		transports := map[string]sender{
			"http": func(t *testing.T, msg string) []byte {
				st, b := e.post(t, "test", msg)
				if len(b) == 0 {
					require.Equal(t, 204, st)
				} else {
					require.Equal(t, 200, st, string(b))
				}
				return b
			},
			"websocket": func(t *testing.T, msg string) []byte {
				c, res := dialWS(t, e.srv.URL, e.keys["test"])
				require.Equal(t, 101, res.StatusCode)
				c.send(t, 0x1, []byte(msg), true)
				c.send(t, 0x8, binary.BigEndian.AppendUint16(nil, 1000), true)
				var all [][]byte
				for {
					op, p := c.read(t)
					if op == 0x8 {
						break
					}
					require.Equal(t, byte(0x1), op)
					all = append(all, p)
				}
				require.LessOrEqual(t, len(all), 1, "one answer per message")
				return bytes.Join(all, nil)
			},
			"stdio": func(t *testing.T, msg string) []byte {
				// One message a line: the multi-line batch example goes on one line.
				lines := stdio(t, jr, e, strings.ReplaceAll(msg, "\n", "")+"\n")
				require.LessOrEqual(t, len(lines), 1, "one answer per message")
				return bytes.Join(lines, nil)
			},
		}
		for name, send := range transports {
			t.Run(name, func(t *testing.T) {
				for _, c := range specCases {
					t.Run(c.name, func(t *testing.T) { checkAnswer(t, c, send(t, c.msg)) })
				}
			})
		}

		// stdio carries on after every kind of bad line, answers a batch, and skips a line
		// over the limit with an error object.
		jr.BodyLimit = 4096
		var in strings.Builder
		for _, c := range specCases {
			in.WriteString(strings.ReplaceAll(c.msg, "\n", "") + "\n")
		}
		in.WriteString("\n  \r\n") // blank lines are no messages
		in.WriteString(`{"jsonrpc":"2.0","method":"list_verifications","params":{"external_ref":"` + strings.Repeat("a", 5000) + `"},"id":"long"}` + "\n")
		in.WriteString(`{"jsonrpc":"2.0","method":"list_verifications","id":"last"}`) // no final newline
		lines := stdio(t, jr, e, in.String())
		want := 2 // the long line's error and the last request
		for _, c := range specCases {
			if !c.none {
				want++
			}
		}
		require.Len(t, lines, want)
		var sawTooLarge, sawLast bool
		for _, l := range lines {
			got, _ := parseAnswers(t, l)
			if len(got) == 1 && got[0] == (answer{"null", rpc.CodeTooLarge}) {
				sawTooLarge = true
			}
			if len(got) == 1 && got[0] == (answer{`"last"`, 0}) {
				sawLast = true
			}
		}
		require.True(t, sawTooLarge, "the long line is answered with -32013")
		require.True(t, sawLast, "the stream goes on after it")
	})
}

// stdio runs ServeStdio on in until it returns and gives back the lines it wrote.
func stdio(t *testing.T, jr *rpc.JSONRPC, e *env, in string) [][]byte {
	t.Helper()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- jr.ServeStdio(context.Background(), e.Test, strings.NewReader(in), &out, nil) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("ServeStdio did not return at the end of input")
	}
	var lines [][]byte
	sc := bufio.NewScanner(&out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	return lines
}
