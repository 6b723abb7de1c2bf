package verify

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/models"
)

// The passive decision never approves on the liveness model alone: a cue that says print or
// screen sends a "live" selfie to a person, and so does a selfie whose cues could not be
// measured (too small a face); a selfie whose cues were measured and clean is approved.
func TestLivenessDecisionPassive(t *testing.T) {
	t.Parallel()
	measured := &liveness.SpoofCues{Periodicity: 5.2, Window: 128, ContextWindow: 256, ContextPeriodicity: 4.9}
	printed := &liveness.SpoofCues{Periodicity: 31, ContextWindow: 128, ContextPeriodicity: 31, Spoof: true,
		Reasons: []string{liveness.CuePeriodic}}
	unmeasured := &liveness.SpoofCues{}
	live := func(c *liveness.SpoofCues) LivenessVerdict {
		return LivenessVerdict{Scored: true, Live: true, Score: 0.99, Threshold: 0.5, Cues: c}
	}
	notLive := func(c *liveness.SpoofCues) LivenessVerdict {
		return LivenessVerdict{Scored: true, Score: 0.1, Threshold: 0.5, Cues: c}
	}
	for _, c := range []struct {
		name     string
		passive  LivenessVerdict
		active   string
		required bool
		want     models.Outcome
		reason   string
	}{
		{"large bona fide face, cues measured and clean", live(measured), "none", false, models.OutcomePass, ""},
		{"small-face print the model scores live", live(printed), "none", false, models.OutcomeReview, "liveness_conflict"},
		{"small-face print both call a spoof", notLive(printed), "none", false, models.OutcomeFail, "spoof_suspected"},
		{"cues not measured: not on the model's word", live(unmeasured), "none", false, models.OutcomeReview, ReasonLivenessLowResolution},
		{"cues not measured, active challenge passed", live(unmeasured), "passed", false, models.OutcomePass, ""},
		{"cues not measured, model says spoof", notLive(unmeasured), "none", false, models.OutcomeFail, "spoof_suspected"},
		{"cues not measured, active required", live(unmeasured), "none", true, models.OutcomeReview, "active_liveness_missing"},
		{"analysis made before the cues existed", live(nil), "none", false, models.OutcomeReview, ReasonLivenessLowResolution},
		{"active failed", live(measured), "failed", false, models.OutcomeFail, "active_liveness_failed"},
		{"unscored selfie", LivenessVerdict{Reason: "face_too_small"}, "none", false, models.OutcomeReview, "selfie_unusable"},
	} {
		got, reasons := livenessDecision(c.passive, c.active, c.required, false, 3)
		require.Equal(t, c.want, got, c.name)
		if c.reason == "" {
			require.Empty(t, reasons, c.name)
			continue
		}
		require.Len(t, reasons, 1, c.name)
		require.Equal(t, c.reason, reasons[0].Code, c.name)
		require.NotEmpty(t, reasons[0].Message, c.name)
	}
	got, reasons := livenessDecision(live(measured), "none", false, true, 3)
	require.Equal(t, models.OutcomeReview, got)
	require.Equal(t, "liveness_attempts_exhausted", reasons[0].Code)
}

// A selfie the gate lets through but whose cues cannot be measured is refused at upload with
// face_too_small (the hosted flow's retake: "move closer"); a measured one keeps the gate's
// verdict, and a refused one its own reason.
func TestCuesGate(t *testing.T) {
	t.Parallel()
	ok := face.Quality{OK: true, FaceSize: 84}
	q := cuesGate(ok, liveness.SpoofCues{})
	require.False(t, q.OK)
	require.Equal(t, face.ReasonFaceTooSmall, q.Reason)
	require.Contains(t, q.Message, "84 px")
	require.Contains(t, q.Message, "Move closer")
	require.Equal(t, ok, cuesGate(ok, liveness.SpoofCues{ContextWindow: 128, ContextPeriodicity: 4}))
	require.Equal(t, ok, cuesGate(ok, liveness.SpoofCues{Window: 64}))
	dark := face.Quality{Reason: face.ReasonTooDark, Message: "dark"}
	require.Equal(t, dark, cuesGate(dark, liveness.SpoofCues{}))
}
