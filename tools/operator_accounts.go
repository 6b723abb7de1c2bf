package tools

import (
	"context"
	"errors"
	"strings"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/verify"
)

// Operators of several accounts (issue #26, the OAuth consent page). An operator's users row
// names one account — where they sign in and what the dashboard shows. An operator may also be
// given a role in further accounts (`kycd users add-account`); the OAuth consent page offers
// every account they hold, and the token it issues maps to exactly the one chosen, with at most
// the scopes of their role there.

// OperatorAccount is an account an operator may consent for, with their role and its scopes.
type OperatorAccount struct {
	AccountID string
	Role      string
	Scopes    []Scope
}

// OperatorMemberships lists the further accounts of an operator (not their own account).
func OperatorMemberships(ctx context.Context, d *Deps, userID string) ([]OperatorAccount, error) {
	ms, err := d.Store.AccountMemberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]OperatorAccount, 0, len(ms))
	for _, m := range ms {
		out = append(out, OperatorAccount{AccountID: m.AccountID, Role: m.Role, Scopes: RoleScopes(m.Role)})
	}
	return out, nil
}

// AddOperatorAccount gives the operator with this e-mail a role in a further account (or
// changes their role there). Their own account cannot be added: its role is the users row's.
func AddOperatorAccount(ctx context.Context, d *Deps, email, accountID, role string) error {
	accountID = strings.TrimSpace(accountID)
	if accountID == "" {
		return invalid("account", "required")
	}
	if !verify.ValidRole(role) {
		return invalid("role", "one of %s", strings.Join(verify.Roles, ", "))
	}
	u, err := d.Store.GetUserByEmail(ctx, email)
	if errors.Is(err, db.ErrNotFound) {
		return Errorf(CodeNotFound, "email", "no operator has this e-mail")
	}
	if err != nil {
		return err
	}
	if u.AccountID == accountID {
		return invalid("account", "%s is the operator's own account; change their role with kycd users / update_user", accountID)
	}
	if err := d.Store.EnsureAccount(ctx, accountID, accountID); err != nil {
		return err
	}
	return d.Store.SetAccountMembership(ctx, &db.AccountMembership{UserID: u.ID, AccountID: accountID, Role: role})
}

// RemoveOperatorAccount takes a further account away from an operator; the OAuth grants they
// gave for it are revoked with it.
func RemoveOperatorAccount(ctx context.Context, d *Deps, email, accountID string) error {
	u, err := d.Store.GetUserByEmail(ctx, email)
	if errors.Is(err, db.ErrNotFound) {
		return Errorf(CodeNotFound, "email", "no operator has this e-mail")
	}
	if err != nil {
		return err
	}
	if err := d.Store.DeleteAccountMembership(ctx, u.ID, accountID); errors.Is(err, db.ErrNotFound) {
		return Errorf(CodeNotFound, "account", "the operator has no role in %s", accountID)
	} else if err != nil {
		return err
	}
	return nil
}
