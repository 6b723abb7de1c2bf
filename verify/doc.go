// Package verify is the verification domain: the lifecycle of a verification (transitions
// and their timeline events, each fanned out to webhooks in the same transaction), creation
// (one path for create_verification and reverify, coalescing concurrent creations into one
// transaction), the pipeline (each check's CheckRunner, then the decision), erasure, expiry,
// and one service per check engine (screening with ongoing monitoring, documents,
// biometrics, nfc, business — KYB on the GLEIF register, contact — email and phone checks,
// their one-time codes, and the hosted link sent to the applicant in links.go). Tools validate
// input, call a Service, and shape the output; River workers in package jobs load a job and
// call a Service. A new engine is one checks/<engine> package plus
// one service file here.
//
// Why an Enqueuer instead of the River client: a state change and the work it causes must be
// written in one transaction (so a crash never loses a job nor runs one for a rolled-back
// change), but River and its job arguments are infrastructure. verify asks for the work it
// needs (EnqueueProcess, EnqueueDocument, EnqueueDeliveries, EnqueueMonitor) inside its
// *db.Tx; jobs.Queue implements that with River's InsertTx, and cmd wires the two with
// Service.SetEnqueuer — so verify imports neither jobs nor River, and jobs depends on verify,
// not the reverse.
//
// What submit_verification does:
//
//	err := store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
//		v, err = svc.Submit(ctx, tx, scope, id) // status → processing, event, webhooks, the process job
//		return err
//	})
//
// The process job then calls Service.Process: every requested check runs, and the decision is
// any fail → rejected, any review → needs_review, otherwise approved — no checks at all is
// never an approval. A check whose engine fails is retried; after the job's last attempt it
// becomes a review reason instead of leaving the verification stuck in processing. The
// applicant's IP and device signals (signals.go: ip_country_mismatch, hosting_asn,
// ip_velocity) join the result's reasons and move the decision only under the review policy.
//
// create_verification is the one write callers make at high rates, so concurrent creations
// are coalesced (create.go): one transaction and one statement for everything queued behind
// the batch in flight; each caller still returns only after its own rows committed.
//
// Test mode's sandbox (sandbox.go, issue #27): with a test-mode key, magic values in the
// external_ref or applicant name (test_approve, test_<check>_<outcome>, …), example.test email
// addresses and blocks of the +44 7700 900 drama range force documented outcomes after the real
// engines ran, marked forced / forced_by. SandboxRules is the one table the README, the
// kycd://sandbox resource and list_sandbox_values render; a live-mode object never matches.
package verify
