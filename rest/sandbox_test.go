package rest_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/rest"
	"github.com/kycd/kycd/verify"
)

// Every verification-level magic value over REST, each exchange checked against the OpenAPI
// document: with a test key it forces its documented outcome when its check is on the
// verification (screening passes and document asks for review here), with a live key it never
// acts; GET /sandbox lists the values.
func TestSandboxOverREST(t *testing.T) {
	t.Parallel()
	e := newEnv(t, dbtest.SQLite(t), rest.Options{})
	checks := []string{"screening", "document"}
	var rules []verify.SandboxRule
	for _, r := range verify.SandboxRules() {
		if r.Applies == verify.SandboxOnVerification && r.Value != verify.SandboxExpire {
			rules = append(rules, r)
		}
	}
	for _, key := range []string{"test", "live"} {
		ids := make([]string, len(rules))
		for i, r := range rules {
			res := e.do(t, key, "POST", "/api/v1/verifications", map[string]any{"checks": checks,
				"external_ref": fmt.Sprintf("%s-%s", r.Value, key), "applicant": map[string]any{"name": "Ada Lovelace"}}, nil, true)
			require.Equal(t, 201, res.status, string(res.body))
			ids[i] = res.json(t)["id"].(string)
			res = e.do(t, key, "POST", "/api/v1/verifications/"+ids[i]+"/submit", nil, nil, true)
			require.Equal(t, 200, res.status, string(res.body))
		}
		for i, r := range rules {
			var v map[string]any
			for v == nil || v["result"] == nil {
				res := e.do(t, key, "GET", "/api/v1/verifications/"+ids[i]+"?wait_seconds=20", nil, nil, true)
				require.Equal(t, 200, res.status, string(res.body))
				v = res.json(t)
			}
			result := v["result"].(map[string]any)
			what := fmt.Sprintf("%s with the %s key", r.Value, key)
			fires := key == "test" && r.Outcome != "" && (r.Check == "" || r.Check == models.CheckScreening || r.Check == models.CheckDocument)
			if !fires {
				require.Equal(t, "needs_review", v["status"], what)
				require.Nil(t, result["forced"], what)
				require.Nil(t, result["forced_by"], what)
				continue
			}
			require.Equal(t, r.Result, v["status"], what)
			require.Equal(t, true, result["forced"], what)
			require.Equal(t, r.Value, result["forced_by"], what)
			for _, c := range result["checks"].([]any) {
				c := c.(map[string]any)
				want := models.OutcomePass
				if r.Check == "" || string(r.Check) == c["check"] {
					want = r.Outcome
				}
				require.EqualValues(t, want, c["outcome"], "%s: %s", what, c["check"])
				require.Equal(t, true, c["forced"], what)
			}
			res := e.do(t, key, "GET", "/api/v1/verifications/"+ids[i]+"/events", nil, nil, true)
			var types []any
			for _, ev := range res.json(t)["data"].([]any) {
				types = append(types, ev.(map[string]any)["type"])
			}
			require.Equal(t, []any{"verification.created", "verification.processing", "verification.completed"}, types, what)
		}
	}
	for _, key := range []string{"test", "live"} {
		res := e.do(t, key, "GET", "/api/v1/sandbox", nil, nil, true)
		require.Equal(t, 200, res.status, string(res.body))
		body := res.json(t)
		require.Equal(t, key == "test", body["active"])
		require.Len(t, body["values"], len(verify.SandboxRules()))
	}
}
