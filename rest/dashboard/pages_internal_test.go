package dashboard

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
)

// The face panel shows the second model's score beside dlib's when the match asked it (a
// "models disagree" review is judged on both), and nothing for a match without it.
func TestFaceOfShowsCrossCheck(t *testing.T) {
	t.Parallel()
	match := map[string]any{"score": 0.95, "threshold": 0.946, "vetoed": true,
		"cross_check": map[string]any{"model": "fr_feature@x", "score": 0.41, "threshold": 0.503, "agrees": false}}
	d := caseData{Images: map[string][]tools.CaseImage{string(models.ArtifactSelfie): {{ID: "art_1"}}},
		Checks: []checkView{{CheckOutcome: models.CheckOutcome{Check: string(models.CheckFaceMatch), Outcome: models.OutcomeReview, Details: map[string]any{"match": match}}}}}
	f := faceOf(d)
	require.Equal(t, "0.950", f.Score)
	require.Equal(t, "0.410", f.CrossScore)
	require.Equal(t, "0.503", f.CrossThreshold)
	delete(match, "cross_check")
	require.Empty(t, faceOf(d).CrossScore)
}
