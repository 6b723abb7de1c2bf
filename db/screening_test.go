package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

// Decisions: the newest per entity across a subject's refs, scoped, with the reason sealed.
// Alerts: one per applicant and entity version. Monitoring pages: each applicant's latest
// decided verification, when approved or needs_review and screened.
func TestScreeningStore(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		sc := db.Scope{AccountID: "acct_s", Mode: models.ModeTest}
		require.NoError(t, s.EnsureAccount(ctx, sc.AccountID, "s"))
		clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { clock = clock.Add(time.Second); return clock })

		decide := func(ref, id, verdict, reason string, sc db.Scope) *models.ScreeningDecision {
			d := &models.ScreeningDecision{AccountID: sc.AccountID, Mode: sc.Mode, SubjectRef: ref, Source: "ofac_sdn", SourceID: id,
				Fingerprint: "fp-" + id, Verdict: verdict, DecidedBy: "key_1"}
			require.NoError(t, s.InsertScreeningDecision(ctx, d, reason))
			return d
		}
		decide("app_1", "100", models.VerdictFalsePositive, "born 1990", sc)
		decide("cust-1", "100", models.VerdictTrueMatch, "passport matches", sc) // newer, under the other ref
		decide("app_1", "200", models.VerdictEscalated, "unsure", sc)
		decide("app_2", "300", models.VerdictFalsePositive, "other subject", sc)
		decide("app_1", "400", models.VerdictFalsePositive, "other mode", db.Scope{AccountID: sc.AccountID, Mode: models.ModeLive})

		got, err := s.ScreeningDecisions(ctx, sc, []string{"app_1", "cust-1"})
		require.NoError(t, err)
		require.Len(t, got, 2)
		byID := map[string]models.ScreeningDecision{}
		for _, d := range got {
			byID[d.SourceID] = d
		}
		require.Equal(t, models.VerdictTrueMatch, byID["100"].Verdict, "the newest verdict wins across refs")
		require.Equal(t, models.VerdictEscalated, byID["200"].Verdict)
		reason, err := s.OpenDecisionReason(&got[0])
		require.NoError(t, err)
		require.Contains(t, []string{"passport matches", "unsure"}, reason)
		require.NotContains(t, string(got[0].ReasonSealed), reason, "the reason is sealed at rest")
		none, err := s.ScreeningDecisions(ctx, sc, nil)
		require.NoError(t, err)
		require.Empty(t, none)

		// Applicants: a approved+screened, b needs_review then a later rejection, c approved without
		// screening, d approved then a pending re-verification, e approved in the live mode.
		mk := func(sc db.Scope, checks string, statuses ...models.Status) (string, []string) {
			var app string
			var ids []string
			require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				a, err := tx.FindOrCreateApplicant(ctx, sc, nil, nil)
				if err != nil {
					return err
				}
				app = a.ID
				for _, st := range statuses {
					v := newVerification(s, sc, a.ID)
					v.Status, v.Checks = st, checks
					if err := tx.InsertVerification(ctx, v); err != nil {
						return err
					}
					ids = append(ids, v.ID)
				}
				return nil
			}))
			return app, ids
		}
		_, a := mk(sc, `["screening"]`, models.StatusRejected, models.StatusApproved)
		mk(sc, `["document","screening"]`, models.StatusNeedsReview, models.StatusRejected)
		mk(sc, `["document"]`, models.StatusApproved)
		_, d := mk(sc, `["screening"]`, models.StatusApproved, models.StatusPending)
		_, e := mk(db.Scope{AccountID: sc.AccountID, Mode: models.ModeLive}, `["screening"]`, models.StatusApproved)
		appB, _ := mk(sc, `["screening"]`, models.StatusNeedsReview)

		var seen []string
		after, pages := "", 0
		for {
			page, next, err := s.MonitoredVerifications(ctx, after, 2)
			require.NoError(t, err)
			pages++
			for _, v := range page {
				seen = append(seen, v.ID)
			}
			if next == "" {
				break
			}
			after = next
		}
		require.Equal(t, 4, pages, "6 applicants, 2 a page, and an empty last page")
		require.Len(t, seen, 4)
		require.Contains(t, seen, a[1])
		require.Contains(t, seen, d[0], "a pending re-verification does not hide the approved one")
		require.Contains(t, seen, e[0])

		alert := func(app, fp string) bool {
			var isNew bool
			require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				var err error
				isNew, err = tx.InsertScreeningAlert(ctx, &models.ScreeningAlert{AccountID: sc.AccountID, Mode: sc.Mode, ApplicantID: app,
					VerificationID: "ver_x", Source: "ofac_sdn", SourceID: "100", Fingerprint: fp, Score: 0.9, Cause: "manual"})
				return err
			}))
			return isNew
		}
		require.True(t, alert(appB, "fp1"))
		require.False(t, alert(appB, "fp1"), "raised once")
		require.True(t, alert(appB, "fp2"), "a changed entity is a new alert")
		alerts, err := s.ScreeningAlerts(ctx, sc, appB)
		require.NoError(t, err)
		require.Len(t, alerts, 2)
	})
}
