package tools_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// test_webhook_fail: with a test key every delivery of the verification reaches the receiver,
// has its first attempt recorded as failed, and is sent again (same delivery id) and delivered;
// with a live key each is delivered once.
func TestSandboxWebhookFail(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		e := tooltest.New(t, s, engines(), localHooks(nil), quiet)
		for _, c := range []struct {
			caller tools.Caller
			forced bool
		}{{e.Test, true}, {e.Live, false}} {
			rcv := newSink(t)
			createEndpoint(t, e, c.caller, rcv.srv.URL, "verification.*")
			var v tools.Verification
			require.Nil(t, e.Call(t, c.caller, "create_verification", map[string]any{"checks": []string{"screening"},
				"external_ref": verify.SandboxWebhookFail + "_1"}, &v))
			require.Nil(t, e.Call(t, c.caller, "submit_verification", map[string]any{"id": v.ID}, nil))
			done := waitStatus(t, e, c.caller, v.ID, "approved", "needs_review", "rejected")
			require.Equal(t, "needs_review", done.Status, "the engines' outcome: the value forces no check")
			require.False(t, done.Result.Forced)

			want := []string{"verification.created", "verification.processing", "verification.completed"}
			var ds []tools.WebhookDelivery
			waitFor(t, "three deliveries delivered", func() bool {
				ds = deliveries(t, e, c.caller, map[string]any{})
				n := 0
				for _, d := range ds {
					if d.Status == "delivered" {
						n++
					}
				}
				return n == len(want)
			})
			var types []string
			seen := map[string]int{}
			for _, h := range rcv.all() {
				seen[h.Delivery]++
			}
			for _, d := range ds {
				types = append(types, d.EventType)
				if c.forced {
					require.Equal(t, 2, d.Attempts, d.EventType)
					require.Equal(t, 2, seen[d.ID], "%s: the receiver got it on both attempts", d.EventType)
				} else {
					require.Equal(t, 1, d.Attempts, d.EventType)
					require.Equal(t, 1, seen[d.ID], d.EventType)
				}
				require.Empty(t, d.Error)
			}
			require.ElementsMatch(t, want, types)
		}
	})
}
