package verify_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// tamper lets a test change audit_events behind kycd's back, as someone with database rights
// could: it drops the append-only triggers first.
func tamper(t *testing.T, s *db.Store, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	if s.Dialect == db.Postgres {
		stmts = append([]string{"ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"}, stmts...)
	} else {
		stmts = append([]string{"DROP TRIGGER IF EXISTS audit_events_no_update", "DROP TRIGGER IF EXISTS audit_events_no_delete"}, stmts...)
	}
	for _, q := range stmts {
		_, err := s.DB.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
}

// chain writes n audit rows for account concurrently (group commit) and checks the chain.
func chain(t *testing.T, s *db.Store, a *verify.Auditor, account string, n int) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, a.Record(context.Background(), &models.AuditEvent{AccountID: account, Mode: "live", ActorType: verify.ActorKey,
				ActorID: "key_1", Action: "tool", Tool: "get_verification", ObjectType: "verification", ObjectID: fmt.Sprintf("ver_%03d", i), Outcome: "ok"}))
		}()
	}
	wg.Wait()
	rep, err := verify.VerifyAuditChain(context.Background(), s, account)
	require.NoError(t, err)
	require.True(t, rep.OK, "%+v", rep)
	require.Equal(t, n, rep.Rows)
}

// The audit chain holds under concurrent writers, refuses changes through kycd's own
// connection, and names the first broken row of an edited, deleted, reordered or truncated chain.
func TestAuditChainTamper(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		a := verify.NewAuditor(s)
		for _, acct := range []string{"acct_edit", "acct_delete", "acct_reorder", "acct_tail", "acct_fine"} {
			chain(t, s, a, acct, 20)
		}
		_, err := s.DB.ExecContext(ctx, "UPDATE audit_events SET outcome = 'ok' WHERE account_id = 'acct_edit' AND seq = 7")
		require.Error(t, err, "the table is append-only")
		_, err = s.DB.ExecContext(ctx, "DELETE FROM audit_events WHERE account_id = 'acct_edit' AND seq = 7")
		require.Error(t, err, "the table is append-only")

		tamper(t, s,
			"UPDATE audit_events SET object_id = 'ver_999' WHERE account_id = 'acct_edit' AND seq = 7",
			"DELETE FROM audit_events WHERE account_id = 'acct_delete' AND seq = 12",
			// swap rows 4 and 5 (their positions; each row keeps its content and hashes)
			"UPDATE audit_events SET seq = -1 WHERE account_id = 'acct_reorder' AND seq = 4",
			"UPDATE audit_events SET seq = 4 WHERE account_id = 'acct_reorder' AND seq = 5",
			"UPDATE audit_events SET seq = 5 WHERE account_id = 'acct_reorder' AND seq = -1",
			"DELETE FROM audit_events WHERE account_id = 'acct_tail' AND seq >= 19",
		)
		for acct, want := range map[string]struct {
			seq  int64
			word string
		}{"acct_edit": {7, "edited"}, "acct_delete": {12, "deleted"}, "acct_reorder": {4, "edited or moved"}, "acct_tail": {19, "newest rows were deleted"}} {
			rep, err := verify.VerifyAuditChain(ctx, s, acct)
			require.NoError(t, err)
			require.False(t, rep.OK, acct)
			require.Equal(t, want.seq, rep.BrokenSeq, "%s: %s", acct, rep.Problem)
			require.Contains(t, rep.Problem, want.word, acct)
		}
		rep, err := verify.VerifyAuditChain(ctx, s, "acct_fine")
		require.NoError(t, err)
		require.True(t, rep.OK, "the other chains are untouched")

		// A row moved with a recomputed hash (someone who knows the encoding) still breaks
		// the link to its neighbours.
		rows, _, err := s.ListAudit(ctx, db.AuditFilter{AccountID: "acct_fine", Ascending: true, Limit: 100})
		require.NoError(t, err)
		forged := rows[9]
		forged.ObjectID = "ver_forged"
		forged.Hash = db.AuditHash(&forged)
		tamper(t, s, fmt.Sprintf("UPDATE audit_events SET object_id = 'ver_forged', hash = '%s' WHERE account_id = 'acct_fine' AND seq = 10", forged.Hash))
		rep, err = verify.VerifyAuditChain(ctx, s, "acct_fine")
		require.NoError(t, err)
		require.False(t, rep.OK)
		require.Equal(t, int64(11), rep.BrokenSeq, rep.Problem)
	})
}

// BenchmarkAuditRecord is what the audit trail adds to each audited call: one row recorded
// and committed, from one caller at a time (serial) and from 16 goroutines per core
// (parallel, where group commit shares transactions).
// go test ./verify -run '^$' -bench AuditRecord -benchtime 2000x
func BenchmarkAuditRecord(b *testing.B) {
	for name, open := range map[string]func(testing.TB) *db.Store{"postgres": dbtest.Postgres, "sqlite": dbtest.SQLite} {
		b.Run(name, func(b *testing.B) {
			s := open(b)
			s.AuditAsyncCommit = os.Getenv("AUDIT_ASYNC") != ""
			a := verify.NewAuditor(s)
			ev := func() *models.AuditEvent {
				return &models.AuditEvent{AccountID: "acct_bench", Mode: "live", ActorType: verify.ActorKey, ActorID: "key_1",
					Action: "tool", Tool: "get_verification", ObjectType: "verification", ObjectID: "ver_01kbx4r7c8d9e0f1g2h3j4k5m6", IP: "198.51.100.7", Outcome: "ok"}
			}
			b.Run("serial", func(b *testing.B) {
				for b.Loop() {
					if err := a.Record(context.Background(), ev()); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("parallel", func(b *testing.B) {
				b.SetParallelism(16)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := a.Record(context.Background(), ev()); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
			rep, err := verify.VerifyAuditChain(context.Background(), s, "acct_bench")
			if err != nil || !rep.OK {
				b.Fatal(err, rep)
			}
		})
	}
}
