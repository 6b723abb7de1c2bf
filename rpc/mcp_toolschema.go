package rpc

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kycd/kycd/tools"
)

// toolSchemaURI is a tool's full documentation: tools/list carries each output schema as its
// top-level shape (tools.Info.OutputShape), and this resource the whole of it — every nested
// field with its description — with the input schema, scope and REST route.
const (
	toolSchemaURI    = "kycd://tools/{name}"
	toolSchemaPrefix = "kycd://tools/"
)

// addToolSchemaResource adds kycd://tools/{name}. A caller reads the tools it may call and no
// other (another is missing, like a resource of another account).
func addToolSchemaResource(s *server.MCPServer, reg *tools.Registry) {
	s.AddResourceTemplate(mcp.NewResourceTemplate(toolSchemaURI, "tool schema",
		mcp.WithTemplateDescription("A tool's full input and output JSON Schemas with every field described (tools/list gives output schemas as their top-level fields only), its scope and REST route."),
		mcp.WithTemplateMIMEType("application/json")),
		func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			uri := req.Params.URI
			name := strings.TrimPrefix(uri, toolSchemaPrefix)
			caller, ok := CallerFrom(ctx)
			if !ok {
				return nil, &resourceError{uri: uri, err: tools.Errorf(tools.CodeUnauthenticated, "", "no API key")}
			}
			info, ok := reg.Tool(name)
			if !ok || !strings.HasPrefix(uri, toolSchemaPrefix) || !caller.May(info) {
				return nil, &resourceError{uri: uri, err: tools.Errorf(tools.CodeNotFound, "", "no tool %q that this key may call", name)}
			}
			rest := info.REST.OrDefault(info.Name)
			body, err := json.MarshalIndent(map[string]any{
				"name": info.Name, "title": info.Title, "description": info.Description, "scope": info.Scope,
				"rest":        map[string]string{"method": rest.Method, "path": "/api/v1" + rest.Path},
				"inputSchema": info.InputSchema, "outputSchema": info.OutputSchema,
			}, "", "  ")
			if err != nil {
				return nil, fmt.Errorf("encode tool schema: %w", err)
			}
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: uri, MIMEType: "application/json", Text: string(body)}}, nil
		})
}
