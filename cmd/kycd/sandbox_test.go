package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// kycd sandbox seed fills test mode through the tools: verifications end in the statuses their
// magic values force, companies are checked, and a usable test key is printed.
func TestSandboxSeed(t *testing.T) {
	dir := t.TempDir()
	var out, report bytes.Buffer
	require.NoError(t, run(t.Context(), []string{"sandbox", "seed", "--data-dir", dir, "--count", "40", "--seed", "3", "--wait", "60s"}, nil, &out, &report))
	require.True(t, strings.HasPrefix(strings.TrimSpace(out.String()), "sk_test_"), out.String())
	r := report.String()
	require.Contains(t, r, "approved:", r)
	require.Contains(t, r, "rejected:", r)
	require.Contains(t, r, "cancelled:", r)
	require.Contains(t, r, "companies: [", r)
	require.Contains(t, r, "needs_review:", "a review queue: %s", r)
	want := map[string]int{}
	for _, a := range seedAddresses {
		want[a.want]++
	}
	require.Contains(t, r, fmt.Sprintf("address checks: %v", want), "the real proof-of-address check gives each sample bill's status")
	if faceEngine {
		require.Contains(t, r, "sample-face verifications: map[applicant:approved other:rejected spoof:rejected]",
			"the real document, face match and liveness checks decide the sample faces: %s", r)
	} else {
		require.Contains(t, r, "sample-face verifications: map[", r)
	}
	require.NotContains(t, r, "processing:", "every submitted verification is decided: %s", r)
	require.Regexp(t, `webhook endpoint https://webhooks\.sandbox\.invalid/kycd: [1-9][0-9]* deliveries`, r,
		"by default the events go to an endpoint that never resolves: the delivery log has failing deliveries")

	require.ErrorContains(t, run(t.Context(), []string{"sandbox", "seed", "--data-dir", dir, "--count", "0"}, nil, &out, &report), "count")
	require.ErrorContains(t, run(t.Context(), []string{"sandbox", "grow"}, nil, &out, &report), "want seed")
}
