package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/internal/tooltest"
	"github.com/kycd/kycd/jobs"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/tools"
	"github.com/kycd/kycd/verify"
)

// The state a SIGKILL leaves: a submitted verification whose process job is `running`, owned
// by a worker process that no longer beats. A worker that starts hands it back at once (not
// after River's one-hour rescue) and the verification is decided; a job owned by a process
// that is still beating is left alone.
func TestOrphanedJobsAreRescued(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		checks := map[models.Check]verify.CheckRunner{models.CheckScreening: tooltest.Check{Outcome: models.OutcomePass}}
		// The crashed process: its jobs were inserted, then it died while running them.
		dead := tooltest.New(t, s, checks, func(o *jobs.Options, _ *tools.Deps) { o.Work = false })
		submit := func() string {
			var v tools.Verification
			require.Nil(t, dead.Call(t, dead.Test, "create_verification", map[string]any{"checks": []string{"screening"},
				"applicant": map[string]any{"name": "Erika Mustermann"}}, &v))
			require.Nil(t, dead.Call(t, dead.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
			return v.ID
		}
		orphan, busy := submit(), submit()
		byVerification := `args->>'verification_id' = ?`
		if s.Dialect != db.Postgres {
			byVerification = `json_extract(args, '$.verification_id') = ?`
		}
		own := func(verificationID, owner string) {
			by := `ARRAY['` + owner + `']`
			if s.Dialect != db.Postgres {
				by = `jsonb('["` + owner + `"]')`
			}
			res, err := s.DB.NewRaw(`UPDATE river_job SET state = 'running', attempt = 1, attempted_by = `+by+`
				WHERE kind = 'verification.process' AND `+byVerification, verificationID).Exec(ctx)
			require.NoError(t, err)
			n, _ := res.RowsAffected()
			require.EqualValues(t, 1, n)
		}
		own(orphan, "kycd_gone_1")
		own(busy, "kycd_alive_1")
		require.NoError(t, s.Heartbeat(ctx, "kycd_alive_1")) // a live process still running its job

		live := tooltest.New(t, s, checks, func(o *jobs.Options, _ *tools.Deps) { o.OrphanAfter = 2 * time.Second })
		require.Eventually(t, func() bool {
			var v tools.Verification
			require.Nil(t, live.Call(t, dead.Test, "get_verification", map[string]any{"id": orphan}, &v))
			return v.Status == string(models.StatusApproved)
		}, 30*time.Second, 100*time.Millisecond, "the orphaned job ran again on the live worker")

		var got tools.Verification
		require.Nil(t, live.Call(t, dead.Test, "get_verification", map[string]any{"id": busy}, &got))
		require.Equal(t, string(models.StatusProcessing), got.Status, "a beating worker's job is not taken from it")
		var state string
		require.NoError(t, s.DB.NewRaw(`SELECT state FROM river_job WHERE kind = 'verification.process' AND `+byVerification, busy).Scan(ctx, &state))
		require.Equal(t, "running", state)
	})
}
