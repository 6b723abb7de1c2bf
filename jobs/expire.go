package jobs

import (
	"context"
	"errors"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
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
	_, err := ExpireDue(ctx, w.q)
	return err
}

// ExpireDue expires every open verification past its expiry time and returns how many it expired.
func ExpireDue(ctx context.Context, q *Queue) (int, error) {
	store := q.store
	total := 0
	for {
		due, err := store.DueForExpiry(ctx, store.Now(), 200)
		if err != nil {
			return total, err
		}
		for _, v := range due {
			err := store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				_, err := Transition(ctx, q, tx, db.Scope{AccountID: v.AccountID, Mode: v.Mode}, v.ID,
					[]models.Status{models.StatusPending, models.StatusInProgress}, models.StatusExpired, EventExpired, nil, nil)
				return err
			})
			if errors.Is(err, db.ErrConflict) {
				continue // submitted or cancelled in the meantime
			}
			if err != nil {
				return total, err
			}
			total++
		}
		if len(due) < 200 {
			return total, nil
		}
	}
}
