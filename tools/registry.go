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

	"github.com/google/jsonschema-go/jsonschema"
)

// Scope is a permission an API key holds. A tool requires exactly one.
type Scope string

// The scopes.
const (
	ScopeVerificationsRead  Scope = "verifications:read"
	ScopeVerificationsWrite Scope = "verifications:write"
	ScopeApplicantsRead     Scope = "applicants:read"
)

// AllScopes lists every scope; a key created without --scopes gets all of them.
var AllScopes = []Scope{ScopeVerificationsRead, ScopeVerificationsWrite, ScopeApplicantsRead}

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
	Scope       Scope
	Annotations Annotations
	Handle      func(ctx context.Context, d *Deps, c Caller, in In) (Out, error)
	// Summary renders a one-line, human-readable summary of a result (optional).
	Summary func(Out) string
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
}

// Descriptor is a Tool with its types erased, as the registry holds it.
type Descriptor interface {
	info() Info
	validateIn(v any) error
	call(ctx context.Context, d *Deps, c Caller, raw json.RawMessage) (any, error)
	schemas() (in, out *jsonschema.Schema)
	summarize(out any) string
}

type compiled[In, Out any] struct {
	tool             Tool[In, Out]
	inSchema, outSch *jsonschema.Schema
	inJSON, outJSON  json.RawMessage
	resolved         *jsonschema.Resolved
}

// Compile generates and resolves a tool's schemas. It panics on a malformed tool definition,
// which is a programming error caught by the registry test at build time.
func (t Tool[In, Out]) Compile() Descriptor {
	in, err := schemaFor(reflect.TypeFor[In]())
	if err != nil {
		panic(fmt.Sprintf("tool %s: input schema: %v", t.Name, err))
	}
	out, err := schemaFor(reflect.TypeFor[Out]())
	if err != nil {
		panic(fmt.Sprintf("tool %s: output schema: %v", t.Name, err))
	}
	res, err := in.Resolve(nil)
	if err != nil {
		panic(fmt.Sprintf("tool %s: resolve input schema: %v", t.Name, err))
	}
	inJSON, _ := json.Marshal(in)
	outJSON, _ := json.Marshal(out)
	return &compiled[In, Out]{tool: t, inSchema: in, outSch: out, inJSON: inJSON, outJSON: outJSON, resolved: res}
}

func (c *compiled[In, Out]) info() Info {
	return Info{Name: c.tool.Name, Title: c.tool.Title, Description: c.tool.Description, Scope: c.tool.Scope,
		Annotations: c.tool.Annotations, InputSchema: c.inJSON, OutputSchema: c.outJSON}
}

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
// logged and returned as an internal *Error without detail.
func (r *Registry) Call(ctx context.Context, caller Caller, name string, raw json.RawMessage) (any, error) {
	t, ok := r.byName[name]
	if !ok {
		return nil, Errorf(CodeNotFound, "", "no tool named %q", name)
	}
	info := t.info()
	if !caller.Has(info.Scope) {
		return nil, Errorf(CodePermissionDenied, "", "this key lacks the %q scope that %s needs", info.Scope, name)
	}
	v, terr := decodeArgs(raw)
	if terr != nil {
		return nil, terr
	}
	if err := t.validateIn(v); err != nil {
		return nil, schemaError(err)
	}
	out, err := t.call(ctx, r.deps, caller, raw)
	if err != nil {
		if te := AsError(err); te != nil {
			return nil, te
		}
		if ctx.Err() != nil {
			return nil, Errorf(CodeUnavailable, "", "the request was cancelled or timed out")
		}
		r.deps.logger().ErrorContext(ctx, "tool failed", "tool", name, "key", caller.KeyID, "err", err)
		return nil, Errorf(CodeInternal, "", "internal error; it has been logged")
	}
	return out, nil
}

func (d *Deps) logger() *slog.Logger {
	if d == nil || d.Logger == nil {
		return slog.Default()
	}
	return d.Logger
}

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
