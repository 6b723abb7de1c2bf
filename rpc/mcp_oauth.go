package rpc

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/kycd/kycd/tools"
)

// stepUpScopes answers a tools/call whose OAuth access token lacks the tool's scope with HTTP
// 403 and WWW-Authenticate: Bearer error="insufficient_scope", scope="…" — the MCP
// authorization specification's step-up signal, which a client can act on by authorizing
// again — rather than with a tool error inside a 200. API keys keep the tool error.
func stepUpScopes(reg *tools.Registry, auth func(r *http.Request) (tools.Caller, *tools.Error)) func(r *http.Request) (tools.Caller, *tools.Error) {
	return func(r *http.Request) (tools.Caller, *tools.Error) {
		c, terr := auth(r)
		if terr != nil || !c.IsOAuth() || r.Method != http.MethodPost || r.Body == nil {
			return c, terr
		}
		body, err := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err != nil {
			return c, nil // the transport reports the unreadable body
		}
		for _, name := range calledTools(body) {
			if info, ok := reg.Tool(name); ok && !c.May(info) {
				return c, tools.InsufficientScope(reg.Deps(), c, info)
			}
		}
		return c, nil
	}
}

// calledTools names the tools a message (or batch) calls.
func calledTools(body []byte) []string {
	type call struct {
		Method string `json:"method"`
		Params struct {
			Name string `json:"name"`
		} `json:"params"`
	}
	var msgs []call
	if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '[' {
		_ = json.Unmarshal(b, &msgs)
	} else {
		var one call
		if json.Unmarshal(b, &one) == nil {
			msgs = []call{one}
		}
	}
	var out []string
	for _, m := range msgs {
		if m.Method == "tools/call" && m.Params.Name != "" {
			out = append(out, m.Params.Name)
		}
	}
	return out
}
