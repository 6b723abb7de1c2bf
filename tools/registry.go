package tools

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/kycd/kycd/db"
)

// Scope is a permission an API key holds. A tool requires exactly one.
type Scope string

// The scopes.
const (
	ScopeVerificationsRead  Scope = "verifications:read"
	ScopeVerificationsWrite Scope = "verifications:write"
	ScopeApplicantsRead     Scope = "applicants:read"
	// ScopeEventsRead lets a key read the event log (list_events).
	ScopeEventsRead Scope = "events:read"
	// ScopeWebhooksRead lets a key list webhook endpoints and deliveries.
	ScopeWebhooksRead Scope = "webhooks:read"
	// ScopeWebhooksWrite lets a key manage endpoints, rotate secrets and replay deliveries.
	ScopeWebhooksWrite Scope = "webhooks:write"
	// ScopeReview lets a key record compliance decisions — verdicts on screening hits
	// (resolve_screening_hit) and the manual decision on a needs_review verification
	// (review_verification) — so they are kept apart from running checks.
	ScopeReview Scope = "review"
	// ScopeFlowsRead lets a key read verification flows and questionnaires.
	ScopeFlowsRead Scope = "flows:read"
	// ScopeFlowsWrite lets a key create, change and archive flows and questionnaires.
	ScopeFlowsWrite Scope = "flows:write"
	// ScopeKeysRead lets a caller list API keys (never their secrets).
	ScopeKeysRead Scope = "keys:read"
	// ScopeKeysWrite lets a caller create and revoke API keys.
	ScopeKeysWrite Scope = "keys:write"
	// ScopeUsersAdmin lets an operator manage operator accounts (dashboard admins).
	ScopeUsersAdmin Scope = "users:admin"
	// ScopeAuditRead lets a caller read the audit trail.
	ScopeAuditRead Scope = "audit:read"
)

// AllScopes lists every scope; a key created without --scopes gets all of them.
var AllScopes = []Scope{ScopeVerificationsRead, ScopeVerificationsWrite, ScopeApplicantsRead,
	ScopeEventsRead, ScopeWebhooksRead, ScopeWebhooksWrite, ScopeReview}

// Annotations are the MCP tool hints. Every tool sets all four explicitly.
type Annotations struct {
	ReadOnly    bool
	Destructive bool
	Idempotent  bool
	OpenWorld   bool
}

// Tool is one typed operation. It is written once and served by every surface.
type Tool[In, Out any] struct {
	Name        string
	Title       string
	Description string
	// Brief is the tool's cell in the README's tool table (Markdown, lower case, no final
	// period): what it does in a line, for a person choosing a tool. The README test fails
	// when the table and the registry differ.
	Brief       string
	Scope       Scope
	Annotations Annotations
	Handle      func(ctx context.Context, d *Deps, c Caller, in In) (Out, error)
	// Summary renders a one-line, human-readable summary of a result (optional).
	Summary func(Out) string
	// REST is the tool's route on the REST surface. Every tool declares one; the registry
	// test fails for a tool without (it would be served at the fallback POST /tools/{name}).
	REST REST
	// Creates marks a tool that creates an object. It then takes an optional idempotency_key
	// input on every surface (REST also reads the Idempotency-Key header); see CallWith.
	Creates bool
	// Wait, when set, gives the tool a wait_seconds input: the registry re-reads the result
	// until it is final or the time is up, reporting progress on the way (see Wait).
	Wait *Wait[Out]
	// SessionAllowed lets a hosted-flow session (the applicant, see AuthenticateSession) call
	// the tool, on its own verification only: the tool's `id` input must name it.
	SessionAllowed bool
	// Examples are whole, valid inputs as JSON (at least one; the registry test fails for a
	// tool without). They become the input schema's "examples" (MCP) and the OpenAPI
	// operation's request and parameter examples; Compile checks each against the input
	// schema and the example test calls the tool with each, so they cannot drift.
	Examples []string
	// Need says which of several optional inputs the caller must give (see Need); the input
	// schema says it too, so an agent knows before calling. The handler still checks it.
	Need *Need
}

// Need is a rule over optional inputs: at least one of Fields must be given, and with
// Exclusive at most one. With Unless, Fields is one input, required unless the input
// Unless[0] has the value Unless[1] — and then refused (create_webhook_endpoint's url
// unless kind is callback). The input schema says it with if/then/else at its root rather than
// anyOf/oneOf, which some agent platforms refuse at the top level of a tool's schema.
type Need struct {
	Fields    []string
	Exclusive bool
	Unless    [2]string
}

// Info describes a registered tool to the adapters.
type Info struct {
	Name         string
	Title        string
	Description  string
	Scope        Scope
	Annotations  Annotations
	InputSchema  json.RawMessage
	OutputSchema json.RawMessage
	// OutputShape is OutputSchema cut to the result's top-level fields and their types, for
	// MCP's tools/list (see outputShape).
	OutputShape json.RawMessage
	// NamedInputSchema is InputSchema with each nested object type in $defs under its Go
	// name (ApplicantData), for the OpenAPI document, so generated clients get named types.
	NamedInputSchema json.RawMessage
	// OutputType is the Go name of the output type (Verification, ScreeningResult): what the
	// result is, for the OpenAPI component that several tools share.
	OutputType string
	// REST is the declared REST route (zero when the tool declared none; see REST.OrDefault).
	REST REST
	// Creates reports that the tool accepts an idempotency key.
	Creates bool
	// Waits reports that the tool accepts wait_seconds.
	Waits bool
	// SessionAllowed reports that hosted-flow sessions may call the tool (on their own verification).
	SessionAllowed bool
}

// Descriptor is a Tool with its types erased, as the registry holds it.
type Descriptor interface {
	info() Info
	validateIn(v any) error
	call(ctx context.Context, d *Deps, c Caller, raw json.RawMessage) (any, error)
	schemas() (in, out *jsonschema.Schema)
	summarize(out any) string
	// brief is the tool's line in the README's tool table (Tool.Brief).
	brief() string
	// decodeOut reads a stored result (an idempotent replay) back into the output type.
	decodeOut(raw []byte) (any, error)
	// waitDone reports whether a result being waited on (wait_seconds) is final.
	waitDone(out any) bool
	// reload re-reads a result being waited on.
	reload(ctx context.Context, d *Deps, c Caller, out any) (any, error)
	// describe is the progress message for a result being waited on.
	describe(out any) string
}

type compiled[In, Out any] struct {
	tool             Tool[In, Out]
	inSchema, outSch *jsonschema.Schema
	inJSON, outJSON  json.RawMessage
	outShape         json.RawMessage
	namedInJSON      json.RawMessage
	resolved         *jsonschema.Resolved
}

// Compile generates and resolves a tool's schemas. It panics on a malformed tool definition,
// which is a programming error caught by the registry test at build time.
func (t Tool[In, Out]) Compile() Descriptor {
	in, err := schemaFor(reflect.TypeFor[In](), false)
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", t.Name, err))
	}
	out, err := schemaFor(reflect.TypeFor[Out](), true)
	if err != nil {
		panic(fmt.Sprintf("tool %s: output schema: %v", t.Name, err))
	}
	addSurfaceInputs(in, t.Creates, t.Wait != nil)
	if t.Need != nil {
		if err := t.Need.apply(in); err != nil {
			panic(fmt.Sprintf("tool %s: need: %v", t.Name, err))
		}
	}
	res, err := in.Resolve(nil)
	if err != nil {
		panic(fmt.Sprintf("tool %s: resolve input schema: %v", t.Name, err))
	}
	for i, ex := range t.Examples {
		var v any
		if err := json.Unmarshal([]byte(ex), &v); err != nil {
			panic(fmt.Sprintf("tool %s: example %d is not JSON: %v", t.Name, i, err))
		}
		if err := res.Validate(v); err != nil {
			panic(fmt.Sprintf("tool %s: example %d does not fit the input schema: %v", t.Name, i, schemaError(err, in)))
		}
		in.Examples = append(in.Examples, v)
	}
	named, err := schemaFor(reflect.TypeFor[In](), false)
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", t.Name, err))
	}
	addSurfaceInputs(named, t.Creates, t.Wait != nil)
	if t.Need != nil {
		_ = t.Need.apply(named)
	}
	named.Examples = in.Examples
	shareDefs(reflect.TypeFor[In](), named, true)
	namedJSON, _ := json.Marshal(named)
	inJSON, _ := json.Marshal(in)
	outJSON, _ := json.Marshal(out)
	return &compiled[In, Out]{tool: t, inSchema: in, outSch: out, inJSON: inJSON, outJSON: outJSON, outShape: outputShape(outJSON), namedInJSON: namedJSON, resolved: res}
}

func (c *compiled[In, Out]) info() Info {
	return Info{Name: c.tool.Name, Title: c.tool.Title, Description: c.tool.Description, Scope: c.tool.Scope,
		Annotations: c.tool.Annotations, InputSchema: c.inJSON, NamedInputSchema: c.namedInJSON, OutputSchema: c.outJSON, OutputShape: c.outShape, OutputType: typeName(reflect.TypeFor[Out]()),
		REST: c.tool.REST, Creates: c.tool.Creates, Waits: c.tool.Wait != nil, SessionAllowed: c.tool.SessionAllowed}
}

func (c *compiled[In, Out]) brief() string { return c.tool.Brief }

func (c *compiled[In, Out]) schemas() (*jsonschema.Schema, *jsonschema.Schema) {
	return c.inSchema, c.outSch
}

func (c *compiled[In, Out]) summarize(out any) string {
	o, ok := out.(Out)
	if ok && c.tool.Summary != nil {
		return c.tool.Summary(o)
	}
	return c.tool.Title + ": done"
}

func (c *compiled[In, Out]) validateIn(v any) error { return c.resolved.Validate(v) }

func (c *compiled[In, Out]) call(ctx context.Context, d *Deps, caller Caller, raw json.RawMessage) (any, error) {
	var in In
	if len(bytes.TrimSpace(raw)) > 0 && string(bytes.TrimSpace(raw)) != "null" {
		if err := json.Unmarshal(raw, &in); err != nil {
			return nil, decodeError[In](raw, err)
		}
	}
	return c.tool.Handle(ctx, d, caller, in)
}

// Registry holds every tool and calls them on behalf of the adapters.
type Registry struct {
	deps   *Deps
	tools  []Descriptor
	byName map[string]Descriptor
	// limiter is the per-key request budget shared by every surface (nil = unlimited).
	limiter *RateLimiter
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// NewRegistry builds the registry over deps with the given tools (All() for the product set).
func NewRegistry(deps *Deps, tools ...Descriptor) (*Registry, error) {
	r := &Registry{deps: deps, byName: map[string]Descriptor{}}
	for _, t := range tools {
		name := t.info().Name
		if !nameRE.MatchString(name) {
			return nil, fmt.Errorf("tool name %q is not snake_case", name)
		}
		if _, dup := r.byName[name]; dup {
			return nil, fmt.Errorf("tool %q registered twice", name)
		}
		r.byName[name] = t
		r.tools = append(r.tools, t)
	}
	sort.Slice(r.tools, func(i, j int) bool { return r.tools[i].info().Name < r.tools[j].info().Name })
	return r, nil
}

// Tools lists the registered tools, sorted by name.
func (r *Registry) Tools() []Info {
	out := make([]Info, len(r.tools))
	for i, t := range r.tools {
		out[i] = t.info()
	}
	return out
}

// Summarize renders the one-line summary of a tool's result, for surfaces that show text.
func (r *Registry) Summarize(name string, out any) string {
	if t, ok := r.byName[name]; ok {
		return t.summarize(out)
	}
	return ""
}

// Deps returns the dependencies tools run with.
func (r *Registry) Deps() *Deps { return r.deps }

// Call validates raw arguments against the tool's input schema, checks the caller's scope,
// and runs the handler. Errors are *Error for what the caller can fix; anything else is
// logged and returned as an internal *Error without detail. It is CallWith without options.
func (r *Registry) Call(ctx context.Context, caller Caller, name string, raw json.RawMessage) (any, error) {
	out, _, err := r.CallWith(ctx, caller, name, raw, CallOptions{})
	return out, err
}

// toolError turns a handler's error into what the caller sees.
func (r *Registry) toolError(ctx context.Context, caller Caller, name string, err error) *Error {
	if te := AsError(err); te != nil {
		return te
	}
	if ctx.Err() != nil {
		return Errorf(CodeUnavailable, "", "the request was cancelled or timed out")
	}
	if db.Unavailable(err) { // e.g. PostgreSQL shutting down under an in-flight request
		r.deps.logger().WarnContext(ctx, "tool failed: database unavailable", "tool", name, "err", err)
		return &Error{Code: CodeUnavailable, Message: "the database is not reachable right now; retry shortly", RetryAfterSeconds: 5}
	}
	r.deps.logger().ErrorContext(ctx, "tool failed", "tool", name, "key", caller.KeyID, "err", err)
	return Errorf(CodeInternal, "", "internal error; it has been logged")
}

func (d *Deps) logger() *slog.Logger {
	if d == nil || d.Logger == nil {
		return slog.Default()
	}
	return d.Logger
}

// exampleDateTime is what a date-time input looks like, for the error that refuses one.
const exampleDateTime = "2026-12-01T00:00:00Z"

// decodeError names the field whose value could not be decoded (a time that does not parse,
// say), by decoding the arguments one top-level field at a time.
func decodeError[In any](raw json.RawMessage, err error) *Error {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) && ute.Field != "" {
		return Errorf(CodeInvalidArgument, ute.Field, "must be %s", ute.Type)
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) == nil {
		for name, val := range fields {
			var probe In
			one, _ := json.Marshal(map[string]json.RawMessage{name: val})
			if ferr := json.Unmarshal(one, &probe); ferr != nil {
				var pe *time.ParseError
				if errors.As(ferr, &pe) {
					return Errorf(CodeInvalidArgument, name, "must be a date-time (RFC 3339) such as %s; got %s", exampleDateTime, val)
				}
				msg := ferr.Error()
				if i := strings.LastIndex(msg, ": "); i >= 0 {
					msg = msg[i+2:]
				}
				return Errorf(CodeInvalidArgument, name, "invalid value: %s", msg)
			}
		}
	}
	return Errorf(CodeInvalidArgument, "", "arguments do not match the input schema: %v", err)
}
