package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kycd/kycd/tools"
)

type callerKey struct{}

// WithCaller stores the authenticated caller in ctx for the tool handlers.
func WithCaller(ctx context.Context, c tools.Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller an adapter authenticated, if any.
func CallerFrom(ctx context.Context) (tools.Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(tools.Caller)
	return c, ok
}

// NewMCPServer serves every tool of the registry over MCP. No per-tool code: the tool list,
// schemas, annotations and results all come from the registry.
// Extra options (the conformance fixtures' capabilities) are applied after kycd's own.
func NewMCPServer(reg *tools.Registry, version string, extra ...server.ServerOption) *server.MCPServer {
	vis := resourceVisibility(reg)
	hooks := vis.hooks()
	hooks.AddAfterListTools(listableTools(reg))
	opts := []server.ServerOption{
		server.WithTitle("kycd identity verification"),
		server.WithDescription("Self-hosted KYC/KYB/AML: create and follow identity verifications, screen people and businesses."),
		server.WithInstructions("Create a verification with create_verification, send the applicant to hosted_url, then call get_verification with wait_seconds (it streams progress) until the status is approved, needs_review or rejected. Pass an idempotency_key to create_verification so retries are safe. Every result carries machine-readable reasons."),
		server.WithToolCapabilities(false),
		server.WithResourceCapabilities(false, false),
		server.WithPromptCapabilities(false),
		server.WithRecovery(),
		server.WithHooks(hooks),
		server.WithPromptFilter(vis.promptFilter),
	}
	s := server.NewMCPServer("kycd", version, append(opts, extra...)...)
	for _, info := range reg.Tools() {
		s.AddTool(mcpTool(info), toolHandler(reg, info.Name))
	}
	addResourcesAndPrompts(s, reg)
	return s
}

func mcpTool(info tools.Info) mcp.Tool {
	b := func(v bool) *bool { return &v }
	return mcp.Tool{
		Name:            info.Name,
		Title:           info.Title,
		Description:     info.Description,
		RawInputSchema:  info.InputSchema,
		RawOutputSchema: info.OutputShape,
		// The title once, at the top (MCP 2025-06-18 on); annotations.title would repeat it.
		Annotations: mcp.ToolAnnotation{
			ReadOnlyHint:    b(info.Annotations.ReadOnly),
			DestructiveHint: b(info.Annotations.Destructive),
			IdempotentHint:  b(info.Annotations.Idempotent),
			OpenWorldHint:   b(info.Annotations.OpenWorld),
		},
	}
}

func toolHandler(reg *tools.Registry, name string) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		caller, ok := CallerFrom(ctx)
		if !ok {
			return errorResult(tools.Errorf(tools.CodeUnauthenticated, "", "no API key: set KYCD_API_KEY (stdio) or send Authorization: Bearer (HTTP)")), nil
		}
		raw, err := json.Marshal(req.Params.Arguments)
		if err != nil {
			return errorResult(tools.Errorf(tools.CodeMalformed, "", "arguments cannot be read: %v", err)), nil
		}
		// Cancellation (notifications/cancelled) ends ctx, which ends a wait; progress goes to
		// the client when it sent a progressToken.
		out, _, err := reg.CallWith(ctx, caller, name, raw, tools.CallOptions{Progress: progressSender(ctx, req)})
		if err != nil {
			return errorResult(tools.AsError(err)), nil
		}
		body, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("encode result: %w", err)
		}
		// Text for clients that read only content: the summary, then the full JSON.
		return mcp.NewToolResultStructured(out, reg.Summarize(name, out)+"\n\n"+string(body)), nil
	}
}

// errorResult is a tool error as MCP wants it: isError with text that says what to fix.
func errorResult(e *tools.Error) *mcp.CallToolResult {
	if e == nil {
		e = tools.Errorf(tools.CodeInternal, "", "internal error")
	}
	text := fmt.Sprintf("Error (%s): %s", e.Code, e.Message)
	if e.Field != "" {
		text = fmt.Sprintf("Error (%s) in field %q: %s", e.Code, e.Field, e.Message)
	}
	// No structuredContent: clients validate it against the tool's outputSchema, which
	// describes success; the text carries code, field and message.
	return mcp.NewToolResultError(text)
}

// MCPHandler serves every tool of the registry over MCP Streamable HTTP at path, behind auth,
// to browsers only from opts.AllowedOrigins.
func MCPHandler(reg *tools.Registry, version, path string, auth func(r *http.Request) (tools.Caller, *tools.Error), opts MCPOptions) http.Handler {
	cors := corsOptions(opts.AllowedOrigins)
	var h http.Handler
	if opts.Conformance {
		h = conformanceHandler(reg, version, path, auth, cors...)
	} else {
		h = HTTPHandler(NewMCPServer(reg, version), path, auth, cors...)
	}
	return originGuard(opts.AllowedOrigins, h)
}

// stdLogger is a *log.Logger that writes through logger (nil = slog.Default()) at error
// level, for the libraries that take only a *log.Logger: their lines then follow the
// server's --log-format like every other line.
func stdLogger(logger *slog.Logger, surface string) *log.Logger {
	if logger == nil {
		logger = slog.Default()
	}
	return slog.NewLogLogger(logger.With("surface", surface).Handler(), slog.LevelError)
}

// HTTPHandler serves MCP Streamable HTTP at path, behind API-key authentication.
// Both protocol eras are served: 2025-11-25 with initialize and sessions (ids checked by
// sessionIDs and sessionGuard, idle ones ended after SessionIdleTTL), and the stateless
// 2026-07-28. Extra options (an event store, CORS, say) are applied after kycd's own.
// A CORS preflight (OPTIONS, which carries no credentials) is answered before authentication.
func HTTPHandler(s *server.MCPServer, path string, auth func(r *http.Request) (tools.Caller, *tools.Error), extra ...server.StreamableHTTPOption) http.Handler {
	sessions := &sessionIDs{}
	opts := []server.StreamableHTTPOption{server.WithEndpointPath(path),
		server.WithSessionIdManager(sessions),
		server.WithSessionIdleTTL(SessionIdleTTL),
		server.WithHTTPContextFunc(func(ctx context.Context, r *http.Request) context.Context {
			if c, ok := CallerFrom(r.Context()); ok {
				return WithCaller(ctx, c)
			}
			return ctx
		})}
	h := sessionGuard(sessions, server.NewStreamableHTTPServer(s, append(opts, extra...)...))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.ServeHTTP(w, r)
			return
		}
		c, terr := auth(r)
		if terr != nil {
			tools.WriteHTTPError(w, terr, 0)
			return
		}
		h.ServeHTTP(w, r.WithContext(WithCaller(r.Context(), c)))
	})
}

// ServeStdio serves MCP over in/out as the given caller until ctx ends or in closes. The
// transport's errors go to logger (nil = slog.Default()).
func ServeStdio(ctx context.Context, s *server.MCPServer, c tools.Caller, in io.Reader, out io.Writer, logger *slog.Logger) error {
	ss := server.NewStdioServer(s)
	ss.SetErrorLogger(stdLogger(logger, "mcp"))
	ss.SetContextFunc(func(ctx context.Context) context.Context { return WithCaller(ctx, c) })
	err := ss.Listen(ctx, in, out)
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// listableTools trims tools/list to the tools the caller may call (its key's scopes; a
// hosted-flow session's tools): a key with only applicants:read does not pay for, or try, the
// others. Only the list is trimmed — a call of another tool still reaches the registry and gets
// its clear permission error. Tools the registry does not know (the conformance fixtures) stay.
func listableTools(reg *tools.Registry) server.OnAfterListToolsFunc {
	return func(ctx context.Context, _ any, _ *mcp.ListToolsRequest, res *mcp.ListToolsResult) {
		caller, ok := CallerFrom(ctx)
		if res == nil || !ok {
			return
		}
		kept := res.Tools[:0:0]
		for _, t := range res.Tools {
			if info, ours := reg.Tool(t.Name); !ours || caller.May(info) {
				kept = append(kept, t)
			}
		}
		res.Tools = kept
	}
}
