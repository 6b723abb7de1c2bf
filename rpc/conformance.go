package rpc

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kycd/kycd/tools"
)

// The fixtures of the official MCP conformance suite (@modelcontextprotocol/conformance,
// "server" scenarios). They exist only behind `kycd serve --conformance`: a normal server
// never lists them. Their names and answers are the suite's, not kycd's.

// conformanceHandler is MCPHandler in conformance mode: kycd's tools plus the suite's fixtures,
// with the capabilities and the resumable transport the suite exercises. A request without a
// bearer token gets a caller with no scopes, to whom only the fixtures answer.
func conformanceHandler(reg *tools.Registry, version, path string, auth func(r *http.Request) (tools.Caller, *tools.Error), extra ...server.StreamableHTTPOption) http.Handler {
	s := NewMCPServer(reg, version, conformanceOptions()...)
	addConformanceFixtures(s)
	anonymous := func(r *http.Request) (tools.Caller, *tools.Error) {
		if tools.BearerToken(r) == "" {
			return tools.Caller{KeyID: "conformance"}, nil
		}
		return auth(r)
	}
	return HTTPHandler(s, path, anonymous, append(conformanceHTTPOptions(), extra...)...)
}

// conformanceOptions are the server capabilities the suite exercises beyond kycd's own.
func conformanceOptions() []server.ServerOption {
	return []server.ServerOption{
		server.WithLogging(),
		server.WithCompletions(),
		server.WithResourceCapabilities(true, false),
		server.WithElicitation(),
		// listChanged, so subscriptions/listen streams stay open for the trigger fixtures'
		// notifications (with nothing to deliver mcp-go closes the stream at once, and its
		// acknowledgement then races the result).
		server.WithToolCapabilities(true),
		server.WithPromptCapabilities(true),
	}
}

// conformanceHTTPOptions make the Streamable HTTP transport resumable (an in-memory event
// store; sessions idle out after ten minutes), which the suite's SSE polling scenario needs.
func conformanceHTTPOptions() []server.StreamableHTTPOption {
	return []server.StreamableHTTPOption{
		server.WithEventStore(server.NewInMemoryEventStore()),
		server.WithSessionIdleTTL(10 * time.Minute),
	}
}

// redPixelPNG is a 1×1 red PNG.
const redPixelPNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="

// silentWAV is 10 ms of 8 kHz 8-bit mono silence.
func silentWAV() string {
	const n = 80
	b := make([]byte, 0, 44+n)
	b = append(b, "RIFF"...)
	b = binary.LittleEndian.AppendUint32(b, 36+n)
	b = append(b, "WAVEfmt "...)
	b = binary.LittleEndian.AppendUint32(b, 16)
	b = binary.LittleEndian.AppendUint16(b, 1) // PCM
	b = binary.LittleEndian.AppendUint16(b, 1) // mono
	b = binary.LittleEndian.AppendUint32(b, 8000)
	b = binary.LittleEndian.AppendUint32(b, 8000)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, 8)
	b = append(b, "data"...)
	b = binary.LittleEndian.AppendUint32(b, n)
	for range n {
		b = append(b, 128)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// settleNotifications gives mcp-go's notification forwarder time to write what was queued
// before the tool returns. mcp-go v1.2.1 races here: a notification the forwarder has taken
// off the session channel but not yet written when the response is sent is dropped (or, with
// an event store, only stored for replay), so the last one sent just before returning is
// lost about half the time. See docs/conformance-failures.md.
func settleNotifications() { time.Sleep(50 * time.Millisecond) }

func text(s string) *mcp.CallToolResult { return mcp.NewToolResultText(s) }

// addConformanceFixtures adds the suite's tools, resources and prompts to s.
func addConformanceFixtures(s *server.MCPServer) {
	addContentFixtures(s)
	addNotifyingFixtures(s)
	addSamplingFixture(s)
	addElicitationFixtures(s)
	addSchemaFixture(s)
	addResourceFixtures(s)
	addPromptFixtures(s)
	addStatelessFixtures(s)
	addInputRequiredFixtures(s)
	addTriggerFixtures(s)
}

func noArgs(name, desc string) mcp.Tool { return mcp.NewTool(name, mcp.WithDescription(desc)) }

// addContentFixtures adds the tools that answer one fixed result of each content type.
func addContentFixtures(s *server.MCPServer) {
	for _, f := range []struct {
		name, desc string
		result     func() *mcp.CallToolResult
	}{
		{"test_simple_text", "Returns simple text (conformance fixture)", func() *mcp.CallToolResult {
			return text("This is a simple text response for testing.")
		}},
		{"test_image_content", "Returns an image (conformance fixture)", func() *mcp.CallToolResult {
			return &mcp.CallToolResult{Content: []mcp.Content{mcp.NewImageContent(redPixelPNG, "image/png")}}
		}},
		{"test_audio_content", "Returns audio (conformance fixture)", func() *mcp.CallToolResult {
			return &mcp.CallToolResult{Content: []mcp.Content{mcp.NewAudioContent(silentWAV(), "audio/wav")}}
		}},
		{"test_embedded_resource", "Returns an embedded resource (conformance fixture)", func() *mcp.CallToolResult {
			return &mcp.CallToolResult{Content: []mcp.Content{mcp.NewEmbeddedResource(mcp.TextResourceContents{
				URI: "test://embedded-resource", MIMEType: "text/plain", Text: "This is an embedded resource content."})}}
		}},
		{"test_multiple_content_types", "Returns text, image and resource (conformance fixture)", func() *mcp.CallToolResult {
			return &mcp.CallToolResult{Content: []mcp.Content{
				mcp.NewTextContent("Multiple content types test:"),
				mcp.NewImageContent(redPixelPNG, "image/png"),
				mcp.NewEmbeddedResource(mcp.TextResourceContents{URI: "test://mixed-content-resource", MIMEType: "application/json", Text: `{"test":"data","value":123}`}),
			}}
		}},
		{"test_error_handling", "Always fails (conformance fixture)", func() *mcp.CallToolResult {
			return mcp.NewToolResultError("This tool intentionally returns an error for testing")
		}},
	} {
		s.AddTool(noArgs(f.name, f.desc), func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return f.result(), nil
		})
	}
}

// addNotifyingFixtures adds the tools that send notifications (log messages, progress)
// while they run, or take long enough for the client to reconnect.
func addNotifyingFixtures(s *server.MCPServer) {
	s.AddTool(noArgs("test_tool_with_logging", "Logs while it runs (conformance fixture)"),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			srv := server.ServerFromContext(ctx)
			for i, msg := range []string{"Tool execution started", "Tool processing data", "Tool execution completed"} {
				if i > 0 {
					time.Sleep(50 * time.Millisecond)
				}
				_ = srv.SendLogMessageToClient(ctx, mcp.NewLoggingMessageNotification(mcp.LoggingLevelInfo, "conformance", msg))
			}
			settleNotifications()
			return text("Tool with logging executed successfully"), nil
		})
	s.AddTool(noArgs("test_tool_with_progress", "Reports progress (conformance fixture)"),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			srv := server.ServerFromContext(ctx)
			var token mcp.ProgressToken
			if req.Params.Meta != nil {
				token = req.Params.Meta.ProgressToken
			}
			for i, p := range []float64{0, 50, 100} {
				if i > 0 {
					time.Sleep(50 * time.Millisecond)
				}
				if token != nil {
					_ = srv.SendNotificationToClient(ctx, "notifications/progress", map[string]any{"progressToken": token, "progress": p, "total": 100})
				}
			}
			settleNotifications()
			return text("Tool with progress executed successfully"), nil
		})
	s.AddTool(noArgs("test_reconnection", "Closes its SSE stream mid-call (conformance fixture)"),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			time.Sleep(100 * time.Millisecond)
			return text("Reconnection test completed successfully"), nil
		})
}

// addSamplingFixture adds the tool that asks the client's LLM.
func addSamplingFixture(s *server.MCPServer) {
	s.AddTool(mcp.NewTool("test_sampling", mcp.WithDescription("Asks the client's LLM (conformance fixture)"),
		mcp.WithString("prompt", mcp.Required(), mcp.Description("The prompt to send to the LLM"))),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			prompt := req.GetString("prompt", "")
			//lint:ignore SA1019 the conformance suite still exercises sampling (protocol 2025-11-25)
			res, err := server.ServerFromContext(ctx).RequestSampling(ctx, mcp.CreateMessageRequest{CreateMessageParams: mcp.CreateMessageParams{
				Messages:  []mcp.SamplingMessage{{Role: mcp.RoleUser, Content: mcp.NewTextContent(prompt)}},
				MaxTokens: 100,
			}})
			if err != nil {
				return mcp.NewToolResultError("sampling failed: " + err.Error()), nil
			}
			answer := ""
			if tc, ok := mcp.AsTextContent(res.Content); ok {
				answer = tc.Text
			} else {
				b, _ := json.Marshal(res.Content)
				answer = string(b)
			}
			return text("LLM response: " + answer), nil
		})
}

// elicit asks the user through the client and reports the answer as prefix: action=…, content=….
func elicit(ctx context.Context, prefix, message string, schema any) (*mcp.CallToolResult, error) {
	res, err := server.ServerFromContext(ctx).RequestElicitation(ctx, mcp.ElicitationRequest{Params: mcp.ElicitationParams{Message: message, RequestedSchema: schema}})
	if err != nil {
		return mcp.NewToolResultError("elicitation failed: " + err.Error()), nil
	}
	content, _ := json.Marshal(res.Content)
	return text(fmt.Sprintf("%s: action=%s, content=%s", prefix, res.Action, content)), nil
}

// addElicitationFixtures adds the tools that ask the user: a plain form, one with defaults
// (SEP-1034) and one with every enum form (SEP-1330).
func addElicitationFixtures(s *server.MCPServer) {
	s.AddTool(mcp.NewTool("test_elicitation", mcp.WithDescription("Asks the user (conformance fixture)"),
		mcp.WithString("message", mcp.Required(), mcp.Description("The message to show the user"))),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return elicit(ctx, "User response", req.GetString("message", ""), map[string]any{"type": "object", "required": []string{"username", "email"}, "properties": map[string]any{
				"username": map[string]any{"type": "string", "description": "User's response"},
				"email":    map[string]any{"type": "string", "description": "User's email address"},
			}})
		})
	s.AddTool(noArgs("test_elicitation_sep1034_defaults", "Elicitation with defaults (conformance fixture)"),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return elicit(ctx, "Elicitation completed", "Please review and update the form fields with defaults", map[string]any{"type": "object", "properties": map[string]any{
				"name":     map[string]any{"type": "string", "description": "User name", "default": "John Doe"},
				"age":      map[string]any{"type": "integer", "description": "User age", "default": 30},
				"score":    map[string]any{"type": "number", "description": "User score", "default": 95.5},
				"status":   map[string]any{"type": "string", "description": "User status", "enum": []string{"active", "inactive", "pending"}, "default": "active"},
				"verified": map[string]any{"type": "boolean", "description": "Verification status", "default": true},
			}})
		})
	s.AddTool(noArgs("test_elicitation_sep1330_enums", "Elicitation with every enum form (conformance fixture)"),
		func(ctx context.Context, _ mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return elicit(ctx, "Elicitation completed", "Please select options from the enum fields", enumFormSchema())
		})
}

// enumFormSchema is SEP-1330's form: untitled, titled and legacy single choices, untitled
// and titled multiple choices.
func enumFormSchema() map[string]any {
	titled := func(pairs ...string) []any {
		var out []any
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, map[string]any{"const": pairs[i], "title": pairs[i+1]})
		}
		return out
	}
	return map[string]any{"type": "object", "properties": map[string]any{
		"untitledSingle": map[string]any{"type": "string", "description": "Select one option", "enum": []string{"option1", "option2", "option3"}},
		"titledSingle":   map[string]any{"type": "string", "description": "Select one option with titles", "oneOf": titled("value1", "First Option", "value2", "Second Option", "value3", "Third Option")},
		"legacyEnum":     map[string]any{"type": "string", "description": "Select one option (legacy)", "enum": []string{"opt1", "opt2", "opt3"}, "enumNames": []string{"Option One", "Option Two", "Option Three"}},
		"untitledMulti":  map[string]any{"type": "array", "description": "Select multiple options", "items": map[string]any{"type": "string", "enum": []string{"option1", "option2", "option3"}}},
		"titledMulti":    map[string]any{"type": "array", "description": "Select multiple options with titles", "items": map[string]any{"anyOf": titled("value1", "First Choice", "value2", "Second Choice", "value3", "Third Choice")}},
	}}
}

// addSchemaFixture adds the tool whose input schema uses JSON Schema 2020-12 features
// ($defs with an $anchor, allOf/anyOf, if/then/else; SEP-1613, SEP-2106), and the tool with a
// parameter mirrored in an Mcp-Param header (x-mcp-header, SEP-2243; mcp-go checks the header
// against the body).
func addSchemaFixture(s *server.MCPServer) {
	s.AddTool(mcp.Tool{Name: "json_schema_2020_12_tool", Description: "Tool with JSON Schema 2020-12 features",
		RawInputSchema: json.RawMessage(`{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",` +
			`"$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},` +
			`"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},"contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},` +
			`"allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],` +
			`"if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},"then":{"required":["phone"]},"else":{"required":["email"]},` +
			`"additionalProperties":false}`)},
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			b, _ := json.Marshal(req.Params.Arguments)
			return text("Received: " + string(b)), nil
		})
	s.AddTool(mcp.Tool{Name: "test_custom_headers", Description: "Tool with a parameter mirrored in the Mcp-Param-Region header (conformance fixture)",
		RawInputSchema: json.RawMessage(`{"type":"object","properties":{"region":{"type":"string","description":"a region, also sent as Mcp-Param-Region","x-mcp-header":"Region"}},"required":["region"]}`)},
		func(_ context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return text("Region: " + req.GetString("region", "")), nil
		})
}

// addResourceFixtures adds the static resources and the resource template.
func addResourceFixtures(s *server.MCPServer) {
	static := func(uri, name, desc string, contents mcp.ResourceContents) {
		mime := "text/plain"
		if b, ok := contents.(mcp.BlobResourceContents); ok {
			mime = b.MIMEType
		}
		s.AddResource(mcp.NewResource(uri, name, mcp.WithResourceDescription(desc), mcp.WithMIMEType(mime)),
			func(context.Context, mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
				return []mcp.ResourceContents{contents}, nil
			})
	}
	static("test://static-text", "static-text", "A static text resource (conformance fixture)",
		mcp.TextResourceContents{URI: "test://static-text", MIMEType: "text/plain", Text: "This is the content of the static text resource."})
	static("test://static-binary", "static-binary", "A static binary resource (conformance fixture)",
		mcp.BlobResourceContents{URI: "test://static-binary", MIMEType: "image/png", Blob: redPixelPNG})
	static("test://watched-resource", "watched-resource", "A resource to subscribe to (conformance fixture)",
		mcp.TextResourceContents{URI: "test://watched-resource", MIMEType: "text/plain", Text: "Watched resource content."})
	s.AddResourceTemplate(mcp.NewResourceTemplate("test://template/{id}/data", "template-data", mcp.WithTemplateDescription("A templated resource (conformance fixture)"), mcp.WithTemplateMIMEType("application/json")),
		func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			var id string
			if _, err := fmt.Sscanf(req.Params.URI, "test://template/%s", &id); err != nil {
				return nil, fmt.Errorf("bad uri %q", req.Params.URI)
			}
			if n := len(id) - len("/data"); n > 0 && id[n:] == "/data" {
				id = id[:n]
			}
			b, _ := json.Marshal(map[string]any{"id": id, "templateTest": true, "data": "Data for ID: " + id})
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "application/json", Text: string(b)}}, nil
		})
}

// addPromptFixtures adds the suite's prompts.
func addPromptFixtures(s *server.MCPServer) {
	user := func(c mcp.Content) mcp.PromptMessage { return mcp.NewPromptMessage(mcp.RoleUser, c) }
	s.AddPrompt(mcp.NewPrompt("test_simple_prompt", mcp.WithPromptDescription("A simple prompt (conformance fixture)")),
		func(context.Context, mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return mcp.NewGetPromptResult("simple", []mcp.PromptMessage{user(mcp.NewTextContent("This is a simple prompt for testing."))}), nil
		})
	s.AddPrompt(mcp.NewPrompt("test_prompt_with_arguments", mcp.WithPromptDescription("A prompt with arguments (conformance fixture)"),
		mcp.WithArgument("arg1", mcp.ArgumentDescription("First test argument"), mcp.RequiredArgument()),
		mcp.WithArgument("arg2", mcp.ArgumentDescription("Second test argument"), mcp.RequiredArgument())),
		func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			a := req.Params.Arguments
			return mcp.NewGetPromptResult("with arguments", []mcp.PromptMessage{
				user(mcp.NewTextContent(fmt.Sprintf("Prompt with arguments: arg1='%s', arg2='%s'", a["arg1"], a["arg2"])))}), nil
		})
	s.AddPrompt(mcp.NewPrompt("test_prompt_with_embedded_resource", mcp.WithPromptDescription("A prompt with an embedded resource (conformance fixture)"),
		mcp.WithArgument("resourceUri", mcp.ArgumentDescription("URI of the resource to embed"), mcp.RequiredArgument())),
		func(_ context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return mcp.NewGetPromptResult("embedded resource", []mcp.PromptMessage{
				user(mcp.NewEmbeddedResource(mcp.TextResourceContents{URI: req.Params.Arguments["resourceUri"], MIMEType: "text/plain", Text: "Embedded resource content for testing."})),
				user(mcp.NewTextContent("Please process the embedded resource above.")),
			}), nil
		})
	s.AddPrompt(mcp.NewPrompt("test_prompt_with_image", mcp.WithPromptDescription("A prompt with an image (conformance fixture)")),
		func(context.Context, mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return mcp.NewGetPromptResult("image", []mcp.PromptMessage{
				user(mcp.NewImageContent(redPixelPNG, "image/png")),
				user(mcp.NewTextContent("Please analyze the image above.")),
			}), nil
		})
}
