// Package rpc adapts the tool registry to MCP (mark3labs/mcp-go: Streamable HTTP and stdio).
// It holds no per-tool code: tools, schemas, annotations, results and error mapping all come
// from the registry, so a new tool appears here by being registered.
//
// Tool results carry structuredContent plus a text block (a one-line summary, then the JSON)
// for clients that read only text. Tool errors are isError results without structuredContent,
// because clients validate structuredContent against the tool's (success) outputSchema.
package rpc
