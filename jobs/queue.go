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
	"github.com/kycd/kycd/verify"
	"github.com/kycd/kycd/webhook"
)

// Options configure the queue.
type Options struct {
	// Work makes this process run workers and periodic jobs. Without it the queue only inserts
	// (what `kycd serve --no-workers` does).
	Work bool
	// MaxWorkers bounds concurrent jobs in this process (default 10).
	MaxWorkers int
	// ExpiryInterval is how often open verifications past expires_at are expired (default 1 minute).
	ExpiryInterval time.Duration
	// PollInterval is how often SQLite is polled for new jobs (PostgreSQL is notified; default 250 ms).
	PollInterval time.Duration
	Logger       *slog.Logger
	// Webhooks is the outbound policy deliveries are made under (the zero value is the strict one).
	Webhooks webhook.Policy
	// WebhookRetry is the delivery retry schedule (zero fields: webhook.DefaultSchedule).
	WebhookRetry webhook.Schedule
	// WebhookWorkers bounds concurrent deliveries in this process (default 20).
	WebhookWorkers int
	// WebhookDisableAfter is how many deliveries in a row must fail for good before an endpoint
	// is disabled (default DefaultWebhookDisableAfter).
	WebhookDisableAfter int
	// UserAgent is sent with webhook deliveries (default "kycd-webhooks").
	UserAgent string
	// RescueStuckAfter is how long a job may stay running before River assumes its worker died
	// (SIGKILL, power loss) and retries it (default River's 1 h). Lower values rescue sooner but
	// also cap the per-job timeout, which is lowered to match.
	RescueStuckAfter time.Duration
	// OrphanAfter is how long a worker process may miss its heartbeats before the jobs it was
	// running are handed to live workers (default DefaultOrphanAfter). This is what brings
	// verifications back after a SIGKILL or a lost pod, within seconds; RescueStuckAfter stays
	// the last resort for a worker that is alive but hung.
	OrphanAfter time.Duration
	// HeartbeatInterval is how often a working process records that it is alive and sweeps for
	// orphaned jobs (default OrphanAfter / 4).
	HeartbeatInterval time.Duration
	// IdempotencyTTL is how long stored idempotent responses are kept (default 24 h; the
	// tools replay them for tools.IdempotencyTTL, which cmd passes here).
	IdempotencyTTL time.Duration
	// PurgeInterval is how often expired idempotency keys are deleted (default DefaultPurgeInterval).
	PurgeInterval time.Duration
	// ImageRetention is how long the images of an ended verification are kept (0 = for ever);
	// the same sweep deletes older ones.
	ImageRetention time.Duration
	// RetentionInterval is how often scheduled deletions and retention policies are applied
	// (default DefaultRetentionInterval).
	RetentionInterval time.Duration
	// MonitorInterval is how often ongoing screening re-screens the monitored applicants when
	// the service's checks include the *verify.Screening engine (default DefaultMonitorInterval; negative = only
	// when a list version changes).
	MonitorInterval time.Duration
	// NotifyInterval is how often due notification digests and expiring keys are looked for,
	// when the service has notifications enabled (default DefaultNotifyInterval).
	NotifyInterval time.Duration
	// Notify, when set, enables team notifications on the service with these options before
	// the workers are registered (what cmd does when operator accounts exist).
	Notify *verify.NotifyOptions
}

// Queue is River on the store's own database: jobs are inserted in the same transaction as
// the change that causes them. On PostgreSQL River runs on the shared pgx pool; on SQLite on
// the single shared connection.
type Queue struct {
	// id is this process's River client id, the owner name its running jobs carry.
	id    string
	beat  *heartbeat
	store *db.Store
	svc   *verify.Service
	pg    *river.Client[pgx.Tx]
	lite  *river.Client[*sql.Tx]
	opts  Options
	hooks *webhook.Client
}

// New builds the River client for the store's database and registers every worker; the
// workers run svc's domain operations. Wire the queue back into the service with
// svc.SetEnqueuer(q) (cmd does), so its changes can enqueue.
func New(store *db.Store, svc *verify.Service, opts Options) (*Queue, error) {
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
	opts.WebhookRetry = opts.WebhookRetry.WithDefaults()
	if opts.IdempotencyTTL <= 0 {
		opts.IdempotencyTTL = 24 * time.Hour
	}
	if opts.PurgeInterval <= 0 {
		opts.PurgeInterval = DefaultPurgeInterval
	}
	if opts.RetentionInterval <= 0 {
		opts.RetentionInterval = DefaultRetentionInterval
	}
	if opts.WebhookWorkers <= 0 {
		opts.WebhookWorkers = 20
	}
	if opts.WebhookDisableAfter <= 0 {
		opts.WebhookDisableAfter = DefaultWebhookDisableAfter
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "kycd-webhooks"
	}
	if opts.OrphanAfter <= 0 {
		opts.OrphanAfter = DefaultOrphanAfter
	}
	if opts.HeartbeatInterval <= 0 {
		opts.HeartbeatInterval = opts.OrphanAfter / 4
	}
	q := &Queue{id: newClientID(), store: store, svc: svc, opts: opts, hooks: webhook.NewClient(opts.Webhooks, opts.UserAgent)}
	workers := river.NewWorkers()
	river.AddWorker(workers, &processWorker{q: q})
	river.AddWorker(workers, &expireWorker{q: q})
	river.AddWorker(workers, &purgeWorker{q: q})
	river.AddWorker(workers, &retentionWorker{q: q})
	river.AddWorker(workers, &deliverWorker{q: q})
	// The screening engine among the checks also runs ongoing monitoring on this queue.
	// The document engine among the checks reads uploads in document.analyze jobs.
	if docs, _ := svc.Available()[models.CheckDocument].(*verify.Documents); docs != nil {
		river.AddWorker(workers, &documentWorker{d: docs})
	}
	// The proof-of-address service reads its documents in address.read jobs.
	if ar, _ := svc.Available()[models.CheckProofOfAddress].(*verify.AddressRunner); ar != nil {
		river.AddWorker(workers, &addressWorker{a: ar.Service()})
	}
	// The KYB service finishes businesses whose register was slow in business.verify jobs.
	if b := svc.Business(); b != nil {
		river.AddWorker(workers, &businessWorker{b: b})
	}
	// Team notifications: the sending worker and the periodic digest / key-expiry sweep.
	if opts.Notify != nil && svc.Notifications() == nil {
		svc.EnableNotifications(*opts.Notify)
	}
	notify := svc.Notifications()
	if notify != nil {
		river.AddWorker(workers, &notifyWorker{n: notify})
		river.AddWorker(workers, &notifySweepWorker{q: q, n: notify})
	}
	monitor, _ := svc.Available()[models.CheckScreening].(*verify.Screening)
	if monitor != nil {
		river.AddWorker(workers, &monitorWorker{s: monitor, b: svc.Business()})
	}

	cfg := &river.Config{
		ID:                q.id,
		Workers:           workers,
		Logger:            opts.Logger.With("component", "river"),
		Schema:            store.Schema,
		FetchPollInterval: opts.PollInterval,
		FetchCooldown:     opts.PollInterval / 5,
		MaxAttempts:       8,
		JobTimeout:        5 * time.Minute,
	}
	if opts.RescueStuckAfter > 0 {
		cfg.RescueStuckJobsAfter = opts.RescueStuckAfter
		cfg.JobTimeout = min(cfg.JobTimeout, opts.RescueStuckAfter)
	}
	if opts.Work {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.MaxWorkers},
			// Deliveries are short and latency-sensitive: fetch them as soon as inserts are notified.
			QueueWebhooks: {MaxWorkers: opts.WebhookWorkers, FetchCooldown: min(opts.PollInterval/5, 20*time.Millisecond)}}
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(opts.ExpiryInterval),
				func() (river.JobArgs, *river.InsertOpts) { return ExpireArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "verification.expire"}),
			river.NewPeriodicJob(river.PeriodicInterval(opts.PurgeInterval),
				func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "idempotency.purge"}),
			river.NewPeriodicJob(river.PeriodicInterval(opts.RetentionInterval),
				func() (river.JobArgs, *river.InsertOpts) { return RetentionArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "applicant.retention"}),
		}
		if notify != nil {
			every := opts.NotifyInterval
			if every <= 0 {
				every = DefaultNotifyInterval
			}
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(every),
				func() (river.JobArgs, *river.InsertOpts) { return NotifySweepArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "notify.sweep"}))
		}
		if monitor != nil && opts.MonitorInterval >= 0 {
			every := opts.MonitorInterval
			if every == 0 {
				every = verify.DefaultMonitorInterval
			}
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(every),
				func() (river.JobArgs, *river.InsertOpts) {
					return MonitorArgs{verify.MonitorRun{Cause: verify.MonitorSchedule}}, nil
				},
				&river.PeriodicJobOpts{ID: "screening.monitor"}))
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
	// Alive before the first fetch, so no other process takes this one's jobs for orphans.
	beat, err := q.startHeartbeat(ctx)
	if err != nil {
		return err
	}
	q.beat = beat
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
	defer q.stopHeartbeat()
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
	return q.insertManyTx(ctx, tx, []river.InsertManyParams{{Args: args, InsertOpts: opts}})
}

// insertManyTx enqueues jobs inside tx in one insert.
func (q *Queue) insertManyTx(ctx context.Context, tx *db.Tx, jobs []river.InsertManyParams) error {
	if q.pg != nil {
		return tx.WithPgx(func(ptx pgx.Tx) error {
			_, err := q.pg.InsertManyTx(ctx, ptx, jobs)
			return err
		})
	}
	_, err := q.lite.InsertManyTx(ctx, tx.SQLTx(), jobs)
	return err
}

// WebhookPolicy is the outbound policy deliveries are made under.
func (q *Queue) WebhookPolicy() webhook.Policy { return q.opts.Webhooks }

// The queue is the verify.Service's Enqueuer.
var _ verify.Enqueuer = (*Queue)(nil)

// EnqueueProcess implements verify.Enqueuer: the verification.process job.
func (q *Queue) EnqueueProcess(ctx context.Context, tx *db.Tx, v *models.Verification) error {
	args := ProcessArgs{VerificationID: v.ID, AccountID: v.AccountID, Mode: v.Mode}
	if v.SubmittedAt != nil {
		args.Round = v.SubmittedAt.UnixMicro()
	}
	return q.InsertTx(ctx, tx, args, nil)
}

// EnqueueDocument implements verify.Enqueuer: the document.analyze job.
func (q *Queue) EnqueueDocument(ctx context.Context, tx *db.Tx, job verify.DocumentJob) error {
	return q.InsertTx(ctx, tx, DocumentArgs{job}, nil)
}

// EnqueueMonitor implements verify.Enqueuer: a screening.monitor job, unique by its arguments.
func (q *Queue) EnqueueMonitor(ctx context.Context, tx *db.Tx, run verify.MonitorRun) error {
	return q.InsertTx(ctx, tx, MonitorArgs{run}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}})
}

// EnqueueDeliveries implements verify.Enqueuer: one webhook.deliver job per delivery, on the
// webhooks queue, in one insert.
func (q *Queue) EnqueueDeliveries(ctx context.Context, tx *db.Tx, deliveries []*models.WebhookDelivery) error {
	jobs := make([]river.InsertManyParams, len(deliveries))
	for i, d := range deliveries {
		jobs[i] = river.InsertManyParams{Args: DeliverArgs{DeliveryID: d.ID},
			InsertOpts: &river.InsertOpts{Queue: QueueWebhooks, MaxAttempts: q.opts.WebhookRetry.MaxAttempts}}
	}
	return q.insertManyTx(ctx, tx, jobs)
}
