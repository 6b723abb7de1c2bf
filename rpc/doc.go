// Package rpc adapts the tool registry to MCP (mark3labs/mcp-go: Streamable HTTP and stdio)
// and to JSON-RPC 2.0 (sourcegraph/jsonrpc2 streams for stdio and WebSocket, plus a small HTTP
// handler of our own for POST /rpc with batches). It holds no per-tool code: tools, schemas, annotations, results and error mapping all come
// from the registry, so a new tool appears here by being registered.
//
// Tool results carry structuredContent plus a text block (a one-line summary, then the JSON)
// for clients that read only text. Tool errors are isError results without structuredContent,
// because clients validate structuredContent against the tool's (success) outputSchema.
//
// JSON-RPC maps invalid input to -32602 with the tool error (code, field) in data, and every
// other tool error code to its own application code (see ErrorCode), so programs can branch on
// the number and people read the message. Over WebSocket (gorilla) a message that is not JSON
// is answered with -32700 rather than closing the connection.
package rpc
