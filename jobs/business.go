package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// BusinessArgs is the `business.verify` job: finish a business whose register did not answer
// within the call (verify.Business.Resolve).
type BusinessArgs struct {
	verify.BusinessJob
}

// Kind is River's job kind.
func (BusinessArgs) Kind() string { return "business.verify" }

// InsertOpts: one unfinished job per business (a finished one does not stop a later retry); the register gets several chances over about two
// hours (businessRetry) before the business goes to a person.
func (BusinessArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: len(businessRetry) + 1, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// businessRetry is the wait before each retry: a register outage is usually minutes long.
var businessRetry = []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute,
	5 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour}

type businessWorker struct {
	river.WorkerDefaults[BusinessArgs]
	b *verify.Business
}

// Timeout bounds one attempt: the client's own retries and the screening of every name.
func (w *businessWorker) Timeout(*river.Job[BusinessArgs]) time.Duration { return 3 * time.Minute }

// NextRetry follows businessRetry instead of River's default polynomial backoff.
func (w *businessWorker) NextRetry(job *river.Job[BusinessArgs]) time.Time {
	i := min(max(job.Attempt-1, 0), len(businessRetry)-1)
	return time.Now().Add(businessRetry[i])
}

func (w *businessWorker) Work(ctx context.Context, job *river.Job[BusinessArgs]) error {
	sc := db.Scope{AccountID: job.Args.AccountID, Mode: job.Args.Mode}
	row, err := w.b.Store().GetBusiness(ctx, sc, job.Args.BusinessID)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if row.Status != models.BusinessProcessing || row.DeletedAt != nil {
		return nil // decided meanwhile (rescreen_business) or deleted (delete_business)
	}
	_, _, err = w.b.Resolve(ctx, sc, row.ID, 0, false)
	if errors.Is(err, verify.ErrRegisterUnavailable) && job.Attempt >= job.MaxAttempts {
		return w.b.GiveUp(ctx, sc, row.ID, err)
	}
	return err
}

// EnqueueBusiness implements verify.Enqueuer: the business.verify job, one pending per business.
func (q *Queue) EnqueueBusiness(ctx context.Context, tx *db.Tx, job verify.BusinessJob) error {
	return q.InsertTx(ctx, tx, BusinessArgs{job}, nil)
}
