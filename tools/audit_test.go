package tools_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// Every call by a key or an operator lands in the account's audit chain through the call
// path — reads of applicant data, creations, refusals — with who, what, which object and
// outcome; another account's trail is not visible.
func TestAuditOnCallPath(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		e, o, clk := operatorEnv(t, s)
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"applicant": map[string]any{"name": "Erika Mustermann"}, "external_ref": "c-1"}, &v))
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": v.ID}, nil))
		require.NotNil(t, e.Call(t, e.ReadOnly, "get_applicant", map[string]any{"id": v.ApplicantID}, nil), "lacks applicants:read")
		require.NotNil(t, e.Call(t, e.OtherAccount, "get_verification", map[string]any{"id": v.ID}, nil), "another account: not found")

		newOperator(t, e, o, clk, "viv@example.com", verify.RoleViewer, false)
		_, op, err := tools.OperatorLogin(ctx, e.Reg.Deps(), o, "viv@example.com", "correct horse battery staple", here)
		require.NoError(t, err)
		viewer := op.Caller
		viewer.Mode = models.ModeTest
		require.Nil(t, e.Call(t, viewer, "get_applicant", map[string]any{"id": v.ApplicantID}, nil))
		require.NotNil(t, e.Call(t, viewer, "review_verification", map[string]any{"id": v.ID, "decision": "approved", "reason": "ok"}, nil), "a viewer cannot review")
		require.NoError(t, tools.RecordAudit(ctx, e.Reg.Deps(), viewer, tools.AuditEntry{Action: "reveal", ObjectType: "applicant", ObjectID: v.ApplicantID, Detail: `{"field":"dob"}`}))

		auditor := e.Key(t, "acct_a", models.ModeLive, "audit:read")
		var vlist tools.AuditEventList
		require.Nil(t, e.Call(t, auditor, "list_audit_events", map[string]any{"object_id": v.ID, "limit": 100}, &vlist))
		var got []string
		for _, ev := range vlist.Data {
			got = append(got, ev.Tool+":"+ev.Outcome+":"+ev.ActorType)
		}
		require.Equal(t, []string{"review_verification:permission_denied:user", "get_verification:ok:key", "create_verification:ok:key"}, got, "newest first")
		require.Equal(t, "verification", vlist.Data[1].ObjectType)
		require.Equal(t, e.Test.KeyID, vlist.Data[1].ActorID)
		require.Equal(t, "test", vlist.Data[1].Mode)

		var alist tools.AuditEventList
		require.Nil(t, e.Call(t, auditor, "list_audit_events", map[string]any{"object_id": v.ApplicantID, "limit": 100}, &alist))
		require.Len(t, alist.Data, 3)
		require.Equal(t, "reveal", alist.Data[0].Action)
		require.Equal(t, "viv@example.com", alist.Data[0].ActorEmail)
		require.Equal(t, "198.51.100.7", alist.Data[0].IP)
		require.Equal(t, "get_applicant:ok", alist.Data[1].Tool+":"+alist.Data[1].Outcome)
		require.Equal(t, "get_applicant:permission_denied", alist.Data[2].Tool+":"+alist.Data[2].Outcome)

		// Filters and paging: one row a page, back to the first.
		var page tools.AuditEventList
		require.Nil(t, e.Call(t, auditor, "list_audit_events", map[string]any{"tool": "get_applicant", "limit": 1}, &page))
		require.Len(t, page.Data, 1)
		require.True(t, page.HasMore)
		require.Equal(t, "user", page.Data[0].ActorType)
		require.Nil(t, e.Call(t, auditor, "list_audit_events", map[string]any{"tool": "get_applicant", "limit": 1, "cursor": *page.NextCursor}, &page))
		require.Equal(t, "key", page.Data[0].ActorType)
		require.False(t, page.HasMore)
		require.Nil(t, e.Call(t, auditor, "list_audit_events", map[string]any{"until": time.Now().Add(-time.Hour).Format(time.RFC3339)}, &page))
		require.Empty(t, page.Data)

		// The other account sees its own (one not_found read), nothing of acct_a's.
		var other tools.AuditEventList
		require.Nil(t, e.Call(t, e.Key(t, "acct_b", models.ModeTest, "audit:read"), "list_audit_events", map[string]any{"limit": 100}, &other))
		require.Len(t, other.Data, 1)
		require.Equal(t, "not_found", other.Data[0].Outcome)

		for _, acct := range []string{"acct_a", "acct_b"} {
			rep, err := verify.VerifyAuditChain(ctx, s, acct)
			require.NoError(t, err)
			require.True(t, rep.OK, "%+v", rep)
		}
		// A reviewer-less key may not read the trail.
		require.Equal(t, tools.CodePermissionDenied, e.Call(t, e.ReadOnly, "list_audit_events", map[string]any{}, nil).Code)
	})
}
