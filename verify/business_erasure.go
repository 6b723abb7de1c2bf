package verify

import (
	"context"
	"encoding/json"
	"time"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// EventBusinessDeleted is recorded on a business (object_type "business") when delete_business
// erased what its check held about people. Its data names no one: the counts, the reason given
// and the API key that asked.
const EventBusinessDeleted = "business.deleted"

// BusinessDeletion is what Delete did.
type BusinessDeletion struct {
	Business *models.Business
	Erased   db.BusinessErasure
	Event    *models.Event
}

// Delete erases a business check's personal data (the officers in the input and the result,
// metadata, external reference) and destroys its data key, in one transaction with the
// business.deleted event. A legal hold refuses it (db.ErrLegalHold); a business already
// deleted is db.ErrConflict (with the business), an unknown one db.ErrNotFound.
func (b *Business) Delete(ctx context.Context, sc db.Scope, id, reason, keyID string) (*BusinessDeletion, error) {
	out := &BusinessDeletion{}
	err := b.store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := legalHold(ctx, tx, sc); err != nil {
			return err
		}
		row, erased, err := tx.EraseBusiness(ctx, sc, id)
		out.Business = row
		if err != nil {
			return err
		}
		out.Erased = *erased
		data := map[string]any{"business_id": row.ID, "erased": erased, "requested_by": keyID,
			"deleted_at": row.DeletedAt.UTC().Format(time.RFC3339Nano)}
		if reason != "" {
			data["reason"] = reason
		}
		raw, err := json.Marshal(data)
		if err != nil {
			return err
		}
		out.Event = &models.Event{AccountID: sc.AccountID, Mode: sc.Mode, ObjectType: "business", ObjectID: row.ID,
			Type: EventBusinessDeleted, Data: string(raw)}
		return b.svc.Emit(ctx, tx, out.Event, "")
	})
	if err != nil {
		return out, err
	}
	return out, nil
}
