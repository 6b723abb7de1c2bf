//go:build onnx

package tools_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// TestDeleteApplicantForgetsFace: once applicants are erased, duplicate-face search never
// matches their faces again, although this process's index loaded them before the erasure.
func TestDeleteApplicantForgetsFace(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e, _ := bioEnv(t, s, verify.BiometricsConfig{})
		portrait := documentPortrait(t, photo(t, "examples", "obama-720p.jpg"))
		decide := func(ref string, selfie []byte) tools.Verification {
			t.Helper()
			var v tools.Verification
			require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"face_match"}, "external_ref": ref}, &v))
			var sr tools.SelfieResult
			require.Nil(t, e.Call(t, e.Test, "submit_selfie", map[string]any{"id": v.ID, "image": dataURL(selfie)}, &sr))
			require.True(t, sr.Accepted, "%+v", sr.Quality)
			storePortrait(t, s, e.Test, v.ID, portrait)
			require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
			return waitStatus(t, e, e.Test, v.ID, "approved", "needs_review", "rejected")
		}
		first := decide("first", photo(t, "tests", "test_images", "obama.jpg"))
		require.Equal(t, "approved", first.Status, "%+v", first.Result)
		second := decide("second", photo(t, "tests", "test_images", "obama2.jpg"))
		require.Equal(t, "needs_review", second.Status, "the same face under another applicant is a duplicate")
		require.Equal(t, "duplicate_face", checkOutcome(t, second, "face_match").Reasons[0].Code)

		for _, ref := range []string{"first", "second"} {
			var receipt tools.DeletedApplicant
			require.Nil(t, e.Call(t, e.Test, "delete_applicant", map[string]any{"external_ref": ref}, &receipt))
			require.Equal(t, 1, receipt.Erased.FaceEnrollments)
		}
		third := decide("third", photo(t, "tests", "test_images", "obama3.jpg"))
		require.Equal(t, "approved", third.Status, "an erased applicant's face matches nothing: %+v", third.Result)
		types, _ := eventTypes(t, e, e.Test, third.ID)
		require.NotContains(t, types, verify.EventFraudDuplicate)
	})
}
