package tooltest

import (
	"context"
	"testing"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// Operator creates a dashboard operator of account with role and returns the caller their
// signed-in session would have in mode: their user id and their role's scopes.
func (e *Env) Operator(t testing.TB, account string, mode models.Mode, role, email string) tools.Caller {
	t.Helper()
	ctx := context.Background()
	if err := e.Store.EnsureAccount(ctx, account, account); err != nil {
		t.Fatal(err)
	}
	now := e.Store.Now()
	u := &models.User{ID: db.NewID("usr", now), AccountID: account, Email: email, Role: role, RecoveryCodes: "[]", CreatedAt: now, UpdatedAt: now}
	if err := e.Store.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return tools.Caller{KeyID: u.ID, AccountID: account, Mode: mode, Scopes: tools.RoleScopes(role), UserID: u.ID, UserEmail: email}
}
