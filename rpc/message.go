package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/sourcegraph/jsonrpc2"

	"github.com/kycd/kycd/tools"
)

// Handle answers one JSON-RPC 2.0 message — a request, a notification or a batch — exactly
// as the specification (jsonrpc.org/specification) has it, and returns the bytes to send
// back, or nil when there is nothing to send (a notification, a batch of notifications).
// It is the whole protocol: HTTP, WebSocket and stdio only frame messages and call it, so
// the three transports cannot answer the same message differently.
//
//   - Not JSON: -32700 with id null.
//   - An empty array, or a value that is neither an object nor an array: one -32600, id null.
//   - A batch: each element answered on its own (a non-object element is a -32600, id null);
//     the array of the answers, or nothing when every element was a notification.
//   - An id that is present but not a string, a number or null: -32600, id null. Any other id,
//     null and fractional numbers included, is echoed back byte for byte. A request with
//     "id": null is a request (answered); only a missing id makes a notification.
//   - "jsonrpc" other than "2.0", "method" not a string, "params" present but not an object
//     or an array: -32600 — answered even without an id, since a message that is not a valid
//     Request cannot be a valid notification either.
func (s *JSONRPC) Handle(ctx context.Context, caller tools.Caller, msg []byte) []byte {
	msg = bytes.TrimSpace(msg)
	if !json.Valid(msg) {
		return encode(response{ID: nullID, Error: parseError()})
	}
	switch msg[0] {
	case '[':
		var elems []json.RawMessage
		_ = json.Unmarshal(msg, &elems) // valid JSON starting with [ is an array
		if len(elems) == 0 {
			return encode(invalidRequest(nullID, "an empty batch"))
		}
		if len(elems) > MaxBatch {
			return encode(invalidRequest(nullID, fmt.Sprintf("a batch of %d calls; at most %d", len(elems), MaxBatch)))
		}
		var out [][]byte
		for _, el := range elems {
			if resp, ok := s.handleOne(ctx, caller, el); ok {
				out = append(out, encode(resp))
			}
		}
		if len(out) == 0 {
			return nil
		}
		return append(append([]byte{'['}, bytes.Join(out, []byte{','})...), ']')
	default:
		resp, ok := s.handleOne(ctx, caller, msg)
		if !ok {
			return nil
		}
		return encode(resp)
	}
}

// handleOne answers one element: a request object or anything else found in its place. ok is
// false for a valid notification, which is run but never answered.
func (s *JSONRPC) handleOne(ctx context.Context, caller tools.Caller, el json.RawMessage) (response, bool) {
	var members map[string]json.RawMessage
	if el = bytes.TrimSpace(el); len(el) == 0 || el[0] != '{' || json.Unmarshal(el, &members) != nil {
		return invalidRequest(nullID, "a request must be a JSON object"), true
	}
	rawID, hasID := members["id"]
	id := nullID
	if hasID {
		switch c := rawID[0]; {
		case c == '"', c == '-', c >= '0' && c <= '9', string(rawID) == "null":
			id = rawID
		default:
			return invalidRequest(nullID, `"id" must be a string, a number or null`), true
		}
	}
	var version string
	if v, ok := members["jsonrpc"]; !ok || json.Unmarshal(v, &version) != nil || version != "2.0" {
		return invalidRequest(id, `"jsonrpc" must be exactly "2.0"`), true
	}
	var method string
	if m, ok := members["method"]; !ok || m[0] != '"' || json.Unmarshal(m, &method) != nil {
		return invalidRequest(id, `"method" must be a string`), true
	}
	params, hasParams := members["params"]
	if hasParams && params[0] != '{' && params[0] != '[' {
		return invalidRequest(id, `"params", when present, must be an object or an array`), true
	}
	result, rerr := s.Dispatch(ctx, caller, method, params)
	if !hasID {
		return response{}, false
	}
	if rerr != nil {
		return response{ID: id, Error: rerr}, true
	}
	return response{ID: id, Result: result}, true
}

// response is a JSON-RPC 2.0 response object.
type response struct {
	ID     json.RawMessage
	Result any
	Error  *jsonrpc2.Error
}

// MarshalJSON writes result even when it is null, and never both result and error.
func (r response) MarshalJSON() ([]byte, error) {
	m := map[string]any{"jsonrpc": "2.0", "id": r.ID}
	if r.Error != nil {
		m["error"] = r.Error
	} else {
		m["result"] = r.Result
	}
	return json.Marshal(m)
}

var nullID = json.RawMessage("null")

func invalidRequest(id json.RawMessage, why string) response {
	return response{ID: id, Error: &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidRequest, Message: "invalid request: " + why}}
}

func parseError() *jsonrpc2.Error {
	return &jsonrpc2.Error{Code: jsonrpc2.CodeParseError, Message: "parse error: the message is not valid JSON"}
}

// tooLarge is the answer to a message over the size limit, whose id cannot be known.
func tooLarge(limit int64) []byte {
	return encode(response{ID: nullID, Error: rpcError(tools.Errorf(tools.CodeTooLarge, "", "the message is over the limit of %d bytes", limit))})
}

// encode marshals a response. A tool output that cannot be encoded is an internal error of
// its request rather than a lost answer.
func encode(r response) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		b, _ = json.Marshal(response{ID: r.ID, Error: rpcError(nil)})
	}
	return b
}
