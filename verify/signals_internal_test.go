package verify

import (
	"testing"

	"github.com/kycd/kycd/models"
)

// Signal reasons are always in the result; they move the decision only under the review policy.
func TestSignalDecision(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy  string
		reasons string
		in      models.Status
		want    models.Status
	}{
		{SignalsPolicyOff, "hosting_asn,ip_velocity", models.StatusApproved, models.StatusApproved},
		{SignalsPolicyReview, "hosting_asn", models.StatusApproved, models.StatusNeedsReview},
		{SignalsPolicyReview, "", models.StatusApproved, models.StatusApproved},
		{SignalsPolicyReview, "ip_country_mismatch", models.StatusRejected, models.StatusRejected},
	} {
		s := &Service{opts: Options{Signals: SignalOptions{Policy: tc.policy, VelocityLimit: 3}}}
		res := &models.VerificationResult{Decision: tc.in}
		s.signalDecision(&models.Verification{SignalReasons: tc.reasons}, res)
		if res.Decision != tc.want {
			t.Errorf("%s %q: decision %s, want %s", tc.policy, tc.reasons, res.Decision, tc.want)
		}
		if tc.reasons != "" && (len(res.Reasons) == 0 || res.Reasons[0].Check != "signals") {
			t.Errorf("%s %q: reasons not in the result: %+v", tc.policy, tc.reasons, res.Reasons)
		}
	}
	if r := SignalReasons([]string{models.ReasonIPVelocity}, 3); r[0].Message == "" || r[0].Code != models.ReasonIPVelocity {
		t.Errorf("velocity reason: %+v", r)
	}
	for _, p := range []string{"", "off", "review"} {
		if _, err := ParseSignalsPolicy(p); err != nil {
			t.Errorf("ParseSignalsPolicy(%q): %v", p, err)
		}
	}
	if _, err := ParseSignalsPolicy("reject"); err == nil {
		t.Error("ParseSignalsPolicy accepted reject")
	}
}
