package tools_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/tools"
)

// Without a face engine (a pure-Go build, or models not installed) every biometric tool
// says so instead of guessing.
func TestBiometricToolsWithoutEngine(t *testing.T) {
	t.Parallel()
	e := tooltest.New(t, dbtest.SQLite(t), nil)
	for name, args := range map[string]map[string]any{
		"submit_selfie":          {"id": "ver_x", "image": "aGk="},
		"compare_faces":          {"image_a": "aGk=", "image_b": "aGk="},
		"get_liveness_challenge": {"id": "ver_x"},
		"submit_liveness":        {"id": "ver_x", "nonce": "lvn_x", "frames": []string{"aGk="}},
		"reverify":               {"identity_token": "rid_x", "selfie": "aGk="},
	} {
		te := e.Call(t, e.Test, name, args, nil)
		require.NotNil(t, te, name)
		require.Equal(t, tools.CodeUnavailable, te.Code, name)
	}
}
