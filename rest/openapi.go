package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kycd/kycd/tools"
)

// errorCodes is every code an error body may carry, for the Error schema's enum.
var errorCodes = []string{
	string(tools.CodeMalformed), string(tools.CodeInvalidArgument), string(tools.CodeUnauthenticated),
	string(tools.CodePermissionDenied), string(tools.CodeNotFound), string(tools.CodeConflict),
	string(tools.CodeTooLarge), string(tools.CodeRateLimited), string(tools.CodeUnavailable),
	string(tools.CodeInternal), string(codeUnsupportedMediaType), string(codeMethodNotAllowed),
}

// errorResponses documents each error status once, with an example body.
var errorResponses = []struct {
	status      int
	code        tools.Code
	description string
	field       string
	message     string
}{
	{400, tools.CodeMalformed, "The body is not JSON or not a JSON object.", "", "the body is not valid JSON: invalid character '}' looking for beginning of value"},
	{401, tools.CodeUnauthenticated, "Missing, malformed, unknown or revoked API key.", "", "missing API key: send Authorization: Bearer sk_live_… or sk_test_…"},
	{403, tools.CodePermissionDenied, "The key lacks the scope this operation needs.", "", `this key lacks the "verifications:write" scope that create_verification needs`},
	{404, tools.CodeNotFound, "No such object for this account and mode.", "id", "no verification ver_01J… in this account and mode"},
	{409, tools.CodeConflict, "The object's state does not allow this, or the Idempotency-Key was used with another request.", "idempotency_key", "this idempotency key was used with other arguments (or another tool) in the last 24 h; use a new key"},
	{413, tools.CodeTooLarge, "The body (or a field) is over its size limit.", "", "the body is over the limit of 20971520 bytes"},
	{415, codeUnsupportedMediaType, "The body is not sent as application/json or multipart/form-data.", "", `send the body as Content-Type: application/json or multipart/form-data (got "text/plain")`},
	{422, tools.CodeInvalidArgument, "A field fails the schema or a business rule; field names it.", "applicant.email", "not an email address"},
	{429, tools.CodeRateLimited, "Over the API key's request budget; retry after Retry-After seconds.", "", "over this API key's budget of 120 requests a minute; retry in 1 s"},
	{500, tools.CodeInternal, "An unexpected failure; details are logged, not shown.", "", "internal error; it has been logged"},
	{503, tools.CodeUnavailable, "A dependency (database, engine) is not available, or the request was cancelled; retry.", "", "cannot check the API key right now; retry"},
}

// Spec generates the OpenAPI 3.1 document of every tool's REST binding. serverURL is the
// public base URL of the server ("" = relative to where the document was fetched).
func Spec(reg *tools.Registry, version, serverURL string) (map[string]any, error) {
	if version == "" {
		version = "dev"
	}
	if serverURL == "" {
		serverURL = "/"
	}
	schemas := map[string]any{"Error": errorSchema()}
	responses := map[string]any{}
	for _, er := range errorResponses {
		body := map[string]any{"code": er.code, "message": er.message}
		if er.field != "" {
			body["field"] = er.field
		}
		if er.code == tools.CodeRateLimited {
			body["retry_after_seconds"] = 1
		}
		resp := map[string]any{
			"description": er.description,
			"content": map[string]any{"application/json": map[string]any{
				"schema":  ref("schemas", "Error"),
				"example": map[string]any{"error": body},
			}},
		}
		if er.status == http.StatusTooManyRequests {
			resp["headers"] = rateHeaders(true)
		}
		if er.status == http.StatusUnauthorized {
			resp["headers"] = map[string]any{"WWW-Authenticate": map[string]any{"description": "Bearer realm=\"kycd\"", "schema": map[string]any{"type": "string"}}}
		}
		responses[strconv.Itoa(er.status)] = resp
	}
	paths := map[string]map[string]any{}
	outputs := map[string]string{} // output schema JSON → component name, so shared outputs appear once
	for _, info := range reg.Tools() {
		for i, b := range info.REST.Bindings(info.Name) {
			rt, err := newRoute(info, b)
			if err != nil {
				return nil, err
			}
			op, err := operation(rt, schemas, outputs)
			if err != nil {
				return nil, err
			}
			if i > 0 { // operation ids are unique: a further route of the tool says how it differs
				op["operationId"] = fmt.Sprintf("%s_%d", info.Name, i+1)
				if len(rt.params) == 0 {
					op["operationId"] = info.Name + "_by_query"
				}
				// It addresses the same object as the first route, so it too may not find it.
				if len(info.REST.OrDefault(info.Name).PathParams()) > 0 {
					op["responses"].(map[string]any)["404"] = ref("responses", "404")
				}
			}
			p := BasePath + rt.binding.Path
			if paths[p] == nil {
				paths[p] = map[string]any{}
			}
			paths[p][strings.ToLower(rt.binding.Method)] = op
		}
	}
	return map[string]any{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
		"info": map[string]any{
			"title":   "kycd REST API",
			"version": version,
			"summary": "Self-hosted identity verification (KYC, KYB, AML).",
			"description": "Every operation here is a kycd tool; the same tools are served over MCP and JSON-RPC 2.0. " +
				"Errors are {\"error\": {\"code\", \"message\", \"field\"}}. Every authenticated response carries X-RateLimit-* headers. " +
				"POST requests accept an Idempotency-Key header: the same key with the same body within 24 h replays the first response (Idempotent-Replayed: true); with another body it is a 409.",
			"license": map[string]any{"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
		},
		"servers":  []any{map[string]any{"url": serverURL, "description": "this kycd server"}},
		"security": []any{map[string]any{"bearerAuth": []any{}}},
		"tags":     tags(reg),
		"paths":    paths,
		"components": map[string]any{
			"schemas":   schemas,
			"responses": responses,
			"securitySchemes": map[string]any{"bearerAuth": map[string]any{
				"type": "http", "scheme": "bearer", "bearerFormat": "sk_live_… or sk_test_…",
				"description": "An API key created with `kycd keys create`; test keys see only test data.",
			}},
			"headers": map[string]any{
				"X-RateLimit-Limit":     header("integer", "requests a minute this key may make (on this process; see the README on several processes)"),
				"X-RateLimit-Remaining": header("integer", "requests left in the current budget"),
				"X-RateLimit-Reset":     header("integer", "seconds until the budget is full again"),
				"Retry-After":           header("integer", "seconds to wait before retrying"),
				"Idempotent-Replayed":   header("string", "\"true\" when the response is the stored one of an earlier request with the same Idempotency-Key"),
			},
		},
	}, nil
}

func operation(rt *route, schemas map[string]any, outputs map[string]string) (map[string]any, error) {
	info, b := rt.tool, rt.binding
	base := camel(info.Name)
	var in map[string]any
	if err := json.Unmarshal(info.NamedInputSchema, &in); err != nil {
		return nil, fmt.Errorf("tool %s: input schema: %w", info.Name, err)
	}
	hoistDefs(in, schemas, "Input") // nested inputs become named components (ApplicantData)
	outName, ok := outputs[string(info.OutputSchema)]
	if !ok {
		var out map[string]any
		if err := json.Unmarshal(info.OutputSchema, &out); err != nil {
			return nil, fmt.Errorf("tool %s: output schema: %w", info.Name, err)
		}
		hoistDefs(out, schemas, "")
		// The component is named for what the result is (Verification, ScreeningResult), so
		// generated clients get usable types; a tool whose output type's name is taken by
		// another shape, or has none, gets <Tool>Output.
		outName = info.OutputType
		if _, taken := schemas[outName]; taken || outName == "" || strings.Contains(outName, "[") {
			outName = base + "Output"
		}
		schemas[outName] = out
		outputs[string(info.OutputSchema)] = outName
	}
	props, _ := in["properties"].(map[string]any)
	required := stringList(in["required"])
	// The tool's examples (tools.Tool.Examples) are whole inputs; each parameter and the body
	// show their part of the first.
	examples, _ := in["examples"].([]any)
	exampleOf := func(name string) (any, bool) {
		if len(examples) == 0 {
			return nil, false
		}
		m, _ := examples[0].(map[string]any)
		v, ok := m[name]
		return v, ok
	}
	op := map[string]any{
		"operationId":  info.Name,
		"summary":      info.Title,
		"description":  info.Description + fmt.Sprintf("\n\nScope: `%s`. Also the MCP and JSON-RPC tool `%s`.", info.Scope, info.Name),
		"tags":         []any{tagOf(b.Path)},
		"security":     []any{map[string]any{"bearerAuth": []any{}}},
		"x-kycd-scope": string(info.Scope),
	}
	var params []any
	for _, p := range rt.params {
		prm := map[string]any{"name": p, "in": "path", "required": true,
			"description": description(props[p]), "schema": props[p]}
		if ex, ok := exampleOf(p); ok {
			prm["example"] = ex
		}
		params = append(params, prm)
	}
	if !b.BodyFields() {
		for _, name := range sortedKeys(props) {
			if slices.Contains(rt.params, name) {
				continue
			}
			prm := map[string]any{"name": name, "in": "query", "required": slices.Contains(required, name),
				"description": description(props[name]), "schema": nonNull(props[name])}
			if rt.props[name].typ == "array" {
				prm["style"], prm["explode"] = "form", true
			}
			if ex, ok := exampleOf(name); ok {
				prm["example"] = ex
			}
			params = append(params, prm)
		}
	}
	if b.Method == http.MethodPost && !info.Annotations.ReadOnly {
		params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": false,
			"description": "makes a retry safe: the same key and body within 24 h replay the first response; another body with it is a 409",
			"schema":      map[string]any{"type": "string", "minLength": 1, "maxLength": 255}})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if b.BodyFields() {
		bodySchema := ref("schemas", base+"Input")
		bodyRequired := len(required) > 0
		if len(rt.params) == 0 {
			schemas[base+"Input"] = in
		}
		if len(rt.params) > 0 {
			// The body is the input without the fields the path carries.
			body := map[string]any{}
			for k, v := range in {
				body[k] = v
			}
			bp := map[string]any{}
			for k, v := range props {
				if !slices.Contains(rt.params, k) {
					bp[k] = v
				}
			}
			body["properties"] = bp
			if len(examples) > 0 {
				bex := make([]any, len(examples))
				for i, ex := range examples {
					bex[i] = without(ex, rt.params)
				}
				body["examples"] = bex
			}
			var req []any
			for _, r := range required {
				if !slices.Contains(rt.params, r) {
					req = append(req, r)
				}
			}
			delete(body, "required")
			if len(req) > 0 {
				body["required"] = req
			}
			bodyRequired = len(req) > 0
			schemas[base+"Body"] = body
			bodySchema = ref("schemas", base+"Body")
		}
		content := map[string]any{"schema": bodySchema}
		if len(examples) > 0 {
			content["example"] = without(examples[0], rt.params)
		}
		media := map[string]any{"application/json": content}
		if flatBody(props, rt.params) {
			// The same fields as a form: files are read into the string fields as data URLs.
			media["multipart/form-data"] = map[string]any{"schema": bodySchema}
		}
		op["requestBody"] = map[string]any{"required": bodyRequired, "content": media}
	}
	okHeaders := rateHeaders(false)
	if b.Method == http.MethodPost && !info.Annotations.ReadOnly {
		okHeaders["Idempotent-Replayed"] = ref("headers", "Idempotent-Replayed")
	}
	resps := map[string]any{
		strconv.Itoa(b.Status): map[string]any{
			"description": info.Title + ": the result.",
			"headers":     okHeaders,
			"content":     map[string]any{"application/json": map[string]any{"schema": ref("schemas", outName)}},
		},
	}
	statuses := []int{400, 401, 403, 422, 429, 500, 503}
	if len(rt.params) > 0 {
		statuses = append(statuses, 404)
	}
	if !info.Annotations.ReadOnly {
		statuses = append(statuses, 409)
	}
	if b.BodyFields() {
		statuses = append(statuses, 413, 415)
	}
	for _, s := range statuses {
		resps[strconv.Itoa(s)] = ref("responses", strconv.Itoa(s))
	}
	op["responses"] = resps
	return op, nil
}

// hoistDefs moves a tool schema's $defs into the document's components, since a
// "#/$defs/…" reference inside a component would resolve against the whole document, and
// points the references there. A definition whose name holds another shape is renamed: with
// suffix first (ApplicantDataInput, the input form of an output type), then numbered.
func hoistDefs(s map[string]any, schemas map[string]any, suffix string) {
	defs, _ := s["$defs"].(map[string]any)
	if len(defs) == 0 {
		return
	}
	delete(s, "$defs")
	rename := map[string]string{}
	for _, name := range sortedKeys(defs) {
		target := name
		for n := 1; ; n++ {
			prev, taken := schemas[target]
			if !taken || equalJSON(prev, defs[name]) {
				break
			}
			target = fmt.Sprintf("%s%s%d", name, suffix, n+1)
			if n == 1 && suffix != "" {
				target = name + suffix
			}
		}
		rename["#/$defs/"+name] = "#/components/schemas/" + target
		schemas[target] = defs[name]
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok && rename[r] != "" {
				x["$ref"] = rename[r]
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(s)
	for _, name := range sortedKeys(defs) {
		walk(defs[name])
	}
}

// equalJSON compares two schemas as JSON, reading a local #/$defs reference as the
// component of the same name.
func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	local := func(b []byte) string { return strings.ReplaceAll(string(b), `"#/$defs/`, `"#/components/schemas/`) }
	return local(ja) == local(jb)
}

// without is an example input without the fields the path carries.
func without(example any, fields []string) any {
	m, ok := example.(map[string]any)
	if !ok {
		return example
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !slices.Contains(fields, k) {
			out[k] = v
		}
	}
	return out
}

func errorSchema() map[string]any {
	return map[string]any{
		"type":                 "object",
		"description":          "Every error, on every route.",
		"required":             []any{"error"},
		"additionalProperties": false,
		"properties": map[string]any{"error": map[string]any{
			"type":                 "object",
			"required":             []any{"code", "message"},
			"additionalProperties": false,
			"properties": map[string]any{
				"code":                map[string]any{"type": "string", "enum": errorCodes, "description": "what kind of error; stable, for programs"},
				"message":             map[string]any{"type": "string", "description": "what went wrong and what to do, for people"},
				"field":               map[string]any{"type": "string", "description": "the input field at fault (dotted path, e.g. applicant.email), when one is"},
				"retry_after_seconds": map[string]any{"type": "integer", "minimum": 1, "description": "with rate_limited: seconds until a retry can succeed"},
				"problems": map[string]any{"type": "array", "description": "every problem, when a whole document was checked (a questionnaire definition, its answers); field and message are the first's",
					"items": map[string]any{"type": "object", "required": []any{"path", "message"}, "additionalProperties": false, "properties": map[string]any{
						"path":    map[string]any{"type": "string", "description": "the input at fault, e.g. answers.income"},
						"message": map[string]any{"type": "string", "description": "what is wrong, for people"}}}},
			},
		}},
	}
}

func rateHeaders(refused bool) map[string]any {
	h := map[string]any{
		"X-RateLimit-Limit":     ref("headers", "X-RateLimit-Limit"),
		"X-RateLimit-Remaining": ref("headers", "X-RateLimit-Remaining"),
		"X-RateLimit-Reset":     ref("headers", "X-RateLimit-Reset"),
	}
	if refused {
		h["Retry-After"] = ref("headers", "Retry-After")
	}
	return h
}

func header(typ, desc string) map[string]any {
	return map[string]any{"description": desc, "schema": map[string]any{"type": typ}}
}

func ref(kind, name string) map[string]any {
	return map[string]any{"$ref": "#/components/" + kind + "/" + name}
}

// nonNull drops "null" from a schema's type list: a query string cannot say null, and
// parameter decoders want one type.
func nonNull(prop any) any {
	m, ok := prop.(map[string]any)
	if !ok {
		return prop
	}
	types, ok := m["type"].([]any)
	if !ok {
		return prop
	}
	var keep []any
	for _, t := range types {
		if t != "null" {
			keep = append(keep, t)
		}
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	if len(keep) == 1 {
		out["type"] = keep[0]
	} else {
		out["type"] = keep
	}
	return out
}

func description(prop any) string {
	if m, ok := prop.(map[string]any); ok {
		if d, ok := m["description"].(string); ok {
			return d
		}
	}
	return ""
}

func stringList(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// camel turns create_verification into CreateVerification.
func camel(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func tagOf(path string) string {
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")[0]
	if seg == "" {
		return "default"
	}
	return seg
}

func tags(reg *tools.Registry) []any {
	byTag := map[string][]string{}
	var order []string
	for _, info := range reg.Tools() {
		t := tagOf(info.REST.OrDefault(info.Name).Path)
		if byTag[t] == nil {
			order = append(order, t)
		}
		byTag[t] = append(byTag[t], info.Name)
	}
	out := make([]any, 0, len(order))
	for _, t := range order {
		out = append(out, map[string]any{"name": t,
			"description": fmt.Sprintf("Routes under %s/%s; the same operations are the MCP and JSON-RPC tools %s.", BasePath, t, strings.Join(byTag[t], ", "))})
	}
	return out
}

// flatBody reports whether every body property is a scalar or an array of scalars: what a
// multipart/form-data body can carry (readMultipart).
func flatBody(props map[string]any, params []string) bool {
	for name, p := range props {
		if slices.Contains(params, name) {
			continue
		}
		m, _ := p.(map[string]any)
		if t, _ := m["type"].(string); t == "object" || t == "" {
			return false
		}
	}
	return true
}
