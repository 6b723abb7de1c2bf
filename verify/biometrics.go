package verify

// Biometrics design notes. The face_match, liveness and age checks share one Biometrics (one
// engine, one inference semaphore); exactly one of them (dedupeOwner) runs duplicate detection,
// so a duplicate is reported once. Enrolment and reusable identities happen in a completion hook
// inside the transaction that records the decision, because they depend on the decision; the
// hook reads only through that transaction (on SQLite it owns the single connection).

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/kycd/kycd/checks/age"
	"github.com/kycd/kycd/checks/face"
	"github.com/kycd/kycd/checks/face/imaging"
	"github.com/kycd/kycd/checks/face/onnx"
	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
)

// BiometricsConfig tunes the face_match, liveness and age checks and the biometric tools.
// Zero values take the documented defaults.
type BiometricsConfig struct {
	// Liveness holds the passive threshold and the active-challenge thresholds.
	Liveness liveness.Config
	// MatchReviewBand: a face-match score within this distance below the accept threshold is
	// review rather than fail (default DefaultMatchReviewBand), because the model is not sharp
	// at its edge. MatchRejectThreshold, when set, is the reject threshold itself instead.
	MatchReviewBand      float64
	MatchRejectThreshold float64
	// ReverifyMatchThreshold is a re-verification's accept threshold (default: the accept
	// threshold + DefaultReverifyMargin; never below the first-time accept threshold).
	ReverifyMatchThreshold float64
	// DuplicateThreshold is the cosine at or above which another applicant's enrolled face
	// counts as the same person (default DefaultDuplicateThreshold).
	DuplicateThreshold float64
	// RequireActive makes the liveness check wait for a passed active challenge; without it
	// the passive score alone may pass a selfie.
	RequireActive bool
	// ChallengeTTL is how long a liveness challenge may be answered (default 2 minutes).
	ChallengeTTL time.Duration
	// ChallengeSteps is the pool challenge steps are drawn from (default: all of them) and
	// ChallengeLength how many are drawn (default 3, at least 2): every challenge holds a head
	// turn and a non-rigid action (blink, open_mouth), which no warp of a still photo makes,
	// at a random position.
	ChallengeSteps  []liveness.Step
	ChallengeLength int
	// MaxChallenges is how many liveness challenges one verification may be issued (default
	// 3): an attacker may not redraw until a challenge suits them. Once they are spent
	// without a pass, the liveness check goes to review.
	MaxChallenges int
	// DefaultMinAge is the age check's minimum when a verification sets no min_age (default 18).
	DefaultMinAge int
	// MaxConcurrent bounds concurrent inferences in this process (default GOMAXPROCS):
	// each uses a core, so more only queues inside ONNX Runtime.
	MaxConcurrent int
	// Documents supplies what the document check read (date of birth, document number);
	// nil = CheckInput.Document, the document check's reading (see DocumentFactsSource).
	Documents DocumentFactsSource
}

func (c BiometricsConfig) withDefaults() (BiometricsConfig, error) {
	if c.MatchReviewBand == 0 {
		c.MatchReviewBand = DefaultMatchReviewBand
	}
	if err := validThreshold("match reject threshold", c.MatchRejectThreshold); err != nil {
		return c, err
	}
	if err := validThreshold("reverify match threshold", c.ReverifyMatchThreshold); err != nil {
		return c, err
	}
	if c.MatchReviewBand < 0 || c.MatchReviewBand > 1 {
		return c, fmt.Errorf("biometrics: match review band %v outside [0, 1]", c.MatchReviewBand)
	}
	if c.DuplicateThreshold == 0 {
		c.DuplicateThreshold = DefaultDuplicateThreshold
	}
	if c.DuplicateThreshold <= 0 || c.DuplicateThreshold > 1 {
		return c, fmt.Errorf("biometrics: duplicate threshold %v outside (0, 1]", c.DuplicateThreshold)
	}
	if c.Documents == nil {
		c.Documents = func(_ context.Context, in *CheckInput) (*DocumentFacts, error) { return in.Document, nil }
	}
	if c.ChallengeTTL == 0 {
		c.ChallengeTTL = 2 * time.Minute
	}
	if c.ChallengeTTL < 10*time.Second || c.ChallengeTTL > time.Hour {
		return c, fmt.Errorf("biometrics: challenge TTL %v outside 10s..1h", c.ChallengeTTL)
	}
	if len(c.ChallengeSteps) == 0 {
		c.ChallengeSteps = append([]liveness.Step(nil), liveness.AllSteps...)
	}
	turn, nonRigid := false, false
	for _, s := range c.ChallengeSteps {
		if !slices.Contains(liveness.AllSteps, s) {
			return c, fmt.Errorf("biometrics: unknown challenge step %q", s)
		}
		turn = turn || liveness.IsTurn(s)
		nonRigid = nonRigid || liveness.NonRigid(s)
	}
	if !turn {
		return c, errors.New("biometrics: challenge steps need turn_left or turn_right (turns are the reliable steps)")
	}
	if !nonRigid {
		return c, errors.New("biometrics: challenge steps need blink or open_mouth (a warped still photo can turn, not blink)")
	}
	if c.ChallengeLength == 0 {
		c.ChallengeLength = 3
	}
	if c.ChallengeLength < 2 || c.ChallengeLength > 8 {
		return c, fmt.Errorf("biometrics: challenge length %d outside 2..8 (a turn and a non-rigid action)", c.ChallengeLength)
	}
	if c.MaxChallenges == 0 {
		c.MaxChallenges = 3
	}
	if c.MaxChallenges < 1 || c.MaxChallenges > 20 {
		return c, fmt.Errorf("biometrics: max challenges %d outside 1..20", c.MaxChallenges)
	}
	if c.DefaultMinAge == 0 {
		c.DefaultMinAge = 18
	}
	if c.DefaultMinAge < 0 || c.DefaultMinAge > 130 {
		return c, fmt.Errorf("biometrics: default min age %d outside 0..130", c.DefaultMinAge)
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	return c, nil
}

// Biometrics runs the face engine for the pipeline (the face_match, liveness and age checks,
// duplicate search, reusable identities) and for the biometric tools. Create one per process
// and share it: it is safe for concurrent use.
type Biometrics struct {
	store *db.Store
	eng   *face.Engine
	live  *liveness.Checker
	ages  *age.Estimator
	cfg   BiometricsConfig
	log   *slog.Logger
	sem   chan struct{}

	mu      sync.Mutex
	indexes map[db.Scope]*dupIndex
}

// NewBiometrics wraps a loaded face engine (face.New) for the pipeline and the tools.
func NewBiometrics(store *db.Store, eng *face.Engine, cfg BiometricsConfig, logger *slog.Logger) (*Biometrics, error) {
	if store == nil || eng == nil {
		return nil, errors.New("biometrics: store and face engine are required")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	live, err := liveness.New(eng, cfg.Liveness)
	if err != nil {
		return nil, fmt.Errorf("biometrics: %w", err)
	}
	ages, err := age.New(eng)
	if err != nil {
		return nil, fmt.Errorf("biometrics: %w", err)
	}
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.Liveness.PassiveThreshold == 0 {
		cfg.Liveness.PassiveThreshold = liveness.DefaultPassiveThreshold
	}
	return &Biometrics{store: store, eng: eng, live: live, ages: ages, cfg: cfg, log: logger,
		sem: make(chan struct{}, cfg.MaxConcurrent), indexes: map[db.Scope]*dupIndex{}}, nil
}

// Config is the effective configuration (defaults filled).
func (b *Biometrics) Config() BiometricsConfig { return b.cfg }

// EmbeddingModel identifies the embedding model; embeddings of another model are not comparable.
func (b *Biometrics) EmbeddingModel() onnx.ModelInfo { return b.eng.EmbeddingModel() }

// Runners are the pipeline checks this engine provides.
func (b *Biometrics) Runners() map[models.Check]CheckRunner {
	return map[models.Check]CheckRunner{
		models.CheckFaceMatch: &FaceMatchCheck{b: b},
		models.CheckLiveness:  &LivenessCheck{b: b},
		models.CheckAge:       &AgeCheck{b: b},
	}
}

// acquire takes an inference slot, or fails when ctx ends first.
func (b *Biometrics) acquire(ctx context.Context) (func(), error) {
	select {
	case b.sem <- struct{}{}:
		return func() { <-b.sem }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for an inference slot: %w", ctx.Err())
	}
}

// FaceAnalysis is what kycd keeps of an analysed photo, sealed with its artifact: enough to
// decide every biometric check again without the image, and to explain the decision.
type FaceAnalysis struct {
	// Kind is "selfie" or "document": which quality gate judged the photo.
	Kind      string       `json:"kind"`
	Width     int          `json:"width"`
	Height    int          `json:"height"`
	FaceFound bool         `json:"face_found"`
	Box       *face.Box    `json:"box,omitempty"`
	Quality   face.Quality `json:"quality"`
	// Embedding is the encoded identity vector (face.Embedding.MarshalBinary); empty when
	// the quality gate refused the photo.
	Embedding []byte `json:"embedding,omitempty"`
	// EmbeddingModel is the SHA-256 of the embedding model file.
	EmbeddingModel string `json:"embedding_model,omitempty"`
	// CrossCheck is the cross-check model's encoded vector (face.Config.CrossCheck), which
	// can only send an accept to review; empty when it is off and in analyses made before it.
	CrossCheck      []byte   `json:"cross_check,omitempty"`
	CrossCheckModel string   `json:"cross_check_model,omitempty"`
	Liveness        *float64 `json:"liveness,omitempty"`
	// Cues are the model-free spoof cues of a selfie (print halftone, screen moiré); nil
	// for documents and for analyses made before they existed.
	Cues *liveness.SpoofCues `json:"cues,omitempty"`
	Age  *float64            `json:"age,omitempty"`
	// AgeInterval is the age estimate with its uncertainty (normalised face, averaged
	// views); nil for analyses made before intervals existed.
	AgeInterval *age.Estimate    `json:"age_interval,omitempty"`
	Models      []onnx.ModelInfo `json:"models"`
}

// Vector decodes the embedding (nil when there is none).
func (a *FaceAnalysis) Vector() (face.Embedding, error) {
	if a == nil || len(a.Embedding) == 0 {
		return nil, nil
	}
	var e face.Embedding
	if err := e.UnmarshalBinary(a.Embedding); err != nil {
		return nil, fmt.Errorf("stored embedding: %w", err)
	}
	return e, nil
}

// Analyze runs the face chain on one encoded photo: detection, quality gate and, when the
// gate passes, the embedding (plus liveness and age for a selfie). A refused photo is not
// an error: the analysis carries the gate's reason.
func (b *Biometrics) Analyze(ctx context.Context, image []byte, kind face.Kind) (*FaceAnalysis, error) {
	release, err := b.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	want := face.Want{Embedding: true, CrossCheck: true}
	k := "document"
	if kind == face.KindSelfie {
		want.Liveness, k = true, "selfie" // the age comes from the age estimator, below
	}
	img, err := imaging.DecodeContext(ctx, image) // waits for room in the decode memory budget
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: %w", ErrBadImage, err)
	}
	a, err := b.eng.Analyze(img, kind, want)
	if err != nil {
		return nil, err
	}
	out := &FaceAnalysis{Kind: k, Width: a.Width, Height: a.Height, Quality: a.Quality, Models: a.Models}
	if a.Face != nil {
		out.FaceFound = true
		box := a.Face.Box
		out.Box = &box
		out.Liveness = a.Face.Liveness
		if kind == face.KindSelfie {
			cues := liveness.Cues(img, box, b.cfg.Liveness.PeriodicityThreshold)
			out.Cues = &cues
			if out.Quality = cuesGate(a.Quality, cues); a.Quality.OK && !out.Quality.OK {
				// Refused as the gate refuses: no liveness, embedding or age is kept.
				out.Liveness = nil
				return out, nil
			}
			if a.Quality.OK {
				est, err := b.ages.EstimateFace(img, &a.Face.Landmarks)
				if err != nil {
					return nil, err
				}
				years := est.Years
				out.Age, out.AgeInterval = &years, &est
				out.Models = append(out.Models, b.ages.Models()...)
			}
		}
		if a.Face.Embedding != nil {
			if out.Embedding, err = a.Face.Embedding.MarshalBinary(); err != nil {
				return nil, fmt.Errorf("encode embedding: %w", err)
			}
			out.EmbeddingModel = b.eng.EmbeddingModel().SHA256
		}
		if a.Face.CrossCheck != nil {
			if out.CrossCheck, err = a.Face.CrossCheck.MarshalBinary(); err != nil {
				return nil, fmt.Errorf("encode cross-check embedding: %w", err)
			}
			out.CrossCheckModel = b.eng.CrossCheckModel().SHA256
		}
	}
	return out, nil
}

// cuesGate extends the selfie gate's verdict q: a face the gate let through but in which the
// liveness cues could not be measured (liveness.SpoofCues.Measured: too few pixels around it
// for a print's or a screen's pattern to show) is refused with the gate's own reason for a
// face to come closer, face_too_small, so every surface asks for the retake it already knows
// (the hosted flow re-asks at once) rather than the model alone deciding liveness.
func cuesGate(q face.Quality, c liveness.SpoofCues) face.Quality {
	if !q.OK || c.Measured() {
		return q
	}
	q.OK, q.Reason = false, face.ReasonFaceTooSmall
	q.Message = fmt.Sprintf("The face is %.0f px: too small in this photo to check that it is live (no %d-px area around it). Move closer to the camera.",
		q.FaceSize, liveness.MinCueWindow)
	return q
}

// MatchVerdict is a 1:1 comparison of two analysed photos.
type MatchVerdict struct {
	// Scored is false when a photo failed its quality gate; Reason then says which and why.
	Scored    bool    `json:"scored"`
	Match     bool    `json:"match"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	// RejectThreshold is the bottom of the review band; Band says where Score fell
	// (BandAccept, BandReview, BandReject; empty when not scored).
	RejectThreshold float64 `json:"reject_threshold"`
	Band            string  `json:"band,omitempty"`
	Reason          string  `json:"reason,omitempty"`
	Message         string  `json:"message,omitempty"`
	// CrossCheck is the second model's opinion (nil when it could not be asked: off, or a
	// reference stored before it existed).
	CrossCheck *CrossCheckVerdict `json:"cross_check,omitempty"`
	// Vetoed is set when the score reached the accept threshold but the cross-check
	// disagreed: Match is then false and Band review.
	Vetoed bool `json:"vetoed,omitempty"`
}

// CrossCheckVerdict is the cross-check model's cosine of the same two faces.
type CrossCheckVerdict struct {
	Model     string  `json:"model"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	Agrees    bool    `json:"agrees"`
}

// Match compares a probe (a selfie) with a reference (a document portrait, or a selfie
// of an earlier verification); sides name them in reasons ("selfie:too_dark").
func (b *Biometrics) Match(probe, reference *FaceAnalysis, probeSide, referenceSide string, t Thresholds) (MatchVerdict, error) {
	v := MatchVerdict{Threshold: t.Match, RejectThreshold: t.MatchReject}
	for _, side := range []struct {
		name string
		a    *FaceAnalysis
	}{{probeSide, probe}, {referenceSide, reference}} {
		if side.a == nil || !side.a.Quality.OK || len(side.a.Embedding) == 0 {
			q := face.Quality{Reason: face.ReasonNoFace, Message: "No usable face."}
			if side.a != nil && !side.a.Quality.OK {
				q = side.a.Quality
			}
			v.Reason, v.Message = side.name+":"+q.Reason, side.name+": "+q.Message
			return v, nil
		}
	}
	if probe.EmbeddingModel != reference.EmbeddingModel {
		return v, fmt.Errorf("match: embeddings from different models (%.12s vs %.12s)", probe.EmbeddingModel, reference.EmbeddingModel)
	}
	pe, err := probe.Vector()
	if err != nil {
		return v, err
	}
	re, err := reference.Vector()
	if err != nil {
		return v, err
	}
	s, err := face.Cosine(pe, re)
	if err != nil {
		return v, fmt.Errorf("match: %w", err)
	}
	v.Scored, v.Score, v.Match, v.Band = true, round3(s), s >= v.Threshold, t.Band(s)
	cc, err := b.crossCheck(probe, reference)
	if err != nil {
		return v, err
	}
	v.withCrossCheck(cc)
	return v, nil
}

// withCrossCheck records the cross-check's opinion; one that disagrees with an accept turns
// it into a review (never a rejection), and a cross-check of a non-accept changes nothing.
func (v *MatchVerdict) withCrossCheck(cc *CrossCheckVerdict) {
	v.CrossCheck = cc
	if v.Match && cc != nil && !cc.Agrees {
		v.Match, v.Band, v.Vetoed = false, BandReview, true
	}
}

// crossCheck scores the two faces with the cross-check model, when both analyses carry its
// vector from the model the engine runs now (nil otherwise).
func (b *Biometrics) crossCheck(probe, reference *FaceAnalysis) (*CrossCheckVerdict, error) {
	info := b.eng.CrossCheckModel()
	if info.SHA256 == "" || probe.CrossCheckModel != info.SHA256 || reference.CrossCheckModel != info.SHA256 {
		return nil, nil
	}
	var p, r face.Embedding
	if err := p.UnmarshalBinary(probe.CrossCheck); err != nil {
		return nil, fmt.Errorf("stored cross-check embedding: %w", err)
	}
	if err := r.UnmarshalBinary(reference.CrossCheck); err != nil {
		return nil, fmt.Errorf("stored cross-check embedding: %w", err)
	}
	s, err := face.Cosine(p, r)
	if err != nil {
		return nil, fmt.Errorf("cross-check: %w", err)
	}
	t := b.eng.Config().CrossCheckThreshold
	return &CrossCheckVerdict{Model: info.Name + "@" + info.SHA256, Score: round3(s), Threshold: t, Agrees: s >= t}, nil
}

// LivenessVerdict is the passive liveness verdict on a selfie analysis.
type LivenessVerdict struct {
	Scored    bool    `json:"scored"`
	Live      bool    `json:"live"`
	Score     float64 `json:"score"`
	Threshold float64 `json:"threshold"`
	Reason    string  `json:"reason,omitempty"`
	// Cues are the model-free cues, a second opinion (nil when not measured).
	Cues *liveness.SpoofCues `json:"cues,omitempty"`
}

// Passive judges the selfie's liveness score against the configured threshold.
func (b *Biometrics) Passive(a *FaceAnalysis, t Thresholds) LivenessVerdict {
	v := LivenessVerdict{Threshold: t.Liveness}
	if a != nil {
		v.Cues = a.Cues
	}
	if a == nil || a.Liveness == nil {
		v.Reason = face.ReasonNoFace
		if a != nil && !a.Quality.OK {
			v.Reason = a.Quality.Reason
		}
		return v
	}
	v.Scored, v.Score, v.Live = true, round3(*a.Liveness), *a.Liveness >= v.Threshold
	return v
}

// NewChallengeSteps draws a random challenge: ChallengeLength steps from the pool, no step
// twice in a row, at least one head turn and one non-rigid action (drawn like the rest, so
// at a random position), with crypto/rand so it cannot be predicted.
func (b *Biometrics) NewChallengeSteps() ([]liveness.Step, error) {
	pool := b.cfg.ChallengeSteps
	for {
		steps := make([]liveness.Step, 0, b.cfg.ChallengeLength)
		for len(steps) < b.cfg.ChallengeLength {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(pool))))
			if err != nil {
				return nil, fmt.Errorf("draw challenge: %w", err)
			}
			s := pool[n.Int64()]
			if len(steps) > 0 && steps[len(steps)-1] == s && len(pool) > 1 {
				continue
			}
			steps = append(steps, s)
		}
		if slices.ContainsFunc(steps, liveness.IsTurn) && slices.ContainsFunc(steps, liveness.NonRigid) {
			return steps, nil
		}
	}
}

// ErrBadImage marks an image that does not decode: the caller's fault, not the engine's.
var ErrBadImage = errors.New("bad image")

// FrameError says which frame of a capture could not be decoded.
type FrameError struct {
	Index int
	Err   error
}

func (e *FrameError) Error() string { return fmt.Sprintf("frame %d: %v", e.Index, e.Err) }

// Unwrap returns ErrBadImage's chain.
func (e *FrameError) Unwrap() error { return e.Err }

// DecodeFrames decodes a capture's frames (EXIF orientation applied) before anything is
// committed, so an undecodable frame is refused without spending the challenge.
func (b *Biometrics) DecodeFrames(ctx context.Context, frames [][]byte) ([]*imaging.RGB, error) {
	if len(frames) < liveness.MinFrames || len(frames) > liveness.MaxFrames {
		return nil, fmt.Errorf("%d frames, want %d..%d", len(frames), liveness.MinFrames, liveness.MaxFrames)
	}
	out := make([]*imaging.RGB, len(frames))
	for i, f := range frames {
		img, err := imaging.DecodeContext(ctx, f)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, &FrameError{Index: i, Err: fmt.Errorf("%w: %w", ErrBadImage, err)}
		}
		out[i] = img
	}
	return out, nil
}

// ObserveFrames runs the face engine on a decoded active-liveness capture (frames in capture
// order, with their capture times in milliseconds, or nil when the caller has none).
func (b *Biometrics) ObserveFrames(ctx context.Context, frames []*imaging.RGB, timesMS []float64) ([]liveness.Observation, error) {
	if len(timesMS) != 0 && len(timesMS) != len(frames) {
		return nil, fmt.Errorf("%d capture times for %d frames", len(timesMS), len(frames))
	}
	// Frames side by side, each holding an inference slot only while it is observed, so a
	// capture uses the idle cores without holding any hostage from other requests.
	return liveness.ObserveAll(len(frames), cap(b.sem), func(i int) (liveness.Observation, error) {
		release, err := b.acquire(ctx)
		if err != nil {
			return liveness.Observation{}, err
		}
		o, err := b.live.Observe(frames[i])
		release()
		if err != nil {
			return o, fmt.Errorf("frame %d: %w", i, err)
		}
		if len(timesMS) > 0 {
			o.AtMS, o.Timed = timesMS[i], true
		}
		return o, nil
	})
}

// JudgeFrames checks an observed capture against the challenge steps and the reference
// embedding the face must match (the selfie's). The warped-still test registers frames, a
// core's work, so it holds an inference slot.
func (b *Biometrics) JudgeFrames(ctx context.Context, steps []liveness.Step, obs []liveness.Observation, reference face.Embedding, t Thresholds) (*liveness.ActiveResult, error) {
	cfg := b.cfg.Liveness.Active
	if cfg.MatchThreshold == 0 {
		cfg.MatchThreshold = t.Match
	}
	release, err := b.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return liveness.VerifySequence(steps, obs, reference, cfg), nil
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// scopeOf is the account and mode of a verification.
func scopeOf(v *models.Verification) db.Scope { return db.Scope{AccountID: v.AccountID, Mode: v.Mode} }

// artifactAnalysis returns the stored analysis of an artifact, computing (and storing) it
// when it is missing or was made with another embedding model.
func (b *Biometrics) artifactAnalysis(ctx context.Context, a *models.Artifact, kind face.Kind) (*FaceAnalysis, error) {
	var fa FaceAnalysis
	ok, err := b.store.ArtifactAnalysis(a, &fa)
	if err != nil {
		return nil, err
	}
	if ok && (fa.EmbeddingModel == b.eng.EmbeddingModel().SHA256 || len(fa.Embedding) == 0 && !fa.Quality.OK) {
		return &fa, nil
	}
	img, err := b.store.ArtifactImage(a)
	if err != nil {
		return nil, err
	}
	out, err := b.Analyze(ctx, img, kind)
	if err != nil {
		return nil, fmt.Errorf("analyse %s %s: %w", a.Kind, a.ID, err)
	}
	if err := b.store.SetArtifactAnalysis(ctx, db.Scope{AccountID: a.AccountID, Mode: a.Mode}, a.ID, out); err != nil {
		return nil, err
	}
	return out, nil
}

// SelfieAnalysis returns the latest selfie of a verification with its analysis; nil, nil
// when there is no selfie.
func (b *Biometrics) SelfieAnalysis(ctx context.Context, v *models.Verification) (*models.Artifact, *FaceAnalysis, error) {
	return b.latestAnalysis(ctx, v, models.ArtifactSelfie, face.KindSelfie)
}

// PortraitAnalysis returns the latest document portrait of a verification with its
// analysis; nil, nil when there is none.
func (b *Biometrics) PortraitAnalysis(ctx context.Context, v *models.Verification) (*models.Artifact, *FaceAnalysis, error) {
	return b.latestAnalysis(ctx, v, models.ArtifactDocumentPortrait, face.KindDocument)
}

func (b *Biometrics) latestAnalysis(ctx context.Context, v *models.Verification, kind models.ArtifactKind, fk face.Kind) (*models.Artifact, *FaceAnalysis, error) {
	a, err := b.store.LatestArtifact(ctx, scopeOf(v), v.ID, kind)
	if errors.Is(err, db.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	fa, err := b.artifactAnalysis(ctx, a, fk)
	if err != nil {
		return nil, nil, err
	}
	return a, fa, nil
}
