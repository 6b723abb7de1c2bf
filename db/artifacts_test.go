package db_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

func TestArtifacts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		require.NoError(t, s.EnsureAccount(ctx, "acct_b", "B"))
		a := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		v := insert(t, s, a)
		image := []byte("\xff\xd8\xff\xe0 not really a jpeg, but bytes are bytes")

		var art models.Artifact
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			art = models.Artifact{AccountID: a.AccountID, Mode: a.Mode, VerificationID: v.ID, Kind: models.ArtifactSelfie, ContentType: "image/jpeg"}
			return tx.InsertArtifact(ctx, &art, image, map[string]any{"score": 0.5})
		}))
		sum := sha256.Sum256(image)
		require.Equal(t, hex.EncodeToString(sum[:]), art.SHA256)
		require.Equal(t, len(image), art.Size)
		require.Regexp(t, `^art_`, art.ID)

		// Stored encrypted: the raw column never holds the plaintext.
		var raw []byte
		require.NoError(t, s.DB.NewSelect().Model((*models.Artifact)(nil)).Column("data").Where("id = ?", art.ID).Scan(ctx, &raw))
		require.False(t, bytes.Contains(raw, image[4:20]), "image stored in clear")

		got, err := s.LatestArtifact(ctx, a, v.ID, models.ArtifactSelfie)
		require.NoError(t, err)
		img, err := s.ArtifactImage(got)
		require.NoError(t, err)
		require.Equal(t, image, img)
		var an map[string]float64
		ok, err := s.ArtifactAnalysis(got, &an)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, 0.5, an["score"])

		// Newest wins; other scopes see nothing.
		var second models.Artifact
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			second = models.Artifact{AccountID: a.AccountID, Mode: a.Mode, VerificationID: v.ID, Kind: models.ArtifactSelfie, ContentType: "image/png"}
			return tx.InsertArtifact(ctx, &second, []byte("second"), nil)
		}))
		got, err = s.LatestArtifact(ctx, a, v.ID, models.ArtifactSelfie)
		require.NoError(t, err)
		require.Equal(t, second.ID, got.ID)
		ok, err = s.ArtifactAnalysis(got, &an)
		require.NoError(t, err)
		require.False(t, ok)
		require.NoError(t, s.SetArtifactAnalysis(ctx, a, second.ID, map[string]float64{"score": 0.25}))
		got, err = s.GetArtifact(ctx, a, second.ID)
		require.NoError(t, err)
		ok, err = s.ArtifactAnalysis(got, &an)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, 0.25, an["score"])

		for _, other := range []db.Scope{{AccountID: "acct_a", Mode: models.ModeLive}, {AccountID: "acct_b", Mode: models.ModeTest}} {
			_, err := s.LatestArtifact(ctx, other, v.ID, models.ArtifactSelfie)
			require.ErrorIs(t, err, db.ErrNotFound)
			_, err = s.GetArtifact(ctx, other, art.ID)
			require.ErrorIs(t, err, db.ErrNotFound)
			require.ErrorIs(t, s.SetArtifactAnalysis(ctx, other, art.ID, 1), db.ErrNotFound)
		}
		_, err = s.LatestArtifact(ctx, a, v.ID, models.ArtifactDocumentPortrait)
		require.ErrorIs(t, err, db.ErrNotFound)

		list, err := s.ListArtifacts(ctx, a, v.ID)
		require.NoError(t, err)
		require.Len(t, list, 2)
		require.Equal(t, art.ID, list[0].ID)
		require.Nil(t, list[0].Data, "listing leaves the sealed image out")

		// Purged images say so.
		_, err = s.ArtifactImage(&models.Artifact{ID: "art_x"})
		require.ErrorIs(t, err, db.ErrPurged)

		// Bad input is an error, not a row.
		require.Error(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.InsertArtifact(ctx, &models.Artifact{VerificationID: v.ID, Kind: models.ArtifactSelfie, ContentType: "image/png"}, nil, nil)
		}))
		require.Error(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return tx.InsertArtifact(ctx, &models.Artifact{AccountID: a.AccountID, Mode: a.Mode, VerificationID: v.ID, Kind: "passport_photo", ContentType: "image/png"}, []byte("x"), nil)
		}), "the kind is constrained by the table")

		// Replay lookup by hash, excluding the challenge being submitted.
		var frame models.Artifact
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			frame = models.Artifact{AccountID: a.AccountID, Mode: a.Mode, VerificationID: v.ID, Kind: models.ArtifactLivenessFrame,
				ChallengeID: "lch_1", Seq: 0, ContentType: "image/jpeg"}
			return tx.InsertArtifact(ctx, &frame, []byte("frame-0"), nil)
		}))
		seen, err := s.SeenImage(ctx, a, models.ArtifactLivenessFrame, []string{"00", frame.SHA256}, "lch_2")
		require.NoError(t, err)
		require.Equal(t, frame.SHA256, seen)
		seen, err = s.SeenImage(ctx, a, models.ArtifactLivenessFrame, []string{frame.SHA256}, "lch_1")
		require.NoError(t, err)
		require.Empty(t, seen)
		seen, err = s.SeenImage(ctx, db.Scope{AccountID: "acct_b", Mode: models.ModeTest}, models.ArtifactLivenessFrame, []string{frame.SHA256}, "")
		require.NoError(t, err)
		require.Empty(t, seen, "another account's frames are not a replay here")
		frames, err := s.ArtifactFrames(ctx, a, "lch_1")
		require.NoError(t, err)
		require.Len(t, frames, 1)

		// Perceptual hashes of earlier frames, for replays whose bytes changed.
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			for i, h := range []string{"00ff00ff00ff00ff", "0123456789abcdef"} {
				f := models.Artifact{AccountID: a.AccountID, Mode: a.Mode, VerificationID: v.ID, Kind: models.ArtifactLivenessFrame,
					ChallengeID: "lch_3", Seq: i, ContentType: "image/jpeg", PHash: h}
				if err := tx.InsertArtifact(ctx, &f, []byte{byte(i), 3}, nil); err != nil {
					return err
				}
			}
			return nil
		}))
		hashes, err := s.FrameHashes(ctx, a, "lch_9", s.Now().Add(-time.Hour), 100)
		require.NoError(t, err)
		require.Len(t, hashes, 2, "frames without a perceptual hash are left out")
		require.ElementsMatch(t, []string{"00ff00ff00ff00ff", "0123456789abcdef"}, []string{hashes[0].PHash, hashes[1].PHash})
		require.Equal(t, v.ID, hashes[0].VerificationID)
		require.Equal(t, "lch_3", hashes[0].ChallengeID)
		hashes, err = s.FrameHashes(ctx, a, "lch_3", s.Now().Add(-time.Hour), 100)
		require.NoError(t, err)
		require.Empty(t, hashes, "the capture being judged is not its own replay")
		hashes, err = s.FrameHashes(ctx, a, "lch_9", s.Now().Add(time.Hour), 100)
		require.NoError(t, err)
		require.Empty(t, hashes, "only frames inside the window")
		hashes, err = s.FrameHashes(ctx, a, "lch_9", s.Now().Add(-time.Hour), 1)
		require.NoError(t, err)
		require.Len(t, hashes, 1)
		hashes, err = s.FrameHashes(ctx, db.Scope{AccountID: "acct_b", Mode: models.ModeTest}, "", s.Now().Add(-time.Hour), 100)
		require.NoError(t, err)
		require.Empty(t, hashes, "another account's frames are not compared")
	})
}

func TestIssueChallengeLimit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		a := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		v := insert(t, s, a)
		issue := func(i int) error {
			c := &models.LivenessChallenge{AccountID: a.AccountID, Mode: a.Mode, VerificationID: v.ID, Steps: `["turn_left","blink"]`,
				IssuedTo: "key:key_1", ExpiresAt: s.Now().Add(time.Minute)}
			return s.IssueChallenge(ctx, a, c, fmt.Sprintf("lvn_%d", i), 2)
		}
		require.NoError(t, issue(1))
		require.NoError(t, issue(2))
		require.ErrorIs(t, issue(3), db.ErrChallengeLimit)
		n, passed, err := s.CountChallenges(ctx, a, v.ID)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		require.False(t, passed)
		got, err := s.GetChallengeByNonce(ctx, a, "lvn_2")
		require.NoError(t, err)
		require.Equal(t, "key:key_1", got.IssuedTo)
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error { return tx.UseChallenge(ctx, a, got.ID, s.Now()) }))
		require.NoError(t, s.SetChallengeResult(ctx, a, got.ID, true, map[string]any{}))
		_, passed, err = s.CountChallenges(ctx, a, v.ID)
		require.NoError(t, err)
		require.True(t, passed)
		// Another verification has its own count; an unknown one is not found.
		require.ErrorIs(t, s.IssueChallenge(ctx, a, &models.LivenessChallenge{AccountID: a.AccountID, Mode: a.Mode, VerificationID: "ver_nope",
			Steps: `["blink"]`, ExpiresAt: s.Now().Add(time.Minute)}, "lvn_x", 2), db.ErrNotFound)
	})
}

func TestLivenessChallengeRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		a := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		v := insert(t, s, a)
		now := s.Now()
		newChallenge := func(nonce string, ttl time.Duration) *models.LivenessChallenge {
			c := &models.LivenessChallenge{AccountID: a.AccountID, Mode: a.Mode, VerificationID: v.ID, Steps: `["turn_left"]`, ExpiresAt: now.Add(ttl)}
			require.NoError(t, s.InsertChallenge(ctx, c, nonce))
			return c
		}
		use := func(id string, at time.Time) error {
			return s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error { return tx.UseChallenge(ctx, a, id, at) })
		}

		c := newChallenge("lvn_one", time.Minute)
		require.NotContains(t, c.NonceHash, "lvn_one")
		got, err := s.GetChallengeByNonce(ctx, a, "lvn_one")
		require.NoError(t, err)
		require.Equal(t, c.ID, got.ID)
		_, err = s.GetChallengeByNonce(ctx, a, "lvn_two")
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.GetChallengeByNonce(ctx, db.Scope{AccountID: "acct_a", Mode: models.ModeLive}, "lvn_one")
		require.ErrorIs(t, err, db.ErrNotFound, "a nonce is bound to its account and mode")

		// A result can only be stored on a used challenge.
		require.ErrorIs(t, s.SetChallengeResult(ctx, a, c.ID, true, map[string]any{}), db.ErrNotFound)

		// Once, before the deadline.
		require.NoError(t, use(c.ID, now.Add(30*time.Second)))
		require.ErrorIs(t, use(c.ID, now.Add(31*time.Second)), db.ErrChallengeUsed)
		require.NoError(t, s.SetChallengeResult(ctx, a, c.ID, true, map[string]any{"passed": true}))
		latest, err := s.LatestChallengeResult(ctx, a, v.ID)
		require.NoError(t, err)
		require.Equal(t, c.ID, latest.ID)
		require.True(t, *latest.Passed)

		expired := newChallenge("lvn_late", time.Minute)
		require.ErrorIs(t, use(expired.ID, now.Add(time.Minute)), db.ErrChallengeExpired, "the deadline itself is too late")
		require.ErrorIs(t, use(expired.ID, now.Add(2*time.Minute)), db.ErrChallengeExpired)

		// Concurrent submissions of one nonce: exactly one wins.
		race := newChallenge("lvn_race", time.Minute)
		var wg sync.WaitGroup
		errs := make([]error, 6)
		for i := range errs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				errs[i] = use(race.ID, now.Add(time.Second))
			}(i)
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, db.ErrChallengeUsed):
			default:
				// SQLite may report a busy database under contention; that is a refusal too.
				require.NotErrorIs(t, err, db.ErrChallengeExpired)
			}
		}
		require.Equal(t, 1, wins)
	})
}

func TestFaceEnrollmentsAndIdentityTokens(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		require.NoError(t, s.EnsureAccount(ctx, "acct_b", "B"))
		a := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		b := db.Scope{AccountID: "acct_b", Mode: models.ModeTest}
		va1, va2, vb := insert(t, s, a), insert(t, s, a), insert(t, s, b)
		enroll := func(v *models.Verification, model string, emb []byte) bool {
			var added bool
			require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				var err error
				added, err = tx.EnrollFace(ctx, &models.FaceEnrollment{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID,
					ApplicantID: v.ApplicantID, Model: model}, emb)
				return err
			}))
			return added
		}
		require.True(t, enroll(va1, "m1", []byte("emb-a1")))
		require.False(t, enroll(va1, "m1", []byte("emb-a1-again")), "enrolling twice keeps the first")
		require.True(t, enroll(va2, "m2", []byte("emb-a2")))
		require.True(t, enroll(vb, "m1", []byte("emb-b")))

		collect := func(sc *db.Scope, model, after string) (map[string]string, string) {
			out := map[string]string{}
			last, err := s.FaceEnrollments(ctx, sc, model, after, func(e *models.FaceEnrollment, emb []byte) error {
				out[e.VerificationID] = string(emb)
				return nil
			})
			require.NoError(t, err)
			return out, last
		}
		got, last := collect(&a, "m1", "")
		require.Equal(t, map[string]string{va1.ID: "emb-a1"}, got)
		all, _ := collect(nil, "m1", "")
		require.Len(t, all, 2)
		again, last2 := collect(&a, "m1", last)
		require.Empty(t, again, "the cursor returns only newer enrollments")
		require.Equal(t, last, last2)

		// Identity tokens: issued once, looked up by secret in scope, revoked for good.
		var token string
		require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			var err error
			token, _, err = tx.IssueIdentityToken(ctx, va1, db.IdentityFace{Model: "m1", Embedding: []byte("ref-emb"), CrossCheckModel: "c1", CrossCheck: []byte("cross-emb")})
			return err
		}))
		require.Regexp(t, `^rid_[0-9A-Za-z]{40}$`, token)
		err := s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, _, err := tx.IssueIdentityToken(ctx, va1, db.IdentityFace{Model: "m1", Embedding: []byte("ref-emb")})
			return err
		})
		require.ErrorIs(t, err, db.ErrConflict)
		row, err := s.GetVerification(ctx, a, va1.ID)
		require.NoError(t, err)
		plain, err := s.Keyring().Open(row.IdentityToken)
		require.NoError(t, err)
		require.Equal(t, token, string(plain))

		tok, emb, err := s.LookupIdentityToken(ctx, a, token)
		require.NoError(t, err)
		require.Equal(t, "ref-emb", string(emb))
		require.Equal(t, "c1", tok.CrossCheckModel)
		require.Equal(t, "cross-emb", string(tok.CrossCheckOpen))
		require.NotContains(t, string(tok.CrossCheck), "cross-emb", "stored sealed")
		require.Equal(t, va1.ID, tok.VerificationID)
		_, _, err = s.LookupIdentityToken(ctx, b, token)
		require.ErrorIs(t, err, db.ErrNotFound)
		_, err = s.RevokeIdentityToken(ctx, b, token)
		require.ErrorIs(t, err, db.ErrNotFound)

		rev, err := s.RevokeIdentityToken(ctx, a, token)
		require.NoError(t, err)
		require.NotNil(t, rev.RevokedAt)
		later := rev.RevokedAt.Add(time.Hour)
		s.SetClock(func() time.Time { return later })
		rev2, err := s.RevokeIdentityToken(ctx, a, token)
		require.NoError(t, err)
		require.WithinDuration(t, *rev.RevokedAt, *rev2.RevokedAt, time.Millisecond, "revoking twice keeps the first time")
		_, _, err = s.LookupIdentityToken(ctx, a, token)
		require.ErrorIs(t, err, db.ErrConflict)
		_, _, err = s.IdentityTokenFor(ctx, a, va1.ID)
		require.ErrorIs(t, err, db.ErrConflict)
		row, err = s.GetVerification(ctx, a, va1.ID)
		require.NoError(t, err)
		require.Nil(t, row.IdentityToken, "a revoked token is no longer shown")
	})
}

func TestDocumentUses(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		a := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		v1, v2, v3 := insert(t, s, a), insert(t, s, a), insert(t, s, a)
		use := func(v *models.Verification, number, identity string) *models.DocumentUse {
			other, err := s.RecordDocumentUse(ctx, &models.DocumentUse{AccountID: a.AccountID, Mode: a.Mode, NumberHash: number,
				IdentityHash: identity, VerificationID: v.ID, ApplicantID: v.ApplicantID})
			require.NoError(t, err)
			return other
		}
		require.Nil(t, use(v1, "n1", "erika"))
		require.Nil(t, use(v2, "n1", "erika"), "the same identity may present its document again")
		other := use(v3, "n1", "mallory")
		require.NotNil(t, other)
		require.Equal(t, v1.ID, other.VerificationID)
		require.Nil(t, use(v3, "n2", "mallory"))
		_, err := s.RecordDocumentUse(ctx, &models.DocumentUse{VerificationID: v1.ID})
		require.Error(t, err)
	})
}

// Retention purges the images of verifications that ended before the cutoff — never of open
// ones or of ones waiting for a reviewer — and keeps their metadata and analysis.
func TestPurgeImages(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		old := s.Now().Add(-48 * time.Hour)
		type tc struct {
			status  models.Status
			updated time.Time
			purged  bool
		}
		cases := []tc{
			{models.StatusApproved, old, true}, {models.StatusRejected, old, true}, {models.StatusExpired, old, true},
			{models.StatusCancelled, old, true}, {models.StatusApproved, s.Now(), false}, {models.StatusNeedsReview, old, false},
			{models.StatusPending, old, false}, {models.StatusProcessing, old, false},
		}
		arts := make([]string, len(cases))
		for i, c := range cases {
			v := insert(t, s, sc)
			_, err := s.DB.NewUpdate().Model((*models.Verification)(nil)).Set("status = ?", c.status).Set("updated_at = ?", c.updated).
				Where("id = ?", v.ID).Exec(ctx)
			require.NoError(t, err)
			require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				a := models.Artifact{AccountID: sc.AccountID, Mode: sc.Mode, VerificationID: v.ID, Kind: models.ArtifactSelfie, ContentType: "image/jpeg"}
				err := tx.InsertArtifact(ctx, &a, []byte("image of "+string(c.status)), map[string]any{"score": 0.5})
				arts[i] = a.ID
				return err
			}))
		}
		n, err := s.PurgeImages(ctx, s.Now().Add(-24*time.Hour))
		require.NoError(t, err)
		require.EqualValues(t, 4, n)
		for i, c := range cases {
			a, err := s.GetArtifact(ctx, sc, arts[i])
			require.NoError(t, err)
			_, err = s.ArtifactImage(a)
			if c.purged {
				require.ErrorIs(t, err, db.ErrPurged, "%s, ended long ago", c.status)
				require.NotNil(t, a.PurgedAt)
				require.NotEmpty(t, a.SHA256, "metadata stays")
				ok, err := s.ArtifactAnalysis(a, &map[string]float64{})
				require.NoError(t, err)
				require.True(t, ok, "the analysis stays")
			} else {
				require.NoError(t, err, "%s updated %v: kept", c.status, c.updated)
				require.Nil(t, a.PurgedAt)
			}
		}
		n, err = s.PurgeImages(ctx, s.Now().Add(-24*time.Hour))
		require.NoError(t, err)
		require.Zero(t, n, "a second sweep finds nothing")
	})
}
