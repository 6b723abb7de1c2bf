package tools

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kycd/kycd/db"
)

// DeleteBusinessInput names the business check to erase.
type DeleteBusinessInput struct {
	ID     string `json:"id" jsonschema:"the business id (biz_…)" minLength:"1" maxLength:"64"`
	Reason string `json:"reason,omitempty" jsonschema:"why, for the audit trail (kept in the event: no personal data)" maxLength:"500"`
}

// DeletedBusiness is the receipt of a business check's erasure.
type DeletedBusiness struct {
	ID        string    `json:"id" jsonschema:"the business (biz_…); the id stays valid and get_business shows deleted_at"`
	DeletedAt time.Time `json:"deleted_at" jsonschema:"when the data was erased"`
	Erased    struct {
		Events              int `json:"events" jsonschema:"events of the business whose external_ref was removed"`
		IdempotentResponses int `json:"idempotent_responses" jsonschema:"stored replies of idempotent verify_business requests deleted (a replay is then refused)"`
		DataKeys            int `json:"data_keys" jsonschema:"data keys destroyed (crypto-shredding; 0 for a check made before kycd sealed businesses with their own key)"`
	} `json:"erased" jsonschema:"what was erased besides the business's own input, result, metadata and external_ref"`
	EventID string `json:"event_id" jsonschema:"the business.deleted event (evt_…)"`
}

// DeleteBusiness erases a business check's personal data: the officers are people.
var DeleteBusiness = Tool[DeleteBusinessInput, DeletedBusiness]{
	Name:     "delete_business",
	Examples: []string{`{"id":"biz_01kbx4r7c8d9e0f1g2h3j4k5m6","reason":"customer relationship ended"}`},
	Title:    "Delete a business check",
	Brief:    "erase a business check's personal data (officers' names and dates of birth, screening of every name, metadata, `external_ref`) with its data key; id, status, risk level and LEI stay; monitoring stops; a `business.deleted` event",
	Description: "Erase what a business check (verify_business) holds about people — the officers' names and dates of birth, the screening of every name, metadata, external_ref — " +
		"and destroy its data key, so backup copies are unreadable too. The id, status, risk level, LEI and times stay (get_business shows deleted_at); monitoring stops; " +
		"rescreen_business is refused. Sends business.deleted. A legal hold refuses it; again: conflict. Cannot be undone.",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "DELETE", Path: "/businesses/{id}"},
	Summary: func(r DeletedBusiness) string {
		return fmt.Sprintf("Business %s erased at %s (%d data key(s) destroyed).", r.ID, r.DeletedAt.Format(time.RFC3339), r.Erased.DataKeys)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in DeleteBusinessInput) (DeletedBusiness, error) {
		svc, err := businessEngine(d)
		if err != nil {
			return DeletedBusiness{}, err
		}
		if !strings.HasPrefix(in.ID, "biz_") {
			return DeletedBusiness{}, invalid("id", "business ids start with biz_")
		}
		del, err := svc.Delete(ctx, c.scope(), in.ID, in.Reason, c.Actor())
		switch {
		case errors.Is(err, db.ErrConflict) && del.Business != nil && del.Business.DeletedAt != nil:
			return DeletedBusiness{}, Errorf(CodeConflict, "id", "business %s was already deleted at %s; there is nothing more to erase",
				del.Business.ID, del.Business.DeletedAt.UTC().Format(time.RFC3339))
		case errors.Is(err, db.ErrLegalHold):
			return DeletedBusiness{}, Errorf(CodeConflict, "id", "a legal hold on this account and mode blocks deletions; lift it with set_retention_policy first")
		case err != nil:
			return DeletedBusiness{}, businessError(err)
		}
		out := DeletedBusiness{ID: del.Business.ID, DeletedAt: del.Business.DeletedAt.UTC(), EventID: del.Event.ID}
		out.Erased.Events, out.Erased.IdempotentResponses, out.Erased.DataKeys = del.Erased.Events, del.Erased.IdempotentResponses, del.Erased.DataKeys
		return out, nil
	},
}
