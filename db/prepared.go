package db

import (
	"fmt"
	"reflect"
	"strings"
)

// paramInsert renders `INSERT INTO table (columns) VALUES (…)` for a bun model with $n
// parameters instead of bun's inlined values, so the statement text repeats and PostgreSQL
// plans it once per connection (pgx caches the prepared statement). Values become DEFAULT
// exactly where bun would write DEFAULT (nil pointers, zero nullzero or defaulted fields);
// override maps a column to an SQL expression used instead of its value.
func (tx *Tx) paramInsert(model any, args *[]any, override map[string]string) string {
	strct := reflect.ValueOf(model).Elem()
	tbl := tx.Dialect().Tables().Get(strct.Type())
	cols := make([]string, 0, len(tbl.Fields))
	vals := make([]string, 0, len(tbl.Fields))
	for _, f := range tbl.Fields {
		cols = append(cols, string(f.SQLName))
		switch expr, ok := override[f.Name]; {
		case ok:
			vals = append(vals, expr)
		case (f.IsPtr && f.HasNilValue(strct)) || (f.HasZeroValue(strct) && (f.NullZero || f.SQLDefault != "")):
			vals = append(vals, "DEFAULT")
		default:
			*args = append(*args, f.Value(strct).Interface())
			vals = append(vals, fmt.Sprintf("$%d", len(*args)))
		}
	}
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", tbl.SQLName, strings.Join(cols, ", "), strings.Join(vals, ", "))
}
