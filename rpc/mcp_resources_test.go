package rpc_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/tools"
)

// mcpAnswer is a JSON-RPC answer read from a JSON or an SSE response body.
type mcpAnswer = rpcResp

func decodeMCP(t *testing.T, body string) mcpAnswer {
	t.Helper()
	if i := strings.Index(body, "data: "); strings.HasPrefix(body, "event:") || strings.HasPrefix(body, "id:") || i == 0 {
		body = strings.SplitN(body[i+len("data: "):], "\n", 2)[0]
	}
	var a mcpAnswer
	require.NoError(t, json.Unmarshal([]byte(body), &a), body)
	return a
}

// mcpClient speaks raw Streamable HTTP in one protocol era, as one key.
type mcpClient struct {
	url, key, session string
	modern            bool
}

func (c *mcpClient) call(t *testing.T, method mcp.MCPMethod, params map[string]any) mcpAnswer {
	t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	h := map[string]string{}
	if c.modern {
		params["_meta"] = map[string]any{mcp.MetaKeyProtocolVersion: mcp.ProtocolVersion20260728,
			mcp.MetaKeyClientInfo: map[string]any{"name": "t", "version": "1"}, mcp.MetaKeyClientCapabilities: map[string]any{}}
		h[mcp.HeaderProtocolVersion] = mcp.ProtocolVersion20260728
		h[mcp.HeaderMethod] = string(method)
		raw, _ := json.Marshal(params)
		if name, ok := mcp.ExtractHeaderName(method, raw); ok {
			enc, _ := mcp.EncodeHeaderValue(name)
			h[mcp.HeaderName] = enc
		}
	} else {
		h[mcp.HeaderSessionID] = c.session
		h[mcp.HeaderProtocolVersion] = "2025-11-25"
	}
	body, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	res, out := mcpHTTP(t, "POST", c.url, c.key, h, string(body))
	a := decodeMCP(t, out)
	if c.modern && a.Error != nil && a.Error.Code == mcp.INVALID_PARAMS {
		require.Equal(t, http.StatusBadRequest, res.StatusCode, "2026-07-28 sends invalid params with 400: %s", out)
	} else {
		require.Equal(t, http.StatusOK, res.StatusCode, out)
	}
	return a
}

func legacyClient(t *testing.T, e *env, key string) *mcpClient {
	t.Helper()
	c := &mcpClient{url: e.srv.URL + "/mcp", key: e.keys[key]}
	res, body := mcpHTTP(t, "POST", c.url, c.key, nil, mcpInit)
	require.Equal(t, 200, res.StatusCode, body)
	c.session = res.Header.Get(mcp.HeaderSessionID)
	res, _ = mcpHTTP(t, "POST", c.url, c.key, map[string]string{mcp.HeaderSessionID: c.session, mcp.HeaderProtocolVersion: "2025-11-25"}, mcpReady)
	require.Equal(t, 202, res.StatusCode)
	return c
}

// resources/read answers a missing resource with the code of the request's protocol
// version and data.uri, and lists show only what the key's scopes can read.
func TestMCPResourceErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t))
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, &v))
	read := func(c *mcpClient, uri string) mcpAnswer {
		return c.call(t, mcp.MethodResourcesRead, map[string]any{"uri": uri})
	}
	missing := func(a mcpAnswer, code int64, uri string) {
		t.Helper()
		require.NotNil(t, a.Error, "an error for %s", uri)
		require.Equal(t, code, a.Error.Code, "%s: %s", uri, a.Error.Message)
		require.Equal(t, uri, a.Error.Data["uri"])
	}
	absent := []string{
		"kycd://verifications/ver_00000000000000000000000000",        // no such verification
		"kycd://verifications/ver_00000000000000000000000000/events", // nor its events
		"kycd://verifications/not-an-id",                             // malformed id
		"kycd://nothing/here",                                        // no such resource at all
	}

	legacy := legacyClient(t, e, "test")
	a := read(legacy, "kycd://verifications/"+v.ID)
	require.Nil(t, a.Error)
	require.Contains(t, string(a.Result), v.ID)
	for _, uri := range absent {
		missing(read(legacy, uri), mcp.RESOURCE_NOT_FOUND, uri)
	}
	// Another tool error keeps the code the JSON-RPC surface gives it (here: no screening engine).
	a = read(legacy, "kycd://screening/lists")
	require.NotNil(t, a.Error)
	require.Equal(t, int64(-32050), a.Error.Code, a.Error.Message)

	modern := &mcpClient{url: e.srv.URL + "/mcp", key: e.keys["test"], modern: true}
	a = read(modern, "kycd://verifications/"+v.ID)
	require.Nil(t, a.Error)
	for _, uri := range absent {
		missing(read(modern, uri), mcp.INVALID_PARAMS, uri)
	}

	// A missing verification in review_case is an invalid argument, not an internal error.
	a = legacy.call(t, mcp.MethodPromptsGet, map[string]any{"name": "review_case", "arguments": map[string]any{"verification_id": "ver_00000000000000000000000000"}})
	require.NotNil(t, a.Error)
	require.Equal(t, int64(mcp.INVALID_PARAMS), a.Error.Code, a.Error.Message)
	a = legacy.call(t, mcp.MethodPromptsGet, map[string]any{"name": "onboard_person", "arguments": map[string]any{"name": " "}})
	require.NotNil(t, a.Error)
	require.Equal(t, int64(mcp.INVALID_PARAMS), a.Error.Code, "a required argument left out: %s", a.Error.Message)

	// Lists by scope: all for a full key; the templates and review_case need
	// verifications:read, onboard_person verifications:write.
	names := func(c *mcpClient) (templates, resources, prompts []string) {
		var tl mcp.ListResourceTemplatesResult
		require.NoError(t, json.Unmarshal(c.call(t, mcp.MethodResourcesTemplatesList, nil).Result, &tl))
		for _, x := range tl.ResourceTemplates {
			templates = append(templates, x.URITemplate.Raw())
		}
		var rl mcp.ListResourcesResult
		require.NoError(t, json.Unmarshal(c.call(t, mcp.MethodResourcesList, nil).Result, &rl))
		for _, x := range rl.Resources {
			resources = append(resources, x.URI)
		}
		var pl mcp.ListPromptsResult
		require.NoError(t, json.Unmarshal(c.call(t, mcp.MethodPromptsList, nil).Result, &pl))
		for _, x := range pl.Prompts {
			prompts = append(prompts, x.Name)
		}
		return
	}
	tpl, res, pr := names(legacy)
	require.ElementsMatch(t, []string{"kycd://verifications/{id}", "kycd://verifications/{id}/events", "kycd://tools/{name}"}, tpl)
	require.ElementsMatch(t, []string{"kycd://screening/lists", "kycd://sandbox"}, res)
	require.ElementsMatch(t, []string{"onboard_person", "review_case"}, pr)
	tpl, res, pr = names(&mcpClient{url: e.srv.URL + "/mcp", key: e.keys["write"], modern: true})
	require.Equal(t, []string{"kycd://tools/{name}"}, tpl)
	require.Empty(t, res)
	require.Equal(t, []string{"onboard_person"}, pr)

	hooks := legacyClient(t, e, "hooks")
	tpl, res, pr = names(hooks)
	require.Equal(t, []string{"kycd://tools/{name}"}, tpl)
	require.Empty(t, res)
	require.Empty(t, pr)
	// What a key cannot read does not exist for it.
	missing(read(hooks, "kycd://verifications/"+v.ID), mcp.RESOURCE_NOT_FOUND, "kycd://verifications/"+v.ID)
	a = hooks.call(t, mcp.MethodPromptsGet, map[string]any{"name": "review_case", "arguments": map[string]any{"verification_id": v.ID}})
	require.NotNil(t, a.Error, "a hidden prompt cannot be got either")

	// kycd://tools/{name}: the full schemas of a tool the key may call, and of no other.
	a = read(legacy, "kycd://tools/get_verification")
	require.Nil(t, a.Error)
	var rr struct{ Contents []struct{ Text string } }
	require.NoError(t, json.Unmarshal(a.Result, &rr))
	require.Len(t, rr.Contents, 1)
	var doc struct {
		Scope        string
		OutputSchema struct {
			Properties map[string]struct {
				Description string
				Properties  map[string]any
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(rr.Contents[0].Text), &doc))
	require.Equal(t, "verifications:read", doc.Scope)
	require.NotEmpty(t, doc.OutputSchema.Properties["status"].Description, "the resource has the descriptions tools/list leaves out")
	require.NotEmpty(t, doc.OutputSchema.Properties["result"].Properties, "and the nested fields")
	missing(read(hooks, "kycd://tools/get_verification"), mcp.RESOURCE_NOT_FOUND, "kycd://tools/get_verification")
	missing(read(modern, "kycd://tools/no_such_tool"), mcp.INVALID_PARAMS, "kycd://tools/no_such_tool")
}
