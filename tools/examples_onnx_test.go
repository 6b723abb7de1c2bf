//go:build onnx

package tools_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// The face tools' examples on the real face engine (TestToolExamples runs the others):
// not_found for the made-up ids, and compare_faces's placeholder pixel is read, not refused.
func TestFaceToolExamples(t *testing.T) {
	t.Parallel()
	e, _ := bioEnv(t, dbtest.SQLite(t), verify.BiometricsConfig{})
	for _, info := range e.Reg.Tools() {
		if !faceTools[info.Name] {
			continue
		}
		var in struct {
			Examples []json.RawMessage `json:"examples"`
		}
		require.NoError(t, json.Unmarshal(info.InputSchema, &in))
		for i, ex := range in.Examples {
			if te := e.Call(t, e.Test, info.Name, string(ex), nil); te != nil && te.Code != tools.CodeNotFound {
				t.Errorf("%s example %d: %s %s: %s", info.Name, i, te.Code, te.Field, te.Message)
			}
		}
	}
}
