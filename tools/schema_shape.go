package tools

import (
	"encoding/json"
	"strings"
)

// outputShape is the output schema as tools/list carries it: the result's top-level fields
// with their JSON types and enums, nested objects and arrays by type only, no descriptions.
// The full schema (every nested field, its description and what is required) is one read
// away — the MCP resource kycd://tools/{name}, the OpenAPI document — and is what the tests
// check every result against.
//
// Why: tools/list is in an agent's context on every turn, and the full output schemas were
// 78 % of it (the verification alone, ≈ 9.7 kB, in seven tools). Hosts pass a tool's name,
// description and input schema to the model; the output schema serves the client's validation
// of structuredContent, which the shape does as well for every result the full schema
// accepts (it only drops constraints, never adds one). See docs/surfaces.md.
func outputShape(full json.RawMessage) json.RawMessage {
	var root map[string]any
	if err := json.Unmarshal(full, &root); err != nil {
		return full
	}
	defs, _ := root["$defs"].(map[string]any)
	shape := map[string]any{"type": "object"}
	if props, ok := root["properties"].(map[string]any); ok {
		out := make(map[string]any, len(props))
		for name, p := range props {
			out[name] = typeOnly(p, defs)
		}
		shape["properties"] = out
	}
	b, err := json.Marshal(shape)
	if err != nil {
		return full
	}
	return b
}

// typeOnly keeps what a schema says of a value's JSON type: type, enum and const. A reference
// is followed into defs; a schema it cannot read (anyOf, oneOf, an unknown reference) becomes
// {}, which accepts anything, so the shape never refuses a result the full schema accepts.
func typeOnly(v any, defs map[string]any) any {
	s, ok := v.(map[string]any)
	if !ok {
		return map[string]any{}
	}
	if ref, ok := s["$ref"].(string); ok {
		d, found := defs[strings.TrimPrefix(ref, "#/$defs/")]
		if !found || !strings.HasPrefix(ref, "#/$defs/") {
			return map[string]any{}
		}
		return typeOnly(d, nil)
	}
	out := map[string]any{}
	for _, k := range []string{"type", "enum", "const"} {
		if x, ok := s[k]; ok {
			out[k] = x
		}
	}
	return out
}
