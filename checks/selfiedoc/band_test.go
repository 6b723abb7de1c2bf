package selfiedoc

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// WithBand turns a mismatch into review only when every score made reaches the band.
func TestWithBand(t *testing.T) {
	t.Parallel()
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name       string
		r          Result
		reject     float64
		wantReason string
	}{
		{"held in the band, document accepted", Result{Threshold: 0.946, Reason: ReasonHeldMismatch, SelfieToHeld: f(0.92), SelfieToDocument: f(0.97)}, 0.90, ReasonUncertain},
		{"document in the band", Result{Threshold: 0.946, Reason: ReasonDocumentMismatch, SelfieToHeld: f(0.96), SelfieToDocument: f(0.91)}, 0.90, ReasonUncertain},
		{"held in the band, no document portrait yet", Result{Threshold: 0.946, Reason: ReasonHeldMismatch, SelfieToHeld: f(0.93)}, 0.90, ReasonUncertain},
		{"held below the band", Result{Threshold: 0.946, Reason: ReasonHeldMismatch, SelfieToHeld: f(0.85), SelfieToDocument: f(0.97)}, 0.90, ReasonHeldMismatch},
		{"document below the band", Result{Threshold: 0.946, Reason: ReasonHeldMismatch, SelfieToHeld: f(0.92), SelfieToDocument: f(0.80)}, 0.90, ReasonHeldMismatch},
		{"no band", Result{Threshold: 0.946, Reason: ReasonHeldMismatch, SelfieToHeld: f(0.92)}, 0, ReasonHeldMismatch},
		{"a band above the threshold is none", Result{Threshold: 0.946, Reason: ReasonHeldMismatch, SelfieToHeld: f(0.92)}, 0.95, ReasonHeldMismatch},
		{"other reasons untouched", Result{Threshold: 0.946, Reason: ReasonHeldNotFound}, 0.90, ReasonHeldNotFound},
		{"a pass stays a pass", Result{Threshold: 0.946, Pass: true, SelfieToHeld: f(0.97)}, 0.90, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			r.WithBand(tc.reject)
			require.Equal(t, tc.wantReason, r.Reason)
			if tc.wantReason == ReasonUncertain {
				require.Equal(t, tc.reject, r.RejectThreshold)
				require.Contains(t, r.Message, "review band")
				require.False(t, r.Pass)
			}
		})
	}
}
