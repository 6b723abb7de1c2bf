package rpc

import (
	"context"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kycd/kycd/tools"
)

// sandboxURI is test mode's table of magic values (list_sandbox_values), for agents that
// read resources rather than call tools.
const sandboxURI = "kycd://sandbox"

// addSandboxResource adds kycd://sandbox when the registry has list_sandbox_values.
func addSandboxResource(s *server.MCPServer, reg *tools.Registry) {
	if _, ok := reg.Tool(tools.ListSandboxValues.Name); !ok {
		return
	}
	s.AddResource(mcp.NewResource(sandboxURI, "sandbox magic values",
		mcp.WithResourceDescription("Test mode's magic values: an external_ref or applicant name starting with one (test_approve, test_reject_document, test_face_match_review, …) "+
			"forces that outcome through the real pipeline with a test-mode key, marked forced in the result; inert with a live key (list_sandbox_values)."),
		mcp.WithMIMEType("application/json")),
		func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return readTool(ctx, reg, tools.ListSandboxValues.Name, map[string]any{}, req.Params.URI)
		})
}
