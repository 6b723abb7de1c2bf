package verify

import "testing"

func TestSubscribed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		patterns []string
		typ      string
		want     bool
	}{
		{[]string{"*"}, EventCompleted, true},
		{[]string{EventCompleted}, EventCompleted, true},
		{[]string{EventCompleted}, EventCreated, false},
		{[]string{"verification.*"}, EventExpired, true},
		{[]string{"verification.*"}, "verificationx.created", false},
		{[]string{"screening.*"}, EventCreated, false},
		{[]string{"verification.created", "verification.completed"}, EventCompleted, true},
		{nil, EventCreated, false},
		{[]string{"verification*"}, EventCreated, false},
	}
	for _, tc := range cases {
		if got := Subscribed(tc.patterns, tc.typ); got != tc.want {
			t.Errorf("Subscribed(%v, %q) = %v, want %v", tc.patterns, tc.typ, got, tc.want)
		}
	}
}

func TestValidateSubscription(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"*", "verification.*", EventCompleted} {
		if err := ValidateSubscription(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "verification", "verification.exploded", "nosuch.*", ".*", "**", "verification.**"} {
		if err := ValidateSubscription(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
