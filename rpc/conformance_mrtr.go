package rpc

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// The fixtures of the 2026-07-28 revision's scenarios (stateless core, SEP-2575; multi
// round-trip requests, SEP-2322): tools that need a client capability, that ask for input
// with an InputRequiredResult instead of a server-initiated request, and that log only when
// the request asks for a log level. Like the others, they exist only behind --conformance.

// protocolError is a JSON-RPC error with its own code and data, for handlers whose failure
// is not an internal error (mcp-go sends every handler error as -32603); the error hook of
// NewMCPServer gives the response this code and data (see setRequestError).
type protocolError struct {
	code int
	msg  string
	data any
}

func (e *protocolError) Error() string { return e.msg }

// missingCapability is MissingRequiredClientCapabilityError (-32021): the request needs a
// client capability its _meta did not declare; data.requiredCapabilities is a
// ClientCapabilities object naming it.
func missingCapability(name string) error {
	return &protocolError{code: mcp.MISSING_REQUIRED_CLIENT_CAPABILITY, msg: "missing required client capability: " + name,
		data: map[string]any{"requiredCapabilities": map[string]any{name: map[string]any{}}}}
}

// clientCaps are the capabilities the request declared (2026-07-28), or those of the
// session's initialize (earlier revisions: the mcp-go bridge performs the requests).
func clientCaps(ctx context.Context) mcp.ClientCapabilities {
	if info := server.RequestProtocolInfoFromContext(ctx); info != nil && info.ClientCapabilities != nil {
		return *info.ClientCapabilities
	}
	if s, ok := server.ClientSessionFromContext(ctx).(server.SessionWithClientInfo); ok {
		return s.GetClientCapabilities()
	}
	return mcp.ClientCapabilities{}
}

// stateKey signs the request states of this process: a state is only good for the process
// that issued it, which is all a fixture needs.
var stateKey = func() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic(err)
	}
	return k
}()

// signState is payload with an HMAC, so a state the client altered is refused.
func signState(payload string) string {
	m := hmac.New(sha256.New, stateKey)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// openState verifies a state signState made and returns its payload; a state that fails is
// an invalid-params error.
func openState(state string) (string, error) {
	p, sig, ok := strings.Cut(state, ".")
	raw, err1 := base64.RawURLEncoding.DecodeString(p)
	mac, err2 := base64.RawURLEncoding.DecodeString(sig)
	if ok && err1 == nil && err2 == nil {
		m := hmac.New(sha256.New, stateKey)
		m.Write(raw)
		if hmac.Equal(mac, m.Sum(nil)) {
			return string(raw), nil
		}
	}
	return "", &protocolError{code: mcp.INVALID_PARAMS, msg: "requestState failed its integrity check; start the request again without it"}
}

func objectSchema(prop, typ string) map[string]any {
	return map[string]any{"type": "object", "properties": map[string]any{prop: map[string]any{"type": typ}}, "required": []string{prop}}
}

func elicitation(message, prop, typ string) mcp.ElicitationParams {
	return mcp.ElicitationParams{Message: message, RequestedSchema: objectSchema(prop, typ)}
}

func sampling(prompt string, maxTokens int) mcp.CreateMessageParams {
	return mcp.CreateMessageParams{Messages: []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: mcp.NewTextContent(prompt)}}, MaxTokens: maxTokens}
}

// answered is the content of an accepted elicitation under id, nil when absent, declined or
// not an elicitation result.
func answered(r mcp.InputResponses, id string) map[string]any {
	res := server.ElicitationResponse(r, id)
	if res == nil || res.Action != mcp.ElicitationResponseActionAccept {
		return nil
	}
	if m, ok := res.Content.(map[string]any); ok {
		return m
	}
	return map[string]any{}
}

func addStatelessFixtures(s *server.MCPServer) {
	s.AddTool(noArgs("test_missing_capability", "Needs the sampling capability (conformance fixture)"),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if clientCaps(ctx).Sampling == nil {
				return nil, missingCapability("sampling")
			}
			if res := server.SamplingResponse(req.Params.InputResponses, "answer"); res != nil {
				return text("sampled"), nil
			}
			return server.NewInputRequestBuilder("").Sample("answer", sampling("Say hello", 20)).ToolResult(), nil
		})
	s.AddTool(noArgs("test_streaming_elicitation", "Asks for input with an InputRequiredResult, never a request on the stream (conformance fixture)"),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if clientCaps(ctx).Elicitation == nil {
				return nil, missingCapability("elicitation")
			}
			if a := answered(req.Params.InputResponses, "confirm"); a != nil {
				return text("confirmed"), nil
			}
			return server.NewInputRequestBuilder("").Elicit("confirm", elicitation("Continue?", "ok", "boolean")).ToolResult(), nil
		})
	s.AddTool(noArgs("test_logging_tool", "Logs at info level, only to requests that set a log level (conformance fixture)"),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			if info := server.RequestProtocolInfoFromContext(ctx); info == nil || !info.Modern || info.LogLevel != "" {
				srv := server.ServerFromContext(ctx)
				_ = srv.SendLogMessageToClient(ctx, mcp.NewLoggingMessageNotification(mcp.LoggingLevelInfo, "conformance", "logging tool ran"))
				settleNotifications()
			}
			return text("Logging tool executed"), nil
		})
}

// addTriggerFixtures add and remove a tool or prompt, so the lists change and listen streams
// that asked for it get notifications/tools/list_changed or notifications/prompts/list_changed.
func addTriggerFixtures(s *server.MCPServer) {
	s.AddTool(noArgs("test_trigger_tool_change", "Changes the tool list (conformance fixture)"),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			s.AddTool(noArgs("test_transient_tool", "Exists for a moment (conformance fixture)"),
				func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) { return text("transient"), nil })
			s.DeleteTools("test_transient_tool")
			return text("tool list changed"), nil
		})
	s.AddTool(noArgs("test_trigger_prompt_change", "Changes the prompt list (conformance fixture)"),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			s.AddPrompt(mcp.NewPrompt("test_transient_prompt", mcp.WithPromptDescription("Exists for a moment (conformance fixture)")),
				func(context.Context, mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
					return mcp.NewGetPromptResult("transient", nil), nil
				})
			s.DeletePrompts("test_transient_prompt")
			return text("prompt list changed"), nil
		})
}

func addInputRequiredFixtures(s *server.MCPServer) {
	// A response that is not what was asked for (a number, null, another method's result) is
	// treated as no answer: the tool asks again rather than completing.
	tool := func(name string, h server.ToolHandlerFunc) {
		s.AddTool(noArgs(name, "Asks for input with an InputRequiredResult (conformance fixture)"), h)
	}
	tool("test_input_required_result_elicitation", func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if a := answered(req.Params.InputResponses, "user_name"); a != nil {
			return text(fmt.Sprintf("Hello, %v!", a["name"])), nil
		}
		return server.NewInputRequestBuilder("").Elicit("user_name", elicitation("What is your name?", "name", "string")).ToolResult(), nil
	})
	tool("test_input_required_result_sampling", func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if res := server.SamplingResponse(req.Params.InputResponses, "capital_question"); res != nil {
			return text("The model said: " + samplingText(res)), nil
		}
		return server.NewInputRequestBuilder("").Sample("capital_question", sampling("What is the capital of France?", 100)).ToolResult(), nil
	})
	tool("test_input_required_result_list_roots", func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if res := server.RootsResponse(req.Params.InputResponses, "client_roots"); res != nil {
			uris := make([]string, len(res.Roots))
			for i, r := range res.Roots {
				uris[i] = r.URI
			}
			return text("Roots: " + strings.Join(uris, ", ")), nil
		}
		return server.NewInputRequestBuilder("").Roots("client_roots").ToolResult(), nil
	})
	tool("test_input_required_result_request_state", func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if req.Params.RequestState != "" {
			if _, err := openState(req.Params.RequestState); err != nil {
				return nil, err
			}
			if answered(req.Params.InputResponses, "confirm") != nil {
				return text("state-ok: confirmed"), nil
			}
		}
		return server.NewInputRequestBuilder(signState("confirm")).Elicit("confirm", elicitation("Please confirm", "ok", "boolean")).ToolResult(), nil
	})
	tool("test_input_required_result_tampered_state", func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		if req.Params.RequestState != "" {
			if _, err := openState(req.Params.RequestState); err != nil {
				return nil, err
			}
			if answered(req.Params.InputResponses, "confirm") != nil {
				return text("state verified"), nil
			}
		}
		return server.NewInputRequestBuilder(signState("tamper-check:"+time.Now().UTC().Format(time.RFC3339))).
			Elicit("confirm", elicitation("Please confirm", "ok", "boolean")).ToolResult(), nil
	})
	tool("test_input_required_result_multiple_inputs", func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		r := req.Params.InputResponses
		if req.Params.RequestState != "" {
			if _, err := openState(req.Params.RequestState); err != nil {
				return nil, err
			}
			name, greeting, roots := answered(r, "user_name"), server.SamplingResponse(r, "greeting"), server.RootsResponse(r, "client_roots")
			if name != nil && greeting != nil && roots != nil {
				return text(fmt.Sprintf("Hello %v: %s (%d roots)", name["name"], samplingText(greeting), len(roots.Roots))), nil
			}
		}
		return server.NewInputRequestBuilder(signState("multiple")).
			Elicit("user_name", elicitation("What is your name?", "name", "string")).
			Sample("greeting", sampling("Generate a greeting", 50)).
			Roots("client_roots").ToolResult(), nil
	})
	tool("test_input_required_result_multi_round", func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		round := ""
		if req.Params.RequestState != "" {
			var err error
			if round, err = openState(req.Params.RequestState); err != nil {
				return nil, err
			}
		}
		r := req.Params.InputResponses
		switch {
		case strings.HasPrefix(round, "round-2:") && answered(r, "step2") != nil:
			return text(fmt.Sprintf("%s likes %v", strings.TrimPrefix(round, "round-2:"), answered(r, "step2")["color"])), nil
		case round == "round-1" && answered(r, "step1") != nil:
			return server.NewInputRequestBuilder(signState(fmt.Sprintf("round-2:%v", answered(r, "step1")["name"]))).
				Elicit("step2", elicitation("Step 2: What is your favorite color?", "color", "string")).ToolResult(), nil
		}
		return server.NewInputRequestBuilder(signState("round-1")).
			Elicit("step1", elicitation("Step 1: What is your name?", "name", "string")).ToolResult(), nil
	})
	tool("test_input_required_result_capabilities", func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		caps := clientCaps(ctx)
		b := server.NewInputRequestBuilder("")
		asked := 0
		if caps.Elicitation != nil && answered(req.Params.InputResponses, "user_name") == nil {
			b.Elicit("user_name", elicitation("What is your name?", "name", "string"))
			asked++
		}
		if caps.Sampling != nil && server.SamplingResponse(req.Params.InputResponses, "greeting") == nil {
			b.Sample("greeting", sampling("Generate a greeting", 50))
			asked++
		}
		if caps.Roots != nil && server.RootsResponse(req.Params.InputResponses, "client_roots") == nil {
			b.Roots("client_roots")
			asked++
		}
		if asked == 0 {
			return text("nothing more to ask for the declared capabilities"), nil
		}
		return b.ToolResult(), nil
	})
	s.AddPrompt(mcp.NewPrompt("test_input_required_result_prompt", mcp.WithPromptDescription("A prompt that asks for input first (conformance fixture)")),
		func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			if a := answered(req.Params.InputResponses, "user_context"); a != nil {
				return mcp.NewGetPromptResult("with context", []mcp.PromptMessage{
					mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent(fmt.Sprintf("Use this context: %v", a["context"])))}), nil
			}
			return server.NewInputRequestBuilder("").Elicit("user_context", elicitation("What context should the prompt use?", "context", "string")).PromptResult(), nil
		})
}

// samplingText is the text of a sampling answer (or its JSON when it is not text).
func samplingText(r *mcp.CreateMessageResult) string {
	if tc, ok := mcp.AsTextContent(r.Content); ok {
		return tc.Text
	}
	b, _ := json.Marshal(r.Content)
	return string(b)
}

// protocolErrorHook gives a handler's *protocolError its code and data on the wire.
func protocolErrorHook(_ context.Context, _ any, _ mcp.MCPMethod, _ any, err error) {
	var pe *protocolError
	if errors.As(err, &pe) {
		setRequestError(err, pe.code, pe.data)
	}
}
