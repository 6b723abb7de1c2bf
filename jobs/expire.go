package jobs

import (
	"context"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// ExpireArgs is the periodic `verification.expire` job: open sessions past expires_at end as expired.
type ExpireArgs struct{}

// Kind is River's job kind.
func (ExpireArgs) Kind() string { return "verification.expire" }

// InsertOpts: one sweep at a time is enough.
func (ExpireArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type expireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	q *Queue
}

func (w *expireWorker) Work(ctx context.Context, _ *river.Job[ExpireArgs]) error {
	_, err := w.q.svc.ExpireDue(ctx)
	return err
}
