package tools_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// Consent lands in the timeline with the statement's hash, never the text; a verification that
// is no longer open refuses it.
func TestRecordConsent(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), map[models.Check]verify.CheckRunner{models.CheckScreening: tooltest.Check{Outcome: models.OutcomePass}})
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"}, "applicant": map[string]any{"name": "A B"}}, &v))
	var rec tools.ConsentRecord
	require.Nil(t, e.Call(t, e.Test, "record_consent", map[string]any{"id": v.ID, "statement": "I agree.", "locale": "pt-BR"}, &rec))
	sum := sha256.Sum256([]byte("I agree."))
	require.Equal(t, hex.EncodeToString(sum[:]), rec.StatementSHA256)
	require.Equal(t, "pt-BR", rec.Locale)
	evs := e.Events(t, e.Test, v.ID)
	last := evs[len(evs)-1]
	require.Equal(t, verify.EventConsentGiven, last.Type)
	require.Equal(t, rec.StatementSHA256, last.Data["statement_sha256"])
	require.Equal(t, "api", last.Data["via"])
	require.NotContains(t, fmt.Sprint(last.Data), "I agree")

	te := e.Call(t, e.Test, "record_consent", map[string]any{"id": v.ID, "statement": "I agree.", "locale": "not a tag!"}, nil)
	require.Equal(t, "locale", te.Field)
	require.Nil(t, e.Call(t, e.Test, "cancel_verification", map[string]any{"id": v.ID}, nil))
	te = e.Call(t, e.Test, "record_consent", map[string]any{"id": v.ID, "statement": "I agree."}, nil)
	require.Equal(t, tools.CodeConflict, te.Code)
}
