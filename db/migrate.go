package db

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations
var migrationsFS embed.FS

// Migrate applies kycd's migrations and River's, idempotently. Concurrent callers on
// PostgreSQL serialise on an advisory lock, so several processes may start at once.
func (s *Store) Migrate(ctx context.Context) error {
	if err := s.migrateOurs(ctx); err != nil {
		return err
	}
	return s.migrateRiver(ctx)
}

func (s *Store) migrateOurs(ctx context.Context) error {
	dir := "migrations/" + string(s.Dialect)
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		version := strings.TrimSuffix(name, ".sql")
		body, err := fs.ReadFile(migrationsFS, dir+"/"+name)
		if err != nil {
			return err
		}
		err = s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
			if err := lockMigrations(ctx, tx); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS kycd_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM kycd_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO kycd_migrations (version, applied_at) VALUES (?, ?)`, version, s.Now().Format("2006-01-02T15:04:05Z"))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", version, err)
		}
	}
	return nil
}

// lockMigrations serialises concurrent migrators on PostgreSQL (SQLite has one writer anyway).
func lockMigrations(ctx context.Context, tx *Tx) error {
	if tx.store.Dialect != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7254001)`)
	return err
}

func (s *Store) migrateRiver(ctx context.Context) error {
	if s.Dialect == Postgres {
		// River's migrator runs its own transactions; a session-level advisory lock on a
		// separate connection keeps concurrent starters from racing it.
		conn, err := s.Pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("river migrations: %w", err)
		}
		defer conn.Release()
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7254002)`); err != nil {
			return fmt.Errorf("river migrations: lock: %w", err)
		}
		defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7254002)`) //nolint:errcheck
		m, err := rivermigrate.New(riverpgxv5.New(s.Pool), &rivermigrate.Config{Schema: s.Schema})
		if err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
		if err != nil {
			return fmt.Errorf("river migrations: %w", err)
		}
		return nil
	}
	err := s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		m, err := rivermigrate.New(riversqlite.New(s.SQL), nil)
		if err != nil {
			return err
		}
		//lint:ignore SA1019 deliberate: on SQLite River's migrations run inside the store's transaction; see the PostgreSQL branch for Migrate
		_, err = m.MigrateTx(ctx, tx.SQLTx(), rivermigrate.DirectionUp, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}
