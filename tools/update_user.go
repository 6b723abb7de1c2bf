package tools

import (
	"context"
	"fmt"
	"strings"

	"github.com/kycd/kycd/verify"
)

// UpdateUserInput changes an operator.
type UpdateUserInput struct {
	ID             string `json:"id" jsonschema:"operator id (usr_…)" maxLength:"64"`
	Role           string `json:"role,omitempty" jsonschema:"a new role" enum:"admin,reviewer,viewer"`
	Disabled       *bool  `json:"disabled,omitempty" jsonschema:"true disables the operator (they are signed out everywhere and cannot sign in); false enables them again"`
	ResetSetup     bool   `json:"reset_setup,omitempty" jsonschema:"true issues a new setup link (answered in setup_url): the password and TOTP stop working until it is used"`
	RevokeSessions bool   `json:"revoke_sessions,omitempty" jsonschema:"true signs the operator out everywhere"`
}

// UpdateUser changes an operator's role or status, resets their sign-in or ends their sessions.
var UpdateUser = Tool[UpdateUserInput, User]{
	Name:        "update_user",
	Examples:    []string{`{"id":"usr_01kbx4r7c8d9e0f1g2h3j4k5m6","role":"viewer"}`, `{"id":"usr_01kbx4r7c8d9e0f1g2h3j4k5m6","disabled":true}`},
	Title:       "Update operator",
	Description: "Change a dashboard operator of this account: role, disabled (signs them out everywhere), reset_setup (a new one-time setup link for a forgotten password or a lost phone) or revoke_sessions. An admin cannot disable or demote themselves. Admins only (users:admin).",
	Brief:       "change an operator's role, disable or enable them, reset their password setup, sign them out everywhere",
	Scope:       ScopeUsersAdmin,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "PATCH", Path: "/users/{id}"},
	Summary:     func(u User) string { return fmt.Sprintf("Operator %s: %s, %s.", u.Email, u.Role, u.Status) },
	Handle:      updateUser,
}

func updateUser(ctx context.Context, d *Deps, c Caller, in UpdateUserInput) (User, error) {
	if !strings.HasPrefix(in.ID, "usr_") {
		return User{}, invalid("id", "operator ids start with usr_")
	}
	u, err := d.Store.GetUser(ctx, c.AccountID, in.ID)
	if err != nil {
		return User{}, storeErr(err, "operator", "id")
	}
	self := in.ID == c.UserID
	var cols []string
	if in.Role != "" && in.Role != u.Role {
		if self && in.Role != verify.RoleAdmin {
			return User{}, invalid("role", "you cannot demote yourself; ask another admin")
		}
		u.Role = in.Role
		cols = append(cols, "role")
	}
	revoke := in.RevokeSessions
	if in.Disabled != nil {
		if self && *in.Disabled {
			return User{}, invalid("disabled", "you cannot disable yourself; ask another admin")
		}
		if *in.Disabled && u.DisabledAt == nil {
			now := d.Store.Now()
			u.DisabledAt, revoke = &now, true
			cols = append(cols, "disabled_at")
		} else if !*in.Disabled && u.DisabledAt != nil {
			u.DisabledAt = nil
			cols = append(cols, "disabled_at")
		}
	}
	if len(cols) > 0 {
		if err := d.Store.UpdateUser(ctx, u, cols...); err != nil {
			return User{}, err
		}
	}
	link := ""
	if in.ResetSetup {
		if link, err = ResetOperatorSetup(ctx, d, u); err != nil {
			return User{}, err
		}
	}
	if revoke {
		if _, err := d.Store.DeleteUserSessions(ctx, u.ID, ""); err != nil {
			return User{}, err
		}
	}
	out := toUser(u)
	out.SetupURL = link
	return out, nil
}
