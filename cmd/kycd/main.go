// Command kycd is the self-hosted identity verification service.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest/dashboard"
	"github.com/kycd/kycd/rest/flow"
	"github.com/kycd/kycd/rpc"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `kycd — self-hosted identity verification (KYC, KYB, AML)

Usage:
  kycd serve     [flags]   HTTP server (MCP /mcp, REST /api/v1, JSON-RPC /rpc and /rpc/ws, health /health) with job workers
  kycd worker    [flags]   job workers only (scale out on one shared PostgreSQL)
  kycd mcp       [flags]   MCP over stdio, as the key in KYCD_API_KEY
  kycd rpc       [flags]   JSON-RPC 2.0 over stdio (one JSON object per message), as the key in KYCD_API_KEY
  kycd migrate   [flags]   apply database migrations (also done at start-up)
  kycd keys create --name NAME --mode live|test [--scopes a,b] [--account ID] [--checks a,b] [--rate-limit N] [--screening-strong-hit review|fail] [--flow NAME]
  kycd keys list   [--account ID]
  kycd flows export [--account ID] [--mode test|live] [--out FILE]   the flows as JSON (keep them in git)
  kycd flows import [--account ID] [--mode test|live] [--dry-run] FILE   create new flows, new versions of changed ones
  kycd keys revoke ID|PREFIX
  kycd keys rewrap   (re-wrap the data keys with the first of --encryption-keys, after a rotation)
  kycd users create --email E --role admin|reviewer|viewer [--account ID]   a dashboard operator; prints the one-time setup link
  kycd users list [--account ID] | disable --email E | enable --email E | reset --email E (a new setup link)
  kycd users add-account|remove-account --email E --account ID [--role R]   a further account for the OAuth consent page
  kycd audit verify [--account ID]         walk the hash-chained audit trail; names the first broken row (exit 1)
  kycd audit export [--account ID]         the audit trail as JSON lines, oldest first
  kycd lists import --source SOURCE PATH   load a sanctions/PEP list from local files
  kycd lists update [--source SOURCE] [--url URL]   download lists from the official URLs
  kycd lists list                          the loaded list versions
  kycd lists monitor                       re-screen the monitored applicants now (the workers run it)
  kycd csca import [--trust ROOT.cer] [--crl FILE|DIR] FILE|DIR…   trust ePassport CSCAs: master lists (.ml, verified against --trust), certificates, CRLs
  kycd csca list                           the trusted CSCAs and CRLs
  kycd registry import --source gleif LEI_FILE [RR_FILE] [REPEX_FILE]   load GLEIF Golden Copy files into the offline register
  kycd registry status                     the loaded offline register
  kycd sandbox seed [--account ID] [--count 200] [--seed N]   fill an account's test mode with realistic demo data (prints a new test key)
  kycd version

Run "kycd <command> -h" for the flags; every flag also reads a KYCD_* environment variable.
`

func main() {
	if len(os.Args) > 1 && slices.Contains([]string{"serve", "worker", "mcp", "rpc"}, os.Args[1]) {
		limitOpenMP()
	}
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "kycd:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, true)
	case "worker":
		return serve(ctx, rest, false)
	case "mcp":
		return mcpStdio(ctx, rest, stdin, stdout)
	case "rpc":
		return rpcStdio(ctx, rest, stdin, stdout)
	case "migrate":
		cfg, _, err := parseConfig(cmd, rest, "data-dir", "database-url", "encryption-keys", "log-level", "log-format")
		if err != nil {
			return err
		}
		store, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		defer store.Close()
		fmt.Fprintf(stdout, "migrations applied (%s)\n", store.Dialect)
		return nil
	case "keys":
		return keys(ctx, rest, stdout)
	case "users":
		return usersCmd(ctx, rest, stdout)
	case "audit":
		return auditCmd(ctx, rest, stdout)
	case "lists":
		return listsCmd(ctx, rest, stdout)
	case "flows":
		return flowsCmd(ctx, rest, stdout)
	case "csca":
		return cscaCmd(ctx, rest, stdout)
	case "registry":
		return registryCmd(ctx, rest, stdout)
	case "sandbox":
		return sandboxCmd(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "kycd", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// openStore opens the configured database and applies migrations.
func openStore(ctx context.Context, cfg *Config) (*db.Store, error) {
	keyring, err := db.LoadOrCreateKeyring(cfg.EncryptionKeys, cfg.keyFile())
	if err != nil {
		return nil, err
	}
	store, err := db.Open(ctx, db.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Keyring: keyring})
	if err != nil {
		return nil, err
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, err
	}
	for _, w := range store.Warnings {
		fmt.Fprintln(os.Stderr, "kycd: warning:", w)
	}
	return store, nil
}

// app is everything a running process holds.
type app struct {
	cfg     *Config
	log     *slog.Logger
	store   *db.Store
	queue   *jobs.Queue
	reg     *tools.Registry
	engines *engines
	// opAuth is the dashboard's operator sign-in (dashboard_auth.go).
	opAuth *dashboard.Auth
}

func newApp(ctx context.Context, cfg *Config, work bool) (*app, error) {
	logger, err := cfg.logger()
	if err != nil {
		return nil, err
	}
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	store.AuditAsyncCommit = cfg.AuditAsyncCommit
	engines, err := checkEngines(ctx, cfg, store, logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	sigs, err := cfg.Signals.source(logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	svc := verify.New(store, verify.Options{Checks: engines.runners, Logger: logger, CreateBatches: cfg.CreateBatches, Business: engines.business,
		Signals: cfg.Signals.options()})
	notify, err := notifyOptions(cfg, logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	queue, err := jobs.New(store, svc, jobs.Options{Work: work, MaxWorkers: cfg.Workers, Logger: logger, Notify: notify,
		Webhooks: cfg.webhookPolicy(), WebhookWorkers: cfg.WebhookWorkers, UserAgent: "kycd-webhooks/" + version,
		RescueStuckAfter: cfg.JobRescueAfter, IdempotencyTTL: tools.IdempotencyTTL, ImageRetention: cfg.ImageRetention, MonitorInterval: cfg.Screening.monitorInterval()})
	if err != nil {
		store.Close()
		return nil, err
	}
	svc.SetEnqueuer(queue) // the domain enqueues the work its changes cause on this queue
	contact, err := startContact(cfg.Contact, svc, logger)
	if err != nil {
		store.Close()
		return nil, err
	}
	reg, err := tools.NewRegistry(&tools.Deps{Store: store, Verify: svc, PublicURL: cfg.PublicURL, Logger: logger, Screening: engines.screening,
		Webhooks: cfg.webhookPolicy(), Biometrics: engines.biometrics, Documents: engines.documents, Contact: contact, NFC: engines.nfc, Business: engines.business, Address: engines.address, Signals: sigs}, tools.All()...)
	if err != nil {
		store.Close()
		return nil, err
	}
	reg.SetRateLimiter(cfg.rateLimiter()) // one per-key budget for every surface of this process
	return &app{cfg: cfg, log: logger, store: store, queue: queue, reg: reg, engines: engines}, nil
}

// engines are the check engines this build and machine can run.
type engines struct {
	runners    map[models.Check]verify.CheckRunner
	screening  *verify.Screening
	biometrics *verify.Biometrics // nil when the face engine is not available here
	documents  *verify.Documents
	nfc        *verify.NFC // the ePassport chip engine (its check only with a trust store)
	business   *verify.Business
	address    *verify.Address // proof of address (#23)
}

// checkEngines wires the check engines. An engine that cannot start here is left out, so
// asking for its check is refused at creation rather than answered with a made-up result.
func checkEngines(ctx context.Context, cfg *Config, store *db.Store, logger *slog.Logger) (*engines, error) {
	e := &engines{runners: map[models.Check]verify.CheckRunner{}}
	imaging.SetMemoryBudget(int64(cfg.MaxImageMemory))
	e.screening = verify.NewScreening(store, cfg.Screening.policy(cfg.ScreeningStrongHit), logger)
	nodes, err := cfg.Screening.nodes()
	if err != nil {
		return nil, err
	}
	if err := e.screening.SetNodes(nodes); err != nil {
		return nil, err
	}
	if err := e.screening.Sync(ctx); err != nil {
		return nil, fmt.Errorf("load screening lists: %w", err)
	}
	e.runners[models.CheckScreening] = e.screening
	for ch, r := range verify.ContactRunners(store) { // email and phone: opt-in, see verify/contact_checks.go
		e.runners[ch] = r
	}
	if e.business, err = startBusiness(ctx, cfg, store, e.screening, logger); err != nil {
		return nil, err
	}
	if e.documents, err = startDocuments(cfg.Document, store, logger); err != nil {
		return nil, err
	}
	e.runners[models.CheckDocument] = e.documents
	if e.biometrics, err = startBiometrics(ctx, cfg.Biometrics, store, logger); err != nil {
		return nil, err
	}
	if e.biometrics != nil {
		for ch, r := range e.biometrics.Runners() {
			e.runners[ch] = r
		}
	}
	var trusted bool
	if e.nfc, trusted, err = startNFC(ctx, cfg.NFC, store, e.biometrics, logger); err != nil {
		return nil, err
	}
	if trusted {
		e.runners[models.CheckNFC] = e.nfc.Runner()
	}
	if e.address, err = startAddress(store, logger); err != nil {
		return nil, err
	}
	e.runners[models.CheckProofOfAddress] = e.address.Runner()
	return e, nil
}

func serve(ctx context.Context, args []string, httpToo bool) error {
	name := "serve"
	if !httpToo {
		name = "worker"
	}
	cfg, _, err := parseConfig(name, args)
	if err != nil {
		return err
	}
	work := !cfg.NoWorkers || !httpToo
	setMemoryLimit(cfg.MemoryLimit)
	a, err := newApp(ctx, cfg, work)
	if err != nil {
		return err
	}
	defer a.store.Close()
	// River stops through Stop (so running jobs drain on SIGTERM), not by cancelling its start context.
	if err := a.queue.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start workers: %w", err)
	}
	go a.engines.screening.Watch(ctx, cfg.ListsSync)
	var srv *http.Server
	errc := make(chan error, 1)
	if httpToo {
		a.store.CacheAPIKeys(ctx, a.log)
		ln, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
		}
		handler, err := a.routes(ctx)
		if err != nil {
			return err
		}
		srv = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
		a.logEngines(a.log)
		if w := serveURLWarning(cfg.PublicURL, ln.Addr().String()); w != "" {
			a.log.Warn(w)
		}
		a.log.Info("kycd serving", "addr", ln.Addr().String(), "database", a.store.Dialect, "location", a.store.Location(), "workers", work, "version", version, "public_url", cfg.PublicURL)
		go func() { errc <- srv.Serve(ln) }()
	} else {
		a.log.Info("kycd worker running", "database", a.store.Dialect, "version", version)
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	a.log.Info("shutting down", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if srv != nil {
		if err := srv.Shutdown(sctx); err != nil {
			a.log.Warn("http shutdown", "err", err)
		}
	}
	return a.queue.Stop(sctx)
}

func (a *app) routes(ctx context.Context) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", a.health)
	// OAuth first (cmd/kycd/oauth.go): with it on, every surface accepts access tokens too.
	if err := a.oauthRoutes(ctx, mux); err != nil {
		return nil, err
	}
	// MCP, REST (/api/…) and JSON-RPC (/rpc, /rpc/ws): see surfaces.go.
	if err := a.surfaceRoutes(mux); err != nil {
		return nil, err
	}
	// The hosted applicant flow (/verify/{token}) and the Web SDK (/sdk/kycd.js): rest/flow.
	// The store is the flow's hand-off ledger: desktop-to-phone links open once.
	fh, err := flow.New(a.reg, flow.Options{Logger: a.log, RejectionReasons: a.cfg.RejectionReasons,
		FrameAncestors: strings.FieldsFunc(a.cfg.FrameAncestors, func(r rune) bool { return r == ',' || r == ' ' })})
	if err != nil {
		return nil, err
	}
	mux.Handle(flow.Prefix, fh)
	mux.Handle("GET "+flow.SDKPath, fh.SDK())
	// Operator sign-in for the dashboard (/dashboard/login, /setup/{token}, /account): rest/dashboard.
	if err := a.dashboardAuthRoutes(mux); err != nil {
		return nil, err
	}
	// The compliance dashboard's pages (rest/dashboard), behind the operator sign-in.
	auth, err := a.dashboardAuth()
	if err != nil {
		return nil, err
	}
	mux.Handle(dashboard.Prefix, dashboard.New(a.reg, auth, dashboard.Options{Logger: a.log}))
	// Large bodies (image uploads on any surface and the hosted flow) wait for upload memory.
	return tools.LimitUploads(mux, int64(a.cfg.BodyLimit), 2*time.Minute), nil
}

func (a *app) authenticate(r *http.Request) (tools.Caller, *tools.Error) {
	c, err := tools.Authenticate(r.Context(), a.reg.Deps(), tools.BearerToken(r))
	if err != nil {
		return c, tools.AsError(err)
	}
	return tools.WithRequestOrigin(a.reg.Deps(), c, r), nil // where from, for the audit trail
}

func mcpStdio(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	a, caller, stop, err := stdioApp(ctx, "mcp", args)
	if err != nil {
		return err
	}
	defer stop()
	return rpc.ServeStdio(ctx, rpc.NewMCPServer(a.reg, version), caller, stdin, stdout, a.log)
}

// splitConfigArgs separates the store flags (--data-dir, --database-url, --encryption-keys) from the rest.
// openForCommand parses an operator command's arguments — the database settings and fs's own
// flags, in any order — and opens the migrated store.
func openForCommand(ctx context.Context, name string, fs *flag.FlagSet, args []string) (*db.Store, error) {
	cfgArgs, own := splitConfigArgs(args)
	cfg, _, err := parseConfig(name, cfgArgs, "data-dir", "database-url", "encryption-keys")
	if err != nil {
		return nil, err
	}
	if err := fs.Parse(own); err != nil {
		return nil, err
	}
	return openStore(ctx, cfg)
}

func splitConfigArgs(args []string) (cfg, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		name, _, hasVal := strings.Cut(name, "=")
		if strings.HasPrefix(a, "-") && contains([]string{"data-dir", "database-url", "encryption-keys"}, name) {
			cfg = append(cfg, a)
			if !hasVal && i+1 < len(args) {
				cfg = append(cfg, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, a)
	}
	return cfg, rest
}

// stdioApp starts what a stdio surface (kycd mcp, kycd rpc) needs: the app, the caller of
// KYCD_API_KEY, and the workers unless --no-workers. stop drains the workers and closes the store.
func stdioApp(ctx context.Context, name string, args []string) (*app, tools.Caller, func(), error) {
	cfg, _, err := parseConfig(name, args)
	if err != nil {
		return nil, tools.Caller{}, nil, err
	}
	a, err := newApp(ctx, cfg, !cfg.NoWorkers)
	if err != nil {
		return nil, tools.Caller{}, nil, err
	}
	if w := publicURLWarning(cfg); w != "" {
		a.log.Warn(w) // to stderr: stdout carries the protocol
	}
	caller, err := tools.Authenticate(ctx, a.reg.Deps(), cfg.APIKey)
	if err != nil {
		a.store.Close()
		return nil, tools.Caller{}, nil, fmt.Errorf("KYCD_API_KEY: %w", err)
	}
	// The process may serve for hours: each message checks the key again, so revoking it
	// (kycd keys revoke, from anywhere) stops this session at its next message.
	caller = caller.Rechecked()
	// River stops through Stop (so running jobs drain on SIGTERM), not by cancelling its start context.
	if err := a.queue.Start(context.WithoutCancel(ctx)); err != nil {
		a.store.Close()
		return nil, tools.Caller{}, nil, fmt.Errorf("start workers: %w", err)
	}
	go a.engines.screening.Watch(ctx, cfg.ListsSync)
	stop := func() {
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		_ = a.queue.Stop(sctx)
		a.store.Close()
	}
	return a, caller, stop, nil
}
