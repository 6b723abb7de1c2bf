package tools

import (
	"context"
	"fmt"
	"strings"
)

// RevokeAPIKeyInput names the key to revoke.
type RevokeAPIKeyInput struct {
	ID string `json:"id" jsonschema:"key id (key_…)" minLength:"1" maxLength:"64"`
}

// RevokeAPIKey revokes a key of the caller's account and mode.
var RevokeAPIKey = Tool[RevokeAPIKeyInput, APIKey]{
	Name:     "revoke_api_key",
	Examples: []string{`{"id":"key_01kbx4r7c8d9e0f1g2h3j4k5m6"}`},
	Title:    "Revoke an API key",
	Description: "Revoke an API key of this account and mode: it stops working at once on every surface and every server sharing the database (open connections at their next message). " +
		"Revoking a revoked key changes nothing. It cannot be undone: create a new key instead. Requires keys:write.",
	Brief:       "revoke a key of this account and mode, at once, everywhere; cannot be undone",
	Scope:       ScopeKeysWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: true, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/api-keys/{id}/revoke"},
	Summary: func(k APIKey) string {
		return fmt.Sprintf("Revoked key %s (%s).", k.ID, k.Name)
	},
	Handle: revokeAPIKey,
}

func revokeAPIKey(ctx context.Context, d *Deps, c Caller, in RevokeAPIKeyInput) (APIKey, error) {
	if !strings.HasPrefix(in.ID, "key_") {
		return APIKey{}, invalid("id", "key ids start with key_")
	}
	keys, err := d.Store.ListAPIKeys(ctx, c.AccountID)
	if err != nil {
		return APIKey{}, err
	}
	for _, k := range keys {
		if k.ID == in.ID && k.Mode == c.Mode {
			r, err := d.Store.RevokeAPIKey(ctx, k.ID)
			if err != nil {
				return APIKey{}, storeErr(err, "api key", "id")
			}
			return toAPIKey(r), nil
		}
	}
	return APIKey{}, Errorf(CodeNotFound, "id", "no API key with that id in this account and mode")
}
