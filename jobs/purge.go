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
// The same sweep deletes expired hand-off links and, with Options.ImageRetention set, the
// images of verifications that ended longer ago (the kind keeps its first name so queued
// jobs of older versions still find their worker).
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
	now := w.q.store.Now()
	n, err := w.q.store.PurgeIdempotencyKeys(ctx, now.Add(-w.q.opts.IdempotencyTTL))
	if err != nil {
		return err
	}
	h, err := w.q.store.PurgeHandoffs(ctx, now)
	if err != nil {
		return err
	}
	var images int64
	if w.q.opts.ImageRetention > 0 {
		if images, err = w.q.store.PurgeImages(ctx, now.Add(-w.q.opts.ImageRetention)); err != nil {
			return err
		}
	}
	gleif, err := w.q.store.PurgeBusinessCache(ctx)
	if err != nil {
		return err
	}
	if n > 0 || h > 0 || images > 0 || gleif > 0 {
		w.q.opts.Logger.InfoContext(ctx, "purged", "idempotency_keys", n, "handoffs", h, "images", images, "gleif_cache", gleif)
	}
	return nil
}

// DefaultPurgeInterval is how often expired idempotency keys, hand-offs and images are deleted.
const DefaultPurgeInterval = time.Hour
