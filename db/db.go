package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// Dialect names the database behind a Store.
type Dialect string

// The two supported databases.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// Options configure Open.
type Options struct {
	// URL is a postgres:// URL. Empty means the embedded SQLite file under DataDir.
	URL string
	// DataDir holds the SQLite file when URL is empty.
	DataDir string
	// Schema, for PostgreSQL, is set as the search_path of every connection (tests use one schema each).
	Schema string
	// Keyring encrypts PII columns. Required.
	Keyring *Keyring
	// MaxConns bounds the PostgreSQL pool (default 20).
	MaxConns int32
}

// Store is the system of record: bun over PostgreSQL or SQLite.
type Store struct {
	DB      *bun.DB
	Dialect Dialect
	// Pool is the pgx pool shared by bun (through database/sql) and River; nil on SQLite.
	Pool *pgxpool.Pool
	// SQL is the database/sql handle under bun.
	SQL *sql.DB
	// Schema is the PostgreSQL schema in use ("" = the server's search_path).
	Schema string
	keys   *Keyring
	now    func() time.Time
	// keyCache is set by CacheAPIKeys (long-running PostgreSQL servers only).
	keyCache *keyCache
	// Warnings are what Open found unsafe but not fatal (a data directory others can read);
	// commands log them.
	Warnings []string
	// location says which database this is, for people: the SQLite file's absolute path, or the
	// PostgreSQL host and database (never the password).
	location string
	// AuditAsyncCommit commits audit rows on PostgreSQL without waiting for the WAL flush
	// (synchronous_commit = off for those transactions only): a read's audit row then costs
	// a fraction of a millisecond instead of a disk flush, and a crash of the database server
	// may lose the rows of its last few hundred milliseconds — whole batches, so the chain
	// stays intact. Off by default.
	AuditAsyncCommit bool
	// keyReader is SQLite's second connection, on which data keys are read (db/datakeys.go).
	keyReader *sql.DB
}

// Location names the database for people: the SQLite file's absolute path, or the PostgreSQL
// server and database. Commands print it, so a key made against another ./data is noticed.
func (s *Store) Location() string { return s.location }

// Open connects to PostgreSQL when opts.URL is set, else opens (creating) the embedded SQLite file.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Keyring == nil {
		return nil, errors.New("open store: no encryption keyring configured")
	}
	s := &Store{keys: opts.Keyring, now: func() time.Time { return time.Now().UTC() }, Schema: opts.Schema}
	if opts.URL != "" {
		if !strings.HasPrefix(opts.URL, "postgres://") && !strings.HasPrefix(opts.URL, "postgresql://") {
			return nil, fmt.Errorf("database url: must start with postgres:// (got %q)", redactURL(opts.URL))
		}
		cfg, err := pgxpool.ParseConfig(opts.URL)
		if err != nil {
			return nil, fmt.Errorf("database url: %w", err)
		}
		if opts.MaxConns > 0 {
			cfg.MaxConns = opts.MaxConns
		} else if !strings.Contains(opts.URL, "pool_max_conns=") && cfg.MaxConns < 20 {
			cfg.MaxConns = 20 // pgx's default is the CPU count, too few for River plus requests
		}
		// bun writes every value into the SQL text, so each statement is new to pgx: its default
		// mode would prepare (one more round trip) and cache a statement never seen again.
		// The simple protocol sends it in one. River ≥ 0.47 supports this mode.
		cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		if opts.Schema != "" {
			cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("connect postgres: %w", err)
		}
		pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := pool.Ping(pingCtx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("connect postgres %s: %w", redactURL(opts.URL), err)
		}
		s.Pool = pool
		s.SQL = stdlib.OpenDBFromPool(pool)
		s.DB = bun.NewDB(s.SQL, pgdialect.New())
		s.Dialect = Postgres
		s.keys = opts.Keyring.bind(s.DB, s.Now)
		if u, err := url.Parse(opts.URL); err == nil {
			s.location = "postgres://" + u.Host + u.Path
		}
		return s, nil
	}
	dir := opts.DataDir
	if dir == "" {
		dir = "data"
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dir, "kycd.db")
	if abs, err := filepath.Abs(path); err == nil {
		s.location = abs
	}
	// The file holds sealed PII but also plaintext ids and statuses: only the owner reads it.
	// SQLite gives its -wal and -shm files the database file's mode.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600); err == nil {
		f.Close()
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(path, 0o600)
		}
	}
	if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o077 != 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("the data directory %s is readable by other users (mode %v); chmod 700 it", dir, fi.Mode().Perm()))
	}
	// secure_delete: a deleted or updated row's bytes are zeroed in its page, so an erasure
	// (db/erasure.go) leaves no plaintext and no data key in free space of the file.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=secure_delete(ON)&_txlock=immediate"
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// SQLite has one writer; River's SQLite driver and bun share this single connection,
	// which turns lock contention into queueing instead of SQLITE_BUSY errors.
	sqldb.SetMaxOpenConns(1)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	s.SQL = sqldb
	s.DB = bun.NewDB(sqldb, sqlitedialect.New())
	s.Dialect = SQLite
	// Data keys are read beside the writer (WAL allows readers), never through its one
	// connection, which a transaction may hold while it opens sealed data.
	reader, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	reader.SetMaxOpenConns(2)
	s.keyReader = reader
	s.keys = opts.Keyring.bind(bun.NewDB(reader, sqlitedialect.New()), s.Now)
	return s, nil
}

// Close releases the database.
func (s *Store) Close() error {
	err := s.DB.Close()
	if s.keyReader != nil {
		s.keyReader.Close()
	}
	if s.Pool != nil {
		s.Pool.Close()
	}
	return err
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.SQL.PingContext(ctx) }

// SetClock replaces the store's clock (tests).
func (s *Store) SetClock(now func() time.Time) { s.now = func() time.Time { return now().UTC() } }

// Now is the store's current time, UTC.
func (s *Store) Now() time.Time { return s.now() }

// Keyring returns the PII keyring.
func (s *Store) Keyring() *Keyring { return s.keys }

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable url)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

// Tx is one database transaction. Everything a state change causes — rows, events
// and the River jobs that follow from it — is written through the same Tx.
type Tx struct {
	bun.Tx
	store *Store
	conn  *sql.Conn
	// afterCommit runs once the transaction committed (ShredDataKeys forgets keys again).
	afterCommit []func()
}

// Store returns the store the transaction belongs to.
func (tx *Tx) Store() *Store { return tx.store }

// SQLTx is the database/sql transaction (what River's SQLite driver takes).
func (tx *Tx) SQLTx() *sql.Tx { return tx.Tx.Tx }

// WithPgx runs f with the transaction's own PostgreSQL connection presented as a pgx.Tx,
// so River's pgx driver writes its rows inside this transaction. PostgreSQL only.
func (tx *Tx) WithPgx(f func(pgx.Tx) error) error {
	if tx.store.Dialect != Postgres {
		return errors.New("WithPgx: not a PostgreSQL store")
	}
	return tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("WithPgx: unexpected driver connection %T", dc)
		}
		return f(&pinnedTx{conn: c.Conn()})
	})
}

// InTx runs fn in a transaction and commits it when fn returns nil; any error or panic rolls back.
// The transaction owns one pinned connection, so River's inserts (WithPgx) share it.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error) (err error) {
	conn, err := s.DB.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	btx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = btx.Rollback()
		}
	}()
	tx := &Tx{Tx: btx, store: s, conn: conn.Conn}
	if err := fn(ctx, tx); err != nil {
		return err
	}
	if err := btx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}
