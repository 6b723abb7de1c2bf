//go:build onnx

package age

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/internal/testfiles"
)

// The model is weak (see doc.go), so this checks plumbing and plausibility,
// not accuracy: adults come out as adults, and the result names the model.
func TestCheckOnAdults(t *testing.T) {
	t.Parallel()
	eng, err := face.New(face.Config{})
	require.NoError(t, err, "run scripts/setup/onnx.sh first")
	t.Cleanup(func() { _ = eng.Close() })
	e, err := New(eng)
	require.NoError(t, err)
	for _, f := range []string{"obama.jpg", "biden.jpg"} {
		b, err := os.ReadFile(testfiles.Path(t, "faces", "face_recognition", "tests", "test_images", f))
		require.NoError(t, err)
		r, err := e.Check(b, 18)
		require.NoError(t, err)
		require.Empty(t, r.Reason)
		require.Greater(t, r.Estimate, 25.0, f)
		require.Less(t, r.Estimate, 90.0, f)
		require.Equal(t, Pass, r.Decision, f)
		require.Equal(t, face.ModelAge, r.Model.Name)
		require.Len(t, r.Model.SHA256, 64)
	}
	r, err := e.Check(mustRead(t, "faces", "face_recognition", "examples", "two_people.jpg"), 18)
	require.NoError(t, err)
	require.Equal(t, Review, r.Decision)
	require.Equal(t, face.ReasonMultipleFaces, r.Reason)
}

func mustRead(t *testing.T, elem ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(testfiles.Path(t, elem...))
	require.NoError(t, err)
	return b
}
