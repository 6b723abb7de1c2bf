package db

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// unnestRows renders `unnest($a::type[], …) AS alias(columns)` for models of one bun type:
// one array parameter per column, so the statement text is the same whatever the number of
// rows and PostgreSQL plans it once per connection. A NULL element is a nil pointer (or a
// nil []byte); the tables written this way have no column defaults to stand in for.
func (tx *Tx) unnestRows(rows []any, alias string, args *[]any) (cols []string, from string, err error) {
	if len(rows) == 0 {
		return nil, "", fmt.Errorf("unnest %s: no rows", alias)
	}
	typ := reflect.TypeOf(rows[0]).Elem()
	tbl := tx.Dialect().Tables().Get(typ)
	params := make([]string, 0, len(tbl.Fields))
	for _, f := range tbl.Fields {
		sqlType, err := arrayElemType(f.IndirectType)
		if err != nil {
			return nil, "", fmt.Errorf("unnest %s.%s: %w", tbl.SQLName, f.SQLName, err)
		}
		if f.SQLDefault != "" || f.NullZero {
			return nil, "", fmt.Errorf("unnest %s.%s: column defaults are not supported", tbl.SQLName, f.SQLName)
		}
		vals := make([]any, len(rows))
		for i, r := range rows {
			v := reflect.ValueOf(r).Elem()
			if reflect.TypeOf(r).Elem() != typ {
				return nil, "", fmt.Errorf("unnest %s: mixed row types", tbl.SQLName)
			}
			vals[i] = plainValue(f.Value(v))
		}
		*args = append(*args, vals)
		cols = append(cols, string(f.SQLName))
		params = append(params, fmt.Sprintf("$%d::%s[]", len(*args), sqlType))
	}
	return cols, fmt.Sprintf("unnest(%s) AS %s(%s)", strings.Join(params, ", "), alias, strings.Join(cols, ", ")), nil
}

// arrayElemType is the PostgreSQL type of a model field's array parameter.
func arrayElemType(t reflect.Type) (string, error) {
	switch {
	case t == reflect.TypeOf(time.Time{}):
		return "timestamptz", nil
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "bytea", nil
	case t.Kind() == reflect.String:
		return "text", nil
	case t.Kind() == reflect.Bool:
		return "boolean", nil
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		return "bigint", nil
	}
	return "", fmt.Errorf("no array type for %s", t)
}

// plainValue is a field's value as pgx encodes it in an array: nil for a nil pointer or
// slice, the pointed-to value otherwise, named string and integer types as their base type.
func plainValue(v reflect.Value) any {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
	}
	return v.Interface()
}
