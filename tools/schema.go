package tools

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
)

// schemaFor generates the JSON Schema of T from its Go type. Field descriptions come from
// `jsonschema:"…"` tags; constraints from a few extra tags, so that nothing is hand-written:
//
//	enum:"a,b,c"  minimum:"1"  maximum:"100"  minLength:"1"  maxLength:"128"
//	maxItems:"10" pattern:"^…$" format:"date"
func schemaFor(t reflect.Type) (*jsonschema.Schema, error) {
	s, err := jsonschema.ForType(t, nil)
	if err != nil {
		return nil, err
	}
	if err := applyTags(t, s); err != nil {
		return nil, fmt.Errorf("schema for %s: %w", t, err)
	}
	return s, nil
}

func applyTags(t reflect.Type, s *jsonschema.Schema) error {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		if t.Kind() == reflect.Slice && s.Items != nil {
			s = s.Items
		}
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || s.Properties == nil {
		return nil
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			if err := applyTags(f.Type, s); err != nil {
				return err
			}
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		if name == "-" {
			continue
		}
		ps := s.Properties[name]
		if ps == nil {
			continue
		}
		target := ps
		if isSliceField(f.Type) && ps.Items != nil {
			target = ps.Items // enum/pattern/length constrain the items of a list
		}
		if v, ok := f.Tag.Lookup("enum"); ok {
			for _, e := range strings.Split(v, ",") {
				target.Enum = append(target.Enum, e)
			}
		}
		if v, ok := f.Tag.Lookup("pattern"); ok {
			target.Pattern = v
		}
		if v, ok := f.Tag.Lookup("format"); ok {
			target.Format = v
		}
		for tag, dst := range map[string]**float64{"minimum": &ps.Minimum, "maximum": &ps.Maximum} {
			if v, ok := f.Tag.Lookup(tag); ok {
				n, err := strconv.ParseFloat(v, 64)
				if err != nil {
					return fmt.Errorf("field %s: bad %s tag", f.Name, tag)
				}
				*dst = &n
			}
		}
		for tag, dst := range map[string]**int{"minLength": &target.MinLength, "maxLength": &target.MaxLength, "maxItems": &ps.MaxItems} {
			if v, ok := f.Tag.Lookup(tag); ok {
				n, err := strconv.Atoi(v)
				if err != nil {
					return fmt.Errorf("field %s: bad %s tag", f.Name, tag)
				}
				*dst = &n
			}
		}
		if err := applyTags(f.Type, ps); err != nil {
			return err
		}
	}
	return nil
}

func isSliceField(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8
}

var (
	reValidating = regexp.MustCompile(`validating (/[^:]*)`)
	reQuoted     = regexp.MustCompile(`\["([^"]+)"`)
)

// schemaError turns a jsonschema validation error into an *Error naming the field.
func schemaError(err error) *Error {
	msg := err.Error()
	path := ""
	for _, m := range reValidating.FindAllStringSubmatch(msg, -1) {
		path = m[1]
	}
	field := pointerToField(path)
	detail := msg
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		detail = msg[i+2:]
	}
	switch {
	case strings.Contains(msg, "unexpected additional properties"):
		if m := reQuoted.FindStringSubmatch(msg); m != nil {
			field = joinField(field, m[1])
		}
		return invalid(field, "unknown field; remove it (see the tool's input schema for the accepted fields)")
	case strings.Contains(msg, "missing properties"):
		if m := reQuoted.FindStringSubmatch(msg); m != nil {
			field = joinField(field, m[1])
		}
		return invalid(field, "required")
	}
	// "type: 3 has type \"integer\", want \"string\"" → `has type "integer", want "string"`
	if k, rest, ok := strings.Cut(detail, ": "); ok && !strings.Contains(k, " ") {
		_ = k
		detail = rest
	}
	if field == "" {
		field = "(root)"
	}
	return invalid(field, "%s", detail)
}

// pointerToField turns "/properties/applicant/properties/name" into "applicant.name"
// and ".../properties/checks/items" into "checks[]".
func pointerToField(p string) string {
	var parts []string
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for i := 0; i < len(segs); i++ {
		switch segs[i] {
		case "properties":
			if i+1 < len(segs) {
				parts = append(parts, segs[i+1])
				i++
			}
		case "items":
			if len(parts) > 0 {
				parts[len(parts)-1] += "[]"
			}
		}
	}
	return strings.Join(parts, ".")
}

func joinField(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// decodeArgs parses raw arguments into a generic value for schema validation.
// Empty input means an empty object.
func decodeArgs(raw json.RawMessage) (any, *Error) {
	if len(strings.TrimSpace(string(raw))) == 0 || string(raw) == "null" {
		return map[string]any{}, nil
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&v); err != nil {
		return nil, Errorf(CodeMalformed, "", "arguments are not valid JSON: %v", err)
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, Errorf(CodeMalformed, "", "arguments must be a JSON object")
	}
	return v, nil
}
