package verify

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

// portraitCheck needs a document portrait, as face match does, and counts its Missing calls.
type portraitCheck struct {
	s     *db.Store
	calls atomic.Int32
}

func (c *portraitCheck) Missing(in *CheckInput) []string {
	c.calls.Add(1)
	v := in.Verification
	if _, err := c.s.LatestArtifact(context.Background(), scopeOf(v), v.ID, models.ArtifactDocumentPortrait); err == nil {
		return nil
	}
	return []string{needPortrait}
}

func (c *portraitCheck) Run(context.Context, *CheckInput) (*models.CheckOutcome, error) {
	return &models.CheckOutcome{Outcome: models.OutcomePass}, nil
}

// A submit right after a document upload waits for the upload's reading, which cuts out the
// portrait, instead of calling the portrait missing; once the reading is done, a portrait
// still missing is missing at once.
func TestMissingAfterReadingWaitsForThePortrait(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		chk := &portraitCheck{s: s}
		svc := newTestService(s, Options{Checks: map[models.Check]CheckRunner{models.CheckFaceMatch: chk}})
		upload := func(v *models.Verification, kind models.ArtifactKind, analysis any) *models.Artifact {
			a := &models.Artifact{AccountID: sc.AccountID, Mode: sc.Mode, VerificationID: v.ID, Kind: kind, ContentType: "image/jpeg"}
			require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				return tx.InsertArtifact(ctx, a, []byte("jpeg of "+string(kind)), analysis)
			}))
			return a
		}
		newV := func() *models.Verification {
			v := newTestVerification(s, sc, "")
			v.Checks = `["face_match"]`
			require.NoError(t, create(ctx, svc, v, models.ApplicantData{Name: "Erika Mustermann"}))
			return v
		}

		// Being read: the reading lands (portrait, then the front's analysis) while submit waits.
		v := newV()
		front := upload(v, models.ArtifactDocumentFront, nil)
		go func() {
			time.Sleep(300 * time.Millisecond)
			upload(v, models.ArtifactDocumentPortrait, map[string]any{})
			_ = s.SetArtifactAnalysis(context.Background(), sc, front.ID, map[string]any{"read": true})
		}()
		missing, err := svc.MissingAfterReading(ctx, v, false, time.Minute)
		require.NoError(t, err)
		require.Empty(t, missing, "the reading was awaited")

		// Read, and no portrait came out of it: missing, asked once.
		v2 := newV()
		upload(v2, models.ArtifactDocumentFront, map[string]any{"read": true})
		chk.calls.Store(0)
		missing, err = svc.MissingAfterReading(ctx, v2, false, time.Minute)
		require.NoError(t, err)
		require.Equal(t, []string{"face_match: " + needPortrait}, missing)
		require.EqualValues(t, 1, chk.calls.Load(), "nothing to wait for")

		// No document at all: missing at once too.
		v3 := newV()
		chk.calls.Store(0)
		missing, err = svc.MissingAfterReading(ctx, v3, false, time.Minute)
		require.NoError(t, err)
		require.Len(t, missing, 1)
		require.EqualValues(t, 1, chk.calls.Load())
	})
}
