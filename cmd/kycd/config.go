package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is every setting kycd reads. Each has a flag and a KYCD_* environment variable;
// a flag given on the command line wins over the environment.
type Config struct {
	Addr            string
	DataDir         string
	DatabaseURL     string
	PublicURL       string
	EncryptionKeys  string
	LogLevel        string
	LogFormat       string
	Workers         int
	NoWorkers       bool
	ShutdownTimeout time.Duration
	APIKey          string
	// ScreeningStrongHit is what a strong sanctions hit does: review or fail.
	ScreeningStrongHit string
	// ListsSync is how often a process checks the database for newly imported lists.
	ListsSync time.Duration
	// BodyLimit caps HTTP request bodies (bytes) on every surface.
	BodyLimit int
	// RateLimit is the default requests a minute per API key (a key's own limit wins).
	RateLimit int
	// RateLimitProcesses is how many kycd processes share the database: each grants 1/N of a key's budget.
	RateLimitProcesses int
	// Conformance adds the MCP conformance-suite fixtures and lets MCP in without a key. Tests only.
	Conformance bool
}

type setting struct {
	flag, env, help string
	def             string
	dst             any
}

func (c *Config) settings() []setting {
	return []setting{
		{"addr", "KYCD_ADDR", "HTTP listen address", "127.0.0.1:8080", &c.Addr},
		{"data-dir", "KYCD_DATA_DIR", "where the embedded database, the encryption key file and caches live", "./data", &c.DataDir},
		{"database-url", "KYCD_DATABASE_URL", "PostgreSQL URL (postgres://…); empty = embedded SQLite in the data dir", "", &c.DatabaseURL},
		{"public-url", "KYCD_PUBLIC_URL", "public base URL of this server, the base of hosted_url (default http://<addr>)", "", &c.PublicURL},
		{"encryption-keys", "KYCD_ENCRYPTION_KEYS", "PII encryption keys as id:base64(32 bytes)[,id:…], first = primary; empty = <data-dir>/encryption.key, created on first start", "", &c.EncryptionKeys},
		{"log-level", "KYCD_LOG_LEVEL", "debug, info, warn or error", "info", &c.LogLevel},
		{"log-format", "KYCD_LOG_FORMAT", "text or json", "text", &c.LogFormat},
		{"workers", "KYCD_WORKERS", "concurrent jobs in this process", "10", &c.Workers},
		{"no-workers", "KYCD_NO_WORKERS", "serve only: run no job workers (run `kycd worker` elsewhere)", "false", &c.NoWorkers},
		{"screening-strong-hit", "KYCD_SCREENING_STRONG_HIT", "what a strong sanctions hit does to a verification: review (needs_review) or fail (rejected)", "review", &c.ScreeningStrongHit},
		{"lists-sync", "KYCD_LISTS_SYNC", "how often to pick up lists imported by another process", "30s", &c.ListsSync},
		{"body-limit", "KYCD_BODY_LIMIT", "largest HTTP request body accepted, in bytes (REST, JSON-RPC, MCP)", "1048576", &c.BodyLimit},
		{"rate-limit", "KYCD_RATE_LIMIT", "requests a minute per API key across all surfaces, for keys without their own --rate-limit", "120", &c.RateLimit},
		{"rate-limit-processes", "KYCD_RATE_LIMIT_PROCESSES", "kycd processes serving one database: each grants 1/N of every key's budget", "1", &c.RateLimitProcesses},
		{"conformance", "KYCD_CONFORMANCE", "serve only, for the MCP conformance suite: add its fixture tools and accept MCP without an API key; never in production", "false", &c.Conformance},
		{"shutdown-timeout", "KYCD_SHUTDOWN_TIMEOUT", "how long to drain requests and jobs on SIGTERM", "30s", &c.ShutdownTimeout},
	}
}

// parseConfig reads defaults, then the environment, then the flags in args.
func parseConfig(name string, args []string, only ...string) (*Config, *flag.FlagSet, error) {
	c := &Config{}
	fs := flag.NewFlagSet("kycd "+name, flag.ContinueOnError)
	for _, s := range c.settings() {
		if len(only) > 0 && !contains(only, s.flag) {
			continue
		}
		val := s.def
		if v, ok := os.LookupEnv(s.env); ok {
			val = v
		}
		help := fmt.Sprintf("%s (env %s)", s.help, s.env)
		switch dst := s.dst.(type) {
		case *string:
			fs.StringVar(dst, s.flag, val, help)
		case *int:
			n, err := strconv.Atoi(val)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %q is not a whole number", s.env, val)
			}
			fs.IntVar(dst, s.flag, n, help)
		case *bool:
			b, err := strconv.ParseBool(val)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %q is not true or false", s.env, val)
			}
			fs.BoolVar(dst, s.flag, b, help)
		case *time.Duration:
			d, err := time.ParseDuration(val)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %q is not a duration like 30s", s.env, val)
			}
			fs.DurationVar(dst, s.flag, d, help)
		}
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	c.APIKey = os.Getenv("KYCD_API_KEY")
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.ScreeningStrongHit == "" {
		c.ScreeningStrongHit = "review"
	}
	if c.ScreeningStrongHit != "review" && c.ScreeningStrongHit != "fail" {
		return nil, nil, fmt.Errorf("screening-strong-hit: %q is not review or fail", c.ScreeningStrongHit)
	}
	if c.ListsSync <= 0 {
		c.ListsSync = 30 * time.Second
	}
	if (len(only) == 0 || contains(only, "workers")) && c.Workers < 1 {
		return nil, nil, fmt.Errorf("workers: must be at least 1")
	}
	return c, fs, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (c *Config) keyFile() string { return filepath.Join(c.DataDir, "encryption.key") }

func (c *Config) logger() (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("log-level: %q is not debug, info, warn or error", c.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("log-format: %q is not text or json", c.LogFormat)
}
