package jobs

import (
	"context"
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
	done chan error     // buffered: the batch never waits for its caller
}

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
	q       *Queue
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
		cr.q.opts.Logger.Warn("creation batch failed; writing its verifications one by one", "size", len(batch), "error", err)
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
	return cr.q.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		endpoints, err := tx.CreateVerifications(ctx, items)
		if err != nil {
			return err
		}
		f := cr.q.newFanout(tx)
		for i, it := range items {
			if err := f.add(ctx, it.Ev, endpoints[i], it.V.CallbackURL); err != nil {
				return err
			}
		}
		return f.enqueue(ctx)
	})
}

// CreateVerification writes a new verification with its applicant (found by v.ExternalRef or
// created with pii) and its verification.created event, fanned out to webhooks, in one
// transaction shared with concurrent creations (see creator). v.Reference is drawn here.
func CreateVerification(ctx context.Context, q *Queue, v *models.Verification, pii any, data map[string]any) error {
	if q == nil {
		return errNoQueue
	}
	c := &creation{ctx: ctx, item: db.NewVerification{V: v, PII: pii}, data: data, done: make(chan error, 1)}
	if err := c.draw(); err != nil {
		return err
	}
	if err := q.creator.create(c); err != nil {
		return fmt.Errorf("create verification: %w", err)
	}
	return nil
}
