// Package jobs is River on the store's own database: job arguments, workers, periodic jobs
// and the client set-up. Workers are thin — load the job, call package verify, record — and
// jobs.Queue is the verify.Enqueuer that puts the work a domain change causes into that
// change's transaction (InsertTx), so a crash never loses a job nor runs one for a change that
// rolled back. The jobs: verification.process (verify.Service.Process), document.analyze
// (verify.Documents.Analyze), screening.monitor (verify.Screening.RunMonitor),
// verification.expire and idempotency.purge (periodic), and webhook.deliver (the delivery
// attempt itself, with the retry schedule and endpoint auto-disable, lives here: it is
// transport, not domain).
//
// Document photos are read in a job, not in the request, because an MRZ read costs 0.1–1 s of
// CPU that a separate worker process may own; submit_document waits for the job's answer so
// callers still get the extraction at once.
//
// On PostgreSQL River uses the pgx pool bun also uses (riverpgxv5); on SQLite the one shared
// connection (riversqlite, poll-only). River's database/sql driver for PostgreSQL is not served
// at River's pinned version, so InsertTx on PostgreSQL goes through db.Tx.WithPgx, which presents
// the transaction's own connection as a pgx.Tx.
package jobs
