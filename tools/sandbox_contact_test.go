package tools_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// verify_email's example.test values and verify_phone's drama-range blocks force their
// documented results with a test key (the ok values then take a code that can be confirmed);
// with a live key the engines' own answers stand.
func TestSandboxContactValues(t *testing.T) {
	t.Parallel()
	e := newContactEnv(t, dbtest.SQLite(t), verify.ContactOptions{})
	emails := []struct {
		address, risk string
		reasons       []string
		accepts       bool
	}{
		{"ok+1@example.test", "low", nil, true},
		{"Disposable+x@Example.TEST", "high", []string{"disposable"}, true},
		{"nomx+2@example.test", "high", []string{"no_mail_server"}, false},
		{"nullmx+3@example.test", "high", []string{"null_mx"}, false},
		{"role+4@example.test", "medium", []string{"role_account"}, true},
	}
	for _, tc := range emails {
		var r tools.EmailCheck
		require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": tc.address}, &r), tc.address)
		require.Equal(t, tc.risk, r.RiskLevel, tc.address)
		require.Equal(t, tc.reasons, reasonCodes(r.Reasons), tc.address)
		require.True(t, r.Forced, tc.address)
		require.Contains(t, r.ForcedBy, "@example.test")
		require.True(t, r.Domain.Checked)
		require.Equal(t, tc.accepts, r.Domain.AcceptsMail, tc.address)

		var live tools.EmailCheck
		require.Nil(t, e.Call(t, e.Live, "verify_email", map[string]any{"email": tc.address}, &live), tc.address)
		require.False(t, live.Forced, tc.address)
		require.Empty(t, live.ForcedBy)
		require.Equal(t, "high", live.RiskLevel, "%s: example.test does not resolve", tc.address)
		require.NotContains(t, reasonCodes(live.Reasons), "disposable")
	}
	// An address with another prefix gets the engine's answer in test mode too.
	var other tools.EmailCheck
	require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": "jane@example.test"}, &other))
	require.False(t, other.Forced)

	// The ok value takes a code, which confirms; nomx is refused as a real one would be.
	var sent tools.EmailCheck
	require.Nil(t, e.Call(t, e.Test, "verify_email", map[string]any{"email": "ok+code@example.test", "send_code": true}, &sent))
	require.NotEmpty(t, sent.CodeID)
	require.Nil(t, e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": sent.CodeID, "code": e.log.code(t, "ok+code@example.test")}, nil))
	te := e.Call(t, e.Test, "verify_email", map[string]any{"email": "nomx+code@example.test", "send_code": true}, nil)
	require.NotNil(t, te)
	require.Equal(t, "email", te.Field)

	phones := []struct {
		number, risk string
		reasons      []string
	}{
		{"+44 7700 900001", "low", []string{}},
		{"+447700900015", "medium", []string{"voip"}},
		{"+44 7700 900029", "high", []string{"premium_rate"}},
	}
	for _, tc := range phones {
		var r tools.PhoneCheck
		require.Nil(t, e.Call(t, e.Test, "verify_phone", map[string]any{"phone": tc.number}, &r), tc.number)
		require.Equal(t, tc.risk, r.RiskLevel, tc.number)
		require.ElementsMatch(t, tc.reasons, reasonCodes(r.Reasons), tc.number)
		require.True(t, r.Forced, tc.number)
		require.True(t, r.Valid)
		require.Equal(t, "mobile", r.Type)

		var live tools.PhoneCheck
		require.Nil(t, e.Call(t, e.Live, "verify_phone", map[string]any{"phone": tc.number}, &live), tc.number)
		require.False(t, live.Forced, tc.number)
		require.Equal(t, "high", live.RiskLevel)
		require.Contains(t, reasonCodes(live.Reasons), "fictional_number", tc.number)
	}
	// Outside the sandbox blocks the drama range stays fictional, high risk, in test mode.
	var r tools.PhoneCheck
	require.Nil(t, e.Call(t, e.Test, "verify_phone", map[string]any{"phone": "+44 7700 900500"}, &r))
	require.False(t, r.Forced)
	require.Contains(t, reasonCodes(r.Reasons), "fictional_number")

	var sentPhone tools.PhoneCheck
	require.Nil(t, e.Call(t, e.Test, "verify_phone", map[string]any{"phone": "+44 7700 900002", "send_code": true}, &sentPhone))
	require.NotEmpty(t, sentPhone.CodeID)
	require.Nil(t, e.Call(t, e.Test, "confirm_code", map[string]any{"code_id": sentPhone.CodeID, "code": e.log.code(t, "+447700900002")}, nil))
}
