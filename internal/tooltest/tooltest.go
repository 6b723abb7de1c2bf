// Package tooltest builds a real registry over a real store and River queue for tests (it
// lives outside tools/ because it wires package jobs, which tools must not import),
// with check engines supplied by the test.
package tooltest

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// Env is a running registry with its store and callers of two accounts and both modes.
type Env struct {
	Store  *db.Store
	Verify *verify.Service
	Queue  *jobs.Queue
	Reg    *tools.Registry
	// Test is the main caller (account A, test mode, every scope).
	Test, Live, OtherAccount, ReadOnly tools.Caller
}

// Option adjusts the queue options and the tool dependencies before they are built
// (e.g. a webhook policy that allows the loopback receivers of httptest).
type Option func(*jobs.Options, *tools.Deps)

// New starts workers over store with the given engines; they stop when the test ends.
func New(t testing.TB, store *db.Store, checks map[models.Check]verify.CheckRunner, opts ...Option) *Env {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(quietCancel{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})})
	jo := jobs.Options{Work: true, PollInterval: 50 * time.Millisecond, Logger: logger, MaxWorkers: 4}
	deps := &tools.Deps{PublicURL: "https://kyc.example.test", Logger: logger}
	// The document engine among the checks also serves submit_document and read_mrz.
	if d, ok := checks[models.CheckDocument].(*verify.Documents); ok {
		deps.Documents = d
	}
	for _, o := range opts {
		o(&jo, deps)
	}
	svc := verify.New(store, verify.Options{Checks: checks, Logger: logger, Business: deps.Business})
	q, err := jobs.New(store, svc, jo)
	if err != nil {
		t.Fatal(err)
	}
	svc.SetEnqueuer(q)
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	deps.Store, deps.Verify = store, svc
	reg, err := tools.NewRegistry(deps, tools.All()...)
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Store: store, Verify: svc, Queue: q, Reg: reg}
	e.Test = e.Key(t, "acct_a", models.ModeTest, "")
	e.Live = e.Key(t, "acct_a", models.ModeLive, "")
	e.OtherAccount = e.Key(t, "acct_b", models.ModeTest, "")
	e.ReadOnly = e.Key(t, "acct_a", models.ModeTest, "verifications:read")
	return e
}

// Key creates an API key and returns its authenticated caller.
func (e *Env) Key(t testing.TB, account string, mode models.Mode, scopes string) tools.Caller {
	t.Helper()
	sc, err := tools.ParseScopes(scopes)
	if err != nil {
		t.Fatal(err)
	}
	return e.keyWith(t, account, mode, sc)
}

// KeyWith creates an API key with exactly these scopes, also those a key made without
// --scopes does not get (keys:read, keys:write, …), and returns its authenticated caller.
func (e *Env) KeyWith(t testing.TB, account string, mode models.Mode, scopes ...tools.Scope) tools.Caller {
	t.Helper()
	sc := make([]string, len(scopes))
	for i, s := range scopes {
		sc[i] = string(s)
	}
	return e.keyWith(t, account, mode, sc)
}

func (e *Env) keyWith(t testing.TB, account string, mode models.Mode, sc []string) tools.Caller {
	t.Helper()
	secret, _, err := e.Store.CreateAPIKey(context.Background(), db.NewKey{AccountID: account, Name: "test", Mode: mode, Scopes: sc})
	if err != nil {
		t.Fatal(err)
	}
	c, err := tools.Authenticate(context.Background(), e.Reg.Deps(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Call runs a tool with JSON arguments and decodes the result into out (when non-nil).
func (e *Env) Call(t testing.TB, c tools.Caller, name string, args any, out any) *tools.Error {
	t.Helper()
	raw, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := args.(string); ok {
		raw = []byte(s)
	}
	res, err := e.Reg.Call(context.Background(), c, name, raw)
	if err != nil {
		te := tools.AsError(err)
		if te == nil {
			t.Fatalf("%s: non-tool error %v", name, err)
		}
		return te
	}
	if out != nil {
		b, _ := json.Marshal(res)
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
	return nil
}

// Check is a configurable check engine for tests of the pipeline around engines.
type Check struct {
	Outcome models.Outcome
	// Needs is reported as missing while the applicant has no name.
	Needs string
	Err   error
	// Reasons replace the default reason (test_<outcome>) of an outcome other than pass.
	Reasons []models.Reason
}

// Missing implements verify.CheckRunner.
func (c Check) Missing(in *verify.CheckInput) []string {
	if c.Needs != "" && in.Applicant.Name == "" {
		return []string{c.Needs}
	}
	return nil
}

// Run implements verify.CheckRunner.
func (c Check) Run(ctx context.Context, in *verify.CheckInput) (*models.CheckOutcome, error) {
	if c.Err != nil {
		return nil, c.Err
	}
	out := &models.CheckOutcome{Outcome: c.Outcome, Versions: map[string]string{"engine": "test"}}
	if c.Outcome != models.OutcomePass {
		out.Reasons = []models.Reason{{Code: "test_" + string(c.Outcome), Message: "set by the test"}}
		if len(c.Reasons) > 0 {
			out.Reasons = c.Reasons
		}
	}
	return out, nil
}

// Event is one entry of a verification's timeline as list_verification_events returns it.
type Event struct {
	Type string         `json:"type"`
	Data map[string]any `json:"data"`
}

// Events reads a verification's timeline (first page, oldest first) through the tool.
func (e *Env) Events(t testing.TB, c tools.Caller, verificationID string) []Event {
	t.Helper()
	var page struct {
		Data []Event `json:"data"`
	}
	if te := e.Call(t, c, "list_verification_events", map[string]any{"id": verificationID, "limit": 100}, &page); te != nil {
		t.Fatalf("list_verification_events: %v", te)
	}
	return page.Data
}

// quietCancel drops the records whose error is a cancelled context. River logs one at error
// level for every poll or fetch the end of a test interrupts (the queue stops, the database
// closes); they are the test ending, not a failure, and would bury a failing test's output.
type quietCancel struct{ slog.Handler }

// Handle implements slog.Handler.
func (h quietCancel) Handle(ctx context.Context, r slog.Record) error {
	cancelled := strings.Contains(r.Message, context.Canceled.Error())
	r.Attrs(func(a slog.Attr) bool {
		if err, ok := a.Value.Any().(error); ok && errors.Is(err, context.Canceled) ||
			strings.Contains(a.Value.String(), context.Canceled.Error()) {
			cancelled = true
		}
		return !cancelled
	})
	if cancelled {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h quietCancel) WithAttrs(as []slog.Attr) slog.Handler {
	return quietCancel{h.Handler.WithAttrs(as)}
}

// WithGroup implements slog.Handler.
func (h quietCancel) WithGroup(name string) slog.Handler {
	return quietCancel{h.Handler.WithGroup(name)}
}
