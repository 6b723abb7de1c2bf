package tools

import (
	"context"
	"fmt"
)

// CreateUserInput is a new operator.
type CreateUserInput struct {
	Email string `json:"email" jsonschema:"the operator's e-mail, their sign-in name" maxLength:"254"`
	Role  string `json:"role" jsonschema:"admin (everything), reviewer (reads and decides cases) or viewer (reads)" enum:"admin,reviewer,viewer"`
}

// CreateUser creates a dashboard operator and answers their one-time setup link.
var CreateUser = Tool[CreateUserInput, User]{
	Name:        "create_user",
	Examples:    []string{`{"email":"analyst@example.com","role":"reviewer"}`},
	Title:       "Create operator",
	Description: "Create a dashboard operator in this account with a role (admin, reviewer, viewer) and get their one-time setup link (setup_url, valid 72 hours, shown once): they set a password and, optionally, TOTP there. Send the link to them privately. Admins only (users:admin).",
	Brief:       "add a dashboard operator (admin, reviewer, viewer); answers the one-time setup link",
	Scope:       ScopeUsersAdmin,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/users", Status: 201},
	Summary: func(u User) string {
		return fmt.Sprintf("Operator %s (%s) created; setup link: %s", u.Email, u.Role, u.SetupURL)
	},
	Handle: func(ctx context.Context, d *Deps, c Caller, in CreateUserInput) (User, error) {
		u, link, err := CreateOperator(ctx, d, c.AccountID, in.Email, in.Role)
		if err != nil {
			return User{}, err
		}
		out := toUser(u)
		out.SetupURL = link
		return out, nil
	},
}
