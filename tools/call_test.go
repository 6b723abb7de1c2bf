package tools_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// TestRESTBindings fails for a tool without a REST route (it would be served at the
// fallback POST /tools/{name}) and for routes the REST generator cannot serve.
func TestRESTBindings(t *testing.T) {
	t.Parallel()
	reg, err := tools.NewRegistry(nil, tools.All()...)
	require.NoError(t, err)
	routes := map[string]string{}
	for _, info := range reg.Tools() {
		t.Run(info.Name, func(t *testing.T) {
			require.False(t, info.REST.IsZero(), "%s declares no REST binding: add REST: tools.REST{Method, Path} to the tool", info.Name)
			for _, b := range info.REST.Bindings(info.Name) {
				require.Contains(t, []string{"GET", "POST", "PUT", "PATCH", "DELETE"}, b.Method)
				require.Regexp(t, `^(/[a-z0-9_-]+|/\{[a-z_]+\})+$`, b.Path)
				route := b.Method + " " + b.Path
				require.Empty(t, routes[route], "%s and %s share the route %s", routes[route], info.Name, route)
				routes[route] = info.Name
				if info.Creates {
					require.Equal(t, "POST", b.Method, "a creating tool is a POST (Idempotency-Key applies to POST)")
				}
				if info.Annotations.ReadOnly && b.BodyFields() {
					// Allowed (a stateless parse that takes a large body), but it must not say it changes state.
					require.False(t, info.Annotations.Destructive)
				}
				var in struct {
					Properties map[string]struct {
						Type  any `json:"type"`
						Items *struct {
							Type any `json:"type"`
						} `json:"items"`
					} `json:"properties"`
				}
				require.NoError(t, json.Unmarshal(info.InputSchema, &in))
				params := b.PathParams()
				for _, p := range params {
					prop, ok := in.Properties[p]
					require.True(t, ok, "path parameter {%s} is not an input field", p)
					require.Equal(t, "string", prop.Type, "path parameter {%s} must be a string field", p)
				}
				if !b.BodyFields() {
					for name, prop := range in.Properties {
						typ := mainType(prop.Type)
						if typ == "array" && prop.Items != nil {
							typ = mainType(prop.Items.Type)
						}
						require.Contains(t, []string{"string", "integer", "number", "boolean"}, typ,
							"%s %s: input %q (%v) cannot travel in a query string; bind the tool to POST", b.Method, b.Path, name, prop.Type)
					}
				}
			}
		})
	}
	require.Equal(t, tools.REST{Method: "POST", Path: "/tools/x", Status: 200}, tools.REST{}.OrDefault("x"))
}

// mainType is a schema's type without "null" (a Go slice or pointer is ["null", T]).
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

func TestIdempotency(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())
		ctx := context.Background()
		args := func(key, name string) json.RawMessage {
			b, _ := json.Marshal(map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": name}, "idempotency_key": key})
			return b
		}
		first, meta, err := e.Reg.CallWith(ctx, e.Test, "create_verification", args("k-1", "Ada Lovelace"), tools.CallOptions{})
		require.NoError(t, err)
		require.False(t, meta.Replayed)
		again, meta, err := e.Reg.CallWith(ctx, e.Test, "create_verification", args("k-1", "Ada Lovelace"), tools.CallOptions{})
		require.NoError(t, err)
		require.True(t, meta.Replayed)
		require.Equal(t, first.(tools.CreatedVerification).ID, again.(tools.CreatedVerification).ID)

		// Same key, other body: conflict naming the field.
		_, _, err = e.Reg.CallWith(ctx, e.Test, "create_verification", args("k-1", "Grace Hopper"), tools.CallOptions{})
		te := tools.AsError(err)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Equal(t, "idempotency_key", te.Field)

		// The header form (REST) and the argument form are the same key.
		hdr, _ := json.Marshal(map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ada Lovelace"}})
		viaHeader, meta, err := e.Reg.CallWith(ctx, e.Test, "create_verification", hdr, tools.CallOptions{IdempotencyKey: "k-1"})
		require.NoError(t, err)
		require.True(t, meta.Replayed)
		require.Equal(t, first.(tools.CreatedVerification).ID, viaHeader.(tools.CreatedVerification).ID)
		_, _, err = e.Reg.CallWith(ctx, e.Test, "create_verification", args("k-1", "Ada Lovelace"), tools.CallOptions{IdempotencyKey: "k-2"})
		require.Equal(t, tools.CodeInvalidArgument, tools.AsError(err).Code)

		// Keys are per account and mode: another account's k-1 creates anew.
		other, meta, err := e.Reg.CallWith(ctx, e.OtherAccount, "create_verification", args("k-1", "Ada Lovelace"), tools.CallOptions{})
		require.NoError(t, err)
		require.False(t, meta.Replayed)
		require.NotEqual(t, first.(tools.CreatedVerification).ID, other.(tools.CreatedVerification).ID)

		// A failed call is not remembered: the fixed request with the same key succeeds.
		bad, _ := json.Marshal(map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"email": "nope"}, "idempotency_key": "k-3"})
		_, _, err = e.Reg.CallWith(ctx, e.Test, "create_verification", bad, tools.CallOptions{})
		require.Equal(t, "applicant.email", tools.AsError(err).Field)
		_, meta, err = e.Reg.CallWith(ctx, e.Test, "create_verification", args("k-3", "Ada Lovelace"), tools.CallOptions{})
		require.NoError(t, err)
		require.False(t, meta.Replayed)

		// Concurrent first uses of one key create exactly one verification, and every one of
		// them gets it: the repeats wait for the first and replay its answer (#17 §5 — on
		// PostgreSQL most of them used to get an undocumented 409), on both databases.
		var wg sync.WaitGroup
		ids := make(chan string, 8)
		errs := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, _, err := e.Reg.CallWith(ctx, e.Test, "create_verification", args("k-race", "Ada Lovelace"), tools.CallOptions{})
				if err != nil {
					errs <- err
					return
				}
				ids <- out.(tools.CreatedVerification).ID
			}()
		}
		wg.Wait()
		close(ids)
		close(errs)
		for err := range errs {
			t.Errorf("a concurrent repeat failed instead of replaying: %v", err)
		}
		seen := map[string]bool{}
		got := 0
		for id := range ids {
			seen[id] = true
			got++
		}
		require.Len(t, seen, 1, "one key, one verification")
		require.Equal(t, 8, got, "every caller got the verification")

		// After 24 h the key is free again.
		s.SetClock(func() time.Time { return time.Now().Add(25 * time.Hour) })
		later, meta, err := e.Reg.CallWith(ctx, e.Test, "create_verification", args("k-1", "Grace Hopper"), tools.CallOptions{})
		require.NoError(t, err)
		require.False(t, meta.Replayed)
		require.NotEqual(t, first.(tools.CreatedVerification).ID, later.(tools.CreatedVerification).ID)
		// The purge (called here, and by the periodic job, which sees the moved clock too and may
		// get there first) leaves no key past its TTL.
		cutoff := s.Now().Add(-tools.IdempotencyTTL)
		_, err = s.PurgeIdempotencyKeys(ctx, cutoff)
		require.NoError(t, err)
		left, err := s.DB.NewSelect().Table("idempotency_keys").Where("created_at < ?", cutoff).Count(ctx)
		require.NoError(t, err)
		require.Zero(t, left)
	})
}

func TestWaitSeconds(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())
		ctx := context.Background()
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "Ada Lovelace"}}, &v))

		// Not final: the wait runs out and answers with the current state, reporting progress.
		var reports []tools.Progress
		raw, _ := json.Marshal(map[string]any{"id": v.ID, "wait_seconds": 1})
		out, _, err := e.Reg.CallWith(ctx, e.Test, "get_verification", raw, tools.CallOptions{
			WaitInterval: 100 * time.Millisecond,
			Progress:     func(p tools.Progress) { reports = append(reports, p) },
		})
		require.NoError(t, err)
		require.Equal(t, "pending", out.(tools.Verification).Status)
		require.GreaterOrEqual(t, len(reports), 3)
		for i := 1; i < len(reports); i++ {
			require.Greater(t, reports[i].Elapsed, reports[i-1].Elapsed, "progress must increase")
			require.Equal(t, float64(1), reports[i].Total)
			require.Contains(t, reports[i].Message, "pending")
		}

		// Cancelled from another goroutine while waiting: the wait ends with the final status.
		go func() {
			time.Sleep(200 * time.Millisecond)
			_ = e.Call(t, e.Test, "cancel_verification", map[string]any{"id": v.ID}, nil)
		}()
		raw, _ = json.Marshal(map[string]any{"id": v.ID, "wait_seconds": 30})
		out, _, err = e.Reg.CallWith(ctx, e.Test, "get_verification", raw, tools.CallOptions{WaitInterval: 50 * time.Millisecond})
		require.NoError(t, err)
		require.Equal(t, "cancelled", out.(tools.Verification).Status)

		// The caller going away ends the wait with an error.
		var v2 tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, &v2))
		cctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
		defer cancel()
		raw, _ = json.Marshal(map[string]any{"id": v2.ID, "wait_seconds": 30})
		_, _, err = e.Reg.CallWith(cctx, e.Test, "get_verification", raw, tools.CallOptions{WaitInterval: 50 * time.Millisecond})
		require.Equal(t, tools.CodeUnavailable, tools.AsError(err).Code)

		// A key revoked while its call waits stops the wait: unauthenticated, as its next
		// request would be (#17 §2).
		holder := e.Key(t, e.Test.AccountID, e.Test.Mode, "")
		var v3 tools.Verification
		require.Nil(t, e.Call(t, holder, "create_verification", map[string]any{"checks": []string{"screening"}}, &v3))
		go func() {
			time.Sleep(200 * time.Millisecond)
			_, _ = s.RevokeAPIKey(context.Background(), holder.KeyID)
		}()
		raw, _ = json.Marshal(map[string]any{"id": v3.ID, "wait_seconds": 30})
		_, _, err = e.Reg.CallWith(ctx, holder, "get_verification", raw, tools.CallOptions{WaitInterval: 50 * time.Millisecond})
		require.Equal(t, tools.CodeUnauthenticated, tools.AsError(err).Code, "%v", err) // a wait that runs out answers without error

		// Bad values are schema errors naming the field.
		for _, bad := range []any{-1, tools.MaxWaitSeconds + 1, "5"} {
			te := e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID, "wait_seconds": bad}, nil)
			require.NotNil(t, te, "%v", bad)
			require.Equal(t, "wait_seconds", te.Field)
		}
		// Tools without a wait do not take the field.
		te := e.Call(t, e.Test, "list_verifications", map[string]any{"wait_seconds": 1}, nil)
		require.NotNil(t, te)
		require.Equal(t, "wait_seconds", te.Field)
	})
}

func TestRateLimiter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name                 string
		def, processes, key  int
		wantLimit, wantBurst int
	}{
		{"server default", 0, 1, 0, tools.DefaultRateLimit, tools.DefaultRateLimit},
		{"configured default", 30, 1, 0, 30, 30},
		{"per-key limit wins", 30, 1, 6, 6, 6},
		{"split over three processes", 120, 3, 0, 40, 40},
		{"never below one", 120, 500, 0, 1, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := now
			l := tools.NewRateLimiter(tc.def, tc.processes)
			l.SetClock(func() time.Time { return clock })
			c := tools.Caller{KeyID: "key_1", RateLimit: tc.key}
			for i := range tc.wantBurst {
				st, err := l.Allow(c)
				require.Nil(t, err, "request %d", i)
				require.Equal(t, tc.wantLimit, st.Limit)
				require.Equal(t, tc.wantBurst-i-1, st.Remaining)
			}
			st, err := l.Allow(c)
			require.NotNil(t, err)
			require.Equal(t, tools.CodeRateLimited, err.Code)
			require.Equal(t, http.StatusTooManyRequests, err.Code.HTTPStatus())
			perToken := time.Minute / time.Duration(tc.wantLimit)
			require.InDelta(t, perToken.Seconds(), st.RetryAfter.Seconds(), 0.01)
			require.GreaterOrEqual(t, err.RetryAfterSeconds, 1)
			require.Zero(t, st.Remaining)
			// Another key has its own budget.
			_, err = l.Allow(tools.Caller{KeyID: "key_2", RateLimit: tc.key})
			require.Nil(t, err)
			// After one token's time, one more request passes.
			clock = clock.Add(perToken)
			_, err = l.Allow(c)
			require.Nil(t, err)
		})
	}
	var nilLimiter *tools.RateLimiter
	_, err := nilLimiter.Allow(tools.Caller{KeyID: "k"})
	require.Nil(t, err)
	_ = models.ModeTest
}
