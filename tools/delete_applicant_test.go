package tools_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

func TestDeleteApplicant(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		e := tooltest.New(t, s, engines(), localHooks(nil))
		hooks := newSink(t)
		createEndpoint(t, e, e.Test, hooks.srv.URL, "applicant.*")

		person := map[string]any{"name": "Erika Mustermann", "email": "erika@example.com", "dob": "1964-08-12", "country": "DE"}
		var decided, open, other tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"}, "applicant": person,
			"external_ref": "cust-erase", "metadata": map[string]any{"crm": "Erika M."}}, &decided))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": decided.ID}, nil))
		require.Equal(t, "approved", waitStatus(t, e, e.Test, decided.ID, "approved", "needs_review", "rejected").Status)
		var reviewed tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": person,
			"external_ref": "cust-erase"}, &reviewed))
		require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": reviewed.ID}, nil))
		require.Equal(t, "needs_review", waitStatus(t, e, e.Test, reviewed.ID, "approved", "needs_review", "rejected").Status)
		require.Nil(t, e.Call(t, e.Test, "review_verification", map[string]any{"id": reviewed.ID, "decision": "approve",
			"reason": "called Erika Mustermann, namesake"}, nil))
		openArgs := map[string]any{"checks": []string{"screening"}, "applicant": person, "external_ref": "cust-erase",
			"idempotency_key": "onboard-cust-erase"}
		require.Nil(t, e.Call(t, e.Test, "create_verification", openArgs, &open))
		require.Equal(t, decided.ApplicantID, open.ApplicantID)
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"},
			"applicant": map[string]any{"name": "Jane Roe"}, "external_ref": "cust-keep"}, &other))

		// Validation names the field; other accounts and modes see nothing; the scope is checked.
		for _, tc := range []struct {
			args  map[string]any
			field string
		}{
			{map[string]any{}, "id"},
			{map[string]any{"id": decided.ApplicantID, "external_ref": "cust-erase"}, "external_ref"},
			{map[string]any{"id": decided.ID}, "id"},
			{map[string]any{"id": decided.ApplicantID, "unknown": 1}, "unknown"},
		} {
			te := e.Call(t, e.Test, "delete_applicant", tc.args, nil)
			require.NotNil(t, te, "%v", tc.args)
			require.Equal(t, tools.CodeInvalidArgument, te.Code, "%v: %v", tc.args, te)
			require.Equal(t, tc.field, te.Field, "%v: %v", tc.args, te)
		}
		for _, c := range []tools.Caller{e.Live, e.OtherAccount} {
			te := e.Call(t, c, "delete_applicant", map[string]any{"id": decided.ApplicantID}, nil)
			require.Equal(t, tools.CodeNotFound, te.Code)
			te = e.Call(t, c, "delete_applicant", map[string]any{"external_ref": "cust-erase"}, nil)
			require.Equal(t, tools.CodeNotFound, te.Code)
			require.Equal(t, "external_ref", te.Field)
		}
		te := e.Call(t, e.ReadOnly, "delete_applicant", map[string]any{"id": decided.ApplicantID}, nil)
		require.Equal(t, tools.CodePermissionDenied, te.Code)

		var receipt tools.DeletedApplicant
		require.Nil(t, e.Call(t, e.Test, "delete_applicant", map[string]any{"external_ref": "cust-erase", "reason": "erasure request #42"}, &receipt))
		require.Equal(t, decided.ApplicantID, receipt.ID)
		require.False(t, receipt.DeletedAt.IsZero())
		require.Equal(t, []string{open.ID}, receipt.CancelledVerifications)
		require.Equal(t, 3, receipt.Erased.Verifications)
		require.Regexp(t, `^evt_`, receipt.EventID)

		// get_applicant: erased, no personal data, the history with its statuses stays.
		var a tools.Applicant
		require.Nil(t, e.Call(t, e.Test, "get_applicant", map[string]any{"id": receipt.ID}, &a))
		require.NotNil(t, a.DeletedAt)
		require.Nil(t, a.Data)
		require.Nil(t, a.Profile)
		require.Nil(t, a.ExternalRef)
		statuses := map[string]string{}
		for _, v := range a.Verifications {
			statuses[v.ID] = v.Status
		}
		require.Equal(t, map[string]string{decided.ID: "approved", reviewed.ID: "approved", open.ID: "cancelled"}, statuses)
		te = e.Call(t, e.Test, "get_applicant", map[string]any{"external_ref": "cust-erase"}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)

		// get_verification: the decision stays, the personal data is gone.
		var got tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": decided.ID}, &got))
		require.Equal(t, "approved", got.Status)
		require.Equal(t, models.StatusApproved, got.Result.Decision)
		require.NotNil(t, got.DeletedAt)
		require.Nil(t, got.Applicant)
		require.Nil(t, got.ExternalRef)
		require.Empty(t, got.Metadata)
		var gotOpen tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": open.ID}, &gotOpen))
		require.Equal(t, "cancelled", gotOpen.Status)
		require.NotNil(t, gotOpen.DeletedAt)
		require.Nil(t, gotOpen.Applicant)
		evs := e.Events(t, e.Test, open.ID)
		last := evs[len(evs)-1]
		require.Equal(t, verify.EventCancelled, last.Type)
		require.Equal(t, verify.ErasureCause, last.Data["cause"])
		// The manual review stays readable, without its reason; so does its timeline event.
		var gotReviewed tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": reviewed.ID}, &gotReviewed))
		require.NotNil(t, gotReviewed.Review)
		require.Equal(t, "approve", gotReviewed.Review.Decision)
		require.Empty(t, gotReviewed.Review.Reason)
		for _, ev := range e.Events(t, e.Test, reviewed.ID) {
			require.NotContains(t, ev.Data, "reason", ev.Type)
			if ev.Type == verify.EventReviewed {
				require.Equal(t, "approve", ev.Data["decision"])
			}
		}
		te = e.Call(t, e.Test, "submit_verification", map[string]any{"id": open.ID}, nil)
		require.Equal(t, tools.CodeConflict, te.Code, "the cancelled verification takes nothing more")

		// No sealed personal data is left in the rows.
		var sealed int
		require.NoError(t, s.DB.NewSelect().Model((*models.Verification)(nil)).Where("applicant_id = ?", receipt.ID).
			WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("applicant_pii IS NOT NULL").WhereOr("external_ref IS NOT NULL").WhereOr("identity_token IS NOT NULL")
			}).ColumnExpr("count(*)").Scan(ctx, &sealed))
		require.Zero(t, sealed)

		// The applicant.deleted event: recorded, without personal data, and delivered.
		var ev struct {
			Data []struct {
				ID, Type, ObjectType, ObjectID string
				Data                           map[string]any
			} `json:"data"`
		}
		require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"types": []string{verify.EventApplicantDeleted}}, &ev))
		require.Len(t, ev.Data, 1)
		waitFor(t, "the applicant.deleted delivery", func() bool { return len(hooks.hits()) > 0 })
		h := hooks.hits()[0]
		require.Equal(t, verify.EventApplicantDeleted, h.Event)
		require.Equal(t, "applicant", h.Payload.ObjectType)
		require.Equal(t, receipt.ID, h.Payload.ObjectID)
		require.Equal(t, receipt.EventID, h.Payload.ID)
		var data map[string]any
		require.NoError(t, json.Unmarshal(h.Payload.Data, &data))
		require.Equal(t, "erasure request #42", data["reason"])
		require.Equal(t, e.Test.KeyID, data["requested_by"])
		require.EqualValues(t, 3, data["erased"].(map[string]any)["verifications"])
		require.NotContains(t, string(h.Body), "Erika")
		require.NotContains(t, string(h.Body), "cust-erase")

		// Twice: a conflict by id, not found by the reference that is no longer kept.
		te = e.Call(t, e.Test, "delete_applicant", map[string]any{"id": receipt.ID}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Equal(t, "id", te.Field)
		require.Contains(t, te.Message, "already erased")
		te = e.Call(t, e.Test, "delete_applicant", map[string]any{"external_ref": "cust-erase"}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)

		// Replaying the idempotent creation is refused: its stored reply went with the data, and a
		// new verification would quietly re-create the erased person.
		te = e.Call(t, e.Test, "create_verification", openArgs, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Equal(t, "idempotency_key", te.Field)
		require.Contains(t, te.Message, "erased")

		// The same external_ref starts a fresh applicant.
		var fresh tools.Verification
		require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"document"},
			"applicant": map[string]any{"name": "Erika Neu"}, "external_ref": "cust-erase"}, &fresh))
		require.NotEqual(t, receipt.ID, fresh.ApplicantID)
		require.Nil(t, fresh.DeletedAt)
		var fa tools.Applicant
		require.Nil(t, e.Call(t, e.Test, "get_applicant", map[string]any{"external_ref": "cust-erase"}, &fa))
		require.Equal(t, fresh.ApplicantID, fa.ID)
		require.Nil(t, fa.DeletedAt)
		require.Equal(t, "Erika Neu", fa.Data.Name)

		// Other applicants are untouched.
		var oa tools.Applicant
		require.Nil(t, e.Call(t, e.Test, "get_applicant", map[string]any{"external_ref": "cust-keep"}, &oa))
		require.Nil(t, oa.DeletedAt)
		require.Equal(t, "Jane Roe", oa.Data.Name)
		var ov tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": other.ID}, &ov))
		require.Equal(t, "pending", ov.Status)
		require.Nil(t, ov.DeletedAt)
		require.Equal(t, "Jane Roe", ov.Applicant.Name)
	})
}
