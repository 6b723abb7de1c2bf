package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/verify"
)

// AddressArgs is the `address.read` job: read a proof-of-address document and decide the
// check (verify.Address.Read).
type AddressArgs struct {
	verify.AddressJob
}

// Kind is River's job kind.
func (AddressArgs) Kind() string { return "address.read" }

// InsertOpts: a document is read once; an engine error (a timeout under load) is retried a
// few times before the check goes to a person.
func (AddressArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type addressWorker struct {
	river.WorkerDefaults[AddressArgs]
	a *verify.Address
}

// Timeout bounds one attempt: the engine's own timeout (60 s by default, waiting for a slot
// included) with room to store the result.
func (w *addressWorker) Timeout(*river.Job[AddressArgs]) time.Duration { return 2 * time.Minute }

// NextRetry: a few seconds, not River's polynomial backoff — an applicant may be waiting.
func (w *addressWorker) NextRetry(job *river.Job[AddressArgs]) time.Time {
	return time.Now().Add(time.Duration(job.Attempt) * 5 * time.Second)
}

func (w *addressWorker) Work(ctx context.Context, job *river.Job[AddressArgs]) error {
	err := w.a.Read(ctx, job.Args.AddressJob)
	if err != nil && job.Attempt >= job.MaxAttempts {
		// The last attempt: the check goes to a person rather than staying processing.
		return w.a.ReadFailed(context.WithoutCancel(ctx), job.Args.AddressJob, err)
	}
	return cancelIfGone(err)
}

// EnqueueAddress implements verify's address enqueuer: the address.read job.
func (q *Queue) EnqueueAddress(ctx context.Context, tx *db.Tx, job verify.AddressJob) error {
	return q.InsertTx(ctx, tx, AddressArgs{job}, nil)
}
