package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/kycd/kycd/checks/business"
	"github.com/kycd/kycd/checks/business/goldencopy"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// BusinessSettings configure KYB (verify_business): where the register answers from.
type BusinessSettings struct {
	// GLEIFURL is the GLEIF API base URL (a mirror or a test server may stand in).
	GLEIFURL string
	// RegistryMode is online (the API), offline (the imported Golden Copy register) or auto
	// (offline when an import exists, else online).
	RegistryMode string
	// CacheTTL is how long GLEIF API responses are kept in the database cache (0 = no cache).
	CacheTTL time.Duration
	// HighRisk is the comma-separated high-risk jurisdiction list ("" = verify's FATF-based default,
	// "none" = off).
	HighRisk string
	// Timeout bounds the synchronous part of verify_business.
	Timeout time.Duration
}

func (s *BusinessSettings) check(only []string) error {
	if len(only) > 0 && !contains(only, "registry-mode") {
		return nil
	}
	switch s.RegistryMode {
	case "online", "offline", "auto":
	default:
		return fmt.Errorf("registry-mode: %q is not online, offline or auto", s.RegistryMode)
	}
	if s.CacheTTL < 0 {
		return fmt.Errorf("gleif-cache-ttl: %v is negative", s.CacheTTL)
	}
	if s.Timeout <= 0 || s.Timeout > 120*time.Second {
		return fmt.Errorf("business-timeout: %v is not between 0 and 120s", s.Timeout)
	}
	if _, err := s.highRisk(); err != nil {
		return err
	}
	if _, err := business.NewClient(business.Options{BaseURL: s.GLEIFURL}); err != nil {
		return fmt.Errorf("gleif-url: %w", err)
	}
	return nil
}

// highRisk parses --high-risk-jurisdictions.
func (s *BusinessSettings) highRisk() ([]string, error) { return parseHighRisk(s.HighRisk) }

// parseHighRisk reads a high-risk jurisdiction list (the server's flag, or a key's): nil for
// "" (the default), an empty list for "none", else ISO 3166-1 alpha-2 or 3166-2 codes.
func parseHighRisk(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "":
		return nil, nil // verify's default
	case "none":
		return []string{}, nil
	}
	var out []string
	for _, c := range strings.Split(v, ",") {
		c = strings.ToUpper(strings.TrimSpace(c))
		cc, _, _ := strings.Cut(c, "-")
		if len(cc) != 2 || strings.Trim(cc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return nil, fmt.Errorf("high-risk-jurisdictions: %q is not an ISO 3166-1 alpha-2 or 3166-2 code", c)
		}
		out = append(out, c)
	}
	return out, nil
}

// startBusiness builds the KYB service over the register the settings choose.
func startBusiness(ctx context.Context, cfg *Config, store *db.Store, scr *verify.Screening, logger *slog.Logger) (*verify.Business, error) {
	s := cfg.Business
	if logger == nil {
		logger = slog.Default()
	}
	mode := s.RegistryMode
	imp, err := store.LatestGLEIFImport(ctx)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	if mode == "auto" {
		mode = "online"
		if imp != nil {
			mode = "offline"
		}
	}
	hr, err := s.highRisk()
	if err != nil {
		return nil, err
	}
	opts := verify.BusinessOptions{Mode: mode, Screening: scr, HighRiskJurisdictions: hr, Timeout: s.Timeout, Logger: logger,
		StrongHit: cfg.Screening.policy(cfg.ScreeningStrongHit).StrongHit}
	switch mode {
	case "offline":
		if imp == nil {
			return nil, errors.New("registry-mode offline: no offline register is loaded; run `kycd registry import --source gleif LEI_FILE [RR_FILE] [REPEX_FILE]`")
		}
		opts.Source = business.Offline{Register: verify.BusinessRegister{Store: store}}
		opts.SourceURL = "golden-copy:" + imp.ID
		logger.Info("business register: offline", "import", imp.ID, "records", imp.Records, "loaded", imp.FinishedAt)
	default:
		var cache business.Cache
		if s.CacheTTL > 0 {
			cache = verify.BusinessCache{Store: store, Logger: logger}
		}
		c, err := business.NewClient(business.Options{BaseURL: s.GLEIFURL, Cache: cache, CacheTTL: s.CacheTTL,
			UserAgent: "kycd/" + version + " (+https://github.com/kycd/kycd)"})
		if err != nil {
			return nil, fmt.Errorf("gleif-url: %w", err)
		}
		opts.Source, opts.SourceURL = c, s.GLEIFURL
	}
	return verify.NewBusiness(store, opts), nil
}

func registryCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("registry: want import or status")
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("kycd registry "+sub, flag.ContinueOnError)
	source := fs.String("source", "gleif", "the register's publisher: gleif (Golden Copy CSV files, plain or zipped)")
	strict := fs.Bool("strict", false, "stop at the first malformed row instead of skipping and counting it")
	batch := fs.Int("batch", 0, "rows written per transaction (0 = 5000 on PostgreSQL, 50000 on SQLite: the fastest measured, docs/benchmarks/business.md)")
	store, err := openForCommand(ctx, "registry", fs, rest)
	if err != nil {
		return err
	}
	defer store.Close()
	switch sub {
	case "import":
		if *source != "gleif" {
			return fmt.Errorf("registry import: unknown source %q; want gleif", *source)
		}
		if fs.NArg() < 1 || fs.NArg() > 3 {
			return errors.New("registry import: give --source gleif LEI_FILE [RR_FILE] [REPEX_FILE]")
		}
		files := goldencopy.Files{LEI: fs.Arg(0), RR: fs.Arg(1), Repex: fs.Arg(2)}
		_, err := importRegister(ctx, store, files, *strict, *batch, stdout)
		return err
	case "status":
		imp, err := store.LatestGLEIFImport(ctx)
		if errors.Is(err, db.ErrNotFound) {
			fmt.Fprintln(stdout, "no offline register loaded (registry-mode auto uses the GLEIF API)")
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "offline register %s: %d records, %d relationships, %d reporting exceptions (%d rows skipped), loaded %s from %s\n",
			imp.ID, imp.Records, imp.Relationships, imp.Exceptions, imp.Skipped, imp.FinishedAt.Format(time.RFC3339), imp.Files)
		return nil
	}
	return fmt.Errorf("registry: unknown subcommand %q; want import or status", sub)
}

// importRegister streams Golden Copy files into the database register, reporting progress.
func importRegister(ctx context.Context, store *db.Store, files goldencopy.Files, strict bool, batch int, stdout io.Writer) (*models.GLEIFImport, error) {
	if batch <= 0 {
		batch = 5000
		if store.Dialect == db.SQLite {
			batch = 50000 // one transaction (one fsync) per batch is what SQLite spends its time on
		}
	}
	start := time.Now()
	loader := &verify.RegisterLoader{Store: store, BatchRows: batch}
	st, err := goldencopy.Load(ctx, loader, files, goldencopy.Options{Strict: strict})
	if err == nil {
		err = loader.Flush(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("registry import (rows written so far stay; run it again to finish): %w", err)
	}
	took := time.Since(start)
	rows := loader.Records + loader.Relationships + loader.Exceptions
	imp := &models.GLEIFImport{Source: "gleif", Files: strings.Join(nonEmpty(files.LEI, files.RR, files.Repex), ","),
		Records: loader.Records, Relationships: loader.Relationships, Exceptions: loader.Exceptions,
		Skipped: st.LEI.Skipped + st.RR.Skipped + st.Repex.Skipped, StartedAt: start.UTC(), FinishedAt: time.Now().UTC()}
	if err := store.InsertGLEIFImport(ctx, imp); err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "imported %d records, %d relationships, %d reporting exceptions (%d malformed rows skipped) in %s: %.0f rows/s\n",
		loader.Records, loader.Relationships, loader.Exceptions, imp.Skipped, took.Round(time.Millisecond), float64(rows)/took.Seconds())
	for _, s := range []goldencopy.Stats{st.LEI, st.RR, st.Repex} {
		for _, e := range s.Errors {
			fmt.Fprintf(stdout, "  skipped: %v\n", e)
		}
	}
	return imp, nil
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
