package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// RetentionArgs is the periodic `applicant.retention` job: it erases the applicants whose
// scheduled deletion (schedule_applicant_deletion) is due, and those past their account's
// retention policy, through the usual erasure (crypto-shredding, applicant.deleted). A legal
// hold skips them.
type RetentionArgs struct{}

// Kind is River's job kind.
func (RetentionArgs) Kind() string { return "applicant.retention" }

// InsertOpts: one pass at a time.
func (RetentionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// DefaultRetentionInterval is how often due deletions are looked for: a scheduled deletion
// happens at most this long after its time.
const DefaultRetentionInterval = 5 * time.Minute

// retentionBatch bounds the erasures of one pass (of each kind); the next pass goes on.
const retentionBatch = 200

type retentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	q *Queue
}

func (w *retentionWorker) Work(ctx context.Context, _ *river.Job[RetentionArgs]) error {
	pass, err := w.q.svc.RunRetention(ctx, w.q.store, w.q.store.Now(), retentionBatch)
	if pass.Scheduled > 0 || pass.ByPolicy > 0 || pass.Held > 0 {
		w.q.opts.Logger.InfoContext(ctx, "retention", "scheduled_erased", pass.Scheduled, "policy_erased", pass.ByPolicy, "held", pass.Held)
	}
	return err
}
