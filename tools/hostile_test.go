package tools_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// Hostile argument text is refused before any handler runs, with the field named: control
// characters (NUL used to reach the databases and come back as a 500), invalid UTF-8 (used to
// be stored as U+FFFD), and data after the object (used to be a 422 from the schema).
func TestHostileArguments(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	e := tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckScreening: tooltest.Check{Outcome: models.OutcomePass}})
	cases := []struct {
		name, tool, args string
		code             tools.Code
		field            string
	}{
		{"NUL in external_ref", "create_verification", `{"checks":["screening"],"external_ref":"cust\u0000-1"}`, tools.CodeInvalidArgument, "external_ref"},
		{"NUL in a nested field", "create_verification", `{"checks":["screening"],"applicant":{"name":"Erika\u0000"}}`, tools.CodeInvalidArgument, "applicant.name"},
		{"escape in an id", "get_verification", `{"id":"ver_\u0001"}`, tools.CodeInvalidArgument, "id"},
		{"DEL raw", "get_verification", "{\"id\":\"ver_\x7f\"}", tools.CodeInvalidArgument, "id"},
		{"C1 raw", "get_verification", "{\"id\":\"ver_\u0085\"}", tools.CodeInvalidArgument, "id"},
		{"in a list", "list_events", `{"types":["verification.created","x\u001b"]}`, tools.CodeInvalidArgument, "types[1]"},
		{"in a key", "create_verification", `{"checks":["screening"],"metadata":{"k\u0000":"v"}}`, tools.CodeInvalidArgument, "metadata.k\x00"},
		{"invalid UTF-8", "get_verification", "{\"id\":\"ver_\xff\"}", tools.CodeMalformed, ""},
		{"trailing junk", "get_verification", `{"id":"ver_1"} x`, tools.CodeMalformed, ""},
		{"a second object", "get_verification", `{"id":"ver_1"}{"id":"ver_2"}`, tools.CodeMalformed, ""},
	}
	for _, tc := range cases {
		te := e.Call(t, e.Test, tc.tool, tc.args, nil)
		require.NotNil(t, te, tc.name)
		require.Equal(t, tc.code, te.Code, "%s: %v", tc.name, te)
		require.Equal(t, tc.field, te.Field, tc.name)
	}
	// Tab, line feed and carriage return are text, not control: a reason may span lines.
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", `{"checks":["screening"],"external_ref":"a","metadata":{"note":"line 1\nline 2\tx\r"}}`, &v))
	got, err := s.GetVerification(t.Context(), db.Scope{AccountID: e.Test.AccountID, Mode: e.Test.Mode}, v.ID)
	require.NoError(t, err)
	require.Contains(t, got.Metadata, `line 1\nline 2`)
}
