package tools_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/tools"
)

// Every bad input gets an error naming the field and the problem, and stores nothing.
func TestCreateVerificationRejectsBadInput(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), engines())
	big := strings.Repeat("x", 17<<10)
	cases := []struct {
		name  string
		args  string
		code  tools.Code
		field string
	}{
		{"not json", `{"checks":`, tools.CodeMalformed, ""},
		{"not an object", `[1,2]`, tools.CodeMalformed, ""},
		{"unknown field", `{"checks":["document"],"colour":"red"}`, tools.CodeInvalidArgument, "colour"},
		{"unknown nested field", `{"applicant":{"nmae":"x"}}`, tools.CodeInvalidArgument, "applicant.nmae"},
		{"wrong type", `{"expires_in":"soon"}`, tools.CodeInvalidArgument, "expires_in"},
		{"expiry too short", `{"expires_in":59}`, tools.CodeInvalidArgument, "expires_in"},
		{"expiry too long", `{"expires_in":2592001}`, tools.CodeInvalidArgument, "expires_in"},
		{"unknown check", `{"checks":["palm_reading"]}`, tools.CodeInvalidArgument, "checks[]"},
		{"unavailable check", `{"checks":["liveness"]}`, tools.CodeInvalidArgument, "checks"},
		{"duplicate check", `{"checks":["document","document"]}`, tools.CodeInvalidArgument, "checks"},
		{"bad document type", `{"document_type":"library_card"}`, tools.CodeInvalidArgument, "document_type"},
		{"bad email", `{"applicant":{"email":"erika-at-example"}}`, tools.CodeInvalidArgument, "applicant.email"},
		{"bad dob format", `{"applicant":{"dob":"12/08/1964"}}`, tools.CodeInvalidArgument, "applicant.dob"},
		{"impossible dob", `{"applicant":{"dob":"1964-02-30"}}`, tools.CodeInvalidArgument, "applicant.dob"},
		{"future dob", `{"applicant":{"dob":"2999-01-01"}}`, tools.CodeInvalidArgument, "applicant.dob"},
		{"bad country", `{"applicant":{"country":"XY"}}`, tools.CodeInvalidArgument, "applicant.country"},
		{"min over max", `{"min_age":30,"max_age":20}`, tools.CodeInvalidArgument, "max_age"},
		{"negative age", `{"min_age":-1}`, tools.CodeInvalidArgument, "min_age"},
		{"metadata too large", `{"metadata":{"x":"` + big + `"}}`, tools.CodeTooLarge, "metadata"},
		{"relative redirect", `{"redirect_url":"/done"}`, tools.CodeInvalidArgument, "redirect_url"},
		{"http callback", `{"callback_url":"http://example.com/hook"}`, tools.CodeInvalidArgument, "callback_url"},
		{"ftp redirect", `{"redirect_url":"ftp://example.com"}`, tools.CodeInvalidArgument, "redirect_url"},
		{"bad locale", `{"locale":"english please"}`, tools.CodeInvalidArgument, "locale"},
		{"long external ref", `{"external_ref":"` + strings.Repeat("r", 129) + `"}`, tools.CodeInvalidArgument, "external_ref"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			te := e.Call(t, e.Test, "create_verification", tc.args, nil)
			require.NotNil(t, te, "accepted %s", tc.args)
			require.Equal(t, tc.code, te.Code, te.Message)
			require.Equal(t, tc.field, te.Field, te.Message)
			require.NotEmpty(t, te.Message)
		})
	}
	var list tools.VerificationList
	require.Nil(t, e.Call(t, e.Test, "list_verifications", map[string]any{}, &list))
	require.Empty(t, list.Data, "no bad input may leave a row behind")

	for _, tc := range []struct{ tool, args, field string }{
		{"get_verification", `{}`, "id"},
		{"get_verification", `{"id":"app_123"}`, "id"},
		{"list_verifications", `{"limit":101}`, "limit"},
		{"list_verifications", `{"status":["done"]}`, "status[]"},
		{"list_verifications", `{"created_after":"yesterday"}`, "created_after"},
		{"get_applicant", `{}`, "id"},
		{"get_applicant", `{"id":"app_1","external_ref":"x"}`, "external_ref"},
	} {
		te := e.Call(t, e.Test, tc.tool, tc.args, nil)
		require.NotNil(t, te, "%s accepted %s", tc.tool, tc.args)
		require.Equal(t, tc.field, te.Field, "%s %s: %s", tc.tool, tc.args, te.Message)
	}
}
