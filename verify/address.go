package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kycd/kycd/checks/address"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// EventAddressCheckCompleted is emitted on every proof-of-address decision (check_address):
// data.address_check_id, status, document_kind and the reason codes — never the address.
const EventAddressCheckCompleted = "address_check.completed"

// AddressOptions configure the proof-of-address service.
type AddressOptions struct {
	// Concurrency bounds the documents read at once in this process (default 2): each PDF
	// render and OCR takes a core and up to a few hundred MB for a few seconds.
	Concurrency int
	// Timeout bounds one document's reading (default 60 s).
	Timeout time.Duration
}

// Address is the proof-of-address service: it reads a document with checks/address, decides,
// stores the result sealed (the declared and the read address are personal data), attaches
// it to a verification when asked, and emits address_check.completed.
//
// The reading runs in a River job (address.read), not in the request: one document costs
// 1–5 s of CPU (docs/benchmarks/address.md) and a worker process may own the cores. Check
// stores the document sealed and the check as processing and enqueues the job in one
// transaction; the job reads, decides, clears the document and emits the event. A caller that
// wants the decision in the answer waits for it (the tools' wait_seconds). The verification
// pipeline reads a check still processing itself, so a submission never waits on a queue.
// Without a queue that takes address jobs (a bench, a test's fake enqueuer) Check reads in
// the call, bounded by Concurrency and Timeout.
type Address struct {
	store  *db.Store
	engine *address.Engine
	opts   AddressOptions
	slots  chan struct{}
	svc    *Service // attached by New when the service runs the proof_of_address check
}

// NewAddress builds the service over an engine.
func NewAddress(store *db.Store, engine *address.Engine, opts AddressOptions) *Address {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 2
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	return &Address{store: store, engine: engine, opts: opts, slots: make(chan struct{}, opts.Concurrency)}
}

func (a *Address) attach(s *Service) { a.svc = s }

// Engine is the document engine (for its versions and what this build can read).
func (a *Address) Engine() *address.Engine { return a.engine }

// Store is the store the service writes to.
func (a *Address) Store() *db.Store { return a.store }

// AddressInput is what the caller declared (validated by the tool), without the document.
type AddressInput struct {
	DeclaredName    string          `json:"declared_name"`
	DeclaredAddress address.Address `json:"declared_address"`
	MaxAgeDays      int             `json:"max_age_days"`
	ExternalRef     string          `json:"external_ref,omitempty"`
}

// AddressCheck is a stored check with its opened input and result.
type AddressCheck struct {
	Row    *models.AddressCheck
	Input  AddressInput
	Result *address.Result // nil while processing and once erased
}

// Processing reports that the document is still being read.
func (c *AddressCheck) Processing() bool { return c.Row.Status == models.AddressProcessing }

// AddressJob is the address.read job: read one processing check's document.
type AddressJob struct {
	CheckID   string      `json:"address_check_id"`
	AccountID string      `json:"account_id"`
	Mode      models.Mode `json:"mode"`
}

// addressEnqueuer is an Enqueuer that also runs address.read jobs (jobs.Queue). It is a
// separate interface so enqueuers that predate the job (tests' fakes) keep working: with
// them Check reads in the call.
type addressEnqueuer interface {
	EnqueueAddress(ctx context.Context, tx *db.Tx, job AddressJob) error
}

// ErrAddressBusy: the document could not start being read within the timeout because others
// were being read.
var ErrAddressBusy = errors.New("too many documents are being read; retry shortly")

// Check stores a document for reading and returns the check as processing; the address.read
// job decides it. v, when not nil, is the verification the check is attached to (it must be
// open: it is marked in progress, as any upload does). svc may be nil when the service was
// attached to one (New with the proof_of_address runner). Without a queue that takes address
// jobs the document is read in the call and the check returned decided.
func (a *Address) Check(ctx context.Context, svc *Service, sc db.Scope, keyID string, in AddressInput, doc []byte, v *models.Verification) (*AddressCheck, error) {
	if svc == nil {
		svc = a.svc
	}
	if svc == nil {
		return nil, errors.New("address check: no verification service attached")
	}
	// The job needs a worker: one is registered wherever the service runs the check (a.svc).
	q, _ := svc.enq.(addressEnqueuer)
	if q == nil || a.svc == nil {
		return a.checkNow(ctx, svc, sc, keyID, in, doc, v)
	}
	// Sealed with the verification's data key when attached, so the applicant's erasure makes
	// it unreadable in backups too; a standalone check with the keyring.
	owner := ""
	if v != nil {
		owner = v.ID
	}
	// What cannot be read at all is refused now, to the caller, not found by the job.
	if err := a.engine.Precheck(ctx, doc); err != nil {
		return nil, err
	}
	row, err := a.newRow(sc, keyID, in, v)
	if err != nil {
		return nil, err
	}
	row.Status = models.AddressProcessing
	row.Result = []byte{}
	if row.Document, err = a.store.Keyring().SealFor(owner, doc); err != nil {
		return nil, fmt.Errorf("seal address document: %w", err)
	}
	err = a.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.InsertAddressCheck(ctx, row); err != nil {
			return err
		}
		if v != nil {
			if err := svc.Start(ctx, tx, sc, v, "proof_of_address"); err != nil {
				return err
			}
		}
		return q.EnqueueAddress(ctx, tx, AddressJob{CheckID: row.ID, AccountID: row.AccountID, Mode: row.Mode})
	})
	if err != nil {
		return nil, err
	}
	row.Document = nil
	return &AddressCheck{Row: row, Input: in}, nil
}

// newRow is a check's row without its status and result: the input sealed, the references.
func (a *Address) newRow(sc db.Scope, keyID string, in AddressInput, v *models.Verification) (*models.AddressCheck, error) {
	owner := ""
	if v != nil {
		owner = v.ID
	}
	sealedIn, err := a.store.Keyring().SealJSONFor(owner, in)
	if err != nil {
		return nil, fmt.Errorf("seal address input: %w", err)
	}
	row := &models.AddressCheck{AccountID: sc.AccountID, Mode: sc.Mode, APIKeyID: keyID, Input: sealedIn}
	if in.ExternalRef != "" {
		ref := in.ExternalRef
		row.ExternalRef = &ref
	}
	if v != nil {
		row.VerificationID = &v.ID
	}
	return row, nil
}

// read runs the engine on one document in one of the service's slots. In a call (queued
// false) the timeout covers the wait for a slot too, so a request does not hang behind a
// burst; a job (queued) waits for a slot as long as its own context lets it, and only the
// reading is timed.
func (a *Address) read(ctx context.Context, in AddressInput, doc []byte, queued bool) (address.Result, error) {
	rctx, cancel := context.WithTimeout(ctx, a.opts.Timeout)
	defer cancel()
	wait := rctx
	if queued {
		wait = ctx
	}
	select {
	case a.slots <- struct{}{}:
	case <-wait.Done():
		return address.Result{}, ErrAddressBusy
	}
	defer func() { <-a.slots }()
	if queued {
		var c2 context.CancelFunc
		rctx, c2 = context.WithTimeout(ctx, a.opts.Timeout)
		defer c2()
	}
	return a.engine.Check(rctx, address.Input{Document: doc, DeclaredName: in.DeclaredName, DeclaredAddress: in.DeclaredAddress,
		MaxAgeDays: in.MaxAgeDays, Now: a.store.Now()})
}

// checkNow reads the document in the call and stores the decided check (no job queue).
// Refusals of the document are *address.Error.
func (a *Address) checkNow(ctx context.Context, svc *Service, sc db.Scope, keyID string, in AddressInput, doc []byte, v *models.Verification) (*AddressCheck, error) {
	res, err := a.read(ctx, in, doc, false)
	if err != nil {
		return nil, err
	}
	owner := ""
	if v != nil {
		owner = v.ID
	}
	row, err := a.newRow(sc, keyID, in, v)
	if err != nil {
		return nil, err
	}
	if row.Result, err = a.store.Keyring().SealJSONFor(owner, res); err != nil {
		return nil, fmt.Errorf("seal address result: %w", err)
	}
	row.Status, row.DocumentKind = res.Status, res.DocumentKind
	now := a.store.Now()
	row.CreatedAt, row.DecidedAt = now, &now
	err = a.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.InsertAddressCheck(ctx, row); err != nil {
			return err
		}
		if v != nil {
			if err := svc.Start(ctx, tx, sc, v, "proof_of_address"); err != nil {
				return err
			}
			cur := *v
			cur.Status = models.StatusInProgress
			return svc.RecordEvent(ctx, tx, &cur, EventAddressCheckCompleted, "", addressEventData(row, &res))
		}
		return emitAddressEvent(ctx, svc, tx, row, &res)
	})
	if err != nil {
		return nil, err
	}
	return &AddressCheck{Row: row, Input: in, Result: &res}, nil
}

func emitAddressEvent(ctx context.Context, svc *Service, tx *db.Tx, row *models.AddressCheck, res *address.Result) error {
	raw, err := json.Marshal(addressEventData(row, res))
	if err != nil {
		return err
	}
	return svc.Emit(ctx, tx, &models.Event{AccountID: row.AccountID, Mode: row.Mode, ObjectType: "address_check",
		ObjectID: row.ID, Type: EventAddressCheckCompleted, Data: string(raw)}, "")
}

// ReasonDocumentUnreadable is the reason of a check whose document could not be read at all
// (a PDF poppler refuses, an image that does not decode, the engine failing on every retry):
// a person looks at it, the applicant is not turned away for it.
const ReasonDocumentUnreadable = "document_unreadable"

// Read is the address.read job: read a processing check's document, decide, store the
// result, clear the document and emit address_check.completed. A check decided meanwhile
// (by the pipeline, or another attempt) is left alone. A document the engine refuses ends
// the check in needs_review (document_unreadable); other errors are returned to be retried
// (ReadFailed ends the check when the retries are spent).
func (a *Address) Read(ctx context.Context, job AddressJob) error {
	sc := db.Scope{AccountID: job.AccountID, Mode: job.Mode}
	chk, err := a.Get(ctx, sc, job.CheckID)
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("address check %s: %w: %w", job.CheckID, ErrGone, err)
	}
	if err != nil {
		return err
	}
	_, err = a.decideNow(ctx, sc, chk)
	return err
}

// ReadFailed ends a processing check whose reading failed on every attempt: needs_review
// with the error in its reason, so a person decides and the verification is not held up.
func (a *Address) ReadFailed(ctx context.Context, job AddressJob, cause error) error {
	sc := db.Scope{AccountID: job.AccountID, Mode: job.Mode}
	chk, err := a.Get(ctx, sc, job.CheckID)
	if err != nil || !chk.Processing() {
		return err
	}
	_, err = a.finish(ctx, sc, chk, unreadable(cause))
	return err
}

// unreadable is the result of a document that could not be read.
func unreadable(cause error) address.Result {
	msg := "the document could not be read"
	var ae *address.Error
	if errors.As(cause, &ae) {
		msg += ": " + ae.Message
	}
	return address.Result{Status: address.StatusNeedsReview, DocumentKind: address.KindOther, Reasons: []address.Reason{{
		Code: ReasonDocumentUnreadable, Effect: address.EffectReview, Message: msg}}}
}

// refused reports an error that retrying cannot mend: the engine refused the document, or
// this build cannot read its kind.
func refused(err error) bool {
	var ae *address.Error
	return errors.As(err, &ae) || address.IsNoOCR(err) || errors.Is(err, address.ErrNoPoppler)
}

// decideNow reads a processing check's document and stores the decision; it returns the
// check as stored (decided by someone else when they were first).
func (a *Address) decideNow(ctx context.Context, sc db.Scope, chk *AddressCheck) (*AddressCheck, error) {
	if !chk.Processing() {
		return chk, nil
	}
	sealed, err := a.store.AddressCheckDocument(ctx, sc, chk.Row.ID)
	if err != nil {
		return nil, err
	}
	var res address.Result
	switch {
	case len(sealed) == 0 || len(chk.Row.Input) == 0:
		// Erased while waiting: nothing left to read.
		res = address.Result{Status: address.StatusNeedsReview, DocumentKind: address.KindOther, Reasons: []address.Reason{{
			Code: ReasonDocumentUnreadable, Effect: address.EffectReview, Message: "the document was erased before it was read"}}}
	default:
		doc, err := a.store.Keyring().Open(sealed)
		if err != nil {
			return nil, fmt.Errorf("open address check %s document: %w", chk.Row.ID, err)
		}
		res, err = a.read(ctx, chk.Input, doc, true)
		if refused(err) {
			res, err = unreadable(err), nil
		}
		if err != nil {
			return nil, err
		}
	}
	return a.finish(ctx, sc, chk, res)
}

// finish stores a processing check's decision and emits its event in one transaction.
func (a *Address) finish(ctx context.Context, sc db.Scope, chk *AddressCheck, res address.Result) (*AddressCheck, error) {
	svc := a.svc
	if svc == nil {
		return nil, errors.New("address check: no verification service attached")
	}
	row := *chk.Row
	var v *models.Verification
	owner := ""
	if row.VerificationID != nil {
		owner = *row.VerificationID
		got, err := a.store.GetVerification(ctx, sc, owner)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, err
		}
		v = got
	}
	sealed, err := a.store.Keyring().SealJSONFor(owner, res)
	if err != nil {
		return nil, fmt.Errorf("seal address result: %w", err)
	}
	row.Status, row.DocumentKind, row.Result = res.Status, res.DocumentKind, sealed
	won := false
	err = a.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		var err error
		if won, err = tx.FinishAddressCheck(ctx, sc, &row); err != nil || !won {
			return err
		}
		if v != nil {
			return svc.RecordEvent(ctx, tx, v, EventAddressCheckCompleted, "", addressEventData(&row, &res))
		}
		return emitAddressEvent(ctx, svc, tx, &row, &res)
	})
	if err != nil {
		return nil, err
	}
	if !won {
		return a.Get(ctx, sc, row.ID)
	}
	return &AddressCheck{Row: &row, Input: chk.Input, Result: &res}, nil
}

// addressEventData names no person: ids, the decision, the kind and reason codes.
func addressEventData(row *models.AddressCheck, res *address.Result) map[string]any {
	codes := make([]string, 0, len(res.Reasons))
	for _, r := range res.Reasons {
		codes = append(codes, r.Code)
	}
	data := map[string]any{"address_check_id": row.ID, "status": row.Status, "document_kind": row.DocumentKind, "reasons": codes}
	if row.ExternalRef != nil {
		data["external_ref"] = *row.ExternalRef
	}
	return data
}

// Open unseals a stored check (Input and Result stay empty once erased).
func (a *Address) Open(row *models.AddressCheck) (*AddressCheck, error) {
	out := &AddressCheck{Row: row}
	if len(row.Input) > 0 {
		if err := a.store.Keyring().OpenJSON(row.Input, &out.Input); err != nil {
			return nil, fmt.Errorf("open address check %s input: %w", row.ID, err)
		}
	}
	if len(row.Result) > 0 {
		out.Result = new(address.Result)
		if err := a.store.Keyring().OpenJSON(row.Result, out.Result); err != nil {
			return nil, fmt.Errorf("open address check %s result: %w", row.ID, err)
		}
	}
	return out, nil
}

// Get reads one check in the scope.
func (a *Address) Get(ctx context.Context, sc db.Scope, id string) (*AddressCheck, error) {
	row, err := a.store.GetAddressCheck(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	return a.Open(row)
}

// Runner is the proof_of_address check of the pipeline.
func (a *Address) Runner() CheckRunner { return &AddressRunner{a: a} }

// AddressRunner is the proof_of_address check: the verification's latest attached address
// check, its decision carried into the verification's (approved → pass, needs_review →
// review, rejected → fail) with its reasons.
type AddressRunner struct{ a *Address }

// Service is the proof-of-address service the check reads from (its job runs it too).
func (r *AddressRunner) Service() *Address { return r.a }

// OptIn keeps the check out of the default set: a verification asks for it.
func (r *AddressRunner) OptIn() bool { return true }

const needAddress = "a proof of address (a recent utility bill, bank statement or official letter: check_address with verification_id, or the hosted flow's upload step)"

// Missing implements CheckRunner.
func (r *AddressRunner) Missing(in *CheckInput) []string {
	ctx, cancel := missingCtx()
	defer cancel()
	v := in.Verification
	_, err := r.a.store.LatestAddressCheck(ctx, scopeOf(v), v.ID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return []string{needAddress}
	case err != nil:
		return []string{"cannot check the uploads right now: " + err.Error()}
	}
	return nil
}

// Run implements CheckRunner.
func (r *AddressRunner) Run(ctx context.Context, in *CheckInput) (*models.CheckOutcome, error) {
	v := in.Verification
	out := &models.CheckOutcome{Outcome: models.OutcomePass, Details: map[string]any{}, Versions: r.a.engine.Versions()}
	row, err := r.a.store.LatestAddressCheck(ctx, scopeOf(v), v.ID)
	if errors.Is(err, db.ErrNotFound) {
		out.Outcome, out.Reasons = models.OutcomeReview, []models.Reason{review("proof_of_address_missing", "no proof of address was attached")}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	chk, err := r.a.Open(row)
	if err != nil {
		return nil, err
	}
	// Still waiting for its job: read it here (the same reading; whoever stores first wins),
	// so a submission is decided on the document rather than held up behind a queue.
	if chk, err = r.a.decideNow(ctx, scopeOf(v), chk); err != nil {
		return nil, err
	}
	row = chk.Row
	out.Details["address_check_id"] = row.ID
	out.Details["document_kind"] = row.DocumentKind
	if chk.Result == nil {
		out.Outcome, out.Reasons = models.OutcomeReview, []models.Reason{review("proof_of_address_erased", "the proof of address's data is gone")}
		return out, nil
	}
	res := chk.Result
	out.Details["document_date"] = res.DocumentDate
	out.Details["is_recent"] = res.IsRecent
	out.Details["name_matched"] = res.NameMatch.Matched
	out.Details["address_matched"] = res.AddressMatch.Matched
	out.Details["address_score"] = res.AddressMatch.Score
	switch row.Status {
	case models.AddressApproved:
	case models.AddressRejected:
		out.Outcome = models.OutcomeFail
	default:
		out.Outcome = models.OutcomeReview
	}
	for _, x := range res.Reasons {
		if x.Effect != address.EffectInfo {
			out.Reasons = append(out.Reasons, review("proof_of_address_"+x.Code, x.Message))
		}
	}
	return out, nil
}
