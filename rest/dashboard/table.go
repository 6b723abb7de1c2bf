package dashboard

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/kycd/kycd/models"
)

// table is a list page: the same rows render as HTML and as CSV (?format=csv), so every list
// exports exactly what it shows.
type table struct {
	Name    string
	Title   string
	Columns []string
	Rows    [][]cell
	Query   string
	// Note says why a list is empty when its engine is not configured here.
	Note     string
	See      []cell // related pages, linked under the note
	CSVURL   string
	NextURL  string
	Statuses []models.Status
}

type cell struct {
	Text string
	Href string
}

// pageArgs are a list tool's arguments for one page of a list page: 100 rows, from the
// request's cursor (setNext's link) when it has one.
func pageArgs(r *http.Request) map[string]any {
	args := map[string]any{"limit": 100}
	if c := r.URL.Query().Get("cursor"); c != "" {
		args["cursor"] = c
	}
	return args
}

func (t *table) setNext(r *http.Request, next *string) {
	if next == nil {
		return
	}
	q := cloneValues(r.URL.Query())
	q.Set("cursor", *next)
	t.NextURL = r.URL.Path + "?" + q.Encode()
}

func wantCSV(r *http.Request) bool { return r.URL.Query().Get("format") == "csv" }

func csvURL(r *http.Request) string {
	q := cloneValues(r.URL.Query())
	q.Set("format", "csv")
	return r.URL.Path + "?" + q.Encode()
}

// writeCSV writes a table as CSV. Cells starting with = + - @ are prefixed with ' so a
// spreadsheet does not run them as formulas (CSV injection).
func writeCSV(w http.ResponseWriter, t table) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="kycd-%s-%s.csv"`, t.Name, time.Now().UTC().Format("20060102-150405")))
	cw := csv.NewWriter(w)
	_ = cw.Write(t.Columns)
	for _, row := range t.Rows {
		rec := make([]string, len(row))
		for i, c := range row {
			rec[i] = c.Text
			if c.Text != "" && strings.ContainsRune("=+-@\t\r", rune(c.Text[0])) {
				rec[i] = "'" + c.Text
			}
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
}

// schemaEnum reads the enum of an input's (array) property from a tool's input schema.
func schemaEnum(schema json.RawMessage, prop string) []string {
	var s struct {
		Properties map[string]struct {
			Enum  []string `json:"enum"`
			Items *struct {
				Enum []string `json:"enum"`
			} `json:"items"`
		} `json:"properties"`
	}
	if json.Unmarshal(schema, &s) != nil {
		return nil
	}
	p := s.Properties[prop]
	if p.Items != nil {
		return p.Items.Enum
	}
	return p.Enum
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// describe renders a piece of evidence (a detail value) compactly: scalars as they are, maps
// as key: value pairs, lists comma-separated.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		return x
	case float64:
		if x == float64(int64(x)) {
			return fmt.Sprintf("%d", int64(x))
		}
		return fmt.Sprintf("%.3f", x)
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = describe(e)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, k+": "+describe(x[k]))
		}
		return strings.Join(parts, "; ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

var funcs = template.FuncMap{
	"time": func(t any) string {
		switch x := t.(type) {
		case time.Time:
			return x.UTC().Format("2006-01-02 15:04 UTC")
		case *time.Time:
			if x == nil {
				return "—"
			}
			return x.UTC().Format("2006-01-02 15:04 UTC")
		}
		return ""
	},
	"deref":    deref,
	"join":     strings.Join,
	"describe": describe,
	"pct":      func(f float64) string { return fmt.Sprintf("%.1f %%", f*100) },
	"num":      func(f float64) string { return fmt.Sprintf("%.3f", f) },
	"has": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
	"hasScope": func(op *Operator, s string) bool {
		for _, x := range op.Caller.Scopes {
			if string(x) == s {
				return true
			}
		}
		return false
	},
	"outcomeClass": func(o any) string { return "o-" + fmt.Sprint(o) },
	"list":         func(s ...string) []string { return s },
	"deref2": func(f *float64) float64 {
		if f == nil {
			return 0
		}
		return *f
	},
	// evidence describes any result value (a struct included) as describe does.
	"evidence": func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		var m any
		_ = json.Unmarshal(b, &m)
		return describe(m)
	},
}
