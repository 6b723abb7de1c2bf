package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"github.com/kycd/kycd/verify"
)

// DocumentArgs is the `document.analyze` job: read the verification's latest sides
// (verify.Documents.Analyze). Its JSON is the job's, unchanged since it lived here.
type DocumentArgs struct {
	verify.DocumentJob
}

// Kind is River's job kind.
func (DocumentArgs) Kind() string { return "document.analyze" }

// InsertOpts: an upload is analysed once; an engine error is retried a few times.
func (DocumentArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type documentWorker struct {
	river.WorkerDefaults[DocumentArgs]
	d *verify.Documents
}

// Timeout: a document read is bounded (retries over rotations and scales).
func (w *documentWorker) Timeout(*river.Job[DocumentArgs]) time.Duration { return 2 * time.Minute }

func (w *documentWorker) Work(ctx context.Context, job *river.Job[DocumentArgs]) error {
	return cancelIfGone(w.d.Analyze(ctx, job.Args.DocumentJob))
}
