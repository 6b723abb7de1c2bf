package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"

	"github.com/sourcegraph/jsonrpc2"

	"github.com/kycd/kycd/tools"
)

// Application error codes of the JSON-RPC surface, one per tools.Code. Invalid input
// (malformed or invalid_argument) is the standard -32602 with the field in data.
const (
	CodeUnauthenticated  = -32001
	CodePermissionDenied = -32003
	CodeNotFound         = -32004
	CodeConflict         = -32009
	CodeTooLarge         = -32013
	CodeRateLimited      = -32029
	CodeUnavailable      = -32050
)

// ErrorCode is the JSON-RPC error code for a tool error code.
func ErrorCode(c tools.Code) int64 {
	switch c {
	case tools.CodeMalformed, tools.CodeInvalidArgument:
		return jsonrpc2.CodeInvalidParams
	case tools.CodeUnauthenticated:
		return CodeUnauthenticated
	case tools.CodePermissionDenied:
		return CodePermissionDenied
	case tools.CodeNotFound:
		return CodeNotFound
	case tools.CodeConflict:
		return CodeConflict
	case tools.CodeTooLarge:
		return CodeTooLarge
	case tools.CodeRateLimited:
		return CodeRateLimited
	case tools.CodeUnavailable:
		return CodeUnavailable
	}
	return jsonrpc2.CodeInternalError
}

// rpcError turns a tool error into a JSON-RPC error whose data is the tool error
// ({"code","message","field","retry_after_seconds"}), so programs get the field at fault.
func rpcError(e *tools.Error) *jsonrpc2.Error {
	if e == nil {
		e = tools.Errorf(tools.CodeInternal, "", "internal error")
	}
	re := &jsonrpc2.Error{Code: ErrorCode(e.Code), Message: e.Message}
	if e.Field != "" {
		re.Message = e.Field + ": " + e.Message
	}
	re.SetError(e)
	return re
}

// MaxBatch bounds the calls of one HTTP batch.
const MaxBatch = 100

// JSONRPC serves every tool of the registry as a JSON-RPC 2.0 method of the same name, with
// params the tool input and result the tool output, plus rpc.discover (OpenRPC).
type JSONRPC struct {
	reg      *tools.Registry
	version  string
	discover json.RawMessage
	// BodyLimit caps a POST /rpc body and one WebSocket message (0 = DefaultBodyLimit).
	BodyLimit int64
}

// NewJSONRPC builds the dispatcher shared by POST /rpc, /rpc/ws and stdio.
func NewJSONRPC(reg *tools.Registry, version string) (*JSONRPC, error) {
	doc, err := json.Marshal(OpenRPC(reg, version))
	if err != nil {
		return nil, fmt.Errorf("encode openrpc: %w", err)
	}
	return &JSONRPC{reg: reg, version: version, discover: doc}, nil
}

// Dispatch runs one method for caller. params is the raw params member (nil when absent).
func (s *JSONRPC) Dispatch(ctx context.Context, caller tools.Caller, method string, params json.RawMessage) (any, *jsonrpc2.Error) {
	if method == "rpc.discover" {
		return s.discover, nil
	}
	if _, ok := s.reg.Tool(method); !ok {
		return nil, &jsonrpc2.Error{Code: jsonrpc2.CodeMethodNotFound, Message: fmt.Sprintf("method %q not found; rpc.discover lists the methods", method)}
	}
	p := bytes.TrimSpace(params)
	if len(p) > 0 && p[0] == '[' {
		e := &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidParams, Message: "params must be an object (by name), not an array"}
		e.SetError(tools.Errorf(tools.CodeInvalidArgument, "params", "must be an object"))
		return nil, e
	}
	out, _, err := s.reg.CallWith(ctx, caller, method, p, tools.CallOptions{})
	if err != nil {
		return nil, rpcError(tools.AsError(err))
	}
	return out, nil
}

// rawRequest is one element of a POST /rpc body, read loosely so that each way of being
// invalid gets its own answer.
type rawRequest struct {
	JSONRPC *string          `json:"jsonrpc"`
	Method  *string          `json:"method"`
	Params  json.RawMessage  `json:"params"`
	ID      *json.RawMessage `json:"id"`
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

// HTTPHandler serves JSON-RPC 2.0 over plain HTTP POST, with batches and notifications as the
// specification has them: a batch answers with an array of the non-notification responses,
// a body of only notifications with 204 No Content.
func (s *JSONRPC) HTTPHandler(auth func(r *http.Request) (tools.Caller, *tools.Error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			writeRPC(w, http.StatusMethodNotAllowed, response{ID: nullID, Error: &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidRequest, Message: "JSON-RPC over HTTP takes POST"}})
			return
		}
		caller, terr := auth(r)
		if terr != nil {
			if terr.Code == tools.CodeUnauthenticated {
				w.Header().Set("WWW-Authenticate", `Bearer realm="kycd"`)
			}
			writeRPC(w, terr.Code.HTTPStatus(), response{ID: nullID, Error: rpcError(terr)})
			return
		}
		limit := s.bodyLimit()
		if r.ContentLength > limit {
			writeRPC(w, http.StatusRequestEntityTooLarge, response{ID: nullID, Error: rpcError(tools.Errorf(tools.CodeTooLarge, "", "the body is over the limit of %d bytes", limit))})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeRPC(w, http.StatusRequestEntityTooLarge, response{ID: nullID, Error: rpcError(tools.Errorf(tools.CodeTooLarge, "", "the body is over the limit of %d bytes", limit))})
			return
		}
		if err != nil {
			writeRPC(w, http.StatusBadRequest, response{ID: nullID, Error: &jsonrpc2.Error{Code: jsonrpc2.CodeParseError, Message: "cannot read the body"}})
			return
		}
		out, some := s.ServeBytes(r.Context(), caller, body)
		if !some {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	})
}

// ServeBytes answers one JSON-RPC message (a request, a notification or a batch). It
// returns false when there is nothing to send back (only notifications).
func (s *JSONRPC) ServeBytes(ctx context.Context, caller tools.Caller, body []byte) ([]byte, bool) {
	body = bytes.TrimSpace(body)
	if !json.Valid(body) {
		b, _ := json.Marshal(response{ID: nullID, Error: parseError()})
		return b, true
	}
	if len(body) > 0 && body[0] == '[' {
		var elems []json.RawMessage
		_ = json.Unmarshal(body, &elems)
		if len(elems) == 0 {
			b, _ := json.Marshal(response{ID: nullID, Error: &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidRequest, Message: "invalid request: an empty batch"}})
			return b, true
		}
		if len(elems) > MaxBatch {
			b, _ := json.Marshal(response{ID: nullID, Error: &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidRequest, Message: fmt.Sprintf("invalid request: a batch of %d calls; at most %d", len(elems), MaxBatch)}})
			return b, true
		}
		var out []response
		for _, el := range elems {
			if resp, ok := s.serveOne(ctx, caller, el); ok {
				out = append(out, resp)
			}
		}
		if len(out) == 0 {
			return nil, false
		}
		b, _ := json.Marshal(out)
		return b, true
	}
	resp, ok := s.serveOne(ctx, caller, body)
	if !ok {
		return nil, false
	}
	b, _ := json.Marshal(resp)
	return b, true
}

// serveOne answers one request object; ok is false for a notification.
func (s *JSONRPC) serveOne(ctx context.Context, caller tools.Caller, el json.RawMessage) (response, bool) {
	invalid := func(id json.RawMessage, msg string) (response, bool) {
		return response{ID: id, Error: &jsonrpc2.Error{Code: jsonrpc2.CodeInvalidRequest, Message: "invalid request: " + msg}}, true
	}
	var req rawRequest
	if err := json.Unmarshal(el, &req); err != nil || !bytes.HasPrefix(bytes.TrimSpace(el), []byte("{")) {
		return invalid(nullID, "each request must be a JSON object")
	}
	id := nullID
	if req.ID != nil {
		id = *req.ID
		switch t := bytes.TrimSpace(id); {
		case len(t) == 0:
		case t[0] == '"', t[0] == '-', t[0] >= '0' && t[0] <= '9', string(t) == "null":
		default:
			return invalid(nullID, "id must be a string, a number or null")
		}
	}
	if req.JSONRPC == nil || *req.JSONRPC != "2.0" {
		return invalid(id, `"jsonrpc" must be "2.0"`)
	}
	if req.Method == nil || *req.Method == "" {
		return invalid(id, `"method" must be a non-empty string`)
	}
	if p := bytes.TrimSpace(req.Params); len(p) > 0 && p[0] != '{' && p[0] != '[' {
		return invalid(id, `"params" must be an object or an array`)
	}
	result, rerr := s.Dispatch(ctx, caller, *req.Method, req.Params)
	if req.ID == nil {
		return response{}, false // a notification: done, never answered
	}
	if rerr != nil {
		return response{ID: id, Error: rerr}, true
	}
	return response{ID: id, Result: result}, true
}

func writeRPC(w http.ResponseWriter, status int, r response) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(r)
}

// streamHandler serves a jsonrpc2 stream connection (stdio, WebSocket) as caller.
func (s *JSONRPC) streamHandler(caller tools.Caller) jsonrpc2.Handler {
	return jsonrpc2.AsyncHandler(jsonrpc2.HandlerWithError(func(ctx context.Context, _ *jsonrpc2.Conn, req *jsonrpc2.Request) (any, error) {
		var params json.RawMessage
		if req.Params != nil {
			params = *req.Params
		}
		out, rerr := s.Dispatch(ctx, caller, req.Method, params)
		if rerr != nil {
			return nil, rerr
		}
		return out, nil
	}).SuppressErrClosed())
}

// ServeStream serves JSON-RPC over an object stream until it closes or ctx ends. The
// connection's errors go to logger (nil = slog.Default()) as surface.
func (s *JSONRPC) ServeStream(ctx context.Context, stream jsonrpc2.ObjectStream, caller tools.Caller, logger *slog.Logger, surface string) error {
	conn := jsonrpc2.NewConn(ctx, stream, s.streamHandler(caller), jsonrpc2.SetLogger(stdLogger(logger, surface)))
	select {
	case <-ctx.Done():
		_ = conn.Close()
	case <-conn.DisconnectNotify():
	}
	return nil
}

// ServeStdio serves JSON-RPC 2.0 over in/out (one JSON object per message) as caller.
// When in ends, the requests already read are still answered before it returns, so
// `echo '{…}' | kycd rpc` works.
func (s *JSONRPC) ServeStdio(ctx context.Context, caller tools.Caller, in io.Reader, out io.Writer, logger *slog.Logger) error {
	return s.ServeStream(ctx, &drainingStream{ObjectStream: jsonrpc2.NewPlainObjectStream(stdioRW{in, out})}, caller, logger, "rpc")
}

// drainingStream holds back the end of input until every request read has been answered.
type drainingStream struct {
	jsonrpc2.ObjectStream
	mu      sync.Mutex
	pending int
	idle    *sync.Cond
}

func (d *drainingStream) cond() *sync.Cond {
	if d.idle == nil {
		d.idle = sync.NewCond(&d.mu)
	}
	return d.idle
}

// ReadObject counts each request that expects an answer; at the end of input it waits for them.
func (d *drainingStream) ReadObject(v any) error {
	err := d.ObjectStream.ReadObject(v)
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil {
		for d.pending > 0 {
			d.cond().Wait()
		}
		return err
	}
	if m, id := probe(v); m && id {
		d.pending++
	}
	return nil
}

// probe reports whether a message has a method and an id (jsonrpc2's message type is
// unexported, so look at its JSON).
func probe(v any) (method, id bool) {
	b, err := json.Marshal(v)
	if err != nil {
		return false, false
	}
	var p struct {
		Method *string          `json:"method"`
		ID     *json.RawMessage `json:"id"`
	}
	if json.Unmarshal(b, &p) != nil {
		return false, false
	}
	return p.Method != nil, p.ID != nil
}

func isResponse(v any) bool {
	m, id := probe(v)
	return !m && id
}

// WriteObject sends a message; a response settles one pending request.
func (d *drainingStream) WriteObject(obj any) error {
	err := d.ObjectStream.WriteObject(obj)
	if isResponse(obj) {
		d.mu.Lock()
		if d.pending > 0 {
			d.pending--
		}
		d.cond().Broadcast()
		d.mu.Unlock()
	}
	return err
}

type stdioRW struct {
	io.Reader
	io.Writer
}

func (stdioRW) Close() error { return nil }

// methodErrors is the error list each method advertises in OpenRPC.
func methodErrors() []any {
	list := []struct {
		code int64
		msg  string
	}{
		{jsonrpc2.CodeInvalidParams, "invalid params: data.field names the input field at fault"},
		{CodeUnauthenticated, "unauthenticated: missing, unknown or revoked API key"},
		{CodePermissionDenied, "permission denied: the key lacks the scope"},
		{CodeNotFound, "not found in this account and mode"},
		{CodeConflict, "conflict: the object's state does not allow this, or the idempotency key was used with other params"},
		{CodeTooLarge, "too large"},
		{CodeRateLimited, "rate limited: data.retry_after_seconds says when to retry"},
		{CodeUnavailable, "unavailable: a dependency is down or the call was cancelled; retry"},
		{jsonrpc2.CodeInternalError, "internal error; details are logged, not shown"},
	}
	out := make([]any, len(list))
	for i, e := range list {
		out[i] = map[string]any{"code": e.code, "message": e.msg}
	}
	return out
}

// OpenRPC generates the OpenRPC 1.3 document of every tool, for rpc.discover.
func OpenRPC(reg *tools.Registry, version string) map[string]any {
	var methods []any
	for _, info := range reg.Tools() {
		var in struct {
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
		}
		_ = json.Unmarshal(info.InputSchema, &in)
		var params []any
		for _, name := range sortedNames(in.Properties) {
			var schema map[string]any
			_ = json.Unmarshal(in.Properties[name], &schema)
			desc, _ := schema["description"].(string)
			params = append(params, map[string]any{"name": name, "description": desc, "required": slices.Contains(in.Required, name), "schema": schema})
		}
		if params == nil {
			params = []any{}
		}
		methods = append(methods, map[string]any{
			"name":           info.Name,
			"summary":        info.Title,
			"description":    info.Description,
			"paramStructure": "by-name",
			"params":         params,
			"result":         map[string]any{"name": info.Name + "_result", "schema": json.RawMessage(info.OutputSchema)},
			"errors":         methodErrors(),
			"x-scope":        string(info.Scope),
		})
	}
	return map[string]any{
		"openrpc": "1.3.2",
		"info": map[string]any{"title": "kycd JSON-RPC", "version": version,
			"description": "Every kycd tool as a JSON-RPC 2.0 method: params by name are the tool input, the result is the tool output."},
		"methods": methods,
	}
}

func sortedNames(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func parseError() *jsonrpc2.Error {
	return &jsonrpc2.Error{Code: jsonrpc2.CodeParseError, Message: "parse error: the message is not valid JSON"}
}

// bodyLimit is BodyLimit or, when unset, DefaultBodyLimit.
func (s *JSONRPC) bodyLimit() int64 {
	if s.BodyLimit > 0 {
		return s.BodyLimit
	}
	return DefaultBodyLimit
}
