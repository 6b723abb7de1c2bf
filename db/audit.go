package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/kycd/kycd/models"
)

// auditDomain separates the audit hash from every other SHA-256 kycd computes.
const auditDomain = "kycd/audit/v1"

// AuditHash is the hash of an audit row: SHA-256 over a canonical encoding — each field as
// its byte length (uvarint) then its bytes, in a fixed order, the time as RFC 3339 in UTC to
// the microsecond (what both databases keep) — of every column but hash, prev_hash included.
// So a row cannot be edited, and rows cannot be moved, without a mismatch.
func AuditHash(e *models.AuditEvent) string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, f := range []string{auditDomain, e.AccountID, strconv.FormatInt(e.Seq, 10), e.ID,
		e.At.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano), e.Mode, e.ActorType, e.ActorID,
		e.ActorEmail, e.Action, e.Tool, e.ObjectType, e.ObjectID, e.IP, e.UserAgent, e.Outcome, e.Detail, e.PrevHash} {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(f)))])
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AppendAudit appends events to their accounts' chains in one transaction: for each account
// it locks the chain's head, numbers the events after it, links and hashes them, and moves the
// head. The events get their Seq, ID, PrevHash and Hash (and At, when zero).
func (s *Store) AppendAudit(ctx context.Context, events []*models.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	byAccount := map[string][]*models.AuditEvent{}
	var accounts []string
	for _, e := range events {
		if _, ok := byAccount[e.AccountID]; !ok {
			accounts = append(accounts, e.AccountID)
		}
		byAccount[e.AccountID] = append(byAccount[e.AccountID], e)
	}
	sort.Strings(accounts) // one lock order, so two batches never deadlock
	return s.InTx(ctx, func(ctx context.Context, tx *Tx) error {
		if s.Dialect == Postgres && s.AuditAsyncCommit {
			if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
				return fmt.Errorf("audit commit mode: %w", err)
			}
		}
		for _, acct := range accounts {
			if err := tx.appendAudit(ctx, acct, byAccount[acct]); err != nil {
				return err
			}
		}
		return nil
	})
}

type auditHead struct {
	AccountID string `bun:"account_id,pk"`
	Seq       int64  `bun:"seq"`
	Hash      string `bun:"hash"`
}

func (tx *Tx) appendAudit(ctx context.Context, acct string, events []*models.AuditEvent) error {
	head := &auditHead{AccountID: acct}
	if _, err := tx.NewInsert().Model(head).On("CONFLICT (account_id) DO NOTHING").Exec(ctx); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	q := tx.NewSelect().Model(head).WherePK()
	if tx.store.Dialect == Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return fmt.Errorf("lock audit head: %w", err)
	}
	now := tx.store.Now()
	for _, e := range events {
		if e.At.IsZero() {
			e.At = now
		}
		e.At = e.At.UTC().Truncate(time.Microsecond)
		head.Seq++
		e.Seq = head.Seq
		if e.ID == "" {
			e.ID = NewID("aud", e.At)
		}
		e.PrevHash = head.Hash
		e.Hash = AuditHash(e)
		head.Hash = e.Hash
	}
	if _, err := tx.NewInsert().Model(&events).Exec(ctx); err != nil {
		return fmt.Errorf("insert audit events: %w", err)
	}
	if _, err := tx.NewUpdate().Model(head).Column("seq", "hash").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("move audit head: %w", err)
	}
	return nil
}

// AuditFilter narrows ListAudit. AccountID is required.
type AuditFilter struct {
	AccountID string
	// Mode, ActorID, Action, ObjectID and Tool match exactly when set.
	Mode, ActorID, Action, ObjectID, Tool string
	// Since and Until bound At (inclusive, exclusive) when set.
	Since, Until time.Time
	// BeforeSeq pages backwards: rows with a smaller seq (0 = from the newest).
	BeforeSeq int64
	// Ascending walks oldest first, from AfterSeq (export).
	Ascending bool
	AfterSeq  int64
	Limit     int
}

// ListAudit reads audit rows, newest first (or oldest first with Ascending), and whether more follow.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]models.AuditEvent, bool, error) {
	var out []models.AuditEvent
	q := s.DB.NewSelect().Model(&out).Where("account_id = ?", f.AccountID)
	for col, v := range map[string]string{"mode": f.Mode, "actor_id": f.ActorID, "action": f.Action, "object_id": f.ObjectID, "tool": f.Tool} {
		if v != "" {
			q = q.Where("? = ?", bun.Ident(col), v)
		}
	}
	if !f.Since.IsZero() {
		q = q.Where("at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		q = q.Where("at < ?", f.Until)
	}
	if f.Ascending {
		q = q.Where("seq > ?", f.AfterSeq).Order("seq ASC")
	} else {
		if f.BeforeSeq > 0 {
			q = q.Where("seq < ?", f.BeforeSeq)
		}
		q = q.Order("seq DESC")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if err := q.Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("list audit events: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// AuditAccounts lists the accounts that have an audit chain.
func (s *Store) AuditAccounts(ctx context.Context) ([]string, error) {
	var out []string
	if err := s.DB.NewSelect().Model((*auditHead)(nil)).Column("account_id").Order("account_id ASC").Scan(ctx, &out); err != nil {
		return nil, fmt.Errorf("audit accounts: %w", err)
	}
	return out, nil
}

// AuditHead is the last seq and hash of an account's chain (0, "" when it has none).
func (s *Store) AuditHead(ctx context.Context, accountID string) (int64, string, error) {
	h := &auditHead{AccountID: accountID}
	if err := s.DB.NewSelect().Model(h).WherePK().Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, "", nil
		}
		return 0, "", fmt.Errorf("audit head: %w", err)
	}
	return h.Seq, h.Hash, nil
}
