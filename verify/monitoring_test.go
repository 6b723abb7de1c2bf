package verify_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
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

// sdnRow is one line of OFAC's legacy sdn.csv: ent_num, name, type, program, then seven unused
// columns ("-0- " is OFAC's null), then the remarks.
func sdnRow(id int, name, typ, remarks string) string {
	return fmt.Sprintf(`%d,"%s","%s","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"%s"`, id, name, typ, remarks)
}

// writeSDN writes an OFAC-format list folder with the given rows and returns it.
func writeSDN(t *testing.T, rows ...string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sdn.csv"), []byte(strings.Join(rows, "\r\n")+"\r\n"), 0o644))
	return dir
}

// A small list the clean applicant is not on, and the same list after she has been added.
var (
	rowKarimov = sdnRow(9001, "KARIMOV, Rustam Alievich", "individual", "DOB 12 Mar 1970; nationality Uzbekistan.")
	rowBrandt  = sdnRow(9002, "BRANDT-OKAFOR, Liselotte Adaeze", "individual", "DOB 05 Jan 1985.")
	// The same entity after OFAC adds a detail: its fingerprint changes.
	rowBrandtUpdated = sdnRow(9002, "BRANDT-OKAFOR, Liselotte Adaeze", "individual", "DOB 05 Jan 1985; nationality Germany.")
)

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func status(t *testing.T, e *tooltest.Env, id string) string {
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": id}, &v))
	return v.Status
}

func matchEvents(t *testing.T, e *tooltest.Env, id string) []tools.Event {
	var page tools.EventList
	require.Nil(t, e.Call(t, e.Test, "list_verification_events", map[string]any{"id": id, "limit": 100}, &page))
	var out []tools.Event
	for _, ev := range page.Data {
		if ev.Type == verify.EventScreeningMatch {
			out = append(out, ev)
		}
	}
	return out
}

// approve creates a screening-only verification for name and waits for the pipeline's decision.
func approve(t *testing.T, e *tooltest.Env, name, ref string) string {
	t.Helper()
	var v tools.Verification
	require.Nil(t, e.Call(t, e.Test, "create_verification", map[string]any{"checks": []string{"screening"},
		"applicant": map[string]any{"name": name}, "external_ref": ref}, &v))
	require.Nil(t, e.Call(t, e.Test, "submit_verification", map[string]any{"id": v.ID}, nil))
	waitFor(t, "approval of "+name, func() bool { return status(t, e, v.ID) == "approved" })
	return v.ID
}

// Ongoing monitoring end to end: an applicant approved on a clean name is flagged when a list
// update adds her (the list change enqueues the run), exactly once; a false-positive verdict
// silences her until the entity's data changes, and then the hit is raised again.
func TestMonitoringRaisesNewHitsOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		svc := verify.NewScreening(s, verify.ScreeningPolicy{}, nil)
		_, err := svc.Import(ctx, "ofac_sdn", writeSDN(t, rowKarimov))
		require.NoError(t, err)
		require.NoError(t, svc.Sync(ctx))
		e := tooltest.New(t, s, map[models.Check]verify.CheckRunner{models.CheckScreening: svc},
			func(_ *jobs.Options, d *tools.Deps) { d.Screening = svc })

		brandt := approve(t, e, "Liselotte Adaeze Brandt-Okafor", "cust-9")
		clean := approve(t, e, "Erika Mustermann", "cust-10")

		// The list update: Sync sees the new version and enqueues monitoring; the worker runs it.
		_, err = svc.Import(ctx, "ofac_sdn", writeSDN(t, rowKarimov, rowBrandt))
		require.NoError(t, err)
		require.NoError(t, svc.Sync(ctx))
		waitFor(t, "the monitoring run to flag the new hit", func() bool { return status(t, e, brandt) == "needs_review" })

		evs := matchEvents(t, e, brandt)
		require.Len(t, evs, 1)
		require.Equal(t, "approved", evs[0].Data["previous_status"])
		require.Equal(t, "needs_review", evs[0].Data["status"])
		require.Equal(t, verify.MonitorListsChanged, evs[0].Data["cause"])
		hits := evs[0].Data["hits"].([]any)
		require.Len(t, hits, 1)
		hit := hits[0].(map[string]any)
		require.Equal(t, "9002", hit["source_id"])
		require.Equal(t, "ofac_sdn", hit["source"])
		require.NotEmpty(t, hit["fingerprint"])
		require.Equal(t, "approved", status(t, e, clean), "a name not on the list stays approved")
		require.Empty(t, matchEvents(t, e, clean))

		// The run is recorded per account and mode with what it did there.
		var runs tools.MonitoringRunList
		waitFor(t, "the run recorded", func() bool {
			require.Nil(t, e.Call(t, e.Test, "list_monitoring_runs", map[string]any{}, &runs))
			return len(runs.Data) > 0
		})
		require.Equal(t, verify.MonitorListsChanged, runs.Data[0].Cause)
		require.Equal(t, 2, runs.Data[0].Subjects)
		require.Equal(t, 1, runs.Data[0].NewHits)
		require.Equal(t, 1, runs.Data[0].Flagged)
		require.Equal(t, 1, runs.Data[0].Moved)

		// Re-running (the daily schedule, another process) raises nothing twice.
		rep, err := svc.Monitor(ctx, verify.MonitorManual)
		require.NoError(t, err)
		require.Equal(t, 2, rep.Subjects)
		require.Equal(t, 1, rep.WithHits)
		require.Zero(t, rep.NewHits)
		require.Len(t, matchEvents(t, e, brandt), 1)

		// An analyst clears the hit for the applicant's external_ref; a new verification of the
		// same applicant is approved, because the pipeline honours the verdict.
		var dec tools.ScreeningDecision
		require.Nil(t, e.Call(t, e.Test, "resolve_screening_hit", map[string]any{"subject_ref": "cust-9", "source": "ofac_sdn",
			"source_id": "9002", "verdict": "false_positive", "reason": "different person: born 1990, not 1985"}, &dec))
		again := approve(t, e, "Liselotte Adaeze Brandt-Okafor", "cust-9")
		var v tools.Verification
		require.Nil(t, e.Call(t, e.Test, "get_verification", map[string]any{"id": again}, &v))
		require.EqualValues(t, 1, v.Result.Checks[0].Details["cleared"])
		rep, err = svc.Monitor(ctx, verify.MonitorManual)
		require.NoError(t, err)
		require.Zero(t, rep.NewHits)

		// OFAC changes the entity: the verdict no longer applies and the hit is raised on the
		// applicant's latest verification.
		_, err = svc.Import(ctx, "ofac_sdn", writeSDN(t, rowKarimov, rowBrandtUpdated))
		require.NoError(t, err)
		require.NoError(t, svc.Sync(ctx))
		waitFor(t, "the changed entity to be raised again", func() bool { return status(t, e, again) == "needs_review" })
		evs = matchEvents(t, e, again)
		require.Len(t, evs, 1)
		hit = evs[0].Data["hits"].([]any)[0].(map[string]any)
		require.Equal(t, true, hit["decision_stale"])
		require.NotEqual(t, dec.Fingerprint, hit["fingerprint"])
		require.Len(t, matchEvents(t, e, brandt), 1, "only the latest verification is flagged")
	})
}

// Monitoring needs the service the Screening is attached to (and that service's queue);
// without them it says so.
func TestMonitorWithoutQueue(t *testing.T) {
	t.Parallel()
	s := dbtest.SQLite(t)
	svc := verify.NewScreening(s, verify.ScreeningPolicy{}, nil)
	_, err := svc.Monitor(context.Background(), verify.MonitorManual)
	require.ErrorContains(t, err, "not attached")
	verify.New(s, verify.Options{Checks: map[models.Check]verify.CheckRunner{models.CheckScreening: svc}})
	require.ErrorContains(t, svc.EnqueueMonitor(context.Background()), "no job queue")
}
