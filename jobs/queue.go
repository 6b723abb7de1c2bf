package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Options configure the queue.
type Options struct {
	// Work makes this process run workers and periodic jobs. Without it the queue only inserts
	// (what `kycd serve --no-workers` does).
	Work bool
	// MaxWorkers bounds concurrent jobs in this process (default 10).
	MaxWorkers int
	// Checks are the engines available to the verification pipeline.
	Checks map[models.Check]CheckRunner
	// ExpiryInterval is how often open verifications past expires_at are expired (default 1 minute).
	ExpiryInterval time.Duration
	// PollInterval is how often SQLite is polled for new jobs (PostgreSQL is notified; default 250 ms).
	PollInterval time.Duration
	Logger       *slog.Logger
}

// Queue is River on the store's own database: jobs are inserted in the same transaction as
// the change that causes them. On PostgreSQL River runs on the shared pgx pool; on SQLite on
// the single shared connection.
type Queue struct {
	store *db.Store
	pg    *river.Client[pgx.Tx]
	lite  *river.Client[*sql.Tx]
	opts  Options
}

// New builds the River client for the store's database and registers every worker.
func New(store *db.Store, opts Options) (*Queue, error) {
	if opts.MaxWorkers <= 0 {
		opts.MaxWorkers = 10
	}
	if opts.ExpiryInterval <= 0 {
		opts.ExpiryInterval = time.Minute
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 250 * time.Millisecond
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	q := &Queue{store: store, opts: opts}
	workers := river.NewWorkers()
	river.AddWorker(workers, &processWorker{q: q})
	river.AddWorker(workers, &expireWorker{q: q})

	cfg := &river.Config{
		Workers:           workers,
		Logger:            opts.Logger.With("component", "river"),
		Schema:            store.Schema,
		FetchPollInterval: opts.PollInterval,
		FetchCooldown:     opts.PollInterval / 5,
		MaxAttempts:       8,
		JobTimeout:        5 * time.Minute,
	}
	if opts.Work {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.MaxWorkers}}
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(opts.ExpiryInterval),
				func() (river.JobArgs, *river.InsertOpts) { return ExpireArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "verification.expire"}),
		}
	}
	var err error
	if store.Dialect == db.Postgres {
		q.pg, err = river.NewClient(riverpgxv5.New(store.Pool), cfg)
	} else {
		cfg.PollOnly = true
		cfg.Schema = ""
		q.lite, err = river.NewClient(riversqlite.New(store.SQL), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return q, nil
}

// Start runs workers (when Options.Work) until Stop.
func (q *Queue) Start(ctx context.Context) error {
	if !q.opts.Work {
		return nil
	}
	if q.pg != nil {
		return q.pg.Start(ctx)
	}
	return q.lite.Start(ctx)
}

// Stop waits for running jobs to finish (until ctx ends, then cancels them).
func (q *Queue) Stop(ctx context.Context) error {
	if !q.opts.Work {
		return nil
	}
	var err error
	if q.pg != nil {
		err = q.pg.Stop(ctx)
	} else {
		err = q.lite.Stop(ctx)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		if q.pg != nil {
			return q.pg.StopAndCancel(context.Background())
		}
		return q.lite.StopAndCancel(context.Background())
	}
	return err
}

// InsertTx enqueues a job inside tx, so it exists exactly when tx commits.
func (q *Queue) InsertTx(ctx context.Context, tx *db.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	if q.pg != nil {
		return tx.WithPgx(func(ptx pgx.Tx) error {
			_, err := q.pg.InsertTx(ctx, ptx, args, opts)
			return err
		})
	}
	_, err := q.lite.InsertTx(ctx, tx.SQLTx(), args, opts)
	return err
}

// Available reports which checks have an engine in this process, for create-time validation.
func (q *Queue) Available() map[models.Check]CheckRunner { return q.opts.Checks }
