package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/kycd/kycd/verify"
)

// MonitorArgs is the `screening.monitor` job: re-screen every monitored applicant
// (verify.Screening.RunMonitor). Unique by its arguments, so the runs several processes
// enqueue for one list update converge on one.
type MonitorArgs struct {
	verify.MonitorRun
}

// Kind is River's job kind.
func (MonitorArgs) Kind() string { return "screening.monitor" }

type monitorWorker struct {
	river.WorkerDefaults[MonitorArgs]
	s *verify.Screening
	// b, when set, re-screens the decided businesses after the applicants.
	b *verify.Business
}

// Timeout lets a run over many applicants outlast the queue's default job timeout; a run cut
// short is retried from the start, and hits already raised are not raised again.
func (w *monitorWorker) Timeout(*river.Job[MonitorArgs]) time.Duration { return 2 * time.Hour }

// Work syncs this process to the stored lists, then runs the monitoring of the applicants and
// of the businesses.
func (w *monitorWorker) Work(ctx context.Context, job *river.Job[MonitorArgs]) error {
	return w.s.RunMonitor(ctx, job.Args.Cause, w.b)
}
