package tools

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies a tool error. Each adapter maps a Code once: MCP to an isError result,
// JSON-RPC to an error code, REST to an HTTP status.
type Code string

// Error codes.
const (
	CodeMalformed        Code = "malformed"         // the request is not valid JSON / not an object
	CodeInvalidArgument  Code = "invalid_argument"  // a field fails the schema or a business rule
	CodeUnauthenticated  Code = "unauthenticated"   // missing, unknown or revoked key
	CodePermissionDenied Code = "permission_denied" // the key lacks the tool's scope
	CodeNotFound         Code = "not_found"         // no such object for this account and mode
	CodeConflict         Code = "conflict"          // the object's state does not allow this
	CodeTooLarge         Code = "too_large"         // payload over a limit
	CodeRateLimited      Code = "rate_limited"      // over the key's request budget
	CodeUnavailable      Code = "unavailable"       // a dependency (engine, database) is not available
	CodeInternal         Code = "internal"          // a bug or an unexpected failure; details are logged, not shown
)

// Error is what a caller can act on: a code, a message saying what to fix, and the field at fault.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// RetryAfterSeconds is set with CodeRateLimited, and with CodeUnavailable when the database
	// is down (HTTP surfaces send it as Retry-After).
	RetryAfterSeconds int `json:"retry_after_seconds,omitempty"`
	// Challenge, when set, is the WWW-Authenticate value HTTP surfaces send (an OAuth server's
	// resource metadata and scopes); otherwise unauthenticated errors get Bearer realm="kycd".
	Challenge string `json:"-"`
	// Problems lists every problem when a tool checks a whole document (a questionnaire
	// definition, its answers); Field and Message are then the first one's, and Message
	// names them all for surfaces that show only the message.
	Problems []FieldProblem `json:"problems,omitempty"`
}

// FieldProblem is one of several problems in an input: the path at fault and what is wrong.
type FieldProblem struct {
	Path    string `json:"path" jsonschema:"the input at fault, e.g. answers.income or definition.sections[0].questions[1].type"`
	Message string `json:"message" jsonschema:"what is wrong, for a person"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an *Error.
func Errorf(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// invalid is shorthand for an invalid_argument error on a field.
func invalid(field, format string, args ...any) *Error {
	return Errorf(CodeInvalidArgument, field, format, args...)
}

// AsError returns the *Error in err's chain, or nil when err is an internal failure.
func AsError(err error) *Error {
	var te *Error
	if errors.As(err, &te) {
		return te
	}
	return nil
}

// HTTPStatus is the HTTP status for a code, shared by every HTTP surface.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeMalformed:
		return http.StatusBadRequest
	case CodeUnauthenticated:
		return http.StatusUnauthorized
	case CodePermissionDenied:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeConflict:
		return http.StatusConflict
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeInvalidArgument:
		return http.StatusUnprocessableEntity
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
