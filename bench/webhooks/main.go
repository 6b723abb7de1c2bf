// Command webhooks measures kycd's webhook delivery against the real `kycd worker` binary on
// PostgreSQL: this process plays the API server (it creates verifications, so events and
// their delivery jobs are committed together) and runs the receiver; the worker is a child
// process that delivers.
//
//	go run ./bench/webhooks -mode latency -rate 200 -duration 30s
//	go run ./bench/webhooks -mode kill -rate 200 -duration 20s -kills 3
//
// latency: event → receiver delay percentiles at a steady event rate.
// kill: SIGKILL the worker in the middle of deliveries several times, restart it each time,
// and check that every event still reaches the receiver (duplicates only with the same delivery id).
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
	"github.com/kycd/kycd/webhook"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/webhooks:", err)
		os.Exit(1)
	}
}

type config struct {
	mode      string
	rate      int
	duration  time.Duration
	kills     int
	delay     time.Duration
	dbURL     string
	binary    string
	rescue    time.Duration
	workers   int
	keepGoing time.Duration
}

func run() error {
	var c config
	flag.StringVar(&c.mode, "mode", "latency", "latency or kill")
	flag.IntVar(&c.rate, "rate", 200, "events per second")
	flag.DurationVar(&c.duration, "duration", 30*time.Second, "how long to produce events")
	flag.IntVar(&c.kills, "kills", 3, "kill mode: how many times to SIGKILL the worker")
	flag.DurationVar(&c.delay, "receiver-delay", 0, "how long the receiver takes to answer (kill mode default 50ms, so deliveries are in flight)")
	flag.StringVar(&c.dbURL, "db", dbtest.URL(), "PostgreSQL server (a fresh database is created on it and dropped afterwards)")
	flag.StringVar(&c.binary, "kycd", "", "kycd binary (default: go build ./cmd/kycd into a temp dir)")
	flag.DurationVar(&c.rescue, "rescue-after", 10*time.Second, "KYCD_JOB_RESCUE_AFTER for the worker: how soon jobs of a killed worker are retried")
	flag.IntVar(&c.workers, "webhook-workers", 20, "KYCD_WEBHOOK_WORKERS for the worker")
	flag.DurationVar(&c.keepGoing, "drain-timeout", 3*time.Minute, "how long to wait for the last deliveries")
	flag.Parse()
	if c.mode == "kill" && c.delay == 0 {
		c.delay = 50 * time.Millisecond
	}
	ctx, stop := signalContext()
	defer stop()

	tmp, err := os.MkdirTemp("", "kycd-bench-webhooks-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if c.binary == "" {
		c.binary = filepath.Join(tmp, "kycd")
		build := exec.CommandContext(ctx, "go", "build", "-o", c.binary, "./cmd/kycd")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build ./cmd/kycd (run from the repository root): %w", err)
		}
	}
	dbURL, drop, err := freshDatabase(ctx, c.dbURL)
	if err != nil {
		return err
	}
	defer drop()

	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	keySpec := "bench:" + base64.StdEncoding.EncodeToString(raw)
	keyring, err := db.NewKeyring(keySpec)
	if err != nil {
		return err
	}
	store, err := db.Open(ctx, db.Options{URL: dbURL, Keyring: keyring, MaxConns: 40})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	policy := webhook.Policy{AllowHTTP: true, AllowPrivate: true}
	svc := verify.New(store, verify.Options{Checks: map[models.Check]verify.CheckRunner{models.CheckScreening: neverRun{}}, Logger: quiet})
	q, err := jobs.New(store, svc, jobs.Options{Work: false, Logger: quiet, Webhooks: policy})
	if err != nil {
		return err
	}
	svc.SetEnqueuer(q)
	deps := &tools.Deps{Store: store, Verify: svc, PublicURL: "https://kyc.bench.test", Logger: quiet, Webhooks: policy}
	reg, err := tools.NewRegistry(deps, tools.All()...)
	if err != nil {
		return err
	}
	secret, _, err := store.CreateAPIKey(ctx, db.NewKey{AccountID: "acct_bench", Name: "bench", Mode: models.ModeTest, Scopes: mustScopes()})
	if err != nil {
		return err
	}
	caller, err := tools.Authenticate(ctx, deps, secret)
	if err != nil {
		return err
	}

	rx := newReceiver(c.delay)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: rx, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck
	defer srv.Close()
	if _, err := reg.Call(ctx, caller, "create_webhook_endpoint", mustJSON(map[string]any{"url": "http://" + ln.Addr().String() + "/hook"})); err != nil {
		return fmt.Errorf("create endpoint: %w", err)
	}

	w := &worker{bin: c.binary, env: append(os.Environ(),
		"KYCD_DATABASE_URL="+dbURL, "KYCD_ENCRYPTION_KEYS="+keySpec, "KYCD_DATA_DIR="+filepath.Join(tmp, "data"),
		"KYCD_WEBHOOK_ALLOW_PRIVATE=true", "KYCD_WEBHOOK_ALLOW_HTTP=true", "KYCD_LOG_LEVEL=error",
		fmt.Sprintf("KYCD_WEBHOOK_WORKERS=%d", c.workers), "KYCD_JOB_RESCUE_AFTER="+c.rescue.String())}
	if err := w.start(); err != nil {
		return err
	}
	defer w.stop()
	time.Sleep(2 * time.Second) // let the worker elect a leader and start listening

	// Produce events at the rate: each create_verification commits one verification.created
	// event and its delivery job in one transaction.
	n := int(c.duration.Seconds() * float64(c.rate))
	interval := time.Second / time.Duration(c.rate)
	start := time.Now()
	var produced, failed atomic.Int64
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	killAt := map[int]bool{}
	for k := 1; k <= c.kills && c.mode == "kill"; k++ {
		killAt[n*k/(c.kills+1)] = true
	}
	var killLog []string
	for i := 0; i < n; i++ {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if killAt[i] {
			inflight := rx.inflight.Load()
			if err := w.kill(); err != nil {
				return err
			}
			killLog = append(killLog, fmt.Sprintf("SIGKILL at event %d with %d requests in flight at the receiver", i, inflight))
			go func() { time.Sleep(time.Second); _ = w.start() }()
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if _, err := reg.Call(ctx, caller, "create_verification", mustJSON(map[string]any{"checks": []string{"screening"}})); err != nil {
				failed.Add(1)
				return
			}
			produced.Add(1)
		}()
	}
	wg.Wait()
	prodTime := time.Since(start)
	fmt.Printf("produced %d events in %s (%.0f/s), %d create calls failed\n", produced.Load(), prodTime.Round(time.Millisecond),
		float64(produced.Load())/prodTime.Seconds(), failed.Load())
	for _, l := range killLog {
		fmt.Println(l)
	}

	// Drain: wait until every event reached the receiver.
	var events []string
	if err := store.DB.NewSelect().Model((*models.Event)(nil)).Column("id").Scan(ctx, &events); err != nil {
		return err
	}
	// …and until the delivery log has nothing pending (jobs of a killed worker are retried
	// only after KYCD_JOB_RESCUE_AFTER plus the rescuer's interval).
	deadline := time.Now().Add(c.keepGoing)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if rx.uniqueEvents() >= len(events) {
			counts, err := store.DeliveryCounts(ctx, time.Time{})
			if err != nil {
				return err
			}
			if counts[models.DeliveryPending] == 0 {
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	drained := time.Since(start)
	counts, err := store.DeliveryCounts(ctx, time.Time{})
	if err != nil {
		return err
	}
	rep := rx.report(events)
	fmt.Printf("events %d, received %d distinct, lost %d, requests %d, duplicate requests %d (same delivery id: %d, other id: %d)\n",
		len(events), rep.distinct, rep.lost, rep.requests, rep.dupSame+rep.dupOther, rep.dupSame, rep.dupOther)
	var retried int
	if err := store.DB.NewRaw(`SELECT count(*) FROM webhook_deliveries WHERE attempts > 1`).Scan(ctx, &retried); err != nil {
		return err
	}
	fmt.Printf("delivery log: %v (%d needed more than one attempt); drained %s after the first event\n", counts, retried, drained.Round(time.Millisecond))
	fmt.Printf("latency event→receiver (first receipt of each event): p50 %s, p90 %s, p99 %s, max %s\n",
		rep.p(0.50), rep.p(0.90), rep.p(0.99), rep.p(1))
	// Where the time goes, from the delivery log: waiting for a worker (insert → attempt start,
	// which includes River's fetch and the worker's reads) and the HTTP request itself.
	var wait, post [3]float64
	err = store.DB.NewRaw(`SELECT
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM last_attempt_at - created_at) * 1000 - last_latency_ms),
		percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM last_attempt_at - created_at) * 1000 - last_latency_ms),
		percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM last_attempt_at - created_at) * 1000 - last_latency_ms),
		percentile_cont(0.5) WITHIN GROUP (ORDER BY last_latency_ms),
		percentile_cont(0.9) WITHIN GROUP (ORDER BY last_latency_ms),
		percentile_cont(0.99) WITHIN GROUP (ORDER BY last_latency_ms)
		FROM webhook_deliveries WHERE status = 'delivered' AND attempts = 1`).Scan(ctx, &wait[0], &wait[1], &wait[2], &post[0], &post[1], &post[2])
	if err == nil {
		fmt.Printf("breakdown (first-attempt deliveries): queue wait p50/p90/p99 %.0f/%.0f/%.0f ms; HTTP post %.0f/%.0f/%.0f ms\n",
			wait[0], wait[1], wait[2], post[0], post[1], post[2])
	}
	if rep.lost > 0 || rep.dupOther > 0 || counts[models.DeliveryPending] > 0 || counts[models.DeliveryFailed] > 0 {
		return errors.New("FAILED: events lost, duplicated under another delivery id, or deliveries not delivered")
	}
	return nil
}

type neverRun struct{}

func (neverRun) Missing(*verify.CheckInput) []string { return nil }
func (neverRun) Run(context.Context, *verify.CheckInput) (*models.CheckOutcome, error) {
	return nil, errors.New("the webhook benchmark never submits verifications")
}

func mustScopes() []string {
	s, _ := tools.ParseScopes("")
	return s
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// receiver records the first receipt time of every event and every delivery id per event.
type receiver struct {
	delay    time.Duration
	inflight atomic.Int64
	mu       sync.Mutex
	first    map[string]time.Duration // event id → receipt − event created_at
	ids      map[string]string        // event id → delivery id
	requests int
	dupSame  int
	dupOther int
}

func newReceiver(delay time.Duration) *receiver {
	return &receiver{delay: delay, first: map[string]time.Duration{}, ids: map[string]string{}}
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.inflight.Add(1)
	defer r.inflight.Add(-1)
	now := time.Now()
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	var ev jobs.EventBody
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if r.delay > 0 {
		time.Sleep(r.delay)
	}
	delivery := req.Header.Get(webhook.HeaderDelivery)
	r.mu.Lock()
	r.requests++
	if prev, ok := r.ids[ev.ID]; ok {
		if prev == delivery {
			r.dupSame++
		} else {
			r.dupOther++
		}
	} else {
		r.ids[ev.ID] = delivery
		r.first[ev.ID] = now.Sub(ev.CreatedAt)
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (r *receiver) uniqueEvents() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.first)
}

type report struct {
	distinct, lost, requests, dupSame, dupOther int
	lat                                         []time.Duration
}

func (r *receiver) report(events []string) report {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep := report{distinct: len(r.first), requests: r.requests, dupSame: r.dupSame, dupOther: r.dupOther}
	for _, id := range events {
		d, ok := r.first[id]
		if !ok {
			rep.lost++
			continue
		}
		rep.lat = append(rep.lat, d)
	}
	slices.Sort(rep.lat)
	return rep
}

func (rep report) p(q float64) time.Duration {
	if len(rep.lat) == 0 {
		return 0
	}
	i := int(q * float64(len(rep.lat)-1))
	return rep.lat[i].Round(100 * time.Microsecond)
}

// worker is the `kycd worker` child process.
type worker struct {
	bin string
	env []string
	mu  sync.Mutex
	cmd *exec.Cmd
}

func (w *worker) start() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	cmd := exec.Command(w.bin, "worker")
	cmd.Env = w.env
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start kycd worker: %w", err)
	}
	w.cmd = cmd
	go cmd.Wait() //nolint:errcheck
	return nil
}

func (w *worker) kill() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd == nil || w.cmd.Process == nil {
		return errors.New("no worker running")
	}
	err := w.cmd.Process.Signal(syscall.SIGKILL)
	w.cmd = nil
	return err
}

func (w *worker) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cmd != nil && w.cmd.Process != nil {
		_ = w.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _, _ = w.cmd.Process.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = w.cmd.Process.Kill()
		}
	}
}

// freshDatabase creates a new database on the server for this run and returns its URL and a dropper.
func freshDatabase(ctx context.Context, server string) (string, func(), error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", nil, err
	}
	name := "kycd_bench_wh_" + strings.ToLower(db.RandomBase62(8))
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return "", nil, fmt.Errorf("connect to %s: %w", admin.Redacted(), err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		conn.Close(ctx)
		return "", nil, err
	}
	conn.Close(ctx)
	target := *u
	target.Path = "/" + name
	return target.String(), func() {
		c, err := pgx.Connect(context.Background(), admin.String())
		if err == nil {
			_, _ = c.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)")
			c.Close(context.Background())
		}
	}, nil
}
