package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/kycd/kycd/rest"
	"github.com/kycd/kycd/rpc"
	"github.com/kycd/kycd/tools"
)

// checkSurfaces validates the surface settings (body limit, rate limits).
func (c *Config) checkSurfaces(only []string) error {
	if len(only) > 0 {
		return nil
	}
	if c.BodyLimit < 1024 {
		return fmt.Errorf("body-limit: %d bytes is too small; at least 1024", c.BodyLimit)
	}
	if c.RateLimit < 1 {
		return fmt.Errorf("rate-limit: must be at least 1 request a minute")
	}
	if c.RateLimitProcesses < 1 {
		return fmt.Errorf("rate-limit-processes: must be at least 1")
	}
	if _, err := c.mcpAllowedOrigins(); err != nil {
		return err
	}
	return nil
}

// mcpAllowedOrigins is --mcp-allowed-origins, normalised, plus the origin of --public-url.
func (c *Config) mcpAllowedOrigins() ([]string, error) {
	var out []string
	for _, o := range strings.FieldsFunc(c.MCPAllowedOrigins, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := tools.NormalizeOrigin(o)
		if err != nil {
			return nil, fmt.Errorf("mcp-allowed-origins: %w", err)
		}
		out = append(out, n)
	}
	if u, err := url.Parse(c.PublicURL); err == nil {
		if n, err := tools.NormalizeOrigin(u.Scheme + "://" + u.Host); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// rateLimiter is the per-key budget this process enforces on every surface.
func (c *Config) rateLimiter() *tools.RateLimiter {
	return tools.NewRateLimiter(c.RateLimit, c.RateLimitProcesses)
}

// surfaceRoutes mounts MCP (/mcp), REST (/api/v1, /api/openapi.json) and JSON-RPC
// (/rpc, /rpc/ws), all over the one registry.
func (a *app) surfaceRoutes(mux *http.ServeMux) error {
	limit := int64(a.cfg.BodyLimit)

	if a.cfg.Conformance {
		a.log.Warn("conformance mode: MCP fixture tools are served and MCP accepts requests without an API key; never use this in production")
	}
	origins, err := a.cfg.mcpAllowedOrigins()
	if err != nil {
		return err
	}
	mux.Handle("/mcp", limitBody(rpc.MCPHandler(a.reg, version, "/mcp", a.authenticate, rpc.MCPOptions{AllowedOrigins: origins, Conformance: a.cfg.Conformance}), limit))

	restHandler, err := rest.New(a.reg, rest.Options{BodyLimit: limit, Version: version, PublicURL: a.cfg.PublicURL, Authenticate: a.authenticate})
	if err != nil {
		return fmt.Errorf("rest: %w", err)
	}
	mux.Handle(rest.BasePath+"/", restHandler)
	mux.Handle("GET "+rest.SpecPath, restHandler)

	jr, err := rpc.NewJSONRPC(a.reg, version)
	if err != nil {
		return fmt.Errorf("json-rpc: %w", err)
	}
	jr.BodyLimit = limit
	mux.Handle("/rpc", jr.HTTPHandler(a.authenticate))
	mux.Handle("/rpc/ws", jr.WebSocketHandler(a.authenticate, a.log))
	return nil
}

// limitBody refuses bodies over limit before the handler reads them whole.
func limitBody(h http.Handler, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			tools.WriteHTTPError(w, tools.Errorf(tools.CodeTooLarge, "", "the body is over the limit of %d bytes", limit), 0)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h.ServeHTTP(w, r)
	})
}

// rpcStdio serves JSON-RPC 2.0 over stdin/stdout as the key in KYCD_API_KEY.
func rpcStdio(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	a, caller, stop, err := stdioApp(ctx, "rpc", args)
	if err != nil {
		return err
	}
	defer stop()
	jr, err := rpc.NewJSONRPC(a.reg, version)
	if err != nil {
		return err
	}
	err = jr.ServeStdio(ctx, caller, stdin, stdout, a.log)
	if errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
