package verify

import (
	"context"
	"fmt"
	"sync"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// The actor types of audit rows.
const (
	ActorUser   = "user"
	ActorKey    = "key"
	ActorCLI    = "cli"
	ActorSystem = "system"
)

// Auditor appends audit rows with group commit: a call that finds no write under way writes
// its row at once; calls that arrive while one is being written queue, and the writer then
// writes all of them in one transaction. Every caller waits until its own row is committed, so
// nothing is lost on a crash, and under load many reads share one transaction (one chain-head
// lock per account per batch) instead of paying one each.
type Auditor struct {
	store    *db.Store
	mu       sync.Mutex
	pending  []*auditWaiter
	flushing bool
}

type auditWaiter struct {
	events []*models.AuditEvent
	done   chan error
}

// maxAuditBatch bounds one transaction of the group commit.
const maxAuditBatch = 512

// NewAuditor makes the auditor of a store.
func NewAuditor(store *db.Store) *Auditor { return &Auditor{store: store} }

// Record appends events to their accounts' chains and returns once they are committed.
func (a *Auditor) Record(ctx context.Context, events ...*models.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	w := &auditWaiter{events: events, done: make(chan error, 1)}
	a.mu.Lock()
	a.pending = append(a.pending, w)
	if a.flushing {
		a.mu.Unlock()
		return <-w.done
	}
	a.flushing = true
	ctx = context.WithoutCancel(ctx) // others' rows ride on this write
	for {
		batch := a.pending
		if len(batch) > maxAuditBatch {
			batch = batch[:maxAuditBatch]
		}
		a.pending = a.pending[len(batch):]
		a.mu.Unlock()
		var all []*models.AuditEvent
		for _, b := range batch {
			all = append(all, b.events...)
		}
		err := a.store.AppendAudit(ctx, all)
		for _, b := range batch {
			b.done <- err
		}
		a.mu.Lock()
		if len(a.pending) == 0 {
			a.flushing = false
			a.mu.Unlock()
			break
		}
	}
	return <-w.done
}

// ChainReport is what VerifyAuditChain found in one account's chain.
type ChainReport struct {
	AccountID string `json:"account_id"`
	// Rows is how many rows were checked.
	Rows int  `json:"rows"`
	OK   bool `json:"ok"`
	// BrokenSeq and BrokenID name the first row where the chain breaks (a missing row is
	// named by its seq, with the ID of the row found in its place).
	BrokenSeq int64  `json:"broken_seq,omitempty"`
	BrokenID  string `json:"broken_id,omitempty"`
	Problem   string `json:"problem,omitempty"`
}

// VerifyAuditChain walks an account's audit chain in order and stops at the first break: a
// row whose hash does not match its content (edited, or moved to another seq), whose
// prev_hash is not the previous row's hash (a row before it deleted or replaced, or rows
// swapped), a gap in the numbering (deleted), or an end short of the recorded head (the
// newest rows deleted).
func VerifyAuditChain(ctx context.Context, store *db.Store, accountID string) (ChainReport, error) {
	rep := ChainReport{AccountID: accountID}
	var prevSeq int64
	prevHash := ""
	for {
		rows, more, err := store.ListAudit(ctx, db.AuditFilter{AccountID: accountID, Ascending: true, AfterSeq: prevSeq, Limit: 1000})
		if err != nil {
			return rep, err
		}
		for i := range rows {
			e := &rows[i]
			rep.Rows++
			switch {
			case e.Seq != prevSeq+1:
				rep.BrokenSeq, rep.BrokenID = prevSeq+1, e.ID
				rep.Problem = fmt.Sprintf("row %d is missing (deleted): the chain goes from %d to %d", prevSeq+1, prevSeq, e.Seq)
			case db.AuditHash(e) != e.Hash:
				rep.BrokenSeq, rep.BrokenID = e.Seq, e.ID
				rep.Problem = fmt.Sprintf("row %d (%s) does not match its hash: it was edited or moved", e.Seq, e.ID)
			case e.PrevHash != prevHash:
				rep.BrokenSeq, rep.BrokenID = e.Seq, e.ID
				rep.Problem = fmt.Sprintf("row %d (%s) does not follow row %d: rows were deleted, replaced or reordered", e.Seq, e.ID, prevSeq)
			}
			if rep.Problem != "" {
				return rep, nil
			}
			prevSeq, prevHash = e.Seq, e.Hash
		}
		if !more {
			break
		}
	}
	headSeq, headHash, err := store.AuditHead(ctx, accountID)
	if err != nil {
		return rep, err
	}
	if headSeq != prevSeq || headHash != prevHash {
		rep.BrokenSeq = prevSeq + 1
		rep.Problem = fmt.Sprintf("the chain ends at row %d but %d rows were written: the newest rows were deleted", prevSeq, headSeq)
		return rep, nil
	}
	rep.OK = true
	return rep, nil
}
