package tools

import (
	"context"
	"fmt"
	"time"

	"github.com/kycd/kycd/models"
)

// User is an operator account as the user tools show it (never a secret).
type User struct {
	ID          string     `json:"id" jsonschema:"operator id (usr_…)"`
	Email       string     `json:"email" jsonschema:"the sign-in e-mail"`
	Role        string     `json:"role" jsonschema:"admin, reviewer or viewer"`
	Status      string     `json:"status" jsonschema:"invited (the setup link is not used yet), active or disabled"`
	TOTP        bool       `json:"totp" jsonschema:"whether a second factor (TOTP) is enrolled"`
	CreatedAt   time.Time  `json:"created_at" jsonschema:"when the account was created"`
	LastLoginAt *time.Time `json:"last_login_at" jsonschema:"the last successful sign-in; null if never"`
	// SetupURL is set only by create_user and update_user's reset_setup.
	SetupURL string `json:"setup_url,omitempty" jsonschema:"the one-time link where the operator sets a password (and TOTP); shown once, valid 72 hours"`
}

func toUser(u *models.User) User {
	out := User{ID: u.ID, Email: u.Email, Role: u.Role, Status: "active", TOTP: u.TOTPSecret != nil, CreatedAt: u.CreatedAt.UTC(), LastLoginAt: u.LastLoginAt}
	switch {
	case u.DisabledAt != nil:
		out.Status = "disabled"
	case u.PasswordHash == "":
		out.Status = "invited"
	}
	return out
}

// ListUsersInput takes no arguments.
type ListUsersInput struct{}

// UserList is the account's operators.
type UserList struct {
	Data []User `json:"data" jsonschema:"the account's operators, by e-mail"`
}

// ListUsers lists the dashboard operators of the caller's account.
var ListUsers = Tool[ListUsersInput, UserList]{
	Name:        "list_users",
	Examples:    []string{`{}`},
	Title:       "List operators",
	Description: "List the dashboard operators of this account (people who sign in at /dashboard): e-mail, role (admin, reviewer, viewer), status and whether TOTP is on. Admins only (users:admin).",
	Brief:       "the account's dashboard operators: e-mail, role, status, TOTP",
	Scope:       ScopeUsersAdmin,
	Annotations: Annotations{ReadOnly: true, Destructive: false, Idempotent: true, OpenWorld: false},
	REST:        REST{Method: "GET", Path: "/users"},
	Summary:     func(l UserList) string { return fmt.Sprintf("%d operator(s).", len(l.Data)) },
	Handle: func(ctx context.Context, d *Deps, c Caller, _ ListUsersInput) (UserList, error) {
		rows, err := d.Store.ListUsers(ctx, c.AccountID)
		if err != nil {
			return UserList{}, err
		}
		out := UserList{Data: make([]User, 0, len(rows))}
		for i := range rows {
			out.Data = append(out.Data, toUser(&rows[i]))
		}
		return out, nil
	},
}
