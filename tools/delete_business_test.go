package tools_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/tools"
)

// delete_business erases what a business check holds about people with the check's own data
// key: a copy of the sealed columns taken before (a backup) can no longer be opened.
func TestDeleteBusiness(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		e := newBizEnv(t, s, bizOpts{})
		officer := []map[string]any{{"name": "Ingrid Marlene Oyelaran-Svensson", "role": "director", "dob": "1975"}}
		b, te := e.verify(t, e.Test, map[string]any{"lei": leiPuma, "officers": officer, "external_ref": "cust-9",
			"metadata": map[string]any{"crm": 7}, "idempotency_key": "biz-9"})
		require.Nil(t, te)
		kept, te := e.verify(t, e.Test, map[string]any{"lei": leiFraport})
		require.Nil(t, te)

		var backup struct {
			Input  []byte `bun:"input_sealed"`
			Result []byte `bun:"result_sealed"`
		}
		require.NoError(t, s.DB.NewSelect().Table("businesses").Column("input_sealed", "result_sealed").Where("id = ?", b.ID).Scan(ctx, &backup))
		require.Equal(t, "d1:"+b.ID, string(backup.Input[:len("d1:"+b.ID)]), "sealed with the business's own data key")
		require.Equal(t, "d1:"+b.ID, string(backup.Result[:len("d1:"+b.ID)]))

		// Another account cannot; a legal hold refuses; bad ids name the field.
		te = e.Call(t, e.OtherAccount, "delete_business", map[string]any{"id": b.ID}, nil)
		require.Equal(t, tools.CodeNotFound, te.Code)
		te = e.Call(t, e.Test, "delete_business", map[string]any{"id": "ver_1"}, nil)
		require.Equal(t, "id", te.Field)
		require.Nil(t, e.Call(t, e.Test, "set_retention_policy", map[string]any{"delete_after_days": 0, "legal_hold": true}, nil))
		te = e.Call(t, e.Test, "delete_business", map[string]any{"id": b.ID}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Contains(t, te.Message, "legal hold")
		require.Nil(t, e.Call(t, e.Test, "set_retention_policy", map[string]any{"delete_after_days": 0}, nil))

		var del tools.DeletedBusiness
		require.Nil(t, e.Call(t, e.Test, "delete_business", map[string]any{"id": b.ID, "reason": "relationship ended"}, &del))
		require.Equal(t, b.ID, del.ID)
		require.Equal(t, 1, del.Erased.DataKeys)
		require.Equal(t, 1, del.Erased.IdempotentResponses)
		require.GreaterOrEqual(t, del.Erased.Events, 1, "business.completed named the external_ref")

		var got tools.Business
		require.Nil(t, e.Call(t, e.Test, "get_business", map[string]any{"id": b.ID}, &got))
		require.NotNil(t, got.DeletedAt)
		require.Equal(t, "approved", got.Status, "the decision stays")
		require.Equal(t, leiPuma, got.LEI)
		require.Nil(t, got.ExternalRef)
		require.Empty(t, got.Screening)
		require.Empty(t, got.Metadata)

		// The backup copies are shredded; the other business is untouched.
		for _, ct := range [][]byte{backup.Input, backup.Result} {
			_, err := s.Keyring().Open(ct)
			require.ErrorIs(t, err, db.ErrShredded)
		}
		var other tools.Business
		require.Nil(t, e.Call(t, e.Test, "get_business", map[string]any{"id": kept.ID}, &other))
		require.Nil(t, other.DeletedAt)
		require.NotEmpty(t, other.Screening)

		// Nothing more can happen to it: again, rescreen, replay of the creating request, monitoring.
		te = e.Call(t, e.Test, "delete_business", map[string]any{"id": b.ID}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		te = e.Call(t, e.Test, "rescreen_business", map[string]any{"id": b.ID}, nil)
		require.Equal(t, tools.CodeConflict, te.Code)
		require.Equal(t, "id", te.Field)
		_, te = e.verify(t, e.Test, map[string]any{"lei": leiPuma, "officers": officer, "external_ref": "cust-9",
			"metadata": map[string]any{"crm": 7}, "idempotency_key": "biz-9"})
		require.Equal(t, tools.CodeConflict, te.Code, "the stored reply named the officers; it is gone")
		checked, _, err := e.biz.Monitor(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, checked, "a deleted business leaves monitoring")

		var evs struct {
			Data []struct {
				Data map[string]any `json:"data"`
			} `json:"data"`
		}
		require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"types": []string{"business.deleted"}, "object_id": b.ID}, &evs))
		require.Len(t, evs.Data, 1)
		require.Equal(t, "relationship ended", evs.Data[0].Data["reason"])
		require.Nil(t, e.Call(t, e.Test, "list_events", map[string]any{"types": []string{"business.completed"}, "object_id": b.ID}, &evs))
		for _, ev := range evs.Data {
			require.NotContains(t, ev.Data, "external_ref")
		}
	})
}
