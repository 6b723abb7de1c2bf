// Package tools is kycd's tool registry: every feature is one typed tool, written once here
// and served by every surface (MCP, JSON-RPC, REST, the hosted flow) with no per-tool code in
// the adapters.
//
// A tool is a Tool[In, Out] value in its own file. Its input and output JSON Schemas are
// generated from the Go types (descriptions from `jsonschema:"…"` tags, constraints from
// enum/minimum/maximum/minLength/maxLength/maxItems/pattern/format tags), so schemas cannot
// drift from the code; a snapshot test under testdata/toolsnaps makes every schema change
// deliberate. Arguments are validated against the input schema before the handler runs, and
// unknown fields are rejected naming the field.
//
// A worked example — a stateless tool:
//
//	type ReadMRZInput struct {
//		Text string `json:"text" jsonschema:"the MRZ lines, newline-separated" minLength:"1" maxLength:"1000"`
//	}
//
//	var ReadMRZ = Tool[ReadMRZInput, mrz.Result]{
//		Name:        "read_mrz",
//		Title:       "Read MRZ",
//		Description: "Parse and validate the machine-readable zone of a passport …",
//		Scope:       ScopeVerificationsRead,
//		Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
//		Handle: func(ctx context.Context, d *Deps, c Caller, in ReadMRZInput) (mrz.Result, error) {
//			r, err := mrz.Parse(strings.Split(in.Text, "\n"))
//			if err != nil {
//				return mrz.Result{}, invalid("text", "%v", err) // *Error: the caller can fix it
//			}
//			return *r, nil
//		},
//	}
//
// and one line in All(): ReadMRZ.Compile(). Handlers return *Error{Code, Message, Field} for
// what the caller can fix; each adapter maps Code once. Any other error is logged and shown
// as an internal error without detail. Handlers get the Caller (account, mode, scopes) and
// Deps (store, queue, engines): no globals. Objects of another account or mode are simply not
// found (404), never forbidden, because every store read takes the caller's db.Scope.
package tools

//go:generate env KYCD_UPDATE_README=1 go test -run TestREADMEToolTable .
