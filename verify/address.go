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
// The reading runs in the calling request, bounded by Concurrency and Timeout, rather than in
// a River job: one document costs 1–5 s of CPU (docs/benchmarks/address.md), callers want the
// decision in the answer, and the bound keeps a burst from starving the HTTP server. Moving it
// to a job (with a processing status, like verify_business) is the next step if documents
// grow slower.
type Address struct {
	store  *db.Store
	engine *address.Engine
	opts   AddressOptions
	slots  chan struct{}
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

// Engine is the document engine (for its versions and what this build can read).
func (a *Address) Engine() *address.Engine { return a.engine }

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
	Result *address.Result // nil once erased
}

// ErrAddressBusy: the document could not start being read within the timeout because others
// were being read.
var ErrAddressBusy = errors.New("too many documents are being read; retry shortly")

// Check reads a document and stores the decision. v, when not nil, is the verification the
// check is attached to (it must be open: it is marked in progress, as any upload does).
// Refusals of the document are *address.Error.
func (a *Address) Check(ctx context.Context, svc *Service, sc db.Scope, keyID string, in AddressInput, doc []byte, v *models.Verification) (*AddressCheck, error) {
	rctx, cancel := context.WithTimeout(ctx, a.opts.Timeout)
	defer cancel()
	select {
	case a.slots <- struct{}{}:
	case <-rctx.Done():
		return nil, ErrAddressBusy
	}
	res, err := a.engine.Check(rctx, address.Input{Document: doc, DeclaredName: in.DeclaredName, DeclaredAddress: in.DeclaredAddress,
		MaxAgeDays: in.MaxAgeDays, Now: a.store.Now()})
	<-a.slots
	if err != nil {
		return nil, err
	}
	// A check attached to a verification is sealed with the verification's data key, so the
	// applicant's erasure makes it unreadable in backups too; a standalone one with the keyring.
	owner := ""
	if v != nil {
		owner = v.ID
	}
	sealedIn, err := a.store.Keyring().SealJSONFor(owner, in)
	if err != nil {
		return nil, fmt.Errorf("seal address input: %w", err)
	}
	sealedRes, err := a.store.Keyring().SealJSONFor(owner, res)
	if err != nil {
		return nil, fmt.Errorf("seal address result: %w", err)
	}
	row := &models.AddressCheck{AccountID: sc.AccountID, Mode: sc.Mode, APIKeyID: keyID, Status: res.Status,
		DocumentKind: res.DocumentKind, Input: sealedIn, Result: sealedRes}
	if in.ExternalRef != "" {
		ref := in.ExternalRef
		row.ExternalRef = &ref
	}
	if v != nil {
		row.VerificationID = &v.ID
	}
	err = a.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.InsertAddressCheck(ctx, row); err != nil {
			return err
		}
		data := addressEventData(row, &res)
		if v != nil {
			if err := svc.Start(ctx, tx, sc, v, "proof_of_address"); err != nil {
				return err
			}
			cur := *v
			cur.Status = models.StatusInProgress
			return svc.RecordEvent(ctx, tx, &cur, EventAddressCheckCompleted, "", data)
		}
		raw, err := json.Marshal(data)
		if err != nil {
			return err
		}
		return svc.Emit(ctx, tx, &models.Event{AccountID: row.AccountID, Mode: row.Mode, ObjectType: "address_check",
			ObjectID: row.ID, Type: EventAddressCheckCompleted, Data: string(raw)}, "")
	})
	if err != nil {
		return nil, err
	}
	return &AddressCheck{Row: row, Input: in, Result: &res}, nil
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
