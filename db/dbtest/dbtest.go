// Package dbtest opens real, migrated stores for tests: a fresh schema on the PostgreSQL
// server named by TEST_DATABASE_URL, and a fresh SQLite file. Nothing is mocked.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/kycd/kycd/db"
)

// DefaultURL is used when TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/kycd_test?sslmode=disable"

// URL is the PostgreSQL server tests use.
func URL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Keyring returns a fresh random keyring.
func Keyring(tb testing.TB) *db.Keyring {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	k, err := db.NewKeyring("t1:" + base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

var ensureOnce sync.Once
var ensureErr error

// ensureDatabase creates the test database when the server lacks it.
func ensureDatabase(ctx context.Context) error {
	ensureOnce.Do(func() {
		u, err := url.Parse(URL())
		if err != nil {
			ensureErr = err
			return
		}
		name := strings.TrimPrefix(u.Path, "/")
		admin := *u
		admin.Path = "/postgres"
		conn, err := pgx.Connect(ctx, admin.String())
		if err != nil {
			ensureErr = err
			return
		}
		defer conn.Close(ctx)
		var exists bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
			ensureErr = err
			return
		}
		if !exists {
			if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil && !strings.Contains(err.Error(), "already exists") {
				ensureErr = err
			}
		}
	})
	return ensureErr
}

// Postgres opens a store in a new schema of the test database; the schema is dropped afterwards.
// Without a reachable server the test is skipped, except in CI (CI=true), where it fails.
func Postgres(tb testing.TB) *db.Store {
	tb.Helper()
	ctx := context.Background()
	if err := ensureDatabase(ctx); err != nil {
		unavailable(tb, err)
	}
	schema := "t_" + strings.ToLower(db.RandomBase62(12))
	conn, err := pgx.Connect(ctx, URL())
	if err != nil {
		unavailable(tb, err)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		conn.Close(ctx)
		tb.Fatalf("create schema: %v", err)
	}
	conn.Close(ctx)
	s, err := db.Open(ctx, db.Options{URL: URL(), Schema: schema, Keyring: Keyring(tb), MaxConns: 8})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		s.Close()
		if c, err := pgx.Connect(context.Background(), URL()); err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}

func unavailable(tb testing.TB, err error) {
	tb.Helper()
	msg := fmt.Sprintf("PostgreSQL at %s unavailable: %v", URL(), err)
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg + " (set TEST_DATABASE_URL)")
}

// SQLite opens a store on a fresh SQLite file in a temp dir.
func SQLite(tb testing.TB) *db.Store {
	tb.Helper()
	s, err := db.Open(context.Background(), db.Options{DataDir: tb.TempDir(), Keyring: Keyring(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return s
}

// Each runs f once per database, as parallel subtests named postgres and sqlite.
func Each(t *testing.T, f func(t *testing.T, s *db.Store)) {
	t.Helper()
	for name, open := range map[string]func(testing.TB) *db.Store{"postgres": Postgres, "sqlite": SQLite} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, open(t))
		})
	}
}

// Rows calls f with every row of table as the database gives it: column names, and values as
// the driver scans them into any (text and blob columns as their raw bytes). Tests that look
// for plaintext in what is stored read through it, so none sees less than the others.
func Rows(tb testing.TB, s *db.Store, table string, f func(cols []string, vals []any)) {
	tb.Helper()
	rows, err := s.DB.QueryContext(context.Background(), "SELECT * FROM "+table)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		f(cols, vals)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
}
