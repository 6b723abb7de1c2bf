package rpc

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kycd/kycd/tools"
)

// resourceError is why a kycd resource cannot be read (the error of the tool behind it), or
// why a prompt cannot be got (uri empty).
type resourceError struct {
	uri string
	err *tools.Error
}

func (e *resourceError) Error() string {
	if e.uri == "" {
		return e.err.Message
	}
	if e.missing() {
		return fmt.Sprintf("resource not found: %s (%s)", e.uri, e.err.Message)
	}
	return fmt.Sprintf("resource %s: %s", e.uri, e.err.Message)
}

// missing reports an error that means the resource does not exist for this caller: not found
// (nor in another account), a malformed id, or a key without the scope to read it (such a
// key is not shown the resource in the lists either).
func (e *resourceError) missing() bool {
	switch e.err.Code {
	case tools.CodeNotFound, tools.CodeInvalidArgument, tools.CodeMalformed, tools.CodePermissionDenied, tools.CodeUnauthenticated:
		return true
	}
	return false
}

// code is the JSON-RPC error code for the request's protocol version: a missing resource is
// -32602 from 2026-07-28 on (SEP-2164) and -32002 before; any other tool error has the code
// the JSON-RPC surface gives it (rate limited -32029, unavailable -32050, …).
func (e *resourceError) code(ctx context.Context) int {
	if !e.missing() {
		return int(ErrorCode(e.err.Code))
	}
	return resourceMissingCode(ctx)
}

func resourceMissingCode(ctx context.Context) int {
	if mcp.IsModernProtocol(server.RequestProtocolVersion(ctx)) {
		return mcp.INVALID_PARAMS
	}
	return mcp.RESOURCE_NOT_FOUND
}

// resourceErrorHook gives a failed resources/read the error code and data the MCP
// specification asks for. mcp-go v1.2.1 sends every error a resource handler returns as
// -32603 (internal error) and has no typed error to say otherwise; its own "no such resource"
// path picks the right code per protocol version but sends no data.uri. The hook runs just
// before the error is encoded and sets code and data on it; see setRequestError.
//
// prompts/get gets the same treatment: a required argument left out, or a verification that
// does not exist (review_case reads the resources), is an invalid argument (-32602), not an
// internal error.
func resourceErrorHook(ctx context.Context, _ any, method mcp.MCPMethod, message any, err error) {
	var re *resourceError
	if method == mcp.MethodPromptsGet && errors.As(err, &re) {
		code := int(ErrorCode(re.err.Code))
		if re.missing() {
			code = mcp.INVALID_PARAMS
		}
		data := map[string]any{"error": re.err}
		if re.uri != "" {
			data["uri"] = re.uri
		}
		setRequestError(err, code, data)
		return
	}
	if method != mcp.MethodResourcesRead {
		return
	}
	uri := ""
	if req, ok := message.(*mcp.ReadResourceRequest); ok {
		uri = req.Params.URI
	}
	switch {
	case errors.As(err, &re):
		data := map[string]any{"uri": re.uri, "error": re.err}
		setRequestError(err, re.code(ctx), data)
	case errors.Is(err, server.ErrResourceNotFound):
		setRequestError(err, resourceMissingCode(ctx), map[string]any{"uri": uri})
	}
}

// setRequestError sets the code and data of mcp-go's unexported *requestError, the error
// value its OnError hooks receive and it then encodes. It checks the type and fields it
// expects and does nothing otherwise (the answer stays -32603), so an mcp-go upgrade that
// changes them degrades to the old behaviour and TestMCPResourceErrors fails. Remove this once
// mcp-go lets a resource handler return a JSON-RPC error of its own.
func setRequestError(err error, code int, data any) bool {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return false
	}
	e := v.Elem()
	if t := e.Type(); t.Kind() != reflect.Struct || t.Name() != "requestError" || t.PkgPath() != "github.com/mark3labs/mcp-go/server" {
		return false
	}
	cf, df := e.FieldByName("code"), e.FieldByName("data")
	if !cf.IsValid() || cf.Kind() != reflect.Int || !df.IsValid() || df.Kind() != reflect.Interface || df.NumMethod() != 0 {
		return false
	}
	reflect.NewAt(cf.Type(), unsafe.Pointer(cf.UnsafeAddr())).Elem().SetInt(int64(code))
	dv := reflect.Zero(df.Type())
	if data != nil {
		dv = reflect.ValueOf(data)
	}
	reflect.NewAt(df.Type(), unsafe.Pointer(df.UnsafeAddr())).Elem().Set(dv)
	return true
}

// visibility lists, for each resource, resource template and prompt of kycd, the tools it
// calls: a caller sees it in the lists only when it may call every one of them.
type visibility struct {
	reg   *tools.Registry
	needs map[string][]string
}

func (v visibility) visible(ctx context.Context, name string) bool {
	need, ours := v.needs[name]
	if !ours {
		return true // not kycd's (the conformance fixtures)
	}
	caller, ok := CallerFrom(ctx)
	if !ok {
		return false
	}
	for _, tool := range need {
		info, ok := v.reg.Tool(tool)
		if !ok || !caller.May(info) {
			return false
		}
	}
	return true
}

// hooks filters resources/list and resources/templates/list by the caller, and sets the
// errors of resources/read.
func (v visibility) hooks() *server.Hooks {
	h := &server.Hooks{}
	h.AddOnError(resourceErrorHook)
	h.AddOnError(protocolErrorHook)
	h.AddAfterListResources(func(ctx context.Context, _ any, _ *mcp.ListResourcesRequest, res *mcp.ListResourcesResult) {
		if res == nil {
			return
		}
		kept := res.Resources[:0:0]
		for _, r := range res.Resources {
			if v.visible(ctx, r.URI) {
				kept = append(kept, r)
			}
		}
		res.Resources = kept
	})
	h.AddAfterListResourceTemplates(func(ctx context.Context, _ any, _ *mcp.ListResourceTemplatesRequest, res *mcp.ListResourceTemplatesResult) {
		if res == nil {
			return
		}
		kept := res.ResourceTemplates[:0:0]
		for _, t := range res.ResourceTemplates {
			if t.URITemplate != nil && v.visible(ctx, t.URITemplate.Raw()) {
				kept = append(kept, t)
			}
		}
		res.ResourceTemplates = kept
	})
	return h
}

// promptFilter lists only the prompts whose tools the caller may call.
func (v visibility) promptFilter(ctx context.Context, prompts []mcp.Prompt) []mcp.Prompt {
	kept := prompts[:0:0]
	for _, p := range prompts {
		if v.visible(ctx, "prompt:"+p.Name) {
			kept = append(kept, p)
		}
	}
	return kept
}
