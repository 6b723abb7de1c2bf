// Package rpc adapts the tool registry to MCP (mark3labs/mcp-go: Streamable HTTP and stdio)
// and to JSON-RPC 2.0. It holds no per-tool code: tools, schemas, annotations, results and
// error mapping all come from the registry, so a new tool appears here by being registered.
//
// JSON-RPC has one message handler (JSONRPC.Handle: bytes in, optional bytes out) that does
// the whole specification — requests, notifications, batches, parse errors, invalid requests,
// ids of any JSON type echoed verbatim. The three transports only frame messages for it: the
// body of POST /rpc, one WebSocket message on /rpc/ws, one line on stdio (kycd rpc). So a
// message gets the same answer whichever way it came.
//
// Tool results carry structuredContent plus a text block (a one-line summary, then the JSON)
// for clients that read only text. Tool errors are isError results without structuredContent,
// because clients validate structuredContent against the tool's (success) outputSchema.
//
// JSON-RPC maps invalid input to -32602 with the tool error (code, field) in data, and every
// other tool error code to its own application code (see ErrorCode), so programs can branch on
// the number and people read the message. A message that is not JSON is answered with -32700
// and the stream goes on, on every transport.
package rpc
