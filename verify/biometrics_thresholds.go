package verify

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/db"
)

// The face-match decision thresholds, in one place: a recalibration of the embedding model
// (docs/benchmarks/face.md) changes these constants and the face engine's match threshold,
// nothing else. All are cosine similarities of the current embedding model.
//
// A first verification compares a selfie with a document portrait:
//
//	score ≥ accept                 → pass
//	reject ≤ score < accept        → needs_review (both photos are the evidence)
//	score < reject                 → fail
//
// where accept is the engine's match threshold (--face-match-threshold, or the key's own) and
// reject = accept − DefaultMatchReviewBand unless the server or the key set it. A key's own
// accept threshold is never below the server's reject threshold: scores are the current
// embedding model's, and a key set against another model's scale (or set too low) would
// otherwise accept faces the model calls different people.
//
// A re-verification (reverify, a reusable identity token) replaces a whole document check with
// one selfie, so it is stricter: accept = first-time accept + DefaultReverifyMargin, and a score
// the first-time check would have accepted but this one does not is needs_review, not a pass.
// Anything below the first-time accept fails.
const (
	// DefaultMatchReviewBand is the width of the first-verification review band below the
	// accept threshold: the bundled model's calibration (accept 0.946, reject 0.90: below all but one
	// same-person score measured).
	DefaultMatchReviewBand = face.DefaultMatchThreshold - face.DefaultRejectThreshold
	// DefaultReverifyMargin is how much stricter a re-verification's accept threshold is than
	// a first verification's (0.95 with the bundled model).
	DefaultReverifyMargin = face.DefaultStrictMatchThreshold - face.DefaultMatchThreshold
	// DefaultDuplicateThreshold is the cosine at or above which another applicant's enrolled
	// face counts as the same person: a 1:N search meets far more impostors than a 1:1 match
	// (measured in docs/benchmarks/face.md and face-decisions.md).
	DefaultDuplicateThreshold = face.DefaultDuplicateThreshold
)

// Match bands: where a scored face comparison falls.
const (
	BandAccept = "accept"
	BandReview = "review"
	BandReject = "reject"
)

// Thresholds are one API key's biometric thresholds, resolved: the key's own where it set
// one, else the server's.
type Thresholds struct {
	// Match is the accept threshold of a first verification; MatchReject its reject
	// threshold (the review band is between them).
	Match, MatchReject float64
	// ReverifyMatch and ReverifyReject are the same pair for re-verifications (stricter).
	ReverifyMatch, ReverifyReject float64
	// Liveness is the passive-liveness threshold.
	Liveness float64
}

// ForReverify returns the thresholds a re-verification is judged by: its accept and reject
// thresholds in the Match and MatchReject slots.
func (t Thresholds) ForReverify() Thresholds {
	t.Match, t.MatchReject = t.ReverifyMatch, t.ReverifyReject
	return t
}

// Band says where a score falls.
func (t Thresholds) Band(score float64) string {
	switch {
	case score >= t.Match:
		return BandAccept
	case score >= t.MatchReject:
		return BandReview
	}
	return BandReject
}

// resolve fills the derived thresholds from the accept threshold and explicit overrides
// (0 = derive) and keeps them ordered: reject ≤ accept, reverify accept ≥ accept + margin
// unless set, reverify reject ≥ reject and ≤ reverify accept.
func resolveThresholds(match, reject, reverify, liveness float64) Thresholds {
	t := Thresholds{Match: match, MatchReject: reject, ReverifyMatch: reverify, Liveness: liveness}
	if t.MatchReject <= 0 || t.MatchReject > t.Match {
		t.MatchReject = t.Match - DefaultMatchReviewBand
	}
	if t.ReverifyMatch <= 0 {
		t.ReverifyMatch = t.Match + DefaultReverifyMargin
	}
	// Never laxer than a first verification, and never unreachable.
	t.ReverifyMatch = math.Min(math.Max(t.ReverifyMatch, t.Match), 0.999)
	t.ReverifyReject = math.Min(t.Match, t.ReverifyMatch)
	// Rounded so 0.40 − 0.10 is 0.30, not 0.30000000000000004.
	t.Match, t.MatchReject, t.ReverifyMatch, t.ReverifyReject = round3(t.Match), round3(t.MatchReject), round3(t.ReverifyMatch), round3(t.ReverifyReject)
	return t
}

// ThresholdsFor resolves the thresholds of the key that created a verification or made a call.
func (b *Biometrics) ThresholdsFor(ctx context.Context, keyID string) (Thresholds, error) {
	match, reject, reverify, live := b.eng.Threshold(), b.cfg.MatchRejectThreshold, b.cfg.ReverifyMatchThreshold, b.cfg.Liveness.PassiveThreshold
	if reject == 0 {
		reject = match - b.cfg.MatchReviewBand
	}
	if keyID != "" {
		m, l, err := b.store.KeyBiometricThresholds(ctx, keyID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return Thresholds{}, err
		}
		kr, kv, err := b.store.KeyFaceDecisionThresholds(ctx, keyID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return Thresholds{}, err
		}
		if m > 0 {
			// Floor: the server's reject threshold (see the package comment above).
			m = math.Max(m, reject)
			// A key that moves its accept threshold moves the derived ones with it, unless it
			// set them too.
			if b.cfg.MatchRejectThreshold == 0 {
				reject = m - b.cfg.MatchReviewBand
			}
			if b.cfg.ReverifyMatchThreshold == 0 {
				reverify = 0
			}
			match = m
		}
		if kr > 0 {
			reject = kr
		}
		if kv > 0 {
			reverify = kv
		}
		if l > 0 {
			live = l
		}
	}
	return resolveThresholds(match, reject, reverify, live), nil
}

// RequireActiveFor reports whether the liveness checks of a key's verifications need a passed
// active challenge: the server requires it for every key (RequireActive) or the key for its own.
func (b *Biometrics) RequireActiveFor(ctx context.Context, keyID string) (bool, error) {
	if b.cfg.RequireActive || keyID == "" {
		return b.cfg.RequireActive, nil
	}
	on, err := b.store.KeyRequiresActiveLiveness(ctx, keyID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return false, err
	}
	return on, nil
}

// validThreshold checks an optional threshold (0 = derive).
func validThreshold(name string, v float64) error {
	if v < 0 || v >= 1 || math.IsNaN(v) {
		return fmt.Errorf("biometrics: %s %v outside [0, 1)", name, v)
	}
	return nil
}
