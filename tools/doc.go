// Package tools is kycd's tool registry: every feature is one typed tool, written once here
// and served by every surface (MCP, JSON-RPC, REST, the hosted flow) with no per-tool code in
// the adapters.
//
// A tool is a Tool[In, Out] value in its own file. Its input and output JSON Schemas are
// generated from the Go types (descriptions from `jsonschema:"…"` tags, constraints from
// enum/enumof/minimum/maximum/minLength/maxLength/maxItems/pattern/format tags; enums come
// from the models' lists, see enumLists), so schemas cannot drift from the code. A snapshot
// test under testdata/toolsnaps holds each tool's whole contract — name, words, scope,
// annotations, REST route, surface inputs and both schemas — so every change to what a caller
// sees is deliberate (go test ./tools -run TestToolSnapshots -update-toolsnaps). The README's
// tool table is generated from the registry too (go generate ./tools). Arguments are validated
// against the input schema before the handler runs, and unknown fields are rejected naming the
// field.
//
// ExampleTool is the worked example, compiled and run by go test: a stateless tool, its
// registration and calls. A product tool also needs one line in All(). Handlers return
// *Error{Code, Message, Field} for what the caller can fix; each adapter maps Code once. Any
// other error is logged and shown as an internal error without detail. Handlers get the Caller (account, mode, scopes) and
// Deps (store, queue, engines): no globals. Objects of another account or mode are simply not
// found (404), never forbidden, because every store read takes the caller's db.Scope.
package tools

//go:generate env KYCD_UPDATE_README=1 go test -run TestREADMEToolTable .
//go:generate env KYCD_UPDATE_README=1 go test -run TestREADMESandboxTable .
