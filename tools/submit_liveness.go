package tools

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kycd/kycd/checks/imaging"
	"github.com/kycd/kycd/checks/liveness"
	"github.com/kycd/kycd/db"
	"github.com/kycd/kycd/models"
	"github.com/kycd/kycd/verify"
)

// Frame limits of one capture: frames from a camera stream are small, and 30 of them at
// the per-frame limit stay within the total.
const (
	maxFrameBytes   = 5 << 20
	maxCaptureBytes = 40 << 20
)

// SubmitLivenessInput is a capture answering a challenge.
type SubmitLivenessInput struct {
	ID     string   `json:"id" jsonschema:"verification id (ver_…)" minLength:"1" maxLength:"64"`
	Nonce  string   `json:"nonce" jsonschema:"the nonce from get_liveness_challenge" minLength:"1" maxLength:"100"`
	Frames []string `json:"frames" jsonschema:"5 to 30 frames in capture order, base64 or data URL (JPEG, PNG, WebP, ≤ 5 MB each, 40 MB in all)" maxItems:"30"`
	// TimestampsMS are optional because a backend relaying stored frames may not have them;
	// without them the capture is held to the stricter untimed policy.
	TimestampsMS []float64 `json:"timestamps_ms,omitempty" jsonschema:"capture time of each frame in ms (e.g. performance.now()), increasing; without them at least 10 frames and no timing check" maxItems:"30"`
}

// frameHashWindow and frameHashLimit bound the earlier frames a capture is compared with for
// replays: the account's liveness frames of the last 90 days, at most the newest 20,000.
const (
	frameHashWindow = 90 * 24 * time.Hour
	frameHashLimit  = 20000
)

// LivenessStep says where a challenge step was seen.
type LivenessStep struct {
	Step  string `json:"step" jsonschema:"the step"`
	Frame int    `json:"frame" jsonschema:"index of the frame that completed it, −1 if never"`
}

// LivenessResult is the verdict on a capture.
type LivenessResult struct {
	ChallengeID    string         `json:"challenge_id" jsonschema:"the answered challenge"`
	VerificationID string         `json:"verification_id" jsonschema:"the verification"`
	Passed         bool           `json:"passed" jsonschema:"every step performed in order by the same face, matching the selfie"`
	Reason         string         `json:"reason,omitempty" jsonschema:"why it failed" enum:"bad_request,bad_frame,static_frames,different_face,step_not_performed,reference_mismatch,bad_timing,warped_still,scene_cut,replayed_frames"`
	FailedStep     string         `json:"failed_step,omitempty" jsonschema:"the step that was not performed (step_not_performed)"`
	FailedFrame    *int           `json:"failed_frame" jsonschema:"the frame at fault (bad_frame, different_face, reference_mismatch), else null"`
	Message        string         `json:"message,omitempty" jsonschema:"the failure for a person"`
	Steps          []LivenessStep `json:"steps" jsonschema:"each step and the frame that completed it"`
	SameFaceMin    float64        `json:"same_face_min" jsonschema:"lowest similarity of a frame's face to the most frontal frame"`
	ReferenceScore float64        `json:"reference_score" jsonschema:"similarity of the most frontal frame to the selfie"`
	MatchThreshold float64        `json:"match_threshold" jsonschema:"threshold for reference_score"`
	Motion         float64        `json:"motion" jsonschema:"largest landmark movement between frames, as a fraction of the face size; a still photo is near 0"`
	Timed          bool           `json:"timed" jsonschema:"the frames came with capture times, so the timing was checked"`
	WarpResidual   float64        `json:"warp_residual" jsonschema:"what the best 2-D warp between turn frames leaves unexplained (−1 not measured); warps of one still photo stay low (warped_still)"`
}

// SubmitLiveness verifies a capture against its challenge.
var SubmitLiveness = Tool[SubmitLivenessInput, LivenessResult]{
	Name:        "submit_liveness",
	Examples:    []string{`{"id":"ver_01kbx4r7c8d9e0f1g2h3j4k5m6","nonce":"lch_01kbx4r7c8d9e0f1g2h3j4k5m6","frames":["data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC","data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC","data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC","data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC","data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR42mNoQAMMI1sAAAUMgAHjM1mKAAAAAElFTkSuQmCC"]}`},
	Title:       "Submit liveness capture",
	Description: "Answer an active liveness challenge: the frames must show its steps in order, by one face matching the verification's selfie (submit that first), in one scene (photos cut together fail as scene_cut). The nonce answers once and expires; frames of an earlier capture, even re-encoded or cropped, are refused as a replay. The verdict names the failed step or frame; the latest verdict counts.",
	Brief:       "5–30 timed frames answering a challenge: verdict per step, same face throughout, a real 3-D head, match with the selfie; a nonce answers once, replayed frames fail",
	Scope:       ScopeVerificationsWrite,
	Annotations: Annotations{ReadOnly: false, Destructive: false, Idempotent: false, OpenWorld: false},
	REST:        REST{Method: "POST", Path: "/verifications/{id}/liveness"},
	Summary: func(r LivenessResult) string {
		if r.Passed {
			return fmt.Sprintf("Liveness challenge %s passed.", r.ChallengeID)
		}
		return fmt.Sprintf("Liveness challenge %s failed: %s — %s", r.ChallengeID, r.Reason, r.Message)
	},
	Handle: submitLiveness,
	// The hosted flow answers the challenge with the applicant's frames.
	SessionAllowed: true,
}

func submitLiveness(ctx context.Context, d *Deps, c Caller, in SubmitLivenessInput) (LivenessResult, error) {
	b, err := biometrics(d)
	if err != nil {
		return LivenessResult{}, err
	}
	v, _, err := openForUpload(ctx, d, c, in.ID, models.CheckLiveness)
	if err != nil {
		return LivenessResult{}, err
	}
	if n := len(in.Frames); n < liveness.MinFrames || n > liveness.MaxFrames {
		return LivenessResult{}, invalid("frames", "%d frames; send %d to %d", n, liveness.MinFrames, liveness.MaxFrames)
	}
	ch, err := d.Store.GetChallengeByNonce(ctx, c.scope(), in.Nonce)
	if errors.Is(err, db.ErrNotFound) || err == nil && ch.VerificationID != v.ID {
		return LivenessResult{}, Errorf(CodeNotFound, "nonce", "no liveness challenge with this nonce for this verification; call get_liveness_challenge")
	}
	if err != nil {
		return LivenessResult{}, err
	}
	// Refuse early what will be refused anyway, before decoding megabytes.
	if ch.IssuedTo != "" && ch.IssuedTo != issuedTo(c) {
		return LivenessResult{}, Errorf(CodeConflict, "nonce", "this challenge was drawn by another session or key; answer it there, or request a new one")
	}
	if len(in.TimestampsMS) > 0 && len(in.TimestampsMS) != len(in.Frames) {
		return LivenessResult{}, invalid("timestamps_ms", "%d capture times for %d frames; send one per frame", len(in.TimestampsMS), len(in.Frames))
	}
	for i, t := range in.TimestampsMS {
		if math.IsNaN(t) || math.IsInf(t, 0) || t < 0 {
			return LivenessResult{}, invalid(fmt.Sprintf("timestamps_ms[%d]", i), "a capture time is a non-negative number of milliseconds")
		}
	}
	if ch.UsedAt != nil {
		return LivenessResult{}, Errorf(CodeConflict, "nonce", "this challenge was already answered; request a new one")
	}
	if !d.Store.Now().Before(ch.ExpiresAt) {
		return LivenessResult{}, Errorf(CodeConflict, "nonce", "this challenge expired at %s; request a new one", ch.ExpiresAt.Format(time.RFC3339))
	}
	var steps []liveness.Step
	if err := json.Unmarshal([]byte(ch.Steps), &steps); err != nil {
		return LivenessResult{}, fmt.Errorf("decode challenge steps: %w", err)
	}
	raw := make([][]byte, len(in.Frames))
	hashes := make([]string, len(in.Frames))
	total, held := 0, int64(0)
	for i, f := range in.Frames {
		field := fmt.Sprintf("frames[%d]", i)
		if raw[i], err = decodeImage(field, f, maxFrameBytes); err != nil {
			return LivenessResult{}, err
		}
		if total += len(raw[i]); total > maxCaptureBytes {
			return LivenessResult{}, Errorf(CodeTooLarge, "frames", "the frames add up to more than %s", byteSize(maxCaptureBytes))
		}
		// Every decoded frame is kept (3 bytes a pixel) until the sequence is judged, outside
		// the decode budget, so a capture may hold at most half of it: a 30-frame 1080p
		// capture passes, ten 12-megapixel photos do not.
		h, err := imaging.Inspect(raw[i], field, imaging.Limits{MaxBytes: maxFrameBytes})
		if err != nil {
			return LivenessResult{}, imageError(field, err)
		}
		if held += 3 * int64(h.Width) * int64(h.Height); held > imaging.MemoryBudget()/2 {
			return LivenessResult{}, invalid("frames", "the decoded frames would hold more than %s; send frames of 1920×1080 or less",
				byteSize(int(imaging.MemoryBudget()/2)))
		}
		sum := sha256.Sum256(raw[i])
		hashes[i] = hex.EncodeToString(sum[:])
	}
	frames, err := b.DecodeFrames(ctx, raw)
	var fe *verify.FrameError
	if errors.As(err, &fe) {
		return LivenessResult{}, invalid(fmt.Sprintf("frames[%d]", fe.Index), "%v", fe.Err)
	}
	if err != nil {
		if ctx.Err() != nil {
			return LivenessResult{}, err // cancelled while waiting for decode memory: unavailable
		}
		return LivenessResult{}, invalid("frames", "%v", err)
	}
	_, selfie, err := b.SelfieAnalysis(ctx, v)
	if err != nil {
		return LivenessResult{}, err
	}
	ref, err := selfie.Vector()
	if err != nil {
		return LivenessResult{}, err
	}
	if ref == nil {
		return LivenessResult{}, Errorf(CodeConflict, "id", "submit an accepted selfie first: the capture must match it")
	}
	replayed, err := d.Store.SeenImage(ctx, c.scope(), models.ArtifactLivenessFrame, hashes, ch.ID)
	if err != nil {
		return LivenessResult{}, err
	}
	obs, err := b.ObserveFrames(ctx, frames, in.TimestampsMS)
	if err != nil {
		return LivenessResult{}, err
	}
	phashes := make([]uint64, len(frames))
	for i, f := range frames {
		phashes[i] = liveness.FrameHash(f, obs[i])
	}
	replayedAt := -1
	if replayed == "" {
		if replayedAt, err = perceptualReplay(ctx, d, c, ch.ID, phashes); err != nil {
			return LivenessResult{}, err
		}
	}

	// Spend the nonce and keep the frames in one transaction: from here on this challenge
	// is answered, whatever the verdict, so a failed capture cannot be retried with it.
	err = d.Store.InTx(ctx, func(ctx context.Context, tx *db.Tx) error {
		if err := tx.UseChallenge(ctx, c.scope(), ch.ID, d.Store.Now()); err != nil {
			return err
		}
		if err := markStarted(ctx, d, tx, c, v, "liveness"); err != nil {
			return err
		}
		for i, img := range raw {
			a := &models.Artifact{AccountID: v.AccountID, Mode: v.Mode, VerificationID: v.ID, Kind: models.ArtifactLivenessFrame,
				Seq: i, ChallengeID: ch.ID, ContentType: imaging.Sniff(img), PHash: liveness.FormatPHash(phashes[i])}
			if err := tx.InsertArtifact(ctx, a, img, nil); err != nil {
				return err
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, db.ErrChallengeUsed):
		return LivenessResult{}, Errorf(CodeConflict, "nonce", "this challenge was already answered; request a new one")
	case errors.Is(err, db.ErrChallengeExpired):
		return LivenessResult{}, Errorf(CodeConflict, "nonce", "this challenge expired at %s; request a new one", ch.ExpiresAt.Format(time.RFC3339))
	case err != nil:
		return LivenessResult{}, storeErr(err, "verification", "id")
	}

	th, err := b.ThresholdsFor(ctx, v.APIKeyID)
	if err != nil {
		return LivenessResult{}, err
	}
	var r *liveness.ActiveResult
	switch {
	case replayed != "":
		r = &liveness.ActiveResult{Reason: "replayed_frames", FailedFrame: -1, MatchThreshold: th.Match, WarpResidual: -1,
			Message: "these frames were already submitted for another challenge; capture new ones"}
		for i, h := range hashes {
			if h == replayed {
				r.FailedFrame = i
				break
			}
		}
	case replayedAt >= 0:
		r = &liveness.ActiveResult{Reason: "replayed_frames", FailedFrame: replayedAt, MatchThreshold: th.Match, WarpResidual: -1,
			Message: "these frames look like the frames of an earlier capture (re-encoded or with new metadata); capture new ones"}
	default:
		if r, err = b.JudgeFrames(ctx, steps, obs, ref, th); err != nil {
			return LivenessResult{}, err
		}
	}
	if err := d.Store.SetChallengeResult(ctx, c.scope(), ch.ID, r.Passed, r); err != nil {
		return LivenessResult{}, err
	}
	return toLivenessResult(ch.ID, v.ID, r), nil
}

func toLivenessResult(challengeID, verificationID string, r *liveness.ActiveResult) LivenessResult {
	out := LivenessResult{ChallengeID: challengeID, VerificationID: verificationID, Passed: r.Passed, Reason: r.Reason,
		FailedStep: string(r.FailedStep), Message: r.Message, SameFaceMin: round3(r.SameFaceMin),
		ReferenceScore: round3(r.ReferenceScore), MatchThreshold: r.MatchThreshold, Motion: round4(r.Motion), Steps: []LivenessStep{},
		Timed: r.Timed, WarpResidual: r.WarpResidual}
	if r.FailedFrame >= 0 && !r.Passed {
		f := r.FailedFrame
		out.FailedFrame = &f
	}
	for _, s := range r.Steps {
		out.Steps = append(out.Steps, LivenessStep{Step: string(s.Step), Frame: s.Frame})
	}
	return out
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
func round4(v float64) float64 { return math.Round(v*10000) / 10000 }

// perceptualReplay returns the first frame of a capture that replays an earlier capture of
// the account (any verification), compared by perceptual hash; −1 when it replays none.
func perceptualReplay(ctx context.Context, d *Deps, c Caller, challengeID string, frames []uint64) (int, error) {
	stored, err := d.Store.FrameHashes(ctx, c.scope(), challengeID, d.Store.Now().Add(-frameHashWindow), frameHashLimit)
	if err != nil {
		return -1, err
	}
	// Frames of one capture in capture order: a replay is matched in order.
	slices.SortStableFunc(stored, func(a, b db.FrameHash) int { return cmp.Compare(a.Seq, b.Seq) })
	earlier := map[string][]uint64{}
	for _, f := range stored {
		h, err := liveness.ParsePHash(f.PHash)
		if err != nil {
			continue // written by us; a bad one cannot match
		}
		earlier[f.ChallengeID] = append(earlier[f.ChallengeID], h)
	}
	_, at := liveness.ReplayOf(frames, earlier)
	return at, nil
}
