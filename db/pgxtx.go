package db

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pinnedTx presents a connection that database/sql has already put in a transaction as a
// pgx.Tx. Statements run on the same server-side transaction; nested Begin becomes a
// savepoint. Commit and Rollback of the outer transaction belong to Store.InTx.
type pinnedTx struct {
	conn      *pgx.Conn
	savepoint string // "" for the outer transaction
}

var savepointSeq atomic.Uint64

var errOuterTx = errors.New("the outer transaction is committed or rolled back by Store.InTx")

func (t *pinnedTx) Begin(ctx context.Context) (pgx.Tx, error) {
	name := fmt.Sprintf("kycd_sp_%d", savepointSeq.Add(1))
	if _, err := t.conn.Exec(ctx, "SAVEPOINT "+name); err != nil {
		return nil, err
	}
	return &pinnedTx{conn: t.conn, savepoint: name}, nil
}

func (t *pinnedTx) Commit(ctx context.Context) error {
	if t.savepoint == "" {
		return errOuterTx
	}
	_, err := t.conn.Exec(ctx, "RELEASE SAVEPOINT "+t.savepoint)
	return err
}

func (t *pinnedTx) Rollback(ctx context.Context) error {
	if t.savepoint == "" {
		return errOuterTx
	}
	_, err := t.conn.Exec(ctx, "ROLLBACK TO SAVEPOINT "+t.savepoint)
	return err
}

func (t *pinnedTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return t.conn.CopyFrom(ctx, table, cols, src)
}

func (t *pinnedTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.conn.SendBatch(ctx, b)
}

func (t *pinnedTx) LargeObjects() pgx.LargeObjects { return pgx.LargeObjects{} }

func (t *pinnedTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.conn.Prepare(ctx, name, sql)
}

func (t *pinnedTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.conn.Exec(ctx, sql, args...)
}

func (t *pinnedTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.conn.Query(ctx, sql, args...)
}

func (t *pinnedTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.conn.QueryRow(ctx, sql, args...)
}

func (t *pinnedTx) Conn() *pgx.Conn { return t.conn }
