package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// ProcessArgs is the `verification.process` job: run the requested checks and decide.
type ProcessArgs struct {
	VerificationID string      `json:"verification_id"`
	AccountID      string      `json:"account_id"`
	Mode           models.Mode `json:"mode"`
	// Round tells a verification's submissions apart (its submitted_at, Unix microseconds), so
	// the run of a resubmission (request_resubmission) is not taken for a duplicate of the first.
	Round int64 `json:"round,omitempty"`
}

// Kind is River's job kind.
func (ProcessArgs) Kind() string { return "verification.process" }

// InsertOpts: a verification is processed once at a time.
func (ProcessArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type processWorker struct {
	river.WorkerDefaults[ProcessArgs]
	q *Queue
}

// Timeout matches the work: a verification's checks take seconds (an MRZ read, a few
// inferences, a screening); three minutes is ample, and a run cut short is retried.
func (w *processWorker) Timeout(*river.Job[ProcessArgs]) time.Duration { return 3 * time.Minute }

func (w *processWorker) Work(ctx context.Context, job *river.Job[ProcessArgs]) error {
	err := w.q.svc.Process(ctx, db.Scope{AccountID: job.Args.AccountID, Mode: job.Args.Mode}, job.Args.VerificationID,
		job.Attempt, job.MaxAttempts)
	return cancelIfGone(err)
}

// cancelIfGone turns verify.ErrGone (the object was deleted) into River's cancellation, so
// the job is not retried.
func cancelIfGone(err error) error {
	if errors.Is(err, verify.ErrGone) {
		return river.JobCancel(err)
	}
	return err
}
