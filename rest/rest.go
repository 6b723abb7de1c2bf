package rest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kycd/kycd/tools"
)

// BasePath is where the REST API lives.
const BasePath = "/api/v1"

// SpecPath serves the OpenAPI document.
const SpecPath = "/api/openapi.json"

// DefaultBodyLimit caps request bodies when Options.BodyLimit is 0: room for a 15 MB image
// sent base64-encoded.
const DefaultBodyLimit = 20 << 20

// Options configure the REST surface.
type Options struct {
	// BodyLimit is the largest request body accepted, in bytes (0 = DefaultBodyLimit).
	BodyLimit int64
	// Version is the server version shown in the OpenAPI document.
	Version string
	// PublicURL is the server URL in the OpenAPI document ("" = relative).
	PublicURL string
	// Authenticate resolves a request's caller; nil means the bearer token through tools.Authenticate.
	Authenticate func(r *http.Request) (tools.Caller, *tools.Error)
	// WaitInterval is how often a call with wait_seconds re-reads its result (0 = the registry's default).
	WaitInterval time.Duration
}

// Handler serves /api/v1/… and /api/openapi.json.
type Handler struct {
	reg  *tools.Registry
	opts Options
	mux  *http.ServeMux
	spec []byte
}

// route is one tool's binding, prepared once.
type route struct {
	tool    tools.Info
	binding tools.REST
	params  []string
	props   map[string]propType
}

// propType is what the query-string parser needs of an input property.
type propType struct {
	typ, items string
}

// New builds the REST handler for every tool in reg.
func New(reg *tools.Registry, opts Options) (*Handler, error) {
	if opts.BodyLimit <= 0 {
		opts.BodyLimit = DefaultBodyLimit
	}
	h := &Handler{reg: reg, opts: opts, mux: http.NewServeMux()}
	if h.opts.Authenticate == nil {
		h.opts.Authenticate = func(r *http.Request) (tools.Caller, *tools.Error) {
			c, err := tools.Authenticate(r.Context(), reg.Deps(), tools.BearerToken(r))
			if err != nil {
				return c, tools.AsError(err)
			}
			return c, nil
		}
	}
	spec, err := Spec(reg, opts.Version, opts.PublicURL)
	if err != nil {
		return nil, err
	}
	if h.spec, err = json.MarshalIndent(spec, "", "  "); err != nil {
		return nil, fmt.Errorf("encode openapi: %w", err)
	}
	methods := map[string][]string{}
	for _, info := range reg.Tools() {
		for _, b := range info.REST.Bindings(info.Name) {
			rt, err := newRoute(info, b)
			if err != nil {
				return nil, err
			}
			pattern := rt.binding.Method + " " + BasePath + rt.binding.Path
			if err := handle(h.mux, pattern, h.serveTool(rt)); err != nil {
				return nil, fmt.Errorf("tool %s: route %s: %w", info.Name, pattern, err)
			}
			methods[rt.binding.Path] = append(methods[rt.binding.Path], rt.binding.Method)
		}
	}
	// Other methods on a known path: a JSON 405 listing the allowed ones. A method-less pattern
	// conflicts with a route of another method on an overlapping path (GET /applicants/lookup
	// and DELETE /applicants/{id}); such a path gets one 405 pattern per other method instead.
	for path, ms := range methods {
		allow := strings.Join(ms, ", ")
		notAllowed := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			writeError(w, &tools.Error{Code: codeMethodNotAllowed, Message: fmt.Sprintf("%s is not served here; allowed: %s", r.Method, allow)}, http.StatusMethodNotAllowed)
		})
		if err := handle(h.mux, BasePath+path, notAllowed); err == nil {
			continue
		}
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if slices.Contains(ms, m) {
				continue
			}
			if err := handle(h.mux, m+" "+BasePath+path, notAllowed); err != nil {
				return nil, err
			}
		}
	}
	h.mux.HandleFunc(BasePath+"/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, tools.Errorf(tools.CodeNotFound, "", "no route %s %s; see %s", r.Method, r.URL.Path, SpecPath), 0)
	})
	h.mux.HandleFunc("GET "+SpecPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(h.spec)
	})
	return h, nil
}

// handle registers a pattern, turning ServeMux's panic on a conflict into an error.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

func newRoute(info tools.Info, b tools.REST) (*route, error) {
	b.Also = nil
	rt := &route{tool: info, binding: b, props: map[string]propType{}}
	rt.params = rt.binding.PathParams()
	var in struct {
		Properties map[string]struct {
			Type  any `json:"type"`
			Items *struct {
				Type any `json:"type"`
			} `json:"items"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(info.InputSchema, &in); err != nil {
		return nil, fmt.Errorf("tool %s: input schema: %w", info.Name, err)
	}
	for name, p := range in.Properties {
		pt := propType{typ: mainType(p.Type)}
		if p.Items != nil {
			pt.items = mainType(p.Items.Type)
		}
		rt.props[name] = pt
	}
	for _, p := range rt.params {
		if _, ok := rt.props[p]; !ok {
			return nil, fmt.Errorf("tool %s: path parameter {%s} is not an input field", info.Name, p)
		}
	}
	return rt, nil
}

// mainType is a schema type without "null" (Go slices and pointers are ["null", T]).
func mainType(t any) string {
	switch v := t.(type) {
	case string:
		return v
	case []any:
		for _, x := range v {
			if s, _ := x.(string); s != "null" {
				return s
			}
		}
	}
	return ""
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// SpecJSON is the OpenAPI document as served.
func (h *Handler) SpecJSON() []byte { return h.spec }

func (h *Handler) serveTool(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, terr := h.opts.Authenticate(r)
		if terr != nil {
			writeError(w, terr, 0)
			return
		}
		o := tools.CallOptions{WaitInterval: h.opts.WaitInterval}
		o.Args = func() (json.RawMessage, *tools.Error) { return h.args(w, r, rt) }
		if rt.binding.Method == http.MethodPost {
			o.IdempotencyKey = r.Header.Get("Idempotency-Key")
		}
		out, meta, err := h.reg.CallWith(r.Context(), caller, rt.tool.Name, nil, o)
		setRateHeaders(w.Header(), meta.Rate)
		if err != nil {
			writeError(w, tools.AsError(err), 0)
			return
		}
		body, err := json.Marshal(out)
		if err != nil {
			slog.ErrorContext(r.Context(), "encode response", "tool", rt.tool.Name, "err", err)
			writeError(w, tools.Errorf(tools.CodeInternal, "", "internal error; it has been logged"), 0)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if meta.Replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		w.WriteHeader(rt.binding.Status)
		_, _ = w.Write(append(body, '\n'))
	})
}

// args assembles the tool's arguments from the path, the query string and the body.
func (h *Handler) args(w http.ResponseWriter, r *http.Request, rt *route) (json.RawMessage, *tools.Error) {
	var body []byte
	if rt.binding.BodyFields() {
		var terr *tools.Error
		if body, terr = h.readBody(w, r, rt); terr != nil {
			return nil, terr
		}
		if len(r.URL.Query()) > 0 {
			for name := range r.URL.Query() {
				return nil, tools.Errorf(tools.CodeInvalidArgument, name, "query parameters are not read on %s %s; send the field in the JSON body", rt.binding.Method, BasePath+rt.binding.Path)
			}
		}
		if len(rt.params) == 0 {
			return body, nil // the fast path: the body is the arguments, validated by the registry
		}
	}
	args := map[string]any{}
	if len(body) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, tools.Errorf(tools.CodeMalformed, "", "the body is not valid JSON: %v", err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, tools.Errorf(tools.CodeMalformed, "", "the body is not valid JSON: there is more after the object")
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, tools.Errorf(tools.CodeMalformed, "", "the body must be a JSON object")
		}
		args = obj
	}
	if !rt.binding.BodyFields() {
		q := r.URL.Query()
		for name, vals := range q {
			p, ok := rt.props[name]
			if !ok || slices.Contains(rt.params, name) {
				return nil, tools.Errorf(tools.CodeInvalidArgument, name, "unknown query parameter; see %s for this route's parameters", SpecPath)
			}
			v, terr := queryValue(name, p, vals)
			if terr != nil {
				return nil, terr
			}
			args[name] = v
		}
	}
	for _, p := range rt.params {
		if _, dup := args[p]; dup {
			return nil, tools.Errorf(tools.CodeInvalidArgument, p, "given in the path; do not repeat it in the body")
		}
		args[p] = r.PathValue(p)
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, tools.Errorf(tools.CodeMalformed, "", "arguments cannot be encoded: %v", err)
	}
	return raw, nil
}

// readBody reads a JSON body of at most BodyLimit bytes; an empty body is no arguments. A
// multipart/form-data body (what an HTML form or `curl -F` sends) is turned into the same
// JSON: fields become arguments of the input's types, and files become data URLs, which is
// how every image input takes an image.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request, rt *route) ([]byte, *tools.Error) {
	if r.ContentLength > h.opts.BodyLimit {
		return nil, tooLarge(h.opts.BodyLimit)
	}
	if r.ContentLength == 0 {
		return nil, nil
	}
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && mt == "multipart/form-data" {
		return h.readMultipart(w, r, rt)
	}
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return nil, &tools.Error{Code: codeUnsupportedMediaType, Message: fmt.Sprintf("send the body as Content-Type: application/json or multipart/form-data (got %q)", ct)}
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.BodyLimit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, tooLarge(h.opts.BodyLimit)
	}
	if err != nil {
		return nil, tools.Errorf(tools.CodeMalformed, "", "cannot read the body: %v", err)
	}
	switch strings.TrimSpace(string(b)) {
	case "":
		return nil, nil
	case "null": // a JSON value, but not the object the README promises
		return nil, tools.Errorf(tools.CodeMalformed, "", "the body must be a JSON object, not null; send {} or no body for no arguments")
	}
	if !utf8.Valid(b) {
		return nil, tools.Errorf(tools.CodeMalformed, "", "the body is not valid UTF-8")
	}
	return b, nil
}

func tooLarge(limit int64) *tools.Error {
	return tools.Errorf(tools.CodeTooLarge, "", "the body is over the limit of %d bytes", limit)
}

// queryValue converts query-string values to the JSON type of the input property.
func queryValue(name string, p propType, vals []string) (any, *tools.Error) {
	if p.typ == "array" {
		var out []any
		for _, v := range vals {
			for _, part := range strings.Split(v, ",") {
				x, terr := scalar(name, p.items, part)
				if terr != nil {
					return nil, terr
				}
				out = append(out, x)
			}
		}
		return out, nil
	}
	if len(vals) > 1 {
		return nil, tools.Errorf(tools.CodeInvalidArgument, name, "given %d times; give it once", len(vals))
	}
	return scalar(name, p.typ, vals[0])
}

func scalar(name, typ, v string) (any, *tools.Error) {
	switch typ {
	case "integer":
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, tools.Errorf(tools.CodeInvalidArgument, name, "must be a whole number, got %q", v)
		}
		return n, nil
	case "number":
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, tools.Errorf(tools.CodeInvalidArgument, name, "must be a number, got %q", v)
		}
		return f, nil
	case "boolean":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, tools.Errorf(tools.CodeInvalidArgument, name, "must be true or false, got %q", v)
		}
		return b, nil
	case "string", "":
		return v, nil
	}
	return nil, tools.Errorf(tools.CodeInvalidArgument, name, "cannot be given in the query string")
}

// setRateHeaders writes the X-RateLimit-* headers (and Retry-After when refused).
func setRateHeaders(hd http.Header, st tools.RateStatus) {
	if st.Limit == 0 {
		return
	}
	hd.Set("X-RateLimit-Limit", strconv.Itoa(st.Limit))
	hd.Set("X-RateLimit-Remaining", strconv.Itoa(st.Remaining))
	hd.Set("X-RateLimit-Reset", strconv.Itoa(int(math.Ceil(st.Reset.Seconds()))))
	if st.RetryAfter > 0 {
		hd.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(st.RetryAfter.Seconds())))))
	}
}

// The two error codes only HTTP has; every other code is a tools.Code.
const (
	codeUnsupportedMediaType tools.Code = "unsupported_media_type"
	codeMethodNotAllowed     tools.Code = "method_not_allowed"
)

// statusFor maps an error to its HTTP status; the two transport-only codes are REST's own.
func statusFor(e *tools.Error) int {
	switch e.Code {
	case codeUnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	case codeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	}
	return e.Code.HTTPStatus()
}

// writeError writes {"error": {...}} with the error's status (or status when non-zero).
func writeError(w http.ResponseWriter, e *tools.Error, status int) {
	if status == 0 && e != nil {
		status = statusFor(e)
	}
	tools.WriteHTTPError(w, e, status)
}

// readMultipart converts a multipart/form-data body into the tool's JSON arguments.
func (h *Handler) readMultipart(w http.ResponseWriter, r *http.Request, rt *route) ([]byte, *tools.Error) {
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.BodyLimit)
	if err := r.ParseMultipartForm(h.opts.BodyLimit); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(h.opts.BodyLimit)
		}
		return nil, tools.Errorf(tools.CodeMalformed, "", "the multipart body cannot be read: %v", err)
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	args := map[string]any{}
	for name, vals := range r.MultipartForm.Value {
		p, ok := rt.props[name]
		if !ok {
			return nil, tools.Errorf(tools.CodeInvalidArgument, name, "unknown field; see %s for this route's fields", SpecPath)
		}
		v, terr := queryValue(name, p, vals)
		if terr != nil {
			return nil, terr
		}
		args[name] = v
	}
	for name, files := range r.MultipartForm.File {
		if p, ok := rt.props[name]; !ok || p.typ != "string" {
			return nil, tools.Errorf(tools.CodeInvalidArgument, name, "this field does not take a file")
		}
		if _, dup := args[name]; dup || len(files) != 1 {
			return nil, tools.Errorf(tools.CodeInvalidArgument, name, "send one file or one value")
		}
		f, err := files[0].Open()
		if err != nil {
			return nil, tools.Errorf(tools.CodeMalformed, name, "cannot read the file: %v", err)
		}
		b, err := io.ReadAll(f)
		_ = f.Close()
		if err != nil {
			return nil, tools.Errorf(tools.CodeMalformed, name, "cannot read the file: %v", err)
		}
		// The content decides the type; the tool checks it is an image it accepts.
		args[name] = "data:" + strings.SplitN(http.DetectContentType(b), ";", 2)[0] + ";base64," + base64.StdEncoding.EncodeToString(b)
	}
	raw, err := json.Marshal(args)
	if err != nil {
		return nil, tools.Errorf(tools.CodeMalformed, "", "arguments cannot be encoded: %v", err)
	}
	return raw, nil
}
