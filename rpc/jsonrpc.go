package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

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
			"result":         map[string]any{"name": info.Name + "_result", "schema": tools.InlineDefs(info.OutputSchema)},
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

// bodyLimit is BodyLimit or, when unset, DefaultBodyLimit.
func (s *JSONRPC) bodyLimit() int64 {
	if s.BodyLimit > 0 {
		return s.BodyLimit
	}
	return DefaultBodyLimit
}

// HTTPHandler serves JSON-RPC 2.0 over plain HTTP POST: the body is one message (Handle),
// the answer the response body; a message that needs no answer (notifications only) gets
// 204 No Content.
func (s *JSONRPC) HTTPHandler(auth func(r *http.Request) (tools.Caller, *tools.Error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", "POST")
			writeRPC(w, http.StatusMethodNotAllowed, invalidRequest(nullID, "JSON-RPC over HTTP takes POST"))
			return
		}
		caller, terr := auth(r)
		if terr != nil {
			if c := terr.WWWAuthenticate(); c != "" {
				w.Header().Set("WWW-Authenticate", c)
			}
			writeRPC(w, terr.Code.HTTPStatus(), response{ID: nullID, Error: rpcError(terr)})
			return
		}
		limit := s.bodyLimit()
		if r.ContentLength > limit {
			writeBody(w, http.StatusRequestEntityTooLarge, tooLarge(limit))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeBody(w, http.StatusRequestEntityTooLarge, tooLarge(limit))
			return
		}
		if err != nil {
			writeRPC(w, http.StatusBadRequest, response{ID: nullID, Error: &jsonrpc2.Error{Code: jsonrpc2.CodeParseError, Message: "cannot read the body"}})
			return
		}
		out := s.Handle(r.Context(), caller, body)
		if out == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeBody(w, http.StatusOK, out)
	})
}

func writeRPC(w http.ResponseWriter, status int, r response) { writeBody(w, status, encode(r)) }

func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
