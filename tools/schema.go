package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/kycd/kycd/checks/crypto"
	"github.com/kycd/kycd/checks/document"
	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/checks/screening/lists"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// schemaFor generates the JSON Schema of T from its Go type. Field descriptions come from
// `jsonschema:"…"` tags; constraints from a few extra tags, so that nothing is hand-written:
//
//	enum:"a,b,c"  enumof:"models.AllStatuses"  minimum:"1"  maximum:"100"  minLength:"1"
//	maxLength:"128"  maxItems:"10"  pattern:"^…$"  format:"date"  country:"alpha2"|"icao"
//
// A field whose Go type has a list in enumLists (models.Status, say) gets that list as its
// enum without a tag; a string field names the list with enumof. An explicit enum tag wins,
// for the fields that take a subset. time.Time properties are "format": "date-time".
//
// An input schema has no ["null", X] types: an optional input is simply optional (absent),
// since some agent platforms refuse union types; a null argument is read as absent (see
// dropNulls).
func schemaFor(t reflect.Type, out bool) (*jsonschema.Schema, error) {
	s, err := jsonschema.ForType(t, nil)
	if err != nil {
		return nil, err
	}
	if err := applyTags(t, s, out); err != nil {
		return nil, fmt.Errorf("schema for %s: %w", t, err)
	}
	if !out {
		notNullable(s)
	} else {
		shareDefs(t, s, false)
	}
	return s, nil
}

// notNullable turns every ["null", X] type under s into X.
func notNullable(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	if len(s.Types) > 0 {
		keep := slices.DeleteFunc(slices.Clone(s.Types), func(t string) bool { return t == "null" })
		if len(keep) == 1 {
			s.Type, s.Types = keep[0], nil
		} else {
			s.Types = keep
		}
	}
	for _, p := range s.Properties {
		notNullable(p)
	}
	notNullable(s.Items)
	for _, d := range s.Defs {
		notNullable(d)
	}
}

// dropNulls removes the null-valued inputs the schema s declares, at any depth: an input given
// as null means the same as one left out (which is also what decoding into the Go type does),
// and the input schemas, having no nullable types, would otherwise refuse it. Free-form
// objects (metadata) keep their nulls: they are the caller's data.
func dropNulls(v any, s *jsonschema.Schema) {
	if s == nil {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			ps := s.Properties[k]
			if ps == nil {
				continue
			}
			if val == nil {
				delete(x, k)
				continue
			}
			dropNulls(val, ps)
		}
	case []any:
		for _, val := range x {
			dropNulls(val, s.Items)
		}
	}
}

// enumList is the value list of an enum the models (or a check) define, so a schema's enum
// is the Go list itself and cannot drift from it.
type enumList struct {
	name   string       // the Go expression of the list, as enumof names it
	typ    reflect.Type // the named string type of the values; nil for a []string list
	values []any
}

func listOf[T ~string](name string, all []T) enumList {
	l := enumList{name: name}
	if t := reflect.TypeFor[T](); t.Name() != "string" || t.PkgPath() != "" {
		l.typ = t
	}
	for _, v := range all {
		l.values = append(l.values, string(v))
	}
	return l
}

// enumLists are the lists schemas draw their enums from.
var enumLists = []enumList{
	listOf("models.AllStatuses", models.AllStatuses),
	listOf("models.AllModes", models.AllModes),
	listOf("models.AllChecks", models.AllChecks),
	listOf("models.AllDocumentTypes", models.AllDocumentTypes),
	listOf("models.AllOutcomes", models.AllOutcomes),
	listOf("models.AllEndpointKinds", models.AllEndpointKinds),
	listOf("models.AllEndpointStatuses", models.AllEndpointStatuses),
	listOf("models.AllDeliveryStatuses", models.AllDeliveryStatuses),
	listOf("models.AllVerdicts", models.AllVerdicts),
	listOf("verify.ReviewReasonCodes", verify.ReviewReasonCodes),
	listOf("lists.Sources", lists.Sources),
	listOf("liveness.AllSteps", liveness.AllSteps),
	listOf("crypto.AllRisks", crypto.AllRisks),
	listOf("face.AllReasons", face.AllReasons),
	listOf("document.AllSides", document.AllSides),
	listOf("models.AllRuleOutcomes", models.AllRuleOutcomes),
}

// enumFor finds the list a field's enum comes from: the one its enumof tag names, else the
// one of its (element) type.
func enumFor(f reflect.StructField) ([]any, error) {
	if name, ok := f.Tag.Lookup("enumof"); ok {
		for _, l := range enumLists {
			if l.name == name {
				return l.values, nil
			}
		}
		return nil, fmt.Errorf("field %s: enumof names no list in enumLists: %q", f.Name, name)
	}
	t := f.Type
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	for _, l := range enumLists {
		if l.typ == t {
			return l.values, nil
		}
	}
	return nil, nil
}

var timeType = reflect.TypeFor[time.Time]()

// countryNotes end the description of a field tagged country:"alpha2" or country:"icao" (see
// countries.go): the forms it takes and the one it is answered in.
var countryNotes = map[string]string{
	"alpha2": " (ISO alpha-2 or alpha-3, e.g. DE or DEU; answered as alpha-2)",
	"icao":   " (ICAO code, e.g. NLD, D; or ISO alpha-2; answered as ICAO)",
}

func applyTags(t reflect.Type, s *jsonschema.Schema, out bool) error {
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
			if err := applyTags(f.Type, s, out); err != nil {
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
			for _, l := range enumLists {
				if slices.Equal(target.Enum, l.values) {
					return fmt.Errorf("field %s: enum tag repeats %s; write enumof:%q", f.Name, l.name, l.name)
				}
			}
		} else {
			values, err := enumFor(f)
			if err != nil {
				return err
			}
			target.Enum = append([]any(nil), values...)
		}
		if f.Type == timeType || f.Type == reflect.PointerTo(timeType) {
			target.Format = "date-time"
		}
		if v, ok := f.Tag.Lookup("pattern"); ok {
			target.Pattern = v
		}
		if v, ok := f.Tag.Lookup("country"); ok {
			note, ok := countryNotes[v]
			if !ok {
				return fmt.Errorf("field %s: country tag is alpha2 or icao, not %q", f.Name, v)
			}
			if !isSliceField(f.Type) {
				// A list's codes are checked by the handler, which names the position
				// (allowed_countries[1]); a schema error could only say allowed_countries[].
				target.Pattern = "^[A-Za-z]{1,3}$"
			}
			ps.Description += note
		}
		if v, ok := f.Tag.Lookup("format"); ok {
			target.Format = v
		}
		for tag, dst := range map[string]**float64{"minimum": &ps.Minimum, "maximum": &ps.Maximum, "exclusiveMinimum": &ps.ExclusiveMinimum} {
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
		if err := applyTags(f.Type, ps, out); err != nil {
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

// apply writes the rule into the input schema s as a chain of if/then/else: if the first
// field is given, then (Exclusive) none of the others, else the rule over the rest; the last
// field, when reached, is required.
func (n *Need) apply(s *jsonschema.Schema) error {
	if n.Unless[0] != "" {
		if len(n.Fields) != 1 || s.Properties[n.Fields[0]] == nil || s.Properties[n.Unless[0]] == nil {
			return fmt.Errorf("need with unless: one field and the input it depends on")
		}
		var value any = n.Unless[1]
		s.If = &jsonschema.Schema{Properties: map[string]*jsonschema.Schema{n.Unless[0]: {Const: &value}}, Required: []string{n.Unless[0]}}
		s.Then = &jsonschema.Schema{Not: &jsonschema.Schema{Required: n.Fields}}
		s.Else = &jsonschema.Schema{Required: n.Fields}
		return nil
	}
	if len(n.Fields) < 2 {
		return fmt.Errorf("a need names at least two fields")
	}
	for _, f := range n.Fields {
		if s.Properties[f] == nil {
			return fmt.Errorf("no input %q", f)
		}
		if slices.Contains(s.Required, f) {
			return fmt.Errorf("input %q is required anyway", f)
		}
	}
	at := s
	for i, f := range n.Fields[:len(n.Fields)-1] {
		at.If = &jsonschema.Schema{Required: []string{f}}
		if n.Exclusive {
			var others []*jsonschema.Schema
			for _, g := range n.Fields[i+1:] {
				others = append(others, &jsonschema.Schema{Required: []string{g}})
			}
			not := &jsonschema.Schema{AnyOf: others}
			if len(others) == 1 {
				not = others[0]
			}
			at.Then = &jsonschema.Schema{Not: not}
		}
		at.Else = &jsonschema.Schema{}
		at = at.Else
	}
	at.Required = []string{n.Fields[len(n.Fields)-1]}
	return nil
}

// needError is the error for an input that breaks its tool's Need, found from the if/then/else
// chain apply wrote: the step that failed (the number of "/else" in the path) and whether it
// was a then (two given where one may be).
func needError(root *jsonschema.Schema, path string) *Error {
	if root.If != nil && len(root.If.Properties) == 1 && root.Else != nil && len(root.Else.Required) == 1 {
		field := root.Else.Required[0]
		for other, s := range root.If.Properties {
			if s.Const == nil {
				break
			}
			if strings.HasPrefix(path, "/then") {
				return invalid(field, "give no %s when %s is %v", field, other, *s.Const)
			}
			return invalid(field, "required unless %s is %v", other, *s.Const)
		}
	}
	var fields []string
	for at := root; at != nil; at = at.Else {
		if at.If != nil {
			fields = append(fields, at.If.Required...)
		} else {
			fields = append(fields, at.Required...)
		}
	}
	if len(fields) < 2 {
		return nil
	}
	alts := strings.Join(fields[:len(fields)-1], ", ") + " or " + fields[len(fields)-1]
	step := strings.Count(path, "/else")
	if strings.Contains(path, "/then") && step+1 < len(fields) {
		if len(fields) == 2 {
			return invalid(fields[1], "give %s, not both", alts)
		}
		return invalid(fields[step], "give only one of %s", alts)
	}
	return invalid(fields[0], "give %s", alts)
}

// schemaError turns a jsonschema validation error into an *Error naming the field, with the
// rule in words ("must be at most 100", "must be one of approve, reject") taken from the
// schema the value failed, rather than the validator's "200/1 is greater than 100.000000".
func schemaError(err error, root *jsonschema.Schema) *Error {
	msg := err.Error()
	path := ""
	for _, m := range reValidating.FindAllStringSubmatch(msg, -1) {
		path = m[1]
	}
	if root != nil && (strings.HasPrefix(path, "/then") || strings.HasPrefix(path, "/else")) {
		if te := needError(root, path); te != nil {
			return te
		}
	}
	field := pointerToField(path)
	detail := msg
	if i := strings.LastIndex(msg, path+": "); path != "" && i >= 0 {
		detail = msg[i+len(path)+2:]
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
	if field == "" {
		field = "(root)"
	}
	keyword, rest, _ := strings.Cut(detail, ": ")
	if words := ruleInWords(keyword, rest, schemaAt(root, path)); words != "" {
		return invalid(field, "%s", words)
	}
	if !strings.Contains(keyword, " ") && rest != "" {
		detail = rest
	}
	return invalid(field, "%s", detail)
}

// schemaAt follows a schema pointer ("/properties/officers/items/properties/name").
func schemaAt(s *jsonschema.Schema, pointer string) *jsonschema.Schema {
	segs := strings.Split(strings.Trim(pointer, "/"), "/")
	for i := 0; s != nil && i < len(segs); i++ {
		switch segs[i] {
		case "properties":
			if i+1 >= len(segs) {
				return nil
			}
			s = s.Properties[segs[i+1]]
			i++
		case "items":
			s = s.Items
		case "":
		default:
			return nil
		}
	}
	return s
}

// ruleInWords says the rule a value broke, from the keyword that failed and the schema that
// holds it; "" when it has no words for it.
func ruleInWords(keyword, detail string, s *jsonschema.Schema) string {
	if s == nil {
		return ""
	}
	num := func(p *float64) string { return strconv.FormatFloat(*p, 'f', -1, 64) }
	switch {
	case keyword == "maximum" && s.Maximum != nil:
		return "must be at most " + num(s.Maximum)
	case keyword == "minimum" && s.Minimum != nil:
		return "must be at least " + num(s.Minimum)
	case keyword == "exclusiveMinimum" && s.ExclusiveMinimum != nil:
		return "must be more than " + num(s.ExclusiveMinimum)
	case keyword == "exclusiveMaximum" && s.ExclusiveMaximum != nil:
		return "must be less than " + num(s.ExclusiveMaximum)
	case keyword == "maxLength" && s.MaxLength != nil:
		return fmt.Sprintf("must be at most %d characters long", *s.MaxLength)
	case keyword == "minLength" && s.MinLength != nil:
		if *s.MinLength == 1 {
			return "must not be empty"
		}
		return fmt.Sprintf("must be at least %d characters long", *s.MinLength)
	case keyword == "maxItems" && s.MaxItems != nil:
		return fmt.Sprintf("must have at most %d items", *s.MaxItems)
	case keyword == "minItems" && s.MinItems != nil:
		return fmt.Sprintf("must have at least %d items", *s.MinItems)
	case keyword == "uniqueItems":
		return "must not list an item twice"
	case keyword == "enum" && len(s.Enum) > 0:
		vals := make([]string, len(s.Enum))
		for i, v := range s.Enum {
			vals[i] = fmt.Sprint(v)
		}
		return "must be one of " + strings.Join(vals, ", ")
	case keyword == "pattern" && s.Pattern != "":
		if ex := exampleOf(s); ex != "" {
			return fmt.Sprintf("does not have the expected form; write it like %s (pattern %s)", ex, s.Pattern)
		}
		return "does not have the expected form (pattern " + s.Pattern + ")"
	case keyword == "type":
		want := s.Type
		if want == "" && len(s.Types) > 0 {
			want = strings.Join(s.Types, " or ")
		}
		got := ""
		if _, g, ok := strings.Cut(detail, `has type "`); ok {
			got, _, _ = strings.Cut(g, `"`)
		}
		if got != "" {
			return fmt.Sprintf("must be %s, not %s", article(want), article(got))
		}
		return "must be " + article(want)
	}
	return ""
}

// exampleOf is the first example a schema gives, as text.
func exampleOf(s *jsonschema.Schema) string {
	if len(s.Examples) == 0 {
		return ""
	}
	if str, ok := s.Examples[0].(string); ok {
		return str
	}
	return ""
}

func article(jsonType string) string {
	switch jsonType {
	case "integer", "object", "array":
		return "an " + jsonType
	case "null":
		return "null"
	}
	return "a " + jsonType
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
	if !utf8.Valid(raw) {
		// encoding/json would silently store U+FFFD in place of the bad bytes.
		return nil, Errorf(CodeMalformed, "", "arguments are not valid UTF-8")
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&v); err != nil {
		return nil, Errorf(CodeMalformed, "", "arguments are not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, Errorf(CodeMalformed, "", "arguments are not valid JSON: there is more after the object")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, Errorf(CodeMalformed, "", "arguments must be a JSON object")
	}
	// C0 control characters are not valid JSON unescaped, so they arrive as \u00XX; DEL and
	// C1 may also arrive raw. Look for those bytes before walking the values (an image is
	// megabytes of base64, which has none of them).
	if bytes.Contains(raw, []byte(`\u00`)) || bytes.IndexByte(raw, 0x7f) >= 0 || bytes.Contains(raw, []byte{0xc2}) {
		if field, r, ok := controlChar("", v); ok {
			return nil, invalid(field, "contains the control character U+%04X; remove it", r)
		}
	}
	return v, nil
}

// controlChar finds a string (value or key) holding a control character — C0 other than tab,
// line feed and carriage return, DEL, or C1 — and names its field ("applicant.name",
// "officers[2].name"). NUL in particular ends strings in C and is refused by the databases.
func controlChar(path string, v any) (string, rune, bool) {
	switch x := v.(type) {
	case string:
		for _, r := range x {
			if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f) {
				return path, r, true
			}
		}
	case map[string]any:
		for k, val := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if f, r, ok := controlChar(p, k); ok {
				return f, r, true
			}
			if f, r, ok := controlChar(p, val); ok {
				return f, r, true
			}
		}
	case []any:
		for i, val := range x {
			if f, r, ok := controlChar(fmt.Sprintf("%s[%d]", path, i), val); ok {
				return f, r, true
			}
		}
	}
	return "", 0, false
}

// shareDefs moves the object types that an output schema holds more than once (a reason, the
// request signals) into the schema's $defs, named after their Go type, and points each use at
// it with a $ref beside the use's own description. A tool's schema stays one document: MCP
// clients validate structuredContent against it on its own (the TypeScript SDK's ajv, the
// Python SDK's jsonschema), and both resolve a local #/$defs reference.
//
// With every, each nested object type goes to $defs, even one used once: for documents
// whose readers name types (OpenAPI client generators), see Info.NamedInputSchema.
func shareDefs(t reflect.Type, root *jsonschema.Schema, every bool) {
	type use struct {
		typ   reflect.Type
		node  *jsonschema.Schema
		depth int
	}
	var uses []use
	var walk func(t reflect.Type, s *jsonschema.Schema, depth int)
	walk = func(t reflect.Type, s *jsonschema.Schema, depth int) {
		for s != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice) {
			if t.Kind() == reflect.Slice {
				if t.Elem().Kind() == reflect.Uint8 {
					return
				}
				s = s.Items
			}
			t = t.Elem()
		}
		if s == nil || t.Kind() != reflect.Struct || t == timeType || s.Properties == nil {
			return
		}
		uses = append(uses, use{t, s, depth})
		var fields func(t reflect.Type)
		fields = func(t reflect.Type) {
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				if !f.IsExported() {
					continue
				}
				if f.Anonymous {
					ft := f.Type
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					fields(ft)
					continue
				}
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				if name == "" {
					name = f.Name
				}
				if ps := s.Properties[name]; ps != nil && name != "-" {
					walk(f.Type, ps, depth+1)
				}
			}
		}
		fields(t)
	}
	walk(t, root, 0)
	// Deepest first, so an outer type's copies already point at the inner type's definition.
	slices.SortStableFunc(uses, func(a, b use) int { return b.depth - a.depth })
	canon := func(s *jsonschema.Schema) string {
		c := *s
		c.Description = ""
		b, _ := json.Marshal(&c)
		return string(b)
	}
	groups := map[string][]*jsonschema.Schema{}
	var order []string
	names := map[string]reflect.Type{}
	for _, u := range uses {
		if u.node == root {
			continue
		}
		k := canon(u.node)
		if groups[k] == nil {
			order = append(order, k)
			names[k] = u.typ
		}
		groups[k] = append(groups[k], u.node)
	}
	taken := map[string]bool{}
	for _, k := range order {
		nodes := groups[k]
		if !every && (len(nodes) < 2 || len(k) < 120) {
			continue // a small object costs less written twice than referenced
		}
		name := typeName(names[k])
		for n := 2; taken[name] || name == ""; n++ {
			name = fmt.Sprintf("%s%d", typeName(names[k]), n)
		}
		taken[name] = true
		def := *nodes[0]
		def.Description = ""
		if root.Defs == nil {
			root.Defs = map[string]*jsonschema.Schema{}
		}
		root.Defs[name] = &def
		for _, n := range nodes {
			*n = jsonschema.Schema{Ref: "#/$defs/" + name, Description: n.Description}
		}
	}
}

// InlineDefs returns a tool schema with its local $defs written out at each reference: for a
// document that embeds the schema (the OpenRPC description), where "#/$defs/…" would resolve
// against the embedding document.
func InlineDefs(raw json.RawMessage) json.RawMessage {
	var s map[string]any
	if json.Unmarshal(raw, &s) != nil {
		return raw
	}
	defs, _ := s["$defs"].(map[string]any)
	if len(defs) == 0 {
		return raw
	}
	delete(s, "$defs")
	var expand func(v any) any
	expand = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok && strings.HasPrefix(r, "#/$defs/") {
				if def, ok := defs[strings.TrimPrefix(r, "#/$defs/")].(map[string]any); ok {
					out := map[string]any{}
					for k, dv := range def {
						out[k] = expand(dv)
					}
					for k, uv := range x {
						if k != "$ref" {
							out[k] = uv
						}
					}
					return out
				}
			}
			for k, c := range x {
				x[k] = expand(c)
			}
		case []any:
			for i, c := range x {
				x[i] = expand(c)
			}
		}
		return v
	}
	out, err := json.Marshal(expand(s))
	if err != nil {
		return raw
	}
	return out
}

// typeName names a Go type for a schema definition or an OpenAPI component: its own name,
// after its package's for a type from outside tools and models (mrz.Result → MrzResult).
func typeName(t reflect.Type) string {
	name := t.Name()
	if name == "" || t.PkgPath() == reflect.TypeFor[Error]().PkgPath() || t.PkgPath() == reflect.TypeFor[models.Reason]().PkgPath() {
		return name
	}
	pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
	return strings.ToUpper(pkg[:1]) + pkg[1:] + name
}
