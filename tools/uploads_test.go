package tools_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/tools"
)

// Large bodies queue for the upload budget; small ones never wait; one that cannot get its
// share in time is a 503 with Retry-After, not a crash. (Not parallel: it resizes the
// process-wide budget.)
func TestLimitUploads(t *testing.T) {
	imaging.SetMemoryBudget(64 << 20) // uploads: 16 MiB, one 6 MB body at a time
	defer imaging.SetMemoryBudget(0)
	var inside, most atomic.Int32
	gate := make(chan struct{})
	h := tools.LimitUploads(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inside.Add(1)
		if n > most.Load() {
			most.Store(n)
		}
		if r.URL.Path == "/hold" {
			<-gate
		}
		inside.Add(-1)
	}), 20<<20, 200*time.Millisecond)
	big := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", path, strings.NewReader(strings.Repeat("x", 6<<20)))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- big("/hold") }()
	require.Eventually(t, func() bool { return inside.Load() == 1 }, 5*time.Second, 5*time.Millisecond)
	// A second large body waits, then gives up with a retryable answer.
	rec := big("/other")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code)
	require.NotEmpty(t, rec.Header().Get("Retry-After"))
	// A small body does not wait for anything.
	small := httptest.NewRecorder()
	h.ServeHTTP(small, httptest.NewRequest("POST", "/small", strings.NewReader(`{"id":"x"}`)))
	require.Equal(t, http.StatusOK, small.Code)
	close(gate)
	require.Equal(t, http.StatusOK, (<-done).Code)
	// With the first one done, the next large body goes through.
	require.Equal(t, http.StatusOK, big("/other").Code)
	require.LessOrEqual(t, most.Load(), int32(2), "at most the held upload and the small call at once")
}
