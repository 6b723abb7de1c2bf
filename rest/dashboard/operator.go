package dashboard

import (
	"net/http"

	"github.com/kycd/kycd/tools"
)

// Operator is a signed-in person as the dashboard pages (and the OAuth consent page) see them.
type Operator struct {
	UserID string
	Email  string
	// Role is admin, reviewer or viewer; it decides the scopes in Caller.
	Role string
	// Caller is the identity every tool call of this request runs with: the operator's account,
	// the mode they switched to (live or test) and their role's scopes.
	Caller tools.Caller
	// CSRF is the token every form of this session must carry (field "csrf").
	CSRF string
	// SessionID is the session's public id (never its cookie): a viewer's reveal of a case
	// lasts for this session only. Empty: the CSRF token stands for the session.
	SessionID string
}

// Authenticator finds the operator of a request from its session cookie. It answers
// (nil, nil) when nobody is signed in, and an error only when it cannot tell.
type Authenticator interface {
	Operator(r *http.Request) (*Operator, error)
}
