package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// Creation coalescing (group commit). Every creation costs PostgreSQL a statement start, a
// round trip and a commit whatever its size, and under load those dominate: concurrent
// create_verification calls are therefore written together, up to maxCreateBatch per
// transaction and one statement (db.Tx.CreateVerifications), with at most Options.CreateBatches
// transactions in flight. A call waits only for the batch in flight before its own, so a lone
// call goes straight through; each caller returns after its rows have committed, as before.

const (
	// maxCreateBatch bounds one batch: big enough to amortise the per-statement cost, small
	// enough that one slow batch holds few callers.
	maxCreateBatch = 64
	// createTimeout bounds one batch's transaction; callers whose own context ends while
	// queued leave without writing anything.
	createTimeout = 30 * time.Second
)

// creation is one queued create_verification.
type creation struct {
	ctx  context.Context
	item db.NewVerification
	data map[string]any // the created event's extra data
	then func(ctx context.Context, tx *db.Tx, v *models.Verification) error
	// known is set when the caller named the applicant (V.ApplicantID).
	known bool
	done  chan error // buffered: the batch never waits for its caller
}

// alone reports whether the creation is written in a transaction of its own: it has work to
// do in that transaction, or its applicant is known already (db.Tx.CreateVerifications finds
// applicants by external reference).
func (c *creation) alone() bool { return c.then != nil || c.known }

// draw gives the verification a new random reference and builds its created event, which
// carries the reference.
func (c *creation) draw() error {
	c.item.V.Reference = db.NewReference()
	ev, err := verificationEvent(c.item.V, EventCreated, "", c.data)
	if err != nil {
		return err
	}
	c.item.Ev = ev
	return nil
}

// creator coalesces concurrent creations into batches.
type creator struct {
	s       *Service
	max     int // concurrent batches
	mu      sync.Mutex
	pending []*creation
	running int
	// commits counts the transactions written (batches and single retries).
	commits atomic.Int64
}

// create queues c and waits until its batch has committed (or failed), or until c.ctx ends
// while it is still queued. A caller that finds a batch slot free writes the batch itself
// (no hand-off to another goroutine on the lone-call path) and passes the slot on to a new
// goroutine when more creations queued up meanwhile.
func (cr *creator) create(c *creation) error {
	cr.mu.Lock()
	cr.pending = append(cr.pending, c)
	if cr.running < cr.max {
		cr.running++
		batch := cr.take()
		cr.mu.Unlock()
		cr.write(batch)
		cr.mu.Lock()
		if len(cr.pending) > 0 {
			go cr.drain()
		} else {
			cr.running--
		}
	}
	cr.mu.Unlock()
	select {
	case err := <-c.done:
		return err
	case <-c.ctx.Done():
		if cr.withdraw(c) {
			return c.ctx.Err()
		}
		return <-c.done // already in a batch: its outcome is the caller's
	}
}

// withdraw removes c from the queue; false when a batch has taken it.
func (cr *creator) withdraw(c *creation) bool {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	for i, p := range cr.pending {
		if p == c {
			cr.pending = append(cr.pending[:i], cr.pending[i+1:]...)
			return true
		}
	}
	return false
}

// drain writes batches until the queue is empty.
func (cr *creator) drain() {
	for {
		cr.mu.Lock()
		batch := cr.take()
		if len(batch) == 0 {
			cr.running--
			cr.mu.Unlock()
			return
		}
		cr.mu.Unlock()
		cr.write(batch)
	}
}

// take removes the next batch from the queue (cr.mu held): in arrival order, without two
// creations for one applicant reference in a scope (they wait for the next batch).
func (cr *creator) take() []*creation {
	type ref struct {
		sc  db.Scope
		ref string
	}
	var batch, rest []*creation
	refs := map[ref]bool{}
	for _, c := range cr.pending {
		if len(batch) == maxCreateBatch {
			rest = append(rest, c)
			continue
		}
		if v := c.item.V; v.ExternalRef != nil {
			k := ref{db.Scope{AccountID: v.AccountID, Mode: v.Mode}, *v.ExternalRef}
			if refs[k] {
				rest = append(rest, c)
				continue
			}
			refs[k] = true
		}
		batch = append(batch, c)
	}
	cr.pending = rest
	return batch
}

// write commits a batch in one transaction. When it fails, each creation is written alone,
// so one bad row fails only its own caller.
func (cr *creator) write(batch []*creation) {
	if len(batch) > 1 {
		err := cr.commit(batch)
		if err == nil {
			for _, c := range batch {
				c.done <- nil
			}
			return
		}
		cr.s.log.Warn("creation batch failed; writing its verifications one by one", "size", len(batch), "error", err)
	}
	for _, c := range batch {
		c.done <- cr.writeOne(c)
	}
}

// writeOne commits one creation, drawing a new reference when the random one is taken.
func (cr *creator) writeOne(c *creation) error {
	for attempt := 0; ; attempt++ {
		err := cr.commit([]*creation{c})
		if !errors.Is(err, db.ErrReferenceTaken) || attempt == 2 {
			return err
		}
		if err := c.draw(); err != nil {
			return err
		}
	}
}

func (cr *creator) commit(batch []*creation) (err error) {
	// A panic here would otherwise end the process (drain runs on its own goroutine) and
	// leave the batch's callers waiting: it becomes their error instead.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("create verification: panic: %v", p)
		}
	}()
	cr.commits.Add(1)
	ctx, cancel := context.WithTimeout(context.Background(), createTimeout)
	defer cancel()
	items := make([]db.NewVerification, len(batch))
	for i, c := range batch {
		items[i] = c.item
	}
	return cr.s.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if len(batch) == 1 && batch[0].alone() {
			return cr.s.writeAlone(ctx, tx, batch[0])
		}
		endpoints, err := tx.CreateVerifications(ctx, items)
		if err != nil {
			return err
		}
		f := cr.s.newFanout(tx)
		for i, it := range items {
			if err := f.add(ctx, it.Ev, endpoints[i], it.V.CallbackURL); err != nil {
				return err
			}
		}
		return f.enqueue(ctx)
	})
}

// Creation is one new verification. The caller fills V with what the integrator asked for
// (account, mode, key, checks, URLs, limits, ExpiresAt, and ApplicantID/ReusedFrom for a
// returning applicant); Create gives it its id, reference, session token and data key.
type Creation struct {
	V *models.Verification
	// Applicant is the applicant data the checks run on (nil: none given); Create seals it
	// into V.ApplicantPII with the verification's data key.
	Applicant any
	// PII is the integrator's applicant data for a new applicant (nil: none given); an
	// applicant with V.ExternalRef is found instead.
	PII any
	// Data is the verification.created event's extra data.
	Data map[string]any
	// Then runs in the creating transaction once the row and its event are written (a
	// returning applicant's reverify stores its selfie and submits there). A creation with
	// Then, or for a known applicant (V.ApplicantID set), is written in a transaction of its own.
	Then func(ctx context.Context, tx *db.Tx, v *models.Verification) error
	// Options are the session options (flow steps and policy, compare data); Create seals
	// them into V.Options with the verification's data key (nil: none).
	Options *models.SessionOptions
}

// MaxMetadataSize bounds a verification's metadata as JSON.
const MaxMetadataSize = 16 << 10

// ErrMetadataTooLarge is metadata over MaxMetadataSize.
var ErrMetadataTooLarge = fmt.Errorf("metadata is over %d bytes as JSON", MaxMetadataSize)

// EncodeMetadata is the stored form of an integrator's metadata ("{}" for none).
func EncodeMetadata(m map[string]any) (string, error) {
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("cannot be encoded as JSON: %w", err)
	}
	if len(b) > MaxMetadataSize {
		return "", fmt.Errorf("is %d bytes as JSON: %w", len(b), ErrMetadataTooLarge)
	}
	return string(b), nil
}

// Create writes a new verification with its applicant and its verification.created event,
// fanned out to webhooks, and returns the applicant's session token (shown once, in the
// hosted link; only its hash and a sealed copy are stored). It is the one creation path:
// create_verification and reverify both come here, so both get the id, the token, and a new
// reference when the random one is taken. Plain creations share a transaction with concurrent
// ones (see creator); each caller returns only after its own rows committed.
func (s *Service) Create(ctx context.Context, c Creation) (string, error) {
	if _, err := s.queue(); err != nil {
		return "", err
	}
	v, now := c.V, s.store.Now()
	token := "vst_" + db.RandomBase62(40)
	sealed, err := s.store.Keyring().Seal([]byte(token))
	if err != nil {
		return "", err
	}
	v.ID, v.TokenHash, v.TokenSealed = db.NewID("ver", now), db.HashSecret(token), sealed
	if v.CreatedAt.IsZero() {
		v.CreatedAt = now
	}
	// The verification's own data key seals what is about its applicant (the applicant data
	// here, its result, events, reasons, images later), so delete_applicant shreds it all.
	key, err := s.store.Keyring().NewDataKey(v.ID, now)
	if err != nil {
		return "", err
	}
	if v.ApplicantPII, err = s.store.Keyring().SealJSONFor(v.ID, c.Applicant); err != nil {
		return "", fmt.Errorf("seal applicant data: %w", err)
	}
	if c.Options != nil {
		raw, err := json.Marshal(c.Options)
		if err != nil {
			return "", err
		}
		if v.Options, err = s.store.Keyring().SealText(v.ID, string(raw)); err != nil {
			return "", fmt.Errorf("seal session options: %w", err)
		}
	}
	v.UpdatedAt = v.CreatedAt
	sandboxCreate(v, c.PII) // test mode's test_expire
	if v.Status == "" {
		v.Status = models.StatusPending
	}
	cr := &creation{ctx: ctx, item: db.NewVerification{V: v, PII: c.PII, Key: key}, data: c.Data, then: c.Then,
		known: v.ApplicantID != "", done: make(chan error, 1)}
	if err := cr.draw(); err != nil {
		return "", err
	}
	if cr.alone() {
		err = s.creator.writeOne(cr)
	} else {
		err = s.creator.create(cr)
	}
	if err != nil {
		return "", fmt.Errorf("create verification: %w", err)
	}
	return token, nil
}

// writeAlone writes a creation that is not batched: the row, its event (with its fan-out),
// then the creation's own work, all in tx.
func (s *Service) writeAlone(ctx context.Context, tx *db.Tx, c *creation) error {
	v := c.item.V
	if !c.known { // found or created here, also when this is a retry after a rollback
		v.ApplicantID = ""
		a, err := tx.FindOrCreateApplicant(ctx, db.Scope{AccountID: v.AccountID, Mode: v.Mode}, v.ExternalRef, c.item.PII)
		if err != nil {
			return err
		}
		v.ApplicantID = a.ID
	}
	if err := tx.InsertVerification(ctx, v); err != nil {
		return err
	}
	if err := tx.InsertDataKeys(ctx, c.item.Key); err != nil {
		return err
	}
	if err := s.RecordEvent(ctx, tx, v, EventCreated, "", c.data); err != nil {
		return err
	}
	if c.then != nil {
		return c.then(ctx, tx, v)
	}
	return nil
}
