// Package jobs holds the River job queue and its workers: the verification pipeline
// (verification.process), session expiry (verification.expire, periodic), webhook deliveries,
// document reads (document.analyze), and the services the pipeline uses (the screening index,
// the face engine, the document engine).
//
// Document photos are read in a job, not in the request, because an MRZ read costs 0.1–1 s of
// CPU that a separate worker process may own; submit_document waits for the job's answer so
// callers still get the extraction at once (see document.go).
//
// Ongoing screening (screening.monitor) runs when any process's Sync sees a new list version and
// on a schedule; it is unique by the list versions that caused it, and each hit is raised once
// because the alert row and the screening.match event are written in one transaction.
//
// River runs in the same database as the data. A state change and the jobs it causes are
// written in one transaction, so a crash never loses a job nor runs one for a change that
// rolled back. A worked example — what submit_verification does:
//
//	err := store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
//		v, err := jobs.Transition(ctx, queue, tx, scope, id,
//			[]models.Status{models.StatusPending, models.StatusInProgress}, models.StatusProcessing,
//			jobs.EventProcessing, nil, nil) // status change + timeline event + webhook deliveries
//		if err != nil {
//			return err
//		}
//		return queue.InsertTx(ctx, tx, jobs.ProcessArgs{VerificationID: v.ID, AccountID: v.AccountID, Mode: v.Mode}, nil)
//	})
//
// The process worker then runs each requested check's CheckRunner and decides: any fail
// rejects, any review needs a person, otherwise approved — and no checks is never an approval.
// A check whose engine fails is retried; after the last attempt it becomes a review reason
// rather than leaving the verification stuck in processing.
//
// create_verification is the one write callers make at high rates, so concurrent creations are
// coalesced (create.go): one transaction and one statement for everything queued behind the
// batch in flight. Each caller still returns only after its own rows committed; the per-commit
// and per-statement costs, which dominated PostgreSQL's CPU, are shared.
//
// On PostgreSQL River uses the pgx pool bun also uses (riverpgxv5); on SQLite the one shared
// connection (riversqlite, poll-only). River's database/sql driver for PostgreSQL is not served
// at River's pinned version, so InsertTx on PostgreSQL goes through db.Tx.WithPgx, which presents
// the transaction's own connection as a pgx.Tx.
package jobs
