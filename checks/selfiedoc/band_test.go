package selfiedoc

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Judge decides from the scores at the given accept threshold, and a mismatch goes to review
// only when every comparison made reaches the band.
func TestJudge(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name           string
		held, document *float64
		accept, reject float64
		wantReason     string
	}{
		{"both match", f(0.97), f(0.96), 0.946, 0.90, ""},
		{"held in the band, document accepted", f(0.92), f(0.97), 0.946, 0.90, ReasonUncertain},
		{"document in the band", f(0.96), f(0.91), 0.946, 0.90, ReasonUncertain},
		{"held in the band, no document portrait yet", f(0.93), nil, 0.946, 0.90, ReasonUncertain},
		{"held matches, no document portrait yet", f(0.97), nil, 0.946, 0.90, ReasonNoDocumentPortrait},
		{"held below the band", f(0.85), f(0.97), 0.946, 0.90, ReasonHeldMismatch},
		{"document below the band", f(0.92), f(0.80), 0.946, 0.90, ReasonHeldMismatch},
		{"document mismatch without a band", f(0.97), f(0.91), 0.946, 0, ReasonDocumentMismatch},
		{"a band above the threshold is none", f(0.92), f(0.97), 0.946, 0.95, ReasonHeldMismatch},
		{"a key's stricter accept threshold", f(0.97), f(0.98), 0.99, 0.90, ReasonUncertain},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Result{SelfieToHeld: tc.held, SelfieToDocument: tc.document, Reason: "stale", Pass: true}
			r.Judge(tc.accept, tc.reject)
			require.Equal(t, tc.wantReason, r.Reason)
			require.Equal(t, tc.wantReason == "", r.Pass)
			require.Equal(t, tc.accept, r.Threshold)
			if tc.wantReason == ReasonUncertain {
				require.Equal(t, tc.reject, r.RejectThreshold)
				require.Contains(t, r.Message, "review band")
			} else {
				require.Zero(t, r.RejectThreshold)
			}
		})
	}
	// Without the held portrait there is nothing to judge: Analyze's reason stands.
	r := Result{Reason: ReasonHeldNotFound, Threshold: 0.946}
	r.Judge(0.99, 0.90)
	require.Equal(t, ReasonHeldNotFound, r.Reason)
	require.Equal(t, 0.946, r.Threshold)
}
