// Package gleiftest replays recorded GLEIF API v1 responses (shared/testdata/lei/
// gleif_api_v1) from an httptest server, byte for byte as GLEIF served them.
package gleiftest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// NotFoundBody is GLEIF's JSON:API 404 document.
const NotFoundBody = `{"errors":[{"status":"404","title":"Not Found"}]}`

// Server is a replay server. Hook, when set, runs first and may answer the request
// itself (return true) — tests use it to inject failures.
type Server struct {
	*httptest.Server
	Dir  string
	Hits atomic.Int64

	mu    sync.Mutex
	paths []string
	Hook  func(w http.ResponseWriter, r *http.Request) bool
}

// Paths returns the request paths (with query) seen so far.
func (s *Server) Paths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.paths...)
}

// New starts a replay server over dir (…/lei/gleif_api_v1); it is closed with the test.
func New(tb testing.TB, dir string) *Server {
	tb.Helper()
	s := &Server{Dir: dir}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// BaseURL returns the base URL to give the client (…/api/v1, as GLEIF's).
func (s *Server) BaseURL() string { return s.Server.URL + "/api/v1" }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.Hits.Add(1)
	s.mu.Lock()
	s.paths = append(s.paths, r.URL.RequestURI())
	s.mu.Unlock()
	if s.Hook != nil && s.Hook(w, r) {
		return
	}
	file := s.route(r)
	if file == "" {
		NotFound(w)
		return
	}
	body, err := os.ReadFile(filepath.Join(s.Dir, file))
	if err != nil {
		NotFound(w)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.api+json")
	_, _ = w.Write(body)
}

// NotFound writes GLEIF's 404.
func NotFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/vnd.api+json")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(NotFoundBody))
}

// route maps an API path to the recorded file; only page 1 of lists was recorded.
func (s *Server) route(r *http.Request) string {
	p := strings.TrimPrefix(r.URL.Path, "/api/v1")
	if pg := r.URL.Query().Get("page[number]"); pg != "" && pg != "1" {
		return ""
	}
	parts := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "lei-records":
		return "lei_records/multi_lei_records.json"
	case len(parts) == 1 && parts[0] == "fuzzycompletions":
		return "fuzzy_completions/fuzzycompletions_all.json"
	case len(parts) == 1 && parts[0] == "autocompletions":
		return "auto_completions/autocompletions_all.json"
	case len(parts) == 2 && parts[0] == "lei-records":
		return "lei_records/single_lei_record_" + parts[1] + ".json"
	case len(parts) == 3 && parts[0] == "lei-records":
		lei, rel := parts[1], parts[2]
		switch rel {
		case "direct-parent", "ultimate-parent", "direct-children", "ultimate-children":
			return "lei_records/" + rel + "_" + lei + ".json"
		case "direct-parent-relationship", "ultimate-parent-relationship":
			return "relationships/" + rel + "_" + lei + ".json"
		case "direct-child-relationships", "ultimate-child-relationships":
			return "relationships/" + rel + "_" + lei + ".json"
		case "direct-parent-reporting-exception", "ultimate-parent-reporting-exception":
			return "reporting_exceptions/" + rel + "_" + lei + ".json"
		}
	}
	return ""
}
