package tools_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// The hosted flow's session may send and confirm codes, but only for its own verification:
// it cannot check an address for another one, nor confirm (or spend attempts on) another
// verification's code, nor use verify_email as a free address checker.
func TestContactToolsForSessionAreBoundToItsVerification(t *testing.T) {
	t.Parallel()
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{})
	var mine, other tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"email", "phone"}, "applicant": map[string]any{"name": "A B", "country": "DE"}}, &mine))
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"email"}, "applicant": map[string]any{"name": "C D"}}, &other))
	sess, err := tools.AuthenticateSession(t.Context(), e.Reg.Deps(), sessionToken(t, mine))
	require.NoError(t, err)

	send := map[string]any{"email": "jane@acme.example", "send_code": true, "verification_id": mine.ID}
	te := e.Call(t, sess, "verify_email", send, nil)
	require.NotNil(t, te)
	require.Equal(t, tools.CodeConflict, te.Code, "consent first: %+v", te)
	require.Nil(t, e.Call(t, sess, "record_consent", map[string]any{"id": mine.ID, "statement": "I agree", "locale": "en"}, nil))

	for _, tc := range []struct {
		tool string
		args map[string]any
		code tools.Code
	}{
		{"verify_email", map[string]any{"email": "jane@acme.example", "send_code": true, "verification_id": other.ID}, tools.CodeNotFound},
		{"verify_email", map[string]any{"email": "jane@acme.example", "send_code": true}, tools.CodeInvalidArgument},
		{"verify_email", map[string]any{"email": "jane@acme.example", "verification_id": mine.ID}, tools.CodeInvalidArgument},
		{"verify_phone", map[string]any{"phone": "0151 23456789", "send_code": true, "verification_id": other.ID}, tools.CodeNotFound},
		{"verify_phone", map[string]any{"phone": "0151 23456789", "verification_id": mine.ID}, tools.CodeInvalidArgument},
		{"confirm_code", map[string]any{"code_id": "otp_x", "code": "123456"}, tools.CodeInvalidArgument},
	} {
		te := e.Call(t, sess, tc.tool, tc.args, nil)
		require.NotNil(t, te, "%s %v", tc.tool, tc.args)
		require.Equal(t, tc.code, te.Code, "%s %v: %+v", tc.tool, tc.args, te)
	}

	// Its own verification: send, confirm.
	var chk tools.EmailCheck
	require.Nil(t, e.Call(t, sess, "verify_email", send, &chk))
	require.NotEmpty(t, chk.CodeID)
	var conf tools.CodeConfirmation
	require.Nil(t, e.Call(t, sess, "confirm_code", map[string]any{"code_id": chk.CodeID, "code": e.log.code(t, "jane@acme.example"), "verification_id": mine.ID}, &conf))
	require.Equal(t, mine.ID, conf.VerificationID)
	var ph tools.PhoneCheck
	require.Nil(t, e.Call(t, sess, "verify_phone", map[string]any{"phone": "0151 23456789", "send_code": true, "verification_id": mine.ID}, &ph))
	require.Equal(t, "+4915123456789", ph.E164, "the applicant's country is the default region")

	// Another verification's code: not found for the session, and no attempt is spent on it.
	var theirs tools.EmailCheck
	require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": "bob@acme.example", "send_code": true, "verification_id": other.ID}, &theirs))
	right := e.log.code(t, "bob@acme.example")
	for _, vid := range []string{mine.ID, other.ID} {
		te := e.Call(t, sess, "confirm_code", map[string]any{"code_id": theirs.CodeID, "code": right, "verification_id": vid}, nil)
		require.NotNil(t, te)
		require.Equal(t, tools.CodeNotFound, te.Code, "%+v", te)
	}
	// An API key naming the wrong verification is refused too; the right one works.
	te = e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": theirs.CodeID, "code": right, "verification_id": mine.ID}, nil)
	require.NotNil(t, te)
	require.Equal(t, tools.CodeNotFound, te.Code)
	require.Nil(t, e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": theirs.CodeID, "code": right}, nil))
}
