package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/verify"
)

// NotifyArgs is the `notify.send` job: one attempt at sending one team notification (or a
// daily digest) by e-mail or webhook-style POST; failed attempts are retried with River's backoff.
type NotifyArgs struct {
	NotificationID string `json:"notification_id"`
}

// Kind is River's job kind.
func (NotifyArgs) Kind() string { return "notify.send" }

// notifyMaxAttempts bounds the attempts at one notification (River's backoff: about a day in all).
const notifyMaxAttempts = 10

type notifyWorker struct {
	river.WorkerDefaults[NotifyArgs]
	n *verify.Notifications
}

// Timeout leaves room for the SMTP and HTTP clients' own limits.
func (w *notifyWorker) Timeout(*river.Job[NotifyArgs]) time.Duration { return time.Minute }

func (w *notifyWorker) Work(ctx context.Context, job *river.Job[NotifyArgs]) error {
	err := w.n.Deliver(ctx, job.Args.NotificationID, job.Attempt, job.Attempt >= job.MaxAttempts)
	if errors.Is(err, db.ErrNotFound) {
		return river.JobCancel(err)
	}
	return err
}

// NotifySweepArgs is the periodic `notify.sweep` job: the daily digests that are due, and
// the notices about API keys close to their expiry.
type NotifySweepArgs struct{}

// Kind is River's job kind.
func (NotifySweepArgs) Kind() string { return "notify.sweep" }

// InsertOpts: one sweep at a time.
func (NotifySweepArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// DefaultNotifyInterval is how often digests and key expiries are looked at: a digest goes
// out at most this long after its hour.
const DefaultNotifyInterval = 10 * time.Minute

type notifySweepWorker struct {
	river.WorkerDefaults[NotifySweepArgs]
	q *Queue
	n *verify.Notifications
}

func (w *notifySweepWorker) Work(ctx context.Context, _ *river.Job[NotifySweepArgs]) error {
	return w.n.Sweep(ctx, w.q.store.Now())
}

// EnqueueNotifications implements verify.NotificationEnqueuer: one notify.send job per
// notification, on the webhooks queue (short outbound calls), in one insert.
func (q *Queue) EnqueueNotifications(ctx context.Context, tx *db.Tx, ids []string) error {
	jobs := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		jobs[i] = river.InsertManyParams{Args: NotifyArgs{NotificationID: id},
			InsertOpts: &river.InsertOpts{Queue: QueueWebhooks, MaxAttempts: notifyMaxAttempts}}
	}
	return q.insertManyTx(ctx, tx, jobs)
}

var _ verify.NotificationEnqueuer = (*Queue)(nil)
