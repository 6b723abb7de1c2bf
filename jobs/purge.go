package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// PurgeArgs is the periodic `idempotency.purge` job: stored responses of idempotent requests
// are replayed for Options.IdempotencyTTL and then deleted, so the table does not grow
// without end (a claim also drops its own expired row, but keys never reused would stay).
type PurgeArgs struct{}

// Kind is River's job kind.
func (PurgeArgs) Kind() string { return "idempotency.purge" }

// InsertOpts: one sweep at a time.
func (PurgeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type purgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	q *Queue
}

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	n, err := w.q.store.PurgeIdempotencyKeys(ctx, w.q.store.Now().Add(-w.q.opts.IdempotencyTTL))
	if err == nil && n > 0 {
		w.q.opts.Logger.InfoContext(ctx, "idempotency keys purged", "rows", n)
	}
	return err
}

// DefaultPurgeInterval is how often expired idempotency keys are deleted.
const DefaultPurgeInterval = time.Hour
