package verify

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/db/dbtest"
	"github.com/kycd/kycd/models"
)

func TestBiometricsConfigDefaultsAndErrors(t *testing.T) {
	t.Parallel()
	c, err := BiometricsConfig{}.withDefaults()
	require.NoError(t, err)
	require.Equal(t, DefaultDuplicateThreshold, c.DuplicateThreshold)
	require.Equal(t, 2*time.Minute, c.ChallengeTTL)
	require.Equal(t, 3, c.ChallengeLength)
	require.Equal(t, 18, c.DefaultMinAge)
	require.Len(t, c.ChallengeSteps, 5)
	require.Equal(t, 3, c.MaxChallenges)
	require.Positive(t, c.MaxConcurrent)

	for name, bad := range map[string]BiometricsConfig{
		"negative band":       {MatchReviewBand: -0.1},
		"duplicate above 1":   {DuplicateThreshold: 1.5},
		"ttl too short":       {ChallengeTTL: time.Second},
		"unknown step":        {ChallengeSteps: []liveness.Step{"smile"}},
		"no turn in the pool": {ChallengeSteps: []liveness.Step{liveness.Blink, liveness.LookStraight}},
		// A still photo can be warped into turns: a pool without blink or open_mouth is refused.
		"no non-rigid step":    {ChallengeSteps: []liveness.Step{liveness.TurnLeft, liveness.TurnRight, liveness.LookStraight}},
		"challenge too long":   {ChallengeLength: 9},
		"challenge too short":  {ChallengeLength: 1},
		"no challenge allowed": {MaxChallenges: -1},
		"impossible min age":   {DefaultMinAge: 200},
		"negative review band": {MatchReviewBand: -1},
	} {
		_, err := bad.withDefaults()
		require.Error(t, err, name)
	}
}

func TestNewChallengeSteps(t *testing.T) {
	t.Parallel()
	cfg, err := BiometricsConfig{}.withDefaults()
	require.NoError(t, err)
	b := &Biometrics{cfg: cfg}
	seen := map[string]bool{}
	nonRigidAt := map[int]int{}
	for range 600 {
		steps, err := b.NewChallengeSteps()
		require.NoError(t, err)
		require.Len(t, steps, 3)
		turn, nonRigid := false, false
		for i, s := range steps {
			require.Contains(t, cfg.ChallengeSteps, s)
			if i > 0 {
				require.NotEqual(t, steps[i-1], s, "no step twice in a row")
			}
			turn = turn || liveness.IsTurn(s)
			if liveness.NonRigid(s) {
				nonRigid = true
				nonRigidAt[i]++
			}
		}
		require.True(t, turn, "every challenge has a head turn: %v", steps)
		require.True(t, nonRigid, "every challenge has a blink or an open mouth: %v", steps)
		seen[string(steps[0])+string(steps[1])+string(steps[2])] = true
	}
	// 5 steps, no repeats in a row, a turn and a non-rigid step: 56 sequences; 600 draws see most.
	require.Greater(t, len(seen), 40, "challenges must not be predictable")
	for i := range 3 {
		require.Greater(t, nonRigidAt[i], 100, "the non-rigid action comes at any position: %v", nonRigidAt)
	}

	two := &Biometrics{cfg: BiometricsConfig{ChallengeSteps: []liveness.Step{liveness.TurnLeft, liveness.Blink}, ChallengeLength: 3}}
	steps, err := two.NewChallengeSteps()
	require.NoError(t, err)
	require.Contains(t, [][]liveness.Step{{liveness.TurnLeft, liveness.Blink, liveness.TurnLeft}, {liveness.Blink, liveness.TurnLeft, liveness.Blink}}, steps)
}

func TestDedupeOwner(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		checks []models.Check
		want   models.Check
	}{
		{[]models.Check{models.CheckAge, models.CheckLiveness, models.CheckFaceMatch}, models.CheckFaceMatch},
		{[]models.Check{models.CheckAge, models.CheckLiveness}, models.CheckLiveness},
		{[]models.Check{models.CheckScreening, models.CheckAge}, models.CheckAge},
		{[]models.Check{models.CheckScreening, models.CheckDocument}, ""},
	} {
		require.Equal(t, tc.want, dedupeOwner(tc.checks), "%v", tc.checks)
	}
}

func TestAgeFromDOB(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	maxAge := 65
	for _, tc := range []struct {
		dob     string
		min     int
		max     *int
		age     int
		outcome models.Outcome
		code    string
	}{
		{"2008-03-10", 18, nil, 18, models.OutcomePass, ""},                  // 18th birthday today
		{"2008-03-11", 18, nil, 17, models.OutcomeFail, "age_below_minimum"}, // tomorrow
		{"2008-02-29", 18, nil, 18, models.OutcomePass, ""},                  // leap-day birthday passed
		{"1960-01-01", 18, &maxAge, 66, models.OutcomeFail, "age_above_maximum"},
		{"1961-03-11", 18, &maxAge, 64, models.OutcomePass, ""},
	} {
		out, err := ageFromDOB(tc.dob, now, tc.min, tc.max, &models.CheckOutcome{Details: map[string]any{}})
		require.NoError(t, err, tc.dob)
		require.Equal(t, tc.age, out.Details["age"], tc.dob)
		require.Equal(t, tc.outcome, out.Outcome, tc.dob)
		if tc.code != "" {
			require.Equal(t, tc.code, out.Reasons[0].Code)
		}
	}
	_, err := ageFromDOB("10.03.2008", now, 18, nil, &models.CheckOutcome{Details: map[string]any{}})
	require.Error(t, err)
}

func TestWorse(t *testing.T) {
	t.Parallel()
	require.Equal(t, models.OutcomeReview, worse(models.OutcomePass, models.OutcomeReview))
	require.Equal(t, models.OutcomeFail, worse(models.OutcomeFail, models.OutcomeReview))
	require.Equal(t, models.OutcomePass, worse(models.OutcomePass, models.OutcomePass))
}

func TestDocumentDuplicate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, s *db.Store) {
		ctx := context.Background()
		require.NoError(t, s.EnsureAccount(ctx, "acct_a", "A"))
		b := &Biometrics{store: s}
		sc := db.Scope{AccountID: "acct_a", Mode: models.ModeTest}
		newV := func() *models.Verification {
			var v *models.Verification
			require.NoError(t, s.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
				a, err := tx.FindOrCreateApplicant(ctx, sc, nil, nil)
				if err != nil {
					return err
				}
				now := s.Now()
				sealed, _ := s.Keyring().Seal([]byte("t"))
				v = &models.Verification{ID: db.NewID("ver", now), Reference: "VER-" + db.RandomBase62(8), AccountID: sc.AccountID, Mode: sc.Mode,
					APIKeyID: "key_x", ApplicantID: a.ID, Status: models.StatusProcessing, Checks: `["face_match"]`, Metadata: "{}",
					TokenHash: db.HashSecret(db.RandomBase62(20)), TokenSealed: sealed, ExpiresAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
				return tx.InsertVerification(ctx, v)
			}))
			return v
		}
		erika := &DocumentFacts{Number: "C01X00T47", IssuingCountry: "D", FullName: "Erika Mustermann", DateOfBirth: "1964-08-12"}
		v1, v2, v3 := newV(), newV(), newV()
		dup, err := b.DocumentDuplicate(ctx, v1, erika)
		require.NoError(t, err)
		require.Nil(t, dup)
		// The same person again, written a little differently: not a duplicate.
		again := *erika
		again.Number, again.FullName = "c01x00t47 ", "ERIKA  MUSTERMANN"
		dup, err = b.DocumentDuplicate(ctx, v2, &again)
		require.NoError(t, err)
		require.Nil(t, dup)
		// The same number and country with another identity is.
		mallory := *erika
		mallory.FullName = "Mallory Mustermann"
		dup, err = b.DocumentDuplicate(ctx, v3, &mallory)
		require.NoError(t, err)
		require.NotNil(t, dup)
		require.Equal(t, v1.ID, dup.VerificationID)
		// Another issuing country is another document.
		other := mallory
		other.IssuingCountry = "NLD"
		dup, err = b.DocumentDuplicate(ctx, newV(), &other)
		require.NoError(t, err)
		require.Nil(t, dup)
		_, err = b.DocumentDuplicate(ctx, v1, &DocumentFacts{})
		require.Error(t, err)
	})
}

func TestThresholdBands(t *testing.T) {
	t.Parallel()
	th := resolveThresholds(face.DefaultMatchThreshold, 0, 0, 0.5) // the bundled model's calibration
	require.InDelta(t, 0.90, th.MatchReject, 1e-9)
	require.InDelta(t, 0.95, th.ReverifyMatch, 1e-9)
	require.InDelta(t, 0.946, th.ReverifyReject, 1e-9, "below the first-time accept a re-verification fails")
	for score, band := range map[float64]string{0.95: BandAccept, 0.946: BandAccept, 0.945: BandReview, 0.92: BandReview, 0.90: BandReview, 0.899: BandReject} {
		require.Equal(t, band, th.Band(score), "%.3f", score)
	}
	rv := th.ForReverify()
	for score, band := range map[float64]string{0.96: BandAccept, 0.95: BandAccept, 0.948: BandReview, 0.946: BandReview, 0.945: BandReject} {
		require.Equal(t, band, rv.Band(score), "reverify %.3f", score)
	}
	// Explicit values win, but never invert the order: a reject above accept falls back to
	// the band, a reverify threshold below the first-time accept is raised to it.
	th = resolveThresholds(0.946, 0.85, 0.97, 0.5)
	require.InDelta(t, 0.85, th.MatchReject, 1e-9)
	require.InDelta(t, 0.97, th.ReverifyMatch, 1e-9)
	th = resolveThresholds(0.946, 0.96, 0.20, 0.5)
	require.InDelta(t, 0.90, th.MatchReject, 1e-9)
	require.InDelta(t, 0.946, th.ReverifyMatch, 1e-9)

	out, reasons := matchOutcome(MatchVerdict{Scored: true, Score: 0.35, Threshold: 0.4, RejectThreshold: 0.3, Band: BandReview}, "document", "")
	require.Equal(t, models.OutcomeReview, out)
	require.Equal(t, "face_match_uncertain", reasons[0].Code)
	out, reasons = matchOutcome(MatchVerdict{Scored: true, Score: 0.2, Threshold: 0.4, RejectThreshold: 0.3, Band: BandReject}, "chip portrait", "nfc_")
	require.Equal(t, models.OutcomeFail, out)
	require.Equal(t, "nfc_face_mismatch", reasons[0].Code)
	out, _ = matchOutcome(MatchVerdict{Scored: true, Score: 0.5, Threshold: 0.4, RejectThreshold: 0.3, Band: BandAccept}, "document", "")
	require.Equal(t, models.OutcomePass, out)

	// The cross-check only ever turns an accept into a review, with its own reason.
	cc := &CrossCheckVerdict{Model: "fr_feature@x", Score: 0.41, Threshold: 0.503}
	vetoed := MatchVerdict{Scored: true, Match: true, Score: 0.95, Threshold: 0.946, RejectThreshold: 0.90, Band: BandAccept}
	vetoed.withCrossCheck(cc)
	require.True(t, vetoed.Vetoed)
	require.False(t, vetoed.Match)
	require.Equal(t, BandReview, vetoed.Band)
	out, reasons = matchOutcome(vetoed, "document", "")
	require.Equal(t, models.OutcomeReview, out)
	require.Equal(t, "face_match_models_disagree", reasons[0].Code)
	require.Contains(t, reasons[0].Message, "0.410 < 0.503")
	below := MatchVerdict{Scored: true, Score: 0.92, Threshold: 0.946, RejectThreshold: 0.90, Band: BandReview}
	below.withCrossCheck(cc)
	require.False(t, below.Vetoed)
	_, reasons = matchOutcome(below, "document", "")
	require.Equal(t, "face_match_uncertain", reasons[0].Code, "in the review band already: the plain review reason")
	rejected := MatchVerdict{Scored: true, Score: 0.5, Threshold: 0.946, RejectThreshold: 0.90, Band: BandReject}
	rejected.withCrossCheck(&CrossCheckVerdict{Score: 0.9, Threshold: 0.503, Agrees: true})
	require.Equal(t, BandReject, rejected.Band, "the cross-check never rescues a mismatch")
	for _, c := range []*CrossCheckVerdict{{Score: 0.6, Threshold: 0.503, Agrees: true}, nil} {
		ok := MatchVerdict{Scored: true, Match: true, Score: 0.95, Threshold: 0.946, Band: BandAccept}
		ok.withCrossCheck(c)
		require.True(t, ok.Match, "agreeing or absent: the accept stands")
		require.Equal(t, BandAccept, ok.Band)
	}

	require.True(t, acceptBand(MatchVerdict{Band: BandAccept}))
	require.True(t, acceptBand(map[string]any{"band": "accept"}))
	require.False(t, acceptBand(MatchVerdict{Band: BandReview}))
	require.False(t, acceptBand(nil), "no match details: no identity token")
}
