package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/webhook"
)

// localHooks lets deliveries reach httptest receivers on loopback over http — the operator
// options KYCD_WEBHOOK_ALLOW_PRIVATE / KYCD_WEBHOOK_ALLOW_HTTP — and retries in milliseconds.
func localHooks(mod func(*webhook.Policy, *webhook.Schedule)) tooltest.Option {
	return func(o *jobs.Options, d *tools.Deps) {
		p := webhook.Policy{AllowHTTP: true, AllowPrivate: true, Timeout: 2 * time.Second}
		s := webhook.Schedule{Base: 20 * time.Millisecond, Cap: 200 * time.Millisecond, Jitter: 0.2, Window: time.Minute, MaxAttempts: 200}
		if mod != nil {
			mod(&p, &s)
		}
		o.Webhooks, d.Webhooks, o.WebhookRetry = p, p, s
	}
}

// quiet drops River's per-retry error logs in tests that fail deliveries on purpose.
func quiet(o *jobs.Options, d *tools.Deps) {
	l := slog.New(slog.NewTextHandler(io.Discard, nil))
	o.Logger, d.Logger = l, l
}

type hit struct {
	Delivery, Event, Signature string
	Body                       []byte
	Payload                    jobs.EventBody
}

// sink is a webhook receiver that records every request it answers 2xx (and all it saw).
type sink struct {
	srv      *httptest.Server
	mu       sync.Mutex
	accepted []hit
	seen     []hit
	// fail, when set, may answer a request itself (an error) and return true.
	fail func(w http.ResponseWriter, r *http.Request) bool
}

func newSink(t *testing.T) *sink {
	s := &sink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h := hit{Delivery: r.Header.Get(webhook.HeaderDelivery), Event: r.Header.Get(webhook.HeaderEvent),
			Signature: r.Header.Get(webhook.HeaderSignature), Body: body}
		_ = json.Unmarshal(body, &h.Payload)
		s.mu.Lock()
		s.seen = append(s.seen, h)
		fail := s.fail
		s.mu.Unlock()
		if fail != nil && fail(w, r) {
			return
		}
		s.mu.Lock()
		s.accepted = append(s.accepted, h)
		s.mu.Unlock()
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) hits() []hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hit(nil), s.accepted...)
}

func (s *sink) all() []hit {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hit(nil), s.seen...)
}

func (s *sink) setFail(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

// waitFor polls cond until it holds (the deadline only bounds a broken run; nothing is timed).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func createEndpoint(t *testing.T, e *tooltest.Env, c tools.Caller, url string, events ...string) tools.WebhookEndpoint {
	t.Helper()
	args := map[string]any{"url": url, "description": "test receiver"}
	if len(events) > 0 {
		args["events"] = events
	}
	var ep tools.WebhookEndpoint
	require.Nil(t, e.Call(t, c, "create_webhook_endpoint", args, &ep))
	require.True(t, strings.HasPrefix(ep.Secret, "whsec_"))
	return ep
}

func deliveries(t *testing.T, e *tooltest.Env, c tools.Caller, args map[string]any) []tools.WebhookDelivery {
	t.Helper()
	var out []tools.WebhookDelivery
	for {
		var page tools.WebhookDeliveryList
		args["limit"] = 100
		require.Nil(t, e.Call(t, c, "list_webhook_deliveries", args, &page))
		out = append(out, page.Data...)
		if !page.HasMore {
			return out
		}
		args["cursor"] = *page.NextCursor
	}
}

func TestWebhookEndpointTools(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines(), localHooks(nil))
		ep := createEndpoint(t, e, e.Test, "https://hooks.example.com/kycd", "verification.completed", "verification.*")
		require.Regexp(t, `^whe_`, ep.ID)
		require.Equal(t, []string{"verification.*", "verification.completed"}, ep.Events)
		require.Equal(t, "enabled", ep.Status)
		require.Equal(t, "endpoint", ep.Kind)

		var list tools.WebhookEndpointList
		require.Nil(t, e.Call(t, e.Test, "list_webhook_endpoints", map[string]any{}, &list))
		require.Len(t, list.Data, 1)
		require.Empty(t, list.Data[0].Secret, "a secret is shown only once")

		// Another mode or account sees nothing and cannot touch it.
		for _, c := range []tools.Caller{e.Live, e.OtherAccount} {
			require.Nil(t, e.Call(t, c, "list_webhook_endpoints", map[string]any{}, &list))
			require.Empty(t, list.Data)
			te := e.Call(t, c, "update_webhook_endpoint", map[string]any{"id": ep.ID, "enabled": false}, nil)
			require.Equal(t, tools.CodeNotFound, te.Code)
		}
		te := e.Call(t, e.ReadOnly, "create_webhook_endpoint", map[string]any{"url": "https://hooks.example.com/x"}, nil)
		require.Equal(t, tools.CodePermissionDenied, te.Code)

		var upd tools.WebhookEndpoint
		require.Nil(t, e.Call(t, e.Test, "update_webhook_endpoint", map[string]any{"id": ep.ID, "enabled": false, "description": "paused"}, &upd))
		require.Equal(t, "disabled", upd.Status)
		require.Equal(t, "paused", upd.Description)
		require.Nil(t, upd.DisabledReason, "a disable by the integrator carries no kycd notice")
		require.Nil(t, e.Call(t, e.Test, "update_webhook_endpoint", map[string]any{"id": ep.ID, "enabled": true, "events": []string{"*"}}, &upd))
		require.Equal(t, "enabled", upd.Status)
		require.Equal(t, []string{"*"}, upd.Events)

		var rot tools.WebhookEndpoint
		require.Nil(t, e.Call(t, e.Test, "rotate_webhook_secret", map[string]any{"id": ep.ID, "grace_period_seconds": 3600}, &rot))
		require.NotEqual(t, ep.Secret, rot.Secret)
		require.NotNil(t, rot.PreviousSecretUntil)

		// The callback signer: one per account and mode, no URL.
		var cb tools.WebhookEndpoint
		require.Nil(t, e.Call(t, e.Test, "create_webhook_endpoint", map[string]any{"kind": "callback"}, &cb))
		require.Nil(t, cb.URL)
		require.True(t, strings.HasPrefix(cb.Secret, "whsec_"))
		te = e.Call(t, e.Test, "create_webhook_endpoint", map[string]any{"kind": "callback"}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)

		var del tools.DeletedWebhookEndpoint
		require.Nil(t, e.Call(t, e.Test, "delete_webhook_endpoint", map[string]any{"id": ep.ID}, &del))
		require.True(t, del.Deleted)
		te = e.Call(t, e.Test, "delete_webhook_endpoint", map[string]any{"id": ep.ID}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)
	})
}

// Bad input names the field; private, plain-http and credentialed targets are refused at
// registration under the production policy.
func TestWebhookEndpointValidation(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines())
	cases := []struct {
		name, args, field, msg string
	}{
		{"no url", `{}`, "url", "required"},
		{"http", `{"url":"http://hooks.example.com/x"}`, "url", "https"},
		{"loopback", `{"url":"https://127.0.0.1/x"}`, "url", "loopback"},
		{"private", `{"url":"https://192.168.1.20/x"}`, "url", "private"},
		{"metadata", `{"url":"https://169.254.169.254/latest"}`, "url", "metadata"},
		{"localhost", `{"url":"https://localhost/x"}`, "url", "loopback"},
		{"ipv6 loopback", `{"url":"https://[::1]/x"}`, "url", "loopback"},
		{"credentials", `{"url":"https://a:b@hooks.example.com/x"}`, "url", "credentials"},
		{"unknown event", `{"url":"https://hooks.example.com/x","events":["verification.exploded"]}`, "events", "not an event type"},
		{"unknown pattern", `{"url":"https://hooks.example.com/x","events":["payment.*"]}`, "events", "not an event type"},
		{"duplicate event", `{"url":"https://hooks.example.com/x","events":["*","*"]}`, "events", "twice"},
		{"callback with url", `{"kind":"callback","url":"https://hooks.example.com/x"}`, "url", "callback"},
		{"bad kind", `{"kind":"sms","url":"https://hooks.example.com/x"}`, "kind", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			te := e.Call(t, e.Test, "create_webhook_endpoint", tc.args, nil)
			require.NotNil(t, te)
			require.Equal(t, tools.CodeInvalidArgument, te.Code, te.Message)
			require.Equal(t, tc.field, te.Field, te.Message)
			require.Contains(t, te.Message, tc.msg)
		})
	}
	// The same policy guards callback_url.
	te := e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "callback_url": "https://10.0.0.8/cb"}, nil)
	require.Equal(t, "callback_url", te.Field)
	require.Contains(t, te.Message, "private")
	for _, args := range []string{`{"id":"nope"}`, `{"id":"whd_00000000000000000000000000"}`} {
		te = e.Call(t, e.Test, "replay_webhook_delivery", args, nil)
		require.Equal(t, "id", te.Field)
	}
	te = e.Call(t, e.Test, "rotate_webhook_secret", `{"id":"whe_x","grace_period_seconds":604801}`, nil)
	require.Equal(t, "grace_period_seconds", te.Field)
	var list tools.WebhookEndpointList
	require.Nil(t, e.Call(t, e.Test, "list_webhook_endpoints", map[string]any{}, &list))
	require.Empty(t, list.Data, "nothing stored by rejected calls")
}

// Events reach subscribed endpoints and the callback_url, signed, in the event's mode only.
func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines(), localHooks(nil))
		all, completed, live, callback := newSink(t), newSink(t), newSink(t), newSink(t)
		epAll := createEndpoint(t, e, e.Test, all.srv.URL+"/all")
		createEndpoint(t, e, e.Test, completed.srv.URL+"/done", "verification.completed")
		createEndpoint(t, e, e.Live, live.srv.URL+"/live")
		var cb tools.WebhookEndpoint
		require.Nil(t, e.Call(t, e.Test, "create_webhook_endpoint", map[string]any{"kind": "callback"}, &cb))

		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"},
			"callback_url": callback.srv.URL + "/cb?ref=42"}, &v))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
		waitStatus(t, e, e.Test, v.ID, "needs_review")

		waitFor(t, "3 events at the all-events endpoint", func() bool { return len(all.hits()) == 3 })
		waitFor(t, "3 events at the callback", func() bool { return len(callback.hits()) == 3 })
		waitFor(t, "the completion at its endpoint", func() bool { return len(completed.hits()) == 1 })

		got := map[string]hit{}
		for _, h := range all.hits() {
			got[h.Event] = h
			require.NoError(t, webhook.Verify(h.Signature, h.Body, epAll.Secret, 5*time.Minute, time.Now()))
			require.Error(t, webhook.Verify(h.Signature, h.Body, cb.Secret, 5*time.Minute, time.Now()))
			require.Regexp(t, `^whd_`, h.Delivery)
			require.Equal(t, h.Event, h.Payload.Type)
			require.Equal(t, v.ID, h.Payload.ObjectID)
			require.Equal(t, models.ModeTest, h.Payload.Mode)
		}
		require.Contains(t, got, "verification.created")
		require.Contains(t, got, "verification.processing")
		done := got["verification.completed"]
		require.EqualValues(t, 3, done.Payload.Seq)
		var data map[string]any
		require.NoError(t, json.Unmarshal(done.Payload.Data, &data))
		require.Equal(t, "needs_review", data["decision"])
		require.NotEmpty(t, data["reasons"])

		for _, h := range callback.hits() {
			require.NoError(t, webhook.Verify(h.Signature, h.Body, cb.Secret, 5*time.Minute, time.Now()), "callbacks are signed by the callback signer")
		}
		require.Equal(t, "verification.completed", completed.hits()[0].Event)

		// The delivery log: one row per (event, endpoint), with the receiver's answer. The sink
		// counts a hit when the request arrives, before the job has written the answer down.
		var log []tools.WebhookDelivery
		waitFor(t, "the deliveries logged as delivered", func() bool {
			log = deliveries(t, e, e.Test, map[string]any{"endpoint_id": epAll.ID})
			return len(log) == 3 && !slices.ContainsFunc(log, func(d tools.WebhookDelivery) bool { return d.Status == "pending" })
		})
		for _, d := range log {
			require.Equal(t, "delivered", d.Status)
			require.Equal(t, 1, d.Attempts)
			require.Equal(t, 200, *d.StatusCode)
			require.NotNil(t, d.LatencyMS)
			require.Equal(t, `{"ok":true}`, d.Response)
			require.Empty(t, d.Error)
			require.NotNil(t, d.DeliveredAt)
		}
		byEvent := deliveries(t, e, e.Test, map[string]any{"event_id": done.Payload.ID})
		require.Len(t, byEvent, 3, "the completion went to all, completed and the callback")
		require.Empty(t, deliveries(t, e, e.Live, map[string]any{}), "live mode sees no test deliveries")

		// A live verification reaches only the live endpoint.
		var lv tools.Verification
		require.Nil(t, e.Call(t, e.Live, "create_verification", map[string]any{"checks": []string{"screening"}}, &lv))
		waitFor(t, "the live event", func() bool { return len(live.hits()) == 1 })
		require.Equal(t, lv.ID, live.hits()[0].Payload.ObjectID)
		require.Equal(t, models.ModeLive, live.hits()[0].Payload.Mode)
		time.Sleep(200 * time.Millisecond)
		require.Len(t, all.hits(), 3, "test-mode endpoints never get live events")

		// Replay: a new delivery id, the same event, replay_of set.
		var rep tools.WebhookDelivery
		require.Nil(t, e.Call(t, e.Test, "replay_webhook_delivery", map[string]any{"id": log[0].ID}, &rep))
		require.NotEqual(t, log[0].ID, rep.ID)
		require.Equal(t, log[0].ID, *rep.ReplayOf)
		waitFor(t, "the replay", func() bool { return len(all.hits()) == 4 })
		last := all.hits()[3]
		require.Equal(t, rep.ID, last.Delivery)
		require.Equal(t, log[0].EventID, last.Payload.ID)
		te := e.Call(t, e.OtherAccount, "replay_webhook_delivery", map[string]any{"id": log[0].ID}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)
	})
}

// The seed-style receivers (Node's crypto.createHmac + timingSafeEqual, Python's hmac) accept
// real deliveries, including both signatures during a rotation, and reject tampering.
func TestWebhookSignatureInNodeAndPython(t *testing.T) {
	t.Parallel()
	node, nerr := exec.LookPath("node")
	python, perr := exec.LookPath("python3")
	if nerr != nil || perr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("node and python3 are required in CI (node: %v, python3: %v)", nerr, perr)
		}
		t.Skip("node or python3 not installed")
	}
	e := tooltest.New(t, dbtest.SQLite(t), engines(), localHooks(nil))
	rx := newSink(t)
	ep := createEndpoint(t, e, e.Test, rx.srv.URL)
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "metadata": map[string]any{"name": "Zoë Ünïcode ✓"}}, nil))
	waitFor(t, "a delivery", func() bool { return len(rx.hits()) == 1 })
	var rot tools.WebhookEndpoint
	require.Nil(t, e.Call(t, e.Test, "rotate_webhook_secret", map[string]any{"id": ep.ID}, &rot))
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, nil))
	waitFor(t, "a delivery after rotation", func() bool { return len(rx.hits()) == 2 })
	before, after := rx.hits()[0], rx.hits()[1]
	require.Equal(t, 1, strings.Count(before.Signature, "v1="))
	require.Equal(t, 2, strings.Count(after.Signature, "v1="), "both secrets sign during the grace period")

	dir := t.TempDir()
	run := func(bin, script, secret, header string, body []byte) bool {
		f := filepath.Join(dir, fmt.Sprintf("body-%d", rand.Int()))
		require.NoError(t, os.WriteFile(f, body, 0o600))
		cmd := exec.Command(bin, filepath.Join("testdata", "webhooks", script), secret, header, f)
		out, err := cmd.CombinedOutput()
		if err != nil {
			var ee *exec.ExitError
			require.ErrorAs(t, err, &ee, "%s: %s", script, out)
			require.Equal(t, 1, ee.ExitCode(), "%s: %s", script, out)
			return false
		}
		return true
	}
	for _, lang := range []struct{ bin, script string }{{node, "verify_signature.js"}, {python, "verify_signature.py"}} {
		t.Run(lang.script, func(t *testing.T) {
			require.True(t, run(lang.bin, lang.script, ep.Secret, before.Signature, before.Body))
			require.True(t, run(lang.bin, lang.script, ep.Secret, after.Signature, after.Body), "old secret during grace")
			require.True(t, run(lang.bin, lang.script, rot.Secret, after.Signature, after.Body), "new secret")
			require.False(t, run(lang.bin, lang.script, rot.Secret, before.Signature, before.Body), "new secret, pre-rotation delivery")
			tampered := append([]byte(nil), after.Body...)
			tampered[len(tampered)-2] ^= 1
			require.False(t, run(lang.bin, lang.script, rot.Secret, after.Signature, tampered))
			require.False(t, run(lang.bin, lang.script, "whsec_wrong", after.Signature, after.Body))
			stale := webhook.SignatureHeader(time.Now().Add(-10*time.Minute), after.Body, rot.Secret)
			require.False(t, run(lang.bin, lang.script, rot.Secret, stale, after.Body), "stale timestamps are refused")
		})
	}
}

// chaos answers a fraction of requests with a 500, a hang past the client timeout, or a TCP reset.
func chaos(p float64) func(w http.ResponseWriter, r *http.Request) bool {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(8, 8))
	return func(w http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		x := rng.Float64()
		mu.Unlock()
		switch {
		case x < p/3:
			http.Error(w, "boom", http.StatusInternalServerError)
		case x < 2*p/3:
			// Hang past the client's timeout, then process the event anyway: kycd cannot know
			// it was, retries, and the receiver sees a duplicate — with the same delivery id.
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
			return false
		case x < p:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				if tc, ok := conn.(*net.TCPConn); ok {
					_ = tc.SetLinger(0) // RST, not FIN
				}
				_ = conn.Close()
			}
		default:
			return false
		}
		return true
	}
}

// A receiver that fails randomly (timeouts, 500s, resets) for a while still gets every event;
// the only duplicates carry the same delivery id.
func TestWebhookDeliveryUnderFailures(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines(), quiet, localHooks(func(p *webhook.Policy, _ *webhook.Schedule) {
			p.Timeout = 300 * time.Millisecond
		}))
		rx := newSink(t)
		rx.setFail(chaos(0.6))
		ep := createEndpoint(t, e, e.Test, rx.srv.URL)
		const n = 25
		for i := 0; i < n; i++ {
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, &v))
			require.Nil(t, e.Call(t, e.Test, "cancel_verification", map[string]any{"id": v.ID}, nil))
		}
		// Fail for a while, then recover.
		waitFor(t, "failures to happen", func() bool { return len(rx.all()) >= 2*n })
		rx.setFail(nil)

		var events []tools.LoggedEvent
		args := map[string]any{"limit": 100}
		for {
			var page tools.LoggedEventList
			require.Nil(t, e.Call(t, e.Test, "list_events", args, &page))
			events = append(events, page.Data...)
			if !page.HasMore {
				break
			}
			args["cursor"] = *page.NextCursor
		}
		require.Len(t, events, 2*n)
		waitFor(t, "every event delivered", func() bool {
			got := map[string]bool{}
			for _, h := range rx.hits() {
				got[h.Payload.ID] = true
			}
			return len(got) == len(events)
		})
		// The receiver has every event; wait for kycd's side too (a hung request it timed out on
		// is retried even though the receiver processed it).
		waitFor(t, "every delivery final", func() bool {
			return len(deliveries(t, e, e.Test, map[string]any{"endpoint_id": ep.ID, "status": "delivered"})) == 2*n
		})
		deliveryOf := map[string]string{}
		for _, h := range rx.all() {
			if h.Payload.ID == "" {
				continue
			}
			if prev, ok := deliveryOf[h.Payload.ID]; ok {
				require.Equal(t, prev, h.Delivery, "a duplicate of event %s with another delivery id", h.Payload.ID)
			}
			deliveryOf[h.Payload.ID] = h.Delivery
		}
		for _, ev := range events {
			require.Contains(t, deliveryOf, ev.ID, "event %s lost", ev.ID)
		}
		dups := len(rx.hits()) - len(events)
		require.Positive(t, dups, "receivers that time out but process the event see it again")
		log := deliveries(t, e, e.Test, map[string]any{"endpoint_id": ep.ID})
		require.Len(t, log, 2*n)
		retried := 0
		for _, d := range log {
			require.Equal(t, "delivered", d.Status)
			if d.Attempts > 1 {
				retried++
			}
		}
		require.Positive(t, retried, "the failures were real")
		t.Logf("%d events, %d requests received, %d processed (%d duplicates, all with their delivery's id), %d deliveries needed retries",
			len(events), len(rx.all()), len(rx.hits()), dups, retried)
	})
}

// An endpoint that keeps failing: each delivery fails after its retries, then the endpoint is
// disabled with a notice; new events skip it; re-enabling and replaying delivers.
func TestWebhookEndpointAutoDisable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines(), quiet, localHooks(func(_ *webhook.Policy, sc *webhook.Schedule) {
			sc.MaxAttempts = 3
		}), func(o *jobs.Options, _ *tools.Deps) { o.WebhookDisableAfter = 2 })
		rx := newSink(t)
		rx.setFail(func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, strings.Repeat("x", 5000), http.StatusBadGateway)
			return true
		})
		ep := createEndpoint(t, e, e.Test, rx.srv.URL)
		for i := 0; i < 2; i++ {
			require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, nil))
		}
		waitFor(t, "both deliveries to fail", func() bool {
			return len(deliveries(t, e, e.Test, map[string]any{"status": "failed"})) == 2
		})
		failed := deliveries(t, e, e.Test, map[string]any{"status": "failed"})
		for _, d := range failed {
			require.Equal(t, 3, d.Attempts)
			require.Equal(t, 502, *d.StatusCode)
			require.Equal(t, "HTTP 502", d.Error)
			require.Len(t, d.Response, 1024, "excerpts are capped at 1 KiB")
			require.Nil(t, d.NextAttemptAt)
		}
		var got tools.WebhookEndpoint
		waitFor(t, "the endpoint to be disabled", func() bool {
			var list tools.WebhookEndpointList
			require.Nil(t, e.Call(t, e.Test, "list_webhook_endpoints", map[string]any{}, &list))
			got = list.Data[0]
			return got.Status == "disabled"
		})
		require.Equal(t, 2, got.ConsecutiveFailures)
		require.Contains(t, *got.DisabledReason, "disabled by kycd")
		require.Contains(t, *got.DisabledReason, "HTTP 502")

		before := len(rx.all())
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, nil))
		time.Sleep(300 * time.Millisecond)
		require.Len(t, deliveries(t, e, e.Test, map[string]any{}), 2, "a disabled endpoint gets no new deliveries")
		require.Equal(t, before, len(rx.all()))
		te := e.Call(t, e.Test, "replay_webhook_delivery", map[string]any{"id": failed[0].ID}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)

		rx.setFail(nil)
		require.Nil(t, e.Call(t, e.Test, "update_webhook_endpoint", map[string]any{"id": ep.ID, "enabled": true}, &got))
		require.Zero(t, got.ConsecutiveFailures)
		require.Nil(t, got.DisabledReason)
		for _, d := range failed {
			require.Nil(t, e.Call(t, e.Test, "replay_webhook_delivery", map[string]any{"id": d.ID}, nil))
		}
		waitFor(t, "the replays", func() bool { return len(rx.hits()) == 2 })
	})
}

// Deleting an endpoint cancels its pending deliveries instead of sending them.
func TestWebhookDeleteCancelsPending(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines(), quiet, localHooks(func(_ *webhook.Policy, sc *webhook.Schedule) {
		sc.Base, sc.Cap, sc.Jitter = 500*time.Millisecond, 500*time.Millisecond, 0
	}))
	rx := newSink(t)
	var calls atomic.Int64
	rx.setFail(func(w http.ResponseWriter, r *http.Request) bool {
		calls.Add(1)
		http.Error(w, "not yet", http.StatusServiceUnavailable)
		return true
	})
	ep := createEndpoint(t, e, e.Test, rx.srv.URL)
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, nil))
	waitFor(t, "the first attempt", func() bool { return calls.Load() >= 1 })
	require.Nil(t, e.Call(t, e.Test, "delete_webhook_endpoint", map[string]any{"id": ep.ID}, nil))
	waitFor(t, "the cancellation", func() bool {
		d := deliveries(t, e, e.Test, map[string]any{"endpoint_id": ep.ID})
		return len(d) == 1 && d[0].Status == "cancelled"
	})
	d := deliveries(t, e, e.Test, map[string]any{"endpoint_id": ep.ID})[0]
	require.Contains(t, d.Error, "deleted")
	require.LessOrEqual(t, calls.Load(), int64(2))
}

// rebinder resolves one name to a public address until flipped to loopback.
type rebinder struct{ loopback atomic.Bool }

func (r *rebinder) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if host != "rebind.example.com" {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	if r.loopback.Load() {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
}

// DNS rebinding: a name that was public at registration and points at loopback at delivery
// time is refused by the dialer; the receiver on loopback never hears from kycd.
func TestWebhookDNSRebindingRefused(t *testing.T) {
	t.Parallel()
	res := &rebinder{}
	e := tooltest.New(t, dbtest.SQLite(t), engines(), quiet, localHooks(func(p *webhook.Policy, sc *webhook.Schedule) {
		p.AllowPrivate, p.Resolver = false, res
		sc.MaxAttempts = 2
	}))
	rx := newSink(t)
	port := rx.srv.Listener.Addr().(*net.TCPAddr).Port
	te := e.Call(t, e.Test, "create_webhook_endpoint", map[string]any{"url": rx.srv.URL}, nil)
	require.Equal(t, "url", te.Field, "a literal loopback URL is refused at registration")
	createEndpoint(t, e, e.Test, fmt.Sprintf("http://rebind.example.com:%d/hook", port))
	res.loopback.Store(true)
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, nil))
	waitFor(t, "the delivery to fail", func() bool {
		return len(deliveries(t, e, e.Test, map[string]any{"status": "failed"})) == 1
	})
	d := deliveries(t, e, e.Test, map[string]any{})[0]
	require.Contains(t, d.Error, "127.0.0.1 is a loopback address")
	require.Nil(t, d.StatusCode)
	require.Empty(t, rx.all())
}

func TestListEvents(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines())
		var ids []string
		for i := 0; i < 3; i++ {
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, &v))
			ids = append(ids, v.ID)
		}
		require.Nil(t, e.Call(t, e.Test, "cancel_verification", map[string]any{"id": ids[1], "reason": "duplicate"}, nil))
		require.Nil(t, e.Call(t, e.Live, "create_verification", map[string]any{"checks": []string{"screening"}}, nil))

		var page tools.LoggedEventList
		var all []tools.LoggedEvent
		args := map[string]any{"limit": 2}
		for {
			require.Nil(t, e.Call(t, e.Test, "list_events", args, &page))
			all = append(all, page.Data...)
			if !page.HasMore {
				break
			}
			args["cursor"] = *page.NextCursor
		}
		require.Len(t, all, 4, "3 created + 1 cancelled, test mode only")
		for i := 1; i < len(all); i++ {
			require.Less(t, all[i-1].ID, all[i].ID, "oldest first")
		}
		// Polling with the last cursor finds only newer events.
		require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"cursor": *page.NextCursor}, &page))
		require.Empty(t, page.Data)
		require.NotNil(t, page.NextCursor, "an empty poll keeps its place")
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}}, nil))
		require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"cursor": *page.NextCursor}, &page))
		require.Len(t, page.Data, 1)

		require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"types": []string{"verification.cancelled"}}, &page))
		require.Len(t, page.Data, 1)
		require.Equal(t, ids[1], page.Data[0].ObjectID)
		require.Equal(t, "duplicate", page.Data[0].Data["reason"])
		require.Equal(t, "verification", page.Data[0].ObjectType)

		require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"object_id": ids[1], "limit": 1}, &page))
		require.Len(t, page.Data, 1)
		require.EqualValues(t, 1, page.Data[0].Seq)
		require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"object_id": ids[1], "cursor": *page.NextCursor}, &page))
		require.Len(t, page.Data, 1)
		require.EqualValues(t, 2, page.Data[0].Seq)

		future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"since": future}, &page))
		require.Empty(t, page.Data)

		require.Nil(t, e.Call(t, e.OtherAccount, "list_events", map[string]any{}, &page))
		require.Empty(t, page.Data)
		te := e.Call(t, e.Test, "list_events", map[string]any{"types": []string{"verification.exploded"}}, nil)
		require.Equal(t, "types", te.Field)
		te = e.Call(t, e.Test, "list_events", map[string]any{"cursor": "garbage"}, nil)
		require.Equal(t, "cursor", te.Field)
		te = e.Call(t, e.Test, "list_events", map[string]any{"since": "yesterday"}, nil)
		require.Equal(t, "since", te.Field)
		te = e.Call(t, e.ReadOnly, "list_events", map[string]any{}, nil)
		require.Equal(t, tools.CodePermissionDenied, te.Code)
	})
}
